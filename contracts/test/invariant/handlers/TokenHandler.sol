// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {RWAToken} from "../../../src/token/RWAToken.sol";
import {IdentityRegistry} from "../../../src/identity/IdentityRegistry.sol";
import {ModularCompliance} from "../../../src/compliance/ModularCompliance.sol";
import {LockupModule} from "../../../src/compliance/modules/LockupModule.sol";
import {MaxHoldersModule} from "../../../src/compliance/modules/MaxHoldersModule.sol";

/// Drives the token through plain transfers, mints (at different times, under a lock-up), burns, forced
/// transfers, wallet recoveries, wallet and partial freezes, pauses, KYC revocations and time. Every call is
/// checked against the rule it must follow: a plain transfer or a mint succeeds exactly when the token's or
/// the compliance's pre-trade view says it may, agent actions with valid arguments always succeed; a mint
/// locks exactly what it mints, a plain transfer leaves every lock as it was, an agent burn or forced
/// transfer leaves min(locked before, balance after) locked, and a recovery moves the whole balance with its
/// frozen tokens, frozen status and locks to a fresh registered wallet (the lost wallet's identity is then
/// deleted) without changing the holder count.
contract TokenHandler is Test {
    RWAToken public immutable token;
    IdentityRegistry public immutable registry;
    ModularCompliance public immutable compliance;
    LockupModule public immutable lockup;
    MaxHoldersModule public immutable maxHolders;
    address public immutable agent;

    /// Every wallet tokens may move between: the initial ones, then each recovery's new wallet.
    address[] public actors;
    /// The wallets recovered from (lost).
    address[] public lost;
    mapping(address actor => uint16) internal country;
    mapping(address actor => uint8) internal category;

    uint256 public ghostMinted;
    uint256 public ghostBurned;
    /// How often each action ran (keccak of its name), for the run summaries.
    mapping(bytes32 action => uint256) public calls;

    /// @param actors_ The wallets tokens move between, with the country and category they are (or would
    /// be, when `countries_[i]` is zero: never registered) registered with.
    constructor(
        RWAToken token_,
        IdentityRegistry registry_,
        ModularCompliance compliance_,
        LockupModule lockup_,
        MaxHoldersModule maxHolders_,
        address agent_,
        address[] memory actors_,
        uint16[] memory countries_,
        uint8[] memory categories_
    ) {
        token = token_;
        registry = registry_;
        compliance = compliance_;
        lockup = lockup_;
        maxHolders = maxHolders_;
        agent = agent_;
        for (uint256 i = 0; i < actors_.length; ++i) {
            actors.push(actors_[i]);
            country[actors_[i]] = countries_[i];
            category[actors_[i]] = categories_[i];
        }
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

    /// Recover a holder's wallet to a fresh wallet registered like it; the lost wallet's identity is then
    /// deleted, so it never receives again.
    function recover(uint256 seed) external {
        address from = _holder(seed);
        uint256 balance = token.balanceOf(from);
        if (balance == 0) return;
        address to = makeAddr(string.concat("recovered-", vm.toString(lost.length)));
        country[to] = country[from];
        category[to] = category[from];
        vm.prank(agent);
        registry.registerIdentity(to, country[from], category[from], 0, uint64(block.timestamp + 3650 days));
        uint256 frozenTokens = token.getFrozenTokens(from);
        bool frozen = token.isFrozen(from);
        uint256 locked = lockup.lockedAmount(from);
        uint256 holders = maxHolders.holderCount();
        vm.prank(agent);
        token.recoveryAddress(from, to); // an agent action: neither the pause nor the compliance stop it
        assertEq(token.balanceOf(from), 0);
        assertEq(token.balanceOf(to), balance);
        assertEq(token.getFrozenTokens(from), 0);
        assertEq(token.getFrozenTokens(to), frozenTokens);
        assertEq(token.isFrozen(to), frozen);
        assertEq(lockup.lockedAmount(from), 0);
        assertEq(lockup.lockedAmount(to), locked, "the recovery did not move the lock-up");
        assertEq(maxHolders.holderCount(), holders, "a recovery changed the holder count");
        if (registry.contains(from)) {
            vm.prank(agent);
            registry.deleteIdentity(from);
        }
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

    /// Revoke a verified wallet's KYC (one time in three), or register a revoked one afresh; a wallet that
    /// was never registered stays so.
    function setKyc(uint256 seed, uint256 dice) external {
        address wallet = _actor(seed);
        bool verify = dice % 3 != 0;
        if (!registry.contains(wallet) || verify == registry.isVerified(wallet)) return;
        vm.startPrank(agent);
        if (verify) {
            registry.deleteIdentity(wallet);
            registry.registerIdentity(wallet, country[wallet], category[wallet], 0, uint64(block.timestamp + 3650 days));
        } else {
            registry.revoke(wallet);
        }
        vm.stopPrank();
        _count("setKyc");
    }
}
