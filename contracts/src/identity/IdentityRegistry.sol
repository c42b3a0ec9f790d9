// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice On-chain whitelist of KYC'd investor wallets for the RWA token (the ERC-3643 identity
/// registry, with the claim data the simulator needs stored directly instead of ONCHAINID claims):
/// country, investor category, distribution channel and KYC expiry. Only AGENT_ROLE (the transfer
/// agent / KYC provider) writes.
contract IdentityRegistry is AccessControl, IIdentityRegistry {
    /// @notice Role allowed to register, update, delete and revoke identities.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");

    /// @notice Highest valid investor category (institutional).
    uint8 public constant MAX_CATEGORY = 2;
    /// @notice Highest valid distribution channel (nominee).
    uint8 public constant MAX_CHANNEL = 2;

    mapping(address wallet => Identity) private _identities;

    /// @notice Emitted when `wallet` is registered.
    event IdentityRegistered(
        address indexed wallet, uint16 country, uint8 category, uint8 channel, uint64 kycValidUntil, address indexed agent
    );
    /// @notice Emitted when the record of `wallet` is changed.
    event IdentityUpdated(
        address indexed wallet, uint16 country, uint8 category, uint8 channel, uint64 kycValidUntil, address indexed agent
    );
    /// @notice Emitted when `wallet` is removed from the registry.
    event IdentityRemoved(address indexed wallet, address indexed agent);
    /// @notice Emitted when the identity of `wallet` is revoked.
    event IdentityRevoked(address indexed wallet, address indexed agent);

    /// @notice The wallet is already registered.
    error IdentityAlreadyExists(address wallet);
    /// @notice The wallet is not registered.
    error IdentityNotFound(address wallet);
    /// @notice The zero address cannot be registered.
    error ZeroAddress();
    /// @notice Category above MAX_CATEGORY.
    error InvalidCategory(uint8 category);
    /// @notice Channel above MAX_CHANNEL.
    error InvalidChannel(uint8 channel);
    /// @notice Batch arrays of different lengths.
    error LengthMismatch();
    /// @notice The identity is already revoked.
    error AlreadyRevoked(address wallet);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE.
    /// @param agent First holder of AGENT_ROLE.
    constructor(address admin, address agent) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(AGENT_ROLE, agent);
    }

    /// @notice Register `wallet`.
    /// @param wallet Investor wallet.
    /// @param country ISO-3166 numeric country code.
    /// @param category 0 retail, 1 professional, 2 institutional.
    /// @param channel 0 direct, 1 cwm-southbound, 2 nominee.
    /// @param kycValidUntil Unix time the KYC expires.
    function registerIdentity(address wallet, uint16 country, uint8 category, uint8 channel, uint64 kycValidUntil)
        external
        onlyRole(AGENT_ROLE)
    {
        _register(wallet, country, category, channel, kycValidUntil);
    }

    /// @notice Register several wallets at once; arrays must have equal lengths.
    /// @param wallets Investor wallets.
    /// @param countries ISO-3166 numeric country codes.
    /// @param categories Investor categories.
    /// @param channels Distribution channels.
    /// @param kycValidUntils KYC expiry times.
    function batchRegisterIdentity(
        address[] calldata wallets,
        uint16[] calldata countries,
        uint8[] calldata categories,
        uint8[] calldata channels,
        uint64[] calldata kycValidUntils
    ) external onlyRole(AGENT_ROLE) {
        uint256 n = wallets.length;
        if (countries.length != n || categories.length != n || channels.length != n || kycValidUntils.length != n) {
            revert LengthMismatch();
        }
        for (uint256 i = 0; i < n; ++i) {
            _register(wallets[i], countries[i], categories[i], channels[i], kycValidUntils[i]);
        }
    }

    /// @notice Change the record of a registered `wallet` (the revoked flag is kept).
    /// @param wallet Investor wallet.
    /// @param country ISO-3166 numeric country code.
    /// @param category Investor category.
    /// @param channel Distribution channel.
    /// @param kycValidUntil KYC expiry time.
    function updateIdentity(address wallet, uint16 country, uint8 category, uint8 channel, uint64 kycValidUntil)
        external
        onlyRole(AGENT_ROLE)
    {
        Identity storage id = _identities[wallet];
        if (!id.exists) revert IdentityNotFound(wallet);
        _validate(category, channel);
        id.country = country;
        id.category = category;
        id.channel = channel;
        id.kycValidUntil = kycValidUntil;
        emit IdentityUpdated(wallet, country, category, channel, kycValidUntil, msg.sender);
    }

    /// @notice Remove `wallet` from the registry.
    /// @param wallet Investor wallet.
    function deleteIdentity(address wallet) external onlyRole(AGENT_ROLE) {
        if (!_identities[wallet].exists) revert IdentityNotFound(wallet);
        delete _identities[wallet];
        emit IdentityRemoved(wallet, msg.sender);
    }

    /// @notice Revoke the identity of `wallet`: it stays registered but is no longer verified.
    /// @param wallet Investor wallet.
    function revoke(address wallet) external onlyRole(AGENT_ROLE) {
        Identity storage id = _identities[wallet];
        if (!id.exists) revert IdentityNotFound(wallet);
        if (id.revoked) revert AlreadyRevoked(wallet);
        id.revoked = true;
        emit IdentityRevoked(wallet, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function isVerified(address wallet) external view returns (bool) {
        Identity storage id = _identities[wallet];
        return id.exists && !id.revoked && block.timestamp <= id.kycValidUntil;
    }

    /// @inheritdoc IIdentityRegistry
    function identity(address wallet) external view returns (Identity memory) {
        return _identities[wallet];
    }

    /// @inheritdoc IIdentityRegistry
    function investorCountry(address wallet) external view returns (uint16) {
        return _identities[wallet].country;
    }

    /// @inheritdoc IIdentityRegistry
    function investorCategory(address wallet) external view returns (uint8) {
        return _identities[wallet].category;
    }

    /// @notice True when `wallet` is registered (verified or not).
    /// @param wallet Investor wallet.
    function contains(address wallet) external view returns (bool) {
        return _identities[wallet].exists;
    }

    function _register(address wallet, uint16 country, uint8 category, uint8 channel, uint64 kycValidUntil) private {
        if (wallet == address(0)) revert ZeroAddress();
        if (_identities[wallet].exists) revert IdentityAlreadyExists(wallet);
        _validate(category, channel);
        _identities[wallet] = Identity(country, category, channel, kycValidUntil, false, true);
        emit IdentityRegistered(wallet, country, category, channel, kycValidUntil, msg.sender);
    }

    function _validate(uint8 category, uint8 channel) private pure {
        if (category > MAX_CATEGORY) revert InvalidCategory(category);
        if (channel > MAX_CHANNEL) revert InvalidChannel(channel);
    }
}
