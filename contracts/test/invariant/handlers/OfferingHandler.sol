// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PrimaryOffering} from "../../../src/offering/PrimaryOffering.sol";
import {SettlementToken} from "../../../src/settlement/SettlementToken.sol";
import {IdentityRegistry} from "../../../src/identity/IdentityRegistry.sol";
import {RWAToken} from "../../../src/token/RWAToken.sol";
import {ClaimTopics} from "../../../src/identity/ClaimTopics.sol";
import {OnchainIdKit, IOnchainIdentity} from "../../utils/OnchainId.sol";

/// Drives one primary offering through subscriptions, closes (whole, or one batch of one to three
/// subscribers at a time, so that a close can stop half-way), cancellation, refunds (while the close
/// runs too), the settling of a close abandoned at the end of the close window, the passing of time
/// (past the window too), and, between subscribing and the close, KYC revocations (the platform revokes
/// the identity's KYC claim) and re-issues, and wallet or partial freezes, so that mints are refused and refunds of a failed close wait for the tokens. An action whose
/// preconditions hold must succeed and do exactly what the rules say (each batch allocates exactly to
/// the subscribers whose mint the token accepts, a refund pays exactly `refundableOf` or, when the
/// tokens of a failed close cannot be burned back, exactly the cash not tied to them); one whose
/// preconditions do not hold is skipped.
contract OfferingHandler is OnchainIdKit {
    PrimaryOffering public immutable offering;
    SettlementToken public immutable hkd;
    RWAToken public immutable token;
    IdentityRegistry public immutable registry;
    address public immutable hkdIssuer;
    address public immutable issuer;
    address public immutable agent;
    /// The platform's ClaimIssuer and signing key: revokes and re-issues KYC claims.
    ClaimSigner internal platformIssuer;
    /// Re-issued KYC claims so far: each one's validUntil differs, so its signature is not a revoked one.
    uint256 internal reissues;

    address[] public investors;
    /// The subscribers in the order the offering allocates them (first subscription first).
    address[] public order;
    /// Settlement tokens each investor was given (all of it subscribed).
    mapping(address investor => uint256) public ghostFunded;
    /// Settlement tokens ever minted to investors.
    uint256 public ghostFundedTotal;
    /// Cash refunded to each investor.
    mapping(address investor => uint256) public ghostRefunded;
    /// True once a batch processed the investor, and then whether the token refused its mint.
    mapping(address investor => bool) public processed;
    mapping(address investor => bool) public mintRefused;
    /// True once a refund of a failed close burned the investor's tokens against its allocated cash.
    mapping(address investor => bool) public unwound;
    /// Allocated cash and tokens unwound so (burned back) at refunds of a failed close.
    uint256 public ghostUnwoundCash;
    uint256 public ghostUnwoundTokens;
    mapping(bytes32 action => uint256) public calls;

    constructor(
        PrimaryOffering offering_,
        SettlementToken hkd_,
        IdentityRegistry registry_,
        address hkdIssuer_,
        address issuer_,
        address agent_,
        ClaimSigner memory platformIssuer_,
        address[] memory investors_
    ) {
        offering = offering_;
        hkd = hkd_;
        token = RWAToken(address(offering_.token()));
        registry = registry_;
        hkdIssuer = hkdIssuer_;
        issuer = issuer_;
        agent = agent_;
        platformIssuer = platformIssuer_;
        investors = investors_;
    }

    function investorCount() external view returns (uint256) {
        return investors.length;
    }

    function _count(string memory action) internal {
        ++calls[keccak256(bytes(action))];
    }

    function _investor(uint256 seed) internal view returns (address) {
        return investors[seed % investors.length];
    }

    /// True one time in `n`, whatever `dice` (the fuzzer favours small and repeated values).
    function _oneIn(uint256 dice, uint256 n) internal pure returns (bool) {
        return uint256(keccak256(abi.encode(dice))) % n == 0;
    }

    function _closeBy() internal view returns (uint256) {
        return offering.terms().deadline + offering.CLOSE_GRACE_PERIOD();
    }

    /// True when the allocated cash stands on its own (the rule the close and its settlement apply).
    function softCapMet(uint256 allocated) public view returns (bool) {
        return allocated != 0 && allocated >= offering.terms().softCap;
    }

    /// The cash the allocation rule gives `investor`: floor(subscribed x hardCap / total) when
    /// oversubscribed at the close, else what it subscribed.
    function ruleCash(address investor, uint256 total) public view returns (uint256) {
        uint256 hardCap = offering.terms().hardCap;
        uint256 sub = offering.subscribed(investor);
        return total > hardCap ? sub * hardCap / total : sub;
    }

    // ------------------------------------------------------------------ subscriptions

    function subscribe(uint256 seed, uint256 amount) external {
        address investor = _investor(seed);
        PrimaryOffering.Terms memory t = offering.terms();
        if (offering.state() != PrimaryOffering.State.Open || block.timestamp > t.deadline) return;
        if (!registry.isVerified(investor)) return; // refused: InvestorNotVerified
        uint256 already = offering.subscribed(investor);
        if (already >= t.maxTicket) return;
        uint256 low = already >= t.minTicket ? 1 : t.minTicket - already;
        // uniform one time in two (the fuzzer's own values favour the edges: mostly the max ticket)
        if (_oneIn(amount, 2)) {
            amount = low + uint256(keccak256(abi.encode(amount, 1))) % (t.maxTicket - already - low + 1);
        } else {
            amount = bound(amount, low, t.maxTicket - already);
        }
        if (t.allocation == PrimaryOffering.Allocation.FirstCome) {
            uint256 room = t.hardCap - offering.totalSubscribed();
            if (room < low) return;
            if (amount > room) amount = room;
        }
        vm.prank(hkdIssuer);
        hkd.mint(investor, amount);
        ghostFunded[investor] += amount;
        ghostFundedTotal += amount;
        if (already == 0) order.push(investor);
        vm.startPrank(investor);
        hkd.approve(address(offering), amount);
        offering.subscribe(amount);
        vm.stopPrank();
        _count("subscribe");
    }

    // ------------------------------------------------------------------ the close

    /// True when a close (its first batch or a later one) may run now. (The issuer starts one once three
    /// investors subscribed, or after the deadline, so that closes often have batches left to stop at.)
    function _canClose() internal view returns (bool) {
        PrimaryOffering.State s = offering.state();
        if (block.timestamp > _closeBy()) return false;
        if (s == PrimaryOffering.State.Closing) return true;
        uint256 total = offering.totalSubscribed();
        bool ready = order.length >= 3 || block.timestamp > offering.terms().deadline;
        return s == PrimaryOffering.State.Open && ready && total != 0 && total >= offering.terms().softCap;
    }

    /// Run the next batch of `count` (the whole close when `count` is max) and check that it allocated
    /// exactly to the subscribers whose mint the token accepts, and that the last batch settled the
    /// offering by the soft cap on what was actually allocated.
    function _runBatch(uint256 count) internal {
        uint256 total =
            offering.state() == PrimaryOffering.State.Open ? offering.totalSubscribed() : offering.closeTotal();
        uint256 price = offering.terms().price;
        uint256 from = offering.closeCursor();
        uint256 end = order.length - from > count ? from + count : order.length;
        bool[] memory accepted = new bool[](end - from);
        for (uint256 i = from; i < end; ++i) {
            address investor = order[i];
            uint256 tokens = ruleCash(investor, total) * 1e18 / price;
            accepted[i - from] = registry.isVerified(investor) && !token.isFrozen(investor)
                && token.compliance().canTransfer(address(0), investor, tokens);
        }
        uint256 treasuryBefore = hkd.balanceOf(offering.issuerTreasury());
        vm.prank(issuer);
        if (count == type(uint256).max) offering.close();
        else offering.closeBatch(count);
        assertEq(offering.closeCursor(), end);
        for (uint256 i = from; i < end; ++i) {
            address investor = order[i];
            uint256 cash = accepted[i - from] ? ruleCash(investor, total) : 0;
            assertEq(offering.allocatedCash(investor), cash, "allocation against the rule");
            assertEq(token.balanceOf(investor), cash * 1e18 / price);
            processed[investor] = true;
            mintRefused[investor] = !accepted[i - from];
        }
        uint256 paid = hkd.balanceOf(offering.issuerTreasury()) - treasuryBefore;
        if (end < order.length) {
            assertEq(uint8(offering.state()), uint8(PrimaryOffering.State.Closing));
            assertEq(paid, 0, "the treasury was paid before the close completed");
        } else if (softCapMet(offering.totalAllocated())) {
            assertEq(uint8(offering.state()), uint8(PrimaryOffering.State.Closed));
            assertEq(paid, offering.totalAllocated());
        } else {
            assertEq(uint8(offering.state()), uint8(PrimaryOffering.State.Failed));
            assertEq(paid, 0, "the treasury was paid below the soft cap");
        }
    }

    /// The whole close in one transaction (one call in eight, so that subscriptions pile up first), or
    /// the rest of a close already running.
    function close(uint256 dice) external {
        if (!_oneIn(dice, 8) || !_canClose()) return;
        _runBatch(type(uint256).max);
        _count("close");
    }

    /// One batch of one to three subscribers (a close is started one call in four, continued one in two):
    /// the issuer may stop after any batch.
    function closeBatch(uint256 dice) external {
        if (!_canClose() || !_oneIn(dice, offering.state() == PrimaryOffering.State.Open ? 4 : 2)) return;
        _runBatch(uint256(keccak256(abi.encode(dice, 1))) % 3 + 1);
        _count("closeBatch");
    }

    /// Settle a close left unfinished at the end of the close window (anyone may).
    function settleAbandonedClose(uint256 seed) external {
        if (offering.state() != PrimaryOffering.State.Closing || block.timestamp <= _closeBy()) return;
        bool stands = softCapMet(offering.totalAllocated());
        address treasury = offering.issuerTreasury();
        uint256 treasuryBefore = hkd.balanceOf(treasury);
        vm.prank(_investor(seed));
        offering.settleAbandonedClose();
        PrimaryOffering.State expected = stands ? PrimaryOffering.State.Closed : PrimaryOffering.State.Failed;
        assertEq(uint8(offering.state()), uint8(expected));
        assertEq(hkd.balanceOf(treasury) - treasuryBefore, stands ? offering.totalAllocated() : 0);
        _count("settleAbandonedClose");
    }

    /// Cancel an open offering (one call in 32: it ends the offering).
    function cancel(uint256 dice) external {
        if (!_oneIn(dice, 32) || offering.state() != PrimaryOffering.State.Open) return;
        vm.prank(issuer);
        offering.cancel();
        _count("cancel");
    }

    // ------------------------------------------------------------------ refunds

    /// Tokens the offering can burn back from `investor`: its unfrozen balance, none if the wallet is frozen.
    function _returnable(address investor) internal view returns (uint256) {
        if (token.isFrozen(investor)) return 0;
        return token.balanceOf(investor) - token.getFrozenTokens(investor);
    }

    /// Refund what `refundableOf` says; in a failed close the allocated cash only against the tokens,
    /// which are burned: while they cannot be (moved, frozen), exactly the cash not tied to them, and
    /// TokensNotReturnable when there is none.
    function refund(uint256 seed) external {
        address investor = _investor(seed);
        uint256 due = offering.refundableOf(investor);
        if (due == 0) return;
        uint256 tied = offering.failed() ? offering.allocatedTokens(investor) : 0;
        uint256 cash = offering.allocatedCash(investor);
        uint256 returnable = _returnable(investor);
        bool unwinds = tied != 0 && returnable >= tied;
        uint256 pays = tied == 0 || unwinds ? due : due - cash;
        uint256 before = hkd.balanceOf(investor);
        bool closing = offering.state() == PrimaryOffering.State.Closing;
        vm.prank(investor);
        try offering.refund() returns (uint256 paid) {
            assertNotEq(pays, 0, "refund paid though the tokens are not returnable");
            assertEq(paid, pays);
        } catch (bytes memory reason) {
            assertEq(pays, 0, "refund refused");
            assertEq(
                reason, abi.encodeWithSelector(PrimaryOffering.TokensNotReturnable.selector, investor, returnable, tied)
            );
            _count("refund refused");
            return;
        }
        ghostRefunded[investor] += pays;
        if (closing && offering.state() != PrimaryOffering.State.Closing) _count("refund settled the close");
        assertEq(hkd.balanceOf(investor), before + pays);
        if (unwinds) {
            unwound[investor] = true;
            ghostUnwoundCash += cash;
            ghostUnwoundTokens += tied;
            assertEq(token.balanceOf(investor), 0);
            assertEq(offering.allocatedCash(investor), 0);
            assertEq(offering.refundableOf(investor), 0);
        } else {
            assertEq(offering.refundableOf(investor), due - pays);
        }
        _count("refund");
    }

    // ------------------------------------------------------------------ the token's agent, and time

    /// Between subscribing and the close (and after): the platform revokes a verified investor's KYC claim
    /// or issues a revoked one a new claim (one call in three); the transfer agent freezes a wallet (one in
    /// six), part of its tokens (one in six), or unfreezes it and all its tokens.
    function agentAction(uint256 seed, uint256 dice, uint256 amount) external {
        address investor = _investor(seed);
        uint256 what = uint256(keccak256(abi.encode(dice))) % 6;
        if (what < 2) {
            IOnchainIdentity id = IOnchainIdentity(address(registry.identity(investor)));
            bool verified = registry.isVerified(investor);
            if (verified) {
                _revokeClaim(id, platformIssuer, ClaimTopics.KYC);
            } else {
                _issueClaimAs(agent, id, platformIssuer, ClaimTopics.KYC, block.timestamp + 3650 days + ++reissues, 0);
            }
            assertEq(registry.isVerified(investor), !verified);
            _count("setKyc");
            return;
        }
        vm.startPrank(agent);
        if (what == 2) {
            token.setAddressFrozen(investor, true);
            _count("setFrozen");
        } else if (what == 3) {
            amount = bound(amount, 0, token.balanceOf(investor) - token.getFrozenTokens(investor));
            token.freezePartialTokens(investor, amount);
            _count("setFrozen");
        } else {
            token.setAddressFrozen(investor, false);
            token.unfreezePartialTokens(investor, token.getFrozenTokens(investor));
            _count("unfreeze");
        }
        vm.stopPrank();
    }

    /// Up to three days later; or past the close window (one call in ten once there are subscriptions,
    /// one in three while a close runs): the issuer's time to close is over.
    function warp(uint256 secondsLater) external {
        uint256 closeBy = _closeBy();
        bool jump = offering.totalSubscribed() != 0 && block.timestamp <= closeBy
            && _oneIn(secondsLater, offering.state() == PrimaryOffering.State.Closing ? 3 : 10);
        if (jump) {
            vm.warp(closeBy + 1 + uint256(keccak256(abi.encode(secondsLater, 1))) % 10 days);
            _count("warpPastCloseWindow");
        } else {
            vm.warp(block.timestamp + bound(secondsLater, 0, 3 days));
            _count("warp");
        }
    }
}
