// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IComplianceModule
/// @notice One rule of a ModularCompliance. Checks run before the transfer (balances not yet
/// moved); transfer, mint and burn actions run after it (balances already moved); the recovery
/// action runs before the recovery's transfer. Actions are callable only by the compliance the
/// module is bound to.
interface IComplianceModule {
    /// @notice The ModularCompliance this module serves.
    function compliance() external view returns (address);

    /// @notice True when the rule keeps state from the hooks (holder count, locks), so it must see every
    /// balance change of its token from a zero supply on: it cannot be added once tokens exist, and once
    /// it has seen balance changes it is never re-added after a removal nor carried to another binding.
    function needsHistory() external pure returns (bool);

    /// @notice Short name of the rule.
    function name() external pure returns (string memory);

    /// @notice True when the rule allows moving `amount` from `from` to `to`.
    /// @param from Sender (zero for a mint).
    /// @param to Receiver (zero for a burn).
    /// @param amount Token amount.
    function moduleCheck(address from, address to, uint256 amount) external view returns (bool);

    /// @notice State update after a transfer.
    /// @param from Sender.
    /// @param to Receiver.
    /// @param amount Token amount.
    function moduleTransferAction(address from, address to, uint256 amount) external;

    /// @notice State update after a mint.
    /// @param to Receiver.
    /// @param amount Token amount.
    function moduleMintAction(address to, uint256 amount) external;

    /// @notice State update after a burn.
    /// @param from Holder burnt from.
    /// @param amount Token amount.
    function moduleBurnAction(address from, uint256 amount) external;

    /// @notice State update when the token recovers `lostWallet` to `newWallet`, called before the
    /// lost wallet's balance moves (the transfer action follows). What belongs to the holder rather
    /// than to the balance (a lock-up) moves to the new wallet here.
    /// @param lostWallet The wallet the investor lost.
    /// @param newWallet The investor's new wallet.
    function moduleRecoveryAction(address lostWallet, address newWallet) external;
}
