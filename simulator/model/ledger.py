"""The off-chain money: an integer double-entry ledger, and its reconciliation against the chain.

Every posting moves an integer amount of one currency from one account to another, so each currency
sums to zero across all accounts at all times (money enters through `external:*` accounts, which go
negative). Token movements on-chain are mirrored in `chain:*` accounts; at the end of a run the mirrors
must equal the on-chain balances to the unit, or the run fails.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


class LedgerError(Exception):
    """A posting that would break the ledger's rules (a bug in the model, never user input)."""


@dataclass(frozen=True, slots=True)
class Posting:
    time_s: int
    debit: str  # account the amount leaves
    credit: str  # account the amount enters
    amount: int
    currency: str
    memo: str


class Ledger:
    """Accounts are strings such as "bank:0xabc" or "external:fx"; amounts are integer minor units."""

    def __init__(self, keep_postings: bool = False) -> None:
        self._balances: dict[tuple[str, str], int] = defaultdict(int)
        self.postings: list[Posting] | None = [] if keep_postings else None
        self.posting_count = 0

    def balance(self, account: str, currency: str) -> int:
        return self._balances.get((account, currency), 0)

    def post(self, time_s: int, debit: str, credit: str, amount: int, currency: str, memo: str = "",
             allow_negative: bool = False) -> None:
        """Move `amount` from `debit` to `credit`. Non-external accounts may not go negative."""
        if type(amount) is not int or amount < 0:
            raise LedgerError(f"posting amount must be a non-negative int, got {amount!r} ({memo})")
        if amount == 0:
            return
        key = (debit, currency)
        if not allow_negative and not debit.startswith("external:") and self._balances[key] < amount:
            raise LedgerError(f"{debit} holds {self._balances[key]} {currency}, cannot pay {amount} ({memo})")
        self._balances[key] -= amount
        self._balances[(credit, currency)] += amount
        self.posting_count += 1
        if self.postings is not None:
            self.postings.append(Posting(time_s, debit, credit, amount, currency, memo))

    def total(self, currency: str) -> int:
        """Sum over all accounts of one currency: always 0 in a double-entry ledger."""
        return sum(v for (_, c), v in self._balances.items() if c == currency)

    def currencies(self) -> set[str]:
        return {c for (_, c) in self._balances}

    def accounts(self, prefix: str, currency: str) -> dict[str, int]:
        return {a: v for (a, c), v in self._balances.items() if c == currency and a.startswith(prefix)}


def reconcile(ledger: Ledger, onchain: dict[tuple[str, str], int]) -> int:
    """Sum of absolute differences between `chain:<wallet>` mirrors and on-chain balances, plus any
    imbalance of the double entry itself. `onchain` maps (wallet, token symbol) -> balance."""
    diff = sum(abs(ledger.total(c)) for c in ledger.currencies())
    seen = set()
    for (wallet, symbol), balance in onchain.items():
        seen.add((wallet, symbol))
        diff += abs(ledger.balance(f"chain:{wallet}", symbol) - balance)
    for (account, currency), value in ledger._balances.items():
        if account.startswith("chain:") and (account[6:], currency) not in seen and value != 0:
            diff += abs(value)  # the ledger thinks a wallet holds tokens the chain was never asked about
    return diff
