"""The issuer and its primary offering: the service approval, subscriptions, the close in batches (tokens
minted to subscribers per batch, their cash escrowed until the last batch releases it to the treasury, or
fails the offering when what was actually allocated misses the soft cap) and refunds (which burn the tokens
of a failed close)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from simulator.chain import ContractRevert, Event, Receipt
from simulator.chain.suite import SuiteConfig
from simulator.identity import CN, HK
from simulator.model.claims import claim_issuers
from simulator.model.classes import FUND_COUNTRIES
from simulator.model.investor import Investor
from simulator.model.revenue import CLAIM_BATCH
from simulator.units import DAY, HOUR, TOKEN, UNITS_PER_CENT, cents_to_units, major_to_minor

if TYPE_CHECKING:
    from simulator.model.world import World

OFFERING_CLOSED = 1  # PrimaryOffering.State.Closed
OFFERING_FAILED = 4  # PrimaryOffering.State.Failed: the close allocated less than the soft cap
MAX_HOLDERS = 1_000_000  # the compliance module's holder cap: not binding in these runs


class Issuer:
    def __init__(self, world: World) -> None:
        self.world = world
        i = world.cfg.issuer
        # the foreign institution's service approval: uniform up to the FTZ bound (FACTS)
        self.approval_days = int(world.streams.get("issuer").integers(i.approval_min_days, i.approval_bound_days + 1))
        self.state = "pending"  # pending -> open -> closed | failed
        self.opened_day: int | None = None
        self.closed_day: int | None = None
        self.filled_day: int | None = None  # the day subscriptions reached the hard cap
        self.subscribed_cents = 0
        self.capital_raised_cents = 0
        self.term_end: dt.date | None = None  # set at the close
        self.matured_day: int | None = None

    @property
    def hard_cap_tokens(self) -> int:
        """The tokens the offering sells at its hard cap."""
        o = self.world.cfg.offering
        return major_to_minor(o.hard_cap_hkd) * TOKEN // o.price_hkd_cents

    def suite_config(self) -> SuiteConfig:
        """The deployment's terms: the offering's caps and tickets in stablecoin units, its on-chain deadline
        after the approval, and the compliance that admits every class's country."""
        cfg = self.world.cfg
        o = cfg.offering
        hard_cap_tokens = self.hard_cap_tokens
        return SuiteConfig(
            allowed_countries=(CN, HK, *FUND_COUNTRIES),
            retail_authorised=cfg.policy.retail_authorised or cfg.policy.cwm.product_eligible,
            max_balance=hard_cap_tokens, max_holders=MAX_HOLDERS, lockup_seconds=0,
            supply_cap=hard_cap_tokens,
            price=cents_to_units(o.price_hkd_cents), min_ticket=cents_to_units(major_to_minor(o.min_ticket_hkd)),
            max_ticket=cents_to_units(major_to_minor(o.max_ticket_hkd)),
            soft_cap=cents_to_units(major_to_minor(o.soft_cap_hkd)),
            hard_cap=cents_to_units(major_to_minor(o.hard_cap_hkd)),
            offering_seconds=(self.approval_days + o.duration_days) * DAY, allocation=o.allocation,
            claim_issuers=claim_issuers(cfg),
        )

    def run(self) -> Generator[simpy.Event, Any, None]:
        """Approval of the foreign institution's service, then the offering, its close, its refunds."""
        w = self.world
        o = w.cfg.offering
        s = w.suite
        yield w.env.timeout(self.approval_days * DAY)
        self.state = "open"
        self.opened_day = w.day
        w.event("issuer", "service_approved", approval_days=self.approval_days)
        w.event("issuer", "offering_opened", hard_cap_hkd=o.hard_cap_hkd)
        yield w.env.timeout(o.duration_days * DAY + HOUR)  # just past the on-chain deadline
        total_units = s.offering.totalSubscribed()
        if total_units >= major_to_minor(o.soft_cap_hkd) * UNITS_PER_CENT and total_units > 0:
            self.close(total_units)
        else:
            self.state = "failed"
            w.event("issuer", "offering_failed", "", total_units // UNITS_PER_CENT, "HKD")
        self.closed_day = w.day
        for inv in w.investors:  # refunds: failed offering, or the unallocated part when oversubscribed
            if inv.onboarded and s.offering.refundableOf(inv.wallet) > 0:
                units = s.offering.refundableOf(inv.wallet)
                r = s.offering.refund(sender=inv.wallet)
                w.chain_move(s.offering.address, inv.wallet, units, "HKDS", "refund")
                for ev in r.events_named("AllocationUnwound"):  # a failed close burns the tokens it minted
                    w.ledger.post(w.now_s, f"chain:{inv.wallet}", "external:RWA", ev.args["tokens"], "RWA",
                                  "allocation unwound")
                w.event(inv.wallet, "refunded", "", units // UNITS_PER_CENT, "HKD", r)
                if inv.kind.southbound:  # the closed loop: a refund goes home and frees the quota it used
                    w.funding.return_northbound(inv, units // UNITS_PER_CENT, "refund")

    def subscribe(self, inv: Investor) -> Generator[simpy.Event, Any, None]:
        """Fund the ticket, mint the stablecoin and subscribe on-chain (escrowed until the close)."""
        w = self.world
        s = w.suite
        cents = w.investor_flow.ticket_cents(inv)
        reason = yield from w.funding.fund_hkd(inv, cents, cut_to_quota=True)
        if reason:
            w.refuse(inv.wallet, reason, cents, "HKD", investor_class=inv.cls)
            return
        cents = min(cents, w.ledger.balance(f"bank:{inv.key}", "HKD"))
        if self.state != "open":
            w.refuse(inv.wallet, "offering_closed", cents, "HKD", investor_class=inv.cls)
            return
        units = cents * UNITS_PER_CENT
        if cents < major_to_minor(w.cfg.offering.min_ticket_hkd):
            w.refuse(inv.wallet, "offering_ticket", cents, "HKD", investor_class=inv.cls)
            return
        w.funding.mint_hkds(inv.wallet, f"bank:{inv.key}", cents, "subscription funding")
        s.hkd.approve(s.offering.address, units, sender=inv.wallet)
        try:
            r = s.offering.subscribe(units, sender=inv.wallet)
        except ContractRevert as exc:
            w.refuse(inv.wallet, "offering_ticket", cents, "HKD", error=exc.error)
            return
        w.chain_move(inv.wallet, s.offering.address, units, "HKDS", "subscribe")
        w.event(inv.wallet, "subscribed", "", cents, "HKD", r, investor_class=inv.cls)
        self.subscribed_cents += cents
        if self.filled_day is None and self.subscribed_cents >= major_to_minor(w.cfg.offering.hard_cap_hkd):
            self.filled_day = w.day

    def close(self, total_units: int) -> None:
        """Close in batches; mirror each allocation the contract makes by the same rule, computed here, once
        the last batch has shown that the allocations reach the soft cap (else the offering failed)."""
        w = self.world
        s = w.suite
        o = w.cfg.offering
        hard_cap_units = major_to_minor(o.hard_cap_hkd) * UNITS_PER_CENT
        price_units = o.price_hkd_cents * UNITS_PER_CENT
        allocations: list[tuple[Event, Receipt]] = []
        r: Receipt | None = None
        while (state := s.offering.state()) not in (OFFERING_CLOSED, OFFERING_FAILED):
            r = s.offering.closeBatch(o.close_batch_size, sender=s.issuer)
            allocations += [(ev, r) for ev in r.events_named("Allocated")]
        if state == OFFERING_FAILED:  # refused mints left the allocation below the soft cap: all is refunded
            for ev, _ in allocations:
                w.ledger.post(w.now_s, "external:RWA", f"chain:{ev.args['investor']}", ev.args["tokens"], "RWA",
                              "allocation")
            self.state = "failed"
            w.event("issuer", "offering_failed", "allocated_below_soft_cap",
                    s.offering.totalAllocated() // UNITS_PER_CENT, "HKD", r)
            return
        for ev, r in allocations:
            inv = w.by_wallet[ev.args["investor"]]
            cash = s.offering.subscribed(inv.wallet)
            if total_units > hard_cap_units:
                cash = cash * hard_cap_units // total_units
            tokens = cash * TOKEN // price_units
            w.chain_move(s.offering.address, s.treasury, cash, "HKDS", "allocation cash")
            w.ledger.post(w.now_s, "external:RWA", f"chain:{inv.wallet}", tokens, "RWA", "allocation")
            w.holdings.accrue(inv, w.now_s)
            inv.cost_basis_cents += cash // UNITS_PER_CENT
            inv.tokens += tokens
            w.holdings.tokens_outstanding += tokens
            w.holdings.add(inv)
            inv.invested_cents += cash // UNITS_PER_CENT
            w.holdings.flow(inv, w.day, -(cash // UNITS_PER_CENT))
            inv.purchase_checks.append(w.investor_flow.may_hold(inv).allowed)
            self.capital_raised_cents += cash // UNITS_PER_CENT
            w.event(inv.wallet, "allocated", "", cash // UNITS_PER_CENT, "HKD", r, tokens=tokens,
                    investor_class=inv.cls)
        self.state = "closed"
        w.event("issuer", "offering_closed", "", self.capital_raised_cents, "HKD")
        self.term_end = w.revenue.open_term(w.date())
        w.env.process(self.mature(self.term_end))

    def mature(self, term_end: dt.date) -> Generator[simpy.Event, Any, None]:
        """At the end of the term the right ends: trading stops, what is owed is claimed, and every holder's
        tokens are burned, bought back at the buy-back price (paid in HKDS) or for nothing (expiry)."""
        w = self.world
        s = w.suite
        o = w.cfg.offering
        yield w.env.timeout(max(0, (term_end - w.cfg.start_date).days * DAY - w.env.now))
        self.matured_day = w.day
        for platform in w.platforms.values():
            for order in platform.book.clear():
                w.market.order_gone(order)
        w.revenue.claim_all()
        holders = [w.investors[i] for i in sorted(w.holdings.holders)]
        for start in range(0, len(holders), CLAIM_BATCH):
            chunk = [inv for inv in holders[start:start + CLAIM_BATCH] if inv.tokens]
            if not chunk:
                continue
            r = s.token.batchBurn([inv.wallet for inv in chunk], [inv.tokens for inv in chunk], sender=s.agent)
            paid_cents = 0
            for inv in chunk:
                w.ledger.post(w.now_s, f"chain:{inv.wallet}", "external:RWA", inv.tokens, "RWA", "end of term")
                cents = inv.tokens * o.buyback_price_hkd_cents // TOKEN if o.end_of_term == "buyback" else 0
                if cents:  # the issuer pays the buy-back in fiat, minted to the holder as HKDS
                    w.ledger.post(w.now_s, "external:issuer", "spv:buyback", cents, "HKD", "buy-back")
                    w.funding.mint_hkds(inv.wallet, "spv:buyback", cents, "buy-back")
                    w.holdings.flow(inv, w.day, cents)  # capital returned: in the IRR, not in the cash yield
                    paid_cents += cents
                w.holdings.accrue(inv, w.now_s)
                w.holdings.tokens_outstanding -= inv.tokens
                inv.tokens = 0
                inv.cost_basis_cents = 0
                w.holdings.drop_if_empty(inv)
            w.event("issuer", "term_ended", o.end_of_term, paid_cents, "HKD", r, holders=len(chunk))
