// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title LockupModule
/// @notice Tokens minted to a wallet (subscriptions) are locked for `lockupSeconds` from their own
/// mint: each mint is a tranche with its own end, so a later mint never re-locks earlier tokens.
/// Tokens received by transfer are free. A plain transfer may not take the balance below the sum of
/// the unexpired tranches (`lockedAmount`).
/// @dev Rules:
/// - Bounded gas: at most MAX_TRANCHES unexpired tranches per wallet (every transfer from the wallet
///   sums them). Expired tranches are deleted whenever a tranche is added or reduced (no event:
///   nothing observable changes). A tranche ending exactly when an existing one ends joins it (mints
///   in the same block). When the list is full, the new tokens join the tranche ending soonest at or
///   after their own end (they stay locked a little longer; no earlier lock moves); if every tranche
///   ends before, the latest-ending tranche is extended to the new end and takes the new tokens (for a
///   mint that is the newest tranche: only its tokens are re-locked, by at most the time since their
///   own mint). No lock ever ends earlier than its rule says.
/// - Agent burns and forced transfers take free tokens first; when they take locked ones, the
///   tranches are reduced in the order they were locked (first in, first out), so `lockedAmount`
///   never exceeds the balance.
/// - A wallet recovery moves every unexpired tranche, unchanged, to the new wallet (added to any
///   tranches it already has, by the rules above), so a recovery never frees locked tokens.
contract LockupModule is AbstractModule {
    /// @notice One locked tranche.
    /// @param amount Locked token amount.
    /// @param until Unix time the lock ends.
    struct Tranche {
        uint192 amount;
        uint64 until;
    }

    /// @notice Most unexpired tranches per wallet (bounds the gas of a transfer from it).
    uint256 public constant MAX_TRANCHES = 16;

    /// @notice Lock-up length applied to each mint.
    uint64 public lockupSeconds;
    mapping(address wallet => Tranche[]) private _tranches;

    /// @notice Emitted when the lock-up length changes (applies to later mints).
    event LockupSecondsSet(uint64 lockupSeconds);
    /// @notice Emitted when `amount` tokens of `wallet` are locked until `until` (a new tranche, or
    /// added to the tranche ending then).
    event TrancheLocked(address indexed wallet, uint256 amount, uint64 until);
    /// @notice Emitted when a full tranche list made the `amount` tokens of `wallet` locked until
    /// `fromUntil` stay locked until `toUntil`.
    event TrancheExtended(address indexed wallet, uint256 amount, uint64 fromUntil, uint64 toUntil);
    /// @notice Emitted when an agent burn or forced transfer took `amount` locked tokens of `wallet`.
    event LockedTokensTaken(address indexed wallet, uint256 amount);
    /// @notice Emitted when a recovery moved the locked `amount` of `lostWallet` to `newWallet`.
    event LocksMoved(address indexed lostWallet, address indexed newWallet, uint256 amount);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    /// @param lockupSeconds_ Initial lock-up length.
    constructor(address compliance_, address owner_, uint64 lockupSeconds_) AbstractModule(compliance_, owner_) {
        lockupSeconds = lockupSeconds_;
        emit LockupSecondsSet(lockupSeconds_);
    }

    /// @notice Change the lock-up length for later mints.
    /// @param lockupSeconds_ New length in seconds.
    function setLockupSeconds(uint64 lockupSeconds_) external onlyOwnerOrCompliance {
        lockupSeconds = lockupSeconds_;
        emit LockupSecondsSet(lockupSeconds_);
    }

    /// @notice Amount of `wallet` still locked now: the sum of its unexpired tranches.
    /// @param wallet Holder.
    function lockedAmount(address wallet) public view returns (uint256 locked) {
        Tranche[] storage ts = _tranches[wallet];
        uint256 n = ts.length;
        for (uint256 i = 0; i < n; ++i) {
            Tranche memory t = ts[i];
            if (block.timestamp < t.until) locked += t.amount;
        }
    }

    /// @notice The unexpired tranches of `wallet`, in the order they were locked.
    /// @param wallet Holder.
    function tranchesOf(address wallet) external view returns (Tranche[] memory out) {
        Tranche[] storage ts = _tranches[wallet];
        uint256 n = ts.length;
        uint256 live = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (block.timestamp < ts[i].until) ++live;
        }
        out = new Tranche[](live);
        uint256 j = 0;
        for (uint256 i = 0; i < n; ++i) {
            Tranche memory t = ts[i];
            if (block.timestamp < t.until) out[j++] = t;
        }
    }

    /// @inheritdoc IComplianceModule
    function needsHistory() external pure override returns (bool) {
        return true;
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "LockupModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address from, address, uint256 amount) external view returns (bool) {
        if (from == address(0)) return true;
        uint256 locked = lockedAmount(from);
        if (locked == 0) return true;
        uint256 balance = _balanceOf(from);
        return balance >= amount && balance - amount >= locked;
    }

    function _onMint(address to, uint256 amount) internal override {
        if (lockupSeconds == 0 || amount == 0) return;
        _lock(to, amount, uint64(block.timestamp) + lockupSeconds);
    }

    function _onTransfer(address from, address, uint256) internal override {
        _clamp(from);
    }

    function _onBurn(address from, uint256) internal override {
        _clamp(from);
    }

    function _onRecovery(address lostWallet, address newWallet) internal override {
        Tranche[] storage ts = _tranches[lostWallet];
        uint256 n = ts.length;
        if (n == 0) return;
        uint256 moved = 0;
        for (uint256 i = 0; i < n; ++i) {
            Tranche memory t = ts[i];
            if (block.timestamp < t.until && t.amount != 0) {
                _lock(newWallet, t.amount, t.until);
                moved += t.amount;
            }
        }
        delete _tranches[lostWallet];
        if (moved != 0) emit LocksMoved(lostWallet, newWallet, moved);
    }

    /// @dev Lock `amount` more tokens of `wallet` until `until`, by the tranche rules above.
    function _lock(address wallet, uint256 amount, uint64 until) private {
        Tranche[] storage ts = _tranches[wallet];
        _prune(ts);
        uint256 n = ts.length;
        uint256 join = n; // index of the tranche the tokens join, n for a new one
        uint256 latest = 0;
        for (uint256 i = 0; i < n; ++i) {
            uint64 end = ts[i].until;
            // slither-disable-next-line incorrect-equality
            if (end == until) {
                join = i;
                break;
            }
            if (n >= MAX_TRANCHES && end > until && (join == n || end < ts[join].until)) join = i;
            if (end > ts[latest].until) latest = i;
        }
        if (join == n && n >= MAX_TRANCHES) {
            // every tranche ends before `until`: the latest-ending one is extended to it
            join = latest;
            Tranche storage l = ts[latest];
            emit TrancheExtended(wallet, l.amount, l.until, until);
            l.until = until;
        }
        if (join == n) {
            ts.push(Tranche(SafeCast.toUint192(amount), until));
            emit TrancheLocked(wallet, amount, until);
        } else {
            Tranche storage t = ts[join];
            t.amount = SafeCast.toUint192(uint256(t.amount) + amount);
            emit TrancheLocked(wallet, amount, t.until);
        }
    }

    /// @dev After an agent action took locked tokens: reduce the tranches, first locked first, so that
    /// the locked amount equals the balance.
    function _clamp(address wallet) private {
        Tranche[] storage ts = _tranches[wallet];
        uint256 n = ts.length;
        if (n == 0) return;
        uint256 locked = lockedAmount(wallet);
        uint256 balance = _balanceOf(wallet);
        if (locked <= balance) return;
        uint256 excess = locked - balance;
        emit LockedTokensTaken(wallet, excess);
        for (uint256 i = 0; i < n && excess != 0; ++i) {
            Tranche storage t = ts[i];
            if (block.timestamp >= t.until) continue;
            uint256 take = t.amount < excess ? t.amount : excess;
            t.amount -= uint192(take); // take <= t.amount
            excess -= take;
        }
        _prune(ts);
    }

    /// @dev Delete expired and emptied tranches, keeping the order of the others.
    function _prune(Tranche[] storage ts) private {
        uint256 n = ts.length;
        uint256 kept = 0;
        for (uint256 i = 0; i < n; ++i) {
            Tranche memory t = ts[i];
            if (block.timestamp < t.until && t.amount != 0) {
                if (i != kept) ts[kept] = t;
                ++kept;
            }
        }
        for (; n > kept; --n) ts.pop();
    }
}
