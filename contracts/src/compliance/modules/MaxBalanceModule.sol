// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title MaxBalanceModule
/// @notice No wallet may hold more than `maxBalance` tokens after receiving (concentration limit).
contract MaxBalanceModule is AbstractModule {
    /// @notice Highest balance a wallet may reach by receiving.
    uint256 public maxBalance;

    /// @notice Emitted when the limit changes.
    event MaxBalanceSet(uint256 maxBalance);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    /// @param maxBalance_ Initial limit in token units.
    constructor(address compliance_, address owner_, uint256 maxBalance_) AbstractModule(compliance_, owner_) {
        maxBalance = maxBalance_;
        emit MaxBalanceSet(maxBalance_);
    }

    /// @notice Change the limit.
    /// @param maxBalance_ New limit in token units.
    function setMaxBalance(uint256 maxBalance_) external onlyOwnerOrCompliance {
        maxBalance = maxBalance_;
        emit MaxBalanceSet(maxBalance_);
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "MaxBalanceModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address from, address to, uint256 amount) external view returns (bool) {
        if (to == address(0) || to == from) return true;
        return _balanceOf(to) + amount <= maxBalance;
    }
}
