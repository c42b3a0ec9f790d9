// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";
import {ICompliance} from "../compliance/ICompliance.sol";

/// @title IRWAToken
/// @notice The part of the ERC-3643 token surface that the other contracts of the suite use.
interface IRWAToken is IERC20 {
    /// @notice The identity registry that decides who may receive.
    function identityRegistry() external view returns (IIdentityRegistry);

    /// @notice The compliance consulted on every transfer.
    function compliance() external view returns (ICompliance);

    /// @notice Agent mint to a verified, compliant receiver.
    /// @param to Receiver.
    /// @param amount Token amount.
    function mint(address to, uint256 amount) external;

    /// @notice Agent burn from a holder (may eat into frozen tokens).
    /// @param from Holder.
    /// @param amount Token amount.
    function burn(address from, uint256 amount) external;

    /// @notice True when `wallet` is frozen.
    /// @param wallet Holder.
    function isFrozen(address wallet) external view returns (bool);

    /// @notice Tokens of `wallet` that are frozen.
    /// @param wallet Holder.
    function getFrozenTokens(address wallet) external view returns (uint256);
}
