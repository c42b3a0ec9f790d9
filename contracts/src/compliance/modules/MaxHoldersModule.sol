// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title MaxHoldersModule
/// @notice Caps the number of wallets with a non-zero balance (e.g. a private-placement limit).
/// The count is kept from the hooks: a wallet is counted when its balance becomes non-zero and
/// uncounted when it returns to zero. A transfer that does not increase the count is never refused.
contract MaxHoldersModule is AbstractModule {
    /// @notice Highest number of non-zero holders.
    uint256 public maxHolders;
    /// @notice Current number of non-zero holders.
    uint256 public holderCount;

    /// @notice Emitted when the cap changes.
    event MaxHoldersSet(uint256 maxHolders);
    /// @notice Emitted when the holder count changes.
    event HolderCountChanged(uint256 holderCount);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    /// @param maxHolders_ Initial cap.
    constructor(address compliance_, address owner_, uint256 maxHolders_) AbstractModule(compliance_, owner_) {
        maxHolders = maxHolders_;
        emit MaxHoldersSet(maxHolders_);
    }

    /// @notice Change the cap (existing holders are never forced out).
    /// @param maxHolders_ New cap.
    function setMaxHolders(uint256 maxHolders_) external onlyOwnerOrCompliance {
        maxHolders = maxHolders_;
        emit MaxHoldersSet(maxHolders_);
    }

    /// @inheritdoc IComplianceModule
    function needsHistory() external pure override returns (bool) {
        return true;
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "MaxHoldersModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address from, address to, uint256 amount) external view returns (bool) {
        if (to == address(0) || amount == 0 || to == from) return true;
        if (_balanceOf(to) != 0) return true; // not a new holder
        // A transfer of the sender's whole balance swaps one holder for another.
        // slither-disable-next-line incorrect-equality
        if (from != address(0) && _balanceOf(from) == amount) return true;
        return holderCount < maxHolders;
    }

    function _onTransfer(address from, address to, uint256 amount) internal override {
        if (from == to || amount == 0) return;
        uint256 count = holderCount;
        // slither-disable-next-line incorrect-equality
        if (_balanceOf(to) == amount) ++count; // was zero before
        // slither-disable-next-line incorrect-equality
        if (_balanceOf(from) == 0) --count;
        _setCount(count);
    }

    function _onMint(address to, uint256 amount) internal override {
        // slither-disable-next-line incorrect-equality
        if (amount != 0 && _balanceOf(to) == amount) _setCount(holderCount + 1);
    }

    function _onBurn(address from, uint256 amount) internal override {
        // slither-disable-next-line incorrect-equality
        if (amount != 0 && _balanceOf(from) == 0) _setCount(holderCount - 1);
    }

    function _setCount(uint256 count) private {
        if (count != holderCount) {
            holderCount = count;
            emit HolderCountChanged(count);
        }
    }
}
