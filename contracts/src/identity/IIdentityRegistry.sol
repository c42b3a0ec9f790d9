// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIdentity} from "./IOnchainId.sol";

/// @title IIdentityRegistry
/// @notice The ERC-3643 identity registry (T-REX 4.1.6's IIdentityRegistry, every selector and event), plus
/// two reads this suite's compliance modules need: the investor category and a claim of any topic.
interface IIdentityRegistry {
    /// @notice Emitted when the claim topics registry is set.
    event ClaimTopicsRegistrySet(address indexed claimTopicsRegistry);
    /// @notice Emitted when the identity storage is set.
    event IdentityStorageSet(address indexed identityStorage);
    /// @notice Emitted when the trusted issuers registry is set.
    event TrustedIssuersRegistrySet(address indexed trustedIssuersRegistry);
    /// @notice Emitted when `investorAddress` is registered with `identity`.
    event IdentityRegistered(address indexed investorAddress, IIdentity indexed identity);
    /// @notice Emitted when `investorAddress` is removed.
    event IdentityRemoved(address indexed investorAddress, IIdentity indexed identity);
    /// @notice Emitted when a wallet's identity changes.
    event IdentityUpdated(IIdentity indexed oldIdentity, IIdentity indexed newIdentity);
    /// @notice Emitted when a wallet's country changes.
    event CountryUpdated(address indexed investorAddress, uint16 indexed country);

    /// @notice Register `userAddress` with its ONCHAINID and country.
    function registerIdentity(address userAddress, IIdentity identity, uint16 country) external;
    /// @notice Remove `userAddress`.
    function deleteIdentity(address userAddress) external;
    /// @notice Use another identity storage.
    function setIdentityRegistryStorage(address identityRegistryStorage) external;
    /// @notice Use another claim topics registry.
    function setClaimTopicsRegistry(address claimTopicsRegistry) external;
    /// @notice Use another trusted issuers registry.
    function setTrustedIssuersRegistry(address trustedIssuersRegistry) external;
    /// @notice Change the country of `userAddress`.
    function updateCountry(address userAddress, uint16 country) external;
    /// @notice Change the identity of `userAddress`.
    function updateIdentity(address userAddress, IIdentity identity) external;
    /// @notice Register several wallets.
    function batchRegisterIdentity(address[] calldata userAddresses, IIdentity[] calldata identities, uint16[] calldata countries)
        external;

    /// @notice True when `userAddress` is registered (verified or not).
    function contains(address userAddress) external view returns (bool);
    /// @notice True when the identity of `userAddress` holds a current, valid claim of every required topic
    /// from an issuer trusted for it.
    function isVerified(address userAddress) external view returns (bool);
    /// @notice The ONCHAINID of `userAddress` (zero when not registered).
    function identity(address userAddress) external view returns (IIdentity);
    /// @notice ISO-3166 numeric country of `userAddress` (zero when not registered).
    function investorCountry(address userAddress) external view returns (uint16);
    /// @notice The identity storage.
    function identityStorage() external view returns (address);
    /// @notice The trusted issuers registry.
    function issuersRegistry() external view returns (address);
    /// @notice The claim topics registry.
    function topicsRegistry() external view returns (address);

    /// @notice The investor category a trusted issuer attests for `userAddress` in a current, valid
    /// INVESTOR_CATEGORY claim: 0 retail, 1 professional, 2 institutional; 0 when there is none (suite
    /// extension).
    function investorCategory(address userAddress) external view returns (uint8);
    /// @notice True when the identity of `userAddress` holds a current, valid `topic` claim from an issuer
    /// trusted for it (suite extension: a module may require a topic the registry does not).
    function hasValidClaim(address userAddress, uint256 topic) external view returns (bool);
}
