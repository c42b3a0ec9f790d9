"""The CWM market: the products on the southbound shelf and each mainland investor's portfolio across them.

With `[[products]]` in the scenario, a CWM-eligible mainland investor is onboarded at its bank or broker (which
holds its positions as nominee) whether or not the world's own token is on the list, then splits its investable
wealth across the products it may hold (the nested logit of simulator/model/portfolio.py, with its own risk
aversion drawn lognormally around the median the constants are calibrated for). Its choice set is the products on
the southbound list within the risk-rating cap; the quota caps all its southbound products together. It then:
- buys: one CIPS remittance for everything it buys (the quotas reserve the principal), converted to HKD for the
  off-chain products, kept as RMB and minted as the CNH stablecoin for tokenised products when
  `portfolio.cnh_settlement`; the world's own token (solar_token) is bought the way every investor buys it, by
  subscribing to its offering (the allocation is the ticket) or bidding on the platform later;
- rebalances when the list changes (a product admitted is bought, one removed is sold down and its proceeds go
  home through the closed loop, `portfolio.sell_delisted`), when a quota changes, and at its own reviews every
  `portfolio.review_days` (prices and yields have moved); a position is traded only when it is more than
  `portfolio.rebalance_band_bps` from its target. Sale proceeds go home and purchases are remitted afresh, so
  the quota always counts exactly the principal in use.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from simulator.model.errors import ModelError
from simulator.model.funding import FX_BUFFER_BPS, buffered
from simulator.model.investor import Investor
from simulator.model.portfolio import Allocation, Coefficients, ProductTerms, allocate
from simulator.model.product_desks import OffchainDesk, TokenDesk
from simulator.model.products import CATALOGUE, MEDIAN_RISK_AVERSION, constants, shelf
from simulator.units import BPS, TOKEN, UNITS_PER_CENT

if TYPE_CHECKING:
    from simulator.model.world import World

WORLD_TOKEN = "solar_token"


@dataclass(slots=True)
class Portfolio:
    risk_aversion: float
    units: dict[str, int] = field(default_factory=dict)  # product -> units (off-chain) or token base units
    busy: bool = False  # a rebalance is under way (remittances take days)
    again: str = ""  # why another was asked for meanwhile: it runs when this one ends


@dataclass(slots=True)
class ProductStats:
    bought_cents: int = 0
    sold_cents: int = 0
    units: int = 0  # held by the market's investors now
    refused: int = 0  # purchases of it refused (quota, identity), one per product a refused rebalance wanted
    flows: dict[int, int] = field(default_factory=dict)  # day -> cents (purchases negative), for the IRR


class CwmMarket:
    def __init__(self, world: World) -> None:
        self.world = world
        cfg = world.cfg
        pc = cfg.portfolio
        self.products = shelf(cfg.products)
        self.coefficients = Coefficients(pc.yield_per_pct, pc.risk_per_pct2, pc.liquidity_per_day, pc.nest)
        # the constants are solved on today's products as the catalogue has them, so a scenario's overrides (a
        # higher yield, a new product) move the choice rather than being absorbed by the constants
        self.asc = constants(self.coefficients, pc.invested_share, pc.token_shift)
        self.listed = {name: p.cwm_listed for name, p in self.products.items() if name != WORLD_TOKEN}
        self.desks: dict[str, OffchainDesk | TokenDesk] = {}
        for name, p in self.products.items():
            if name == WORLD_TOKEN:
                continue
            self.desks[name] = TokenDesk(world, p) if p.tokenised else OffchainDesk(world, p)
        self.portfolios: dict[int, Portfolio] = {}  # investor index -> its portfolio
        self.stats = {name: ProductStats() for name in self.products}
        self.reviews: dict[int, list[Investor]] = {}  # day -> investors whose review is due
        self.rebalances = 0
        self.cnh_settled_cents = 0  # tokenised purchases settled in CNH (HKD value)
        self.token_settled_cents = 0  # every tokenised purchase by the market's investors (HKD value)

    # ------------------------------------------------------------------ what may be held
    def is_listed(self, name: str) -> bool:
        if name == WORLD_TOKEN:
            c = self.world.policy.rules.cwm
            return c.product_eligible and c.risk_rating_allowed
        return self.listed[name]

    def choice_set(self) -> list[ProductTerms]:
        cap = self.world.cfg.policy.cwm.max_risk_rating_allowed
        return [p.terms for name, p in self.products.items()
                if self.is_listed(name) and (name == WORLD_TOKEN or p.risk_rating <= cap)]

    def value_cents(self, name: str, units: int) -> int:
        if name == WORLD_TOKEN:
            return units * self.world.market.price_cents // TOKEN
        return self.desks[name].value_cents(units)

    def targets(self, inv: Investor, port: Portfolio) -> dict[str, int]:
        """What the investor wants in each product it may hold (HKD cents), the quota-bound total capped by the
        principal it has in use plus what its quota still lets it remit."""
        return self.allocation(inv, port).amounts

    def allocation(self, inv: Investor, port: Portfolio) -> Allocation:
        w = self.world
        in_use = w.fx.convert(w.policy.cwm_used_fen.get(inv.key, 0), "CNY", "HKD")
        room_fen, _ = w.funding.quota_room(inv)
        room = in_use + w.fx.convert(room_fen, "CNY", "HKD") * BPS // (BPS + FX_BUFFER_BPS)
        fear = w.market.fear
        asc = self.asc
        if fear:  # news: a rumoured ban makes every tokenised product less wanted while the fear lasts
            penalty = w.cfg.portfolio.fear_penalty * fear
            asc = {n: a - penalty if CATALOGUE[n].tokenised else a for n, a in asc.items()}
        return allocate(inv.wealth_cents, self.choice_set(), self.coefficients, port.risk_aversion, asc, room)

    def solar_ticket_cents(self, inv: Investor) -> int:
        """The investor's target in the world's token (its subscription ticket or bid budget); 0 off the list."""
        port = self.portfolios.get(inv.index)
        if port is None or not self.is_listed(WORLD_TOKEN):
            return 0
        held = self.value_cents(WORLD_TOKEN, inv.tokens)
        return max(0, self.targets(inv, port).get(WORLD_TOKEN, 0) - held)

    # ------------------------------------------------------------------ the investor's path
    def journey(self, inv: Investor) -> Generator[simpy.Event, Any, None]:
        """A mainland arrival in the CWM market: eligibility, onboarding at its channels, its portfolio."""
        w = self.world
        if inv.profile is None or not w.policy.cwm_eligible(inv.profile):
            w.investor_flow.refuse_ineligible(inv)
            return
        platform = yield from w.investor_flow.onboard_via_channels(inv)
        if platform is None:
            return
        w.investor_flow.register(inv, platform)
        sigma = w.cfg.portfolio.risk_aversion_sigma
        port = Portfolio(MEDIAN_RISK_AVERSION * math.exp(sigma * float(inv.rng.standard_normal())))
        self.portfolios[inv.index] = port
        self._schedule_review(inv)
        if w.issuer.state == "open" and self.solar_ticket_cents(inv) > 0:
            yield from w.issuer.subscribe(inv)
        yield from self.rebalance(inv, "arrival")

    def _schedule_review(self, inv: Investor) -> None:
        days = self.world.cfg.portfolio.review_days
        if days:
            self.reviews.setdefault(self.world.day + days, []).append(inv)

    def rebalance_all(self, cause: str) -> None:
        """The list or a quota changed: every investor in the market looks at its portfolio again."""
        by_index = self.world.investors
        for index in self.portfolios:
            self.world.env.process(self.rebalance(by_index[index], cause))

    def rebalance(self, inv: Investor, cause: str) -> Generator[simpy.Event, Any, None]:
        """Sell what is over its target (or off the list), then buy what is under, as one remittance."""
        port = self.portfolios[inv.index]
        if port.busy:
            port.again = cause
            return
        port.busy = True
        try:
            while cause:
                port.again = ""
                if inv.frozen or inv.key_lost:
                    return
                if not self.world.platforms[inv.platform].licensed:  # its orders have nowhere to go
                    self.world.refuse(inv.wallet, "platform_not_licensed", investor_class=inv.cls)
                    return
                yield from self._rebalance(inv, port, cause)
                cause = port.again
        finally:
            port.busy = False

    def _rebalance(self, inv: Investor, port: Portfolio, cause: str) -> Generator[simpy.Event, Any, None]:
        w = self.world
        allocation = self.allocation(inv, port)
        targets = allocation.amounts
        if allocation.quota_scaled:  # it wants more southbound than its quota (or the market's) lets it have
            policy = w.policy
            binding = "cwm_aggregate_quota" if policy.aggregate_room_fen() < policy.individual_remaining_fen(inv.key) \
                else "cwm_individual_quota"
            w.quota_bound(binding)
            if sum(targets.values()) == 0 and not any(port.units.values()):
                w.refuse(inv.wallet, binding, investor_class=inv.cls)  # nothing at all could go south
                self._count_refused(t.name for t in self.choice_set())
                return
            w.event(inv.wallet, "quota_bound", binding, investor_class=inv.cls)
        band = w.cfg.portfolio.rebalance_band_bps
        sell_delisted = w.cfg.portfolio.sell_delisted
        traded = False
        hkd_home, cnh_home = 0, 0
        for name, units in list(port.units.items()):
            if units == 0 or name not in self.desks:
                continue
            value = self.value_cents(name, units)
            target = targets.get(name)
            if target is None:  # off the list (or above the rating cap)
                if not sell_delisted:
                    continue
                sell = units
            elif value - target > target * band // BPS:
                sell = units * (value - target) // max(1, value)
            else:
                continue
            if sell == 0:
                continue
            cents, currency = self._sell(inv, port, name, sell)
            if currency == "CNH":
                cnh_home += cents
            else:
                hkd_home += cents
            traded = True
        if hkd_home or cnh_home:
            if cnh_home:
                w.funding.home_cnht(inv, cnh_home, "rebalance")
            if hkd_home:
                w.funding.home_hkd(inv, hkd_home, "rebalance")
        buys = {}
        for name, target in targets.items():
            if name == WORLD_TOKEN:
                continue
            value = self.value_cents(name, port.units.get(name, 0))
            if target - value > target * band // BPS:
                buys[name] = target - value
        problem = w.claims.problem(inv) if buys else ""
        if problem:  # its identity no longer verifies (a review lapsed, KYC revoked): it may sell, not buy
            w.refuse(inv.wallet, problem, investor_class=inv.cls)
            self._count_refused(buys)
        elif buys:
            traded = (yield from self._buy(inv, port, buys)) or traded
        if traded:
            self.rebalances += 1
            w.event(inv.wallet, "rebalanced", cause, investor_class=inv.cls)

    def _count_refused(self, products: Iterable[str]) -> None:
        for name in products:
            self.stats[name].refused += 1

    def _sell(self, inv: Investor, port: Portfolio, name: str, units: int) -> tuple[int, str]:
        """Redeem `units` of a product; the proceeds (HKD cents, or CNHT base units) and their currency."""
        w = self.world
        desk = self.desks[name]
        port.units[name] -= units
        stats = self.stats[name]
        stats.units -= units
        if isinstance(desk, TokenDesk):
            currency = self._token_currency(inv)
            paid, cents = desk.sell(inv, units, currency, w.platforms[inv.platform].signer)
            proceeds = paid if currency == "CNH" else cents
        else:
            currency = "HKD"
            cents = proceeds = desk.sell(inv, units)
        stats.sold_cents += cents
        stats.flows[w.day] = stats.flows.get(w.day, 0) + cents
        w.event(inv.wallet, "product_sold", "", cents, "HKD", product=name, investor_class=inv.cls)
        return proceeds, currency

    def _token_currency(self, inv: Investor) -> str:
        return "CNH" if self.world.cfg.portfolio.cnh_settlement and inv.kind.southbound else "HKD"

    def _buy(self, inv: Investor, port: Portfolio, buys: dict[str, int]) -> Generator[simpy.Event, Any, bool]:
        """One southbound remittance for every purchase (HKD products: what the HK account lacks, with the FX
        buffer; CNH products: their RMB), then each product bought when it arrives. The quota may cut the
        remittance: every purchase is then scaled by the same factor."""
        w = self.world
        f = w.funding
        cnh = self._token_currency(inv) == "CNH"
        in_cnh = {n: c for n, c in buys.items() if cnh and isinstance(self.desks[n], TokenDesk)}
        in_hkd = {n: c for n, c in buys.items() if n not in in_cnh}
        available = max(0, w.ledger.balance(f"bank:{inv.key}", "HKD") - inv.committed_cents)
        shortfall = max(0, sum(in_hkd.values()) - available)
        want_hkd = f.source_amount(buffered(shortfall), "CNY") if shortfall else 0
        want_cnh = f.source_amount(sum(in_cnh.values()), "CNY") if in_cnh else 0
        want = want_hkd + want_cnh
        fen_hkd = fen_cnh = 0
        if want:
            reason, received = yield from f.remit_southbound(inv, want, want, "rails", cut=True,
                                                             product_eligible=True)
            if reason:
                w.refuse(inv.wallet, reason, sum(buys.values()), "HKD", investor_class=inv.cls)
                self._count_refused(buys)
                return False
            w.event(inv.wallet, "remittance", "", received, "CNY", rail="CIPS")
            problem = w.claims.problem(inv)
            if problem:  # its identity stopped verifying while the money travelled: the money goes home again
                w.refuse(inv.wallet, problem, investor_class=inv.cls)
                self._count_refused(buys)
                f.home_cny(inv, received, "refund")
                return False
            fen_hkd = received * want_hkd // want
            fen_cnh = received - fen_hkd
        if fen_hkd:
            f.cny_to_hkd(inv, fen_hkd)
        signer = w.platforms[inv.platform].signer
        bought = False
        cash = f.cny_to_cnht(inv, fen_cnh) if fen_cnh else 0
        if cash:
            total, left = sum(in_cnh.values()), cash
            for i, (name, cents) in enumerate(in_cnh.items()):
                units = left if i == len(in_cnh) - 1 else cash * cents // total
                left -= units
                bought = self._buy_token(inv, port, name, units, "CNH", signer) or bought
            self._refund_dust(inv)
        hkd_total = sum(in_hkd.values())
        cash_hkd = max(0, w.ledger.balance(f"bank:{inv.key}", "HKD") - inv.committed_cents)
        for name, cents in in_hkd.items():
            paid = cents * min(hkd_total, cash_hkd) // hkd_total
            if paid <= 0:
                continue
            desk = self.desks[name]
            if isinstance(desk, TokenDesk):
                f.mint_hkds(inv.wallet, f"bank:{inv.key}", paid, "product purchase")
                bought = self._buy_token(inv, port, name, paid * UNITS_PER_CENT, "HKD", signer) or bought
            else:
                self._book(inv, port, name, desk.buy(inv, paid), paid)
                bought = True
        return bought

    def _buy_token(self, inv: Investor, port: Portfolio, name: str, cash_units: int, currency: str,
                   signer: str) -> bool:
        desk = self.desks[name]
        if not isinstance(desk, TokenDesk):
            raise ModelError(f"{name} is not a tokenised product")
        tokens, paid = desk.buy(inv, cash_units, currency, signer)
        if tokens == 0:
            return False
        self.token_settled_cents += paid
        if currency == "CNH":
            self.cnh_settled_cents += paid
        self._book(inv, port, name, tokens, paid)
        return True

    def _refund_dust(self, inv: Investor) -> None:
        """CNH stablecoin a purchase could not use (too small for a token's base unit) goes home at once."""
        s = self.world.suite
        left = s.cnh.balanceOf(inv.wallet)
        if left:
            self.world.funding.home_cnht(inv, left, "refund")

    def _book(self, inv: Investor, port: Portfolio, name: str, units: int, cents: int) -> None:
        w = self.world
        port.units[name] = port.units.get(name, 0) + units
        stats = self.stats[name]
        stats.units += units
        stats.bought_cents += cents
        stats.flows[w.day] = stats.flows.get(w.day, 0) - cents
        w.event(inv.wallet, "product_bought", "", cents, "HKD", product=name, investor_class=inv.cls)

    # ------------------------------------------------------------------ the day
    def day(self) -> None:
        """Each product's NAV moves; the investors whose review is due look at their portfolios."""
        for desk in self.desks.values():
            desk.step_day()
        due = self.reviews.pop(self.world.day, None)
        if due:
            for inv in due:
                self._schedule_review(inv)
                self.world.env.process(self.rebalance(inv, "review"))

    def holdings_cents(self) -> dict[str, int]:
        """The market's investors' holdings of each product now, HKD cents (the world's token at its price)."""
        out = {}
        for name in CATALOGUE:
            if name not in self.products:
                out[name] = 0
            elif name == WORLD_TOKEN:
                w = self.world
                held = sum(w.investors[i].tokens for i in w.holdings.holders if i in self.portfolios)
                out[name] = self.value_cents(name, held)
            else:
                out[name] = self.desks[name].value_cents(self.stats[name].units)
        return out

    def token_desks(self) -> list[TokenDesk]:
        return [d for d in self.desks.values() if isinstance(d, TokenDesk)]

