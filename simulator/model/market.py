"""The secondary market: each business day, every listed platform that is open holds a session in which
the clients whose decision falls due may sell or bid; orders match by price-time priority and each match
settles on-chain at T+n (`simulator.model.settlement`). Prices move with fair value, fear and losses."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from simulator.model.classes import INVESTOR_CLASSES
from simulator.model.decisions import accept
from simulator.model.order_book import Order
from simulator.model.platform import Platform
from simulator.model.valuation import discount_factor
from simulator.units import BPS, DAY, LOT, TOKEN

if TYPE_CHECKING:
    from simulator.model.world import World

FEAR_SELL_WEIGHT = 8.0  # sell pressure added at full fear, before the class's fear multiplier (sensitivity)
FEAR_SPREAD_WEIGHT = 3.0  # how much wider a seller's discount is at full fear (sensitivity)
DEFAULT_EXPECTED_YIELD_BPS = 700  # the trailing yield before any payout, without a professional class


class SecondaryMarket:
    def __init__(self, world: World) -> None:
        self.world = world
        cfg = world.cfg
        self.price_cents = cfg.offering.price_hkd_cents  # the last trade's price; the offering's before any
        self.sentiment = 0.0  # 0 calm ... -1 panic (ban rumours), recovering linearly
        self.sentiment_recovery_per_day = 0.0
        pro = cfg.investors.get("hk_professional")
        self.trailing_yield_bps = pro.expected_yield_bps if pro is not None else DEFAULT_EXPECTED_YIELD_BPS
        self.decision_bound = self._decision_bounds()  # per class: thinning bound of the session decisions
        self._serial = 0
        self._value_day, self._value = -1, 0

    def run(self) -> Generator[simpy.Event, Any, None]:
        """Each business day: holders may sell, onboarded investors may bid; platforms match and settle."""
        w = self.world
        m = w.cfg.market
        while True:
            yield w.env.timeout(DAY)
            self.sentiment = min(0.0, self.sentiment + self.sentiment_recovery_per_day)
            for platform in w.platforms.values():
                if platform.licensed and platform.outage_rng.random() < platform.cfg.outage_probability_per_day:
                    platform.outage_until = max(platform.outage_until, (w.day + 1) * DAY)
                    w.counters.platform_outage_days += 1
                    w.event(platform.name, "platform_outage", "platform_outage")
            closed_day = w.issuer.closed_day
            trading = w.issuer.state == "closed" and closed_day is not None and w.issuer.matured_day is None
            if not trading or closed_day is None or not w.calendar.is_business_day(w.date()):
                continue
            for platform in w.platforms.values():
                listed = platform.cfg.lists_token and w.day >= closed_day + platform.cfg.listing_delay_days
                if listed and platform.open_for_business:
                    self.session(platform, m.quote_spread_bps)

    @property
    def fear(self) -> float:
        return max(0.0, -self.sentiment)

    def value_cents(self) -> int:
        """A token's value to a buyer who wants the discount rate: the expected payouts of the term left and
        any buy-back at its end, discounted, per token outstanding (HKD cents at today's FX). Before the
        close, the offering price. Computed once a day."""
        w = self.world
        schedule, outstanding = w.revenue.schedule, w.holdings.tokens_outstanding
        o, rate = w.cfg.offering, w.cfg.market.discount_rate_bps
        if w.issuer.matured_day is not None:
            return 0  # the right has ended (a buy-back was paid out already)
        if schedule is None or not outstanding:
            return o.price_hkd_cents
        if self._value_day == w.day:
            return self._value
        today = w.date()
        pv_cents = w.fx.convert(int(schedule.present_value_fen(today, rate)), "CNY", "HKD")
        value = pv_cents * TOKEN // outstanding
        if o.end_of_term == "buyback" and today < schedule.term_end:
            value += int(o.buyback_price_hkd_cents * discount_factor(today, schedule.term_end, rate))
        self._value_day, self._value = w.day, value
        return value

    def fair_price_cents(self) -> int:
        """What holders quote towards: the token's discounted value, less a risk premium while fear lasts."""
        return max(1, int(self.value_cents() * (1.0 - self.world.cfg.market.fear_discount * self.fear)))

    def sell_pressure(self, cls: str, fear: float, loss: float, shortfall: float) -> float:
        """Daily chance a holder sells: a base rate (one over the mean holding period) scaled up by fear
        (more for classes that fear more), losses against the entry price and a yield shortfall; at most 1
        (a one-day holding period already sells every day)."""
        c = self.world.cfg.investors[cls]
        fear_term = FEAR_SELL_WEIGHT * fear * INVESTOR_CLASSES[cls].fear_multiplier
        return min(1.0, (1.0 / c.hold_days_mean) * (1.0 + fear_term + c.price_drop_sell_factor * loss
                                                     + c.yield_shortfall_sell_factor * shortfall))

    def _decision_bounds(self) -> dict[str, float]:
        """Per class, the most a session's decision probability can be (fear, loss and shortfall all at 1):
        the thinning bound of each client's decision calendar."""
        investors = self.world.cfg.investors
        return {cls: min(1.0, max(self.sell_pressure(cls, 1.0, 1.0, 1.0), investors[cls].buy_interest_per_day))
                for cls in INVESTOR_CLASSES if cls in investors}

    def session(self, platform: Platform, spread_bps: int) -> None:
        w = self.world
        s = w.suite
        # quotes start from the last trade pulled towards fair value, so prices do not wander off
        fair = self.fair_price_cents()
        ref = max(1, self.price_cents + (fair - self.price_cents) * w.cfg.market.fair_value_pull_bps // BPS)
        fear = self.fear
        orders: list[Order] = []
        # only the clients whose decision may fire this session are visited (see simulator.model.decisions)
        for inv in platform.decisions.next_session():
            c = w.cfg.investors[inv.cls]
            p_max = self.decision_bound[inv.cls]
            platform.decisions.schedule(inv.index, inv, inv.rng, p_max)
            if inv.selling or inv.bidding or inv.frozen or inv.key_lost:
                continue
            if inv.tokens >= LOT:
                entry = inv.invested_cents * TOKEN // max(1, inv.tokens)  # average entry price, cents per token
                loss = max(0.0, (entry - ref) / entry) if entry else 0.0
                shortfall = max(0.0, 1.0 - self.trailing_yield_bps / c.expected_yield_bps) \
                    if c.expected_yield_bps else 0.0
                if accept(inv.rng, self.sell_pressure(inv.cls, fear, loss, shortfall), p_max):
                    qty = inv.tokens - inv.tokens % LOT
                    discount = spread_bps * float(inv.rng.random()) * (1.0 + FEAR_SPREAD_WEIGHT * fear) / BPS
                    price = max(1, int(ref * (1.0 - discount)))
                    s.token.approve(s.dvp.address, qty, sender=inv.wallet)
                    inv.selling = True
                    orders.append(Order(f"s{self._next_serial()}", "sell", inv.wallet, price, qty, w.now_s))
            elif accept(inv.rng, c.buy_interest_per_day * (1.0 - fear), p_max):
                budget = w.investor_flow.ticket_cents(inv)
                if budget == 0:
                    continue  # it wants no more of the token (a CWM market investor whose portfolio is full)
                decision = w.investor_flow.may_hold(inv)
                if not decision.allowed:  # the rules changed since onboarding
                    w.refuse(inv.wallet, decision.reason, investor_class=inv.cls)
                    continue
                problem = w.claims.problem(inv)
                if problem:  # its identity would not verify: the tokens could not be delivered to it
                    w.refuse(inv.wallet, problem, investor_class=inv.cls)
                    continue
                premium = spread_bps * float(inv.rng.random()) / BPS
                price = max(1, int(ref * (1.0 + premium)))
                if inv.kind.southbound:
                    budget, reason = w.funding.southbound_budget(inv, budget)
                    if reason:
                        w.refuse(inv.wallet, reason, investor_class=inv.cls)
                        continue
                qty = budget * TOKEN // price
                qty -= qty % LOT
                if qty >= LOT:
                    orders.append(Order(f"b{self._next_serial()}", "buy", inv.wallet, price, qty, w.now_s))
        by_wallet = w.by_wallet
        for order in orders:
            if order.side == "buy":
                by_wallet[order.investor].bidding = True
            matches = platform.book.submit(order)
            for match in matches:
                w.env.process(w.settlement.settle(platform, match, by_wallet[match.buyer], by_wallet[match.seller]))
            if not matches and platform.book.get(order.order_id) is None:
                self.order_gone(order)  # dropped by the book (it would have crossed the investor's own order)
        platform.resting.extend(orders)
        # orders rest for a while, then expire (oldest first): the investor may decide afresh later
        horizon = w.now_s - w.cfg.market.order_ttl_days * DAY
        resting = platform.resting
        while resting and resting[0].submitted_at <= horizon:
            order = resting.popleft()
            if platform.book.cancel(order.order_id) is not None:
                self.order_gone(order)

    def order_gone(self, order: Order) -> None:
        """An order left the book unfilled (expired, cancelled by a licence change, refused): its investor
        may decide afresh."""
        inv = self.world.by_wallet[order.investor]
        if order.side == "sell":
            inv.selling = False
        else:
            inv.bidding = False

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial
