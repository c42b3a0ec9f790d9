"""The double-entry ledger and its reconciliation against on-chain balances."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.model.ledger import Ledger, LedgerError, Posting, reconcile


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


def test_a_zero_posting_moves_nothing_and_is_not_counted():
    ledger = Ledger(keep_postings=True)
    ledger.post(0, "a", "b", 0, "HKD")  # an empty account may post nothing (a zero fee, say)
    assert ledger.posting_count == 0 and ledger.postings == []
    assert ledger.balance("a", "HKD") == 0 and ledger.balance("b", "HKD") == 0


def test_postings_are_counted_and_kept_only_when_asked_and_cannot_be_altered():
    import dataclasses

    plain = Ledger()
    plain.post(1, "external:x", "a", 5, "HKD")
    assert plain.posting_count == 1 and plain.postings is None
    kept = Ledger(keep_postings=True)
    kept.post(1, "external:x", "a", 5, "HKD", "in")
    kept.post(2, "a", "b", 2, "HKD")
    assert kept.posting_count == 2
    assert kept.postings == [Posting(1, "external:x", "a", 5, "HKD", "in"), Posting(2, "a", "b", 2, "HKD", "")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        kept.postings[0].amount = 6  # type: ignore[misc]  # the audit record is immutable


def test_totals_and_accounts_are_per_currency_and_an_imbalance_is_found():
    ledger = Ledger()
    ledger.post(0, "external:x", "bank:a", 5, "HKD")
    ledger.post(0, "external:x", "bank:b", 7, "CNY")
    ledger.post(0, "external:x", "cwm:a", 3, "HKD")
    assert ledger.accounts("bank:", "HKD") == {"bank:a": 5}
    assert ledger.accounts("bank:", "CNY") == {"bank:b": 7}
    assert ledger.total("HKD") == 0 and ledger.total("CNY") == 0
    ledger._balances[("bank:a", "HKD")] += 4  # a one-sided entry, as a bug in the ledger itself would make
    assert ledger.total("HKD") == 4 and ledger.total("CNY") == 0
    assert reconcile(ledger, {}) == 4


def test_reconcile_counts_one_unit_the_chain_was_never_asked_about_either_way():
    ledger = Ledger()
    ledger.post(0, "external:RWA", "chain:0xA", 1, "RWA")
    ledger.post(0, "chain:0xB", "external:RWA", 1, "RWA", allow_negative=True)  # -1: a mirror gone negative
    assert reconcile(ledger, {}) == 2
