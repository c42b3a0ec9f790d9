// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBalanceObserver
/// @notice Told by the RWA token about every balance change, so that per-holder accounting kept
/// elsewhere (the RevenueDistributor's corrections) stays exact.
interface IBalanceObserver {
    /// @notice Called by the token after `amount` moved from `from` to `to` (zero address for mint/burn).
    /// @param from Sender, or zero for a mint.
    /// @param to Receiver, or zero for a burn.
    /// @param amount Token amount.
    function balanceChanged(address from, address to, uint256 amount) external;

    /// @notice Called by the token after a wallet recovery moved the whole balance of `lostWallet`
    /// to `newWallet`: the observer moves any entitlement attached to the lost wallet.
    /// @param lostWallet The wallet the investor lost.
    /// @param newWallet The investor's replacement wallet.
    function walletRecovered(address lostWallet, address newWallet) external;
}
