// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IBalanceObserver} from "./IBalanceObserver.sol";
import {ProductionOracle} from "../oracle/ProductionOracle.sol";

/// @title RevenueDistributor
/// @notice Pays the asset's revenue to RWA token holders pro rata, in a settlement token (HKD
/// stablecoin), in O(1) per distribution and per claim, by the magnified points-per-share pull
/// pattern: `pointsPerShare` grows by amount * 2**128 / totalShares at each distribution; each
/// holder's accumulated revenue is (pointsPerShare * shares + correction) / 2**128, where the
/// int256 correction absorbs every balance change so past distributions are unaffected.
/// @dev Shares mirror RWA token balances through the token's `_update` hook (IBalanceObserver),
/// except for excluded holders (escrow, DvP, treasury, offering) whose shares are zero.
///
/// Rounding. Two kinds of dust arise, and neither is lost:
/// 1. At distribution, amount * 2**128 is not a multiple of totalShares: the magnified remainder
///    is added to `_dustMagnified`; `undistributedDust()` = _dustMagnified / 2**128 whole units,
///    which `recoverDust` sends back (to the treasury) and subtracts.
/// 2. At withdrawal, each holder gets floor(accumulated / 2**128): the sub-unit fraction stays
///    attached to the holder and becomes payable when later distributions complete a unit.
/// Exact invariant (checked by the tests), with H = holders that ever had shares:
///    cash held == sum(withdrawableOf) + undistributedDust() + r, with 0 <= r <= H (r < H + 1),
///    totalDistributed == totalClaimed + sum(withdrawableOf) + undistributedDust() + dustRecovered + r.
/// Recovery moves the lost wallet's unclaimed whole units to the new wallet exactly (in
/// multiples of 2**128 of magnified points), so it changes no sum above.
contract RevenueDistributor is AccessControl, ReentrancyGuard, IBalanceObserver {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to distribute revenue (the issuer's paying agent).
    bytes32 public constant DISTRIBUTOR_ROLE = keccak256("DISTRIBUTOR_ROLE");
    /// @notice Role allowed to claim for custodial holders (paying them).
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @notice Fixed-point magnitude of pointsPerShare.
    uint256 public constant MAGNITUDE = 2 ** 128;

    /// @notice The RWA token whose balances are the shares.
    address public immutable token;
    /// @notice The settlement token revenue is paid in.
    IERC20 public immutable settlementToken;
    /// @notice The oracle whose report ids distributions reference (zero: no check).
    ProductionOracle public immutable oracle;

    /// @notice Magnified revenue per share, ever increasing.
    uint256 public pointsPerShare;
    /// @notice Sum of the shares of all non-excluded holders.
    uint256 public totalShares;
    /// @notice Revenue ever distributed.
    uint256 public totalDistributed;
    /// @notice Revenue ever claimed.
    uint256 public totalClaimed;
    /// @notice Dust ever recovered.
    uint256 public dustRecovered;
    /// @notice Revenue distributed against each oracle report.
    mapping(uint256 reportId => uint256) public distributedForReport;

    uint256 private _dustMagnified;
    mapping(address holder => uint256) private _shares;
    mapping(address holder => int256) private _corrections;
    mapping(address holder => uint256) private _withdrawn;
    mapping(address holder => bool) private _excluded;

    /// @notice Emitted for each distribution.
    event RevenueDistributed(
        address indexed by, uint256 indexed reportId, uint256 amount, uint256 totalShares, uint256 dustMagnified
    );
    /// @notice Emitted when `amount` is paid to `holder` (`by` is the holder or an agent).
    event RevenueClaimed(address indexed holder, uint256 amount, address indexed by);
    /// @notice Emitted when a holder is excluded or included again.
    event ExclusionSet(address indexed holder, bool excluded);
    /// @notice Emitted when dust is sent to `to`.
    event DustRecovered(address indexed to, uint256 amount);
    /// @notice Emitted when a recovery moved `amount` of unclaimed revenue.
    event EntitlementMoved(address indexed lostWallet, address indexed newWallet, uint256 amount);

    /// @notice The caller is not the RWA token.
    error OnlyToken(address caller);
    /// @notice Distribution of zero.
    error ZeroAmount();
    /// @notice Nothing to distribute over.
    error NoShares();
    /// @notice The oracle has no such report.
    error UnknownReport(uint256 reportId);
    /// @notice Nothing to claim.
    error NothingToClaim(address holder);
    /// @notice Less than one unit of dust.
    error NoDust();
    /// @notice The exclusion status is already as requested.
    error ExclusionUnchanged(address holder, bool excluded);
    /// @notice The zero address was given.
    error ZeroAddress();

    modifier onlyToken() {
        if (msg.sender != token) revert OnlyToken(msg.sender);
        _;
    }

    /// @param token_ The RWA token (it must name this contract as its balance observer before
    /// its first mint).
    /// @param settlementToken_ The settlement token revenue is paid in.
    /// @param oracle_ The production oracle (zero: report ids are not checked).
    /// @param admin Holder of DEFAULT_ADMIN_ROLE (sets exclusions, recovers dust).
    constructor(address token_, address settlementToken_, address oracle_, address admin) {
        if (token_ == address(0) || settlementToken_ == address(0)) revert ZeroAddress();
        token = token_;
        settlementToken = IERC20(settlementToken_);
        oracle = ProductionOracle(oracle_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ token hooks

    /// @inheritdoc IBalanceObserver
    function balanceChanged(address from, address to, uint256 amount) external onlyToken {
        if (from != address(0) && !_excluded[from]) _removeShares(from, amount);
        if (to != address(0) && !_excluded[to]) _addShares(to, amount);
    }

    /// @inheritdoc IBalanceObserver
    function walletRecovered(address lostWallet, address newWallet) external onlyToken {
        uint256 amount = withdrawableOf(lostWallet);
        // slither-disable-next-line incorrect-equality
        if (amount == 0) return;
        int256 magnified = int256(amount * MAGNITUDE);
        _corrections[lostWallet] -= magnified;
        _corrections[newWallet] += magnified;
        emit EntitlementMoved(lostWallet, newWallet, amount);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Exclude a holder (escrow, DvP, treasury, offering) from the share base, or include
    /// it again; revenue it accrued so far stays claimable.
    /// @param holder The address.
    /// @param excluded New status.
    function setExcluded(address holder, bool excluded) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_excluded[holder] == excluded) revert ExclusionUnchanged(holder, excluded);
        _excluded[holder] = excluded;
        if (excluded) {
            _removeShares(holder, _shares[holder]);
        } else {
            _addShares(holder, IERC20(token).balanceOf(holder));
        }
        emit ExclusionSet(holder, excluded);
    }

    /// @notice Send the whole units of rounding dust to `to`.
    /// @param to Receiver (the issuer's treasury).
    function recoverDust(address to) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = _dustMagnified / MAGNITUDE;
        if (amount == 0) revert NoDust();
        _dustMagnified %= MAGNITUDE; // keep the sub-unit remainder
        dustRecovered += amount;
        settlementToken.safeTransfer(to, amount);
        emit DustRecovered(to, amount);
    }

    // ------------------------------------------------------------------ distribute and claim

    /// @notice Pull `amount` settlement tokens from the caller and distribute them pro rata.
    /// @param amount Settlement token units.
    /// @param reportId The ProductionOracle period the revenue belongs to.
    function distribute(uint256 amount, uint256 reportId) external nonReentrant onlyRole(DISTRIBUTOR_ROLE) {
        if (amount == 0) revert ZeroAmount();
        uint256 shares = totalShares;
        if (shares == 0) revert NoShares();
        if (address(oracle) != address(0) && !oracle.hasReport(reportId)) revert UnknownReport(reportId);
        uint256 magnified = amount * MAGNITUDE;
        uint256 increment = magnified / shares;
        uint256 dust = magnified % shares;
        pointsPerShare += increment;
        _dustMagnified += dust;
        totalDistributed += amount;
        distributedForReport[reportId] += amount;
        settlementToken.safeTransferFrom(msg.sender, address(this), amount);
        emit RevenueDistributed(msg.sender, reportId, amount, shares, dust);
    }

    /// @notice Pay the caller what it can withdraw.
    function claim() external nonReentrant returns (uint256) {
        return _claim(msg.sender);
    }

    /// @notice Pay `holder` what it can withdraw (custodial holders that do not transact).
    /// @param holder The holder, who receives the payment.
    function claimFor(address holder) external nonReentrant onlyRole(AGENT_ROLE) returns (uint256) {
        return _claim(holder);
    }

    /// @notice Pay each of `holders` what it can withdraw; holders with nothing due are skipped.
    /// (A platform claiming for all its custodial clients in one transaction.)
    /// @param holders The holders, who receive the payments.
    /// @return total The sum paid.
    function batchClaimFor(address[] calldata holders) external nonReentrant onlyRole(AGENT_ROLE)
        returns (uint256 total)
    {
        for (uint256 i = 0; i < holders.length; ++i) {
            if (withdrawableOf(holders[i]) != 0) total += _claim(holders[i]);
        }
    }

    // ------------------------------------------------------------------ views

    /// @notice Revenue each of `holders` can claim now.
    /// @param holders The holders.
    function withdrawableOfBatch(address[] calldata holders) external view returns (uint256[] memory amounts) {
        amounts = new uint256[](holders.length);
        for (uint256 i = 0; i < holders.length; ++i) {
            amounts[i] = withdrawableOf(holders[i]);
        }
    }

    /// @notice Revenue `holder` can claim now.
    /// @param holder The holder.
    function withdrawableOf(address holder) public view returns (uint256) {
        return accumulativeOf(holder) - _withdrawn[holder];
    }

    /// @notice Revenue ever attributed to `holder` (claimed or not), in whole units.
    /// @param holder The holder.
    function accumulativeOf(address holder) public view returns (uint256) {
        int256 magnified = int256(pointsPerShare * _shares[holder]) + _corrections[holder];
        return uint256(magnified) / MAGNITUDE;
    }

    /// @notice Revenue `holder` has claimed.
    /// @param holder The holder.
    function withdrawnOf(address holder) external view returns (uint256) {
        return _withdrawn[holder];
    }

    /// @notice Shares of `holder` (its token balance unless excluded).
    /// @param holder The holder.
    function sharesOf(address holder) external view returns (uint256) {
        return _shares[holder];
    }

    /// @notice True when `holder` is excluded from the share base.
    /// @param holder The holder.
    function isExcluded(address holder) external view returns (bool) {
        return _excluded[holder];
    }

    /// @notice Whole units of rounding dust that `recoverDust` can send.
    function undistributedDust() external view returns (uint256) {
        return _dustMagnified / MAGNITUDE;
    }

    /// @notice Rounding dust in magnified units (2**128 per settlement token unit).
    function dustMagnified() external view returns (uint256) {
        return _dustMagnified;
    }

    // ------------------------------------------------------------------ internals

    function _claim(address holder) private returns (uint256 amount) {
        amount = withdrawableOf(holder);
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert NothingToClaim(holder);
        _withdrawn[holder] += amount;
        totalClaimed += amount;
        settlementToken.safeTransfer(holder, amount);
        emit RevenueClaimed(holder, amount, msg.sender);
    }

    function _addShares(address holder, uint256 amount) private {
        // slither-disable-next-line incorrect-equality
        if (amount == 0) return;
        _shares[holder] += amount;
        totalShares += amount;
        _corrections[holder] -= int256(pointsPerShare * amount);
    }

    function _removeShares(address holder, uint256 amount) private {
        if (amount == 0) return;
        _shares[holder] -= amount;
        totalShares -= amount;
        _corrections[holder] += int256(pointsPerShare * amount);
    }
}
