// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {DvPSettlement} from "../src/settlement/DvPSettlement.sol";
import {RWAToken} from "../src/token/RWAToken.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Delivery versus payment of secondary trades: both legs or neither.
contract DvPSettlementTest is Fixture {
    bytes32 internal constant TRADE = bytes32(uint256(1));

    function setupTrade(uint256 tokens, uint256 cash) internal {
        mint(alice, tokens);
        vm.prank(alice);
        token.approve(address(dvp), tokens);
        fundHkd(bob, cash, address(dvp));
    }

    function test_SettlesAtomically() public {
        setupTrade(10 * TOKEN, 100 * HKD);
        vm.expectEmit(address(dvp));
        emit DvPSettlement.TradeSettled(TRADE, alice, bob, 10 * TOKEN, 100 * HKD, 1 * HKD, platform);
        vm.prank(platform);
        dvp.settle(TRADE, alice, bob, 10 * TOKEN, 100 * HKD, 1 * HKD);
        assertEq(token.balanceOf(bob), 10 * TOKEN);
        assertEq(hkd.balanceOf(alice), 99 * HKD);
        assertEq(hkd.balanceOf(feeAccount), 1 * HKD);
        assertTrue(dvp.settled(TRADE));
        assertEq(dvp.tradeCount(), 1);
        vm.prank(platform);
        vm.expectRevert(abi.encodeWithSelector(DvPSettlement.TradeAlreadySettled.selector, TRADE));
        dvp.settle(TRADE, alice, bob, 1, 1, 0);
    }

    function test_ErrorsAndAtomicity() public {
        setupTrade(10 * TOKEN, 50 * HKD);
        bytes32 t2 = bytes32(uint256(2));
        vm.startPrank(platform);
        vm.expectRevert(abi.encodeWithSelector(DvPSettlement.SameParty.selector, alice));
        dvp.settle(t2, alice, alice, 1, 1, 0);
        vm.expectRevert(DvPSettlement.ZeroAmount.selector);
        dvp.settle(t2, alice, bob, 0, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(DvPSettlement.FeeExceedsCash.selector, 2, 1));
        dvp.settle(t2, alice, bob, 1, 1, 2);
        // the cash leg fails: the token leg is undone
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(dvp), 50 * HKD, 100 * HKD)
        );
        dvp.settle(t2, alice, bob, 10 * TOKEN, 100 * HKD, 0);
        vm.stopPrank();
        assertEq(token.balanceOf(alice), 10 * TOKEN);
        assertFalse(dvp.settled(t2));
        // the token's compliance applies to the buyer
        fundHkd(dave, 10 * HKD, address(dvp));
        vm.startPrank(platform);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, dave, TOKEN));
        dvp.settle(t2, alice, dave, TOKEN, 10 * HKD, 0);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, frank));
        dvp.settle(t2, alice, frank, TOKEN, 10 * HKD, 0);
        vm.stopPrank();
        assertEq(hkd.balanceOf(dave), 10 * HKD);
        bytes32 role = dvp.PLATFORM_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, role));
        dvp.settle(t2, alice, bob, TOKEN, 10 * HKD, 0);
    }

    function test_FeeAccount() public {
        vm.startPrank(admin);
        vm.expectEmit(address(dvp));
        emit DvPSettlement.FeeAccountSet(carol);
        dvp.setFeeAccount(carol);
        vm.expectRevert(DvPSettlement.ZeroAddress.selector);
        dvp.setFeeAccount(address(0));
        vm.stopPrank();
        assertEq(dvp.feeAccount(), carol);
        setupTrade(TOKEN, 10 * HKD);
        vm.prank(platform);
        dvp.settle(TRADE, alice, bob, TOKEN, 10 * HKD, 3 * HKD);
        assertEq(hkd.balanceOf(carol), 3 * HKD);
    }

    struct Trade {
        uint256 tokens;
        uint256 cash;
        uint256 fee;
        uint256 tokenAllowance;
        uint256 cashHeld;
        uint256 cashAllowance;
        uint8 buyerIx;
        bool sellerFrozen;
    }

    /// Whatever the balances, allowances, fee and buyer: either both legs move exactly (token seller -> buyer,
    /// cash buyer -> seller less the fee, fee -> fee account) and the trade id is spent, or nothing moves.
    function testFuzz_BothLegsOrNeither(Trade memory tr) public {
        address[4] memory buyers = [bob, carol, dave, frank]; // dave is retail, frank unregistered
        address buyer = buyers[tr.buyerIx % 4];
        tr.tokens = bound(tr.tokens, 0, 200 * TOKEN);
        tr.cash = bound(tr.cash, 0, 2_000 * HKD);
        tr.fee = bound(tr.fee, 0, 2_100 * HKD);
        mint(alice, 100 * TOKEN);
        vm.prank(alice);
        token.approve(address(dvp), bound(tr.tokenAllowance, 0, 200 * TOKEN));
        fundHkd(buyer, bound(tr.cashHeld, 1, 2_000 * HKD));
        vm.prank(buyer);
        hkd.approve(address(dvp), bound(tr.cashAllowance, 0, 2_000 * HKD));
        if (tr.sellerFrozen) {
            vm.prank(agent);
            token.setAddressFrozen(alice, true);
        }
        uint256[5] memory before = [
            token.balanceOf(alice),
            token.balanceOf(buyer),
            hkd.balanceOf(alice),
            hkd.balanceOf(buyer),
            hkd.balanceOf(feeAccount)
        ];
        vm.prank(platform);
        (bool ok,) = address(dvp).call(abi.encodeCall(dvp.settle, (TRADE, alice, buyer, tr.tokens, tr.cash, tr.fee)));
        assertEq(dvp.settled(TRADE), ok);
        assertEq(dvp.tradeCount(), ok ? 1 : 0);
        if (!ok) (tr.tokens, tr.cash, tr.fee) = (0, 0, 0);
        assertEq(token.balanceOf(alice), before[0] - tr.tokens);
        assertEq(token.balanceOf(buyer), before[1] + tr.tokens);
        assertEq(hkd.balanceOf(alice), before[2] + tr.cash - tr.fee);
        assertEq(hkd.balanceOf(buyer), before[3] - tr.cash);
        assertEq(hkd.balanceOf(feeAccount), before[4] + tr.fee);
        if (ok) {
            assertTrue(buyer == bob || buyer == carol, "only a compliant buyer receives");
            assertTrue(!tr.sellerFrozen && tr.tokens != 0 && tr.cash != 0 && tr.fee <= tr.cash, "valid trade only");
        }
        assertEq(hkd.balanceOf(address(dvp)), 0);
        assertEq(token.balanceOf(address(dvp)), 0);
    }
}
