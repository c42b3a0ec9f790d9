"""A KYC desk: onboardings queue for a daily capacity, take a latency, and pass KYC and AML screening or not.
Licensed platforms and CWM channels (banks, brokers) each run one."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import simpy

from simulator.model.investor import Investor
from simulator.units import DAY, HOUR

if TYPE_CHECKING:
    from simulator.model.world import World

KYC_HOUR = 9  # onboardings complete at 09:00 HKT


@dataclass(frozen=True, slots=True)
class KycTerms:
    capacity_per_day: int
    latency_days: int
    failure_rate: float  # incomplete documents etc.
    aml_false_positive_rate: float  # clean applicants flagged
    aml_false_negative_rate: float  # bad actors let through


class KycDesk:
    def __init__(self, world: World, terms: KycTerms, rng: np.random.Generator) -> None:
        self.world = world
        self.terms = terms
        self.rng = rng
        self.slots: dict[int, int] = {}  # day -> onboardings already done that day

    def screen(self, inv: Investor, closed: Callable[[], str]) -> Generator[simpy.Event, None, str]:
        """Wait for a slot (capacity per day), then the latency; then `closed()` (a reason if the desk's
        institution cannot onboard today), KYC and AML. Returns "" or the refusal reason."""
        t, env = self.terms, self.world.env
        day = int(env.now // DAY) + t.latency_days
        while self.slots.get(day, 0) >= t.capacity_per_day:
            day += 1
        self.slots[day] = self.slots.get(day, 0) + 1
        yield env.timeout(max(0, day * DAY + KYC_HOUR * HOUR - env.now))
        reason = closed()
        if reason:
            return reason
        kyc_draw, aml_draw = self.rng.random(), self.rng.random()  # two draws always: streams stay aligned
        if kyc_draw < t.failure_rate:
            return "kyc_failed"
        if inv.bad_actor:
            if aml_draw >= t.aml_false_negative_rate:
                return "aml_flagged"
            self.world.counters.aml_missed += 1  # a false negative: onboarded although AML should stop it
            self.world.legal.monitor(inv)  # ... until ongoing monitoring catches it
        elif aml_draw < t.aml_false_positive_rate:
            return "aml_flagged"  # a false positive: a clean investor turned away
        return ""
