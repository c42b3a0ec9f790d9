// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AgentRoles} from "../access/AgentRoles.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";
import {IIdentity, IClaimIssuer} from "./IOnchainId.sol";
import {ClaimTopics} from "./ClaimTopics.sol";
import {ClaimTopicsRegistry} from "./ClaimTopicsRegistry.sol";
import {TrustedIssuersRegistry} from "./TrustedIssuersRegistry.sol";
import {IdentityRegistryStorage} from "./IdentityRegistryStorage.sol";

/// @title IdentityRegistry
/// @notice Which wallets may hold the token (ERC-3643): a wallet is verified when its ONCHAINID identity
/// holds, for every topic the claim topics registry requires, a claim that an issuer trusted for that topic
/// signed, has not revoked, and whose date has not passed. The wallet-to-identity records live in an
/// IdentityRegistryStorage that several registries may share. Agents (`addAgent`: the platforms' onboarding desks,
/// and the token for wallet recovery) register; the admin (the issuer) sets the three registries.
contract IdentityRegistry is AgentRoles, IIdentityRegistry {
    /// @notice Highest investor category a claim may attest (institutional).
    uint8 public constant MAX_CATEGORY = 2;

    IdentityRegistryStorage private _storage;
    ClaimTopicsRegistry private _topics;
    TrustedIssuersRegistry private _issuers;

    /// @notice The zero address was given.
    error ZeroAddress();
    /// @notice Batch arrays of different lengths.
    error LengthMismatch();

    /// @param admin Holder of DEFAULT_ADMIN_ROLE.
    /// @param agent First holder of AGENT_ROLE.
    /// @param identityStorage_ The identity storage (bind this registry to it afterwards).
    /// @param topicsRegistry_ The claim topics registry.
    /// @param issuersRegistry_ The trusted issuers registry.
    constructor(
        address admin,
        address agent,
        address identityStorage_,
        address topicsRegistry_,
        address issuersRegistry_
    ) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(AGENT_ROLE, agent);
        _setStorage(identityStorage_);
        _setTopics(topicsRegistry_);
        _setIssuers(issuersRegistry_);
    }

    // ------------------------------------------------------------------ records (agents)

    /// @inheritdoc IIdentityRegistry
    function registerIdentity(address userAddress, IIdentity identity_, uint16 country) external onlyRole(AGENT_ROLE) {
        _register(userAddress, identity_, country);
    }

    /// @inheritdoc IIdentityRegistry
    function batchRegisterIdentity(address[] calldata userAddresses, IIdentity[] calldata identities, uint16[] calldata countries)
        external
        onlyRole(AGENT_ROLE)
    {
        uint256 n = userAddresses.length;
        if (identities.length != n || countries.length != n) revert LengthMismatch();
        for (uint256 i = 0; i < n; ++i) {
            _register(userAddresses[i], identities[i], countries[i]);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function updateIdentity(address userAddress, IIdentity identity_) external onlyRole(AGENT_ROLE) {
        IIdentity old = _storage.storedIdentity(userAddress);
        _storage.modifyStoredIdentity(userAddress, identity_);
        emit IdentityUpdated(old, identity_);
    }

    /// @inheritdoc IIdentityRegistry
    function updateCountry(address userAddress, uint16 country) external onlyRole(AGENT_ROLE) {
        _storage.modifyStoredInvestorCountry(userAddress, country);
        emit CountryUpdated(userAddress, country);
    }

    /// @inheritdoc IIdentityRegistry
    function deleteIdentity(address userAddress) external onlyRole(AGENT_ROLE) {
        IIdentity old = _storage.storedIdentity(userAddress);
        _storage.removeIdentityFromStorage(userAddress);
        emit IdentityRemoved(userAddress, old);
    }

    // ------------------------------------------------------------------ wiring (admin)

    /// @inheritdoc IIdentityRegistry
    function setIdentityRegistryStorage(address identityRegistryStorage) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setStorage(identityRegistryStorage);
    }

    /// @inheritdoc IIdentityRegistry
    function setClaimTopicsRegistry(address claimTopicsRegistry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTopics(claimTopicsRegistry);
    }

    /// @inheritdoc IIdentityRegistry
    function setTrustedIssuersRegistry(address trustedIssuersRegistry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setIssuers(trustedIssuersRegistry);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IIdentityRegistry
    function isVerified(address userAddress) external view returns (bool) {
        IIdentity id = _storage.storedIdentity(userAddress);
        if (address(id) == address(0)) return false;
        uint256[] memory required = _topics.getClaimTopics();
        for (uint256 i = 0; i < required.length; ++i) {
            (bool found,) = _claim(id, required[i]);
            if (!found) return false;
        }
        return true;
    }

    /// @inheritdoc IIdentityRegistry
    function investorCategory(address userAddress) external view returns (uint8) {
        IIdentity id = _storage.storedIdentity(userAddress);
        if (address(id) == address(0)) return 0;
        (bool found, uint256 value) = _claim(id, ClaimTopics.INVESTOR_CATEGORY);
        // An out-of-range category is no attestation: retail, the most protected.
        return found && value <= MAX_CATEGORY ? uint8(value) : 0;
    }

    /// @inheritdoc IIdentityRegistry
    function hasValidClaim(address userAddress, uint256 topic) external view returns (bool found) {
        IIdentity id = _storage.storedIdentity(userAddress);
        if (address(id) == address(0)) return false;
        (found,) = _claim(id, topic);
    }

    /// @inheritdoc IIdentityRegistry
    function contains(address userAddress) external view returns (bool) {
        return address(_storage.storedIdentity(userAddress)) != address(0);
    }

    /// @inheritdoc IIdentityRegistry
    function identity(address userAddress) external view returns (IIdentity) {
        return _storage.storedIdentity(userAddress);
    }

    /// @inheritdoc IIdentityRegistry
    function investorCountry(address userAddress) external view returns (uint16) {
        return _storage.storedInvestorCountry(userAddress);
    }

    /// @inheritdoc IIdentityRegistry
    function identityStorage() external view returns (address) {
        return address(_storage);
    }

    /// @inheritdoc IIdentityRegistry
    function issuersRegistry() external view returns (address) {
        return address(_issuers);
    }

    /// @inheritdoc IIdentityRegistry
    function topicsRegistry() external view returns (address) {
        return address(_topics);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The first current, valid `topic` claim on `id` from an issuer trusted for `topic`, and its value.
    /// A claim is looked up at its ONCHAINID id, keccak256(abi.encode(issuer, topic)); an identity or issuer
    /// that reverts counts as no claim (try/catch). One whose return data does not decode makes the
    /// verification of its own wallets revert (try/catch cannot catch a decoding failure): only an agent can
    /// register an identity, and no other holder is affected.
    function _claim(IIdentity id, uint256 topic) private view returns (bool, uint256) {
        IClaimIssuer[] memory trusted = _issuers.getTrustedIssuersForClaimTopic(topic);
        for (uint256 j = 0; j < trusted.length; ++j) {
            (bool found, uint256 value) = _claimFrom(id, trusted[j], topic);
            if (found) return (true, value);
        }
        return (false, 0);
    }

    /// @dev The `topic` claim `issuer` signed on `id`, if current and valid, and its value.
    function _claimFrom(IIdentity id, IClaimIssuer issuer, uint256 topic) private view returns (bool, uint256) {
        // slither-disable-next-line unused-return
        try id.getClaim(keccak256(abi.encode(issuer, topic))) returns (
            uint256 claimTopic, uint256, address claimIssuer, bytes memory sig, bytes memory data, string memory
        ) {
            if (claimTopic != topic || claimIssuer != address(issuer)) return (false, 0);
            return _checked(id, issuer, topic, sig, data);
        } catch {
            return (false, 0);
        }
    }

    /// @dev A claim read from `id`: current by its signed date, and valid by its issuer (signature, revocation).
    function _checked(IIdentity id, IClaimIssuer issuer, uint256 topic, bytes memory sig, bytes memory data)
        private
        view
        returns (bool, uint256)
    {
        (bool current, uint256 value) = ClaimTopics.read(data);
        if (!current) return (false, 0);
        try issuer.isClaimValid(id, topic, sig, data) returns (bool valid) {
            return (valid, valid ? value : 0);
        } catch {
            return (false, 0);
        }
    }

    function _register(address userAddress, IIdentity identity_, uint16 country) private {
        _storage.addIdentityToStorage(userAddress, identity_, country);
        emit IdentityRegistered(userAddress, identity_);
    }

    function _setStorage(address a) private {
        if (a == address(0)) revert ZeroAddress();
        _storage = IdentityRegistryStorage(a);
        emit IdentityStorageSet(a);
    }

    function _setTopics(address a) private {
        if (a == address(0)) revert ZeroAddress();
        _topics = ClaimTopicsRegistry(a);
        emit ClaimTopicsRegistrySet(a);
    }

    function _setIssuers(address a) private {
        if (a == address(0)) revert ZeroAddress();
        _issuers = TrustedIssuersRegistry(a);
        emit TrustedIssuersRegistrySet(a);
    }
}
