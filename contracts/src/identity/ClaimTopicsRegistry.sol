// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title ClaimTopicsRegistry
/// @notice The claim topics an investor's identity must hold, each from a trusted issuer, to be verified
/// (ERC-3643 IClaimTopicsRegistry).
contract ClaimTopicsRegistry is Ownable {
    /// @notice At most this many topics: every verification walks them all.
    uint256 public constant MAX_TOPICS = 15;

    uint256[] private _topics;

    /// @notice Emitted when `claimTopic` becomes required.
    event ClaimTopicAdded(uint256 indexed claimTopic);
    /// @notice Emitted when `claimTopic` is no longer required.
    event ClaimTopicRemoved(uint256 indexed claimTopic);

    /// @notice The topic is already required.
    error TopicAlreadyAdded(uint256 claimTopic);
    /// @notice The topic is not required.
    error TopicNotFound(uint256 claimTopic);
    /// @notice MAX_TOPICS reached.
    error TooManyTopics();

    /// @param owner_ Who edits the list (the token issuer).
    constructor(address owner_) Ownable(owner_) {}

    /// @notice Require `claimTopic`.
    /// @param claimTopic The topic.
    function addClaimTopic(uint256 claimTopic) external onlyOwner {
        uint256 n = _topics.length;
        if (n >= MAX_TOPICS) revert TooManyTopics();
        for (uint256 i = 0; i < n; ++i) {
            if (_topics[i] == claimTopic) revert TopicAlreadyAdded(claimTopic);
        }
        _topics.push(claimTopic);
        emit ClaimTopicAdded(claimTopic);
    }

    /// @notice Stop requiring `claimTopic`.
    /// @param claimTopic The topic.
    function removeClaimTopic(uint256 claimTopic) external onlyOwner {
        uint256 n = _topics.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_topics[i] == claimTopic) {
                _topics[i] = _topics[n - 1];
                _topics.pop();
                emit ClaimTopicRemoved(claimTopic);
                return;
            }
        }
        revert TopicNotFound(claimTopic);
    }

    /// @notice The required topics.
    function getClaimTopics() external view returns (uint256[] memory) {
        return _topics;
    }
}
