"""The register of who holds the token, kept by the model and mirrored by the chain's balances."""

from __future__ import annotations

from simulator.model.classes import CLASS_NAMES
from simulator.model.investor import Investor
from simulator.units import DAY


class Holdings:
    def __init__(self) -> None:
        self.holders: set[int] = set()  # indexes of investors holding tokens now
        self.ever_held: set[int] = set()  # ... or at any time (only they can be owed revenue)
        self.by_class: dict[str, int] = dict.fromkeys(CLASS_NAMES, 0)
        self.tokens_outstanding = 0  # minted by the offering
        # each class's money in and out of the token (purchases negative; sales, payouts, buy-backs positive),
        # summed per day: the cash flows its money-weighted return (IRR) is computed from
        self.flows: dict[str, dict[int, int]] = {name: {} for name in CLASS_NAMES}

    @staticmethod
    def accrue(inv: Investor, now_s: int) -> None:
        """Integrate the investor's cost basis over the time since the last change (time-weighted yields)."""
        inv.capital_cent_days += inv.cost_basis_cents * (now_s - inv.basis_since_s) // DAY
        inv.basis_since_s = now_s

    def flow(self, inv: Investor, day: int, cents: int) -> None:
        by_day = self.flows[inv.cls]
        by_day[day] = by_day.get(day, 0) + cents

    def add(self, inv: Investor) -> None:
        if inv.index not in self.holders:
            self.holders.add(inv.index)
            self.by_class[inv.cls] += 1
        self.ever_held.add(inv.index)

    def drop_if_empty(self, inv: Investor) -> None:
        if inv.tokens == 0 and inv.index in self.holders:
            self.holders.discard(inv.index)
            self.by_class[inv.cls] -= 1
