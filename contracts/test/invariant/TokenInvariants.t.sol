// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {TokenHandler} from "./handlers/TokenHandler.sol";

/// The token with its seven compliance modules and the distributor as balance observer, under random
/// transfers, mints, burns, forced transfers, freezes, pauses and KYC changes (TokenHandler).
contract TokenInvariants is Fixture {
    TokenHandler internal handler;
    address internal grace = makeAddr("grace");

    function config() internal view override returns (Config memory cfg) {
        cfg = super.config();
        cfg.maxHolders = 5; // binds: seven wallets compete for five places
        cfg.supplyCap = 2_000_000 * TOKEN; // binds: mints of up to 400,000 each
    }

    function setUp() public override {
        super.setUp();
        register(grace, CN, INSTITUTIONAL, NOMINEE);
        address[] memory actors = new address[](7);
        uint16[] memory countries = new uint16[](7);
        uint8[] memory categories = new uint8[](7);
        (actors[0], countries[0], categories[0]) = (alice, HK, PROFESSIONAL);
        (actors[1], countries[1], categories[1]) = (bob, CN, INSTITUTIONAL);
        (actors[2], countries[2], categories[2]) = (carol, HK, PROFESSIONAL);
        (actors[3], countries[3], categories[3]) = (dave, HK, RETAIL); // the compliance refuses retail
        (actors[4], countries[4], categories[4]) = (eve, KP, INSTITUTIONAL); // and the denied country
        (actors[5], countries[5], categories[5]) = (frank, 0, 0); // never registered
        (actors[6], countries[6], categories[6]) = (grace, CN, INSTITUTIONAL);
        handler = new TokenHandler(token, registry, compliance, agent, actors, countries, categories);
        targetContract(address(handler));
    }

    /// The sum of all balances is the total supply, which is everything minted less everything burnt.
    function invariant_SumOfBalancesIsTotalSupply() public view {
        uint256 sum;
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            sum += token.balanceOf(handler.actors(i));
        }
        assertEq(sum, token.totalSupply());
        assertEq(token.totalSupply(), handler.ghostMinted() - handler.ghostBurned());
    }

    /// No wallet has more tokens frozen than it holds.
    function invariant_FrozenWithinBalance() public view {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            assertLe(token.getFrozenTokens(a), token.balanceOf(a));
        }
    }

    /// The max-holders module's count is the number of wallets holding tokens.
    function invariant_HolderCountMatches() public view {
        uint256 holders;
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            if (token.balanceOf(handler.actors(i)) != 0) ++holders;
        }
        assertEq(maxHolders.holderCount(), holders);
    }

    /// Mints never take the supply above the supply cap.
    function invariant_SupplyWithinCap() public view {
        assertLe(token.totalSupply(), supplyCap.cap());
    }

    /// The distributor's shares mirror every balance (no holder here is excluded).
    function invariant_DistributorSharesMirrorBalances() public view {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            assertEq(distributor.sharesOf(a), token.balanceOf(a));
        }
        assertEq(distributor.totalShares(), token.totalSupply());
    }

    /// A wallet that was never registered never holds a token.
    function invariant_UnregisteredWalletNeverHolds() public view {
        assertEq(token.balanceOf(frank), 0);
    }

    /// After each run (shown with -vv): how often each action of the handler ran, to see that the
    /// campaign reaches them all.
    function afterInvariant() public {
        string[12] memory names = [
            "transfer",
            "transfer refused",
            "mint",
            "mint refused",
            "burn",
            "forcedTransfer",
            "forcedTransfer refused",
            "setAddressFrozen",
            "freezePartialTokens",
            "unfreezePartialTokens",
            "setPaused",
            "setKyc"
        ];
        for (uint256 i = 0; i < 12; ++i) {
            emit log_named_uint(names[i], handler.calls(keccak256(bytes(names[i]))));
        }
        emit log_named_uint("supply", token.totalSupply());
        emit log_named_uint("holders", maxHolders.holderCount());
    }
}
