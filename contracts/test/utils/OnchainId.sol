// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IIdentity, IClaimIssuer} from "../../src/identity/IOnchainId.sol";

/// The ONCHAINID 2.2.1 identity functions the tests call beyond what the registry reads. ONCHAINID's
/// sources pin solc 0.8.17, which this 0.8.28 build cannot compile: its contracts are deployed from the
/// npm package's Hardhat artifacts (`OnchainIdKit.ONCHAINID`, readable through foundry.toml's
/// `fs_permissions`) and called through these interfaces.
interface IOnchainIdentity is IIdentity {
    function addKey(bytes32 key, uint256 purpose, uint256 keyType) external returns (bool success);
    function removeKey(bytes32 key, uint256 purpose) external returns (bool success);
    function addClaim(
        uint256 topic,
        uint256 scheme,
        address issuer,
        bytes calldata signature,
        bytes calldata data,
        string calldata uri
    ) external returns (bytes32 claimRequestId);
    function removeClaim(bytes32 claimId) external returns (bool success);
    function getClaimIdsByTopic(uint256 topic) external view returns (bytes32[] memory claimIds);
}

/// An ONCHAINID ClaimIssuer: an identity whose keys sign claims, and which revokes them by signature.
interface IOnchainClaimIssuer is IOnchainIdentity, IClaimIssuer {
    function revokeClaimBySignature(bytes calldata signature) external;
    function isClaimRevoked(bytes calldata sig) external view returns (bool);
}

/// What simulator/chain/identities.py does, for the Foundry tests: deploy ONCHAINID contracts from their
/// artifacts, sign claims as a ClaimIssuer's key does, add them to an identity (as its management key)
/// and revoke them (as the issuer's key). Claim data is the suite's `abi.encode(validUntil, value)`.
abstract contract OnchainIdKit is Test {
    /// The ONCHAINID 2.2.1 Hardhat artifacts (the npm package onchain-id/solidity, a dev dependency).
    string internal constant ONCHAINID = "node_modules/@onchain-id/solidity/artifacts/contracts/";
    /// ERC-734 key purposes and types, ONCHAINID's claim scheme of an ECDSA signature.
    uint256 internal constant MANAGEMENT_PURPOSE = 1;
    uint256 internal constant CLAIM_PURPOSE = 3;
    uint256 internal constant ECDSA_KEY = 1;
    uint256 internal constant ECDSA_SCHEME = 1;

    /// A ClaimIssuer contract and the account whose key (its management key) signs its claims.
    struct ClaimSigner {
        IOnchainClaimIssuer issuer;
        address signer;
        uint256 key;
    }

    /// An ERC-734 key of an Ethereum account: keccak256(abi.encode(account)).
    function _keyOf(address account) internal pure returns (bytes32) {
        return keccak256(abi.encode(account));
    }

    /// ONCHAINID's id of the `topic` claim by `issuer`.
    function _claimId(address issuer, uint256 topic) internal pure returns (bytes32) {
        return keccak256(abi.encode(issuer, topic));
    }

    function _claimData(uint256 validUntil, uint256 value) internal pure returns (bytes memory) {
        return abi.encode(validUntil, value);
    }

    /// A ClaimIssuer managed by the fresh account `claim-issuer:<name>` (as identities.py `add_issuer`).
    function _deployClaimIssuer(string memory name) internal returns (ClaimSigner memory s) {
        (s.signer, s.key) = makeAddrAndKey(string.concat("claim-issuer:", name));
        s.issuer = IOnchainClaimIssuer(
            deployCode(string.concat(ONCHAINID, "ClaimIssuer.sol/ClaimIssuer.json"), abi.encode(s.signer))
        );
    }

    /// The signature by `key` of a `topic` claim with `data` on `identity`, as ClaimIssuer.isClaimValid
    /// checks it: over keccak256("\x19Ethereum Signed Message:\n32" ++ keccak256(abi.encode(identity, topic,
    /// data))), 65 bytes r ++ s ++ v (v 27 or 28).
    function _signClaim(uint256 key, address identity, uint256 topic, bytes memory data)
        internal
        pure
        returns (bytes memory)
    {
        bytes32 digest = keccak256(
            abi.encodePacked("\x19Ethereum Signed Message:\n32", keccak256(abi.encode(identity, topic, data)))
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// `s` signs a `topic` claim of `data` and `manager` (a management or claim key of `identity`) adds it,
    /// replacing the issuer's earlier claim of that topic; the signature.
    function _addClaimAs(
        address manager,
        IOnchainIdentity identity,
        ClaimSigner memory s,
        uint256 topic,
        bytes memory data
    ) internal returns (bytes memory sig) {
        sig = _signClaim(s.key, address(identity), topic, data);
        vm.prank(manager);
        identity.addClaim(topic, ECDSA_SCHEME, address(s.issuer), sig, data, "");
    }

    /// As `_addClaimAs`, with the suite's claim data.
    function _issueClaimAs(
        address manager,
        IOnchainIdentity identity,
        ClaimSigner memory s,
        uint256 topic,
        uint256 validUntil,
        uint256 value
    ) internal returns (bytes memory) {
        return _addClaimAs(manager, identity, s, topic, _claimData(validUntil, value));
    }

    /// The issuer revokes the `topic` claim it signed that `identity` holds (by its signature, as
    /// identities.py `revoke`); the signature. (A signature is deterministic: a claim re-issued with the
    /// same data stays revoked, so a fresh one needs other data, another validUntil say.)
    function _revokeClaim(IOnchainIdentity identity, ClaimSigner memory s, uint256 topic)
        internal
        returns (bytes memory sig)
    {
        (,,, sig,,) = identity.getClaim(_claimId(address(s.issuer), topic));
        vm.prank(s.signer);
        s.issuer.revokeClaimBySignature(sig);
    }

    /// `manager` makes `wallet` a management key of `identity` (what a recovery to `wallet` requires); a
    /// no-op when it already is one.
    function _addManagementKeyAs(address manager, IOnchainIdentity identity, address wallet) internal {
        if (identity.keyHasPurpose(_keyOf(wallet), MANAGEMENT_PURPOSE)) return;
        vm.prank(manager);
        identity.addKey(_keyOf(wallet), MANAGEMENT_PURPOSE, ECDSA_KEY);
    }
}
