// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title CountryDenyModule
/// @notice Receivers registered with a country on the deny-list (sanctioned jurisdictions) are
/// refused. Burns are always allowed.
contract CountryDenyModule is AbstractModule {
    /// @notice True for denied ISO-3166 numeric country codes.
    mapping(uint16 country => bool) public isCountryDenied;

    /// @notice Emitted when `country` is added to the deny-list.
    event CountryDenied(uint16 indexed country);
    /// @notice Emitted when `country` is removed from the deny-list.
    event CountryUndenied(uint16 indexed country);

    /// @notice The country is already denied.
    error CountryAlreadyDenied(uint16 country);
    /// @notice The country is not on the list.
    error CountryNotDenied(uint16 country);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    constructor(address compliance_, address owner_) AbstractModule(compliance_, owner_) {}

    /// @notice Add `country` to the deny-list.
    /// @param country ISO-3166 numeric code.
    function denyCountry(uint16 country) external onlyOwnerOrCompliance {
        if (isCountryDenied[country]) revert CountryAlreadyDenied(country);
        isCountryDenied[country] = true;
        emit CountryDenied(country);
    }

    /// @notice Remove `country` from the deny-list.
    /// @param country ISO-3166 numeric code.
    function undenyCountry(uint16 country) external onlyOwnerOrCompliance {
        if (!isCountryDenied[country]) revert CountryNotDenied(country);
        isCountryDenied[country] = false;
        emit CountryUndenied(country);
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "CountryDenyModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address, address to, uint256) external view returns (bool) {
        if (to == address(0)) return true;
        return !isCountryDenied[_registry().investorCountry(to)];
    }
}
