// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRWAToken} from "../token/IRWAToken.sol";

/// @title PrimaryOffering
/// @notice Primary subscription of the RWA token against a settlement token. Verified investors
/// escrow cash here (within a min and max ticket). The issuer then closes, in one transaction or in
/// batches: each allocation mints the investor's tokens, and the allocated cash stays escrowed here
/// until the last batch, which pays the treasury only if the cash actually allocated (allocations
/// whose mint the token refused excluded) reaches the soft cap; otherwise the offering fails, every
/// subscriber is refunded in full and the tokens already minted are burned as their holders are
/// refunded. Oversubscription beyond the hard cap is allocated pro rata or first come first served
/// (fixed at deployment). If the soft cap is missed by the deadline, or the issuer cancels before
/// close, every subscriber gets the full cash back. Refunds are pull-based.
/// @dev Time limits. The issuer must start and finish the close by `deadline + CLOSE_GRACE_PERIOD`.
/// An offering still open then has failed. A close still running then is abandoned: subscribers not
/// yet processed get their cash back in full, and the processed allocations stand if they reach the
/// soft cap on their own (the treasury is paid them), else the offering fails as above. While a close
/// runs, a processed investor's unallocated cash (pro-rata excess, or a refused mint) is refundable at
/// once. So no subscription is held beyond the close window, whatever the issuer does.
/// Why escrow instead of paying the treasury per batch: the soft cap can only be judged on the whole
/// allocation, which is known at the last batch; cash paid out earlier could not be refunded if the
/// offering then fails. Why burning at refund instead of in the last batch: unwinding every
/// allocation in one transaction would reintroduce the unbounded loop the batches avoid; at refund
/// it is O(1) per investor, and refunding the allocated cash only against the return of the tokens
/// keeps cash and tokens from being held twice (tokens moved away or frozen by an agent must be back,
/// unfrozen, before that part is refunded; the rest of the cash never waits for them).
/// The offering needs AGENT_ROLE on the token (to mint and to burn). Each batch loops over its
/// subscribers (about 1.5e5 gas each with the full compliance), so `closeBatch(n)` bounds the gas.
contract PrimaryOffering is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Role of the issuer (closes or cancels the offering).
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice How long after the deadline the issuer may still start and finish a close; after it,
    /// an offering never closed has failed and a close left unfinished is abandoned, so an issuer
    /// cannot lock subscriptions forever.
    uint64 public constant CLOSE_GRACE_PERIOD = 30 days;

    /// @notice Allocation when oversubscribed.
    enum Allocation {
        ProRata,
        FirstCome
    }

    /// @notice Life cycle: Open -> Closing -> Closed | Failed; Open -> Cancelled. (An open offering past
    /// its deadline below the soft cap, or past the close window, has failed without leaving Open.)
    enum State {
        Open,
        Closed,
        Cancelled,
        Closing,
        Failed
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
    /// @notice Cash paid to the treasury when the offering closed (zero until then, and if it fails).
    uint256 public totalRaised;
    /// @notice Tokens minted by the close (including any burned again when a failed close is unwound).
    uint256 public totalTokensMinted;
    /// @notice Cash allocated by the close so far, escrowed here until the close completes.
    uint256 public totalAllocated;

    /// @dev One storage slot per subscriber: what it subscribed and its place in the close order.
    struct Subscription {
        uint192 amount; // settlement units
        uint64 position; // 1-based index in _subscribers
    }

    address[] private _subscribers;
    mapping(address investor => Subscription) private _subscriptions;
    /// @notice Cash allocated to `investor` (zeroed when a failed close unwinds the allocation).
    mapping(address investor => uint256) public allocatedCash;
    /// @notice Tokens minted to `investor` (zeroed when a failed close burns them back).
    mapping(address investor => uint256) public allocatedTokens;
    /// @notice Cash refunded to `investor` so far.
    mapping(address investor => uint256) public refunded;
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
    /// @notice Emitted when the close completed with the soft cap reached: `totalRaised` paid to `treasury`.
    event OfferingClosed(uint256 totalRaised, uint256 totalTokensMinted, address indexed treasury);
    /// @notice Emitted when the close completed (or was abandoned) with less than the soft cap allocated:
    /// nothing is paid out, every subscriber is refunded in full and the minted tokens are burned.
    event OfferingFailed(uint256 allocated, uint256 softCap);
    /// @notice Emitted when a close still running at the end of the close window is settled as it stands.
    event CloseAbandoned(uint256 processed, uint256 subscribers);
    /// @notice Emitted after each batch of a close: subscribers allocated so far, of how many.
    event CloseProgress(uint256 processed, uint256 subscribers);
    /// @notice Emitted on cancellation.
    event OfferingCancelled(address indexed by);
    /// @notice Emitted for each refund.
    event Refunded(address indexed investor, uint256 amount);
    /// @notice Emitted when a failed close burns an investor's tokens against the refund of its allocated cash.
    event AllocationUnwound(address indexed investor, uint256 cash, uint256 tokens);

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
    /// @notice No close to settle as abandoned: the offering is not closing, or its close window is still open.
    error CloseNotAbandoned(State state, uint64 closeBy);
    /// @notice Nothing to refund.
    error NothingToRefund(address investor);
    /// @notice A failed close refunds the allocated cash only against the allocated tokens, which the
    /// investor's wallet must hold unfrozen (and the wallet must not be frozen).
    error TokensNotReturnable(address investor, uint256 available, uint256 needed);
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

    /// @notice Cash `investor` subscribed in total.
    /// @param investor The subscriber.
    function subscribed(address investor) public view returns (uint256) {
        return _subscriptions[investor].amount;
    }

    /// @notice Subscribe `amount` settlement units (pulled from the caller, who must have approved).
    /// @param amount Settlement token units.
    function subscribe(uint256 amount) external nonReentrant {
        if (state != State.Open) revert OfferingNotOpen(state);
        Terms memory t = _terms;
        if (block.timestamp > t.deadline) revert DeadlinePassed(t.deadline);
        if (amount == 0) revert ZeroAmount();
        if (!token.identityRegistry().isVerified(msg.sender)) revert InvestorNotVerified(msg.sender);
        Subscription memory sub = _subscriptions[msg.sender];
        uint256 investorTotal = sub.amount + amount;
        if (investorTotal < t.minTicket) revert BelowMinTicket(investorTotal, t.minTicket);
        if (investorTotal > t.maxTicket) revert AboveMaxTicket(investorTotal, t.maxTicket);
        uint256 total = totalSubscribed + amount;
        if (t.allocation == Allocation.FirstCome && total > t.hardCap) {
            revert HardCapExceeded(t.hardCap - totalSubscribed, amount);
        }
        if (sub.position == 0) {
            _subscribers.push(msg.sender);
            sub.position = uint64(_subscribers.length);
        }
        sub.amount = SafeCast.toUint192(investorTotal);
        _subscriptions[msg.sender] = sub;
        totalSubscribed = total;
        settlementToken.safeTransferFrom(msg.sender, address(this), amount);
        emit Subscribed(msg.sender, amount, investorTotal, total);
    }

    /// @notice Close in one transaction: allocate, mint the tokens to every subscriber and, if the
    /// allocated cash reaches the soft cap, send it to the treasury (else the offering fails).
    /// Unallocated cash becomes refundable. For many subscribers use `closeBatch`, since one
    /// transaction fits only about 150 allocations.
    function close() external nonReentrant onlyRole(ISSUER_ROLE) {
        _closeBatch(type(uint256).max);
    }

    /// @notice Close in batches: each call allocates the next `maxCount` subscribers and mints their
    /// tokens; their cash stays escrowed. The first call fixes the pro-rata ratio; the last one pays the
    /// whole allocated cash to the treasury if it reaches the soft cap, else marks the offering failed.
    /// Every batch must run by `deadline + CLOSE_GRACE_PERIOD`.
    /// @param maxCount Subscribers to allocate in this call (at least 1).
    function closeBatch(uint256 maxCount) external nonReentrant onlyRole(ISSUER_ROLE) {
        if (maxCount == 0) revert ZeroAmount();
        _closeBatch(maxCount);
    }

    function _closeBatch(uint256 maxCount) private {
        Terms memory t = _terms;
        uint64 closeBy = t.deadline + CLOSE_GRACE_PERIOD;
        if (state == State.Open) {
            if (block.timestamp > closeBy) revert CloseWindowPassed(closeBy);
            uint256 subscribedTotal = totalSubscribed;
            if (subscribedTotal < t.softCap || subscribedTotal == 0) revert SoftCapNotReached(subscribedTotal, t.softCap);
            state = State.Closing;
            closeTotal = subscribedTotal;
        } else if (state == State.Closing) {
            // unprocessed subscribers may already have taken their cash back: no allocation after the window
            if (block.timestamp > closeBy) revert CloseWindowPassed(closeBy);
        } else {
            revert OfferingNotOpen(state);
        }
        uint256 total = closeTotal;
        uint256 n = _subscribers.length;
        uint256 i = closeCursor;
        uint256 end = n - i > maxCount ? i + maxCount : n;
        uint256 allocated = 0;
        uint256 minted = 0;
        for (; i < end; ++i) {
            address investor = _subscribers[i];
            uint256 cash = _subscriptions[investor].amount;
            if (total > t.hardCap) cash = (cash * t.hardCap) / total; // only reachable pro rata
            uint256 tokens = (cash * 1e18) / t.price;
            if (tokens == 0) continue;
            try token.mint(investor, tokens) {
                allocatedCash[investor] = cash;
                allocatedTokens[investor] = tokens;
                allocated += cash;
                minted += tokens;
                emit Allocated(investor, cash, tokens);
            } catch {
                emit AllocationFailed(investor, cash);
            }
        }
        closeCursor = end;
        totalAllocated += allocated;
        totalTokensMinted += minted;
        emit CloseProgress(end, n);
        if (end == n) {
            uint256 payout = _completeClose();
            if (payout != 0) settlementToken.safeTransfer(issuerTreasury, payout);
        }
    }

    /// @notice Settle a close the issuer left unfinished at `deadline + CLOSE_GRACE_PERIOD`, as it
    /// stands: the processed allocations stand (and the treasury is paid) if they reach the soft cap,
    /// else the offering fails; unprocessed subscribers are refunded in full either way. Anyone may
    /// call it (`refund` does it too).
    function settleAbandonedClose() external nonReentrant {
        if (!_abandoned()) revert CloseNotAbandoned(state, _terms.deadline + CLOSE_GRACE_PERIOD);
        uint256 payout = _abandon();
        if (payout != 0) settlementToken.safeTransfer(issuerTreasury, payout);
    }

    /// @notice Cancel before close: every subscriber can take the full cash back.
    function cancel() external onlyRole(ISSUER_ROLE) {
        if (state != State.Open) revert OfferingNotOpen(state);
        state = State.Cancelled;
        emit OfferingCancelled(msg.sender);
    }

    /// @notice True when the offering failed: the soft cap was missed by the deadline; or the issuer did
    /// not close within the grace period after it; or the close allocated less than the soft cap (its
    /// allocations are then unwound at refund), including a close abandoned at the end of the window.
    function failed() public view returns (bool) {
        State s = state;
        if (s == State.Failed) return true;
        uint64 deadline = _terms.deadline;
        if (s == State.Closing) return block.timestamp > deadline + CLOSE_GRACE_PERIOD && !_softCapMet(totalAllocated);
        if (s != State.Open || block.timestamp <= deadline) return false;
        return totalSubscribed < _terms.softCap || block.timestamp > deadline + CLOSE_GRACE_PERIOD;
    }

    /// @notice Cash `investor` can take back now: everything when the offering failed or was cancelled;
    /// the unallocated part once it is closed; while a close runs, the unallocated part of an investor
    /// already processed. In a failed close the allocated part is paid only against the allocated tokens
    /// (see `refund`).
    /// @param investor The subscriber.
    function refundableOf(address investor) public view returns (uint256) {
        Subscription memory sub = _subscriptions[investor];
        uint256 paid = sub.amount;
        uint256 owed = 0;
        State s = state;
        if (s == State.Closing && _abandoned()) s = _softCapMet(totalAllocated) ? State.Closed : State.Failed;
        if (s == State.Cancelled || s == State.Failed || failed()) {
            owed = paid;
        } else if (s == State.Closed || (s == State.Closing && sub.position <= closeCursor)) {
            owed = paid - allocatedCash[investor];
        }
        return owed - refunded[investor];
    }

    /// @notice Take back the caller's refundable cash (failed or cancelled offering, or the unallocated
    /// part once processed by a close). In a failed close the caller's allocated tokens are burned
    /// against the refund of their cash; if the wallet no longer holds them unfrozen, only the cash not
    /// tied to them is paid now (`TokensNotReturnable` when there is none).
    /// After the close window it first settles an abandoned close.
    function refund() external nonReentrant returns (uint256 amount) {
        uint256 payout = _abandoned() ? _abandon() : 0;
        amount = refundableOf(msg.sender);
        if (amount == 0) revert NothingToRefund(msg.sender);
        uint256 tokens = state == State.Failed ? allocatedTokens[msg.sender] : 0;
        bool unwind = false;
        if (tokens != 0) {
            uint256 available = _returnable(msg.sender);
            if (available >= tokens) {
                unwind = true;
                emit AllocationUnwound(msg.sender, allocatedCash[msg.sender], tokens);
                allocatedCash[msg.sender] = 0;
                allocatedTokens[msg.sender] = 0;
            } else {
                amount -= allocatedCash[msg.sender]; // what is not tied to the tokens
                if (amount == 0) revert TokensNotReturnable(msg.sender, available, tokens);
            }
        }
        refunded[msg.sender] += amount;
        emit Refunded(msg.sender, amount);
        if (unwind) token.burn(msg.sender, tokens);
        settlementToken.safeTransfer(msg.sender, amount);
        if (payout != 0) settlementToken.safeTransfer(issuerTreasury, payout);
    }

    /// @dev The last batch (or an abandoned close): Closed if the allocated cash reaches the soft cap,
    /// else Failed. Returns what the caller must pay the treasury (after its own effects).
    function _completeClose() private returns (uint256 payout) {
        uint256 allocated = totalAllocated;
        if (_softCapMet(allocated)) {
            state = State.Closed;
            totalRaised = allocated;
            emit OfferingClosed(allocated, totalTokensMinted, issuerTreasury);
            return allocated;
        }
        state = State.Failed;
        emit OfferingFailed(allocated, _terms.softCap);
        return 0;
    }

    function _abandon() private returns (uint256 payout) {
        emit CloseAbandoned(closeCursor, _subscribers.length);
        return _completeClose();
    }

    function _abandoned() private view returns (bool) {
        return state == State.Closing && block.timestamp > _terms.deadline + CLOSE_GRACE_PERIOD;
    }

    function _softCapMet(uint256 allocated) private view returns (bool) {
        return allocated != 0 && allocated >= _terms.softCap;
    }

    /// @dev Tokens the offering may burn back from `investor`: its unfrozen balance, none if the wallet is frozen.
    function _returnable(address investor) private view returns (uint256) {
        if (token.isFrozen(investor)) return 0;
        uint256 balance = token.balanceOf(investor);
        uint256 frozenTokens = token.getFrozenTokens(investor);
        return balance > frozenTokens ? balance - frozenTokens : 0;
    }
}
