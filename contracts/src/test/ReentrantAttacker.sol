// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantAttacker
/// @notice TEST ONLY. A malicious settlement token: on every balance change it calls back into
/// a target (distributor.claim, offering.refund, dvp.settle...) with preset calldata, once per
/// arming, and records whether the reentrant call succeeded and what it returned.
contract ReentrantAttacker is ERC20 {
    /// @notice Contract called back.
    address public target;
    /// @notice Calldata of the call back.
    bytes public payload;
    /// @notice True while armed.
    bool public armed;
    /// @notice Result of the last reentry attempt.
    bool public lastSuccess;
    /// @notice Return or revert data of the last reentry attempt.
    bytes public lastReturnData;
    /// @notice Number of reentry attempts.
    uint256 public attempts;

    /// @notice Emitted after each reentry attempt.
    event ReentryAttempt(address indexed target, bool success, bytes returnData);
    /// @notice Emitted when armed.
    event Armed(address indexed target, bytes payload);

    constructor() ERC20("Attacker", "ATK") {}

    /// @notice Mint freely (test token).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arm: the next balance change calls `target_` with `payload_`.
    /// @param target_ Contract to reenter.
    /// @param payload_ Calldata.
    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
        armed = true;
        emit Armed(target_, payload_);
    }

    /// @notice Make an arbitrary call as this contract (to set up approvals, subscriptions...).
    /// @param to Callee.
    /// @param data Calldata.
    function execute(address to, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed) {
            armed = false;
            ++attempts;
            (bool ok, bytes memory ret) = target.call(payload);
            lastSuccess = ok;
            lastReturnData = ret;
            emit ReentryAttempt(target, ok, ret);
        }
    }
}
