"""Settlement of secondary trades: the buyer is funded, the trade waits for its settlement date (T+n
business days), then settles on-chain by DvP, both legs or neither. A settlement that cannot happen moves
nothing and is recorded once, with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from simulator.chain import ContractRevert
from simulator.model.investor import Investor
from simulator.model.order_book import Match
from simulator.model.platform import Platform
from simulator.model.policy import REASONS
from simulator.units import BPS, DAY, HOUR, UNITS_PER_CENT

if TYPE_CHECKING:
    from simulator.model.world import World

SETTLEMENT_HOUR = 10  # settlements run at 10:00 HKT on the settlement date


class Settlement:
    def __init__(self, world: World) -> None:
        self.world = world

    def settle(self, platform: Platform, match: Match, buyer: Investor, seller: Investor
               ) -> Generator[simpy.Event, Any, None]:
        """Fund the buyer, wait for the settlement date (T+n), then DvP on-chain; a failure moves nothing."""
        w = self.world
        matched_at = w.now_s
        cents = match.cash_value
        reason = yield from w.funding.fund_hkd(buyer, cents)
        if reason:
            self.failed(match, seller, reason)  # recorded once, with the funding leg's reason
            return
        buyer.committed_cents += cents
        try:
            yield from self._deliver(platform, match, buyer, seller, cents, matched_at)
        finally:
            buyer.committed_cents -= cents

    def _deliver(self, platform: Platform, match: Match, buyer: Investor, seller: Investor, cents: int,
                 matched_at: int) -> Generator[simpy.Event, Any, None]:
        w = self.world
        s = w.suite
        m = w.cfg.market
        settle_date = w.calendar.settlement_date(w.now_dt(), m.settlement_t_plus)
        settle_at = (settle_date - w.cfg.start_date).days * DAY + SETTLEMENT_HOUR * HOUR
        yield w.env.timeout(max(0, settle_at - w.env.now))
        if not platform.licensed:
            self.failed(match, seller, "platform_not_licensed")
            return
        decision = w.investor_flow.may_hold(buyer)
        if not decision.allowed:  # the rules changed between the match and the settlement date
            self.failed(match, seller, decision.reason)
            return
        waited_days = self._business_days_between(matched_at, w.now_s)
        w.counters.capital_idle_cent_days += cents * (w.now_s - matched_at) // DAY
        p_fail = 1.0 - (1.0 - m.counterparty_fail_rate_per_day) ** waited_days
        if w.streams.get("settlement-risk").random() < p_fail:
            # the seller fails to deliver: it withdraws the DvP allowance, so the on-chain settlement below
            # reverts and moves neither leg
            w.counters.counterparty_failures += 1
            s.token.approve(s.dvp.address, 0, sender=seller.wallet)
        fee_cents = cents * platform.cfg.fee_bps // BPS
        if w.ledger.balance(f"bank:{buyer.key}", "HKD") < cents:
            self.failed(match, seller, "settlement_failed", error="buyer short of cash")
            return
        w.funding.mint_hkds(buyer.wallet, f"bank:{buyer.key}", cents, "secondary purchase")
        units, fee_units = cents * UNITS_PER_CENT, fee_cents * UNITS_PER_CENT
        s.hkd.approve(s.dvp.address, units, sender=buyer.wallet)
        trade_id = match.match_id.encode().ljust(32, b"\x00")[:32]
        try:
            r = s.dvp.settle(trade_id, seller.wallet, buyer.wallet, match.quantity, units, fee_units,
                             sender=platform.signer)
        except ContractRevert as exc:
            self.failed(match, seller, "settlement_failed", error=exc.error)
            return
        w.chain_move(seller.wallet, buyer.wallet, match.quantity, "RWA", "DvP token leg")
        w.chain_move(buyer.wallet, seller.wallet, units - fee_units, "HKDS", "DvP cash leg")
        w.chain_move(buyer.wallet, s.fee_account, fee_units, "HKDS", "DvP fee")
        self._transfer_holding(match, buyer, seller, cents)
        if not platform.book.get(match.sell_order_id):
            seller.selling = False
        if not platform.book.get(match.buy_order_id):
            buyer.bidding = False
        buyer.invested_cents += cents
        w.holdings.flow(buyer, w.day, -cents)
        w.holdings.flow(seller, w.day, cents - fee_cents)
        w.market.price_cents = match.price
        c = w.counters
        c.trades += 1
        c.volume_cents += cents
        c.settlement_latency_s_total += w.now_s - matched_at
        w.event(platform.name, "trade_settled", "", cents, "HKD", r, buyer=buyer.wallet, seller=seller.wallet,
                price_hkd_cents=match.price, tokens=match.quantity, latency_s=w.now_s - matched_at)
        if seller.kind.southbound:
            w.funding.return_northbound(seller, cents - fee_cents, "sale")

    def _transfer_holding(self, match: Match, buyer: Investor, seller: Investor, cents: int) -> None:
        """The model's side of a settled trade: cost bases, holdings and the buyer's eligibility record."""
        w = self.world
        h = w.holdings
        h.accrue(seller, w.now_s)
        h.accrue(buyer, w.now_s)
        seller.cost_basis_cents -= seller.cost_basis_cents * match.quantity // seller.tokens
        buyer.cost_basis_cents += cents
        seller.tokens -= match.quantity
        buyer.tokens += match.quantity
        h.add(buyer)
        h.drop_if_empty(seller)
        buyer.purchase_checks.append(w.investor_flow.may_hold(buyer).allowed)

    def _business_days_between(self, start_s: int, end_s: int) -> int:
        """Business days after the day of `start_s`, up to and including the day of `end_s`."""
        w = self.world
        first, last = start_s // DAY + 1, end_s // DAY
        return sum(1 for d in range(first, last + 1)
                   if w.calendar.is_business_day(w.cfg.start_date + dt.timedelta(days=d)))

    def failed(self, match: Match, seller: Investor, reason: str, **extra: Any) -> None:
        """A matched trade that will not settle: both orders are gone, nothing moved. What a partly matched
        order had left open leaves the book too (a seller that failed to deliver has withdrawn its allowance:
        the rest would only fail again)."""
        w = self.world
        for platform in w.platforms.values():
            platform.book.cancel(match.sell_order_id)
            platform.book.cancel(match.buy_order_id)
        seller.selling = False
        w.by_wallet[match.buyer].bidding = False
        w.counters.settlement_failures += 1
        w.refuse(match.buyer, "settlement_failed" if reason not in REASONS else reason, match.cash_value, "HKD",
                 match_id=match.match_id, **extra)
