"""A licensed Hong Kong platform: licence state, KYC queue, AML screening, an order book and its clients."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from simulator.model.config import PlatformConfig
from simulator.model.decisions import DecisionCalendar
from simulator.model.investor import Investor
from simulator.model.kyc import KycDesk, KycTerms
from simulator.model.order_book import Order, OrderBook
from simulator.units import LOT

if TYPE_CHECKING:
    from simulator.model.world import World

class Platform:
    def __init__(self, world: World, cfg: PlatformConfig, signer: str) -> None:
        self.world = world
        self.cfg = cfg
        self.name = cfg.name
        self.signer = signer  # holds PLATFORM_ROLE on the DvP contract
        self.licence = "licensed"  # licensed | suspended | revoked (changed by shocks)
        self.outage_until = -1.0
        self.book = OrderBook(lot_size=LOT)
        self.kyc = KycDesk(world, KycTerms(cfg.kyc_capacity_per_day, cfg.kyc_latency_days, cfg.kyc_failure_rate,
                                           cfg.aml_false_positive_rate, cfg.aml_false_negative_rate),
                           world.streams.get(f"platform:{cfg.name}"))
        self.outage_rng = world.streams.get(f"outage:{cfg.name}")
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
        """The platform's own KYC and AML. Returns "" or the refusal reason."""
        return (yield from self.kyc.screen(inv, self._closed_reason))

    def _closed_reason(self) -> str:
        if self.open_for_business:
            return ""
        return "platform_not_licensed" if not self.licensed else "platform_outage"
