// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IClaimIssuer} from "./IOnchainId.sol";

/// @title TrustedIssuersRegistry
/// @notice The claim issuers whose claims count, each for its own topics (ERC-3643
/// ITrustedIssuersRegistry). Removing an issuer makes every claim it signed stop counting at once: the
/// model of an issuer that loses trust (a platform's licence revoked, say).
contract TrustedIssuersRegistry is Ownable {
    /// @notice At most this many issuers, and topics per issuer: verification walks them.
    uint256 public constant MAX_ISSUERS = 50;
    /// @notice At most this many topics per issuer.
    uint256 public constant MAX_TOPICS = 15;

    IClaimIssuer[] private _issuers;
    mapping(address issuer => uint256[] topics) private _topicsOf;
    mapping(uint256 topic => IClaimIssuer[] issuers) private _issuersFor;

    /// @notice Emitted when `trustedIssuer` is trusted for `claimTopics`.
    event TrustedIssuerAdded(IClaimIssuer indexed trustedIssuer, uint256[] claimTopics);
    /// @notice Emitted when `trustedIssuer` is no longer trusted.
    event TrustedIssuerRemoved(IClaimIssuer indexed trustedIssuer);
    /// @notice Emitted when the topics `trustedIssuer` is trusted for change.
    event ClaimTopicsUpdated(IClaimIssuer indexed trustedIssuer, uint256[] claimTopics);

    /// @notice The zero address was given.
    error ZeroAddress();
    /// @notice The issuer is already trusted.
    error IssuerAlreadyTrusted(address issuer);
    /// @notice The issuer is not trusted.
    error IssuerNotTrusted(address issuer);
    /// @notice An issuer must be trusted for 1 to MAX_TOPICS distinct topics.
    error InvalidTopics(uint256 count);
    /// @notice MAX_ISSUERS reached.
    error TooManyIssuers();

    /// @param owner_ Who edits the list (the token issuer).
    constructor(address owner_) Ownable(owner_) {}

    /// @notice Trust `trustedIssuer` for `claimTopics`.
    /// @param trustedIssuer The claim issuer.
    /// @param claimTopics Its topics (distinct, 1 to MAX_TOPICS).
    function addTrustedIssuer(IClaimIssuer trustedIssuer, uint256[] calldata claimTopics) external onlyOwner {
        address issuer = address(trustedIssuer);
        if (issuer == address(0)) revert ZeroAddress();
        if (_topicsOf[issuer].length != 0) revert IssuerAlreadyTrusted(issuer);
        if (_issuers.length >= MAX_ISSUERS) revert TooManyIssuers();
        _checkTopics(claimTopics);
        _issuers.push(trustedIssuer);
        _link(trustedIssuer, claimTopics);
        emit TrustedIssuerAdded(trustedIssuer, claimTopics);
    }

    /// @notice Stop trusting `trustedIssuer`: none of its claims counts any more.
    /// @param trustedIssuer The claim issuer.
    function removeTrustedIssuer(IClaimIssuer trustedIssuer) external onlyOwner {
        address issuer = address(trustedIssuer);
        if (_topicsOf[issuer].length == 0) revert IssuerNotTrusted(issuer);
        _unlink(trustedIssuer);
        _remove(_issuers, trustedIssuer);
        emit TrustedIssuerRemoved(trustedIssuer);
    }

    /// @notice Replace the topics `trustedIssuer` is trusted for.
    /// @param trustedIssuer The claim issuer.
    /// @param claimTopics Its new topics (distinct, 1 to MAX_TOPICS).
    function updateIssuerClaimTopics(IClaimIssuer trustedIssuer, uint256[] calldata claimTopics) external onlyOwner {
        address issuer = address(trustedIssuer);
        if (_topicsOf[issuer].length == 0) revert IssuerNotTrusted(issuer);
        _checkTopics(claimTopics);
        _unlink(trustedIssuer);
        _link(trustedIssuer, claimTopics);
        emit ClaimTopicsUpdated(trustedIssuer, claimTopics);
    }

    /// @notice Every trusted issuer.
    function getTrustedIssuers() external view returns (IClaimIssuer[] memory) {
        return _issuers;
    }

    /// @notice The issuers trusted for `claimTopic`.
    /// @param claimTopic The topic.
    function getTrustedIssuersForClaimTopic(uint256 claimTopic) external view returns (IClaimIssuer[] memory) {
        return _issuersFor[claimTopic];
    }

    /// @notice True when `issuer` is trusted.
    /// @param issuer The claim issuer.
    function isTrustedIssuer(address issuer) external view returns (bool) {
        return _topicsOf[issuer].length != 0;
    }

    /// @notice The topics `trustedIssuer` is trusted for.
    /// @param trustedIssuer The claim issuer.
    function getTrustedIssuerClaimTopics(IClaimIssuer trustedIssuer) external view returns (uint256[] memory) {
        address issuer = address(trustedIssuer);
        if (_topicsOf[issuer].length == 0) revert IssuerNotTrusted(issuer);
        return _topicsOf[issuer];
    }

    /// @notice True when `issuer` is trusted for `claimTopic`.
    /// @param issuer The claim issuer.
    /// @param claimTopic The topic.
    function hasClaimTopic(address issuer, uint256 claimTopic) external view returns (bool) {
        uint256[] storage topics = _topicsOf[issuer];
        for (uint256 i = 0; i < topics.length; ++i) {
            if (topics[i] == claimTopic) return true;
        }
        return false;
    }

    function _checkTopics(uint256[] calldata claimTopics) private pure {
        uint256 n = claimTopics.length;
        if (n == 0 || n > MAX_TOPICS) revert InvalidTopics(n);
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = 0; j < i; ++j) {
                if (claimTopics[i] == claimTopics[j]) revert InvalidTopics(n);
            }
        }
    }

    function _link(IClaimIssuer issuer, uint256[] calldata claimTopics) private {
        _topicsOf[address(issuer)] = claimTopics;
        for (uint256 i = 0; i < claimTopics.length; ++i) {
            _issuersFor[claimTopics[i]].push(issuer);
        }
    }

    function _unlink(IClaimIssuer issuer) private {
        uint256[] storage topics = _topicsOf[address(issuer)];
        for (uint256 i = 0; i < topics.length; ++i) {
            _remove(_issuersFor[topics[i]], issuer);
        }
        delete _topicsOf[address(issuer)];
    }

    /// @dev Swap-and-pop of a member known to be present.
    function _remove(IClaimIssuer[] storage list, IClaimIssuer issuer) private {
        uint256 n = list.length;
        for (uint256 i = 0; i < n; ++i) {
            if (list[i] == issuer) {
                list[i] = list[n - 1];
                list.pop();
                return;
            }
        }
    }
}
