// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title SettlementToken
/// @notice A fiat-referenced stablecoin used as the cash leg of every on-chain settlement:
/// an HKD stablecoin (HKMA-licensed issuer) or an offshore-RMB (CNH) token. Only holders of
/// ISSUER_ROLE mint (against fiat received off-chain) and burn (on redemption), so the
/// simulator's off-chain ledger and the on-chain supply can be reconciled exactly.
/// @dev Decimals are fixed at construction. The simulator uses 6 for both HKD and CNH so that
/// fiat minor units (cents, fen) convert exactly: 1 cent = 10^4 token units.
contract SettlementToken is ERC20, AccessControl {
    /// @notice Role allowed to mint and burn: the licensed stablecoin issuer.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    uint8 private immutable _decimals;
    /// @notice ISO-4217 code of the referenced fiat currency, e.g. "HKD" or "CNH".
    string public currency;

    /// @notice Emitted when the issuer mints `amount` to `to` against fiat received.
    event Issued(address indexed issuer, address indexed to, uint256 amount);
    /// @notice Emitted when the issuer burns `amount` from `from` on redemption.
    event Redeemed(address indexed issuer, address indexed from, uint256 amount);

    /// @notice Raised when a mint or burn names the zero amount.
    error ZeroAmount();

    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    /// @param currency_ ISO-4217 code of the referenced currency.
    /// @param decimals_ Token decimals (6 in the simulator).
    /// @param admin Holder of DEFAULT_ADMIN_ROLE and the first ISSUER_ROLE.
    constructor(string memory name_, string memory symbol_, string memory currency_, uint8 decimals_, address admin)
        ERC20(name_, symbol_)
    {
        _decimals = decimals_;
        currency = currency_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, admin);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mint `amount` to `to` against fiat received by the issuer.
    /// @param to Receiver of the new tokens.
    /// @param amount Amount in token units.
    function mint(address to, uint256 amount) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert ZeroAmount();
        _mint(to, amount);
        emit Issued(msg.sender, to, amount);
    }

    /// @notice Burn `amount` held by `from` on redemption; `from` must have approved the issuer,
    /// unless the issuer burns its own balance.
    /// @param from Holder redeeming.
    /// @param amount Amount in token units.
    function burnFrom(address from, uint256 amount) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert ZeroAmount();
        if (from != msg.sender) _spendAllowance(from, msg.sender, amount);
        _burn(from, amount);
        emit Redeemed(msg.sender, from, amount);
    }
}
