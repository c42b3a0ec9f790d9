"""Regression tests of the five audit findings (issue #15); each failed on the code before its fix.

1. a partly run close locked subscribers' cash forever;
2. the offering could close below the soft cap (allocations refused at mint were not deducted);
3. a wallet recovery dropped the lock-up;
4. the "stateful modules need the full history" guard could be bypassed (bind, setCompliance, remove/re-add);
5. a later mint re-locked tokens minted earlier.
"""

from conftest import HKD, TOKEN, YEAR, event, reverts
from test_offering_dvp import make_offering, sub

CLOSED, FAILED = 1, 4  # PrimaryOffering.State


def _late(w, o, years=3):
    """Move the chain `years` past the offering's deadline (far beyond the close grace period)."""
    w.chain.backend.advance_time(o.terms()[5] + years * YEAR)


# ------------------------------------------------------------------ 1. an unfinished close


def test_unfinished_close_cannot_lock_subscribers_cash(w):
    o, hkd = make_offering(w, soft=1_000 * HKD, hard=6_000 * HKD), w.s.hkd
    for who in (w.alice, w.bob, w.carol):
        sub(w, o, who, 4_000 * HKD)
    o.closeBatch(1, sender=w.s.issuer)  # alice allocated 4,000 x 6,000 / 12,000 = 2,000; then the issuer stops
    # the processed investor's pro-rata excess is refundable while the close runs
    assert o.refundableOf(w.alice) == 2_000 * HKD
    event(o.refund(sender=w.alice), "Refunded", investor=w.alice, amount=2_000 * HKD)
    assert o.refundableOf(w.bob) == 0  # not processed yet: may still be allocated
    _late(w, o)
    assert o.refundableOf(w.bob) == 4_000 * HKD and o.refundableOf(w.carol) == 4_000 * HKD
    assert o.refundableOf(w.alice) == 0  # keeps her allocation: 2,000 >= the soft cap
    r = o.refund(sender=w.bob)  # the first call after the window settles the abandoned close
    event(r, "CloseAbandoned", processed=1, subscribers=3)
    event(r, "OfferingClosed", totalRaised=2_000 * HKD, totalTokensMinted=200 * TOKEN)
    o.refund(sender=w.carol)
    assert o.state() == CLOSED and hkd.balanceOf(w.s.treasury) == 2_000 * HKD
    assert hkd.balanceOf(w.bob) == hkd.balanceOf(w.carol) == 4_000 * HKD and hkd.balanceOf(o.address) == 0
    assert w.s.token.balanceOf(w.alice) == 200 * TOKEN
    reverts("OfferingNotOpen", o.closeBatch, 1, sender=w.s.issuer)


def test_unfinished_close_below_soft_cap_fails_and_unwinds(w):
    o, hkd = make_offering(w, soft=3_000 * HKD, hard=6_000 * HKD), w.s.hkd
    for who in (w.alice, w.bob, w.carol):
        sub(w, o, who, 4_000 * HKD)
    o.closeBatch(1, sender=w.s.issuer)  # 2,000 allocated, below the soft cap of 3,000
    o.refund(sender=w.alice)  # the excess (2,000) now
    _late(w, o)
    reverts("CloseWindowPassed", o.closeBatch, 1, sender=w.s.issuer)
    r = o.settleAbandonedClose(sender=w.outsider)  # anyone may settle it
    event(r, "OfferingFailed", allocated=2_000 * HKD, softCap=3_000 * HKD)
    assert o.state() == FAILED and o.failed()
    assert o.refundableOf(w.alice) == 2_000 * HKD  # the allocated part, against her tokens
    r = o.refund(sender=w.alice)
    event(r, "AllocationUnwound", investor=w.alice, cash=2_000 * HKD, tokens=200 * TOKEN)
    for who in (w.bob, w.carol):
        o.refund(sender=who)
    assert all(hkd.balanceOf(who) == 4_000 * HKD for who in (w.alice, w.bob, w.carol))
    assert hkd.balanceOf(w.s.treasury) == 0 and hkd.balanceOf(o.address) == 0 and w.s.token.totalSupply() == 0


# ------------------------------------------------------------------ 2. the soft cap on what is allocated


def test_soft_cap_holds_on_what_is_actually_allocated(w):
    o, hkd = make_offering(w, soft=2_000 * HKD), w.s.hkd
    sub(w, o, w.alice, 1_500 * HKD)  # professional
    sub(w, o, w.dave, 1_000 * HKD)  # verified, but retail: the mint is refused at close
    r = o.close(sender=w.s.issuer)
    event(r, "AllocationFailed", investor=w.dave, cash=1_000 * HKD)
    event(r, "OfferingFailed", allocated=1_500 * HKD, softCap=2_000 * HKD)
    assert not r.events_named("OfferingClosed")
    assert hkd.balanceOf(w.s.treasury) == 0 and o.state() == FAILED and o.totalRaised() == 0
    assert o.refundableOf(w.alice) == 1_500 * HKD and o.refundableOf(w.dave) == 1_000 * HKD
    o.refund(sender=w.alice)  # burns her 150 tokens
    o.refund(sender=w.dave)
    assert w.s.token.totalSupply() == 0 and hkd.balanceOf(w.alice) == 1_500 * HKD and hkd.balanceOf(o.address) == 0


def test_batched_close_escrows_cash_until_the_soft_cap_is_known(w):
    o, hkd = make_offering(w, soft=2_000 * HKD), w.s.hkd
    sub(w, o, w.alice, 1_500 * HKD)
    sub(w, o, w.dave, 1_000 * HKD)
    o.closeBatch(1, sender=w.s.issuer)  # alice's 1,500 allocated, but not paid out yet
    assert hkd.balanceOf(w.s.treasury) == 0 and o.totalAllocated() == 1_500 * HKD
    o.closeBatch(1, sender=w.s.issuer)
    assert o.state() == FAILED and hkd.balanceOf(w.s.treasury) == 0


# ------------------------------------------------------------------ 3. recovery keeps the lock-up


def test_recovery_moves_the_lockup_to_the_new_wallet(w):
    m, t = w.s.modules["lockup"], w.s.token
    m.setLockupSeconds(1_000, sender=w.s.admin)
    w.mint(w.alice, 10 * TOKEN)
    new = w.chain.new_account("alice-recovered")
    w.recover(w.alice, new)
    assert m.lockedAmount(new) == 10 * TOKEN and m.lockedAmount(w.alice) == 0
    reverts("TransferNotCompliant", t.transfer, w.bob, TOKEN, sender=new)


# ------------------------------------------------------------------ 4. the history guard


def _fresh_compliance_with_holder_cap(w, cap=2):
    c2 = w.chain.deploy("ModularCompliance", w.s.admin, sender=w.s.admin)
    holders = w.chain.deploy("MaxHoldersModule", c2.address, w.s.admin, cap, sender=w.s.admin)
    c2.addModule(holders.address, sender=w.s.admin)
    return c2, holders


def test_stateful_compliance_cannot_be_bound_or_set_after_issuance(w):
    t, admin = w.s.token, w.s.admin
    w.mint(w.alice, TOKEN)
    w.mint(w.bob, TOKEN)
    c2, holders = _fresh_compliance_with_holder_cap(w)
    reverts("ModuleNeedsEmptyToken", c2.bindToken, t.address, sender=admin, module=holders.address)
    reverts("ComplianceNeedsEmptyToken", t.setCompliance, c2.address, sender=admin, compliance=c2.address)
    assert t.compliance() == w.s.compliance.address


def test_stateful_module_removed_then_readded_is_refused(w):
    c, t, admin = w.s.compliance, w.s.token, w.s.admin
    holders = w.s.modules["max_holders"]
    w.mint(w.alice, TOKEN)
    w.mint(w.bob, TOKEN)
    c.removeModule(holders.address, sender=admin)  # its count stays at 2
    t.burn(w.alice, TOKEN, sender=w.s.agent)
    t.burn(w.bob, TOKEN, sender=w.s.agent)
    reverts("ModuleRetired", c.addModule, holders.address, sender=admin, module=holders.address)


def test_compliance_in_use_cannot_come_back_after_the_token_left_it(w):
    c, t, admin = w.s.compliance, w.s.token, w.s.admin
    w.mint(w.alice, TOKEN)  # the max-holders module counts 1
    stateless = w.chain.deploy("ModularCompliance", admin, sender=admin)
    stateless.bindToken(t.address, sender=admin)
    t.setCompliance(stateless.address, sender=admin)  # no stateful module: allowed mid-life
    t.burn(w.alice, TOKEN, sender=w.s.agent)  # unseen by the old compliance's modules
    reverts("ComplianceNeedsEmptyToken", t.setCompliance, c.address, sender=admin, compliance=c.address)


# ------------------------------------------------------------------ 5. one lock per tranche


def test_a_later_mint_does_not_relock_earlier_tokens(w):
    m, t = w.s.modules["lockup"], w.s.token
    m.setLockupSeconds(1_000, sender=w.s.admin)
    w.mint(w.alice, 10 * TOKEN)
    start = w.chain.now
    w.chain.backend.advance_time(start + 900)
    w.mint(w.alice, TOKEN)
    w.chain.backend.advance_time(start + 1_000)
    assert m.lockedAmount(w.alice) == TOKEN  # the first tranche's lock-up is over
    t.transfer(w.bob, 10 * TOKEN, sender=w.alice)
    reverts("TransferNotCompliant", t.transfer, w.bob, TOKEN, sender=w.alice)
