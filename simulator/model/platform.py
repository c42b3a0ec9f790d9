"""A licensed Hong Kong platform: licence state, KYC queue, AML screening, an order book and its clients."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from simulator.model.config import PlatformConfig
from simulator.model.decisions import DecisionCalendar
from simulator.model.investor import Investor
from simulator.model.order_book import Order, OrderBook
from simulator.units import DAY, HOUR, LOT

if TYPE_CHECKING:
    from simulator.model.world import World

KYC_HOUR = 9  # onboardings complete at 09:00 HKT


class Platform:
    def __init__(self, world: World, cfg: PlatformConfig, signer: str) -> None:
        self.world = world
        self.cfg = cfg
        self.name = cfg.name
        self.signer = signer  # holds PLATFORM_ROLE on the DvP contract
        self.licence = "licensed"  # licensed | suspended | revoked (changed by shocks)
        self.outage_until = -1.0
        self.book = OrderBook(lot_size=LOT)
        self.rng = world.streams.get(f"platform:{cfg.name}")
        self.outage_rng = world.streams.get(f"outage:{cfg.name}")
        self.kyc_slots: dict[int, int] = {}  # day -> onboardings already done that day
        self.clients: list[Investor] = []  # onboarded here, in onboarding order
        self.decisions: DecisionCalendar[Investor] = DecisionCalendar()  # who reconsiders in which session
        self.resting: deque[Order] = deque()  # orders submitted here, oldest first (for expiry)

    @property
    def licensed(self) -> bool:
        return self.licence == "licensed"

    @property
    def open_for_business(self) -> bool:
        return self.licensed and self.world.env.now >= self.outage_until

    def onboard(self, inv: Investor) -> Generator[simpy.Event, None, str]:
        """KYC: wait for a slot (capacity per day), then the latency; AML screening may flag.
        Returns "" or the refusal reason."""
        env = self.world.env
        day = int(env.now // DAY) + self.cfg.kyc_latency_days
        while self.kyc_slots.get(day, 0) >= self.cfg.kyc_capacity_per_day:
            day += 1
        self.kyc_slots[day] = self.kyc_slots.get(day, 0) + 1
        yield env.timeout(max(0, day * DAY + KYC_HOUR * HOUR - env.now))
        if not self.open_for_business:
            return "platform_not_licensed" if not self.licensed else "platform_outage"
        kyc_draw, aml_draw = self.rng.random(), self.rng.random()  # two draws always: streams stay aligned
        if kyc_draw < self.cfg.kyc_failure_rate:
            return "kyc_failed"
        if inv.bad_actor:
            if aml_draw >= self.cfg.aml_false_negative_rate:
                return "aml_flagged"
            self.world.counters.aml_missed += 1  # a false negative: onboarded although AML should stop it
            self.world.legal.monitor(inv)  # ... until ongoing monitoring catches it
        elif aml_draw < self.cfg.aml_false_positive_rate:
            return "aml_flagged"  # a false positive: a clean investor turned away
        return ""
