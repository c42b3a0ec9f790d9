// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProductionOracle} from "../src/oracle/ProductionOracle.sol";
import {SettlementToken} from "../src/settlement/SettlementToken.sol";
import {Fixture} from "./utils/Fixture.sol";

/// The production oracle and the settlement token (the two small contracts the others build on).
contract ProductionOracleTest is Fixture {
    function test_ReportAndRead() public {
        vm.prank(attestor);
        vm.expectEmit(address(oracle));
        emit ProductionOracle.ReportPosted(202601, 1_000, 50_000, "HKD", bytes32(uint256(7)), attestor);
        oracle.report(202601, 1_000, 50_000, "HKD", bytes32(uint256(7)));
        assertTrue(oracle.hasReport(202601));
        ProductionOracle.Report memory r = oracle.getReport(202601);
        assertEq(r.kwh, 1_000);
        assertEq(r.revenueMinor, 50_000);
        assertEq(r.currency, "HKD");
        assertEq(r.attestor, attestor);
        assertEq(r.postedAt, block.timestamp);
        postReport(5);
        assertEq(oracle.reportCount(), 2);
        assertEq(oracle.latestPeriodId(), 202601);
    }

    function test_Errors() public {
        vm.startPrank(attestor);
        vm.expectRevert(ProductionOracle.InvalidPeriodId.selector);
        oracle.report(0, 1, 1, "HKD", 0);
        oracle.report(1, 1, 1, "HKD", 0);
        vm.expectRevert(abi.encodeWithSelector(ProductionOracle.ReportAlreadyPosted.selector, 1));
        oracle.report(1, 2, 2, "HKD", 0);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(ProductionOracle.ReportNotFound.selector, 2));
        oracle.getReport(2);
        bytes32 role = oracle.ATTESTOR_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, role));
        oracle.report(2, 1, 1, "HKD", 0);
    }

    /// A posted report never changes; the latest id is the maximum posted.
    function testFuzz_ReportsAreImmutable(uint256 a, uint256 b, uint256 kwh) public {
        a = bound(a, 1, type(uint128).max);
        b = bound(b, 1, type(uint128).max);
        vm.startPrank(attestor);
        oracle.report(a, kwh, 1, "HKD", 0);
        if (a == b) vm.expectRevert(abi.encodeWithSelector(ProductionOracle.ReportAlreadyPosted.selector, a));
        oracle.report(b, kwh / 2, 2, "CNH", 0);
        vm.stopPrank();
        assertEq(oracle.getReport(a).kwh, kwh);
        assertEq(oracle.latestPeriodId(), a > b ? a : b);
        assertEq(oracle.reportCount(), a == b ? 1 : 2);
    }

    // ------------------------------------------------------------------ settlement token

    function test_SettlementTokenIssueAndRedeem() public {
        assertEq(hkd.decimals(), 6);
        assertEq(hkd.currency(), "HKD");
        vm.startPrank(hkdIssuer);
        vm.expectRevert(SettlementToken.ZeroAmount.selector);
        hkd.mint(alice, 0);
        hkd.mint(alice, 100 * HKD);
        hkd.mint(hkdIssuer, 5 * HKD);
        hkd.burnFrom(hkdIssuer, 5 * HKD); // its own balance: no allowance needed
        vm.stopPrank();
        vm.prank(alice);
        hkd.approve(hkdIssuer, 40 * HKD);
        vm.prank(hkdIssuer);
        hkd.burnFrom(alice, 40 * HKD);
        assertEq(hkd.balanceOf(alice), 60 * HKD);
        assertEq(hkd.totalSupply(), 60 * HKD);
        bytes32 role = hkd.ISSUER_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, role));
        hkd.mint(alice, 1);
    }
}
