// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IIdentity
/// @notice The part of an ONCHAINID identity (ERC-734 keys, ERC-735 claims) that the registry reads.
/// Declared here rather than imported: ONCHAINID's sources pin solc 0.8.17. The selectors equal
/// ONCHAINID 2.2.1's (tests/contracts/test_erc3643_identity.py checks them against its artifacts).
interface IIdentity {
    /// @notice True when `key` (keccak256(abi.encode(address))) has `purpose` (1 management, 3 claim);
    /// a management key has every purpose.
    /// @param key The hashed key.
    /// @param purpose The purpose asked for.
    function keyHasPurpose(bytes32 key, uint256 purpose) external view returns (bool exists);

    /// @notice The claim `claimId` (keccak256(abi.encode(issuer, topic))); all zero when absent.
    /// @param claimId The claim id.
    function getClaim(bytes32 claimId)
        external
        view
        returns (
            uint256 topic,
            uint256 scheme,
            address issuer,
            bytes memory signature,
            bytes memory data,
            string memory uri
        );
}

/// @title IClaimIssuer
/// @notice An ONCHAINID claim issuer: says whether a claim it signed is still valid (signed by one of
/// its claim keys and not revoked).
interface IClaimIssuer {
    /// @notice True when `sig` is this issuer's signature of (identity, topic, data) and not revoked.
    /// @param identity The identity holding the claim.
    /// @param claimTopic The claim's topic.
    /// @param sig The issuer's signature.
    /// @param data The claim's data.
    function isClaimValid(IIdentity identity, uint256 claimTopic, bytes calldata sig, bytes calldata data)
        external
        view
        returns (bool);
}
