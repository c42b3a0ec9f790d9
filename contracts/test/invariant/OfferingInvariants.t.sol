// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PrimaryOffering} from "../../src/offering/PrimaryOffering.sol";
import {Fixture} from "../utils/Fixture.sol";
import {OfferingHandler} from "./handlers/OfferingHandler.sol";

/// A primary offering (pro rata; OfferingFirstComeInvariants below: first come) under random
/// subscriptions, closes (whole or stopped half-way), settlements of abandoned closes, cancellations,
/// refunds, KYC claim revocations and re-issues, freezes and time (OfferingHandler). Seven investors of up to 8,000 HKD each
/// can oversubscribe the 20,000 HKD hard cap; the soft cap is 5,000 HKD; dave is retail, so the token
/// refuses every mint to him, and revocations and freezes refuse others'.
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
        address[] memory investors = new address[](7);
        (investors[0], investors[1], investors[2], investors[3]) = (alice, bob, carol, dave); // dave: retail
        for (uint256 i = 4; i < 7; ++i) {
            investors[i] = makeAddr(string.concat("investor-", vm.toString(i)));
            // institutional; HK through a nominee, or mainland through CWM Connect
            if (i % 2 == 0) register(investors[i], HK, INSTITUTIONAL, NOMINEE);
            else register(investors[i], CN, INSTITUTIONAL, CWM_SOUTHBOUND);
        }
        handler = new OfferingHandler(offering, hkd, registry, hkdIssuer, issuer, agent, platformIssuer, investors);
        targetContract(address(handler));
        // each action drawn with these weights (a selector listed twice is drawn twice as often): enough
        // subscriptions to close, and refunds and agent actions around every step of the close
        bytes4[15] memory weighted = [
            OfferingHandler.subscribe.selector,
            OfferingHandler.subscribe.selector,
            OfferingHandler.subscribe.selector,
            OfferingHandler.subscribe.selector,
            OfferingHandler.close.selector,
            OfferingHandler.closeBatch.selector,
            OfferingHandler.closeBatch.selector,
            OfferingHandler.settleAbandonedClose.selector,
            OfferingHandler.cancel.selector,
            OfferingHandler.refund.selector,
            OfferingHandler.refund.selector,
            OfferingHandler.agentAction.selector,
            OfferingHandler.agentAction.selector,
            OfferingHandler.warp.selector,
            OfferingHandler.warp.selector
        ];
        bytes4[] memory selectors = new bytes4[](weighted.length);
        for (uint256 i = 0; i < weighted.length; ++i) {
            selectors[i] = weighted[i];
        }
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function _closed() internal view returns (bool) {
        return offering.state() == PrimaryOffering.State.Closed;
    }

    /// What the offering still owes `investor` in cash: what it subscribed, less what it was refunded and,
    /// once the offering closed, its allocation (paid to the treasury). Until the close completes the
    /// allocated cash is escrowed, so owed; in a failed close it is refunded (against the tokens).
    function _owed(address investor) internal view returns (uint256) {
        uint256 kept = _closed() ? offering.allocatedCash(investor) : 0;
        return offering.subscribed(investor) - handler.ghostRefunded(investor) - kept;
    }

    /// Cash conservation: the offering's HKD balance is exactly what it owes (the sum over subscribers of
    /// subscribed - refunded - allocated once closed); `refunded` is what the investors received; what is
    /// refundable never exceeds what is owed, and equals it once the offering is closed, cancelled or
    /// failed.
    function invariant_CashHeldIsWhatIsOwed() public view {
        uint256 owed;
        uint256 refundable;
        bool settled = _closed() || offering.state() == PrimaryOffering.State.Cancelled || offering.failed();
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            uint256 o = _owed(investor);
            uint256 r = offering.refundableOf(investor);
            assertEq(offering.refunded(investor), handler.ghostRefunded(investor));
            assertLe(r, o);
            if (settled) assertEq(r, o);
            owed += o;
            refundable += r;
        }
        assertEq(hkd.balanceOf(address(offering)), owed);
        assertLe(refundable, owed);
    }

    /// Nobody's cash is lost: for every investor, wallet + allocation kept + owed == everything it was
    /// given; all HKD is in the wallets, the offering or the treasury.
    function invariant_NoInvestorLosesCash() public view {
        uint256 wallets;
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            uint256 kept = _closed() ? offering.allocatedCash(investor) : 0;
            assertEq(hkd.balanceOf(investor) + kept + _owed(investor), handler.ghostFunded(investor));
            wallets += hkd.balanceOf(investor);
        }
        assertEq(wallets + hkd.balanceOf(address(offering)) + hkd.balanceOf(treasury), handler.ghostFundedTotal());
    }

    /// The treasury is paid only by a completed close (or the settlement of an abandoned one) whose actual
    /// allocation reaches the soft cap, and then exactly that allocation: nothing while the close runs,
    /// nothing when it failed.
    function invariant_TreasuryPaidOnlyForACompletedCloseAtTheSoftCap() public view {
        uint256 paid = hkd.balanceOf(treasury);
        assertEq(paid, offering.totalRaised());
        if (_closed()) {
            assertTrue(handler.softCapMet(offering.totalAllocated()), "closed below the soft cap");
            assertEq(paid, offering.totalAllocated());
        } else {
            assertEq(paid, 0, "the treasury was paid by an offering that did not close");
        }
    }

    /// No subscriber's cash is held past the close window: after deadline + CLOSE_GRACE_PERIOD an offering
    /// never closed has failed, and every investor can take back now everything the offering holds for it
    /// except an allocation that stands (an abandoned close's processed allocations, when they reach the
    /// soft cap on their own).
    function invariant_NoCashHeldPastTheCloseWindow() public view {
        PrimaryOffering.Terms memory t = offering.terms();
        if (block.timestamp <= t.deadline + offering.CLOSE_GRACE_PERIOD()) return;
        PrimaryOffering.State state = offering.state();
        if (state == PrimaryOffering.State.Open) assertTrue(offering.failed(), "open past the close window");
        bool stands =
            _closed() || (state == PrimaryOffering.State.Closing && handler.softCapMet(offering.totalAllocated()));
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            uint256 kept = stands ? offering.allocatedCash(investor) : 0;
            assertEq(
                offering.refundableOf(investor),
                offering.subscribed(investor) - offering.refunded(investor) - kept,
                "cash held past the close window"
            );
        }
    }

    /// Tokens are delivered against the cash allocated at the offering price, and only then: each balance
    /// is the allocation (burned again when a failed close unwinds it at refund), the supply the tokens
    /// minted less those unwound; the allocation never exceeds the hard cap.
    function invariant_TokensMatchAllocations() public view {
        PrimaryOffering.Terms memory t = offering.terms();
        uint256 subscribed;
        uint256 allocated;
        uint256 tokens;
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            uint256 cash = offering.allocatedCash(investor);
            assertLe(cash, offering.subscribed(investor));
            assertEq(offering.allocatedTokens(investor), cash * 1e18 / t.price);
            assertEq(token.balanceOf(investor), offering.allocatedTokens(investor));
            subscribed += offering.subscribed(investor);
            allocated += cash;
            tokens += offering.allocatedTokens(investor);
        }
        assertEq(offering.totalSubscribed(), subscribed);
        assertEq(offering.totalAllocated(), allocated + handler.ghostUnwoundCash());
        assertEq(offering.totalTokensMinted(), tokens + handler.ghostUnwoundTokens());
        assertEq(token.totalSupply(), tokens);
        assertLe(offering.totalAllocated(), t.hardCap);
    }

    /// Each processed subscriber was allocated floor(subscribed x hardCap / total) when oversubscribed, the
    /// whole subscription otherwise, or nothing when the token refused its mint (or a failed close unwound
    /// it); nobody is allocated before a batch processes it.
    function invariant_AllocationFollowsTheRule() public view {
        uint256 total = offering.closeTotal();
        uint256 processed;
        for (uint256 i = 0; i < handler.investorCount(); ++i) {
            address investor = handler.investors(i);
            uint256 cash = offering.allocatedCash(investor);
            if (!handler.processed(investor)) {
                assertEq(cash, 0);
                continue;
            }
            ++processed;
            bool nothing = handler.mintRefused(investor) || handler.unwound(investor);
            assertEq(cash, nothing ? 0 : handler.ruleCash(investor, total));
        }
        assertEq(offering.closeCursor(), processed);
    }

    /// After each run (shown with -vv): how often each action of the handler ran, to see that the
    /// campaign reaches them all.
    function afterInvariant() public {
        string[13] memory names = [
            "subscribe",
            "close",
            "closeBatch",
            "settleAbandonedClose",
            "cancel",
            "refund",
            "refund settled the close",
            "refund refused",
            "setKyc",
            "setFrozen",
            "unfreeze",
            "warp",
            "warpPastCloseWindow"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
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
