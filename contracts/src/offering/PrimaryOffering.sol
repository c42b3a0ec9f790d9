// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IRWAToken} from "../token/IRWAToken.sol";

/// @title PrimaryOffering
/// @notice Primary subscription of the RWA token against a settlement token. Verified investors
/// escrow cash here (within a min and max ticket); at `close()` the issuer mints the allocated
/// tokens to every subscriber and receives the raised cash in the same transaction (delivery
/// versus payment). Oversubscription beyond the hard cap is allocated pro rata or first come
/// first served (fixed at deployment). If the soft cap is missed by the deadline, or the issuer
/// cancels before close, every subscriber gets the full cash back. Refunds are pull-based.
/// @dev The offering needs AGENT_ROLE on the token (to mint). `close()` loops over subscribers:
/// its gas grows with their number (about 1.5e5 per subscriber with the full compliance), so an
/// offering is limited to some 150 subscribers per 25M-gas transaction.
contract PrimaryOffering is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Role of the issuer (closes or cancels the offering).
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice How long after the deadline the issuer may still close; after it, subscribers can take
    /// their cash back, so an issuer that never closes cannot lock subscriptions forever.
    uint64 public constant CLOSE_GRACE_PERIOD = 30 days;

    /// @notice Allocation when oversubscribed.
    enum Allocation {
        ProRata,
        FirstCome
    }

    /// @notice Life cycle.
    enum State {
        Open,
        Closed,
        Cancelled,
        Closing
    }

    /// @notice Offering terms.
    /// @param price Settlement-token units per whole RWA token (10**18 token units).
    /// @param minTicket Smallest total subscription of one investor, settlement units.
    /// @param maxTicket Largest total subscription of one investor, settlement units.
    /// @param softCap Raise below which the offering fails, settlement units.
    /// @param hardCap Largest raise, settlement units.
    /// @param deadline Unix time after which no subscription is accepted.
    /// @param allocation ProRata or FirstCome.
    struct Terms {
        uint256 price;
        uint256 minTicket;
        uint256 maxTicket;
        uint256 softCap;
        uint256 hardCap;
        uint64 deadline;
        Allocation allocation;
    }

    /// @notice The RWA token offered.
    IRWAToken public immutable token;
    /// @notice The settlement token subscriptions are paid in.
    IERC20 public immutable settlementToken;
    /// @notice Who receives the raised cash.
    address public immutable issuerTreasury;

    Terms private _terms;
    /// @notice Current state.
    State public state;
    /// @notice Cash subscribed so far (may exceed the hard cap under pro-rata allocation).
    uint256 public totalSubscribed;
    /// @notice Cash raised at close.
    uint256 public totalRaised;
    /// @notice Tokens minted at close.
    uint256 public totalTokensMinted;

    address[] private _subscribers;
    mapping(address investor => uint256) public subscribed;
    mapping(address investor => uint256) public allocatedCash;
    mapping(address investor => uint256) public allocatedTokens;
    mapping(address investor => bool) public refunded;
    /// @notice Subscribers already allocated by `closeBatch` (a cursor into the subscriber list).
    uint256 public closeCursor;
    /// @notice Cash subscribed when closing began (fixes the pro-rata ratio for every batch).
    uint256 public closeTotal;

    /// @notice Emitted for each subscription.
    event Subscribed(address indexed investor, uint256 amount, uint256 investorTotal, uint256 total);
    /// @notice Emitted for each subscriber at close.
    event Allocated(address indexed investor, uint256 cash, uint256 tokens);
    /// @notice Emitted at close when minting to `investor` failed (e.g. no longer verified): it is refunded.
    event AllocationFailed(address indexed investor, uint256 cash);
    /// @notice Emitted at close.
    event OfferingClosed(uint256 totalRaised, uint256 totalTokensMinted, address indexed treasury);
    /// @notice Emitted after each batch of a close: subscribers allocated so far, of how many.
    event CloseProgress(uint256 processed, uint256 subscribers);
    /// @notice Emitted on cancellation.
    event OfferingCancelled(address indexed by);
    /// @notice Emitted for each refund.
    event Refunded(address indexed investor, uint256 amount);

    /// @notice The offering is not open.
    error OfferingNotOpen(State state);
    /// @notice The deadline has passed.
    error DeadlinePassed(uint64 deadline);
    /// @notice The investor is not verified.
    error InvestorNotVerified(address investor);
    /// @notice The investor's total subscription would be below the minimum ticket.
    error BelowMinTicket(uint256 total, uint256 minTicket);
    /// @notice The investor's total subscription would be above the maximum ticket.
    error AboveMaxTicket(uint256 total, uint256 maxTicket);
    /// @notice First-come allocation: the subscription would exceed the hard cap.
    error HardCapExceeded(uint256 remaining, uint256 amount);
    /// @notice Close with the soft cap missed.
    error SoftCapNotReached(uint256 total, uint256 softCap);
    /// @notice The grace period for closing after the deadline is over.
    error CloseWindowPassed(uint64 closeBy);
    /// @notice Nothing to refund.
    error NothingToRefund(address investor);
    /// @notice Invalid terms.
    error InvalidTerms();
    /// @notice The zero amount.
    error ZeroAmount();

    /// @param token_ The RWA token.
    /// @param settlementToken_ The settlement token.
    /// @param issuerTreasury_ Receiver of the raised cash.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE and ISSUER_ROLE.
    /// @param terms_ Offering terms.
    constructor(address token_, address settlementToken_, address issuerTreasury_, address admin, Terms memory terms_) {
        if (
            token_ == address(0) || settlementToken_ == address(0) || issuerTreasury_ == address(0) || terms_.price == 0
                || terms_.minTicket > terms_.maxTicket || terms_.softCap > terms_.hardCap || terms_.hardCap == 0
        ) revert InvalidTerms();
        token = IRWAToken(token_);
        settlementToken = IERC20(settlementToken_);
        issuerTreasury = issuerTreasury_;
        _terms = terms_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, admin);
    }

    /// @notice Offering terms.
    function terms() external view returns (Terms memory) {
        return _terms;
    }

    /// @notice Number of subscribers.
    function subscriberCount() external view returns (uint256) {
        return _subscribers.length;
    }

    /// @notice Subscribe `amount` settlement units (pulled from the caller, who must have approved).
    /// @param amount Settlement token units.
    function subscribe(uint256 amount) external nonReentrant {
        if (state != State.Open) revert OfferingNotOpen(state);
        Terms memory t = _terms;
        if (block.timestamp > t.deadline) revert DeadlinePassed(t.deadline);
        if (amount == 0) revert ZeroAmount();
        if (!token.identityRegistry().isVerified(msg.sender)) revert InvestorNotVerified(msg.sender);
        uint256 investorTotal = subscribed[msg.sender] + amount;
        if (investorTotal < t.minTicket) revert BelowMinTicket(investorTotal, t.minTicket);
        if (investorTotal > t.maxTicket) revert AboveMaxTicket(investorTotal, t.maxTicket);
        uint256 total = totalSubscribed + amount;
        if (t.allocation == Allocation.FirstCome && total > t.hardCap) {
            revert HardCapExceeded(t.hardCap - totalSubscribed, amount);
        }
        if (subscribed[msg.sender] == 0) _subscribers.push(msg.sender);
        subscribed[msg.sender] = investorTotal;
        totalSubscribed = total;
        settlementToken.safeTransferFrom(msg.sender, address(this), amount);
        emit Subscribed(msg.sender, amount, investorTotal, total);
    }

    /// @notice Close in one transaction: allocate, mint the tokens to every subscriber and send the
    /// raised cash to the treasury. Unallocated cash becomes refundable. For many subscribers use
    /// `closeBatch`, since one transaction fits only about 150 allocations.
    function close() external nonReentrant onlyRole(ISSUER_ROLE) {
        _closeBatch(type(uint256).max);
    }

    /// @notice Close in batches: each call allocates the next `maxCount` subscribers, minting their
    /// tokens and sending their cash to the treasury in the same transaction (delivery versus payment
    /// per batch). The first call fixes the pro-rata ratio; the last one closes the offering.
    /// @param maxCount Subscribers to allocate in this call (at least 1).
    function closeBatch(uint256 maxCount) external nonReentrant onlyRole(ISSUER_ROLE) {
        if (maxCount == 0) revert ZeroAmount();
        _closeBatch(maxCount);
    }

    function _closeBatch(uint256 maxCount) private {
        Terms memory t = _terms;
        if (state == State.Open) {
            uint64 closeBy = t.deadline + CLOSE_GRACE_PERIOD;
            if (block.timestamp > closeBy) revert CloseWindowPassed(closeBy);
            uint256 subscribedTotal = totalSubscribed;
            if (subscribedTotal < t.softCap || subscribedTotal == 0) revert SoftCapNotReached(subscribedTotal, t.softCap);
            state = State.Closing;
            closeTotal = subscribedTotal;
        } else if (state != State.Closing) {
            revert OfferingNotOpen(state);
        }
        uint256 total = closeTotal;
        uint256 n = _subscribers.length;
        uint256 i = closeCursor;
        uint256 end = n - i > maxCount ? i + maxCount : n;
        uint256 raised = 0;
        uint256 minted = 0;
        for (; i < end; ++i) {
            address investor = _subscribers[i];
            uint256 cash = subscribed[investor];
            if (total > t.hardCap) cash = (cash * t.hardCap) / total; // only reachable pro rata
            uint256 tokens = (cash * 1e18) / t.price;
            if (tokens == 0) continue;
            try token.mint(investor, tokens) {
                allocatedCash[investor] = cash;
                allocatedTokens[investor] = tokens;
                raised += cash;
                minted += tokens;
                emit Allocated(investor, cash, tokens);
            } catch {
                emit AllocationFailed(investor, cash);
            }
        }
        closeCursor = end;
        totalRaised += raised;
        totalTokensMinted += minted;
        if (end == n) state = State.Closed;
        emit CloseProgress(end, n);
        if (raised != 0) settlementToken.safeTransfer(issuerTreasury, raised);
        if (end == n) emit OfferingClosed(totalRaised, totalTokensMinted, issuerTreasury);
    }

    /// @notice Cancel before close: every subscriber can take the full cash back.
    function cancel() external onlyRole(ISSUER_ROLE) {
        if (state != State.Open) revert OfferingNotOpen(state);
        state = State.Cancelled;
        emit OfferingCancelled(msg.sender);
    }

    /// @notice True when the offering failed: the soft cap was missed by the deadline, or the issuer did not
    /// close within the grace period after it.
    function failed() public view returns (bool) {
        if (state != State.Open || block.timestamp <= _terms.deadline) return false;
        return totalSubscribed < _terms.softCap || block.timestamp > _terms.deadline + CLOSE_GRACE_PERIOD;
    }

    /// @notice Cash the caller can take back now.
    /// @param investor The subscriber.
    function refundableOf(address investor) public view returns (uint256) {
        if (refunded[investor]) return 0;
        if (state == State.Cancelled || failed()) return subscribed[investor];
        if (state == State.Closed) return subscribed[investor] - allocatedCash[investor];
        return 0;
    }

    /// @notice Take back the caller's refundable cash (failed or cancelled offering, or the
    /// unallocated part after an oversubscribed close).
    function refund() external nonReentrant returns (uint256 amount) {
        amount = refundableOf(msg.sender);
        if (amount == 0) revert NothingToRefund(msg.sender);
        refunded[msg.sender] = true;
        settlementToken.safeTransfer(msg.sender, amount);
        emit Refunded(msg.sender, amount);
    }
}
