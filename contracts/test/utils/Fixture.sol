// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {SettlementToken} from "../../src/settlement/SettlementToken.sol";
import {IdentityRegistry} from "../../src/identity/IdentityRegistry.sol";
import {ModularCompliance} from "../../src/compliance/ModularCompliance.sol";
import {CountryAllowModule} from "../../src/compliance/modules/CountryAllowModule.sol";
import {CountryDenyModule} from "../../src/compliance/modules/CountryDenyModule.sol";
import {InvestorCategoryModule} from "../../src/compliance/modules/InvestorCategoryModule.sol";
import {MaxBalanceModule} from "../../src/compliance/modules/MaxBalanceModule.sol";
import {MaxHoldersModule} from "../../src/compliance/modules/MaxHoldersModule.sol";
import {LockupModule} from "../../src/compliance/modules/LockupModule.sol";
import {SupplyCapModule} from "../../src/compliance/modules/SupplyCapModule.sol";
import {RWAToken} from "../../src/token/RWAToken.sol";
import {ProductionOracle} from "../../src/oracle/ProductionOracle.sol";
import {RevenueDistributor} from "../../src/distribution/RevenueDistributor.sol";
import {PrimaryOffering} from "../../src/offering/PrimaryOffering.sol";
import {DvPSettlement} from "../../src/settlement/DvPSettlement.sol";

/// @notice The whole suite deployed and wired as simulator/chain/suite.py `deploy_suite` does, with the
/// same default terms, plus named investors. Tests override `config()` to change a term.
abstract contract Fixture is Test {
    // registry codes (simulator/identity.py)
    uint16 internal constant HK = 344;
    uint16 internal constant CN = 156;
    uint16 internal constant KP = 408;
    uint8 internal constant RETAIL = 0;
    uint8 internal constant PROFESSIONAL = 1;
    uint8 internal constant INSTITUTIONAL = 2;
    uint8 internal constant DIRECT = 0;
    uint8 internal constant CWM_SOUTHBOUND = 1;
    uint8 internal constant NOMINEE = 2;

    uint256 internal constant TOKEN = 1e18;
    uint256 internal constant HKD = 1e6;
    uint256 internal constant DAY = 86_400;
    uint256 internal constant YEAR = 365 * DAY;
    /// A realistic clock (forge starts at timestamp 1).
    uint256 internal constant START = 1_767_225_600; // 2026-01-01

    struct Config {
        uint256 maxBalance;
        uint256 maxHolders;
        uint64 lockupSeconds;
        uint256 supplyCap;
        uint256 price;
        uint256 minTicket;
        uint256 maxTicket;
        uint256 softCap;
        uint256 hardCap;
        uint64 offeringSeconds;
        PrimaryOffering.Allocation allocation;
    }

    address internal admin = makeAddr("admin");
    address internal agent = makeAddr("agent");
    address internal issuer = makeAddr("issuer");
    address internal treasury = makeAddr("treasury");
    address internal payingAgent = makeAddr("paying-agent");
    address internal platform = makeAddr("platform");
    address internal feeAccount = makeAddr("fee-account");
    address internal attestor = makeAddr("attestor");
    address internal hkdIssuer = makeAddr("hkd-issuer");

    address internal alice = makeAddr("alice"); // HK professional, direct
    address internal bob = makeAddr("bob"); // CN institutional, CWM southbound
    address internal carol = makeAddr("carol"); // HK professional, nominee
    address internal dave = makeAddr("dave"); // HK retail
    address internal eve = makeAddr("eve"); // KP (denied country), institutional
    address internal frank = makeAddr("frank"); // never registered

    SettlementToken internal hkd;
    IdentityRegistry internal registry;
    ModularCompliance internal compliance;
    CountryAllowModule internal countryAllow;
    CountryDenyModule internal countryDeny;
    InvestorCategoryModule internal investorCategory;
    MaxBalanceModule internal maxBalance;
    MaxHoldersModule internal maxHolders;
    LockupModule internal lockup;
    SupplyCapModule internal supplyCap;
    RWAToken internal token;
    ProductionOracle internal oracle;
    RevenueDistributor internal distributor;
    PrimaryOffering internal offering;
    DvPSettlement internal dvp;

    /// The defaults of simulator/chain/suite.py SuiteConfig.
    function config() internal view virtual returns (Config memory) {
        return Config({
            maxBalance: 1_000_000 * TOKEN,
            maxHolders: 10_000,
            lockupSeconds: 0,
            supplyCap: 10_000_000 * TOKEN,
            price: 10 * HKD,
            minTicket: 1_000 * HKD,
            maxTicket: 1_000_000 * HKD,
            softCap: 10_000 * HKD,
            hardCap: 1_000_000 * HKD,
            offeringSeconds: uint64(30 * DAY),
            allocation: PrimaryOffering.Allocation.ProRata
        });
    }

    function setUp() public virtual {
        vm.warp(START);
        Config memory cfg = config();
        hkd = new SettlementToken("HKD Stablecoin", "HKDS", "HKD", 6, hkdIssuer);

        vm.startPrank(admin);
        registry = new IdentityRegistry(admin, agent);
        compliance = new ModularCompliance(admin);
        address c = address(compliance);
        countryAllow = new CountryAllowModule(c, admin);
        countryDeny = new CountryDenyModule(c, admin);
        investorCategory = new InvestorCategoryModule(c, admin);
        maxBalance = new MaxBalanceModule(c, admin, cfg.maxBalance);
        maxHolders = new MaxHoldersModule(c, admin, cfg.maxHolders);
        lockup = new LockupModule(c, admin, cfg.lockupSeconds);
        supplyCap = new SupplyCapModule(c, admin, cfg.supplyCap);
        countryAllow.allowCountry(CN);
        countryAllow.allowCountry(HK);
        countryDeny.denyCountry(KP);
        compliance.addModule(address(countryAllow));
        compliance.addModule(address(countryDeny));
        compliance.addModule(address(investorCategory));
        compliance.addModule(address(maxBalance));
        compliance.addModule(address(maxHolders));
        compliance.addModule(address(lockup));
        compliance.addModule(address(supplyCap));

        token = new RWAToken("GBA Solar Revenue Token", "GBASOLAR", address(registry), c, admin, agent);
        compliance.bindToken(address(token));
        oracle = new ProductionOracle(admin, attestor);
        distributor = new RevenueDistributor(address(token), address(hkd), address(oracle), admin);
        token.setBalanceObserver(address(distributor));
        offering = deployOffering(cfg);
        dvp = new DvPSettlement(address(token), address(hkd), admin, feeAccount);

        distributor.grantRole(distributor.DISTRIBUTOR_ROLE(), payingAgent);
        distributor.grantRole(distributor.AGENT_ROLE(), agent);
        dvp.grantRole(dvp.PLATFORM_ROLE(), platform);
        distributor.setExcluded(address(dvp), true);
        distributor.setExcluded(address(offering), true);
        distributor.setExcluded(treasury, true);
        vm.stopPrank();

        register(alice, HK, PROFESSIONAL, DIRECT);
        register(bob, CN, INSTITUTIONAL, CWM_SOUTHBOUND);
        register(carol, HK, PROFESSIONAL, NOMINEE);
        register(dave, HK, RETAIL, DIRECT);
        register(eve, KP, INSTITUTIONAL, DIRECT);
    }

    /// A PrimaryOffering on the suite's token and HKD, with its roles (AGENT_ROLE on the token, the
    /// issuer's ISSUER_ROLE); the caller must be `admin` (pranked).
    function deployOffering(Config memory cfg) internal returns (PrimaryOffering o) {
        PrimaryOffering.Terms memory terms = PrimaryOffering.Terms({
            price: cfg.price,
            minTicket: cfg.minTicket,
            maxTicket: cfg.maxTicket,
            softCap: cfg.softCap,
            hardCap: cfg.hardCap,
            deadline: uint64(block.timestamp) + cfg.offeringSeconds,
            allocation: cfg.allocation
        });
        o = new PrimaryOffering(address(token), address(hkd), treasury, admin, terms);
        token.grantRole(token.AGENT_ROLE(), address(o));
        o.grantRole(o.ISSUER_ROLE(), issuer);
    }

    // ------------------------------------------------------------------ helpers

    /// An offering of the suite's token with small terms (as tests/contracts/test_offering_dvp.py
    /// make_offering): price 10 HKD, tickets 100 to 8,000 HKD, deadline 1,000 s from now.
    function smallOffering(uint256 soft, uint256 hard, PrimaryOffering.Allocation allocation)
        internal
        returns (PrimaryOffering o)
    {
        Config memory cfg = config();
        cfg.softCap = soft;
        cfg.hardCap = hard;
        cfg.minTicket = 100 * HKD;
        cfg.maxTicket = 8_000 * HKD;
        cfg.offeringSeconds = 1_000;
        cfg.allocation = allocation;
        o = deployOfferingAsAdmin(cfg);
    }

    function deployOfferingAsAdmin(Config memory cfg) internal returns (PrimaryOffering o) {
        vm.startPrank(admin);
        o = deployOffering(cfg);
        vm.stopPrank();
    }

    /// Fund `who` with `amount` HKD and subscribe it to `o`.
    function subscribe(PrimaryOffering o, address who, uint256 amount) internal {
        fundHkd(who, amount, address(o));
        vm.prank(who);
        o.subscribe(amount);
    }

    /// A fresh wallet named `name`, registered as an HK professional (e.g. the new wallet of a recovery).
    function registerFresh(string memory name) internal returns (address wallet) {
        wallet = makeAddr(name);
        register(wallet, HK, PROFESSIONAL, DIRECT);
    }

    function register(address wallet, uint16 country, uint8 category, uint8 channel) internal {
        vm.prank(agent);
        registry.registerIdentity(wallet, country, category, channel, uint64(block.timestamp + 10 * YEAR));
    }

    function mint(address to, uint256 amount) internal {
        vm.prank(agent);
        token.mint(to, amount);
    }

    function fundHkd(address who, uint256 amount) internal {
        vm.prank(hkdIssuer);
        hkd.mint(who, amount);
    }

    function fundHkd(address who, uint256 amount, address spender) internal {
        fundHkd(who, amount);
        vm.prank(who);
        hkd.approve(spender, amount);
    }

    function postReport(uint256 period) internal {
        vm.prank(attestor);
        oracle.report(period, 1_000, 100_000, "HKD", bytes32(period));
    }

    /// Post the period's report if needed, fund the paying agent and distribute `amount`.
    function distribute(uint256 amount, uint256 period) internal {
        if (!oracle.hasReport(period)) postReport(period);
        fundHkd(payingAgent, amount, address(distributor));
        vm.prank(payingAgent);
        distributor.distribute(amount, period);
    }

    function accessError(address account, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", account, role);
    }
}
