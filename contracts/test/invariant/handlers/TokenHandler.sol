// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RWAToken} from "../../../src/token/RWAToken.sol";
import {IdentityRegistry} from "../../../src/identity/IdentityRegistry.sol";
import {ModularCompliance} from "../../../src/compliance/ModularCompliance.sol";
import {LockupModule} from "../../../src/compliance/modules/LockupModule.sol";
import {MaxHoldersModule} from "../../../src/compliance/modules/MaxHoldersModule.sol";
import {ClaimTopics} from "../../../src/identity/ClaimTopics.sol";
import {OnchainIdKit, IOnchainIdentity} from "../../utils/OnchainId.sol";

/// Drives the token through plain transfers, mints (at different times, under a lock-up), burns, forced
/// transfers, wallet recoveries, wallet and partial freezes, pauses, KYC revocations (the platform revokes
/// the identity's KYC claim) and re-issues, and time. Every call is checked against the rule it must follow:
/// a plain transfer or a mint succeeds exactly when the token's or the compliance's pre-trade view says it
/// may, agent actions with valid arguments always succeed; a mint locks exactly what it mints, a plain
/// transfer leaves every lock as it was, an agent burn or forced transfer leaves min(locked before, balance
/// after) locked, and a recovery to a fresh wallet (made a management key of the holder's identity) moves the
/// whole balance with its frozen tokens, frozen status and locks to it without changing the holder count,
/// registers it with the identity and deletes the lost wallet from the registry; it is refused
/// (ReceiverNotVerified) exactly when the identity's KYC is revoked.
contract TokenHandler is OnchainIdKit {
    RWAToken public immutable token;
    IdentityRegistry public immutable registry;
    ModularCompliance public immutable compliance;
    LockupModule public immutable lockup;
    MaxHoldersModule public immutable maxHolders;
    address public immutable agent;
    /// The platform's ClaimIssuer and signing key: revokes and re-issues KYC claims.
    ClaimSigner internal platformIssuer;
    /// Re-issued KYC claims so far: each one's validUntil differs, so its signature is not a revoked one.
    uint256 internal reissues;

    /// Every wallet tokens may move between: the initial ones, then each recovery's new wallet.
    address[] public actors;
    /// The wallets recovered from (lost).
    address[] public lost;

    uint256 public ghostMinted;
    uint256 public ghostBurned;
    /// How often each action ran (keccak of its name), for the run summaries.
    mapping(bytes32 action => uint256) public calls;

    /// @param agent_ The token's and the registry's agent, management key of every investor's identity.
    /// @param actors_ The wallets tokens move between (registered or not).
    constructor(
        RWAToken token_,
        IdentityRegistry registry_,
        ModularCompliance compliance_,
        LockupModule lockup_,
        MaxHoldersModule maxHolders_,
        address agent_,
        ClaimSigner memory platformIssuer_,
        address[] memory actors_
    ) {
        token = token_;
        registry = registry_;
        compliance = compliance_;
        lockup = lockup_;
        maxHolders = maxHolders_;
        agent = agent_;
        platformIssuer = platformIssuer_;
        actors = actors_;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function lostCount() external view returns (uint256) {
        return lost.length;
    }

    function _count(string memory action) internal {
        ++calls[keccak256(bytes(action))];
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    /// The first actor from `seed` on that holds tokens (or the one at `seed` when nobody does).
    function _holder(uint256 seed) internal view returns (address) {
        for (uint256 i = 0; i < actors.length; ++i) {
            address a = actors[(seed % actors.length + i) % actors.length];
            if (token.balanceOf(a) != 0) return a;
        }
        return _actor(seed);
    }

    // ------------------------------------------------------------------ plain transfers

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _holder(fromSeed);
        address to = _actor(toSeed);
        // mostly within the unfrozen balance, one time in eight one unit above the balance
        uint256 free = token.balanceOf(from) - token.getFrozenTokens(from);
        amount = amount % 8 == 0 ? token.balanceOf(from) + 1 : bound(amount, 0, free);
        bool predicted = token.canTransfer(from, to, amount);
        uint256 fromBefore = token.balanceOf(from);
        uint256 lockedFrom = lockup.lockedAmount(from);
        uint256 lockedTo = lockup.lockedAmount(to);
        vm.prank(from);
        try token.transfer(to, amount) {
            assertTrue(predicted, "transfer succeeded where canTransfer said no");
            if (from != to) assertEq(token.balanceOf(from), fromBefore - amount);
            assertEq(lockup.lockedAmount(from), lockedFrom, "a plain transfer changed a lock");
            assertEq(lockup.lockedAmount(to), lockedTo, "tokens received by transfer were locked");
            _count("transfer");
        } catch {
            assertFalse(predicted, "transfer refused where canTransfer said yes");
            assertEq(token.balanceOf(from), fromBefore);
            _count("transfer refused");
        }
    }

    // ------------------------------------------------------------------ agent actions

    function mint(uint256 toSeed, uint256 amount) external {
        address to = _actor(toSeed);
        amount = bound(amount, 0, 400_000e18);
        bool predicted =
            registry.isVerified(to) && !token.isFrozen(to) && compliance.canTransfer(address(0), to, amount);
        uint256 locked = lockup.lockedAmount(to);
        vm.prank(agent);
        try token.mint(to, amount) {
            assertTrue(predicted, "mint succeeded against the rules");
            assertEq(lockup.lockedAmount(to), locked + amount, "a mint did not lock exactly what it minted");
            ghostMinted += amount;
            _count("mint");
        } catch {
            assertFalse(predicted, "mint refused within the rules");
            _count("mint refused");
        }
    }

    function burn(uint256 fromSeed, uint256 amount) external {
        address from = _holder(fromSeed);
        amount = bound(amount, 0, token.balanceOf(from));
        uint256 locked = lockup.lockedAmount(from);
        vm.prank(agent);
        token.burn(from, amount); // agent burns ignore pause and freezes
        _checkLockTaken(from, locked);
        ghostBurned += amount;
        _count("burn");
    }

    function forcedTransfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _holder(fromSeed);
        address to = _actor(toSeed);
        amount = bound(amount, 0, token.balanceOf(from));
        bool predicted = from != to && registry.isVerified(to) && !token.isFrozen(to);
        uint256 locked = lockup.lockedAmount(from);
        uint256 lockedTo = lockup.lockedAmount(to);
        vm.prank(agent);
        try token.forcedTransfer(from, to, amount) {
            assertTrue(predicted, "forced transfer to a wallet that may not receive");
            _checkLockTaken(from, locked);
            assertEq(lockup.lockedAmount(to), lockedTo, "tokens received by a forced transfer were locked");
            _count("forcedTransfer");
        } catch {
            assertFalse(predicted, "forced transfer refused");
            _count("forcedTransfer refused");
        }
    }

    /// An agent burn or forced transfer takes free tokens first, then locked ones: what stays locked is
    /// min(locked before, balance after).
    function _checkLockTaken(address from, uint256 lockedBefore) internal view {
        uint256 balance = token.balanceOf(from);
        assertEq(lockup.lockedAmount(from), lockedBefore < balance ? lockedBefore : balance, "lock not taken last");
    }

    /// Recover a holder's wallet to a fresh wallet, made a management key of the holder's identity; the
    /// recovery registers it with that identity and the lost wallet's country and deletes the lost wallet,
    /// so that it never receives again. Refused while the identity's KYC is revoked.
    function recover(uint256 seed) external {
        address from = _holder(seed);
        uint256 balance = token.balanceOf(from);
        if (balance == 0) return;
        IOnchainIdentity id = IOnchainIdentity(address(registry.identity(from))); // a holder is registered
        uint16 country = registry.investorCountry(from);
        address to = makeAddr(string.concat("recovered-", vm.toString(lost.length)));
        _addManagementKeyAs(agent, id, to);
        if (!registry.isVerified(from)) {
            vm.prank(agent);
            vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, to));
            token.recoveryAddress(from, to, address(id));
            assertFalse(registry.contains(to));
            _count("recover refused");
            return;
        }
        uint256 frozenTokens = token.getFrozenTokens(from);
        bool frozen = token.isFrozen(from);
        uint256 locked = lockup.lockedAmount(from);
        uint256 holders = maxHolders.holderCount();
        vm.prank(agent);
        token.recoveryAddress(from, to, address(id)); // an agent action: neither the pause nor the compliance stop it
        assertEq(token.balanceOf(from), 0);
        assertEq(token.balanceOf(to), balance);
        assertEq(token.getFrozenTokens(from), 0);
        assertEq(token.getFrozenTokens(to), frozenTokens);
        assertEq(token.isFrozen(to), frozen);
        assertEq(lockup.lockedAmount(from), 0);
        assertEq(lockup.lockedAmount(to), locked, "the recovery did not move the lock-up");
        assertEq(maxHolders.holderCount(), holders, "a recovery changed the holder count");
        assertFalse(registry.contains(from), "the lost wallet is still registered");
        assertEq(address(registry.identity(to)), address(id));
        assertEq(registry.investorCountry(to), country);
        actors.push(to);
        lost.push(from);
        _count("recover");
    }

    /// Up to a day later: locks of two days end within a run.
    function warp(uint256 secondsLater) external {
        vm.warp(block.timestamp + bound(secondsLater, 0, 1 days));
        _count("warp");
    }

    /// Freeze (one time in four) or unfreeze a wallet.
    function setAddressFrozen(uint256 seed, uint256 dice) external {
        vm.prank(agent);
        token.setAddressFrozen(_actor(seed), dice % 4 == 0);
        _count("setAddressFrozen");
    }

    function freezePartialTokens(uint256 seed, uint256 amount) external {
        address wallet = _actor(seed);
        amount = bound(amount, 0, token.balanceOf(wallet) - token.getFrozenTokens(wallet));
        vm.prank(agent);
        token.freezePartialTokens(wallet, amount);
        _count("freezePartialTokens");
    }

    function unfreezePartialTokens(uint256 seed, uint256 amount) external {
        address wallet = _actor(seed);
        amount = bound(amount, 0, token.getFrozenTokens(wallet));
        vm.prank(agent);
        token.unfreezePartialTokens(wallet, amount);
        _count("unfreezePartialTokens");
    }

    /// Pause (one time in four) or unpause plain transfers.
    function setPaused(uint256 dice) external {
        bool pause = dice % 4 == 0;
        if (pause == token.paused()) return;
        vm.prank(agent);
        if (pause) token.pause();
        else token.unpause();
        _count("setPaused");
    }

    /// The platform revokes a verified wallet's KYC claim (one time in three), or issues a revoked one a new
    /// claim; a wallet that was never registered (or was recovered from) stays so.
    function setKyc(uint256 seed, uint256 dice) external {
        address wallet = _actor(seed);
        bool verify = dice % 3 != 0;
        if (!registry.contains(wallet) || verify == registry.isVerified(wallet)) return;
        IOnchainIdentity id = IOnchainIdentity(address(registry.identity(wallet)));
        if (verify) {
            _issueClaimAs(agent, id, platformIssuer, ClaimTopics.KYC, block.timestamp + 3650 days + ++reissues, 0);
        } else {
            _revokeClaim(id, platformIssuer, ClaimTopics.KYC);
        }
        assertEq(registry.isVerified(wallet), verify);
        _count("setKyc");
    }
}
