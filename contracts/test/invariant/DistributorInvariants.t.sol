// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {DistributorHandler} from "./handlers/DistributorHandler.sol";

/// The revenue distributor under random distributions, claims, dust recoveries and exclusions, with the
/// token moving under it, wallet recoveries included (DistributorHandler). With W = sum of withdrawableOf, D = undistributedDust() and
/// H = holders that ever had shares, each holder strands less than one unit of sub-unit fraction and the
/// magnified remainder less than one more, so the slack r below is 0 <= r <= H.
contract DistributorInvariants is Fixture {
    DistributorHandler internal handler;
    address internal dustReceiver = makeAddr("dust-receiver");

    function config() internal view override returns (Config memory cfg) {
        cfg = super.config();
        cfg.maxBalance = 2 ** 255; // lifted: the handler mints share bases above 2**128
        cfg.supplyCap = 2 ** 255;
    }

    function setUp() public override {
        super.setUp();
        address[] memory holders = new address[](4);
        (holders[0], holders[1], holders[2], holders[3]) = (alice, bob, carol, makeAddr("grace"));
        register(holders[3], CN, INSTITUTIONAL, CWM_SOUTHBOUND); // mainland: holds through CWM Connect
        DistributorHandler.Roles memory roles = DistributorHandler.Roles({
            admin: admin,
            agent: agent,
            payingAgent: payingAgent,
            attestor: attestor,
            hkdIssuer: hkdIssuer,
            dustReceiver: dustReceiver
        });
        handler = new DistributorHandler(token, hkd, distributor, oracle, roles, holders);
        targetContract(address(handler));
    }

    function _sums() internal view returns (uint256 withdrawable, uint256 withdrawn, uint256 wallets) {
        for (uint256 i = 0; i < handler.holderCount(); ++i) {
            address h = handler.holders(i);
            withdrawable += distributor.withdrawableOf(h);
            withdrawn += distributor.withdrawnOf(h);
            wallets += hkd.balanceOf(h);
        }
    }

    /// The distributor holds exactly what was distributed and not yet claimed or recovered as dust.
    function invariant_CashIsDistributedLessPaidOut() public view {
        assertEq(
            hkd.balanceOf(address(distributor)),
            distributor.totalDistributed() - distributor.totalClaimed() - distributor.dustRecovered()
        );
    }

    /// totalDistributed == totalClaimed + W + D + dustRecovered + r with 0 <= r <= H: revenue is
    /// claimed, claimable or dust, and rounding never creates nor loses more than one unit per holder.
    function invariant_DistributedIsClaimedPlusClaimablePlusDust() public view {
        (uint256 withdrawable,,) = _sums();
        uint256 accounted =
            distributor.totalClaimed() + withdrawable + distributor.undistributedDust() + distributor.dustRecovered();
        assertLe(accounted, distributor.totalDistributed());
        assertLe(distributor.totalDistributed() - accounted, handler.everHeldShares());
    }

    /// Every claim reached its holder: the claimed total is the sum of what holders withdrew and received.
    function invariant_ClaimsReachHolders() public view {
        (, uint256 withdrawn, uint256 wallets) = _sums();
        assertEq(distributor.totalClaimed(), withdrawn);
        assertEq(wallets, withdrawn);
        assertEq(hkd.balanceOf(dustReceiver), distributor.dustRecovered());
    }

    /// Shares mirror the balances of holders not excluded; excluded holders have none.
    function invariant_SharesMirrorBalances() public view {
        uint256 total;
        for (uint256 i = 0; i < handler.holderCount(); ++i) {
            address h = handler.holders(i);
            uint256 expected = distributor.isExcluded(h) ? 0 : token.balanceOf(h);
            assertEq(distributor.sharesOf(h), expected);
            total += expected;
        }
        assertEq(distributor.totalShares(), total);
    }

    /// After each run (shown with -vv): how often each action of the handler ran, to see that the
    /// campaign reaches them all.
    function afterInvariant() public {
        string[9] memory names = [
            "distribute", "claim", "recoverDust", "setExcluded", "mint", "transfer", "forcedTransfer", "burn", "recover"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            emit log_named_uint(names[i], handler.calls(keccak256(bytes(names[i]))));
        }
        emit log_named_uint("distributed", distributor.totalDistributed());
        emit log_named_uint("claimed", distributor.totalClaimed());
    }
}
