"""The world: what every actor shares (clock, random streams, ledger, policy gate, the deployed contract
suite, the audit trail) and the run that starts each actor's SimPy process.

Each actor is a module of its own (Mesa's agents/model split): `investors` (arrival, journey, onboarding),
`funding` (payment and remittance legs), `offering` (the issuer and its primary offering), `revenue` (the
asset, oracle reports, repatriation, distributions and claims), `market` (sessions and matching),
`settlement` (T+n DvP), `etf`, `disposal`, `shocks`, and `metrics` (the daily series and the summary row).

Every token movement happens on-chain through `simulator.chain` handles; every money movement off-chain is
a posting in the integer double-entry `Ledger`, and each on-chain movement is mirrored there by what the
model *intended*, so the final reconciliation checks the model and the contracts against each other.
Units (`simulator.units`): fiat in minor units (HKD cents, CNY fen, USD cents); HKDS has 6 decimals (one
cent is 10**4 units); the revenue-rights token 18; prices are HKD cents per whole token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator
from typing import Any

import simpy

from simulator.chain import Chain, Receipt
from simulator.chain.suite import deploy_suite
from simulator.columns import EVENTS
from simulator.model.channels import Channels
from simulator.model.claims import Claims
from simulator.model.classes import INVESTOR_CLASSES
from simulator.model.config import WorldConfig
from simulator.model.cwm_market import CwmMarket
from simulator.model.disposal import Disposal
from simulator.model.errors import ModelError, ReconciliationError
from simulator.model.etf import VaEtfs
from simulator.model.funding import Funding
from simulator.model.fx import FxMarket
from simulator.model.holdings import Holdings
from simulator.model.investor import Investor
from simulator.model.investors import Investors
from simulator.model.ledger import Ledger, reconcile
from simulator.model.legal import Legal
from simulator.model.market import SecondaryMarket
from simulator.model.metrics import Counters, daily_row
from simulator.model.offering import Issuer
from simulator.model.platform import Platform
from simulator.model.policy import PolicyGate
from simulator.model.rails import BusinessCalendar
from simulator.model.revenue import Revenue
from simulator.model.rng import Streams
from simulator.model.settlement import Settlement
from simulator.model.shocks import Shocks
from simulator.model.va_market import VirtualAssetMarket
from simulator.units import DAY, UNITS_PER_CENT, major_to_minor, tokens_e9

__all__ = ["ReconciliationError", "World"]

Process = Generator[simpy.Event, Any, Any]
# the event columns a keyword of `World.event` fills; `event` sets the others itself (tokens_e9 from `tokens`)
EVENT_FIELD_COLUMNS = frozenset(EVENTS) - {"time_s", "day", "actor", "kind", "reason", "amount_minor", "currency",
                                           "block", "onchain", "tokens_e9", "detail"}


class World:
    def __init__(self, cfg: WorldConfig, seed: int, chain: Chain) -> None:
        self.cfg = cfg
        self.seed = seed
        self.chain = chain
        self.env = simpy.Environment()
        # the chain reads simulation time itself before every call: no actor has to remember to move it
        chain.clock = lambda: self.env.now
        self.streams = Streams(seed)
        self.ledger = Ledger()
        self.calendar = BusinessCalendar()
        self.policy = PolicyGate(cfg.policy.rules(),
                                 major_to_minor(cfg.policy.cwm.aggregate_used_cny))
        self.fx = FxMarket(cfg.fx, self.streams.get("fx"))
        self.va = VirtualAssetMarket(cfg.va_market, self.streams.get("va"))
        self.events: list[dict] = []  # kept in memory unless a sink streams them out
        self.event_sink: Callable[[dict], None] | None = None  # events go there instead (to disk, never held)
        self.event_count = 0
        self.on_day: Callable[[int], None] | None = None  # called after each simulated day (progress bars)
        self.timeseries: list[dict] = []
        self.counters = Counters()
        self.investors: list[Investor] = []  # everyone who arrived, in arrival order
        self.by_wallet: dict[str, Investor] = {}
        self.holdings = Holdings()
        # the actors; the issuer draws its approval time first, which sets the offering's on-chain deadline
        self.issuer = Issuer(self)
        self.suite = deploy_suite(chain, self.issuer.suite_config())
        self.platforms: dict[str, Platform] = {}
        for pc in cfg.platforms:
            signer = chain.new_account(f"platform:{pc.name}")
            self.suite.dvp.grantRole(self.suite.roles["PLATFORM_ROLE"], signer, sender=self.suite.admin)
            self.platforms[pc.name] = Platform(self, pc, signer)
        self.channels = Channels(self)
        self.funding = Funding(self)
        self.investor_flow = Investors(self)
        self.revenue = Revenue(self)
        self.market = SecondaryMarket(self)
        self.settlement = Settlement(self)
        self.etfs = VaEtfs(self)
        self.disposal = Disposal(self)
        self.shocks = Shocks(self)
        self.legal = Legal(self)
        self.claims = Claims(self)
        # the CWM market's other products, each its own desk (a scenario with [[products]]; else none)
        self.cwm_market = CwmMarket(self) if cfg.products else None

    # ------------------------------------------------------------------ the clock
    @property
    def now_s(self) -> int:
        return int(self.env.now)

    @property
    def day(self) -> int:
        return int(self.env.now // DAY)

    def date(self) -> dt.date:
        return self.cfg.start_date + dt.timedelta(days=self.day)

    def now_dt(self) -> dt.datetime:
        return dt.datetime.combine(self.cfg.start_date, dt.time()) + dt.timedelta(seconds=int(self.env.now))

    def until(self, moment: dt.datetime) -> simpy.Timeout:
        """A SimPy timeout that ends at `moment` (HKT), or at once if it has passed."""
        return self.env.timeout(max(0.0, (moment - self.now_dt()).total_seconds()))

    # ------------------------------------------------------------------ the audit trail
    def event(self, actor: str, kind: str, reason: str = "", amount: int = 0, currency: str = "",
              receipt: Receipt | None = None, tokens: int | None = None, **fields: Any) -> None:
        """One row of the audit trail (columns: `simulator.columns.EVENTS`). `amount` is in the currency's unit
        in the model (RWA: token base units) and is reported in its minor unit; no currency, no amount.
        `tokens` (base units) is reported as `tokens_e9`; a keyword naming a column fills it, any other goes
        to `detail`. Off-chain events carry the chain's latest block, read without moving the chain."""
        row: dict[str, Any] = dict.fromkeys(EVENTS)
        row.update(time_s=int(self.env.now), day=self.day, actor=actor, kind=kind, reason=reason or None,
                   block=receipt.block_number if receipt is not None else self.chain.block_number,
                   onchain=receipt is not None)
        if currency:
            row["amount_minor"], row["currency"] = (tokens_e9(amount) if currency == "RWA" else amount), currency
        elif amount:
            raise ModelError(f"{kind}: an amount ({amount}) without a currency")
        if tokens is not None:
            row["tokens_e9"] = tokens_e9(tokens)
        rest = {}
        for key, value in fields.items():
            if key in EVENT_FIELD_COLUMNS:
                row[key] = None if value == "" else value
            else:
                rest[key] = value
        row["detail"] = ";".join(f"{k}={v}" for k, v in sorted(rest.items())) or None
        self.event_count += 1
        if self.event_sink is None:
            self.events.append(row)
        else:
            self.event_sink(row)

    def refuse(self, actor: str, reason: str, amount: int = 0, currency: str = "", **extra: Any) -> None:
        self.counters.refused[reason] += 1
        self.quota_bound(reason)
        self.event(actor, "refused", reason, amount, currency, **extra)

    def quota_bound(self, reason: str) -> None:
        """A purchase was refused, cut or scaled down for `reason`: the first day the aggregate quota bound."""
        if reason == "cwm_aggregate_quota" and self.counters.aggregate_quota_bound_day is None:
            self.counters.aggregate_quota_bound_day = self.day

    def chain_move(self, src: str, dst: str, amount: int, symbol: str, memo: str) -> None:
        """Mirror an on-chain movement in the ledger (what the model intended it to move)."""
        self.ledger.post(int(self.env.now), f"chain:{src}", f"chain:{dst}", amount, symbol, memo)

    # ------------------------------------------------------------------ run
    def daily(self) -> Process:
        """Once a day: the markets move, then the day's metrics row."""
        while True:
            self.fx.step()
            self.va.step()
            self.etfs.day()
            if self.cwm_market is not None:
                self.cwm_market.day()
            self.timeseries.append(daily_row(self))
            if self.on_day is not None:
                self.on_day(self.day)
            yield self.env.timeout(DAY)

    def run(self) -> None:
        env = self.env
        env.process(self.daily())
        env.process(self.issuer.run())
        env.process(self.revenue.run())
        env.process(self.market.run())
        env.process(self.shocks.run())
        if self.cfg.disposal.quantity_coins:
            env.process(self.disposal.run())
        if self.cfg.legal.key_loss_per_year:
            env.process(self.legal.run())
        for name in INVESTOR_CLASSES:
            if name in self.cfg.investors and self.cfg.investors[name].count:
                env.process(self.investor_flow.arrivals(name))
        env.run(until=self.cfg.horizon_days * DAY)

    def reconciliation_diff(self) -> int:
        """Ledger mirrors vs on-chain balances for every wallet and contract the model knows, plus the
        stablecoin reserve vs HKDS supply. 0 or the run is wrong."""
        s = self.suite
        wallets = [i.wallet for i in self.investors] + self.legal.retired_wallets + [
            s.offering.address, s.distributor.address, s.treasury, s.paying_agent, s.fee_account, s.dvp.address]
        onchain = {}
        for w in wallets:
            onchain[(w, "HKDS")] = s.hkd.balanceOf(w)
            onchain[(w, "RWA")] = s.token.balanceOf(w)
        wallets += [p.signer for p in self.platforms.values()] + ([self.legal.receiver] if self.legal.receiver else [])
        for w in wallets:
            onchain.setdefault((w, "HKDS"), s.hkd.balanceOf(w))
            onchain.setdefault((w, "RWA"), s.token.balanceOf(w))
        seized = self.disposal.coin
        if seized is not None:
            for w in [self.disposal.authority] + [p.signer for p in self.platforms.values()]:
                onchain[(w, "SVA")] = seized.balanceOf(w)
            diff_supply = abs(-self.ledger.balance("external:SVA", "SVA") - seized.totalSupply())
        else:
            diff_supply = 0
        if self.cwm_market is not None:
            diff_supply += self._market_onchain(self.cwm_market, onchain)
        diff = reconcile(self.ledger, onchain) + diff_supply
        diff += abs(self.ledger.balance("reserve:HKDS", "HKD") * UNITS_PER_CENT - s.hkd.totalSupply())
        diff += abs(-self.ledger.balance("external:RWA", "RWA") - s.token.totalSupply())
        return diff

    def _market_onchain(self, market: CwmMarket, onchain: dict[tuple[str, str], int]) -> int:
        """The CWM market's on-chain side, added to `onchain`: every product token held by any wallet the
        model knows, the dealers' and DvPs' cash, the CNH stablecoin of every wallet. Returns the supply gaps
        (each product token's supply and CNHT's vs what the ledger says was issued)."""
        s = self.suite
        wallets = [i.wallet for i in self.investors] + self.legal.retired_wallets
        diff = abs(self.ledger.balance("reserve:CNHT", "CNH") * UNITS_PER_CENT - s.cnh.totalSupply())
        for desk in market.token_desks():
            d = desk.suite
            onchain.update(desk.onchain_balances(wallets))
            for w in (d.treasury, d.dvp.address, d.dvp_cnh.address):
                onchain[(w, "HKDS")] = s.hkd.balanceOf(w)
                onchain[(w, "CNHT")] = s.cnh.balanceOf(w)
            diff += abs(-self.ledger.balance(f"external:{desk.symbol}", desk.symbol) - d.token.totalSupply())
        for w in wallets:
            onchain[(w, "CNHT")] = s.cnh.balanceOf(w)
        return diff
