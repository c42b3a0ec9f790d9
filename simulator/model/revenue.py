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
from simulator.units import BPS, DAY, TOKEN, UNITS_PER_CENT

if TYPE_CHECKING:
    from simulator.model.world import World

CLAIM_BATCH = 100  # holders per batchClaimFor transaction (gas bound)


class Revenue:
    def __init__(self, world: World) -> None:
        self.world = world
        self.asset = SolarAsset(world.cfg.asset, world.streams.get("solar"), world.cfg.start_date)
        self.distributed_cents = 0
        self.recent_distributions_cents: list[int] = []  # one per month paid, oldest first
        self.first_distribution_day: int | None = None
        self.periods_distributed = 0

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
        w.event("attestor", "oracle_report", "", statement.net_revenue_fen, "CNY", r, period=period,
                kwh=statement.kwh)
        if w.issuer.state != "closed":
            return  # revenue rights start with the tokens: before the close the share stays with the issuer
        share = statement.holders_share_fen * issuer.repatriation_cap_bps // BPS
        if share == 0:
            return  # a loss month (or one that only repays earlier losses): nothing to send
        if issuer.repatriation_delay_days:
            yield w.env.timeout(issuer.repatriation_delay_days * DAY)
        transfer = RAILS["CIPS"].transfer(share, w.now_dt(), w.streams.get("rails:issuer"), currency="CNY")
        w.ledger.post(w.now_s, "issuer:onshore", "fees:CIPS", transfer.fee_minor, "CNY", "CIPS fee")
        w.ledger.post(w.now_s, "issuer:onshore", "external:fx", transfer.received_minor, "CNY", "repatriation")
        yield w.until(transfer.arrives_at)
        hkd = w.fx.convert(transfer.received_minor, "CNY", "HKD")
        w.ledger.post(w.now_s, "external:fx", "spv:HKD", hkd, "HKD", "repatriation FX")
        w.event("issuer", "repatriated", "", hkd, "HKD", period=period)
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
        self.recent_distributions_cents.append(cents)
        if self.first_distribution_day is None:
            self.first_distribution_day = w.day
        # trailing yield holders see: this month's payout, annualised, on the market value of the tokens
        market_value_cents = w.holdings.tokens_outstanding * w.market.price_cents // TOKEN
        w.market.trailing_yield_bps = cents * 12 * BPS // market_value_cents if market_value_cents else 0
        self.periods_distributed += 1
        w.event("paying-agent", "distribution", "", cents, "HKD", r, period=period)
        if self.periods_distributed % w.cfg.market.claim_every_months == 0:
            self.claim_all()

    def claim_all(self) -> None:
        """Platforms claim for their custodial clients: what is owed (one view), then one transaction per batch."""
        w = self.world
        s = w.suite
        holders = [w.investors[i] for i in sorted(w.holdings.ever_held)]  # only they can be owed anything
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
                w.counters.claimed_cents += amount // UNITS_PER_CENT
            w.event("platforms", "claimed", "", sum(a for _, a in due) // UNITS_PER_CENT, "HKD", r, holders=len(due))
