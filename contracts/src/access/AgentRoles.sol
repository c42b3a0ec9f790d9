// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AgentRoles
/// @notice The agent management of ERC-3643 (T-REX `AgentRole`: `addAgent`, `removeAgent`, `isAgent`,
/// `AgentAdded`, `AgentRemoved`) over OpenZeppelin AccessControl: an agent is a holder of AGENT_ROLE, and the
/// ERC-3643 "owner" who appoints agents is a holder of DEFAULT_ADMIN_ROLE.
/// @dev `grantRole`/`revokeRole`/`renounceRole` of AGENT_ROLE keep working and are the same thing as
/// `addAgent`/`removeAgent`: `AgentAdded`/`AgentRemoved` are emitted from `_grantRole`/`_revokeRole` whenever
/// AGENT_ROLE is actually granted or revoked, whatever the path (constructor included), so an indexer that
/// follows only the ERC-3643 events sees every agent. `addAgent` and `removeAgent` are stricter than
/// `grantRole`/`revokeRole` (which are no-ops when nothing changes): they refuse the zero address, an account
/// that already is an agent, or one that is not.
abstract contract AgentRoles is AccessControl {
    /// @notice Role of the agents (ERC-3643: the transfer agent, or a contract acting as one).
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");

    /// @notice Emitted when `agent` becomes an agent (ERC-3643 `AgentAdded`).
    event AgentAdded(address indexed agent);
    /// @notice Emitted when `agent` stops being an agent (ERC-3643 `AgentRemoved`).
    event AgentRemoved(address indexed agent);

    /// @notice The zero address cannot be an agent.
    error AgentRolesInvalidAgent(address agent);
    /// @notice `agent` already is an agent.
    error AgentRolesAlreadyAgent(address agent);
    /// @notice `agent` is not an agent.
    error AgentRolesNotAgent(address agent);

    /// @notice Make `agent` an agent (grants AGENT_ROLE). Only the owner (DEFAULT_ADMIN_ROLE).
    /// @param agent The new agent: not zero, not already an agent.
    function addAgent(address agent) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (agent == address(0)) revert AgentRolesInvalidAgent(agent);
        if (hasRole(AGENT_ROLE, agent)) revert AgentRolesAlreadyAgent(agent);
        _grantRole(AGENT_ROLE, agent);
    }

    /// @notice Remove `agent` (revokes AGENT_ROLE). Only the owner (DEFAULT_ADMIN_ROLE).
    /// @param agent An agent.
    function removeAgent(address agent) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!hasRole(AGENT_ROLE, agent)) revert AgentRolesNotAgent(agent);
        _revokeRole(AGENT_ROLE, agent);
    }

    /// @notice True when `account` is an agent (holds AGENT_ROLE).
    /// @param account The account.
    function isAgent(address account) public view returns (bool) {
        return hasRole(AGENT_ROLE, account);
    }

    /// @dev AccessControl's grant, plus `AgentAdded` when AGENT_ROLE is newly granted.
    function _grantRole(bytes32 role, address account) internal virtual override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted && role == AGENT_ROLE) emit AgentAdded(account);
    }

    /// @dev AccessControl's revoke, plus `AgentRemoved` when AGENT_ROLE is actually revoked.
    function _revokeRole(bytes32 role, address account) internal virtual override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked && role == AGENT_ROLE) emit AgentRemoved(account);
    }
}
