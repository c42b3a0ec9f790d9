// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ClaimTopics
/// @notice The claim topics this suite's issuers sign, and the layout of their data.
/// @dev Every claim's data is `abi.encode(uint256 validUntil, uint256 value)`: ONCHAINID claims carry no
/// expiry, and a KYC that lapses must stop verifying without a transaction, so the issuer signs the date
/// with the claim. A claim whose data is shorter than 64 bytes, or whose date has passed, does not count.
library ClaimTopics {
    /// @notice KYC and AML done by a licensed HK platform; value unused (0).
    uint256 internal constant KYC = 1;
    /// @notice Investor category attested by the platform: value 0 retail, 1 professional, 2 institutional.
    uint256 internal constant INVESTOR_CATEGORY = 2;
    /// @notice Cross-boundary Wealth Management Connect southbound eligibility attested by the mainland
    /// CWM bank; value unused (1). Only this signed statement crosses the border, no personal data.
    uint256 internal constant CWM_ELIGIBILITY = 3;

    /// @notice The date and value a claim's data carries, and whether it is well formed and current.
    /// @param data The claim data.
    /// @return current True when the data has both words and `validUntil` is not past.
    /// @return value The claim's value.
    function read(bytes memory data) internal view returns (bool current, uint256 value) {
        if (data.length < 64) return (false, 0);
        uint256 validUntil;
        (validUntil, value) = abi.decode(data, (uint256, uint256));
        current = block.timestamp <= validUntil;
    }
}
