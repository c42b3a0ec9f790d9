// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {PrimaryOffering} from "../../../src/offering/PrimaryOffering.sol";
import {SettlementToken} from "../../../src/settlement/SettlementToken.sol";

/// Drives one primary offering through subscriptions, closes, cancellation, refunds and the passing of
/// time. An action whose preconditions hold must succeed (and a refund must pay exactly what
/// `refundableOf` said); an action whose preconditions do not hold is skipped. The close runs to its end
/// within one call (whole, or batch after batch), and every subscriber stays verified: a close stopped
/// half-way and a refused allocation are left out while the offering's close is reworked.
contract OfferingHandler is Test {
    PrimaryOffering public immutable offering;
    SettlementToken public immutable hkd;
    address public immutable hkdIssuer;
    address public immutable issuer;

    address[] public investors;
    /// Settlement tokens each investor was given (all of it subscribed).
    mapping(address investor => uint256) public ghostFunded;
    /// Settlement tokens ever minted to investors.
    uint256 public ghostFundedTotal;
    /// Cash refunded to each investor.
    mapping(address investor => uint256) public ghostRefunded;
    mapping(bytes32 action => uint256) public calls;

    constructor(
        PrimaryOffering offering_,
        SettlementToken hkd_,
        address hkdIssuer_,
        address issuer_,
        address[] memory investors_
    ) {
        offering = offering_;
        hkd = hkd_;
        hkdIssuer = hkdIssuer_;
        issuer = issuer_;
        investors = investors_;
    }

    function investorCount() external view returns (uint256) {
        return investors.length;
    }

    function _count(string memory action) internal {
        ++calls[keccak256(bytes(action))];
    }

    function subscribe(uint256 seed, uint256 amount) external {
        address investor = investors[seed % investors.length];
        PrimaryOffering.Terms memory t = offering.terms();
        if (offering.state() != PrimaryOffering.State.Open || block.timestamp > t.deadline) return;
        uint256 already = offering.subscribed(investor);
        if (already >= t.maxTicket) return;
        uint256 low = already >= t.minTicket ? 1 : t.minTicket - already;
        amount = bound(amount, low, t.maxTicket - already);
        if (t.allocation == PrimaryOffering.Allocation.FirstCome) {
            uint256 room = t.hardCap - offering.totalSubscribed();
            if (room < low) return;
            if (amount > room) amount = room;
        }
        vm.prank(hkdIssuer);
        hkd.mint(investor, amount);
        ghostFunded[investor] += amount;
        ghostFundedTotal += amount;
        vm.startPrank(investor);
        hkd.approve(address(offering), amount);
        offering.subscribe(amount);
        vm.stopPrank();
        _count("subscribe");
    }

    /// Close when the terms allow it (one call in eight, so that subscriptions pile up first): in one
    /// transaction or batch after batch.
    function close(uint256 dice) external {
        if (dice % 8 != 0) return;
        PrimaryOffering.Terms memory t = offering.terms();
        uint256 total = offering.totalSubscribed();
        if (offering.state() != PrimaryOffering.State.Open) return;
        if (block.timestamp > t.deadline + offering.CLOSE_GRACE_PERIOD() || total < t.softCap || total == 0) return;
        uint256 batch = (dice / 8) % (investors.length + 1); // 0: close() in one transaction
        vm.startPrank(issuer);
        if (batch == 0) {
            offering.close();
        } else {
            while (offering.state() != PrimaryOffering.State.Closed) {
                offering.closeBatch(batch);
            }
        }
        vm.stopPrank();
        assertEq(uint8(offering.state()), uint8(PrimaryOffering.State.Closed));
        _count(batch == 0 ? "close" : "closeBatch");
    }

    /// Cancel an open offering (one call in sixteen: it ends the offering).
    function cancel(uint256 dice) external {
        if (dice % 16 != 0 || offering.state() != PrimaryOffering.State.Open) return;
        vm.prank(issuer);
        offering.cancel();
        _count("cancel");
    }

    function refund(uint256 seed) external {
        address investor = investors[seed % investors.length];
        uint256 due = offering.refundableOf(investor);
        if (due == 0) return;
        uint256 before = hkd.balanceOf(investor);
        vm.prank(investor);
        assertEq(offering.refund(), due);
        ghostRefunded[investor] += due;
        assertEq(hkd.balanceOf(investor), before + due);
        assertEq(offering.refundableOf(investor), 0);
        _count("refund");
    }

    function warp(uint256 secondsLater) external {
        vm.warp(block.timestamp + bound(secondsLater, 0, 3 days));
        _count("warp");
    }
}
