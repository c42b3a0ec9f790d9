// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICompliance
/// @notice The compliance contract a token consults before every transfer and notifies after it
/// (ERC-3643 modular compliance). Mint is `from == address(0)`, burn is `to == address(0)`.
interface ICompliance {
    /// @notice The token this compliance is bound to.
    function token() external view returns (address);

    /// @notice True when every module allows moving `amount` from `from` to `to` now.
    /// @param from Sender (zero for a mint).
    /// @param to Receiver (zero for a burn).
    /// @param amount Token amount.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool);

    /// @notice Hook called by the bound token after a transfer (balances already updated).
    /// @param from Sender.
    /// @param to Receiver.
    /// @param amount Token amount.
    function transferred(address from, address to, uint256 amount) external;

    /// @notice Hook called by the bound token after a mint.
    /// @param to Receiver.
    /// @param amount Token amount.
    function created(address to, uint256 amount) external;

    /// @notice Hook called by the bound token after a burn.
    /// @param from Holder burnt from.
    /// @param amount Token amount.
    function destroyed(address from, uint256 amount) external;

    /// @notice Hook called by the bound token when an agent recovers `lostWallet` to `newWallet`,
    /// before the balance moves (the `transferred` hook follows).
    /// @param lostWallet The wallet the investor lost.
    /// @param newWallet The investor's new wallet.
    function beforeRecovery(address lostWallet, address newWallet) external;

    /// @notice True when a module keeps state from the hooks (holder count, locks): such a compliance
    /// must see every balance change of its token from a zero supply on.
    function needsHistory() external view returns (bool);

    /// @notice True once the stateful modules have seen a balance change: their state belongs to the
    /// token they watched, so a token must not switch (back) to this compliance.
    function inUse() external view returns (bool);
}
