"""The double-entry ledger and its reconciliation against on-chain balances."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.model.ledger import Ledger, LedgerError, reconcile


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["a", "b", "c"]),
                          st.integers(0, 10**9)), max_size=50))
def test_every_currency_sums_to_zero(moves):
    ledger = Ledger()
    ledger.post(0, "external:world", "a", 10**12, "HKD")
    for src, dst, amount in moves:
        with contextlib.suppress(LedgerError):  # an overdraft is refused and changes nothing
            ledger.post(0, src, dst, amount, "HKD")
        assert ledger.total("HKD") == 0
        assert all(ledger.balance(x, "HKD") >= 0 for x in "abc")


def test_refuses_floats_negatives_and_overdrafts():
    ledger = Ledger()
    with pytest.raises(LedgerError):
        ledger.post(0, "external:x", "a", 1.5, "HKD")
    with pytest.raises(LedgerError):
        ledger.post(0, "external:x", "a", -1, "HKD")
    with pytest.raises(LedgerError, match="cannot pay"):
        ledger.post(0, "a", "b", 1, "HKD")


def test_reconcile_finds_any_difference():
    ledger = Ledger()
    ledger.post(0, "external:RWA", "chain:0xA", 100, "RWA")
    assert reconcile(ledger, {("0xA", "RWA"): 100}) == 0
    assert reconcile(ledger, {("0xA", "RWA"): 99}) == 1
    assert reconcile(ledger, {}) == 100  # the ledger believes in a holding the chain was never asked about


def test_differences_of_opposite_signs_never_cancel():
    ledger = Ledger()
    ledger.post(0, "external:RWA", "chain:0xA", 100, "RWA")
    ledger.post(0, "external:RWA", "chain:0xB", 100, "RWA")
    assert reconcile(ledger, {("0xA", "RWA"): 101, ("0xB", "RWA"): 100}) == 1  # the chain holds more than the mirror
    assert reconcile(ledger, {("0xA", "RWA"): 101, ("0xB", "RWA"): 99}) == 2  # one unit moved behind the ledger
