// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AbstractModule} from "./AbstractModule.sol";
import {IComplianceModule} from "../IComplianceModule.sol";

/// @title InvestorCategoryModule
/// @notice Only professional (1) or institutional (2) investors may receive, unless the owner
/// authorised retail distribution (e.g. after an SFC retail authorisation of the product).
contract InvestorCategoryModule is AbstractModule {
    /// @notice True when retail (category 0) investors may receive too.
    bool public retailAuthorised;

    /// @notice Emitted when the retail flag changes.
    event RetailAuthorisationSet(bool authorised);

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    constructor(address compliance_, address owner_) AbstractModule(compliance_, owner_) {}

    /// @notice Allow or forbid retail receivers.
    /// @param authorised New flag.
    function setRetailAuthorised(bool authorised) external onlyOwnerOrCompliance {
        retailAuthorised = authorised;
        emit RetailAuthorisationSet(authorised);
    }

    /// @inheritdoc IComplianceModule
    function name() external pure returns (string memory) {
        return "InvestorCategoryModule";
    }

    /// @inheritdoc IComplianceModule
    function moduleCheck(address, address to, uint256) external view returns (bool) {
        if (to == address(0) || retailAuthorised) return true;
        return _registry().investorCategory(to) >= 1;
    }
}
