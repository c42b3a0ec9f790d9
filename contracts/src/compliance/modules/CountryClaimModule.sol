// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title CountryClaimModule
/// @notice Receivers registered in a given country must also hold a current claim of a given topic from an
/// issuer trusted for it. The suite requires, of mainland (156) receivers, the CWM bank's
/// Cross-boundary Wealth Management Connect eligibility claim: a mainland resident may hold the product
/// only through CWM Connect southbound. Burns are always allowed.
contract CountryClaimModule is AbstractModule {
    /// @notice The topic a receiver of `country` must hold (0: none required).
    mapping(uint16 country => uint256 topic) public requiredTopic;

    /// @notice Emitted when receivers of `country` must hold `topic` (0: nothing any more).
    event ClaimRequirementSet(uint16 indexed country, uint256 indexed topic);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    constructor(address compliance_, address owner_) AbstractModule(compliance_, owner_) {}

    /// @notice Require `topic` of receivers registered in `country` (0 lifts the requirement).
    /// @param country ISO-3166 numeric code.
    /// @param topic The claim topic.
    function setRequiredClaim(uint16 country, uint256 topic) external onlyOwnerOrCompliance {
        requiredTopic[country] = topic;
        emit ClaimRequirementSet(country, topic);
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "CountryClaimModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address, address to, uint256) external view returns (bool) {
        if (to == address(0)) return true;
        uint256 topic = requiredTopic[_registry().investorCountry(to)];
        return topic == 0 || _registry().hasValidClaim(to, topic);
    }
}
