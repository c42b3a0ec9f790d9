"""Fuzzed protocol sequences: no party ever ends with less than the protocol entitles it.

- Offering: random subscriptions (some refused), some subscribers losing their KYC before the close or
  retail (their mints are refused), then a close run to the end, a close abandoned after a batch, a
  cancellation or a missed soft cap, with refunds of the unallocated cash while the close runs, then refunds
  after the close window: every subscriber ends with exactly its refund + allocated cash = what it paid in,
  tokens = allocated cash / price; a processed investor can take its unallocated cash back while the close
  runs; nobody's cash is held beyond the close window; the treasury receives cash only when what was
  actually allocated reaches the soft cap, and then exactly that; the offering holds nothing at the end.
- DvP: random trades, some of them made to fail (seller withdraws its allowance, buyer short of cash): a failed
  trade moves nothing; a settled one moves exactly the quantity, cash minus fee, and the fee.
- Distribution with forced transfers and transfers between distributions: each holder's entitlement equals the
  exact pro-rata sum over distributions of amount x balance / supply, to within one unit.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from conftest import DIRECT, HK, HKD, KYC, PROFESSIONAL, TOKEN, YEAR, build_world
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator.chain import ContractRevert
from simulator.chain.suite import SuiteConfig

OPEN, CLOSED, FAILED = 0, 1, 4  # PrimaryOffering.State
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def base():
    config = SuiteConfig(price=10 * HKD, min_ticket=100 * HKD, max_ticket=5_000 * HKD, soft_cap=2_000 * HKD,
                         hard_cap=8_000 * HKD)
    w = build_world("revm", config)
    extra = [w.chain.new_account(f"fz-{i}") for i in range(4)]
    for wallet in extra:
        w.s.onboard(wallet, HK, PROFESSIONAL, DIRECT, w.chain.now + YEAR)
    w.fuzz_investors = [w.alice, w.bob, w.carol, *extra]
    return w


@pytest.fixture
def world(base):
    snap = base.chain.snapshot()
    yield base
    base.chain.revert(snap)


@SETTINGS
@given(subs=st.lists(st.tuples(st.integers(0, 8), st.integers(50, 6_000)), min_size=1, max_size=10),
       revoked=st.sets(st.integers(0, 6), max_size=3),
       ending=st.sampled_from(["close", "abandon", "cancel", "deadline"]), batch=st.integers(1, 4),
       early_refunds=st.booleans())
def test_offering_pays_back_or_delivers_exactly(base, subs, revoked, ending, batch, early_refunds):
    snap = base.chain.snapshot()
    try:
        w, o, hkd = base, base.s.offering, base.s.hkd
        soft, grace = o.terms()[3], o.CLOSE_GRACE_PERIOD()
        # dave is verified but retail: his mint is refused; frank is unverified: always refused
        people = [*w.fuzz_investors, w.dave, w.frank]
        paid = dict.fromkeys(people, 0)  # accepted subscriptions
        funded = dict.fromkeys(people, 0)  # all cash each person ever held
        order: list[str] = []  # subscribers in the order the close processes them
        for who_index, amount_hkd in subs:
            who = people[who_index % len(people)]
            amount = amount_hkd * HKD
            w.fund_hkd(who, amount, o.address)
            funded[who] += amount
            try:
                o.subscribe(amount, sender=who)
                paid[who] += amount
                order += [who] if who not in order else []
            except ContractRevert:
                pass  # refused: nothing moved
        for i in revoked:  # KYC lapses before the close: the mint is refused, the cash refunded
            w.s.identities.revoke(w.fuzz_investors[i], KYC)  # the platform revokes the KYC claim
        total = sum(paid.values())
        if ending in ("close", "abandon") and total >= soft:
            o.closeBatch(batch, sender=w.s.issuer)
            for who in order[:o.closeCursor()]:  # processed: the unallocated cash is refundable at once
                kept = 0 if o.state() == FAILED else o.allocatedCash(who)  # (all of it if the close failed)
                assert o.refundableOf(who) == paid[who] - kept
                if early_refunds and o.refundableOf(who):
                    o.refund(sender=who)
            for who in order[o.closeCursor():]:
                assert o.refundableOf(who) == 0 or o.state() != 3
            while ending == "close" and o.state() not in (CLOSED, FAILED):
                o.closeBatch(batch, sender=w.s.issuer)
        elif ending == "cancel":
            o.cancel(sender=w.s.issuer)
        # past the close window: whatever the issuer did, nobody's cash is held any longer
        w.chain.backend.advance_time(o.terms()[5] + grace + 1)
        assert o.state() != OPEN or o.failed()
        for who in people:
            if o.refundableOf(who):
                o.refund(sender=who)
        allocated_total = 0
        for who in people:
            allocated = o.allocatedCash(who)
            assert o.refundableOf(who) == 0
            assert hkd.balanceOf(who) + allocated == funded[who]  # every unit is back with its owner or allocated
            assert allocated <= paid[who]
            assert w.s.token.balanceOf(who) == o.allocatedTokens(who) == allocated * TOKEN // (10 * HKD)
            allocated_total += allocated
        # the treasury is paid only if what was actually allocated reaches the soft cap
        paid_out = hkd.balanceOf(w.s.treasury)
        assert paid_out == allocated_total == o.totalRaised()
        assert (paid_out > 0) == (o.state() == CLOSED) and (paid_out == 0 or paid_out >= soft)
        assert o.state() != CLOSED or o.totalAllocated() == paid_out
        event(f"{ending}: {['open', 'closed', 'cancelled', 'closing', 'failed'][o.state()]}")
        assert hkd.balanceOf(o.address) == 0 and w.s.token.totalSupply() == sum(map(w.s.token.balanceOf, people))
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
