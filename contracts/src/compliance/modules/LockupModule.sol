// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title LockupModule
/// @notice Tokens minted to a wallet (subscriptions) are locked until the mint time plus
/// `lockupSeconds`. A new mint while a lock runs adds to the locked amount and restarts the
/// clock for the whole locked amount (conservative). Tokens received by transfer are free.
/// Agent burns and forced transfers may eat into locked tokens; the lock then shrinks to the
/// remaining balance. A wallet recovery leaves the lock on the lost wallet (the recovered tokens
/// are free on the new wallet); agents can re-impose restrictions by freezing.
contract LockupModule is AbstractModule {
    /// @notice Lock state of one wallet.
    /// @param amount Locked token amount.
    /// @param until Unix time the lock ends.
    struct Lock {
        uint256 amount;
        uint64 until;
    }

    /// @notice Lock-up length applied to each mint.
    uint64 public lockupSeconds;
    mapping(address wallet => Lock) private _locks;

    /// @notice Emitted when the lock-up length changes (applies to later mints).
    event LockupSecondsSet(uint64 lockupSeconds);
    /// @notice Emitted when the lock of `wallet` changes.
    event LockUpdated(address indexed wallet, uint256 amount, uint64 until);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    /// @param lockupSeconds_ Initial lock-up length.
    constructor(address compliance_, address owner_, uint64 lockupSeconds_) AbstractModule(compliance_, owner_) {
        lockupSeconds = lockupSeconds_;
        emit LockupSecondsSet(lockupSeconds_);
    }

    /// @notice Change the lock-up length for later mints.
    /// @param lockupSeconds_ New length in seconds.
    function setLockupSeconds(uint64 lockupSeconds_) external onlyOwner {
        lockupSeconds = lockupSeconds_;
        emit LockupSecondsSet(lockupSeconds_);
    }

    /// @notice Amount of `wallet` still locked now.
    /// @param wallet Holder.
    function lockedAmount(address wallet) public view returns (uint256) {
        Lock storage l = _locks[wallet];
        return block.timestamp < l.until ? l.amount : 0;
    }

    /// @notice The stored lock of `wallet` (amount and end time, possibly expired).
    /// @param wallet Holder.
    function lockOf(address wallet) external view returns (Lock memory) {
        return _locks[wallet];
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
        uint256 locked = lockedAmount(to) + amount;
        uint64 until = uint64(block.timestamp) + lockupSeconds;
        _locks[to] = Lock(locked, until);
        emit LockUpdated(to, locked, until);
    }

    function _onTransfer(address from, address, uint256) internal override {
        _clamp(from);
    }

    function _onBurn(address from, uint256) internal override {
        _clamp(from);
    }

    /// @dev After an agent action ate into locked tokens the lock cannot exceed the balance.
    function _clamp(address wallet) private {
        Lock storage l = _locks[wallet];
        if (l.amount == 0) return;
        uint256 balance = _balanceOf(wallet);
        if (l.amount > balance) {
            l.amount = balance;
            emit LockUpdated(wallet, balance, l.until);
        }
    }
}
