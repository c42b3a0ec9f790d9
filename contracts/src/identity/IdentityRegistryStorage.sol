// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IIdentity} from "./IOnchainId.sol";

/// @title IdentityRegistryStorage
/// @notice Which ONCHAINID identity and country each investor wallet has (ERC-3643
/// IIdentityRegistryStorage). Kept apart from the registry so that several tokens' registries share one
/// onboarding: an investor verified once may hold every product of the suite's issuers.
contract IdentityRegistryStorage is Ownable {
    /// @notice At most this many registries bound.
    uint256 public constant MAX_REGISTRIES = 300;

    struct Record {
        IIdentity identity;
        uint16 country;
    }

    mapping(address wallet => Record) private _records;
    address[] private _registries;
    mapping(address registry => bool) private _bound;

    /// @notice Emitted when `investorAddress` is stored with `identity`.
    event IdentityStored(address indexed investorAddress, IIdentity indexed identity);
    /// @notice Emitted when `investorAddress` is removed.
    event IdentityUnstored(address indexed investorAddress, IIdentity indexed identity);
    /// @notice Emitted when a wallet's identity changes.
    event IdentityModified(IIdentity indexed oldIdentity, IIdentity indexed newIdentity);
    /// @notice Emitted when a wallet's country changes.
    event CountryModified(address indexed investorAddress, uint16 indexed country);
    /// @notice Emitted when `identityRegistry` may write.
    event IdentityRegistryBound(address indexed identityRegistry);
    /// @notice Emitted when `identityRegistry` may no longer write.
    event IdentityRegistryUnbound(address indexed identityRegistry);

    /// @notice The caller is not a bound registry.
    error OnlyBoundRegistry(address caller);
    /// @notice The zero address was given.
    error ZeroAddress();
    /// @notice The wallet is already stored.
    error IdentityAlreadyStored(address wallet);
    /// @notice The wallet is not stored.
    error IdentityNotFound(address wallet);
    /// @notice The registry is already bound.
    error RegistryAlreadyBound(address registry);
    /// @notice The registry is not bound.
    error RegistryNotBound(address registry);
    /// @notice MAX_REGISTRIES reached.
    error TooManyRegistries();

    modifier onlyRegistry() {
        if (!_bound[msg.sender]) revert OnlyBoundRegistry(msg.sender);
        _;
    }

    /// @param owner_ Who binds registries (the issuer).
    constructor(address owner_) Ownable(owner_) {}

    /// @notice Store `userAddress` with `identity` and `country`.
    /// @param userAddress Investor wallet.
    /// @param identity Its ONCHAINID.
    /// @param country ISO-3166 numeric country code.
    function addIdentityToStorage(address userAddress, IIdentity identity, uint16 country) external onlyRegistry {
        if (userAddress == address(0) || address(identity) == address(0)) revert ZeroAddress();
        if (address(_records[userAddress].identity) != address(0)) revert IdentityAlreadyStored(userAddress);
        _records[userAddress] = Record(identity, country);
        emit IdentityStored(userAddress, identity);
    }

    /// @notice Change the identity of a stored wallet.
    /// @param userAddress Investor wallet.
    /// @param identity Its new ONCHAINID.
    function modifyStoredIdentity(address userAddress, IIdentity identity) external onlyRegistry {
        if (address(identity) == address(0)) revert ZeroAddress();
        IIdentity old = _stored(userAddress);
        _records[userAddress].identity = identity;
        emit IdentityModified(old, identity);
    }

    /// @notice Change the country of a stored wallet.
    /// @param userAddress Investor wallet.
    /// @param country ISO-3166 numeric country code.
    function modifyStoredInvestorCountry(address userAddress, uint16 country) external onlyRegistry {
        _stored(userAddress);
        _records[userAddress].country = country;
        emit CountryModified(userAddress, country);
    }

    /// @notice Remove a stored wallet.
    /// @param userAddress Investor wallet.
    function removeIdentityFromStorage(address userAddress) external onlyRegistry {
        IIdentity old = _stored(userAddress);
        delete _records[userAddress];
        emit IdentityUnstored(userAddress, old);
    }

    /// @notice Let `identityRegistry` write.
    /// @param identityRegistry The registry.
    function bindIdentityRegistry(address identityRegistry) external onlyOwner {
        if (identityRegistry == address(0)) revert ZeroAddress();
        if (_bound[identityRegistry]) revert RegistryAlreadyBound(identityRegistry);
        if (_registries.length >= MAX_REGISTRIES) revert TooManyRegistries();
        _bound[identityRegistry] = true;
        _registries.push(identityRegistry);
        emit IdentityRegistryBound(identityRegistry);
    }

    /// @notice Stop `identityRegistry` writing.
    /// @param identityRegistry The registry.
    function unbindIdentityRegistry(address identityRegistry) external onlyOwner {
        if (!_bound[identityRegistry]) revert RegistryNotBound(identityRegistry);
        _bound[identityRegistry] = false;
        uint256 n = _registries.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_registries[i] == identityRegistry) {
                _registries[i] = _registries[n - 1];
                _registries.pop();
                break;
            }
        }
        emit IdentityRegistryUnbound(identityRegistry);
    }

    /// @notice The registries that may write.
    function linkedIdentityRegistries() external view returns (address[] memory) {
        return _registries;
    }

    /// @notice The identity of `userAddress` (zero when not stored).
    /// @param userAddress Investor wallet.
    function storedIdentity(address userAddress) external view returns (IIdentity) {
        return _records[userAddress].identity;
    }

    /// @notice The country of `userAddress` (zero when not stored).
    /// @param userAddress Investor wallet.
    function storedInvestorCountry(address userAddress) external view returns (uint16) {
        return _records[userAddress].country;
    }

    function _stored(address userAddress) private view returns (IIdentity identity) {
        identity = _records[userAddress].identity;
        if (address(identity) == address(0)) revert IdentityNotFound(userAddress);
    }
}
