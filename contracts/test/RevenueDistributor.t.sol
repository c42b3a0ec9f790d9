// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {RevenueDistributor} from "../src/distribution/RevenueDistributor.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Distribution and claims of revenue, and the entitlement a wallet recovery moves.
contract RevenueDistributorTest is Fixture {
    uint256 internal constant M = 2 ** 128;

    function test_ProRataDistributionAndClaims() public {
        mint(alice, 75 * TOKEN);
        mint(bob, 25 * TOKEN);
        postReport(1);
        fundHkd(payingAgent, 1_000 * HKD, address(distributor));
        vm.expectEmit(true, true, false, false, address(distributor));
        emit RevenueDistributor.RevenueDistributed(payingAgent, 1, 1_000 * HKD, 100 * TOKEN, 0);
        vm.prank(payingAgent);
        distributor.distribute(1_000 * HKD, 1);
        assertEq(distributor.totalShares(), 100 * TOKEN);
        assertApproxEqAbs(distributor.withdrawableOf(alice), 750 * HKD, 1);
        assertApproxEqAbs(distributor.withdrawableOf(bob), 250 * HKD, 1);
        // a transfer after the distribution does not move past revenue
        vm.prank(alice);
        token.transfer(bob, 25 * TOKEN);
        assertApproxEqAbs(distributor.withdrawableOf(alice), 750 * HKD, 1);
        distribute(1_000 * HKD, 2);
        assertApproxEqAbs(distributor.withdrawableOf(alice), 1_250 * HKD, 2);
        assertApproxEqAbs(distributor.withdrawableOf(bob), 750 * HKD, 2);

        uint256 due = distributor.withdrawableOf(alice);
        vm.expectEmit(address(distributor));
        emit RevenueDistributor.RevenueClaimed(alice, due, alice);
        vm.prank(alice);
        assertEq(distributor.claim(), due);
        assertEq(hkd.balanceOf(alice), due);
        assertEq(distributor.withdrawableOf(alice), 0);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RevenueDistributor.NothingToClaim.selector, alice));
        distributor.claim();
        uint256 dueBob = distributor.withdrawableOf(bob);
        vm.prank(agent);
        assertEq(distributor.claimFor(bob), dueBob);
        assertEq(distributor.withdrawnOf(bob), dueBob);
        assertEq(distributor.totalClaimed(), due + dueBob);
        assertEq(distributor.distributedForReport(1), 1_000 * HKD);
        assertEq(distributor.totalDistributed(), 2_000 * HKD);
    }

    /// A recovery moves the revenue the lost wallet has not claimed to the new wallet, which then takes
    /// the lost wallet's share of later distributions too; the lost wallet keeps what it claimed.
    function test_RecoveryMovesTheRevenueEntitlement() public {
        mint(alice, 75 * TOKEN);
        mint(bob, 25 * TOKEN);
        distribute(1_000 * HKD, 1);
        vm.prank(alice);
        distributor.claim();
        distribute(400 * HKD, 2);
        uint256 due = distributor.withdrawableOf(alice);
        assertApproxEqAbs(due, 300 * HKD, 1);
        address recovered = makeAddr("alice-recovered");
        address id = address(_identityOf(alice));
        _addManagementKeyAs(agent, _identityOf(alice), recovered);
        vm.expectEmit(address(distributor));
        emit RevenueDistributor.EntitlementMoved(alice, recovered, due);
        vm.prank(agent);
        token.recoveryAddress(alice, recovered, id);
        assertEq(distributor.withdrawableOf(alice), 0);
        assertEq(distributor.withdrawableOf(recovered), due);
        assertEq(distributor.sharesOf(recovered), 75 * TOKEN);
        assertEq(distributor.sharesOf(alice), 0);
        distribute(1_000 * HKD, 3);
        assertApproxEqAbs(distributor.withdrawableOf(recovered), due + 750 * HKD, 1);
        assertEq(distributor.withdrawableOf(alice), 0);
        assertApproxEqAbs(distributor.withdrawnOf(alice), 750 * HKD, 1);
        vm.prank(recovered);
        distributor.claim();
        assertEq(hkd.balanceOf(recovered), distributor.withdrawnOf(recovered));
        assertApproxEqAbs(distributor.withdrawableOf(bob), 600 * HKD, 2);
    }

    function test_DistributeErrors() public {
        postReport(1);
        vm.startPrank(payingAgent);
        vm.expectRevert(RevenueDistributor.NoShares.selector);
        distributor.distribute(1, 1);
        vm.stopPrank();
        mint(alice, TOKEN);
        vm.startPrank(payingAgent);
        vm.expectRevert(RevenueDistributor.ZeroAmount.selector);
        distributor.distribute(0, 1);
        vm.expectRevert(abi.encodeWithSelector(RevenueDistributor.UnknownReport.selector, 99));
        distributor.distribute(1, 99);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(distributor), 0, 1)
        );
        distributor.distribute(1, 1);
        vm.stopPrank();
        bytes32 role = distributor.DISTRIBUTOR_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, role));
        distributor.distribute(1, 1);
        role = distributor.AGENT_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, role));
        distributor.claimFor(alice);
    }

    function test_MintBurnAndExclusionKeepEntitlements() public {
        mint(alice, 50 * TOKEN);
        mint(bob, 50 * TOKEN);
        distribute(100 * HKD, 1);
        vm.prank(agent);
        token.burn(alice, 50 * TOKEN);
        mint(carol, 50 * TOKEN);
        assertApproxEqAbs(distributor.withdrawableOf(alice), 50 * HKD, 1);
        assertEq(distributor.withdrawableOf(carol), 0);
        vm.startPrank(admin);
        distributor.setExcluded(bob, true);
        vm.expectRevert(abi.encodeWithSelector(RevenueDistributor.ExclusionUnchanged.selector, bob, true));
        distributor.setExcluded(bob, true);
        vm.stopPrank();
        assertTrue(distributor.isExcluded(bob));
        assertEq(distributor.sharesOf(bob), 0);
        assertEq(distributor.totalShares(), 50 * TOKEN);
        distribute(100 * HKD, 2);
        assertApproxEqAbs(distributor.withdrawableOf(bob), 50 * HKD, 1); // the first distribution only
        assertApproxEqAbs(distributor.withdrawableOf(carol), 100 * HKD, 1);
        vm.prank(admin);
        distributor.setExcluded(bob, false);
        assertEq(distributor.sharesOf(bob), 50 * TOKEN);
        assertEq(distributor.totalShares(), 100 * TOKEN);
        assertTrue(distributor.isExcluded(address(dvp)));
        assertTrue(distributor.isExcluded(address(offering)));
        assertTrue(distributor.isExcluded(treasury));
    }

    function test_DustTrackedAndRecoverable() public {
        mint(alice, 3); // 3 token units: 1 cash unit / 3 leaves magnified dust
        for (uint256 period = 1; period <= 3; ++period) {
            distribute(1, period);
        }
        assertEq(distributor.dustMagnified(), 3 * (M % 3));
        vm.startPrank(admin);
        vm.expectRevert(RevenueDistributor.NoDust.selector);
        distributor.recoverDust(treasury);
        vm.expectRevert(RevenueDistributor.ZeroAddress.selector);
        distributor.recoverDust(address(0));
        vm.stopPrank();
    }

    function test_DustRecoverExact() public {
        uint256 shares = 7 * 10 ** 40 + 1; // far above M: whole units of magnified remainder
        vm.startPrank(admin);
        maxBalance.setMaxBalance(2 ** 255);
        supplyCap.setCap(2 ** 255);
        vm.stopPrank();
        mint(alice, shares);
        distribute(10 ** 6, 1);
        uint256 magnified = 10 ** 6 * M;
        assertEq(distributor.dustMagnified(), magnified % shares);
        uint256 dust = distributor.undistributedDust();
        assertEq(dust, (magnified % shares) / M);
        assertGt(dust, 0);
        vm.prank(admin);
        distributor.recoverDust(treasury);
        assertEq(hkd.balanceOf(treasury), dust);
        assertEq(distributor.dustRecovered(), dust);
        uint256 slack =
            hkd.balanceOf(address(distributor)) - distributor.withdrawableOf(alice) - distributor.undistributedDust();
        assertLe(slack, 2); // alice's fraction + the sub-unit dust
    }

    function test_ObserverHooksOnlyFromToken() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(RevenueDistributor.OnlyToken.selector, alice));
        distributor.balanceChanged(alice, bob, 1);
        vm.expectRevert(abi.encodeWithSelector(RevenueDistributor.OnlyToken.selector, alice));
        distributor.walletRecovered(alice, bob);
        vm.stopPrank();
    }

    function test_BatchClaimForPaysEveryoneDueAndSkipsTheRest() public {
        mint(alice, 3 * TOKEN);
        mint(bob, TOKEN);
        distribute(4_000 * HKD, 1);
        address[] memory holders = new address[](3);
        holders[0] = alice;
        holders[1] = bob;
        holders[2] = carol;
        uint256[] memory owed = distributor.withdrawableOfBatch(holders);
        assertEq(owed[2], 0);
        vm.prank(agent);
        uint256 paid = distributor.batchClaimFor(holders);
        assertEq(paid, owed[0] + owed[1]);
        assertEq(hkd.balanceOf(alice), owed[0]);
        assertEq(hkd.balanceOf(bob), owed[1]);
        assertEq(hkd.balanceOf(carol), 0);
    }

    // ------------------------------------------------------------------ fuzz

    /// One distribution: every holder's entitlement is floor(amount x balance / supply), or one unit less.
    function testFuzz_ProRataWithinOneUnit(uint256[4] memory balances, uint256 amount) public {
        address[4] memory who = [alice, bob, carol, makeAddr("grace")];
        register(who[3], CN, INSTITUTIONAL, CWM_SOUTHBOUND); // mainland: holds through CWM Connect
        uint256 supply;
        for (uint256 i = 0; i < 4; ++i) {
            balances[i] = bound(balances[i], 0, 1_000_000 * TOKEN);
            mint(who[i], balances[i]);
            supply += balances[i];
        }
        vm.assume(supply != 0);
        amount = bound(amount, 1, 1e12 * HKD);
        distribute(amount, 1);
        uint256 owed;
        for (uint256 i = 0; i < 4; ++i) {
            uint256 exact = amount * balances[i] / supply;
            uint256 got = distributor.withdrawableOf(who[i]);
            assertLe(got, exact);
            assertLe(exact - got, 1);
            owed += got;
        }
        // what is not owed is dust or sub-unit fractions, never more than one unit per holder (+1)
        assertLe(owed, amount);
        assertLe(amount - owed - distributor.undistributedDust(), 4);
    }

    /// Two distributions around a transfer and a mint: each holder's entitlement stays within one unit of
    /// the sum of its pro-rata shares of each distribution (past revenue does not follow the tokens).
    function testFuzz_EntitlementsFollowBalancesAtEachDistribution(
        uint256 a,
        uint256 b,
        uint256 moved,
        uint256 minted,
        uint256 first,
        uint256 second
    ) public {
        a = bound(a, 1, 1_000_000 * TOKEN);
        b = bound(b, 0, 1_000_000 * TOKEN);
        moved = bound(moved, 0, a);
        minted = bound(minted, 0, 1_000_000 * TOKEN - b); // within the max balance
        first = bound(first, 1, 1e12 * HKD);
        second = bound(second, 1, 1e12 * HKD);
        mint(alice, a);
        mint(bob, b);
        distribute(first, 1);
        vm.prank(alice);
        token.transfer(carol, moved);
        mint(bob, minted);
        distribute(second, 2);
        uint256 s1 = a + b;
        uint256 s2 = s1 + minted;
        uint256[3] memory expected = [
            first * a / s1 + second * (a - moved) / s2, first * b / s1 + second * (b + minted) / s2, second * moved / s2
        ];
        address[3] memory who = [alice, bob, carol];
        for (uint256 i = 0; i < 3; ++i) {
            assertApproxEqAbs(distributor.withdrawableOf(who[i]), expected[i], 1);
        }
    }

    /// A claim pays exactly the withdrawable amount and leaves nothing withdrawable.
    function testFuzz_ClaimPaysWithdrawable(uint256 balance, uint256 amount, bool byAgent) public {
        balance = bound(balance, 1, 1_000_000 * TOKEN);
        amount = bound(amount, 1, 1e12 * HKD);
        mint(alice, balance);
        mint(bob, 1_000 * TOKEN);
        distribute(amount, 1);
        uint256 due = distributor.withdrawableOf(alice);
        vm.assume(due != 0);
        vm.prank(byAgent ? agent : alice);
        if (byAgent) distributor.claimFor(alice);
        else distributor.claim();
        assertEq(hkd.balanceOf(alice), due);
        assertEq(distributor.withdrawableOf(alice), 0);
        assertEq(distributor.totalClaimed(), due);
        assertEq(hkd.balanceOf(address(distributor)), amount - due);
    }
}
