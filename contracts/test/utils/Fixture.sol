// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SettlementToken} from "../../src/settlement/SettlementToken.sol";
import {IdentityRegistry} from "../../src/identity/IdentityRegistry.sol";
import {IdentityRegistryStorage} from "../../src/identity/IdentityRegistryStorage.sol";
import {ClaimTopicsRegistry} from "../../src/identity/ClaimTopicsRegistry.sol";
import {TrustedIssuersRegistry} from "../../src/identity/TrustedIssuersRegistry.sol";
import {ClaimTopics} from "../../src/identity/ClaimTopics.sol";
import {ModularCompliance} from "../../src/compliance/ModularCompliance.sol";
import {CountryAllowModule} from "../../src/compliance/modules/CountryAllowModule.sol";
import {CountryDenyModule} from "../../src/compliance/modules/CountryDenyModule.sol";
import {InvestorCategoryModule} from "../../src/compliance/modules/InvestorCategoryModule.sol";
import {MaxBalanceModule} from "../../src/compliance/modules/MaxBalanceModule.sol";
import {MaxHoldersModule} from "../../src/compliance/modules/MaxHoldersModule.sol";
import {LockupModule} from "../../src/compliance/modules/LockupModule.sol";
import {SupplyCapModule} from "../../src/compliance/modules/SupplyCapModule.sol";
import {CountryClaimModule} from "../../src/compliance/modules/CountryClaimModule.sol";
import {RWAToken} from "../../src/token/RWAToken.sol";
import {ProductionOracle} from "../../src/oracle/ProductionOracle.sol";
import {RevenueDistributor} from "../../src/distribution/RevenueDistributor.sol";
import {PrimaryOffering} from "../../src/offering/PrimaryOffering.sol";
import {DvPSettlement} from "../../src/settlement/DvPSettlement.sol";
import {OnchainIdKit, IOnchainIdentity} from "./OnchainId.sol";

/// @notice The whole suite deployed and wired as simulator/chain/suite.py `deploy_suite` does, with the
/// same default terms, plus named investors onboarded as `Suite.onboard` does (an ONCHAINID identity
/// managed by the agent, holding the platform's KYC and category claims and, for CWM southbound, the CWM
/// bank's eligibility claim). Tests override `config()` to change a term.
abstract contract Fixture is OnchainIdKit {
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
    // claim topics (contracts/src/identity/ClaimTopics.sol)
    uint256 internal constant KYC = ClaimTopics.KYC;
    uint256 internal constant INVESTOR_CATEGORY = ClaimTopics.INVESTOR_CATEGORY;
    uint256 internal constant CWM_ELIGIBILITY = ClaimTopics.CWM_ELIGIBILITY;

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
    address internal cnhIssuer = makeAddr("cnh-issuer");

    address internal alice = makeAddr("alice"); // HK professional, direct
    address internal bob = makeAddr("bob"); // CN institutional, CWM southbound
    address internal carol = makeAddr("carol"); // HK professional, nominee
    address internal dave = makeAddr("dave"); // HK retail
    address internal eve = makeAddr("eve"); // KP (denied country), institutional
    address internal frank = makeAddr("frank"); // never registered

    SettlementToken internal hkd;
    SettlementToken internal cnh;
    IdentityRegistryStorage internal identityStorage;
    ClaimTopicsRegistry internal topicsRegistry;
    TrustedIssuersRegistry internal issuersRegistry;
    IdentityRegistry internal registry;
    /// ONCHAINID: the identities' shared implementation (a library) and the authority their proxies ask.
    address internal identityImplementation;
    address internal identityAuthority;
    /// The trusted claim issuers: "platform" (KYC, investor category) and "cwm-bank" (CWM eligibility).
    ClaimSigner internal platformIssuer;
    ClaimSigner internal cwmBank;
    ModularCompliance internal compliance;
    CountryAllowModule internal countryAllow;
    CountryDenyModule internal countryDeny;
    InvestorCategoryModule internal investorCategory;
    MaxBalanceModule internal maxBalance;
    MaxHoldersModule internal maxHolders;
    LockupModule internal lockup;
    SupplyCapModule internal supplyCap;
    CountryClaimModule internal countryClaim;
    RWAToken internal token;
    ProductionOracle internal oracle;
    RevenueDistributor internal distributor;
    PrimaryOffering internal offering;
    DvPSettlement internal dvp; // HKD cash leg
    DvPSettlement internal dvpCnh; // CNH cash leg

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
        cnh = new SettlementToken("Offshore RMB Token", "CNHT", "CNH", 6, cnhIssuer);

        vm.startPrank(admin);
        identityStorage = new IdentityRegistryStorage(admin);
        topicsRegistry = new ClaimTopicsRegistry(admin);
        issuersRegistry = new TrustedIssuersRegistry(admin);
        registry = new IdentityRegistry(
            admin, agent, address(identityStorage), address(topicsRegistry), address(issuersRegistry)
        );
        identityStorage.bindIdentityRegistry(address(registry));
        topicsRegistry.addClaimTopic(KYC);
        identityImplementation =
            deployCode(string.concat(ONCHAINID, "Identity.sol/Identity.json"), abi.encode(agent, true));
        identityAuthority = deployCode(
            string.concat(ONCHAINID, "proxy/ImplementationAuthority.sol/ImplementationAuthority.json"),
            abi.encode(identityImplementation)
        );
        vm.stopPrank();
        platformIssuer = _deployClaimIssuer("platform");
        cwmBank = _deployClaimIssuer("cwm-bank");

        vm.startPrank(admin);
        issuersRegistry.addTrustedIssuer(platformIssuer.issuer, _topics(KYC, INVESTOR_CATEGORY));
        issuersRegistry.addTrustedIssuer(cwmBank.issuer, _topics(CWM_ELIGIBILITY));
        compliance = new ModularCompliance(admin);
        address c = address(compliance);
        countryAllow = new CountryAllowModule(c, admin);
        countryDeny = new CountryDenyModule(c, admin);
        investorCategory = new InvestorCategoryModule(c, admin);
        maxBalance = new MaxBalanceModule(c, admin, cfg.maxBalance);
        maxHolders = new MaxHoldersModule(c, admin, cfg.maxHolders);
        lockup = new LockupModule(c, admin, cfg.lockupSeconds);
        supplyCap = new SupplyCapModule(c, admin, cfg.supplyCap);
        countryClaim = new CountryClaimModule(c, admin);
        countryClaim.setRequiredClaim(CN, CWM_ELIGIBILITY); // mainland receivers: the CWM bank's claim
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
        compliance.addModule(address(countryClaim));

        token = new RWAToken("GBA Solar Revenue Token", "GBASOLAR", address(registry), c, admin, agent);
        compliance.bindToken(address(token));
        oracle = new ProductionOracle(admin, attestor);
        distributor = new RevenueDistributor(address(token), address(hkd), address(oracle), admin);
        token.setBalanceObserver(address(distributor));
        offering = deployOffering(cfg);
        dvp = new DvPSettlement(address(token), address(hkd), admin, feeAccount);
        dvpCnh = new DvPSettlement(address(token), address(cnh), admin, feeAccount);

        // a recovery registers the new wallet and deletes the lost one
        registry.grantRole(registry.AGENT_ROLE(), address(token));
        distributor.grantRole(distributor.DISTRIBUTOR_ROLE(), payingAgent);
        distributor.grantRole(distributor.AGENT_ROLE(), agent);
        dvp.grantRole(dvp.PLATFORM_ROLE(), platform);
        dvpCnh.grantRole(dvpCnh.PLATFORM_ROLE(), platform);
        distributor.setExcluded(address(dvp), true);
        distributor.setExcluded(address(dvpCnh), true);
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

    // ------------------------------------------------------------------ identities and claims

    function _topics(uint256 a) internal pure returns (uint256[] memory t) {
        t = new uint256[](1);
        t[0] = a;
    }

    function _topics(uint256 a, uint256 b) internal pure returns (uint256[] memory t) {
        t = new uint256[](2);
        (t[0], t[1]) = (a, b);
    }

    /// A new ONCHAINID identity (an IdentityProxy over the shared implementation) managed by the agent,
    /// holding no claim (identities.py `create`).
    function _newIdentity() internal returns (IOnchainIdentity) {
        return IOnchainIdentity(
            deployCode(
                string.concat(ONCHAINID, "proxy/IdentityProxy.sol/IdentityProxy.json"),
                abi.encode(identityAuthority, agent)
            )
        );
    }

    /// `Suite.onboard`: `wallet` registered with `country` and a new identity holding the platform's KYC
    /// (value 0) and investor category claims and, for a CWM southbound investor, the CWM bank's
    /// eligibility claim (value 1), each valid until `validUntil`; the identity.
    function _onboard(address wallet, uint16 country, uint8 category, uint8 channel, uint256 validUntil)
        internal
        returns (IOnchainIdentity id)
    {
        id = _newIdentity();
        _issueClaim(id, platformIssuer, KYC, validUntil, 0);
        _issueClaim(id, platformIssuer, INVESTOR_CATEGORY, validUntil, category);
        if (channel == CWM_SOUTHBOUND) _issueClaim(id, cwmBank, CWM_ELIGIBILITY, validUntil, 1);
        vm.prank(agent);
        registry.registerIdentity(wallet, id, country);
    }

    /// `_onboard` with claims valid ten years.
    function register(address wallet, uint16 country, uint8 category, uint8 channel)
        internal
        returns (IOnchainIdentity)
    {
        return _onboard(wallet, country, category, channel, block.timestamp + 10 * YEAR);
    }

    /// `s` signs a `topic` claim (validUntil, value) on `id` and the agent adds it, replacing that issuer's
    /// earlier claim of the topic; the signature.
    function _issueClaim(IOnchainIdentity id, ClaimSigner memory s, uint256 topic, uint256 validUntil, uint256 value)
        internal
        returns (bytes memory)
    {
        return _issueClaimAs(agent, id, s, topic, validUntil, value);
    }

    /// The identity `wallet` is registered with (zero when it is not).
    function _identityOf(address wallet) internal view returns (IOnchainIdentity) {
        return IOnchainIdentity(address(registry.identity(wallet)));
    }

    /// Register `wallet` with the identity of `holder` (another wallet of the same investor), same country.
    function _registerSecondWallet(address holder, string memory name) internal returns (address wallet) {
        wallet = makeAddr(name);
        IOnchainIdentity id = _identityOf(holder);
        uint16 country = registry.investorCountry(holder);
        vm.prank(agent);
        registry.registerIdentity(wallet, id, country);
    }

    /// The agent makes `newWallet` a management key of `lost`'s identity, then recovers `lost` to it.
    function _recover(address lost, address newWallet) internal {
        IOnchainIdentity id = _identityOf(lost);
        _addManagementKeyAs(agent, id, newWallet);
        vm.prank(agent);
        token.recoveryAddress(lost, newWallet, address(id));
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
