"""An authority sells seized coins through licensed platforms: an equal slice each business day (TWAP),
capped by each platform's daily volume; proceeds converted to CNY into a designated account. The coins are a
token on-chain (8 decimals): each sale moves them to the platform's custody wallet."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from simulator.chain import Contract
from simulator.model.va_market import DepthParams
from simulator.units import COIN, DAY, HOUR, major_to_minor

if TYPE_CHECKING:
    from simulator.model.world import World

SALE_HOUR = 10  # the authority's daily slice goes to market at 10:00 HKT


@dataclass(slots=True)
class DisposalStats:
    sold_units: int = 0
    proceeds_fen: int = 0
    impact_bps: list[int] = field(default_factory=list)  # one per sale
    finished_day: int | None = None


class Disposal:
    def __init__(self, world: World) -> None:
        self.world = world
        self.stats = DisposalStats()
        self.coin: Contract | None = None  # deployed when the disposal starts
        self.authority = ""

    def run(self) -> Generator[simpy.Event, Any, None]:
        w = self.world
        d = w.cfg.disposal
        total = d.quantity_coins * COIN
        authority = self.authority = w.chain.new_account("authority")
        coin = self.coin = w.chain.deploy("SettlementToken", "Seized Virtual Asset", "SVA", "BTC", 8, authority,
                                          sender=authority)
        coin.mint(authority, total, sender=authority)
        w.ledger.post(0, "external:SVA", f"chain:{authority}", total, "SVA", "seized")
        yield w.env.timeout(d.start_day * DAY + SALE_HOUR * HOUR)
        remaining, days_left, turn = total, d.days, 0
        st = self.stats
        while remaining > 0 and w.env.now < w.cfg.horizon_days * DAY:
            if w.calendar.is_business_day(w.date()):
                names = d.platforms or list(w.platforms)
                usable = [w.platforms[n] for n in names if w.platforms[n].open_for_business]
                if not usable:
                    w.refuse("authority", "platform_not_licensed", remaining, "SVA")
                else:
                    platform = usable[turn % len(usable)]
                    turn += 1
                    slice_units = remaining if days_left <= 1 else remaining // days_left
                    pc = platform.cfg
                    fill = w.va.sell(slice_units, DepthParams(major_to_minor(pc.va_depth_usd_at_1pct),
                                                              pc.va_daily_volume_cap_coins * COIN, platform=pc.name))
                    if fill.quantity_units:
                        r = coin.transfer(platform.signer, fill.quantity_units, sender=authority)
                        w.chain_move(authority, platform.signer, fill.quantity_units, "SVA", "disposal")
                        fen = w.fx.convert(fill.proceeds_usd_cents, "USD", "CNY")
                        w.ledger.post(w.now_s, "external:va-buyers", "designated:authority", fen, "CNY",
                                      "disposal proceeds")
                        remaining -= fill.quantity_units
                        st.sold_units += fill.quantity_units
                        st.proceeds_fen += fen
                        st.impact_bps.append(fill.impact_bps)
                        w.event("authority", "va_sale", "", fen, "CNY", r, platform=pc.name,
                                coins_e8=fill.quantity_units, price_usd_cents=fill.average_price_usd_cents,
                                impact_bps=fill.impact_bps)
                    if fill.unfilled_units:
                        w.refuse("authority", "no_liquidity", fill.unfilled_units, "SVA", platform=pc.name)
                days_left -= 1
            yield w.env.timeout(DAY)
        if remaining == 0:
            st.finished_day = w.day
