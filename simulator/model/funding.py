"""Payment legs: how an investor's money reaches its HK account (FPS, SWIFT + FX, CWM southbound by CIPS),
how HKD becomes the stablecoin, and how a mainland seller's proceeds go home through the closed loop."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from simulator.chain import Receipt
from simulator.model.errors import ModelError
from simulator.model.investor import Investor
from simulator.model.rails import RAILS
from simulator.units import BPS, UNITS_PER_CENT

if TYPE_CHECKING:
    from simulator.model.world import World

# FX moves while the money travels: a remittance sends this much more than it needs (sensitivity); what is
# left over stays in the HK account
FX_BUFFER_BPS = 50


class Funding:
    def __init__(self, world: World) -> None:
        self.world = world

    def mint_hkds(self, wallet: str, bank_account: str, cents: int, memo: str) -> Receipt:
        """Fiat HKD in `bank_account` -> the stablecoin issuer's reserve; HKDS minted on-chain to `wallet`."""
        w = self.world
        w.ledger.post(w.now_s, bank_account, "reserve:HKDS", cents, "HKD", memo)
        w.ledger.post(w.now_s, "external:HKDS", f"chain:{wallet}", cents * UNITS_PER_CENT, "HKDS", memo)
        return w.suite.hkd.mint(wallet, cents * UNITS_PER_CENT, sender=w.suite.hkd_issuer)

    def fund_hkd(self, inv: Investor, cents: int) -> Generator[simpy.Event, Any, str]:
        """Bring `cents` of HKD to the investor's HK bank account by its class's rail; quota-checked.
        Returns "" or a refusal reason."""
        w = self.world
        now = w.now_s
        available = w.ledger.balance(f"bank:{inv.wallet}", "HKD") - inv.committed_cents
        rail = inv.kind.rail
        if rail == "FPS":  # HK investors pay the stablecoin issuer by FPS (24/7, seconds)
            if available < cents:
                return "offering_ticket"
            transfer = RAILS["FPS"].transfer(cents, w.now_dt(), w.streams.get("rails"), currency="HKD")
            yield w.until(transfer.arrives_at)
            return ""
        cents -= min(cents, max(0, available))  # only the shortfall travels
        if cents == 0:
            return ""
        cents = cents * (BPS + FX_BUFFER_BPS) // BPS + 1
        if rail == "CIPS":
            reason, received, _ = yield from self.remit_southbound(inv, cents, "rails")
            if reason:
                return reason
            hkd = w.fx.convert(received, "CNY", "HKD")
            w.ledger.post(w.now_s, f"cwm:{inv.wallet}", "external:fx", received, "CNY", "FX")
            w.ledger.post(w.now_s, "external:fx", f"bank:{inv.wallet}", hkd, "HKD", "FX")
            w.event(inv.wallet, "remittance", "", received, "CNY", rail="CIPS")
        elif rail == "SWIFT":
            home = f"{inv.kind.home_account}:{inv.wallet}"
            usd = self.source_amount(cents, "USD")
            usd += RAILS["SWIFT"].fee_for(usd, "USD")
            if w.ledger.balance(home, "USD") < usd:
                return "offering_ticket"
            transfer = RAILS["SWIFT"].transfer(usd, w.now_dt(), w.streams.get("rails"), currency="USD")
            w.ledger.post(now, home, "external:fx", transfer.received_minor, "USD", "SWIFT + FX")
            w.ledger.post(now, home, "fees:SWIFT", transfer.fee_minor, "USD", "SWIFT fee")
            yield w.until(transfer.arrives_at)
            w.ledger.post(w.now_s, "external:fx", f"bank:{inv.wallet}",
                          w.fx.convert(transfer.received_minor, "USD", "HKD"), "HKD", "FX")
        return ""

    def remit_southbound(self, inv: Investor, cents: int, stream: str, product_eligible: bool | None = None
                         ) -> Generator[simpy.Event, Any, tuple[str, int, int]]:
        """CWM southbound: enough CNY (fee included) to buy `cents` of HKD, quota-checked, sent by CIPS from the
        paired mainland account to the investor's CWM account. Returns (reason, received fen, fen sent); a
        refusal reserves no quota and moves nothing."""
        w = self.world
        fen = self.source_amount(cents, "CNY")
        fen += RAILS["CIPS"].fee_for(fen, "CNY")
        decision = w.policy.reserve_southbound(inv.wallet, fen, product_eligible)
        if not decision.allowed:
            return decision.reason, 0, fen
        if w.ledger.balance(f"mainland:{inv.wallet}", "CNY") < fen:
            w.policy.release_southbound(inv.wallet, fen)
            return "offering_ticket", 0, fen
        transfer = RAILS["CIPS"].transfer(fen, w.now_dt(), w.streams.get(stream), currency="CNY")
        now = w.now_s
        w.ledger.post(now, f"mainland:{inv.wallet}", f"cwm:{inv.wallet}", transfer.received_minor, "CNY",
                      "CIPS southbound")
        w.ledger.post(now, f"mainland:{inv.wallet}", "fees:CIPS", transfer.fee_minor, "CNY", "CIPS fee")
        yield w.until(transfer.arrives_at)
        return "", transfer.received_minor, fen

    def source_amount(self, cents: int, currency: str) -> int:
        """The smallest amount of `currency` that converts to at least `cents` HKD (FX rounds down)."""
        fx = self.world.fx
        amount = fx.convert(cents, "HKD", currency)
        while (back := fx.convert(amount, currency, "HKD")) < cents:
            amount += max(1, (cents - back) * amount // max(back, 1))
        return amount

    def return_northbound(self, inv: Investor, cents: int) -> None:
        """Closed loop: sale proceeds go back only to the paired mainland remittance account."""
        w = self.world
        if inv.rng.random() < w.cfg.investors[inv.cls].closed_loop_violation_share:
            decision = w.policy.closed_loop(f"mainland:{inv.wallet}", f"other-account:{inv.wallet}")
            w.refuse(inv.wallet, decision.reason, cents, "HKD")  # asked to be paid elsewhere: refused
        decision = w.policy.closed_loop(f"mainland:{inv.wallet}", f"mainland:{inv.wallet}")
        if not decision.allowed:
            raise ModelError(f"closed loop refused the paired account of {inv.wallet}: {decision.reason}")
        units = cents * UNITS_PER_CENT
        s = w.suite
        s.hkd.approve(s.hkd_issuer, units, sender=inv.wallet)
        r = s.hkd.burnFrom(inv.wallet, units, sender=s.hkd_issuer)
        w.ledger.post(w.now_s, f"chain:{inv.wallet}", "external:HKDS", units, "HKDS", "redeem")
        w.ledger.post(w.now_s, "reserve:HKDS", f"bank:{inv.wallet}", cents, "HKD", "redeem")
        fen = w.fx.convert(cents, "HKD", "CNY")
        w.ledger.post(w.now_s, f"bank:{inv.wallet}", "external:fx", cents, "HKD", "FX northbound")
        w.ledger.post(w.now_s, "external:fx", f"mainland:{inv.wallet}", fen, "CNY", "CIPS northbound")
        w.policy.release_southbound(inv.wallet, fen)
        w.event(inv.wallet, "remittance_northbound", "", fen, "CNY", r)
