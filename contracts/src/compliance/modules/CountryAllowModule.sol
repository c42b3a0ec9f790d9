// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title CountryAllowModule
/// @notice Receivers must be registered with a country on the allow-list (e.g. 344 HK, 156 CN).
/// Burns are always allowed.
contract CountryAllowModule is AbstractModule {
    /// @notice True for allowed ISO-3166 numeric country codes.
    mapping(uint16 country => bool) public isCountryAllowed;

    /// @notice Emitted when `country` is added to the allow-list.
    event CountryAllowed(uint16 indexed country);
    /// @notice Emitted when `country` is removed from the allow-list.
    event CountryDisallowed(uint16 indexed country);

    /// @notice The country is already allowed.
    error CountryAlreadyAllowed(uint16 country);
    /// @notice The country is not on the list.
    error CountryNotAllowed(uint16 country);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    constructor(address compliance_, address owner_) AbstractModule(compliance_, owner_) {}

    /// @notice Add `country` to the allow-list.
    /// @param country ISO-3166 numeric code.
    function allowCountry(uint16 country) external onlyOwnerOrCompliance {
        if (isCountryAllowed[country]) revert CountryAlreadyAllowed(country);
        isCountryAllowed[country] = true;
        emit CountryAllowed(country);
    }

    /// @notice Remove `country` from the allow-list.
    /// @param country ISO-3166 numeric code.
    function disallowCountry(uint16 country) external onlyOwnerOrCompliance {
        if (!isCountryAllowed[country]) revert CountryNotAllowed(country);
        isCountryAllowed[country] = false;
        emit CountryDisallowed(country);
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "CountryAllowModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address, address to, uint256) external view returns (bool) {
        if (to == address(0)) return true;
        return isCountryAllowed[_registry().investorCountry(to)];
    }
}
