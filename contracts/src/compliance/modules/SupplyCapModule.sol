// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title SupplyCapModule
/// @notice Mints may not take the total supply above `cap` (the size of the asset tranche).
contract SupplyCapModule is AbstractModule {
    /// @notice Highest total supply.
    uint256 public cap;

    /// @notice Emitted when the cap changes.
    event SupplyCapSet(uint256 cap);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    /// @param cap_ Initial cap in token units.
    constructor(address compliance_, address owner_, uint256 cap_) AbstractModule(compliance_, owner_) {
        cap = cap_;
        emit SupplyCapSet(cap_);
    }

    /// @notice Change the cap (an existing supply above it only blocks further mints).
    /// @param cap_ New cap in token units.
    function setCap(uint256 cap_) external onlyOwnerOrCompliance {
        cap = cap_;
        emit SupplyCapSet(cap_);
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "SupplyCapModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address from, address, uint256 amount) external view returns (bool) {
        if (from != address(0)) return true;
        return IERC20(_token()).totalSupply() + amount <= cap;
    }
}
