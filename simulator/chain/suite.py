"""Deploy and wire the whole RWA contract suite on a Chain.

    from simulator.chain import Chain
    from simulator.chain.suite import SuiteConfig, deploy_suite
    suite = deploy_suite(Chain("revm"), SuiteConfig())
    suite.onboard(alice, 344, 1, 0, suite.chain.now + YEAR)  # an ONCHAINID with the platform's claims
    suite.token.mint(alice, 10 * 10**18, sender=suite.agent)

Reused by the tests (tests/contracts/conftest.py), the CLI (`rwa-sim contracts deploy`) and the simulation.

Wiring (who holds what):
- admin: DEFAULT_ADMIN_ROLE everywhere; owner of the compliance and of every module; the issuer.
- agent: AGENT_ROLE on the token (mint, burn, forced transfer, recovery, freeze, pause), on the identity
  registry (KYC) and on the distributor (claimFor custodial holders); management key of every investor's
  ONCHAINID identity (suite.identities).
- claim issuers (ONCHAINID ClaimIssuer contracts, trusted in the TrustedIssuersRegistry): "platform" signs KYC
  and investor-category claims, "cwm-bank" CWM-eligibility claims; KYC is the registry's required topic, and
  the CountryClaimModule requires CWM eligibility of mainland (156) receivers.
- issuer: ISSUER_ROLE on both offerings' (close, cancel); the raised cash goes to `treasury`.
- paying_agent: DISTRIBUTOR_ROLE on the distributor (funds revenue distributions in HKD).
- platform: PLATFORM_ROLE on both DvP contracts; fees go to `fee_account`.
- attestor: ATTESTOR_ROLE on the production oracle.
- hkd_issuer / cnh_issuer: ISSUER_ROLE on the HKD and CNH settlement tokens.
- The offering holds AGENT_ROLE on the token (it mints at close); the token holds AGENT_ROLE on the registry
  (a recovery registers the new wallet and deletes the lost one). The distributor is the token's balance
  observer; the DvP contracts, the offering and the treasury are excluded from its share base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.chain.chain import Chain
from simulator.chain.identities import CWM_ELIGIBILITY, INVESTOR_CATEGORY, KYC, Identities, investor_claims
from simulator.evm.contract import Contract, Receipt
from simulator.units import CASH_DECIMALS, CASH_UNIT, DAY, TOKEN, TOKEN_DECIMALS, YEAR

HKD = CASH_UNIT  # one HKD in settlement units
CNH = CASH_UNIT

from simulator.identity import (  # noqa: E402 - the registry's codes, re-exported for existing callers
    CN,
    CWM_SOUTHBOUND,
    DIRECT,
    HK,
    INSTITUTIONAL,
    KP,
    NOMINEE,
    PROFESSIONAL,
    RETAIL,
)

ALLOCATION = {"pro-rata": 0, "first-come": 1}


@dataclass(frozen=True)
class SuiteConfig:
    """Parameters of a deployment; every amount in base units (token 18 decimals, cash 6)."""

    token_name: str = "GBA Solar Revenue Token"
    token_symbol: str = "GBASOLAR"
    asset_id: bytes = b"\x00" * 32
    document_hash: bytes = b"\x00" * 32
    document_uri: str = ""
    allowed_countries: tuple[int, ...] = (CN, HK)
    denied_countries: tuple[int, ...] = (KP,)
    retail_authorised: bool = False
    max_balance: int = 1_000_000 * TOKEN
    max_holders: int = 10_000
    lockup_seconds: int = 0
    supply_cap: int = 10_000_000 * TOKEN
    # primary offering (HKD-settled)
    price: int = 10 * HKD  # per whole token
    min_ticket: int = 1_000 * HKD
    max_ticket: int = 1_000_000 * HKD
    soft_cap: int = 10_000 * HKD
    hard_cap: int = 1_000_000 * HKD
    offering_seconds: int = 30 * DAY
    allocation: str = "pro-rata"  # or "first-come"
    use_oracle_check: bool = True  # distributor checks report ids against the oracle
    mainland_claim_topic: int = CWM_ELIGIBILITY  # what mainland receivers must hold (0: nothing beyond KYC)
    # the claim issuers trusted from the start: (name, topics); `onboard` uses "platform" and "cwm-bank"
    claim_issuers: tuple[tuple[str, tuple[int, ...]], ...] = (("platform", (KYC, INVESTOR_CATEGORY)),
                                                              ("cwm-bank", (CWM_ELIGIBILITY,)))

    def __post_init__(self) -> None:
        if self.allocation not in ALLOCATION:
            raise ValueError(f"allocation must be one of {sorted(ALLOCATION)}, got {self.allocation!r}")


@dataclass
class Suite:
    """Handles of every deployed contract and the addresses holding each role."""

    chain: Chain
    config: SuiteConfig
    # role holders
    admin: str
    agent: str
    issuer: str
    treasury: str
    paying_agent: str
    platform: str
    fee_account: str
    attestor: str
    hkd_issuer: str
    cnh_issuer: str
    # contracts
    hkd: Contract
    cnh: Contract
    registry: Contract
    identity_storage: Contract
    topics_registry: Contract
    issuers_registry: Contract
    identities: Identities
    compliance: Contract
    modules: dict[str, Contract]
    token: Contract
    oracle: Contract
    distributor: Contract
    offering: Contract
    dvp: Contract  # HKD cash leg
    dvp_cnh: Contract  # CNH cash leg
    roles: dict[str, bytes] = field(default_factory=dict)

    def addresses(self) -> dict[str, str]:
        """Name -> address of every contract (for the CLI and run manifests)."""
        out = {name: getattr(self, name).address for name in
               ("hkd", "cnh", "registry", "identity_storage", "topics_registry", "issuers_registry", "compliance",
                "token", "oracle", "distributor", "offering", "dvp", "dvp_cnh")}
        out["identity_authority"] = self.identities.authority.address
        out.update({f"module:{k}": m.address for k, m in self.modules.items()})
        out.update({f"claim_issuer:{k}": i.address for k, i in self.identities.issuers.items()})
        return out

    def onboard(self, wallet: str, country: int, category: int, channel: int, valid_until: int,
                platform: str = "platform", cwm_channel: str = "cwm-bank") -> Receipt:
        """Register `wallet` with a new ONCHAINID holding `platform`'s KYC and category claims and, for a
        CWM southbound investor, `cwm_channel`'s eligibility claim, each valid until `valid_until`."""
        ids = self.identities
        cwm = ids.issuers[cwm_channel] if channel == CWM_SOUTHBOUND else None
        return ids.onboard(wallet, country, investor_claims(ids.issuers[platform], category, cwm, valid_until))


def deploy_suite(chain: Chain, config: SuiteConfig | None = None, market: Suite | None = None) -> Suite:
    """Deploy every contract, bind and grant roles; return the handles. About 40 transactions.

    With `market` (a suite already on this chain), the new product shares its cash tokens (HKD, CNH) and its
    identity layer (storage, claim topics, trusted issuers, ONCHAINID identities and claim issuers): its own
    registry is bound to the shared storage, so an investor onboarded once is verified for every product, and
    an issuer distrusted is distrusted for all; `config.claim_issuers` is then not used. Everything else (token,
    compliance, offering, distributor, DvP, oracle, roles) is the new product's own."""
    cfg = config or SuiteConfig()
    acct = chain.new_account
    admin, agent, issuer, treasury = acct("admin"), acct("agent"), acct("issuer"), acct("treasury")
    paying_agent, platform, fee_account = acct("paying-agent"), acct("platform"), acct("fee-account")
    attestor = acct("attestor")

    if market is None:
        hkd_issuer, cnh_issuer = acct("hkd-issuer"), acct("cnh-issuer")
        hkd = chain.deploy("SettlementToken", "HKD Stablecoin", "HKDS", "HKD", CASH_DECIMALS, hkd_issuer,
                           sender=hkd_issuer)
        cnh = chain.deploy("SettlementToken", "Offshore RMB Token", "CNHT", "CNH", CASH_DECIMALS, cnh_issuer,
                           sender=cnh_issuer)
        identity_storage = chain.deploy("IdentityRegistryStorage", admin, sender=admin)
        topics_registry = chain.deploy("ClaimTopicsRegistry", admin, sender=admin)
        issuers_registry = chain.deploy("TrustedIssuersRegistry", admin, sender=admin)
        storage_owner = admin
    else:
        hkd_issuer, cnh_issuer, hkd, cnh = market.hkd_issuer, market.cnh_issuer, market.hkd, market.cnh
        identity_storage, topics_registry = market.identity_storage, market.topics_registry
        issuers_registry, storage_owner = market.issuers_registry, market.identities.owner
    registry = chain.deploy("IdentityRegistry", admin, agent, identity_storage.address, topics_registry.address,
                            issuers_registry.address, sender=admin)
    identity_storage.bindIdentityRegistry(registry.address, sender=storage_owner)
    if market is None:
        topics_registry.addClaimTopic(KYC, sender=admin)
        identities = Identities.deploy(chain, registry, issuers_registry, admin, agent)
        for name, topics in cfg.claim_issuers:
            identities.add_issuer(name, list(topics))
    else:
        identities = market.identities
    compliance = chain.deploy("ModularCompliance", admin, sender=admin)
    c = compliance.address
    modules = {
        "country_allow": chain.deploy("CountryAllowModule", c, admin, sender=admin),
        "country_deny": chain.deploy("CountryDenyModule", c, admin, sender=admin),
        "investor_category": chain.deploy("InvestorCategoryModule", c, admin, sender=admin),
        "max_balance": chain.deploy("MaxBalanceModule", c, admin, cfg.max_balance, sender=admin),
        "max_holders": chain.deploy("MaxHoldersModule", c, admin, cfg.max_holders, sender=admin),
        "lockup": chain.deploy("LockupModule", c, admin, cfg.lockup_seconds, sender=admin),
        "supply_cap": chain.deploy("SupplyCapModule", c, admin, cfg.supply_cap, sender=admin),
        "country_claim": chain.deploy("CountryClaimModule", c, admin, sender=admin),
    }
    if cfg.mainland_claim_topic:
        modules["country_claim"].setRequiredClaim(CN, cfg.mainland_claim_topic, sender=admin)
    for country in cfg.allowed_countries:
        modules["country_allow"].allowCountry(country, sender=admin)
    for country in cfg.denied_countries:
        modules["country_deny"].denyCountry(country, sender=admin)
    if cfg.retail_authorised:
        modules["investor_category"].setRetailAuthorised(True, sender=admin)
    for module in modules.values():
        compliance.addModule(module.address, sender=admin)

    token = chain.deploy("RWAToken", cfg.token_name, cfg.token_symbol, registry.address, c, admin, agent,
                         sender=admin)
    compliance.bindToken(token.address, sender=admin)
    if cfg.asset_id != b"\x00" * 32 or cfg.document_hash != b"\x00" * 32 or cfg.document_uri:
        token.setAssetInfo(cfg.asset_id, cfg.document_hash, cfg.document_uri, sender=admin)

    oracle = chain.deploy("ProductionOracle", admin, attestor, sender=admin)
    oracle_address = oracle.address if cfg.use_oracle_check else "0x" + "00" * 20
    distributor = chain.deploy("RevenueDistributor", token.address, hkd.address, oracle_address, admin, sender=admin)
    token.setBalanceObserver(distributor.address, sender=admin)

    terms = (cfg.price, cfg.min_ticket, cfg.max_ticket, cfg.soft_cap, cfg.hard_cap,
             chain.now + cfg.offering_seconds, ALLOCATION[cfg.allocation])
    offering = chain.deploy("PrimaryOffering", token.address, hkd.address, treasury, admin, terms, sender=admin)
    dvp = chain.deploy("DvPSettlement", token.address, hkd.address, admin, fee_account, sender=admin)
    dvp_cnh = chain.deploy("DvPSettlement", token.address, cnh.address, admin, fee_account, sender=admin)

    roles = {
        "AGENT_ROLE": token.AGENT_ROLE(),
        "ISSUER_ROLE": offering.ISSUER_ROLE(),
        "DISTRIBUTOR_ROLE": distributor.DISTRIBUTOR_ROLE(),
        "PLATFORM_ROLE": dvp.PLATFORM_ROLE(),
        "ATTESTOR_ROLE": oracle.ATTESTOR_ROLE(),
        "DEFAULT_ADMIN_ROLE": b"\x00" * 32,
    }
    token.grantRole(roles["AGENT_ROLE"], offering.address, sender=admin)
    registry.grantRole(roles["AGENT_ROLE"], token.address, sender=admin)
    offering.grantRole(roles["ISSUER_ROLE"], issuer, sender=admin)
    distributor.grantRole(roles["DISTRIBUTOR_ROLE"], paying_agent, sender=admin)
    distributor.grantRole(roles["AGENT_ROLE"], agent, sender=admin)
    dvp.grantRole(roles["PLATFORM_ROLE"], platform, sender=admin)
    dvp_cnh.grantRole(roles["PLATFORM_ROLE"], platform, sender=admin)
    for excluded in (dvp.address, dvp_cnh.address, offering.address, treasury):
        distributor.setExcluded(excluded, True, sender=admin)

    return Suite(chain=chain, config=cfg, admin=admin, agent=agent, issuer=issuer, treasury=treasury,
                 paying_agent=paying_agent, platform=platform, fee_account=fee_account, attestor=attestor,
                 hkd_issuer=hkd_issuer, cnh_issuer=cnh_issuer, hkd=hkd, cnh=cnh, registry=registry,
                 identity_storage=identity_storage, topics_registry=topics_registry,
                 issuers_registry=issuers_registry, identities=identities, compliance=compliance, modules=modules,
                 token=token, oracle=oracle, distributor=distributor,
                 offering=offering, dvp=dvp, dvp_cnh=dvp_cnh, roles=roles)


__all__ = [
    "CASH_DECIMALS",
    "CN",
    "CNH",
    "CWM_SOUTHBOUND",
    "DAY",
    "DIRECT",
    "HK",
    "HKD",
    "INSTITUTIONAL",
    "KP",
    "NOMINEE",
    "PROFESSIONAL",
    "RETAIL",
    "TOKEN",
    "TOKEN_DECIMALS",
    "YEAR",
    "Suite",
    "SuiteConfig",
    "deploy_suite",
]
