// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PrimaryOffering} from "../../src/offering/PrimaryOffering.sol";
import {Fixture} from "../utils/Fixture.sol";
import {OfferingHandler} from "./handlers/OfferingHandler.sol";

/// A primary offering (pro rata; OfferingFirstComeInvariants below: first come) under random
/// subscriptions, closes, cancellations, refunds and time (OfferingHandler). Six investors of up to
/// 8,000 HKD each can oversubscribe the 20,000 HKD hard cap; the soft cap is 5,000 HKD.
contract OfferingInvariants is Fixture {
    OfferingHandler internal handler;

    function config() internal view virtual override returns (Config memory cfg) {
        cfg = super.config();
        cfg.minTicket = 100 * HKD;
        cfg.maxTicket = 8_000 * HKD;
        cfg.softCap = 5_000 * HKD;
        cfg.hardCap = 20_000 * HKD;
        cfg.offeringSeconds = uint64(30 * DAY);
    }

    function setUp() public override {
        super.setUp();
        address[] memory investors = new address[](6);
        (investors[0], investors[1], investors[2]) = (alice, bob, carol);
        for (uint256 i = 3; i < 6; ++i) {
            investors[i] = makeAddr(string.concat("investor-", vm.toString(i)));
            register(investors[i], i % 2 == 0 ? HK : CN, INSTITUTIONAL, NOMINEE);
        }
        handler = new OfferingHandler(offering, hkd, hkdIssuer, issuer, investors);
        targetContract(address(handler));
    }

    /// What an investor is still owed in cash: what it subscribed, less what was allocated to it and what
    /// it was refunded.
    function _owed(address investor) internal view returns (uint256) {
        return offering.subscribed(investor) - offering.allocatedCash(investor) - handler.ghostRefunded(investor);
    }

    /// The offering holds exactly the cash it still owes: the settlement-token balance of the offering is
    /// the sum over subscribers of (subscribed - allocated - refunded); what is refundable now
    /// never exceeds it, and equals it once the offering is closed, cancelled or failed.
    function invariant_CashHeldIsWhatIsOwed() public view {
        uint256 owed;
        uint256 refundable;
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            owed += _owed(investor);
            refundable += offering.refundableOf(investor);
        }
        uint256 held = hkd.balanceOf(address(offering));
        assertEq(held, owed);
        assertLe(refundable, held);
        PrimaryOffering.State state = offering.state();
        if (state == PrimaryOffering.State.Closed || state == PrimaryOffering.State.Cancelled || offering.failed()) {
            assertEq(refundable, held);
        }
    }

    /// Nobody's cash is lost: for every investor, wallet + allocated + owed == everything it was given,
    /// and the treasury holds exactly the cash raised.
    function invariant_NoInvestorLosesCash() public view {
        uint256 wallets;
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            assertEq(
                hkd.balanceOf(investor) + offering.allocatedCash(investor) + _owed(investor),
                handler.ghostFunded(investor)
            );
            wallets += hkd.balanceOf(investor);
        }
        assertEq(hkd.balanceOf(treasury), offering.totalRaised());
        assertEq(wallets + hkd.balanceOf(address(offering)) + hkd.balanceOf(treasury), handler.ghostFundedTotal());
    }

    /// Tokens are delivered against the cash allocated at the offering price, and only then: each balance
    /// is the allocation, the supply the tokens minted at close; the raise never exceeds the hard cap.
    function invariant_TokensMatchAllocations() public view {
        PrimaryOffering.Terms memory t = offering.terms();
        uint256 subscribed;
        uint256 raised;
        uint256 tokens;
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            uint256 cash = offering.allocatedCash(investor);
            assertLe(cash, offering.subscribed(investor));
            assertEq(offering.allocatedTokens(investor), cash * 1e18 / t.price);
            assertEq(token.balanceOf(investor), offering.allocatedTokens(investor));
            subscribed += offering.subscribed(investor);
            raised += cash;
            tokens += offering.allocatedTokens(investor);
        }
        assertEq(offering.totalSubscribed(), subscribed);
        assertEq(offering.totalRaised(), raised);
        assertEq(offering.totalTokensMinted(), tokens);
        assertEq(token.totalSupply(), tokens);
        assertLe(raised, t.hardCap);
        if (offering.state() != PrimaryOffering.State.Closed) assertEq(raised, 0);
    }

    /// Pro rata (or first come, below the cap): each allocation is floor(subscribed x hardCap / total) when
    /// oversubscribed, the whole subscription otherwise.
    function invariant_AllocationFollowsTheRule() public view {
        if (offering.state() != PrimaryOffering.State.Closed) return;
        PrimaryOffering.Terms memory t = offering.terms();
        uint256 total = offering.closeTotal();
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            uint256 sub = offering.subscribed(investor);
            assertEq(offering.allocatedCash(investor), total > t.hardCap ? sub * t.hardCap / total : sub);
        }
    }

    /// After each run (shown with -vv): how often each action of the handler ran, to see that the
    /// campaign reaches them all.
    function afterInvariant() public {
        string[6] memory names = ["subscribe", "close", "closeBatch", "cancel", "refund", "warp"];
        for (uint256 i = 0; i < 6; ++i) {
            emit log_named_uint(names[i], handler.calls(keccak256(bytes(names[i]))));
        }
        emit log_named_uint("state", uint8(offering.state()));
        emit log_named_uint("subscribed", offering.totalSubscribed());
    }
}

/// The same invariants under first-come allocation (subscriptions stop at the hard cap).
contract OfferingFirstComeInvariants is OfferingInvariants {
    function config() internal view override returns (Config memory cfg) {
        cfg = super.config();
        cfg.allocation = PrimaryOffering.Allocation.FirstCome;
    }
}
