// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LockupModule} from "../../src/compliance/modules/LockupModule.sol";
import {Fixture} from "../utils/Fixture.sol";
import {TokenHandler} from "./handlers/TokenHandler.sol";

/// The token with its eight compliance modules (among them a two-day lock-up of every mint) and the
/// distributor as balance observer, under random transfers, mints at different times, burns, forced
/// transfers, wallet recoveries, freezes, pauses, KYC claim revocations and re-issues, and time
/// (TokenHandler). Every invariant holds over all the wallets, the new wallets of recoveries included.
contract TokenInvariants is Fixture {
    TokenHandler internal handler;
    address internal grace = makeAddr("grace");

    function config() internal view override returns (Config memory cfg) {
        cfg = super.config();
        cfg.maxHolders = 5; // binds: seven wallets compete for five places
        cfg.supplyCap = 2_000_000 * TOKEN; // binds: mints of up to 400,000 each
        cfg.lockupSeconds = uint64(2 * DAY); // the handler warps up to a day at a time
    }

    function setUp() public override {
        super.setUp();
        register(grace, CN, INSTITUTIONAL, CWM_SOUTHBOUND);
        address[] memory actors = new address[](7);
        actors[0] = alice; // HK professional
        actors[1] = bob; // CN institutional, CWM southbound
        actors[2] = carol; // HK professional
        actors[3] = dave; // HK retail: the compliance refuses retail
        actors[4] = eve; // KP institutional: and the denied country
        actors[5] = frank; // never registered
        actors[6] = grace; // CN institutional, CWM southbound
        handler = new TokenHandler(token, registry, compliance, lockup, maxHolders, agent, platformIssuer, actors);
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

    /// The max-holders module's count is the number of wallets holding tokens (a recovery swaps one holder
    /// for another).
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

    /// The distributor's shares mirror every balance (no holder here is excluded), recovered wallets
    /// included.
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

    /// No wallet has more tokens locked than it holds (agent burns and forced transfers take locked tokens
    /// last and reduce the locks).
    function invariant_LockedWithinBalance() public view {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            assertLe(lockup.lockedAmount(a), token.balanceOf(a));
        }
    }

    /// The locked amount is the sum of the wallet's unexpired tranches: at most 16, none empty, none ending
    /// later than one lock-up from now (a lock is never extended beyond the newest mint's own end).
    function invariant_LockedIsTheSumOfUnexpiredTranches() public view {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            LockupModule.Tranche[] memory ts = lockup.tranchesOf(a);
            assertLe(ts.length, lockup.MAX_TRANCHES());
            uint256 sum;
            for (uint256 j = 0; j < ts.length; ++j) {
                assertGt(ts[j].until, block.timestamp);
                assertLe(ts[j].until, block.timestamp + lockup.lockupSeconds());
                assertGt(ts[j].amount, 0);
                sum += ts[j].amount;
            }
            assertEq(lockup.lockedAmount(a), sum);
        }
    }

    /// A wallet recovered from keeps nothing: no tokens, frozen tokens, locks or shares.
    function invariant_LostWalletsKeepNothing() public view {
        for (uint256 i = 0; i < handler.lostCount(); ++i) {
            address a = handler.lost(i);
            assertEq(token.balanceOf(a), 0);
            assertEq(token.getFrozenTokens(a), 0);
            assertEq(lockup.lockedAmount(a), 0);
            assertEq(distributor.sharesOf(a), 0);
        }
    }

    /// After each run (shown with -vv): how often each action of the handler ran, to see that the
    /// campaign reaches them all.
    function afterInvariant() public {
        string[15] memory names = [
            "transfer",
            "transfer refused",
            "mint",
            "mint refused",
            "burn",
            "forcedTransfer",
            "forcedTransfer refused",
            "recover",
            "recover refused",
            "setAddressFrozen",
            "freezePartialTokens",
            "unfreezePartialTokens",
            "setPaused",
            "setKyc",
            "warp"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            emit log_named_uint(names[i], handler.calls(keccak256(bytes(names[i]))));
        }
        emit log_named_uint("supply", token.totalSupply());
        emit log_named_uint("holders", maxHolders.holderCount());
    }
}
