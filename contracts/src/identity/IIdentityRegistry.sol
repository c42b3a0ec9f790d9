// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IIdentityRegistry
/// @notice What the token, the compliance modules and the offering read from the investor registry.
interface IIdentityRegistry {
    /// @notice One investor's registry record.
    /// @param country ISO-3166 numeric country code (156 CN, 344 HK).
    /// @param category 0 retail, 1 professional, 2 institutional.
    /// @param channel 0 direct, 1 Cross-boundary Wealth Management Connect southbound, 2 nominee.
    /// @param kycValidUntil Unix time after which the KYC is expired.
    /// @param revoked True once an agent revoked the identity.
    /// @param exists True while the wallet is registered.
    struct Identity {
        uint16 country;
        uint8 category;
        uint8 channel;
        uint64 kycValidUntil;
        bool revoked;
        bool exists;
    }

    /// @notice True when `wallet` is registered, its KYC is not expired and it is not revoked.
    /// @param wallet The investor wallet.
    function isVerified(address wallet) external view returns (bool);

    /// @notice The full record of `wallet` (all zero when unknown).
    /// @param wallet The investor wallet.
    function identity(address wallet) external view returns (Identity memory);

    /// @notice ISO-3166 numeric country of `wallet` (0 when unknown).
    /// @param wallet The investor wallet.
    function investorCountry(address wallet) external view returns (uint16);

    /// @notice Investor category of `wallet` (0 when unknown).
    /// @param wallet The investor wallet.
    function investorCategory(address wallet) external view returns (uint8);
}
