// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title ProductionOracle
/// @notice Attested production and revenue of the underlying asset per period (e.g. a month of a
/// solar portfolio): energy in kWh, revenue in fiat minor units, and the hash of the supporting
/// document (meter readings, grid-company settlement statement). Reports are immutable once
/// posted; the RevenueDistributor references them by period id.
contract ProductionOracle is AccessControl {
    /// @notice Role of the independent attestor (auditor / meter-data provider).
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");

    /// @notice One period's attested figures.
    /// @param kwh Energy produced, in kWh.
    /// @param revenueMinor Revenue in minor units of `currency` (cents, fen).
    /// @param currency ISO-4217 code.
    /// @param documentHash Hash of the supporting document.
    /// @param attestor Who posted the report.
    /// @param postedAt Block time of posting.
    struct Report {
        uint256 kwh;
        uint256 revenueMinor;
        string currency;
        bytes32 documentHash;
        address attestor;
        uint64 postedAt;
    }

    mapping(uint256 periodId => Report) private _reports;
    /// @notice Number of reports posted.
    uint256 public reportCount;
    /// @notice Highest period id posted so far.
    uint256 public latestPeriodId;

    /// @notice Emitted when the report for `periodId` is posted.
    event ReportPosted(
        uint256 indexed periodId,
        uint256 kwh,
        uint256 revenueMinor,
        string currency,
        bytes32 documentHash,
        address indexed attestor
    );

    /// @notice A report for the period exists already.
    error ReportAlreadyPosted(uint256 periodId);
    /// @notice No report for the period.
    error ReportNotFound(uint256 periodId);
    /// @notice Period id 0 is reserved (means "none").
    error InvalidPeriodId();

    /// @param admin Holder of DEFAULT_ADMIN_ROLE.
    /// @param attestor First holder of ATTESTOR_ROLE.
    constructor(address admin, address attestor) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ATTESTOR_ROLE, attestor);
    }

    /// @notice Post the report of a period; it can never be changed.
    /// @param periodId Period identifier (e.g. 202601 for January 2026), not 0.
    /// @param kwh Energy produced, in kWh.
    /// @param revenueMinor Revenue in minor units.
    /// @param currency ISO-4217 code.
    /// @param documentHash Hash of the supporting document.
    function report(uint256 periodId, uint256 kwh, uint256 revenueMinor, string calldata currency, bytes32 documentHash)
        external
        onlyRole(ATTESTOR_ROLE)
    {
        if (periodId == 0) revert InvalidPeriodId();
        if (_reports[periodId].postedAt != 0) revert ReportAlreadyPosted(periodId);
        _reports[periodId] = Report(kwh, revenueMinor, currency, documentHash, msg.sender, uint64(block.timestamp));
        ++reportCount;
        if (periodId > latestPeriodId) latestPeriodId = periodId;
        emit ReportPosted(periodId, kwh, revenueMinor, currency, documentHash, msg.sender);
    }

    /// @notice True when a report for `periodId` exists.
    /// @param periodId Period identifier.
    function hasReport(uint256 periodId) public view returns (bool) {
        return _reports[periodId].postedAt != 0;
    }

    /// @notice The report of `periodId`.
    /// @param periodId Period identifier.
    function getReport(uint256 periodId) external view returns (Report memory) {
        if (!hasReport(periodId)) revert ReportNotFound(periodId);
        return _reports[periodId];
    }
}
