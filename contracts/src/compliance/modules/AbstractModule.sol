// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IComplianceModule} from "../IComplianceModule.sol";
import {ICompliance} from "../ICompliance.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";
import {IRWAToken} from "../../token/IRWAToken.sol";

/// @title AbstractModule
/// @notice Shared plumbing of the compliance modules: the compliance it serves (fixed at
/// deployment), an owner who configures the rule (as can the compliance, for its owner's
/// `callModuleFunction`), access control on the hooks and helpers that
/// read balances and identities through the token the compliance is bound to.
abstract contract AbstractModule is Ownable, IComplianceModule {
    /// @inheritdoc IComplianceModule
    address public immutable compliance;

    /// @notice The caller is not the compliance this module serves.
    error OnlyCompliance(address caller);
    /// @notice The zero address was given.
    error ZeroAddress();

    modifier onlyCompliance() {
        if (msg.sender != compliance) revert OnlyCompliance(msg.sender);
        _;
    }

    /// @dev The rule's setters: the module's owner, or the compliance it serves (whose owner configures it
    /// through `ModularCompliance.callModuleFunction`, as ERC-3643 modules are configured). Anyone else gets
    /// `OwnableUnauthorizedAccount`.
    modifier onlyOwnerOrCompliance() {
        if (msg.sender != compliance) _checkOwner();
        _;
    }

    /// @param compliance_ The ModularCompliance this module serves.
    /// @param owner_ Who configures the rule.
    constructor(address compliance_, address owner_) Ownable(owner_) {
        if (compliance_ == address(0)) revert ZeroAddress();
        compliance = compliance_;
    }

    /// @inheritdoc IComplianceModule
    function needsHistory() external pure virtual returns (bool) {
        return false;
    }

    /// @inheritdoc IComplianceModule
    function moduleTransferAction(address from, address to, uint256 amount) external virtual onlyCompliance {
        _onTransfer(from, to, amount);
    }

    /// @inheritdoc IComplianceModule
    function moduleMintAction(address to, uint256 amount) external virtual onlyCompliance {
        _onMint(to, amount);
    }

    /// @inheritdoc IComplianceModule
    function moduleBurnAction(address from, uint256 amount) external virtual onlyCompliance {
        _onBurn(from, amount);
    }

    /// @inheritdoc IComplianceModule
    function moduleRecoveryAction(address lostWallet, address newWallet) external virtual onlyCompliance {
        _onRecovery(lostWallet, newWallet);
    }

    function _onTransfer(address from, address to, uint256 amount) internal virtual {}

    function _onMint(address to, uint256 amount) internal virtual {}

    function _onBurn(address from, uint256 amount) internal virtual {}

    /// @dev Default: nothing moves with a recovery (the transfer action that follows sees the balances).
    function _onRecovery(address lostWallet, address newWallet) internal virtual {}

    function _token() internal view returns (address) {
        return ICompliance(compliance).token();
    }

    function _balanceOf(address wallet) internal view returns (uint256) {
        return IERC20(_token()).balanceOf(wallet);
    }

    function _registry() internal view returns (IIdentityRegistry) {
        return IRWAToken(_token()).identityRegistry();
    }
}
