"""Payment legs: how an investor's money reaches its HK account (FPS, SWIFT + FX, CWM southbound by CIPS),
how HKD becomes the stablecoin, and how a mainland investor's money goes home through the closed loop.

CWM southbound (FACTS "CWM Connect", H): the quotas count net remittance of *principal*. The CIPS fee is paid
on top from the mainland account and uses no quota; the RMB is converted to HKD in Hong Kong when it arrives,
at that moment's rate. A remittance for a purchase sends a small FX buffer on top of what today's rate says
it needs (what is left over stays in the HK investment account); a ticket larger than the remaining quota is
cut to exactly what remains, so an investor can remit RMB 3,000,000.00 in all, and not a fen more."""

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


def buffered(cents: int) -> int:
    """`cents` with the FX buffer on top (rounded up)."""
    return cents * (BPS + FX_BUFFER_BPS) // BPS + 1


class Funding:
    def __init__(self, world: World) -> None:
        self.world = world

    def mint_hkds(self, wallet: str, bank_account: str, cents: int, memo: str) -> Receipt:
        """Fiat HKD in `bank_account` -> the stablecoin issuer's reserve; HKDS minted on-chain to `wallet`."""
        w = self.world
        w.ledger.post(w.now_s, bank_account, "reserve:HKDS", cents, "HKD", memo)
        w.ledger.post(w.now_s, "external:HKDS", f"chain:{wallet}", cents * UNITS_PER_CENT, "HKDS", memo)
        return w.suite.hkd.mint(wallet, cents * UNITS_PER_CENT, sender=w.suite.hkd_issuer)

    def mint_cnht(self, wallet: str, account: str, fen: int, memo: str) -> Receipt:
        """Offshore RMB (CNH) in `account` -> the CNH stablecoin issuer's reserve; CNHT minted on-chain to `wallet`."""
        w = self.world
        w.ledger.post(w.now_s, account, "reserve:CNHT", fen, "CNH", memo)
        w.ledger.post(w.now_s, "external:CNHT", f"chain:{wallet}", fen * UNITS_PER_CENT, "CNHT", memo)
        return w.suite.cnh.mint(wallet, fen * UNITS_PER_CENT, sender=w.suite.cnh_issuer)

    def cny_to_hkd(self, inv: Investor, fen: int) -> int:
        """RMB remitted to the investor's CWM account, converted to HKD in its HK account; the cents."""
        w = self.world
        hkd = w.fx.convert(fen, "CNY", "HKD")
        w.ledger.post(w.now_s, f"cwm:{inv.key}", "external:fx", fen, "CNY", "FX")
        w.ledger.post(w.now_s, "external:fx", f"bank:{inv.key}", hkd, "HKD", "FX")
        return hkd

    def cny_to_cnht(self, inv: Investor, fen: int) -> int:
        """RMB remitted to the investor's CWM account, kept as RMB offshore (CNH, at the day's CNY/CNH spread) and
        minted as the CNH stablecoin to its wallet; the CNHT base units."""
        w = self.world
        cnh = w.fx.convert(fen, "CNY", "CNH")
        if cnh == 0:  # less than a fen of CNH: it stays in the CWM account
            return 0
        w.ledger.post(w.now_s, f"cwm:{inv.key}", "external:fx", fen, "CNY", "CNY to CNH")
        w.ledger.post(w.now_s, "external:fx", f"cnh:{inv.key}", cnh, "CNH", "CNY to CNH")
        self.mint_cnht(inv.wallet, f"cnh:{inv.key}", cnh, "CNH settlement funding")
        return cnh * UNITS_PER_CENT

    def fund_hkd(self, inv: Investor, cents: int, cut_to_quota: bool = False) -> Generator[simpy.Event, Any, str]:
        """Bring `cents` of HKD to the investor's HK bank account by its class's rail; quota-checked.
        With `cut_to_quota` (a subscription), a southbound remittance larger than the remaining quota is cut to
        it; without (a matched trade, which needs its cash), the trade is refused. Returns "" or a reason."""
        w = self.world
        now = w.now_s
        available = w.ledger.balance(f"bank:{inv.key}", "HKD") - inv.committed_cents
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
        if rail == "CIPS":
            need = self.source_amount(cents, "CNY")
            want = self.source_amount(buffered(cents), "CNY")
            reason, received = yield from self.remit_southbound(inv, need, want, "rails", cut=cut_to_quota)
            if reason:
                return reason
            self.cny_to_hkd(inv, received)
            w.event(inv.wallet, "remittance", "", received, "CNY", rail="CIPS")
        elif rail == "SWIFT":
            home = f"{inv.kind.home_account}:{inv.key}"
            usd = self.source_amount(buffered(cents), "USD")
            usd += RAILS["SWIFT"].fee_for(usd, "USD")
            if w.ledger.balance(home, "USD") < usd:
                return "offering_ticket"
            transfer = RAILS["SWIFT"].transfer(usd, w.now_dt(), w.streams.get("rails"), currency="USD")
            w.ledger.post(now, home, "external:fx", transfer.received_minor, "USD", "SWIFT + FX")
            w.ledger.post(now, home, "fees:SWIFT", transfer.fee_minor, "USD", "SWIFT fee")
            yield w.until(transfer.arrives_at)
            w.ledger.post(w.now_s, "external:fx", f"bank:{inv.key}",
                          w.fx.convert(transfer.received_minor, "USD", "HKD"), "HKD", "FX")
        return ""

    def remit_southbound(self, inv: Investor, need_fen: int, want_fen: int, stream: str, *, cut: bool,
                         product_eligible: bool | None = None) -> Generator[simpy.Event, Any, tuple[str, int]]:
        """CWM southbound by CIPS from the paired mainland account to the investor's CWM account: `want_fen` of
        principal (what the purchase needs, `need_fen`, plus any FX buffer), within the remaining quota.
        With `cut`, less than `need_fen` is sent when the quota has less left (an event says so); without,
        that is a refusal. The fee is paid on top and uses no quota. Returns (reason, principal received);
        a refusal reserves no quota and moves nothing."""
        w = self.world
        policy = w.policy
        room, channel = self.quota_room(inv)
        principal = min(want_fen, room)
        if principal < (1 if cut else need_fen):
            return policy.check_southbound(inv.key, max(1, need_fen), product_eligible, channel).reason, 0
        decision = policy.reserve_southbound(inv.key, principal, product_eligible, channel)
        if not decision.allowed:
            return decision.reason, 0
        if principal < need_fen:
            binding = "cwm_aggregate_quota" if policy.aggregate_room_fen() == 0 else "cwm_individual_quota"
            w.quota_bound(binding)
            w.event(inv.wallet, "ticket_cut", binding, need_fen - principal, "CNY", remitted_fen=principal)
        cips = RAILS["CIPS"]
        fee = cips.fee_for(principal, "CNY")
        if w.ledger.balance(f"mainland:{inv.key}", "CNY") < principal + fee:
            policy.release_southbound(inv.key, principal)
            return "offering_ticket", 0
        transfer = cips.transfer(principal + fee, w.now_dt(), w.streams.get(stream), currency="CNY")
        now = w.now_s
        w.ledger.post(now, f"mainland:{inv.key}", f"cwm:{inv.key}", transfer.received_minor, "CNY",
                      "CIPS southbound")
        w.ledger.post(now, f"mainland:{inv.key}", "fees:CIPS", transfer.fee_minor, "CNY", "CIPS fee")
        w.counters.cwm_remitted_fen += transfer.received_minor
        yield w.until(transfer.arrives_at)
        return "", transfer.received_minor

    def southbound_budget(self, inv: Investor, cents: int) -> tuple[int, str]:
        """Before a southbound investor bids: the most of `cents` it can pay, from the HK cash it has and what
        its remaining quota can bring in (FX buffer included), so the quota binds before a trade is matched,
        not at its settlement. Returns (cents, "") or (0, the refusal reason)."""
        w = self.world
        available = max(0, w.ledger.balance(f"bank:{inv.key}", "HKD") - inv.committed_cents)
        shortfall = cents - min(cents, available)
        if shortfall == 0:
            return cents, ""
        want = self.source_amount(buffered(shortfall), "CNY")
        remaining, channel = self.quota_room(inv)
        if remaining >= want:
            return cents, ""
        reachable = w.fx.convert(remaining, "CNY", "HKD") * BPS // (BPS + FX_BUFFER_BPS) - 1
        if reachable <= 0:
            return 0, w.policy.check_southbound(inv.key, want, channel=channel).reason
        return available + reachable, ""

    def quota_room(self, inv: Investor) -> tuple[int, str | None]:
        """What the investor may still remit, and through which channel: an investor with a bank and a broker
        remits through the one with more of its RMB 1.5 m left (each channel's part of the quota)."""
        policy = self.world.policy
        if len(inv.channels) < 2:
            return policy.cwm_remaining_fen(inv.key), None
        room, channel = max((policy.channel_remaining_fen(inv.key, c), c) for c in inv.channels)
        return room, channel

    def source_amount(self, cents: int, currency: str) -> int:
        """The smallest amount of `currency` that converts to at least `cents` HKD (FX rounds down)."""
        fx = self.world.fx
        amount = fx.convert(cents, "HKD", currency)
        while (back := fx.convert(amount, currency, "HKD")) < cents:
            amount += max(1, (cents - back) * amount // max(back, 1))
        return amount

    def return_northbound(self, inv: Investor, cents: int, cause: str) -> None:
        """Closed loop: money in the HK investment account (sale proceeds, refunds) goes back only to the paired
        mainland remittance account, and frees the quota the principal used. `cause`: "sale" (the seller may
        ask for the proceeds to be paid elsewhere, and is refused) or "refund" (paid back by the offering)."""
        w = self.world
        if cause == "sale" and inv.rng.random() < w.cfg.investors[inv.cls].closed_loop_violation_share:
            decision = w.policy.closed_loop(f"mainland:{inv.key}", f"other-account:{inv.key}")
            w.refuse(inv.wallet, decision.reason, cents, "HKD")  # asked to be paid elsewhere: refused
        decision = w.policy.closed_loop(f"mainland:{inv.key}", f"mainland:{inv.key}")
        if not decision.allowed:
            raise ModelError(f"closed loop refused the paired account of {inv.wallet}: {decision.reason}")
        units = cents * UNITS_PER_CENT
        s = w.suite
        s.hkd.approve(s.hkd_issuer, units, sender=inv.wallet)
        r = s.hkd.burnFrom(inv.wallet, units, sender=s.hkd_issuer)
        w.ledger.post(w.now_s, f"chain:{inv.wallet}", "external:HKDS", units, "HKDS", "redeem")
        w.ledger.post(w.now_s, "reserve:HKDS", f"bank:{inv.key}", cents, "HKD", "redeem")
        self.home_hkd(inv, cents, cause, r)

    def home_hkd(self, inv: Investor, cents: int, cause: str, receipt: Receipt | None = None) -> None:
        """Closed loop: HKD in the investor's HK account goes home as RMB to its paired mainland account (CIPS
        northbound) and frees the quota its principal used."""
        w = self.world
        fen = w.fx.convert(cents, "HKD", "CNY")
        w.ledger.post(w.now_s, f"bank:{inv.key}", "external:fx", cents, "HKD", "FX northbound")
        w.ledger.post(w.now_s, "external:fx", f"mainland:{inv.key}", fen, "CNY", "CIPS northbound")
        self._arrived_home(inv, fen, cause, receipt)

    def _arrived_home(self, inv: Investor, fen: int, cause: str, receipt: Receipt | None = None) -> None:
        """RMB back in the paired mainland account: the quota its principal used is free again."""
        w = self.world
        w.policy.release_southbound(inv.key, fen)
        w.event(inv.wallet, "remittance_northbound", "", fen, "CNY", receipt, cause=cause)

    def home_cny(self, inv: Investor, fen: int, cause: str) -> None:
        """Closed loop: RMB that reached the investor's CWM account and was not used goes straight home."""
        w = self.world
        w.ledger.post(w.now_s, f"cwm:{inv.key}", f"mainland:{inv.key}", fen, "CNY", "CIPS northbound")
        self._arrived_home(inv, fen, cause)

    def home_cnht(self, inv: Investor, units: int, cause: str) -> None:
        """Closed loop for CNH: the investor's CNH stablecoin is redeemed and the RMB goes home to its paired
        mainland account, freeing the quota; no HKD leg."""
        w = self.world
        s = w.suite
        fen_cnh = units // UNITS_PER_CENT
        units = fen_cnh * UNITS_PER_CENT
        if units == 0:
            return
        s.cnh.approve(s.cnh_issuer, units, sender=inv.wallet)
        r = s.cnh.burnFrom(inv.wallet, units, sender=s.cnh_issuer)
        w.ledger.post(w.now_s, f"chain:{inv.wallet}", "external:CNHT", units, "CNHT", "redeem")
        w.ledger.post(w.now_s, "reserve:CNHT", f"cnh:{inv.key}", fen_cnh, "CNH", "redeem")
        fen = w.fx.convert(fen_cnh, "CNH", "CNY")
        w.ledger.post(w.now_s, f"cnh:{inv.key}", "external:fx", fen_cnh, "CNH", "CNH to CNY")
        w.ledger.post(w.now_s, "external:fx", f"mainland:{inv.key}", fen, "CNY", "CIPS northbound")
        self._arrived_home(inv, fen, cause, r)
