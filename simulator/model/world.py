"""The world: SimPy processes for the issuer, the solar asset, licensed platforms, investors and shocks.

Every token movement happens on-chain through `simulator.chain` handles (deployed by
`simulator.chain.suite.deploy_suite`); every money movement off-chain is a posting in the integer
double-entry `Ledger`, and each on-chain movement is mirrored there by what the model *intended*, so the
final reconciliation against on-chain balances checks the model and the contracts against each other.

Units: fiat in minor units (HKD cents, CNY fen, USD cents); HKDS (the HKD stablecoin) has 6 decimals, so
one cent is 10**4 units; the revenue-rights token has 18 decimals; prices are HKD cents per whole token.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import simpy

from simulator.chain import Chain, ContractRevert
from simulator.chain.suite import (
    CN, CWM_SOUTHBOUND, DIRECT, HK, INSTITUTIONAL, NOMINEE, PROFESSIONAL, RETAIL, SuiteConfig, deploy_suite,
)
from simulator.model.config import PlatformConfig, ShockConfig, WorldConfig
from simulator.model.decisions import DecisionCalendar, accept
from simulator.model.fx import FxMarket
from simulator.model.ledger import Ledger, reconcile
from simulator.model.order_book import Order, OrderBook
from simulator.model.policy import REASONS, CwmRules, Decision, MainlandProfile, PolicyGate, PolicyRules
from simulator.model.rails import RAILS, BusinessCalendar
from simulator.model.rng import Streams
from simulator.model.solar import SolarAsset
from simulator.model.va_market import UNITS_PER_COIN, DepthParams, VirtualAssetMarket

DAY = 86_400
TOKEN = 10**18
UNITS_PER_CENT = 10**4  # HKDS has 6 decimals, HKD cents 2
LOT = 10**16  # 0.01 token: the order book's lot size
SG, GB, US = 702, 826, 840  # ISO-3166 numeric: where the international ESG funds sit
CLASSES = ("mainland_gba", "hk_retail", "hk_professional", "esg_fund")
PROFESSIONAL_PORTFOLIO_CENTS = 8_000_000 * 100  # HK$ 8 m (FACTS, H)


class ReconciliationError(RuntimeError):
    """The off-chain ledger and the on-chain balances disagree: the run is wrong and must not be used."""


@dataclass(eq=False)
class Investor:
    index: int
    cls: str
    wallet: str
    professional: bool
    wealth_cents: int  # investable wealth in HKD cents (mainland: its HKD value at arrival)
    via_cwm: bool
    profile: MainlandProfile | None = None
    bad_actor: bool = False
    etf_units: int = 0  # VA ETF exposure in coin base units (held off-chain: a listed fund, not a token)
    etf_cost_cents: int = 0
    etf_quota_fen: int = 0
    class_index: int = 0  # position within its class: the key of its random streams
    rng: np.random.Generator | None = field(default=None, repr=False)  # this investor's own decisions
    platform: Platform | None = None
    onboarded: bool = False
    tokens: int = 0  # the model's own record of the holding (mirrors the chain)
    selling: bool = False  # has a resting sell order
    bidding: bool = False  # has a resting buy order
    invested_cents: int = 0
    committed_cents: int = 0  # HK-account cash earmarked for trades awaiting settlement
    cost_basis_cents: int = 0  # what the tokens now held cost
    capital_cent_days: int = 0  # cost basis integrated over time held (for time-weighted yields)
    basis_since_s: int = 0
    # policy verdicts in force at each purchase (allocation or secondary buy): all must be True
    purchase_checks: list[bool] = field(default_factory=list)
    received_cents: int = 0  # distributions claimed


@dataclass
class PendingSettlement:
    match_id: str
    platform: str
    buyer: Investor
    seller: Investor
    quantity: int
    cash_cents: int
    matched_at: int
    settle_at: int


@dataclass
class Counters:
    trades: int = 0
    volume_cents: int = 0
    settlement_failures: int = 0
    aml_missed: int = 0
    platform_outage_days: int = 0
    capital_idle_cent_days: int = 0  # buyer cash waiting between match and settlement, cents x days
    counterparty_failures: int = 0
    settlement_latency_s_total: int = 0  # summed, not listed: a long run settles millions of trades
    distributions_cents: int = 0
    claimed_cents: int = 0
    refused: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))


class Platform:
    """A licensed Hong Kong platform: KYC queue, AML screening, an order book, a licence that can change."""

    def __init__(self, world: World, cfg: PlatformConfig, signer: str) -> None:
        self.world = world
        self.cfg = cfg
        self.name = cfg.name
        self.signer = signer  # holds PLATFORM_ROLE on the DvP contract
        self.licence = "licensed"
        self.outage_until = -1
        self.book = OrderBook(lot_size=LOT)
        self.rng = world.streams.get(f"platform:{cfg.name}")
        self.outage_rng = world.streams.get(f"outage:{cfg.name}")
        self.kyc_slots: dict[int, int] = {}  # day -> onboardings already done that day
        self.clients: list[Investor] = []  # onboarded here, in onboarding order
        self.decisions: DecisionCalendar[Investor] = DecisionCalendar()  # who reconsiders in which session
        self.resting: deque[Order] = deque()  # orders submitted here, oldest first (for expiry)

    @property
    def open_for_business(self) -> bool:
        return self.licence == "licensed" and self.world.env.now >= self.outage_until

    def onboard(self, inv: Investor):
        """KYC: wait for a slot (capacity per day), then the latency; AML screening may flag."""
        env = self.world.env
        day = int(env.now // DAY) + self.cfg.kyc_latency_days
        while self.kyc_slots.get(day, 0) >= self.cfg.kyc_capacity_per_day:
            day += 1
        self.kyc_slots[day] = self.kyc_slots.get(day, 0) + 1
        yield env.timeout(max(0, day * DAY + 9 * 3600 - env.now))
        if not self.open_for_business:
            return "platform_not_licensed" if self.licence != "licensed" else "platform_outage"
        kyc_draw, aml_draw = self.rng.random(), self.rng.random()  # two draws always: streams stay aligned
        if kyc_draw < self.cfg.kyc_failure_rate:
            return "kyc_failed"
        if inv.bad_actor:
            if aml_draw >= self.cfg.aml_false_negative_rate:
                return "aml_flagged"
            self.world.counters.aml_missed += 1  # a false negative: onboarded although AML should stop it
        elif aml_draw < self.cfg.aml_false_positive_rate:
            return "aml_flagged"  # a false positive: a clean investor turned away
        return ""


class World:
    def __init__(self, cfg: WorldConfig, seed: int, chain: Chain) -> None:
        self.cfg = cfg
        self.seed = seed
        self.chain = chain
        self.streams = Streams(seed)
        self.env = simpy.Environment()
        self.ledger = Ledger()
        self.calendar = BusinessCalendar()
        self.policy = PolicyGate(cfg.policy.rules())
        self.fx = FxMarket(cfg.fx, self.streams.get("fx"))
        self.asset = SolarAsset(cfg.asset, self.streams.get("solar"), cfg.start_date)
        self.va = VirtualAssetMarket(cfg.va_market, self.streams.get("va"))
        self.etf_holders: list[Investor] = []
        self.etf_state = {"subscribed_cents": 0, "realized_pnl_cents": 0, "panic_sellers": 0, "returns": [],
                          "last_price": 0, "peak": 0, "max_drawdown": 0.0}
        self.disposal_state = {"sold_units": 0, "proceeds_fen": 0, "impact_bps": [], "finished_day": None}
        self.events: list[dict] = []  # kept in memory unless a sink streams them out
        self.event_sink = None  # optional callable(row): events go there instead (to disk, never held)
        self.event_count = 0
        self.on_day = None  # optional callback(day) after each simulated day (progress bars)
        self.timeseries: list[dict] = []
        self.counters = Counters()
        self.investors: list[Investor] = []
        self._by_wallet: dict[str, Investor] = {}
        self.decision_bound = self._decision_bounds()  # per class: thinning bound of the session decisions
        self.holders: set[int] = set()  # indexes of investors holding tokens
        self.ever_held: set[int] = set()
        self.tokens_outstanding = 0
        self.sentiment = 0.0
        self.trailing_yield_bps = cfg.investors["hk_professional"].expected_yield_bps if "hk_professional" in \
            cfg.investors else 700
        self.sentiment_recovery_per_day = 0.0
        self.price_cents = cfg.offering.price_hkd_cents
        self.offering_state = "pending"  # pending -> open -> closed | failed
        self.offering_opened_day: int | None = None
        self.offering_closed_day: int | None = None
        self.offering_filled_day: int | None = None  # the day subscriptions reached the hard cap
        self.subscribed_cents = 0
        self.recent_distributions_cents: list[int] = []
        self.first_distribution_day: int | None = None
        self.holders_by_class = dict.fromkeys(CLASSES, 0)
        self.capital_raised_cents = 0
        self.pending_repatriation_fen = 0
        self.spv_hkd_cents_undistributed = 0
        self.periods_distributed = 0
        self.pending: list[PendingSettlement] = []
        self._trade_serial = 0
        self._deploy()

    # ------------------------------------------------------------------ set-up
    def _deploy(self) -> None:
        o = self.cfg.offering
        rng = self.streams.get("issuer")
        self.approval_days = int(rng.integers(self.cfg.issuer.approval_min_days, self.cfg.issuer.approval_bound_days + 1))
        price_units = o.price_hkd_cents * UNITS_PER_CENT
        hard_cap_tokens = o.hard_cap_hkd * 100 * TOKEN // o.price_hkd_cents
        suite_cfg = SuiteConfig(
            allowed_countries=(CN, HK, SG, GB, US),
            retail_authorised=self.cfg.policy.retail_authorised or self.cfg.policy.cwm.product_eligible,
            max_balance=hard_cap_tokens, max_holders=1_000_000, lockup_seconds=0,
            supply_cap=hard_cap_tokens,
            price=price_units, min_ticket=o.min_ticket_hkd * 100 * UNITS_PER_CENT,
            max_ticket=o.max_ticket_hkd * 100 * UNITS_PER_CENT,
            soft_cap=o.soft_cap_hkd * 100 * UNITS_PER_CENT, hard_cap=o.hard_cap_hkd * 100 * UNITS_PER_CENT,
            offering_seconds=(self.approval_days + o.duration_days) * DAY, allocation=o.allocation,
        )
        self.s = deploy_suite(self.chain, suite_cfg)
        self.platforms: dict[str, Platform] = {}
        for pc in self.cfg.platforms:
            signer = self.chain.new_account(f"platform:{pc.name}")
            self.s.dvp.grantRole(self.s.roles["PLATFORM_ROLE"], signer, sender=self.s.admin)
            self.platforms[pc.name] = Platform(self, pc, signer)

    # ------------------------------------------------------------------ helpers
    @property
    def day(self) -> int:
        return int(self.env.now // DAY)

    def date(self) -> dt.date:
        return self.cfg.start_date + dt.timedelta(days=self.day)

    def _now_dt(self) -> dt.datetime:
        return dt.datetime.combine(self.cfg.start_date, dt.time()) + dt.timedelta(seconds=int(self.env.now))

    def _until(self, moment: dt.datetime):
        """A SimPy timeout that ends at `moment` (HKT), or at once if it has passed."""
        return self.env.timeout(max(0.0, (moment - self._now_dt()).total_seconds()))

    def sync(self) -> None:
        self.chain.advance_to(self.env.now)

    def event(self, actor: str, kind: str, reason: str = "", amount: int = 0, currency: str = "",
              receipt=None, **extra) -> None:
        row = {"time_s": int(self.env.now), "day": self.day, "actor": actor, "kind": kind, "reason": reason,
               "amount": amount, "currency": currency,
               "block": receipt.block_number if receipt is not None else "",
               "tx_hash": (receipt.tx_hash or "") if receipt is not None else ""}
        row["detail"] = ";".join(f"{k}={v}" for k, v in sorted(extra.items()))
        self.event_count += 1
        if self.event_sink is None:
            self.events.append(row)
        else:
            self.event_sink(row)

    def refuse(self, actor: str, reason: str, amount: int = 0, currency: str = "", **extra) -> None:
        self.counters.refused[reason] += 1
        self.event(actor, "refused", reason, amount, currency, **extra)

    def _mint_hkds(self, inv_wallet: str, bank_account: str, cents: int, memo: str):
        """Fiat HKD in `bank_account` -> the stablecoin issuer's reserve; HKDS minted on-chain to the wallet."""
        self.ledger.post(int(self.env.now), bank_account, "reserve:HKDS", cents, "HKD", memo)
        self.ledger.post(int(self.env.now), "external:HKDS", f"chain:{inv_wallet}", cents * UNITS_PER_CENT, "HKDS", memo)
        self.sync()
        return self.s.hkd.mint(inv_wallet, cents * UNITS_PER_CENT, sender=self.s.hkd_issuer)

    def _chain_move(self, src: str, dst: str, amount: int, symbol: str, memo: str) -> None:
        self.ledger.post(int(self.env.now), f"chain:{src}", f"chain:{dst}", amount, symbol, memo)

    # ------------------------------------------------------------------ investors
    def _new_investor(self, cls: str, index: int, rng: np.random.Generator) -> Investor:
        """Investor `index` of class `cls`, drawn from a stream of its own (more investors of one class, or
        another class, never change this one's draws)."""
        c = self.cfg.investors[cls]
        wealth = int(c.wealth_median_hkd * 100 * float(np.exp(c.wealth_sigma * rng.standard_normal())))
        wealth = max(wealth, 100)
        professional = cls == "esg_fund" or wealth >= PROFESSIONAL_PORTFOLIO_CENTS
        profile = None
        via_cwm = True
        if cls == "mainland_gba":
            hukou = bool(rng.random() < c.gba_hukou_share)
            profile = MainlandProfile(
                gba_hukou=hukou, gba_social_security_years=0 if hukou else int(rng.integers(0, 5)),
                experience_years=int(rng.integers(2, 10)) if rng.random() < c.experienced_share else int(rng.integers(0, 2)),
                net_financial_assets_fen=200_000_000 if rng.random() < c.wealth_test_share else 50_000_000,
                financial_assets_fen=0, avg_income_fen=0)
            via_cwm = bool(rng.random() < c.via_cwm_share)
        bad_actor = bool(rng.random() < c.bad_actor_share)
        wallet = self.chain.new_account(f"{cls}-{index}")
        inv = Investor(len(self.investors), cls, wallet, professional, wealth, via_cwm, profile, bad_actor=bad_actor,
                       rng=self.streams.get(f"behaviour:{cls}:{index}"), class_index=index)
        self.investors.append(inv)
        self._by_wallet[wallet] = inv
        # endowment: where the investor's money sits before anything happens
        if cls == "mainland_gba":
            self.ledger.post(0, "external:world", f"mainland:{wallet}", self.fx.convert(wealth, "HKD", "CNY"), "CNY", "endowment")
        elif cls == "esg_fund":
            self.ledger.post(0, "external:world", f"fund:{wallet}", self.fx.convert(wealth, "HKD", "USD"), "USD", "endowment")
        else:
            self.ledger.post(0, "external:world", f"bank:{wallet}", wealth, "HKD", "endowment")
        return inv

    def investor_arrivals(self, cls: str):
        c = self.cfg.investors[cls]
        start = self.approval_days * DAY
        streams = [self.streams.get(f"investor:{cls}:{i}") for i in range(c.count)]
        times = [start + float(s.uniform(0, c.arrival_days * DAY)) for s in streams]
        for i in sorted(range(c.count), key=lambda k: (times[k], k)):
            yield self.env.timeout(max(0.0, times[i] - self.env.now))
            inv = self._new_investor(cls, i, streams[i])
            self.env.process(self.investor_journey(inv))

    def _choose_platform(self, inv: Investor) -> Platform | None:
        open_ = [p for p in self.platforms.values() if p.licence == "licensed"]
        if not open_:
            return None
        weights = np.array([p.cfg.weight for p in open_], dtype=float)
        pick = self.streams.get(f"choice:{inv.cls}").choice(len(open_), p=weights / weights.sum())
        return open_[int(pick)]

    def investor_journey(self, inv: Investor):
        """Eligibility, onboarding (KYC, AML, on-chain identity), then a subscription or a secondary bid."""
        etf = self.cfg.va_etf
        if inv.cls == "mainland_gba" and inv.via_cwm and etf.interest_share and inv.rng.random() < etf.interest_share \
                and self.policy.cwm_eligible(inv.profile):
            self.env.process(self.etf_purchase(inv))
        if inv.cls == "mainland_gba" and not inv.via_cwm:
            decision = self.policy.mainland_direct_purchase(is_virtual_asset=False)
            self.refuse(inv.wallet, decision.reason)
            return
        decision = self.policy.may_hold_rwa(inv.cls, inv.professional, inv.profile)
        if not decision.allowed:
            self.refuse(inv.wallet, decision.reason, cls=inv.cls)
            return
        platform = self._choose_platform(inv)
        if platform is None:
            self.refuse(inv.wallet, "platform_not_licensed", cls=inv.cls)
            return
        inv.platform = platform
        outcome = yield from platform.onboard(inv)
        if outcome:
            self.refuse(inv.wallet, outcome, cls=inv.cls, platform=platform.name)
            return
        self._register(inv)
        if self.offering_state == "open":
            yield from self.subscribe(inv)

    def _register(self, inv: Investor) -> None:
        country, channel = {"mainland_gba": (CN, CWM_SOUTHBOUND), "hk_retail": (HK, DIRECT),
                            "hk_professional": (HK, DIRECT), "esg_fund": (SG, NOMINEE)}[inv.cls]
        category = INSTITUTIONAL if inv.cls == "esg_fund" else (PROFESSIONAL if inv.professional else RETAIL)
        self.sync()
        r = self.s.registry.registerIdentity(inv.wallet, country, category, channel,
                                             self.chain.now + 40 * 365 * DAY, sender=self.s.agent)
        inv.onboarded = True
        inv.platform.clients.append(inv)
        inv.platform.decisions.schedule(inv.index, inv, inv.rng, self.decision_bound[inv.cls])
        self.event(inv.wallet, "onboarded", cls=inv.cls, platform=inv.platform.name, receipt=r)

    def _ticket_cents(self, inv: Investor) -> int:
        c = self.cfg.investors[inv.cls]
        o = self.cfg.offering
        ticket = inv.wealth_cents * c.ticket_share_of_wealth_bps // 10_000
        return max(o.min_ticket_hkd * 100, min(ticket, o.max_ticket_hkd * 100))

    def fund_hkd(self, inv: Investor, cents: int):
        """Bring `cents` of HKD to the investor's HK bank account by the investor's rail; quota-checked.

        Returns "" or a refusal reason. A generator (rails take time)."""
        now = int(self.env.now)
        available = self.ledger.balance(f"bank:{inv.wallet}", "HKD") - inv.committed_cents
        if inv.cls in ("hk_retail", "hk_professional"):  # they pay the stablecoin issuer by FPS (24/7, seconds)
            if available < cents:
                return "offering_ticket"
            transfer = RAILS["FPS"].transfer(cents, self._now_dt(), self.streams.get("rails"), currency="HKD")
            yield self._until(transfer.arrives_at)
            return ""
        cents -= min(cents, max(0, available))  # only the shortfall travels
        if cents == 0:
            return ""
        # FX moves while the money travels: send 0.5 % more; what is left over stays in the HK account
        cents = cents * 10_050 // 10_000 + 1
        if inv.cls == "mainland_gba":
            reason, received, _ = yield from self._remit_southbound(inv, cents, "rails")
            if reason:
                return reason
            hkd = self.fx.convert(received, "CNY", "HKD")
            self.ledger.post(int(self.env.now), f"cwm:{inv.wallet}", "external:fx", received, "CNY", "FX")
            self.ledger.post(int(self.env.now), "external:fx", f"bank:{inv.wallet}", hkd, "HKD", "FX")
            self.event(inv.wallet, "remittance", "", received, "CNY", rail="CIPS")
        elif inv.cls == "esg_fund":
            usd = self._source_amount(cents, "USD")
            usd += RAILS["SWIFT"].fee_for(usd, "USD")
            if self.ledger.balance(f"fund:{inv.wallet}", "USD") < usd:
                return "offering_ticket"
            transfer = RAILS["SWIFT"].transfer(usd, self._now_dt(), self.streams.get("rails"), currency="USD")
            self.ledger.post(now, f"fund:{inv.wallet}", "external:fx", transfer.received_minor, "USD", "SWIFT + FX")
            self.ledger.post(now, f"fund:{inv.wallet}", "fees:SWIFT", transfer.fee_minor, "USD", "SWIFT fee")
            yield self._until(transfer.arrives_at)
            self.ledger.post(int(self.env.now), "external:fx", f"bank:{inv.wallet}",
                             self.fx.convert(transfer.received_minor, "USD", "HKD"), "HKD", "FX")
        return ""

    def _remit_southbound(self, inv: Investor, cents: int, stream: str, product_eligible: bool | None = None):
        """CWM southbound: enough CNY (fee included) to buy `cents` of HKD, quota-checked, sent by CIPS from the
        paired mainland account to the investor's CWM account. A generator returning (reason, received fen,
        fen sent); a refusal reserves no quota and moves nothing."""
        fen = self._source_amount(cents, "CNY")
        fen += RAILS["CIPS"].fee_for(fen, "CNY")
        decision = self.policy.reserve_southbound(inv.wallet, fen, product_eligible)
        if not decision.allowed:
            return decision.reason, 0, fen
        if self.ledger.balance(f"mainland:{inv.wallet}", "CNY") < fen:
            self.policy.release_southbound(inv.wallet, fen)
            return "offering_ticket", 0, fen
        transfer = RAILS["CIPS"].transfer(fen, self._now_dt(), self.streams.get(stream), currency="CNY")
        now = int(self.env.now)
        self.ledger.post(now, f"mainland:{inv.wallet}", f"cwm:{inv.wallet}", transfer.received_minor, "CNY",
                         "CIPS southbound")
        self.ledger.post(now, f"mainland:{inv.wallet}", "fees:CIPS", transfer.fee_minor, "CNY", "CIPS fee")
        yield self._until(transfer.arrives_at)
        return "", transfer.received_minor, fen

    def _source_amount(self, cents: int, currency: str) -> int:
        """The smallest amount of `currency` that converts to at least `cents` HKD (FX rounds down)."""
        amount = self.fx.convert(cents, "HKD", currency)
        while (back := self.fx.convert(amount, currency, "HKD")) < cents:
            amount += max(1, (cents - back) * amount // max(back, 1))
        return amount

    def subscribe(self, inv: Investor):
        cents = self._ticket_cents(inv)
        reason = yield from self.fund_hkd(inv, cents)
        if reason:
            self.refuse(inv.wallet, reason, cents, "HKD", cls=inv.cls)
            return
        cents = min(cents, self.ledger.balance(f"bank:{inv.wallet}", "HKD"))
        if self.offering_state != "open":
            self.refuse(inv.wallet, "offering_closed", cents, "HKD", cls=inv.cls)
            return
        units = cents * UNITS_PER_CENT
        if cents < self.cfg.offering.min_ticket_hkd * 100:
            self.refuse(inv.wallet, "offering_ticket", cents, "HKD", cls=inv.cls)
            return
        self._mint_hkds(inv.wallet, f"bank:{inv.wallet}", cents, "subscription funding")
        self.s.hkd.approve(self.s.offering.address, units, sender=inv.wallet)
        try:
            r = self.s.offering.subscribe(units, sender=inv.wallet)
        except ContractRevert as exc:
            self.refuse(inv.wallet, "offering_ticket", cents, "HKD", error=exc.error)
            return
        self._chain_move(inv.wallet, self.s.offering.address, units, "HKDS", "subscribe")
        self.event(inv.wallet, "subscribed", "", cents, "HKD", r, cls=inv.cls)
        self.subscribed_cents += cents
        if self.offering_filled_day is None and self.subscribed_cents >= self.cfg.offering.hard_cap_hkd * 100:
            self.offering_filled_day = self.day

    # ------------------------------------------------------------------ issuer and offering
    def issuer(self):
        """Approval of the foreign institution's service, then the offering, its close, its refunds."""
        o = self.cfg.offering
        yield self.env.timeout(self.approval_days * DAY)
        self.offering_state = "open"
        self.offering_opened_day = self.day
        self.event("issuer", "service_approved", approval_days=self.approval_days)
        self.event("issuer", "offering_opened", hard_cap_hkd=o.hard_cap_hkd)
        yield self.env.timeout(o.duration_days * DAY + 3600)  # just past the on-chain deadline
        self.sync()
        total_units = self.s.offering.totalSubscribed()
        if total_units >= o.soft_cap_hkd * 100 * UNITS_PER_CENT and total_units > 0:
            self._close_offering(total_units)
        else:
            self.offering_state = "failed"
            self.event("issuer", "offering_failed", "", total_units // UNITS_PER_CENT, "HKD")
        self.offering_closed_day = self.day
        for inv in self.investors:  # refunds: failed offering, or the unallocated part when oversubscribed
            if inv.onboarded and self.s.offering.refundableOf(inv.wallet) > 0:
                units = self.s.offering.refundableOf(inv.wallet)
                r = self.s.offering.refund(sender=inv.wallet)
                self._chain_move(self.s.offering.address, inv.wallet, units, "HKDS", "refund")
                self.event(inv.wallet, "refunded", "", units // UNITS_PER_CENT, "HKD", r)

    def _close_offering(self, total_units: int) -> None:
        o = self.cfg.offering
        hard_cap_units = o.hard_cap_hkd * 100 * UNITS_PER_CENT
        price_units = o.price_hkd_cents * UNITS_PER_CENT
        by_wallet = {inv.wallet: inv for inv in self.investors}
        while self.s.offering.state() != 1:  # 1 = Closed
            r = self.s.offering.closeBatch(o.close_batch_size, sender=self.s.issuer)
            for ev in r.events_named("Allocated"):
                inv = by_wallet[ev.args["investor"]]
                # what the model expects the contract to allocate (the same rule, computed independently)
                cash = self.s.offering.subscribed(inv.wallet)
                if total_units > hard_cap_units:
                    cash = cash * hard_cap_units // total_units
                tokens = cash * TOKEN // price_units
                self._chain_move(self.s.offering.address, self.s.treasury, cash, "HKDS", "allocation cash")
                self.ledger.post(int(self.env.now), "external:RWA", f"chain:{inv.wallet}", tokens, "RWA", "allocation")
                self._accrue(inv)
                inv.cost_basis_cents += cash // UNITS_PER_CENT
                inv.tokens += tokens
                self.tokens_outstanding += tokens
                self._holds(inv)
                inv.invested_cents += cash // UNITS_PER_CENT
                inv.purchase_checks.append(self._allowed_now(inv))
                self.capital_raised_cents += cash // UNITS_PER_CENT
                self.event(inv.wallet, "allocated", "", cash // UNITS_PER_CENT, "HKD", r, tokens=tokens, cls=inv.cls)
        self.offering_state = "closed"
        self.event("issuer", "offering_closed", "", self.capital_raised_cents, "HKD")

    # ------------------------------------------------------------------ asset and distributions
    def asset_process(self):
        """Daily generation; at each month end an oracle report, the revenue share repatriated and paid."""
        while True:
            today = self.date()
            self.asset.step_day()
            tomorrow = today + dt.timedelta(days=1)
            if tomorrow.month != today.month:
                statement = self.asset.close_month()
                self.ledger.post(int(self.env.now), "external:grid", "issuer:onshore", statement.net_revenue_fen,
                                 "CNY", "net revenue")
                self.env.process(self.repatriate_and_distribute(statement))
            yield self.env.timeout(DAY)

    def repatriate_and_distribute(self, statement):
        issuer = self.cfg.issuer
        period = statement.year * 100 + statement.month
        self.sync()
        r = self.s.oracle.report(period, statement.kwh, statement.net_revenue_fen, "CNY", period.to_bytes(32, "big"),
                                 sender=self.s.attestor)
        self.event("attestor", "oracle_report", "", statement.net_revenue_fen, "CNY", r, period=period,
                   kwh=statement.kwh)
        if self.offering_state != "closed":
            return  # revenue rights start with the tokens: before the close the share stays with the issuer
        share = statement.holders_share_fen * issuer.repatriation_cap_bps // 10_000
        if issuer.repatriation_delay_days:
            yield self.env.timeout(issuer.repatriation_delay_days * DAY)
        transfer = RAILS["CIPS"].transfer(share, self._now_dt(), self.streams.get("rails:issuer"), currency="CNY")
        self.ledger.post(int(self.env.now), "issuer:onshore", "fees:CIPS", transfer.fee_minor, "CNY", "CIPS fee")
        self.ledger.post(int(self.env.now), "issuer:onshore", "external:fx", transfer.received_minor, "CNY", "repatriation")
        yield self._until(transfer.arrives_at)
        hkd = self.fx.convert(transfer.received_minor, "CNY", "HKD")
        self.ledger.post(int(self.env.now), "external:fx", "spv:HKD", hkd, "HKD", "repatriation FX")
        self.event("issuer", "repatriated", "", hkd, "HKD", period=period)
        cents = self.ledger.balance("spv:HKD", "HKD")
        if cents <= 0:
            return
        payer = self.s.paying_agent
        self._mint_hkds(payer, "spv:HKD", cents, "distribution funding")
        units = cents * UNITS_PER_CENT
        self.s.hkd.approve(self.s.distributor.address, units, sender=payer)
        r = self.s.distributor.distribute(units, period, sender=payer)
        self._chain_move(payer, self.s.distributor.address, units, "HKDS", "distribute")
        self.counters.distributions_cents += cents
        self.recent_distributions_cents.append(cents)
        if self.first_distribution_day is None:
            self.first_distribution_day = self.day
        # trailing yield holders see: this month's payout, annualised, on the market value of the tokens
        market_value_cents = self.tokens_outstanding * self.price_cents // TOKEN
        self.trailing_yield_bps = cents * 12 * 10_000 // market_value_cents if market_value_cents else 0
        self.periods_distributed += 1
        self.event("paying-agent", "distribution", "", cents, "HKD", r, period=period)
        if self.periods_distributed % self.cfg.market.claim_every_months == 0:
            self._claim_all()

    def _claim_all(self, batch: int = 100) -> None:
        """Platforms claim for their custodial clients: what is owed (one view), then one transaction per batch."""
        holders = [self.investors[i] for i in sorted(self.ever_held)]  # only they can be owed anything
        for start in range(0, len(holders), batch):
            chunk = holders[start:start + batch]
            owed = self.s.distributor.withdrawableOfBatch([i.wallet for i in chunk])
            due = [(inv, amount) for inv, amount in zip(chunk, owed, strict=True) if amount]
            if not due:
                continue
            r = self.s.distributor.batchClaimFor([inv.wallet for inv, _ in due], sender=self.s.agent)
            for inv, amount in due:
                self._chain_move(self.s.distributor.address, inv.wallet, amount, "HKDS", "claim")
                inv.received_cents += amount // UNITS_PER_CENT
                self.counters.claimed_cents += amount // UNITS_PER_CENT
            self.event("platforms", "claimed", "", sum(a for _, a in due) // UNITS_PER_CENT, "HKD", r, holders=len(due))

    # ------------------------------------------------------------------ secondary market
    def market(self):
        """Each business day: holders may sell, onboarded investors may bid; platforms match and settle."""
        m = self.cfg.market
        while True:
            yield self.env.timeout(DAY)
            self.sentiment = min(0.0, self.sentiment + self.sentiment_recovery_per_day)
            for platform in self.platforms.values():
                if platform.licence == "licensed" and platform.outage_rng.random() < platform.cfg.outage_probability_per_day:
                    platform.outage_until = max(platform.outage_until, (self.day + 1) * DAY)
                    self.counters.platform_outage_days += 1
                    self.event(platform.name, "platform_outage", "platform_outage")
            if self.offering_state != "closed" or not self.calendar.is_business_day(self.date()):
                continue
            for platform in self.platforms.values():
                listed = platform.cfg.lists_token and \
                    self.day >= self.offering_closed_day + platform.cfg.listing_delay_days
                if listed and platform.open_for_business:
                    self._session(platform, m.quote_spread_bps)

    def fair_price_cents(self) -> int:
        """What the token is worth to a holder who wants the expected yield: the last 12 months of
        distributions per token over that yield, less a risk premium while fear lasts; before any
        distribution, the offering price."""
        fear = max(0.0, -self.sentiment)
        paid = self.recent_distributions_cents[-12:]
        if not paid or not self.tokens_outstanding:
            fair = self.cfg.offering.price_hkd_cents
        else:
            per_token_year = sum(paid) * 12 // len(paid) * TOKEN // self.tokens_outstanding
            fair = per_token_year * 10_000 // max(1, self.cfg.market.expected_yield_bps)
        return max(1, int(fair * (1.0 - self.cfg.market.fear_discount * fear)))

    def _sell_pressure(self, cls: str, fear: float, loss: float, shortfall: float) -> float:
        """Daily chance a holder sells: a base rate (one over the mean holding period) scaled up by fear
        (twice as much for mainland investors), losses against the entry price and a yield shortfall."""
        c = self.cfg.investors[cls]
        return (1.0 / c.hold_days_mean) * (1.0 + 8.0 * fear * (2.0 if cls == "mainland_gba" else 1.0)
                                           + c.price_drop_sell_factor * loss + c.yield_shortfall_sell_factor * shortfall)

    def _decision_bounds(self) -> dict[str, float]:
        """Per class, the most a session's decision probability can be (fear, loss and shortfall all at 1):
        the thinning bound of each client's decision calendar."""
        return {cls: min(1.0, max(self._sell_pressure(cls, 1.0, 1.0, 1.0), self.cfg.investors[cls].buy_interest_per_day))
                for cls in CLASSES}

    def _session(self, platform: Platform, spread_bps: int) -> None:
        # quotes start from the last trade pulled towards fair value, so prices do not wander off
        fair = self.fair_price_cents()
        ref = max(1, self.price_cents + (fair - self.price_cents) * self.cfg.market.fair_value_pull_bps // 10_000)
        fear = max(0.0, -self.sentiment)
        orders: list[Order] = []
        # only the clients whose decision may fire this session are visited (see simulator.model.decisions)
        for inv in platform.decisions.next_session():
            c = self.cfg.investors[inv.cls]
            p_max = self.decision_bound[inv.cls]
            platform.decisions.schedule(inv.index, inv, inv.rng, p_max)
            if inv.selling or inv.bidding:
                continue
            if inv.tokens >= LOT:
                entry = inv.invested_cents * TOKEN // max(1, inv.tokens)  # average entry price, cents per token
                loss = max(0.0, (entry - ref) / entry) if entry else 0.0
                shortfall = max(0.0, 1.0 - self.trailing_yield_bps / c.expected_yield_bps) if c.expected_yield_bps else 0.0
                if accept(inv.rng, self._sell_pressure(inv.cls, fear, loss, shortfall), p_max):
                    qty = inv.tokens - inv.tokens % LOT
                    discount = spread_bps * float(inv.rng.random()) * (1.0 + 3.0 * fear) / 10_000
                    price = max(1, int(ref * (1.0 - discount)))
                    self.sync()
                    self.s.token.approve(self.s.dvp.address, qty, sender=inv.wallet)
                    inv.selling = True
                    orders.append(Order(f"s{self._next_serial()}", "sell", inv.wallet, price, qty, int(self.env.now)))
            elif accept(inv.rng, c.buy_interest_per_day * (1.0 - fear), p_max):
                decision = self.policy.may_hold_rwa(inv.cls, inv.professional, inv.profile)
                if not decision.allowed:  # the rules changed since onboarding
                    self.refuse(inv.wallet, decision.reason, cls=inv.cls)
                    continue
                premium = spread_bps * float(inv.rng.random()) / 10_000
                price = max(1, int(ref * (1.0 + premium)))
                budget = self._ticket_cents(inv)
                qty = budget * TOKEN // price
                qty -= qty % LOT
                if qty >= LOT:
                    orders.append(Order(f"b{self._next_serial()}", "buy", inv.wallet, price, qty, int(self.env.now)))
        by_wallet = self._by_wallet
        for order in orders:
            if order.side == "buy":
                by_wallet[order.investor].bidding = True
            matches = platform.book.submit(order)
            for match in matches:
                self.env.process(self._settle(platform, match, by_wallet[match.buyer], by_wallet[match.seller]))
            if not matches and platform.book.get(order.order_id) is None:
                self._order_gone(order)  # dropped by the book (it would have crossed the investor's own order)
        platform.resting.extend(orders)
        # orders rest for a while, then expire (oldest first): the investor may decide afresh later
        horizon = int(self.env.now) - self.cfg.market.order_ttl_days * DAY
        resting = platform.resting
        while resting and resting[0].submitted_at <= horizon:
            order = resting.popleft()
            if platform.book.cancel(order.order_id) is not None:
                self._order_gone(order)

    def _accrue(self, inv: Investor, until_s: int | None = None) -> None:
        now = int(self.env.now) if until_s is None else until_s
        inv.capital_cent_days += inv.cost_basis_cents * (now - inv.basis_since_s) // DAY
        inv.basis_since_s = now

    def _holds(self, inv: Investor) -> None:
        if inv.index not in self.holders:
            self.holders.add(inv.index)
            self.holders_by_class[inv.cls] += 1
        self.ever_held.add(inv.index)

    def _allowed_now(self, inv: Investor) -> bool:
        return self.policy.may_hold_rwa(inv.cls, inv.professional, inv.profile).allowed

    def _order_gone(self, order: Order) -> None:
        inv = self._by_wallet[order.investor]
        if order.side == "sell":
            inv.selling = False
        else:
            inv.bidding = False

    def _next_serial(self) -> int:
        self._trade_serial += 1
        return self._trade_serial

    def _settle(self, platform: Platform, match, buyer: Investor, seller: Investor):
        """Fund the buyer, wait for the settlement date (T+n), then DvP on-chain; a failure moves nothing."""
        matched_at = int(self.env.now)
        cents = match.cash_value
        reason = yield from self.fund_hkd(buyer, cents)
        if reason:
            self.refuse(buyer.wallet, reason, cents, "HKD", match=match.match_id)
            self._settlement_failed(match, seller, reason)
            return
        buyer.committed_cents += cents
        try:
            yield from self._deliver(platform, match, buyer, seller, cents, matched_at)
        finally:
            buyer.committed_cents -= cents

    def _deliver(self, platform: Platform, match, buyer: Investor, seller: Investor, cents: int, matched_at: int):
        settle_date = self.calendar.settlement_date(self._now_dt(), self.cfg.market.settlement_t_plus)
        settle_at = (settle_date - self.cfg.start_date).days * DAY + 10 * 3600
        yield self.env.timeout(max(0, settle_at - self.env.now))
        if platform.licence != "licensed":
            self._settlement_failed(match, seller, "platform_not_licensed")
            return
        decision = self.policy.may_hold_rwa(buyer.cls, buyer.professional, buyer.profile)
        if not decision.allowed:  # the rules changed between the match and the settlement date
            self._settlement_failed(match, seller, decision.reason)
            return
        waited_days = self._business_days_between(matched_at, int(self.env.now))
        self.counters.capital_idle_cent_days += cents * (int(self.env.now) - matched_at) // DAY
        p_fail = 1.0 - (1.0 - self.cfg.market.counterparty_fail_rate_per_day) ** waited_days
        if self.streams.get("settlement-risk").random() < p_fail:
            # the seller fails to deliver: it withdraws the DvP allowance, so the on-chain settlement below
            # reverts and moves neither leg
            self.counters.counterparty_failures += 1
            self.s.token.approve(self.s.dvp.address, 0, sender=seller.wallet)
        fee_cents = cents * platform.cfg.fee_bps // 10_000
        if self.ledger.balance(f"bank:{buyer.wallet}", "HKD") < cents:
            self._settlement_failed(match, seller, "settlement_failed", error="buyer short of cash")
            return
        self._mint_hkds(buyer.wallet, f"bank:{buyer.wallet}", cents, "secondary purchase")
        units, fee_units = cents * UNITS_PER_CENT, fee_cents * UNITS_PER_CENT
        self.s.hkd.approve(self.s.dvp.address, units, sender=buyer.wallet)
        trade_id = match.match_id.encode().ljust(32, b"\x00")[:32]
        try:
            r = self.s.dvp.settle(trade_id, seller.wallet, buyer.wallet, match.quantity, units, fee_units,
                                  sender=platform.signer)
        except ContractRevert as exc:
            self._settlement_failed(match, seller, "settlement_failed", error=exc.error)
            return
        self._chain_move(seller.wallet, buyer.wallet, match.quantity, "RWA", "DvP token leg")
        self._chain_move(buyer.wallet, seller.wallet, units - fee_units, "HKDS", "DvP cash leg")
        self._chain_move(buyer.wallet, self.s.fee_account, fee_units, "HKDS", "DvP fee")
        self._accrue(seller)
        self._accrue(buyer)
        seller.cost_basis_cents -= seller.cost_basis_cents * match.quantity // seller.tokens
        buyer.cost_basis_cents += cents
        seller.tokens -= match.quantity
        buyer.tokens += match.quantity
        self._holds(buyer)
        if seller.tokens == 0 and seller.index in self.holders:
            self.holders.discard(seller.index)
            self.holders_by_class[seller.cls] -= 1
        buyer.purchase_checks.append(self._allowed_now(buyer))
        if not platform.book.get(match.sell_order_id):
            seller.selling = False
        if not platform.book.get(match.buy_order_id):
            buyer.bidding = False
        buyer.invested_cents += cents
        self.price_cents = match.price
        self.counters.trades += 1
        self.counters.volume_cents += cents
        self.counters.settlement_latency_s_total += int(self.env.now) - matched_at
        self.event(platform.name, "trade_settled", "", cents, "HKD", r, buyer=buyer.wallet, seller=seller.wallet,
                   price_cents=match.price, quantity=match.quantity, latency_s=int(self.env.now) - matched_at)
        if seller.cls == "mainland_gba":
            self._return_northbound(seller, cents - fee_cents)

    def _business_days_between(self, start_s: int, end_s: int) -> int:
        """Business days after the day of `start_s`, up to and including the day of `end_s`."""
        first, last = start_s // DAY + 1, end_s // DAY
        return sum(1 for d in range(first, last + 1)
                   if self.calendar.is_business_day(self.cfg.start_date + dt.timedelta(days=d)))

    def _settlement_failed(self, match, seller: Investor, reason: str, **extra) -> None:
        seller.selling = False
        self._by_wallet[match.buyer].bidding = False
        self.counters.settlement_failures += 1
        self.refuse(match.buyer, "settlement_failed" if reason not in REASONS else reason, match.cash_value, "HKD",
                    match=match.match_id, **extra)

    def _return_northbound(self, inv: Investor, cents: int) -> None:
        """Closed loop: sale proceeds go back only to the paired mainland remittance account."""
        if inv.rng.random() < self.cfg.investors[inv.cls].closed_loop_violation_share:
            decision = self.policy.closed_loop(f"mainland:{inv.wallet}", f"other-account:{inv.wallet}")
            self.refuse(inv.wallet, decision.reason, cents, "HKD")  # asked to be paid elsewhere: refused
        decision = self.policy.closed_loop(f"mainland:{inv.wallet}", f"mainland:{inv.wallet}")
        assert decision.allowed
        units = cents * UNITS_PER_CENT
        self.s.hkd.approve(self.s.hkd_issuer, units, sender=inv.wallet)
        r = self.s.hkd.burnFrom(inv.wallet, units, sender=self.s.hkd_issuer)
        self.ledger.post(int(self.env.now), f"chain:{inv.wallet}", "external:HKDS", units, "HKDS", "redeem")
        self.ledger.post(int(self.env.now), "reserve:HKDS", f"bank:{inv.wallet}", cents, "HKD", "redeem")
        fen = self.fx.convert(cents, "HKD", "CNY")
        self.ledger.post(int(self.env.now), f"bank:{inv.wallet}", "external:fx", cents, "HKD", "FX northbound")
        self.ledger.post(int(self.env.now), "external:fx", f"mainland:{inv.wallet}", fen, "CNY", "CIPS northbound")
        self.policy.release_southbound(inv.wallet, fen)
        self.event(inv.wallet, "remittance_northbound", "", fen, "CNY", r)

    # ------------------------------------------------------------------ VA ETFs through CWM
    def _coin_price_hkd_cents(self) -> int:
        return self.fx.convert(self.va.price_usd_cents, "USD", "HKD")

    def etf_purchase(self, inv: Investor):
        """A CWM-eligible mainland investor buys a spot VA ETF through the southbound channel, if it is listed."""
        etf = self.cfg.va_etf
        if not etf.cwm_eligible:
            self.refuse(inv.wallet, "cwm_product_not_eligible", product="va_etf")
            return
        cents = inv.wealth_cents * etf.ticket_share_of_wealth_bps // 10_000
        reason, received, fen = yield from self._remit_southbound(inv, cents, "rails:etf", product_eligible=True)
        if reason:
            self.refuse(inv.wallet, reason, fen, "CNY", product="va_etf")
            return
        self.ledger.post(int(self.env.now), f"cwm:{inv.wallet}", "external:fx", received, "CNY", "FX (ETF)")
        paid = self.fx.convert(received, "CNY", "HKD")
        self.ledger.post(int(self.env.now), "external:fx", "external:etf-manager", paid, "HKD", "ETF subscription")
        units = paid * UNITS_PER_COIN // max(1, self._coin_price_hkd_cents())
        inv.etf_units, inv.etf_cost_cents, inv.etf_quota_fen = units, paid, fen
        self.etf_holders.append(inv)
        self.etf_state["subscribed_cents"] += paid
        self.event(inv.wallet, "etf_bought", "", paid, "HKD", units=units, quota_fen=fen)

    def _etf_day(self) -> None:
        price = self._coin_price_hkd_cents()
        state = self.etf_state
        if state["last_price"]:
            state["returns"].append(price / state["last_price"] - 1.0)
        state["last_price"] = price
        state["peak"] = max(state["peak"], price)
        state["max_drawdown"] = max(state["max_drawdown"], 1 - price / state["peak"] if state["peak"] else 0)
        panic = self.cfg.va_etf.panic_drawdown_bps
        for inv in self.etf_holders:
            if not inv.etf_units:
                continue
            value = inv.etf_units * price // UNITS_PER_COIN
            if panic and value * 10_000 < inv.etf_cost_cents * (10_000 - panic):
                # sells at a loss; proceeds go home (closed loop) and free the principal's quota
                fen = self.fx.convert(value, "HKD", "CNY")
                self.ledger.post(int(self.env.now), "external:etf-manager", "external:fx", value, "HKD", "ETF redemption")
                self.ledger.post(int(self.env.now), "external:fx", f"mainland:{inv.wallet}", fen, "CNY", "ETF redemption")
                self.policy.release_southbound(inv.wallet, min(fen, inv.etf_quota_fen))
                state["realized_pnl_cents"] += value - inv.etf_cost_cents
                state["panic_sellers"] += 1
                self.event(inv.wallet, "etf_sold", "panic", value, "HKD", loss_cents=inv.etf_cost_cents - value)
                inv.etf_units = 0

    def etf_value_cents(self) -> int:
        price = self._coin_price_hkd_cents()
        return sum(i.etf_units * price // UNITS_PER_COIN for i in self.etf_holders)

    # ------------------------------------------------------------------ shocks and metrics
    def shocks(self):
        for shock in sorted(self.cfg.shocks, key=lambda s: s.day):
            yield self.env.timeout(max(0, shock.day * DAY - self.env.now))
            self.apply_shock(shock)

    def apply_shock(self, shock: ShockConfig) -> None:
        p = self.platforms.get(shock.platform)
        if shock.kind in ("licence_suspension", "licence_revocation"):
            p.licence = "suspended" if shock.kind == "licence_suspension" else "revoked"
            for order in p.book.clear():
                self._order_gone(order)
            if shock.kind == "licence_suspension" and shock.duration_days:
                self.env.process(self._restore(p, shock.duration_days))
        elif shock.kind == "licence_restored":
            p.licence = "licensed"
        elif shock.kind == "platform_outage":
            p.outage_until = self.env.now + max(1, shock.duration_days) * DAY
        elif shock.kind == "ban_rumour":
            self.sentiment = -abs(shock.sentiment)
            self.sentiment_recovery_per_day = abs(shock.sentiment) / max(1, shock.duration_days)
        elif shock.kind == "cwm_quota_change":
            c = self.policy.rules.cwm
            self._set_cwm(individual_quota_fen=(shock.individual_quota_cny * 100 if shock.individual_quota_cny
                                                is not None else c.individual_quota_fen),
                          aggregate_quota_fen=(shock.aggregate_quota_cny * 100 if shock.aggregate_quota_cny
                                               is not None else c.aggregate_quota_fen))
        elif shock.kind == "cwm_product_list":
            self._set_cwm(product_eligible=shock.enabled)
        elif shock.kind == "retail_authorisation":
            self._set_rules(retail_authorised=shock.enabled)
            self.sync()
            self.s.modules["investor_category"].setRetailAuthorised(shock.enabled, sender=self.s.admin)
        self.event("authority", "shock", shock.kind, platform=shock.platform, sentiment=shock.sentiment)

    def _set_cwm(self, **changes) -> None:
        c = self.policy.rules.cwm
        fields = {f: getattr(c, f) for f in c.__slots__}
        fields.update(changes)
        self._set_rules(cwm=CwmRules(**fields))
        if changes.get("product_eligible"):
            self.sync()
            self.s.modules["investor_category"].setRetailAuthorised(True, sender=self.s.admin)

    def _set_rules(self, **changes) -> None:
        r = self.policy.rules
        fields = {f: getattr(r, f) for f in r.__slots__}
        fields.update(changes)
        self.policy.rules = PolicyRules(**fields)

    def _restore(self, platform: Platform, days: int):
        yield self.env.timeout(days * DAY)
        platform.licence = "licensed"
        self.event("authority", "shock", "licence_restored", platform=platform.name)

    def disposal(self):
        """The authority sells seized coins through licensed platforms: an equal slice each business day
        (TWAP), capped by each platform's daily volume; proceeds converted to CNY into a designated account.
        The coins are a token on-chain (8 decimals): each sale moves them to the platform's custody wallet."""
        d = self.cfg.disposal
        total = d.quantity_coins * UNITS_PER_COIN
        authority = self.chain.new_account("authority")
        self.sync()
        coin = self.chain.deploy("SettlementToken", "Seized Virtual Asset", "SVA", "BTC", 8, authority, sender=authority)
        coin.mint(authority, total, sender=authority)
        self.ledger.post(0, "external:SVA", f"chain:{authority}", total, "SVA", "seized")
        self.seized = (coin, authority)
        yield self.env.timeout(d.start_day * DAY + 10 * 3600)
        remaining, days_left, turn = total, d.days, 0
        state = self.disposal_state
        while remaining > 0 and self.env.now < self.cfg.horizon_days * DAY:
            if self.calendar.is_business_day(self.date()):
                names = d.platforms or list(self.platforms)
                usable = [self.platforms[n] for n in names if self.platforms[n].open_for_business]
                if not usable:
                    self.refuse("authority", "platform_not_licensed", remaining, "SVA")
                else:
                    platform = usable[turn % len(usable)]
                    turn += 1
                    slice_units = remaining if days_left <= 1 else remaining // days_left
                    pc = platform.cfg
                    fill = self.va.sell(slice_units, DepthParams(pc.va_depth_usd_at_1pct * 100,
                                                                 pc.va_daily_volume_cap_coins * UNITS_PER_COIN,
                                                                 platform=pc.name))
                    if fill.quantity_units:
                        self.sync()
                        r = coin.transfer(platform.signer, fill.quantity_units, sender=authority)
                        self._chain_move(authority, platform.signer, fill.quantity_units, "SVA", "disposal")
                        fen = self.fx.convert(fill.proceeds_usd_cents, "USD", "CNY")
                        self.ledger.post(int(self.env.now), "external:va-buyers", "designated:authority", fen, "CNY",
                                         "disposal proceeds")
                        remaining -= fill.quantity_units
                        state["sold_units"] += fill.quantity_units
                        state["proceeds_fen"] += fen
                        state["impact_bps"].append(fill.impact_bps)
                        self.event("authority", "va_sale", "", fen, "CNY", r, platform=pc.name,
                                   units=fill.quantity_units, price_usd_cents=fill.average_price_usd_cents,
                                   impact_bps=fill.impact_bps)
                    if fill.unfilled_units:
                        self.refuse("authority", "no_liquidity", fill.unfilled_units, "SVA", platform=pc.name)
                days_left -= 1
            yield self.env.timeout(DAY)
        if remaining == 0:
            state["finished_day"] = self.day

    def metrics(self):
        while True:
            self.fx.step()
            self.va.step()
            if self.etf_holders:
                self._etf_day()
            rates = self.fx.rates()
            holders = len(self.holders)
            self.timeseries.append({
                "day": self.day, "date": self.date().isoformat(),
                "investors_onboarded": sum(len(p.clients) for p in self.platforms.values()),
                "holders": holders,
                **{f"holders_{c}": n for c, n in self.holders_by_class.items()},
                "tokens_outstanding": self.tokens_outstanding,
                "capital_idle_hkd_days_cum": self.counters.capital_idle_cent_days // 100,
                "settlement_failures_cum": self.counters.settlement_failures,
                "price_hkd_cents": self.price_cents,
                "trades_cum": self.counters.trades,
                "volume_hkd_cents_cum": self.counters.volume_cents,
                "distributions_hkd_cents_cum": self.counters.distributions_cents,
                "cwm_aggregate_quota_used_fen": self.policy.cwm_aggregate_used_fen,
                "refused_cum": sum(self.counters.refused.values()),
                "sentiment": round(self.sentiment, 4),
                "offering_state": self.offering_state,
                "platforms_licensed": sum(1 for p in self.platforms.values() if p.licence == "licensed"),
                "va_price_usd_cents": self.va.price_usd_cents,
                "va_sold_units_cum": self.disposal_state["sold_units"],
                "etf_value_hkd": self.etf_value_cents() // 100 if self.etf_holders else 0,
                **{f"fx_{k}": v for k, v in sorted(rates.items())},
            })
            if self.on_day is not None:
                self.on_day(self.day)
            yield self.env.timeout(DAY)

    # ------------------------------------------------------------------ run
    def run(self) -> None:
        env = self.env
        env.process(self.metrics())
        env.process(self.issuer())
        env.process(self.asset_process())
        env.process(self.market())
        env.process(self.shocks())
        if self.cfg.disposal.quantity_coins:
            env.process(self.disposal())
        for cls in CLASSES:
            if cls in self.cfg.investors and self.cfg.investors[cls].count:
                env.process(self.investor_arrivals(cls))
        env.run(until=self.cfg.horizon_days * DAY)
        self.sync()

    def reconciliation_diff(self) -> int:
        """Ledger mirrors vs on-chain balances for every wallet and contract the model knows, plus the
        stablecoin reserve vs HKDS supply. 0 or the run is wrong."""
        wallets = [i.wallet for i in self.investors] + [
            self.s.offering.address, self.s.distributor.address, self.s.treasury, self.s.paying_agent,
            self.s.fee_account, self.s.dvp.address]
        onchain = {}
        for w in wallets:
            onchain[(w, "HKDS")] = self.s.hkd.balanceOf(w)
            onchain[(w, "RWA")] = self.s.token.balanceOf(w)
        wallets += [p.signer for p in self.platforms.values()]
        for w in wallets:
            onchain.setdefault((w, "HKDS"), self.s.hkd.balanceOf(w))
            onchain.setdefault((w, "RWA"), self.s.token.balanceOf(w))
        if hasattr(self, "seized"):
            coin, authority = self.seized
            for w in [authority] + [p.signer for p in self.platforms.values()]:
                onchain[(w, "SVA")] = coin.balanceOf(w)
            diff_supply = abs(-self.ledger.balance("external:SVA", "SVA") - coin.totalSupply())
        else:
            diff_supply = 0
        diff = reconcile(self.ledger, onchain) + diff_supply
        diff += abs(self.ledger.balance("reserve:HKDS", "HKD") * UNITS_PER_CENT - self.s.hkd.totalSupply())
        diff += abs(-self.ledger.balance("external:RWA", "RWA") - self.s.token.totalSupply())
        return diff
