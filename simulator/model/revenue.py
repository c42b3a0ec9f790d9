"""The asset's revenue and the holders' share of it: daily generation, a monthly oracle report, the share
repatriated from the onshore issuer (CIPS, CNY -> HKD), minted as HKDS and distributed on-chain pro rata;
platforms claim for their custodial clients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from simulator.model.rails import RAILS
from simulator.model.solar import MonthlyStatement, SolarAsset
from simulator.model.valuation import PayoutSchedule
from simulator.units import BPS, DAY, TOKEN, UNITS_PER_CENT

if TYPE_CHECKING:
    from simulator.model.world import World

CLAIM_BATCH = 100  # holders per batchClaimFor transaction (gas bound)


class Revenue:
    def __init__(self, world: World) -> None:
        self.world = world
        self.asset = SolarAsset(world.cfg.asset, world.streams.get("solar"), world.cfg.start_date)
        self.distributed_cents = 0  # paid on-chain to holders: net of withholding
        self.gross_payouts_fen = 0  # the holders' share before withholding (onshore, in CNY)
        self.withheld_fen = 0
        self.held_onshore_fen = 0  # holders' share too small to cover a CIPS fee, sent with a later month's
        self.first_distribution_day: int | None = None
        self.periods_distributed = 0
        self.schedule: PayoutSchedule | None = None  # the right's expected payouts, from the close
        self.term_start: dt.date | None = None
        self.value_at_close_cents = 0  # a token's discounted value when the right starts
        self.sold_bps = BPS  # share of the revenue right sold: the tokens sold over the hard cap's

    def open_term(self, close: dt.date) -> dt.date:
        """The revenue right starts at the close (the month of the close pays in full) and runs its term;
        returns the day it ends."""
        w = self.world
        years = w.cfg.offering.term_years
        end = close.replace(year=close.year + years) if not (close.month == 2 and close.day == 29) \
            else dt.date(close.year + years, 3, 1)
        i = w.cfg.issuer
        # the share is sold with the tokens: an offering that sells less than its hard cap sells pro rata less
        self.sold_bps = min(BPS, w.holdings.tokens_outstanding * BPS // w.issuer.hard_cap_tokens)
        net_bps = self.sold_bps * i.repatriation_cap_bps // BPS * (BPS - i.withholding_tax_bps) // BPS
        self.schedule = PayoutSchedule(w.cfg.asset, w.cfg.start_date, close, end, net_bps, i.repatriation_delay_days)
        self.term_start = close
        self.value_at_close_cents = w.market.value_cents()
        return end

    def run(self) -> Generator[simpy.Event, Any, None]:
        """Daily generation; at each month end an oracle report, the revenue share repatriated and paid."""
        w = self.world
        while True:
            today = w.date()
            self.asset.step_day()
            tomorrow = today + dt.timedelta(days=1)
            if tomorrow.month != today.month:
                statement = self.asset.close_month()
                self._book_net_revenue(statement.net_revenue_fen)
                w.env.process(self.repatriate_and_distribute(statement))
            yield w.env.timeout(DAY)

    def _book_net_revenue(self, net_fen: int) -> None:
        """The month's net revenue reaches the onshore issuer; a loss month (O&M above revenue) is paid out of
        what the issuer holds, the originator funding any shortfall. Holders' payouts carry the loss forward
        (`SolarAsset.close_month`): they never pay money back."""
        w = self.world
        if net_fen >= 0:
            w.ledger.post(w.now_s, "external:grid", "issuer:onshore", net_fen, "CNY", "net revenue")
            return
        loss = -net_fen
        shortfall = max(0, loss - w.ledger.balance("issuer:onshore", "CNY"))
        w.ledger.post(w.now_s, "external:originator", "issuer:onshore", shortfall, "CNY", "originator funds a loss")
        w.ledger.post(w.now_s, "issuer:onshore", "external:opex", loss, "CNY", "net loss (O&M above revenue)")

    def repatriate_and_distribute(self, statement: MonthlyStatement) -> Generator[simpy.Event, Any, None]:
        w = self.world
        s = w.suite
        issuer = w.cfg.issuer
        period = statement.year * 100 + statement.month
        # the oracle attests the month's distributable net revenue: a loss month reports zero (the loss is
        # carried forward off-chain, in the holders' share)
        r = s.oracle.report(period, statement.kwh, max(0, statement.net_revenue_fen), "CNY",
                            period.to_bytes(32, "big"), sender=s.attestor)
        w.event("attestor", "oracle_report", "", statement.net_revenue_fen, "CNY", r, period_yyyymm=period,
                energy_kwh=statement.kwh)
        if w.issuer.state != "closed" or w.issuer.matured_day is not None:
            return  # the right pays from the close to the end of its term: otherwise the share stays onshore
        gross = statement.holders_share_fen * self.sold_bps // BPS * issuer.repatriation_cap_bps // BPS
        if gross == 0:
            return  # a loss month (or one that only repays earlier losses): nothing to send
        tax = gross * issuer.withholding_tax_bps // BPS
        share = gross - tax
        w.ledger.post(w.now_s, "issuer:onshore", "external:tax:withholding", tax, "CNY", "withholding tax")
        self.gross_payouts_fen += gross
        self.withheld_fen += tax
        if share == 0:
            return
        share += self.held_onshore_fen
        if share < RAILS["CIPS"].fee_for(share, "CNY"):  # a transfer would cost more than it carries: wait
            self.held_onshore_fen = share
            w.event("issuer", "repatriation_held", "below_cips_fee", share, "CNY", period=period)
            return
        self.held_onshore_fen = 0
        if issuer.repatriation_delay_days:
            yield w.env.timeout(issuer.repatriation_delay_days * DAY)
        transfer = RAILS["CIPS"].transfer(share, w.now_dt(), w.streams.get("rails:issuer"), currency="CNY")
        w.ledger.post(w.now_s, "issuer:onshore", "fees:CIPS", transfer.fee_minor, "CNY", "CIPS fee")
        w.ledger.post(w.now_s, "issuer:onshore", "external:fx", transfer.received_minor, "CNY", "repatriation")
        yield w.until(transfer.arrives_at)
        hkd = w.fx.convert(transfer.received_minor, "CNY", "HKD")
        w.ledger.post(w.now_s, "external:fx", "spv:HKD", hkd, "HKD", "repatriation FX")
        w.event("issuer", "repatriated", "", hkd, "HKD", period_yyyymm=period)
        cents = w.ledger.balance("spv:HKD", "HKD")
        if cents <= 0:
            return
        payer = s.paying_agent
        w.funding.mint_hkds(payer, "spv:HKD", cents, "distribution funding")
        units = cents * UNITS_PER_CENT
        s.hkd.approve(s.distributor.address, units, sender=payer)
        r = s.distributor.distribute(units, period, sender=payer)
        w.chain_move(payer, s.distributor.address, units, "HKDS", "distribute")
        self.distributed_cents += cents
        if self.first_distribution_day is None:
            self.first_distribution_day = w.day
        w.market.trailing_yield_bps = self._trailing_yield_bps()
        self.periods_distributed += 1
        w.event("paying-agent", "distribution", "", cents, "HKD", r, period_yyyymm=period)
        if self.periods_distributed % w.cfg.market.claim_every_months == 0:
            self.claim_all()

    def _trailing_yield_bps(self) -> int:
        """The yield holders see on the market value of their tokens: the next 12 months' expected payouts,
        scaled by how much of what was expected so far has been paid (a repatriation delay or cap shows;
        the seasons do not: a winter month is not annualised)."""
        w = self.world
        market_value = w.holdings.tokens_outstanding * w.market.price_cents // TOKEN
        if self.schedule is None or self.term_start is None or not market_value:
            return 0
        today = w.date()
        expected_so_far = w.fx.convert(int(self.schedule.expected_between_fen(self.term_start, today)), "CNY", "HKD")
        ahead = w.fx.convert(int(self.schedule.expected_between_fen(today, today + dt.timedelta(days=365))),
                             "CNY", "HKD")
        paid = self.distributed_cents
        ratio = paid / expected_so_far if expected_so_far else 1.0
        return int(ahead * ratio * BPS // market_value)

    def claim_all(self) -> None:
        """Platforms claim for their custodial clients: what is owed (one view), then one transaction per batch."""
        w = self.world
        s = w.suite
        # only those who ever held can be owed anything; a frozen wallet's entitlement waits in the distributor
        holders = [w.investors[i] for i in sorted(w.holdings.ever_held)
                   if not (w.investors[i].frozen or w.investors[i].key_lost)]
        for start in range(0, len(holders), CLAIM_BATCH):
            chunk = holders[start:start + CLAIM_BATCH]
            owed = s.distributor.withdrawableOfBatch([i.wallet for i in chunk])
            due = [(inv, amount) for inv, amount in zip(chunk, owed, strict=True) if amount]
            if not due:
                continue
            r = s.distributor.batchClaimFor([inv.wallet for inv, _ in due], sender=s.agent)
            for inv, amount in due:
                w.chain_move(s.distributor.address, inv.wallet, amount, "HKDS", "claim")
                inv.received_cents += amount // UNITS_PER_CENT
                w.holdings.flow(inv, w.day, amount // UNITS_PER_CENT)
                w.counters.claimed_cents += amount // UNITS_PER_CENT
            w.event("platforms", "claimed", "", sum(a for _, a in due) // UNITS_PER_CENT, "HKD", r, holders=len(due))
