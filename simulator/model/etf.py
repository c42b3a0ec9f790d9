"""Spot virtual-asset ETFs bought through CWM southbound, if the product list admits them: they consume the
same quotas as the token; holders mark to the coin's price daily and sell in a panic after a deep loss."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from simulator.model.investor import Investor
from simulator.units import BPS, COIN

if TYPE_CHECKING:
    from simulator.model.world import World


@dataclass(slots=True)
class EtfPosition:
    investor: Investor
    units: int  # exposure in coin base units (held off-chain: a listed fund, not a token)
    cost_cents: int
    quota_fen: int  # southbound quota its purchase used


@dataclass(slots=True)
class EtfStats:
    subscribed_cents: int = 0
    realized_pnl_cents: int = 0
    panic_sellers: int = 0
    returns: list[float] = field(default_factory=list)  # daily returns of the coin in HKD
    last_price: int = 0
    peak: int = 0
    max_drawdown: float = 0.0


class VaEtfs:
    def __init__(self, world: World) -> None:
        self.world = world
        self.positions: list[EtfPosition] = []  # in purchase order
        self.stats = EtfStats()

    def coin_price_hkd_cents(self) -> int:
        w = self.world
        return w.fx.convert(w.va.price_usd_cents, "USD", "HKD")

    def purchase(self, inv: Investor) -> Generator[simpy.Event, Any, None]:
        """A CWM-eligible mainland investor buys a spot VA ETF through the southbound channel, if it is listed."""
        w = self.world
        etf = w.cfg.va_etf
        if not etf.cwm_eligible:
            w.refuse(inv.wallet, "cwm_product_not_eligible", product="va_etf")
            return
        cents = inv.wealth_cents * etf.ticket_share_of_wealth_bps // BPS
        fen = w.funding.source_amount(cents, "CNY")
        # the ETF buys whatever arrives, at the rate of the day it arrives: no FX buffer
        reason, received = yield from w.funding.remit_southbound(inv, fen, fen, "rails:etf", cut=True,
                                                                 product_eligible=True)
        if reason:
            w.refuse(inv.wallet, reason, fen, "CNY", product="va_etf")
            return
        w.ledger.post(w.now_s, f"cwm:{inv.key}", "external:fx", received, "CNY", "FX (ETF)")
        paid = w.fx.convert(received, "CNY", "HKD")
        w.ledger.post(w.now_s, "external:fx", "external:etf-manager", paid, "HKD", "ETF subscription")
        units = paid * COIN // max(1, self.coin_price_hkd_cents())
        self.positions.append(EtfPosition(inv, units, paid, received))
        self.stats.subscribed_cents += paid
        w.event(inv.wallet, "etf_bought", "", paid, "HKD", coins_e8=units, quota_fen=received)

    def day(self) -> None:
        """Mark to market; holders past the panic drawdown sell, and the proceeds go home (closed loop)."""
        if not self.positions:
            return
        w = self.world
        price = self.coin_price_hkd_cents()
        st = self.stats
        if st.last_price:
            st.returns.append(price / st.last_price - 1.0)
        st.last_price = price
        st.peak = max(st.peak, price)
        st.max_drawdown = max(st.max_drawdown, 1 - price / st.peak if st.peak else 0)
        panic = w.cfg.va_etf.panic_drawdown_bps
        for pos in self.positions:
            if not pos.units:
                continue
            value = pos.units * price // COIN
            if panic and value * BPS < pos.cost_cents * (BPS - panic):
                # sells at a loss; proceeds go home (closed loop) and free the principal's quota
                wallet = pos.investor.wallet
                fen = w.fx.convert(value, "HKD", "CNY")
                w.ledger.post(w.now_s, "external:etf-manager", "external:fx", value, "HKD", "ETF redemption")
                key = pos.investor.key
                w.ledger.post(w.now_s, "external:fx", f"mainland:{key}", fen, "CNY", "ETF redemption")
                w.policy.release_southbound(key, min(fen, pos.quota_fen))
                st.realized_pnl_cents += value - pos.cost_cents
                st.panic_sellers += 1
                w.event(wallet, "etf_sold", "panic", value, "HKD", loss_cents=pos.cost_cents - value)
                pos.units = 0

    def value_cents(self) -> int:
        price = self.coin_price_hkd_cents()
        return sum(p.units * price // COIN for p in self.positions)
