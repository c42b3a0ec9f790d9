// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RWAToken} from "../../../src/token/RWAToken.sol";
import {SettlementToken} from "../../../src/settlement/SettlementToken.sol";
import {RevenueDistributor} from "../../../src/distribution/RevenueDistributor.sol";
import {ProductionOracle} from "../../../src/oracle/ProductionOracle.sol";
import {IdentityRegistry} from "../../../src/identity/IdentityRegistry.sol";
import {OnchainIdKit, IOnchainIdentity} from "../../utils/OnchainId.sol";

/// Drives the revenue distributor through distributions, claims, dust recovery and exclusions, while the
/// token moves under it (mints, plain and forced transfers, burns, wallet recoveries to fresh wallets, which
/// the recovery registers with the holder's identity while it deletes the lost wallet: from then on the lost
/// wallet only claims, it no longer receives). Each valid action must succeed; a claim must pay exactly what was withdrawable; a recovery moves
/// exactly the lost wallet's withdrawable revenue to the new wallet; and after every action no holder's
/// accumulated revenue has gone down, but for a recovered wallet's, by exactly what moved.
contract DistributorHandler is OnchainIdKit {
    struct Roles {
        address admin;
        address agent;
        address payingAgent;
        address attestor;
        address hkdIssuer;
        address dustReceiver;
    }

    RWAToken public immutable token;
    SettlementToken public immutable hkd;
    RevenueDistributor public immutable distributor;
    ProductionOracle public immutable oracle;
    Roles internal roles;

    address[] public holders;
    /// Holders that ever had shares (each may strand a sub-unit fraction of revenue).
    uint256 public everHeldShares;
    mapping(address holder => bool) internal heldShares;
    mapping(address holder => uint256) internal lastAccumulated;
    uint256 public period;
    mapping(bytes32 action => uint256) public calls;

    constructor(
        RWAToken token_,
        SettlementToken hkd_,
        RevenueDistributor distributor_,
        ProductionOracle oracle_,
        Roles memory roles_,
        address[] memory holders_
    ) {
        token = token_;
        hkd = hkd_;
        distributor = distributor_;
        oracle = oracle_;
        roles = roles_;
        holders = holders_;
    }

    function holderCount() external view returns (uint256) {
        return holders.length;
    }

    function _holder(uint256 seed) internal view returns (address) {
        return holders[seed % holders.length];
    }

    /// The first holder from `seed` on that may receive (is registered: not recovered from).
    function _receiver(uint256 seed) internal view returns (address) {
        IdentityRegistry registry = IdentityRegistry(address(token.identityRegistry()));
        for (uint256 i = 0; i < holders.length; ++i) {
            address h = holders[(seed % holders.length + i) % holders.length];
            if (registry.contains(h)) return h;
        }
        revert("no registered holder"); // a recovery registers as many wallets as it deletes
    }

    function _count(string memory action) internal {
        ++calls[keccak256(bytes(action))];
    }

    /// After every action: record who ever had shares; accumulated revenue never decreases.
    function _after() internal {
        for (uint256 i = 0; i < holders.length; ++i) {
            address h = holders[i];
            if (!heldShares[h] && distributor.sharesOf(h) != 0) {
                heldShares[h] = true;
                ++everHeldShares;
            }
            uint256 acc = distributor.accumulativeOf(h);
            assertGe(acc, lastAccumulated[h], "accumulated revenue went down");
            lastAccumulated[h] = acc;
        }
    }

    // ------------------------------------------------------------------ revenue

    /// Distribute up to 1,000,000 HKD; less when the share base is tiny next to the supply (excluded
    /// holders), so that pointsPerShare x totalSupply grows by at most 1e74 (see `mint`).
    function distribute(uint256 amount) external {
        uint256 shares = distributor.totalShares();
        if (shares == 0) return;
        uint256 most = (1e74 / token.totalSupply()) * shares / distributor.MAGNITUDE();
        if (most == 0) return;
        amount = bound(amount, 1, most < 1e12 ? most : 1e12);
        ++period;
        vm.prank(roles.attestor);
        oracle.report(period, 1, amount, "HKD", bytes32(period));
        vm.prank(roles.hkdIssuer);
        hkd.mint(roles.payingAgent, amount);
        vm.startPrank(roles.payingAgent);
        hkd.approve(address(distributor), amount);
        distributor.distribute(amount, period);
        vm.stopPrank();
        _count("distribute");
        _after();
    }

    function claim(uint256 seed, bool byAgent) external {
        address h = _holder(seed);
        uint256 due = distributor.withdrawableOf(h);
        if (due == 0) return;
        uint256 before = hkd.balanceOf(h);
        vm.prank(byAgent ? roles.agent : h);
        uint256 paid = byAgent ? distributor.claimFor(h) : distributor.claim();
        assertEq(paid, due);
        assertEq(hkd.balanceOf(h), before + due);
        assertEq(distributor.withdrawableOf(h), 0);
        _count("claim");
        _after();
    }

    function recoverDust() external {
        uint256 dust = distributor.undistributedDust();
        if (dust == 0) return;
        uint256 before = hkd.balanceOf(roles.dustReceiver);
        vm.prank(roles.admin);
        distributor.recoverDust(roles.dustReceiver);
        assertEq(hkd.balanceOf(roles.dustReceiver), before + dust);
        _count("recoverDust");
        _after();
    }

    function setExcluded(uint256 seed) external {
        address h = _holder(seed);
        bool excluded = !distributor.isExcluded(h);
        vm.prank(roles.admin);
        distributor.setExcluded(h, excluded);
        _count("setExcluded");
        _after();
    }

    // ------------------------------------------------------------------ the token moving under it

    /// Mint up to 100,000 tokens, or (one time in four) a far larger amount so that the share base can
    /// exceed 2**128 and the magnified remainders add up to whole units of dust. The large amount is kept
    /// below 1e74 / pointsPerShare: with `distribute`'s bound, pointsPerShare x totalSupply grows by at
    /// most 1e74 a call, 6.4e75 in a 64-call run, far inside the int256 range of the corrections. (The
    /// handler does not probe that overflow bound, which no realistic 18-decimal supply reaches.)
    function mint(uint256 seed, uint256 amount) external {
        address h = _receiver(seed);
        if (amount % 4 == 0) {
            uint256 cap = 1e74 / (distributor.pointsPerShare() + 1);
            amount = bound(amount, 0, cap < 1e39 ? cap : 1e39);
        } else {
            amount = bound(amount, 0, 100_000e18);
        }
        vm.prank(roles.agent);
        token.mint(h, amount); // every holder is verified and compliant; the caps are lifted
        _count("mint");
        _after();
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _holder(fromSeed);
        amount = bound(amount, 0, token.balanceOf(from));
        address to = _receiver(toSeed);
        vm.prank(from);
        token.transfer(to, amount);
        _count("transfer");
        _after();
    }

    function forcedTransfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _holder(fromSeed);
        address to = _receiver(toSeed);
        if (from == to) return;
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(roles.agent);
        token.forcedTransfer(from, to, amount);
        _count("forcedTransfer");
        _after();
    }

    function burn(uint256 seed, uint256 amount) external {
        address h = _holder(seed);
        amount = bound(amount, 0, token.balanceOf(h));
        vm.prank(roles.agent);
        token.burn(h, amount);
        _count("burn");
        _after();
    }

    /// Recover a holder's wallet to a fresh wallet, made a management key of its identity: the balance and
    /// the unclaimed revenue move, the lost wallet keeps what it claimed.
    function recover(uint256 seed) external {
        address from = _holder(seed);
        if (token.balanceOf(from) == 0) return;
        address to = makeAddr(string.concat("recovered-", vm.toString(holders.length)));
        IdentityRegistry registry = IdentityRegistry(address(token.identityRegistry()));
        IOnchainIdentity id = IOnchainIdentity(address(registry.identity(from)));
        _addManagementKeyAs(roles.agent, id, to);
        uint256 due = distributor.withdrawableOf(from);
        uint256 accumulated = distributor.accumulativeOf(from);
        vm.prank(roles.agent);
        token.recoveryAddress(from, to, address(id));
        assertEq(distributor.withdrawableOf(from), 0);
        assertEq(distributor.withdrawableOf(to), due, "the recovery did not move the unclaimed revenue");
        assertEq(distributor.accumulativeOf(from), accumulated - due);
        lastAccumulated[from] = accumulated - due;
        holders.push(to);
        _count("recover");
        _after();
    }
}
