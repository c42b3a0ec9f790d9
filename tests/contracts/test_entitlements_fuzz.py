"""Fuzzed protocol sequences: no party ever ends with less than the protocol entitles it.

- Offering: random subscriptions (some refused), then a close, a cancellation or a missed soft cap, then refunds:
  every subscriber ends with exactly its refund + allocated cash = what it paid in, tokens = allocated cash / price,
  the treasury with the allocated cash, and the offering holds nothing.
- DvP: random trades, some of them made to fail (seller withdraws its allowance, buyer short of cash): a failed
  trade moves nothing; a settled one moves exactly the quantity, cash minus fee, and the fee.
- Distribution with forced transfers and transfers between distributions: each holder's entitlement equals the
  exact pro-rata sum over distributions of amount x balance / supply, to within one unit.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from conftest import HK, HKD, PROFESSIONAL, TOKEN, YEAR, build_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.chain import ContractRevert
from simulator.chain.suite import SuiteConfig

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def base():
    config = SuiteConfig(price=10 * HKD, min_ticket=100 * HKD, max_ticket=5_000 * HKD, soft_cap=2_000 * HKD,
                         hard_cap=8_000 * HKD)
    w = build_world("revm", config)
    extra = [w.chain.new_account(f"fz-{i}") for i in range(4)]
    w.s.registry.batchRegisterIdentity(extra, [HK] * 4, [PROFESSIONAL] * 4, [0] * 4, [w.chain.now + YEAR] * 4,
                                       sender=w.s.agent)
    w.fuzz_investors = [w.alice, w.bob, w.carol, *extra]
    return w


@pytest.fixture
def world(base):
    snap = base.chain.snapshot()
    yield base
    base.chain.revert(snap)


@SETTINGS
@given(subs=st.lists(st.tuples(st.integers(0, 7), st.integers(50, 6_000)), min_size=1, max_size=10),
       ending=st.sampled_from(["close", "cancel", "deadline"]), batch=st.integers(1, 4))
def test_offering_pays_back_or_delivers_exactly(base, subs, ending, batch):
    snap = base.chain.snapshot()
    try:
        w, o, hkd = base, base.s.offering, base.s.hkd
        people = [*w.fuzz_investors, w.frank]  # frank is unverified: always refused
        paid = dict.fromkeys(people, 0)  # accepted subscriptions
        funded = dict.fromkeys(people, 0)  # all cash each person ever held
        for who_index, amount_hkd in subs:
            who = people[who_index % len(people)]
            amount = amount_hkd * HKD
            w.fund_hkd(who, amount, o.address)
            funded[who] += amount
            try:
                o.subscribe(amount, sender=who)
                paid[who] += amount
            except ContractRevert:
                pass  # refused: nothing moved
        total = sum(paid.values())
        if ending == "close" and total >= 2_000 * HKD:
            while o.state() != 1:
                o.closeBatch(batch, sender=w.s.issuer)
        elif ending == "cancel":
            o.cancel(sender=w.s.issuer)
        else:
            w.chain.advance_to(w.chain.now - w.chain.origin_timestamp + 400 * 86_400)  # past the deadline
        for who in people:
            if o.refundableOf(who):
                o.refund(sender=who)
        allocated_total = 0
        for who in people:
            allocated = o.allocatedCash(who)
            refunded_balance = hkd.balanceOf(who)
            assert refunded_balance + allocated == funded[who]  # every unit is back with its owner or allocated
            assert allocated <= paid[who]
            assert w.s.token.balanceOf(who) == allocated * TOKEN // (10 * HKD)
            allocated_total += allocated
        assert hkd.balanceOf(w.s.treasury) == allocated_total
        assert hkd.balanceOf(o.address) == 0
    finally:
        base.chain.revert(snap)


@SETTINGS
@given(trades=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(1, 50), st.integers(1, 900),
                                 st.sampled_from(["ok", "no-allowance", "short-cash"])), min_size=1, max_size=8))
def test_dvp_moves_exactly_or_nothing(base, trades):
    snap = base.chain.snapshot()
    try:
        w, dvp, hkd, token = base, base.s.dvp, base.s.hkd, base.s.token
        traders = [w.alice, w.bob, w.carol]
        for t in traders:
            w.mint(t, 100 * TOKEN)
        for n, (s_i, b_i, qty, cash_hkd, mode) in enumerate(trades):
            seller, buyer = traders[s_i], traders[b_i]
            if seller == buyer:
                continue
            qty_units, cash, fee = qty * TOKEN // 10, cash_hkd * HKD, cash_hkd * HKD // 100
            if mode != "short-cash":
                w.fund_hkd(buyer, cash)
            hkd.approve(dvp.address, cash, sender=buyer)
            token.approve(dvp.address, 0 if mode == "no-allowance" else qty_units, sender=seller)
            before = {who: (token.balanceOf(who), hkd.balanceOf(who)) for who in (seller, buyer, w.s.fee_account)}
            try:
                dvp.settle(n.to_bytes(32, "big"), seller, buyer, qty_units, cash, fee, sender=w.s.platform)
                settled = True
            except ContractRevert:
                settled = False
            after = {who: (token.balanceOf(who), hkd.balanceOf(who)) for who in before}
            if not settled:
                assert after == before  # both legs untouched
                assert mode != "ok" or before[seller][0] < qty_units or before[buyer][1] < cash
                continue
            assert after[seller] == (before[seller][0] - qty_units, before[seller][1] + cash - fee)
            assert after[buyer] == (before[buyer][0] + qty_units, before[buyer][1] - cash)
            assert after[w.s.fee_account][1] == before[w.s.fee_account][1] + fee
    finally:
        base.chain.revert(snap)


@SETTINGS
@given(steps=st.lists(st.one_of(
    st.tuples(st.just("distribute"), st.integers(1, 5_000)),
    st.tuples(st.just("forced"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 40)),
    st.tuples(st.just("transfer"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 40)),
    st.tuples(st.just("claim"), st.integers(0, 3))), min_size=1, max_size=12))
def test_entitlements_stay_exact_through_forced_transfers(base, steps):
    snap = base.chain.snapshot()
    try:
        w, d, token = base, base.s.distributor, base.s.token
        holders = [w.alice, w.bob, w.carol, w.fuzz_investors[3]]
        for h in holders:
            w.mint(h, 50 * TOKEN)
        exact = dict.fromkeys(holders, Fraction(0))
        period = 1
        for step in steps:
            if step[0] == "distribute":
                amount = step[1] * HKD
                supply = token.totalSupply()
                for h in holders:
                    exact[h] += Fraction(amount * token.balanceOf(h), supply)
                w.distribute(amount, period=period)
                period += 1
            elif step[0] in ("forced", "transfer"):
                src, dst, amount = holders[step[1]], holders[step[2]], step[3] * TOKEN // 10
                if src == dst or token.balanceOf(src) < amount:
                    continue
                if step[0] == "forced":
                    token.forcedTransfer(src, dst, amount, sender=w.s.agent)
                else:
                    token.transfer(dst, amount, sender=src)
            elif d.withdrawableOf(holders[step[1]]):
                d.claimFor(holders[step[1]], sender=w.s.agent)
        for h in holders:
            earned = d.withdrawableOf(h) + d.withdrawnOf(h)
            assert exact[h] - 1 <= earned <= exact[h], (earned, float(exact[h]))
    finally:
        base.chain.revert(snap)
