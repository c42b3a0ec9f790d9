"""CWM Connect channels: the mainland investor's bank or securities firm. It onboards its clients (KYC and
AML at its own desk), holds their positions as nominee and routes their orders to its licensed HK platform.
An investor may hold accounts at both a bank and a broker: each then carries its part of the individual
quota (RMB 1.5 m of the RMB 3 m, FACTS "CWM Connect", H)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from simulator.model.config import CwmChannelConfig
from simulator.model.investor import Investor
from simulator.model.kyc import KycDesk, KycTerms

if TYPE_CHECKING:
    from simulator.model.platform import Platform
    from simulator.model.world import World


class CwmChannel:
    def __init__(self, world: World, cfg: CwmChannelConfig, platform: Platform) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.platform = platform  # where its clients' orders go
        self.kyc = KycDesk(world, KycTerms(cfg.kyc_capacity_per_day, cfg.kyc_latency_days, cfg.kyc_failure_rate,
                                           cfg.aml_false_positive_rate, cfg.aml_false_negative_rate),
                           world.streams.get(f"channel:{cfg.name}"))
        self.clients: list[Investor] = []

    def onboard(self, inv: Investor) -> Generator[simpy.Event, None, str]:
        """The channel's CWM eligibility file, KYC and AML. Returns "" or the refusal reason."""
        return (yield from self.kyc.screen(inv, self._closed_reason))

    def _closed_reason(self) -> str:
        return "" if self.platform.licensed else "platform_not_licensed"


class Channels:
    """Every CWM channel of the world, and which an arriving mainland investor goes through."""

    def __init__(self, world: World) -> None:
        self.world = world
        first = next(iter(world.platforms.values()))
        self.by_name = {c.name: CwmChannel(world, c, world.platforms[c.platform] if c.platform else first)
                        for c in world.cfg.cwm_channels}

    def assign(self, inv: Investor) -> list[CwmChannel]:
        """A channel by weight; with `both_channels_share`, also one of the other kind (a bank and a broker).
        Drawn from the investor's own stream, so adding channels or investors shifts nobody else."""
        rng = self.world.streams.own(f"channels:{inv.cls}:{inv.class_index}")
        day = self.world.day
        channels = [c for c in self.by_name.values() if c.cfg.admitted_day <= day]  # one is from day 0
        first = channels[_pick(rng, [c.cfg.weight for c in channels])]
        others = [c for c in channels if c.cfg.kind != first.cfg.kind]
        both = rng.random() < self.world.cfg.investors[inv.cls].both_channels_share
        if not both or not others:
            return [first]
        return [first, others[_pick(rng, [c.cfg.weight for c in others])]]


def _pick(rng: np.random.Generator, weights: list[float]) -> int:
    p = np.array(weights, dtype=float)
    return int(rng.choice(len(p), p=p / p.sum()))
