"""Investors arriving and their journey: eligibility, a platform, onboarding (KYC, AML, on-chain identity),
then a subscription to the offering (or, later, bids on the secondary market)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from simulator.model.classes import INVESTOR_CLASSES
from simulator.model.investor import Investor
from simulator.model.platform import Platform
from simulator.model.policy import Decision, MainlandProfile
from simulator.units import BPS, DAY, major_to_minor

if TYPE_CHECKING:
    from simulator.model.channels import CwmChannel
    from simulator.model.config import InvestorClassConfig
    from simulator.model.world import World

PROFESSIONAL_PORTFOLIO_CENTS = major_to_minor(8_000_000)  # HK$ 8 m portfolio: a professional investor (FACTS, H)
# household net financial assets drawn for the CWM wealth test (sensitivity): either side of the RMB 1 m
# threshold, so `wealth_test_share` alone decides who passes
PASSES_WEALTH_TEST_CNY = 2_000_000
FAILS_WEALTH_TEST_CNY = 500_000


class Investors:
    def __init__(self, world: World) -> None:
        self.world = world
        self.ineligible: list[Investor] = []  # CWM applicants refused at the eligibility test, in arrival order

    def refuse_ineligible(self, inv: Investor) -> None:
        self.world.refuse(inv.wallet, "cwm_investor_not_eligible", investor_class=inv.cls)
        self.ineligible.append(inv)

    def reapply(self) -> int:
        """After the eligibility legs changed: each applicant they now admit applies again within
        `reapply_within_days`, a delay from its own stream. Returns how many."""
        w = self.world
        days = w.cfg.policy.cwm.reapply_within_days
        if not days:
            return 0
        admitted = [i for i in self.ineligible if i.profile is not None and w.policy.cwm_eligible(i.profile)]
        chosen = set(admitted)
        self.ineligible = [i for i in self.ineligible if i not in chosen]
        for inv in admitted:
            w.env.process(self._again(inv, float(inv.rng.uniform(0, days * DAY))))
        return len(admitted)

    def _again(self, inv: Investor, delay: float) -> Generator[simpy.Event, Any, None]:
        yield self.world.env.timeout(delay)
        yield from self.journey(inv)

    def arrivals(self, cls: str) -> Generator[simpy.Event, Any, None]:
        """The class's prospective investors arrive over its arrival window after the approval: uniformly, or as
        its `arrival_profile` weighs the window's periods."""
        w = self.world
        c = w.cfg.investors[cls]
        start = w.issuer.approval_days * DAY
        # the arrival time is each investor's first draw; its stream is taken again at arrival and that draw
        # repeated, rather than 100 k streams held for the whole arrival window
        times = [start + self._arrival_offset(c, w.streams.own(f"investor:{cls}:{i}")) for i in range(c.count)]
        for i in sorted(range(c.count), key=lambda k: (times[k], k)):
            yield w.env.timeout(max(0.0, times[i] - w.env.now))
            rng = w.streams.own(f"investor:{cls}:{i}")
            self._arrival_offset(c, rng)
            inv = self.new_investor(cls, i, rng)
            w.env.process(self.journey(inv))

    @staticmethod
    def _arrival_offset(c: InvestorClassConfig, rng: np.random.Generator) -> float:
        """Seconds into the arrival window: the investor's first draw."""
        if not c.arrival_profile:
            return float(rng.uniform(0, c.arrival_days * DAY))
        return c.arrival_day(float(rng.random())) * DAY

    def new_investor(self, cls: str, index: int, rng: np.random.Generator) -> Investor:
        """Investor `index` of class `cls`, drawn from a stream of its own (more investors of one class, or
        another class, never change this one's draws)."""
        w = self.world
        kind = INVESTOR_CLASSES[cls]
        c = w.cfg.investors[cls]
        wealth = int(major_to_minor(c.wealth_median_hkd) * float(np.exp(c.wealth_sigma * rng.standard_normal())))
        wealth = max(wealth, 100)
        professional = kind.institutional or wealth >= PROFESSIONAL_PORTFOLIO_CENTS
        profile = None
        via_cwm = True
        if kind.southbound:
            hukou = bool(rng.random() < c.gba_hukou_share)
            profile = MainlandProfile(
                gba_hukou=hukou,
                gba_social_security_years=0 if hukou else int(rng.integers(0, c.gba_social_security_years_max + 1)),
                experience_years=int(rng.integers(2, 10)) if rng.random() < c.experienced_share
                else int(rng.integers(0, 2)),
                net_financial_assets_fen=major_to_minor(PASSES_WEALTH_TEST_CNY if rng.random() < c.wealth_test_share
                                                        else FAILS_WEALTH_TEST_CNY),
                financial_assets_fen=0, avg_income_fen=0)
            via_cwm = bool(rng.random() < c.via_cwm_share)
        bad_actor = bool(rng.random() < c.bad_actor_share)
        wallet = w.chain.new_account(f"{cls}-{index}")
        inv = Investor(len(w.investors), kind, index, wallet, w.streams,
                       professional, wealth, via_cwm, profile, bad_actor=bad_actor)
        w.investors.append(inv)
        w.by_wallet[wallet] = inv
        # endowment: where the investor's money sits before anything happens, in its home currency
        w.ledger.post(0, "external:world", f"{kind.home_account}:{inv.key}",
                      w.fx.convert(wealth, "HKD", kind.home_currency), kind.home_currency, "endowment")
        return inv

    def choose_platform(self, inv: Investor) -> Platform | None:
        open_ = [p for p in self.world.platforms.values() if p.licensed]
        if not open_:
            return None
        weights = np.array([p.cfg.weight for p in open_], dtype=float)
        pick = self.world.streams.get(f"choice:{inv.cls}").choice(len(open_), p=weights / weights.sum())
        return open_[int(pick)]

    def journey(self, inv: Investor) -> Generator[simpy.Event, Any, None]:
        """Eligibility, onboarding (KYC, AML, on-chain identity), then a subscription while the offering is open."""
        w = self.world
        etf = w.cfg.va_etf
        if inv.kind.southbound and inv.via_cwm and etf.interest_share and inv.rng.random() < etf.interest_share \
                and inv.profile is not None and w.policy.cwm_eligible(inv.profile):
            w.env.process(w.etfs.purchase(inv))
        if inv.kind.southbound and not inv.via_cwm:
            decision = w.policy.mainland_direct_purchase(is_virtual_asset=False)
            w.refuse(inv.wallet, decision.reason)
            return
        if inv.kind.southbound and w.cwm_market is not None:  # a CWM market: it chooses among the products
            yield from w.cwm_market.journey(inv)
            return
        decision = self.may_hold(inv)
        if not decision.allowed and decision.reason == "cwm_investor_not_eligible":
            self.refuse_ineligible(inv)
            return
        if not decision.allowed:
            w.refuse(inv.wallet, decision.reason, investor_class=inv.cls)
            return
        if inv.kind.southbound:  # through a CWM bank or broker, which routes to its platform
            routed = yield from self.onboard_via_channels(inv)
            if routed is None:
                return
            platform = routed
        else:
            chosen = self.choose_platform(inv)
            if chosen is None:
                w.refuse(inv.wallet, "platform_not_licensed", investor_class=inv.cls)
                return
            platform = chosen
            outcome = yield from platform.onboard(inv)
            if outcome:
                w.refuse(inv.wallet, outcome, investor_class=inv.cls, platform=platform.name)
                return
        self.register(inv, platform)
        if w.issuer.state == "open":
            yield from w.issuer.subscribe(inv)

    def onboard_via_channels(self, inv: Investor) -> Generator[simpy.Event, Any, Platform | None]:
        """Onboarding at the investor's channel(s): the first must accept it (or it is refused); a second
        (a bank and a broker) that refuses leaves it with one. Returns the platform its orders go to."""
        w = self.world
        channels = w.channels.assign(inv)
        accepted: list[CwmChannel] = []
        for channel in channels:
            outcome = yield from channel.onboard(inv)
            if outcome and not accepted:
                w.refuse(inv.wallet, outcome, investor_class=inv.cls, channel=channel.name)
                return None
            if not outcome:
                accepted.append(channel)
                channel.clients.append(inv)
        inv.channels = tuple(c.name for c in accepted)
        w.counters.cwm_investors += 1
        return accepted[0].platform

    def may_hold(self, inv: Investor) -> Decision:
        """May this investor hold the token under the rules in force now?"""
        return self.world.policy.may_hold_rwa(inv.kind.southbound, inv.professional, inv.profile)

    def register(self, inv: Investor, platform: Platform) -> None:
        """The on-chain identity (country, category, channel from the class table) and a place in the
        platform's client list and decision calendar."""
        w = self.world
        inv.platform = platform.name
        r = w.claims.onboard(inv)
        inv.onboarded = True
        platform.clients.append(inv)
        platform.decisions.schedule(inv.index, inv, inv.rng, w.market.decision_bound[inv.cls])
        if inv.channels:
            w.event(inv.wallet, "onboarded", receipt=r, investor_class=inv.cls, platform=platform.name,
                    channel="+".join(inv.channels))
        else:
            w.event(inv.wallet, "onboarded", receipt=r, investor_class=inv.cls, platform=platform.name)

    def ticket_cents(self, inv: Investor) -> int:
        """What the investor puts in: a share of its wealth within the offering's ticket bounds."""
        market = self.world.cwm_market
        if market is not None and inv.index in market.portfolios:  # its portfolio's target in the token
            return market.solar_ticket_cents(inv)
        c = self.world.cfg.investors[inv.cls]
        o = self.world.cfg.offering
        ticket = inv.wealth_cents * c.ticket_share_of_wealth_bps // BPS
        return max(major_to_minor(o.min_ticket_hkd), min(ticket, major_to_minor(o.max_ticket_hkd)))
