// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PrimaryOffering} from "../src/offering/PrimaryOffering.sol";
import {RWAToken} from "../src/token/RWAToken.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Subscription, close (whole, in batches, stopped half-way and settled after the close window, with
/// mints the token refuses), refund and cancellation of the primary offering. The audit's own scenarios
/// are in AuditDefects.t.sol.
contract PrimaryOfferingTest is Fixture {
    uint256 internal constant PRICE = 10 * HKD;

    function test_SubscribeCloseProRata() public {
        PrimaryOffering o = smallOffering(1_000 * HKD, 10_000 * HKD, PrimaryOffering.Allocation.ProRata);
        fundHkd(alice, 8_000 * HKD, address(o));
        vm.expectEmit(address(o));
        emit PrimaryOffering.Subscribed(alice, 8_000 * HKD, 8_000 * HKD, 8_000 * HKD);
        vm.prank(alice);
        o.subscribe(8_000 * HKD);
        subscribe(o, bob, 8_000 * HKD);
        assertEq(o.totalSubscribed(), 16_000 * HKD);
        assertEq(o.subscriberCount(), 2);

        vm.expectEmit(address(o));
        emit PrimaryOffering.OfferingClosed(10_000 * HKD, 1_000 * TOKEN, treasury);
        vm.prank(issuer);
        o.close();
        assertEq(uint8(o.state()), uint8(PrimaryOffering.State.Closed));
        assertEq(token.balanceOf(alice), 500 * TOKEN);
        assertEq(token.balanceOf(bob), 500 * TOKEN);
        assertEq(o.allocatedCash(alice), 5_000 * HKD);
        assertEq(hkd.balanceOf(treasury), 10_000 * HKD);
        assertEq(o.refundableOf(alice), 3_000 * HKD);

        vm.prank(alice);
        assertEq(o.refund(), 3_000 * HKD);
        assertEq(hkd.balanceOf(alice), 3_000 * HKD);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.NothingToRefund.selector, alice));
        o.refund();
        vm.prank(bob);
        o.refund();
        assertEq(hkd.balanceOf(address(o)), 0);

        vm.startPrank(issuer);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.OfferingNotOpen.selector, PrimaryOffering.State.Closed));
        o.close();
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.OfferingNotOpen.selector, PrimaryOffering.State.Closed));
        o.cancel();
        vm.stopPrank();
    }

    function test_FirstComeAndTickets() public {
        PrimaryOffering o = smallOffering(1_000 * HKD, 10_000 * HKD, PrimaryOffering.Allocation.FirstCome);
        fundHkd(frank, 200 * HKD, address(o));
        vm.prank(frank);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.InvestorNotVerified.selector, frank));
        o.subscribe(200 * HKD);
        vm.startPrank(alice);
        vm.expectRevert(PrimaryOffering.ZeroAmount.selector);
        o.subscribe(0);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.BelowMinTicket.selector, 99 * HKD, 100 * HKD));
        o.subscribe(99 * HKD);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.AboveMaxTicket.selector, 8_001 * HKD, 8_000 * HKD));
        o.subscribe(8_001 * HKD);
        vm.stopPrank();
        subscribe(o, alice, 8_000 * HKD);
        fundHkd(bob, 2_001 * HKD, address(o));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.HardCapExceeded.selector, 2_000 * HKD, 2_001 * HKD));
        o.subscribe(2_001 * HKD);
        vm.prank(bob);
        o.subscribe(2_000 * HKD);
        vm.prank(issuer);
        o.close();
        assertEq(token.balanceOf(alice), 800 * TOKEN);
        assertEq(token.balanceOf(bob), 200 * TOKEN);
        assertEq(o.refundableOf(alice), 0);
        assertEq(hkd.balanceOf(treasury), 10_000 * HKD);
    }

    function test_SoftCapMissedRefunds() public {
        PrimaryOffering o = smallOffering(1_000 * HKD, 10_000 * HKD, PrimaryOffering.Allocation.ProRata);
        subscribe(o, alice, 500 * HKD);
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.SoftCapNotReached.selector, 500 * HKD, 1_000 * HKD));
        o.close();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.NothingToRefund.selector, alice));
        o.refund(); // still open
        vm.warp(o.terms().deadline + 1);
        assertTrue(o.failed());
        fundHkd(bob, 500 * HKD, address(o));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.DeadlinePassed.selector, o.terms().deadline));
        o.subscribe(500 * HKD);
        vm.prank(alice);
        o.refund();
        assertEq(hkd.balanceOf(alice), 500 * HKD);
        assertEq(token.totalSupply(), 0);
    }

    function test_CancelRefundsEveryone() public {
        PrimaryOffering o = smallOffering(1_000 * HKD, 10_000 * HKD, PrimaryOffering.Allocation.ProRata);
        subscribe(o, alice, 2_000 * HKD);
        subscribe(o, bob, 1_000 * HKD);
        bytes32 role = o.ISSUER_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, role));
        o.cancel();
        vm.expectEmit(address(o));
        emit PrimaryOffering.OfferingCancelled(issuer);
        vm.prank(issuer);
        o.cancel();
        vm.prank(alice);
        o.refund();
        vm.prank(bob);
        o.refund();
        assertEq(hkd.balanceOf(alice), 2_000 * HKD);
        assertEq(hkd.balanceOf(bob), 1_000 * HKD);
        assertEq(hkd.balanceOf(address(o)), 0);
    }

    function test_AnIssuerWhoNeverClosesCannotLockSubscriptions() public {
        PrimaryOffering o = smallOffering(1_000 * HKD, 10_000 * HKD, PrimaryOffering.Allocation.ProRata);
        subscribe(o, alice, 2_000 * HKD); // soft cap reached
        uint64 deadline = o.terms().deadline;
        vm.warp(deadline + 10 days); // inside the grace period
        assertFalse(o.failed());
        assertEq(o.refundableOf(alice), 0);
        vm.warp(deadline + o.CLOSE_GRACE_PERIOD() + 1);
        assertTrue(o.failed());
        assertEq(o.refundableOf(alice), 2_000 * HKD);
        uint64 closeBy = deadline + o.CLOSE_GRACE_PERIOD();
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.CloseWindowPassed.selector, closeBy));
        o.close();
        vm.prank(alice);
        o.refund();
        assertEq(hkd.balanceOf(alice), 2_000 * HKD);
    }

    function test_InvalidTerms() public {
        Config memory cfg = config();
        cfg.price = 0;
        vm.expectRevert(PrimaryOffering.InvalidTerms.selector);
        this.deployAs(cfg);
        cfg = config();
        cfg.softCap = cfg.hardCap + 1;
        vm.expectRevert(PrimaryOffering.InvalidTerms.selector);
        this.deployAs(cfg);
        cfg = config();
        cfg.minTicket = cfg.maxTicket + 1;
        vm.expectRevert(PrimaryOffering.InvalidTerms.selector);
        this.deployAs(cfg);
    }

    function deployAs(Config memory cfg) external returns (PrimaryOffering) {
        return deployOfferingAsAdmin(cfg);
    }

    /// Pro rata: everyone gets floor(subscribed x hardCap / total) of cash allocated and tokens for it, the
    /// treasury gets exactly the sum, and each subscriber's cash is either allocated or refundable.
    function testFuzz_ProRataCloseDeliversOrPaysBack(uint256[4] memory amounts, uint256 hardCap) public {
        hardCap = bound(hardCap, 2_000 * HKD, 40_000 * HKD);
        PrimaryOffering o = smallOffering(1_000 * HKD, hardCap, PrimaryOffering.Allocation.ProRata);
        address[4] memory who = [alice, bob, carol, makeAddr("grace")];
        register(who[3], CN, INSTITUTIONAL, CWM_SOUTHBOUND); // mainland: subscribes through CWM Connect
        uint256 total;
        for (uint256 i = 0; i < 4; ++i) {
            amounts[i] = bound(amounts[i], 100 * HKD, 8_000 * HKD);
            subscribe(o, who[i], amounts[i]);
            total += amounts[i];
        }
        vm.prank(issuer);
        o.close();
        uint256 raised;
        for (uint256 i = 0; i < 4; ++i) {
            uint256 cash = total > hardCap ? amounts[i] * hardCap / total : amounts[i];
            assertEq(o.allocatedCash(who[i]), cash);
            assertEq(token.balanceOf(who[i]), cash * 1e18 / PRICE);
            assertEq(o.refundableOf(who[i]), amounts[i] - cash);
            raised += cash;
            if (amounts[i] > cash) {
                vm.prank(who[i]);
                o.refund();
            }
            assertEq(hkd.balanceOf(who[i]) + o.allocatedCash(who[i]), amounts[i]);
        }
        assertLe(raised, hardCap);
        assertGe(raised + 4, total < hardCap ? total : hardCap); // at most 1 unit of rounding each
        assertEq(o.totalRaised(), raised);
        assertEq(hkd.balanceOf(treasury), raised);
        assertEq(hkd.balanceOf(address(o)), 0);
        assertEq(token.totalSupply(), o.totalTokensMinted());
    }

    /// A subscription is accepted exactly when the investor's total stays within the tickets and, first come,
    /// the raise within the hard cap; an accepted one escrows exactly its cash.
    function testFuzz_SubscriptionFollowsTheTerms(uint256 first, uint256 second, bool firstCome) public {
        PrimaryOffering o = smallOffering(
            1_000 * HKD,
            10_000 * HKD,
            firstCome ? PrimaryOffering.Allocation.FirstCome : PrimaryOffering.Allocation.ProRata
        );
        subscribe(o, bob, 8_000 * HKD);
        first = bound(first, 0, 9_000 * HKD);
        second = bound(second, 0, 9_000 * HKD);
        uint256 total;
        uint256[2] memory amounts = [first, second];
        for (uint256 i = 0; i < 2; ++i) {
            uint256 amount = amounts[i];
            if (amount != 0) fundHkd(alice, amount, address(o)); // the stablecoin mints no zero
            uint256 after_ = total + amount;
            bool valid = amount != 0 && after_ >= 100 * HKD && after_ <= 8_000 * HKD
                && (!firstCome || 8_000 * HKD + after_ <= 10_000 * HKD);
            vm.prank(alice);
            (bool ok,) = address(o).call(abi.encodeCall(o.subscribe, (amount)));
            assertEq(ok, valid);
            if (ok) total = after_;
            assertEq(o.subscribed(alice), total);
            assertEq(hkd.balanceOf(address(o)), 8_000 * HKD + total);
        }
        assertEq(o.subscriberCount(), total == 0 ? 1 : 2);
    }

    /// Cancelled, or failed at the deadline: every subscriber takes back exactly what it paid.
    function testFuzz_FailedOrCancelledPaysEveryoneBack(uint256[3] memory amounts, bool cancel, uint256 late) public {
        PrimaryOffering o = smallOffering(30_000 * HKD, 40_000 * HKD, PrimaryOffering.Allocation.FirstCome);
        address[3] memory who = [alice, bob, carol];
        for (uint256 i = 0; i < 3; ++i) {
            amounts[i] = bound(amounts[i], 100 * HKD, 8_000 * HKD); // 24,000 at most: below the soft cap
            subscribe(o, who[i], amounts[i]);
        }
        if (cancel) {
            vm.prank(issuer);
            o.cancel();
        } else {
            vm.warp(o.terms().deadline + bound(late, 1, 10 * YEAR));
        }
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(o.refundableOf(who[i]), amounts[i]);
            vm.prank(who[i]);
            o.refund();
            assertEq(hkd.balanceOf(who[i]), amounts[i]);
            assertEq(o.refundableOf(who[i]), 0);
        }
        assertEq(hkd.balanceOf(address(o)), 0);
        assertEq(token.totalSupply(), 0);
    }

    // ------------------------------------------------------------------ a close in batches

    function _closeBy(PrimaryOffering o) internal view returns (uint64) {
        return o.terms().deadline + o.CLOSE_GRACE_PERIOD();
    }

    function _refund(PrimaryOffering o, address who) internal returns (uint256) {
        vm.prank(who);
        return o.refund();
    }

    /// Each batch mints its subscribers' tokens and keeps their cash escrowed; a processed investor's
    /// pro-rata excess is refundable at once, an unprocessed one's is not; nothing else moves until the
    /// last batch pays the treasury the whole allocation.
    function test_CloseInBatchesEscrowsUntilTheLastBatch() public {
        PrimaryOffering o = smallOffering(1_000 * HKD, 10_000 * HKD, PrimaryOffering.Allocation.ProRata);
        subscribe(o, alice, 8_000 * HKD);
        subscribe(o, bob, 8_000 * HKD);
        subscribe(o, carol, 4_000 * HKD); // 20,000 for 10,000: half of each is allocated
        vm.startPrank(issuer);
        vm.expectRevert(PrimaryOffering.ZeroAmount.selector);
        o.closeBatch(0);
        vm.expectEmit(address(o));
        emit PrimaryOffering.Allocated(alice, 4_000 * HKD, 400 * TOKEN);
        vm.expectEmit(address(o));
        emit PrimaryOffering.CloseProgress(1, 3);
        o.closeBatch(1);
        vm.stopPrank();
        assertEq(uint8(o.state()), uint8(PrimaryOffering.State.Closing));
        assertEq(o.closeCursor(), 1);
        assertEq(o.closeTotal(), 20_000 * HKD);
        assertEq(o.totalAllocated(), 4_000 * HKD);
        assertEq(o.totalRaised(), 0);
        assertEq(hkd.balanceOf(treasury), 0);
        assertEq(hkd.balanceOf(address(o)), 20_000 * HKD);
        assertEq(token.balanceOf(alice), 400 * TOKEN);
        assertFalse(o.failed());

        assertEq(o.refundableOf(alice), 4_000 * HKD);
        assertEq(_refund(o, alice), 4_000 * HKD);
        assertEq(o.refunded(alice), 4_000 * HKD);
        assertEq(o.refundableOf(alice), 0);
        assertEq(o.refundableOf(bob), 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.NothingToRefund.selector, bob));
        o.refund();
        fundHkd(bob, 100 * HKD, address(o));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.OfferingNotOpen.selector, PrimaryOffering.State.Closing));
        o.subscribe(100 * HKD);
        uint64 closeBy = _closeBy(o);
        vm.expectRevert(
            abi.encodeWithSelector(PrimaryOffering.CloseNotAbandoned.selector, PrimaryOffering.State.Closing, closeBy)
        );
        o.settleAbandonedClose();
        vm.startPrank(issuer);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.OfferingNotOpen.selector, PrimaryOffering.State.Closing));
        o.cancel();

        vm.expectEmit(address(o));
        emit PrimaryOffering.Allocated(bob, 4_000 * HKD, 400 * TOKEN);
        vm.expectEmit(address(o));
        emit PrimaryOffering.Allocated(carol, 2_000 * HKD, 200 * TOKEN);
        vm.expectEmit(address(o));
        emit PrimaryOffering.CloseProgress(3, 3);
        vm.expectEmit(address(o));
        emit PrimaryOffering.OfferingClosed(10_000 * HKD, 1_000 * TOKEN, treasury);
        o.closeBatch(5); // more than are left
        vm.stopPrank();
        assertEq(uint8(o.state()), uint8(PrimaryOffering.State.Closed));
        assertEq(hkd.balanceOf(treasury), 10_000 * HKD);
        assertEq(o.totalRaised(), 10_000 * HKD);
        assertEq(_refund(o, bob), 4_000 * HKD);
        assertEq(_refund(o, carol), 2_000 * HKD);
        assertEq(hkd.balanceOf(address(o)), 0);
    }

    /// Every batch, the first or a later one, runs by deadline + CLOSE_GRACE_PERIOD; after it the close is
    /// settled as it stands, by anyone, once.
    function test_EveryBatchRunsWithinTheCloseWindow() public {
        PrimaryOffering o = smallOffering(1_000 * HKD, 10_000 * HKD, PrimaryOffering.Allocation.ProRata);
        subscribe(o, alice, 2_000 * HKD);
        subscribe(o, bob, 3_000 * HKD);
        uint64 closeBy = _closeBy(o);
        vm.expectRevert(
            abi.encodeWithSelector(PrimaryOffering.CloseNotAbandoned.selector, PrimaryOffering.State.Open, closeBy)
        );
        o.settleAbandonedClose();
        vm.warp(closeBy); // the last second of the window
        vm.prank(issuer);
        o.closeBatch(1);
        vm.warp(closeBy + 1);
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.CloseWindowPassed.selector, closeBy));
        o.closeBatch(1);
        assertEq(o.refundableOf(bob), 3_000 * HKD); // unprocessed: all of it
        assertEq(o.refundableOf(alice), 0); // her 2,000 stand on their own
        assertFalse(o.failed());

        vm.expectEmit(address(o));
        emit PrimaryOffering.CloseAbandoned(1, 2);
        vm.expectEmit(address(o));
        emit PrimaryOffering.OfferingClosed(2_000 * HKD, 200 * TOKEN, treasury);
        vm.prank(makeAddr("outsider"));
        o.settleAbandonedClose();
        assertEq(uint8(o.state()), uint8(PrimaryOffering.State.Closed));
        assertEq(hkd.balanceOf(treasury), 2_000 * HKD);
        vm.expectRevert(
            abi.encodeWithSelector(PrimaryOffering.CloseNotAbandoned.selector, PrimaryOffering.State.Closed, closeBy)
        );
        o.settleAbandonedClose();
        assertEq(_refund(o, bob), 3_000 * HKD);
        assertEq(hkd.balanceOf(address(o)), 0);
        assertEq(token.balanceOf(bob), 0);
    }

    /// Mints the token refuses at close (KYC revoked after subscribing, a frozen wallet, a retail investor,
    /// a balance above the maximum) allocate nothing: the investor gets all its cash back, and the soft
    /// cap is judged on the others.
    function test_RefusedMintsAllocateNothing() public {
        PrimaryOffering o = smallOffering(2_000 * HKD, 40_000 * HKD, PrimaryOffering.Allocation.ProRata);
        address grace = makeAddr("grace");
        register(grace, CN, INSTITUTIONAL, CWM_SOUTHBOUND);
        subscribe(o, alice, 3_000 * HKD);
        subscribe(o, bob, 3_000 * HKD);
        subscribe(o, carol, 3_000 * HKD);
        subscribe(o, dave, 1_000 * HKD);
        subscribe(o, grace, 8_000 * HKD);
        _revokeClaim(_identityOf(alice), platformIssuer, KYC); // the platform revokes her KYC
        vm.prank(agent);
        token.setAddressFrozen(bob, true);
        vm.prank(admin);
        maxBalance.setMaxBalance(500 * TOKEN); // grace's 800 tokens are too many
        vm.expectEmit(address(o));
        emit PrimaryOffering.AllocationFailed(alice, 3_000 * HKD);
        vm.expectEmit(address(o));
        emit PrimaryOffering.AllocationFailed(bob, 3_000 * HKD);
        vm.expectEmit(address(o));
        emit PrimaryOffering.Allocated(carol, 3_000 * HKD, 300 * TOKEN);
        vm.expectEmit(address(o));
        emit PrimaryOffering.AllocationFailed(dave, 1_000 * HKD);
        vm.expectEmit(address(o));
        emit PrimaryOffering.AllocationFailed(grace, 8_000 * HKD);
        vm.expectEmit(address(o));
        emit PrimaryOffering.OfferingClosed(3_000 * HKD, 300 * TOKEN, treasury);
        vm.prank(issuer);
        o.close();
        assertEq(o.totalAllocated(), 3_000 * HKD);
        assertEq(hkd.balanceOf(treasury), 3_000 * HKD);
        address[4] memory refused = [alice, bob, dave, grace];
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(o.allocatedCash(refused[i]), 0);
            assertEq(token.balanceOf(refused[i]), 0);
            uint256 paid = o.subscribed(refused[i]);
            assertEq(o.refundableOf(refused[i]), paid);
            assertEq(_refund(o, refused[i]), paid); // a revoked or frozen wallet takes its cash back too
            assertEq(hkd.balanceOf(refused[i]), paid);
        }
        assertEq(o.refundableOf(carol), 0);
        assertEq(hkd.balanceOf(address(o)), 0);
    }

    /// In a failed close an investor's allocated cash is refunded only against its tokens, which the
    /// offering burns: with the tokens moved away, frozen or partly frozen, only the cash not tied to them
    /// (the pro-rata excess) is paid, then TokensNotReturnable until they are back.
    function test_FailedCloseRefundsAllocatedCashOnlyAgainstTheTokens() public {
        PrimaryOffering o = smallOffering(5_000 * HKD, 6_000 * HKD, PrimaryOffering.Allocation.ProRata);
        subscribe(o, alice, 4_000 * HKD);
        subscribe(o, bob, 4_000 * HKD);
        subscribe(o, dave, 4_000 * HKD); // retail: refused; 4,000 allocated of a 5,000 soft cap
        vm.expectEmit(address(o));
        emit PrimaryOffering.OfferingFailed(4_000 * HKD, 5_000 * HKD);
        vm.prank(issuer);
        o.close();
        assertEq(uint8(o.state()), uint8(PrimaryOffering.State.Failed));
        assertTrue(o.failed());
        assertEq(o.totalRaised(), 0);
        assertEq(token.balanceOf(alice), 200 * TOKEN);

        vm.prank(alice);
        token.transfer(carol, 200 * TOKEN);
        assertEq(o.refundableOf(alice), 4_000 * HKD);
        assertEq(_refund(o, alice), 2_000 * HKD); // the excess; the 2,000 allocated wait for the tokens
        assertEq(o.refundableOf(alice), 2_000 * HKD);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.TokensNotReturnable.selector, alice, 0, 200 * TOKEN));
        o.refund();
        vm.prank(carol);
        token.transfer(alice, 200 * TOKEN);
        vm.prank(agent);
        token.setAddressFrozen(alice, true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(PrimaryOffering.TokensNotReturnable.selector, alice, 0, 200 * TOKEN));
        o.refund();
        vm.startPrank(agent);
        token.setAddressFrozen(alice, false);
        token.freezePartialTokens(alice, TOKEN);
        vm.stopPrank();
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(PrimaryOffering.TokensNotReturnable.selector, alice, 199 * TOKEN, 200 * TOKEN)
        );
        o.refund();
        vm.prank(agent);
        token.unfreezePartialTokens(alice, TOKEN);

        vm.expectEmit(address(o));
        emit PrimaryOffering.AllocationUnwound(alice, 2_000 * HKD, 200 * TOKEN);
        vm.expectEmit(address(o));
        emit PrimaryOffering.Refunded(alice, 2_000 * HKD);
        assertEq(_refund(o, alice), 2_000 * HKD);
        assertEq(hkd.balanceOf(alice), 4_000 * HKD);
        assertEq(o.refunded(alice), 4_000 * HKD);
        assertEq(token.balanceOf(alice), 0);
        assertEq(o.allocatedCash(alice), 0);
        assertEq(o.allocatedTokens(alice), 0);
        assertEq(_refund(o, bob), 4_000 * HKD); // excess and allocation at once
        assertEq(_refund(o, dave), 4_000 * HKD);
        assertEq(token.totalSupply(), 0);
        assertEq(o.totalTokensMinted(), 400 * TOKEN); // minted, then burned at the refunds
        assertEq(hkd.balanceOf(address(o)), 0);
        assertEq(hkd.balanceOf(treasury), 0);
    }

    struct HalfWay {
        address[5] who;
        uint256[5] amounts;
        bool[5] refused;
        uint256 total;
        uint256 processed;
        uint256 allocated;
    }

    /// One batch of `size`: each processed subscriber is allocated its pro-rata cash unless its mint was
    /// refused; while the close still runs, its unallocated cash is refundable at once (and taken back
    /// when `refundNow`).
    function _batch(PrimaryOffering o, HalfWay memory r, uint256 size, bool refundNow) internal {
        vm.prank(issuer);
        o.closeBatch(size);
        uint256 end = r.processed + size < 5 ? r.processed + size : 5;
        for (uint256 i = r.processed; i < end; ++i) {
            uint256 cash = r.total > 20_000 * HKD ? r.amounts[i] * 20_000 * HKD / r.total : r.amounts[i];
            assertEq(o.allocatedCash(r.who[i]), r.refused[i] ? 0 : cash);
            if (!r.refused[i]) r.allocated += cash;
            if (end < 5) {
                assertEq(o.refundableOf(r.who[i]), r.amounts[i] - o.allocatedCash(r.who[i]));
                if (refundNow && o.refundableOf(r.who[i]) != 0) _refund(o, r.who[i]);
            }
        }
        r.processed = end;
    }

    /// Five subscribers, some of whose mints the token refuses (KYC revoked, wallet frozen, made retail
    /// after subscribing); the issuer closes `batches` batches of `size` and stops, processed investors
    /// may take their unallocated cash back while the close runs, and the close is settled after the
    /// window. Whatever the path: the treasury is paid the whole allocation exactly when it reaches the
    /// soft cap, each investor ends with its cash back or its tokens for the allocated part, and the
    /// offering keeps nothing.
    function testFuzz_CloseStoppedHalfWaySettlesAsItStands(
        uint256[5] memory amounts,
        uint256 refusals,
        uint256 size,
        uint256 batches,
        uint256 softCap,
        bool refundWhileClosing
    ) public {
        HalfWay memory r;
        r.who = [alice, bob, carol, makeAddr("grace"), makeAddr("henry")];
        register(r.who[3], CN, INSTITUTIONAL, CWM_SOUTHBOUND);
        register(r.who[4], HK, INSTITUTIONAL, DIRECT);
        for (uint256 i = 0; i < 5; ++i) {
            r.amounts[i] = bound(amounts[i], 100 * HKD, 8_000 * HKD);
            r.total += r.amounts[i];
        }
        // reached by the subscriptions (else it cannot close: testFuzz_FailedOrCancelledPaysEveryoneBack)
        softCap = bound(softCap, 100 * HKD, r.total < 20_000 * HKD ? r.total : 20_000 * HKD);
        PrimaryOffering o = smallOffering(softCap, 20_000 * HKD, PrimaryOffering.Allocation.ProRata);
        for (uint256 i = 0; i < 5; ++i) {
            subscribe(o, r.who[i], r.amounts[i]);
        }
        for (uint256 i = 0; i < 5; ++i) {
            uint256 how = (refusals >> (2 * i)) % 4; // 0: accepted
            r.refused[i] = how != 0;
            if (how == 1) {
                _revokeClaim(_identityOf(r.who[i]), platformIssuer, KYC);
            } else if (how == 2) {
                vm.prank(agent);
                token.setAddressFrozen(r.who[i], true);
            } else if (how == 3) {
                // the platform re-attests the investor as retail (a new category claim replaces the old)
                _issueClaim(_identityOf(r.who[i]), platformIssuer, INVESTOR_CATEGORY, block.timestamp + YEAR, RETAIL);
            }
        }
        size = bound(size, 1, 5);
        batches = bound(batches, 1, 5);
        for (uint256 b = 0; b < batches && r.processed < 5; ++b) {
            _batch(o, r, size, refundWhileClosing);
        }
        bool stands = r.allocated != 0 && r.allocated >= softCap;
        if (r.processed < 5) {
            assertEq(hkd.balanceOf(treasury), 0);
            for (uint256 i = r.processed; i < 5; ++i) {
                assertEq(o.refundableOf(r.who[i]), 0); // may still be allocated
            }
            vm.warp(_closeBy(o) + 1);
            assertEq(o.failed(), !stands);
            o.settleAbandonedClose();
        }
        assertEq(uint8(o.state()), uint8(stands ? PrimaryOffering.State.Closed : PrimaryOffering.State.Failed));
        assertEq(hkd.balanceOf(treasury), stands ? r.allocated : 0);
        assertEq(o.totalRaised(), stands ? r.allocated : 0);
        for (uint256 i = 0; i < 5; ++i) {
            if (o.refundableOf(r.who[i]) != 0) _refund(o, r.who[i]);
            uint256 kept = stands ? o.allocatedCash(r.who[i]) : 0;
            assertEq(hkd.balanceOf(r.who[i]) + kept, r.amounts[i]);
            assertEq(token.balanceOf(r.who[i]), kept * 1e18 / PRICE);
            assertEq(o.refundableOf(r.who[i]), 0);
        }
        assertEq(hkd.balanceOf(address(o)), 0);
    }
}
