// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title DvPSettlement
/// @notice Atomic delivery versus payment of secondary trades matched off-chain by a licensed
/// platform (SFC VATP / exchange): in one transaction the RWA tokens move seller -> buyer and
/// the cash moves buyer -> seller, less the platform fee, which goes to the fee account. Either
/// both legs happen or neither. Seller and buyer must have approved this contract on the RWA
/// token and the settlement token respectively; the token's own checks (identity, compliance,
/// freezes, pause) apply to the token leg.
contract DvPSettlement is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Role of the trading platform that submits matched trades.
    bytes32 public constant PLATFORM_ROLE = keccak256("PLATFORM_ROLE");

    /// @notice The RWA token.
    IERC20 public immutable token;
    /// @notice The settlement token of the cash leg.
    IERC20 public immutable settlementToken;
    /// @notice Where fees go.
    address public feeAccount;
    /// @notice True once a trade id has been settled.
    mapping(bytes32 tradeId => bool) public settled;
    /// @notice Number of trades settled.
    uint256 public tradeCount;

    /// @notice Emitted for each settled trade.
    event TradeSettled(
        bytes32 indexed tradeId,
        address indexed seller,
        address indexed buyer,
        uint256 tokenAmount,
        uint256 cashAmount,
        uint256 fee,
        address platform
    );
    /// @notice Emitted when the fee account changes.
    event FeeAccountSet(address indexed feeAccount);

    /// @notice The trade id was used before.
    error TradeAlreadySettled(bytes32 tradeId);
    /// @notice The fee exceeds the cash amount.
    error FeeExceedsCash(uint256 fee, uint256 cashAmount);
    /// @notice Seller and buyer are the same wallet.
    error SameParty(address party);
    /// @notice A zero token or cash amount.
    error ZeroAmount();
    /// @notice The zero address was given.
    error ZeroAddress();

    /// @param token_ The RWA token.
    /// @param settlementToken_ The settlement token.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE.
    /// @param feeAccount_ Where fees go.
    constructor(address token_, address settlementToken_, address admin, address feeAccount_) {
        if (token_ == address(0) || settlementToken_ == address(0) || feeAccount_ == address(0)) revert ZeroAddress();
        token = IERC20(token_);
        settlementToken = IERC20(settlementToken_);
        feeAccount = feeAccount_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        emit FeeAccountSet(feeAccount_);
    }

    /// @notice Change the fee account.
    /// @param feeAccount_ New fee account.
    function setFeeAccount(address feeAccount_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeAccount_ == address(0)) revert ZeroAddress();
        feeAccount = feeAccount_;
        emit FeeAccountSet(feeAccount_);
    }

    /// @notice Settle a matched trade atomically.
    /// @param tradeId Unique trade id from the platform.
    /// @param seller Token seller.
    /// @param buyer Token buyer.
    /// @param tokenAmount RWA token units delivered.
    /// @param cashAmount Settlement units paid by the buyer (fee included).
    /// @param fee Part of `cashAmount` that goes to the fee account.
    function settle(
        bytes32 tradeId,
        address seller,
        address buyer,
        uint256 tokenAmount,
        uint256 cashAmount,
        uint256 fee
    ) external nonReentrant onlyRole(PLATFORM_ROLE) {
        if (settled[tradeId]) revert TradeAlreadySettled(tradeId);
        if (seller == buyer) revert SameParty(seller);
        if (tokenAmount == 0 || cashAmount == 0) revert ZeroAmount();
        if (fee > cashAmount) revert FeeExceedsCash(fee, cashAmount);
        settled[tradeId] = true;
        ++tradeCount;
        // Both parties approved this contract for the trade; only PLATFORM_ROLE can move their
        // funds, and only as the two legs of one matched trade (see contracts/slither.triage.md).
        // slither-disable-next-line arbitrary-send-erc20
        token.safeTransferFrom(seller, buyer, tokenAmount);
        // slither-disable-next-line arbitrary-send-erc20
        settlementToken.safeTransferFrom(buyer, seller, cashAmount - fee);
        // slither-disable-next-line arbitrary-send-erc20
        if (fee != 0) settlementToken.safeTransferFrom(buyer, feeAccount, fee);
        emit TradeSettled(tradeId, seller, buyer, tokenAmount, cashAmount, fee, msg.sender);
    }
}
