import pytest
from conftest import HKD, KYC, TOKEN, ZERO, event, reverts

PRICE = 10 * HKD  # per whole token


def make_offering(w, *, soft=1_000 * HKD, hard=10_000 * HKD, min_t=100 * HKD, max_t=8_000 * HKD,
                  seconds=1_000, allocation=0):
    s = w.s
    terms = (PRICE, min_t, max_t, soft, hard, w.chain.now + seconds, allocation)
    o = w.chain.deploy("PrimaryOffering", s.token.address, s.hkd.address, s.treasury, s.admin, terms, sender=s.admin)
    s.token.grantRole(s.roles["AGENT_ROLE"], o.address, sender=s.admin)
    o.grantRole(s.roles["ISSUER_ROLE"], s.issuer, sender=s.admin)
    return o


def sub(w, o, who, amount):
    w.fund_hkd(who, amount, o.address)
    return o.subscribe(amount, sender=who)


def test_subscribe_close_pro_rata(w):
    o = make_offering(w)
    r = sub(w, o, w.alice, 8_000 * HKD)
    event(r, "Subscribed", investor=w.alice, amount=8_000 * HKD, investorTotal=8_000 * HKD, total=8_000 * HKD)
    sub(w, o, w.bob, 8_000 * HKD)
    assert o.totalSubscribed() == 16_000 * HKD and o.subscriberCount() == 2
    r = o.close(sender=w.s.issuer)
    event(r, "OfferingClosed", totalRaised=10_000 * HKD, totalTokensMinted=1_000 * TOKEN, treasury=w.s.treasury)
    assert len(r.events_named("Allocated")) == 2
    assert w.s.token.balanceOf(w.alice) == 500 * TOKEN and w.s.token.balanceOf(w.bob) == 500 * TOKEN
    assert w.s.hkd.balanceOf(w.s.treasury) == 10_000 * HKD
    assert o.refundableOf(w.alice) == 3_000 * HKD
    event(o.refund(sender=w.alice), "Refunded", investor=w.alice, amount=3_000 * HKD)
    reverts("NothingToRefund", o.refund, sender=w.alice, investor=w.alice)
    assert w.s.hkd.balanceOf(w.alice) == 3_000 * HKD
    reverts("OfferingNotOpen", o.close, sender=w.s.issuer)
    reverts("OfferingNotOpen", o.cancel, sender=w.s.issuer)
    reverts("OfferingNotOpen", o.subscribe, 1, sender=w.alice)


def test_first_come_and_tickets(w):
    o = make_offering(w, allocation=1)
    reverts("InvestorNotVerified", o.subscribe, 200 * HKD, sender=w.frank, investor=w.frank)
    reverts("ZeroAmount", o.subscribe, 0, sender=w.alice)
    reverts("BelowMinTicket", o.subscribe, 99 * HKD, sender=w.alice, total=99 * HKD, minTicket=100 * HKD)
    reverts("AboveMaxTicket", o.subscribe, 8_001 * HKD, sender=w.alice)
    sub(w, o, w.alice, 8_000 * HKD)
    reverts("HardCapExceeded", o.subscribe, 2_001 * HKD, sender=w.bob, remaining=2_000 * HKD, amount=2_001 * HKD)
    sub(w, o, w.bob, 2_000 * HKD)
    o.close(sender=w.s.issuer)
    assert w.s.token.balanceOf(w.alice) == 800 * TOKEN and w.s.token.balanceOf(w.bob) == 200 * TOKEN
    assert o.refundableOf(w.alice) == 0


def test_soft_cap_missed_refunds(w):
    o = make_offering(w, seconds=100)
    sub(w, o, w.alice, 500 * HKD)
    reverts("SoftCapNotReached", o.close, sender=w.s.issuer, total=500 * HKD, softCap=1_000 * HKD)
    reverts("NothingToRefund", o.refund, sender=w.alice)  # still open
    w.chain.backend.advance_time(w.chain.now + 200)
    assert o.failed()
    reverts("DeadlinePassed", o.subscribe, 500 * HKD, sender=w.bob)
    event(o.refund(sender=w.alice), "Refunded", investor=w.alice, amount=500 * HKD)
    assert w.s.hkd.balanceOf(w.alice) == 500 * HKD and w.s.token.totalSupply() == 0


def test_cancel_refunds_everyone(w):
    o = make_offering(w)
    sub(w, o, w.alice, 2_000 * HKD)
    sub(w, o, w.bob, 1_000 * HKD)
    event(o.cancel(sender=w.s.issuer), "OfferingCancelled", by=w.s.issuer)
    o.refund(sender=w.alice)
    o.refund(sender=w.bob)
    assert w.s.hkd.balanceOf(w.alice) == 2_000 * HKD and w.s.hkd.balanceOf(o.address) == 0


def test_close_skips_investor_who_lost_verification(w):
    o = make_offering(w)
    sub(w, o, w.alice, 2_000 * HKD)
    sub(w, o, w.bob, 1_000 * HKD)
    w.s.identities.revoke(w.bob, KYC)  # the platform revokes bob's KYC claim
    r = o.close(sender=w.s.issuer)
    event(r, "AllocationFailed", investor=w.bob, cash=1_000 * HKD)
    assert o.totalRaised() == 2_000 * HKD and o.refundableOf(w.bob) == 1_000 * HKD


def test_invalid_terms(w):
    s = w.s
    with pytest.raises(Exception) as e:
        w.chain.deploy("PrimaryOffering", s.token.address, s.hkd.address, s.treasury, s.admin,
                       (0, 1, 2, 1, 2, w.chain.now, 0), sender=s.admin)
    assert e.value.error == "InvalidTerms"


# ------------------------------------------------------------------ DvP

def setup_trade(w, dvp, tokens=10 * TOKEN, cash=100 * HKD):
    w.mint(w.alice, tokens)
    w.s.token.approve(dvp.address, tokens, sender=w.alice)
    w.fund_hkd(w.bob, cash, dvp.address)


def test_dvp_settles_atomically(w):
    dvp, p = w.s.dvp, w.s.platform
    setup_trade(w, dvp)
    tid = b"\x01" * 32
    r = dvp.settle(tid, w.alice, w.bob, 10 * TOKEN, 100 * HKD, 1 * HKD, sender=p)
    event(r, "TradeSettled", tradeId=tid, seller=w.alice, buyer=w.bob, tokenAmount=10 * TOKEN,
          cashAmount=100 * HKD, fee=1 * HKD, platform=p)
    assert w.s.token.balanceOf(w.bob) == 10 * TOKEN
    assert w.s.hkd.balanceOf(w.alice) == 99 * HKD and w.s.hkd.balanceOf(w.s.fee_account) == 1 * HKD
    assert dvp.settled(tid) and dvp.tradeCount() == 1
    reverts("TradeAlreadySettled", dvp.settle, tid, w.alice, w.bob, 1, 1, 0, sender=p, tradeId=tid)


def test_dvp_errors_and_atomicity(w):
    dvp, p = w.s.dvp, w.s.platform
    setup_trade(w, dvp, cash=50 * HKD)
    t2 = b"\x02" * 32
    reverts("SameParty", dvp.settle, t2, w.alice, w.alice, 1, 1, 0, sender=p)
    reverts("ZeroAmount", dvp.settle, t2, w.alice, w.bob, 0, 1, 0, sender=p)
    reverts("FeeExceedsCash", dvp.settle, t2, w.alice, w.bob, 1, 1, 2, sender=p, fee=2, cashAmount=1)
    # cash leg fails -> token leg undone
    reverts("ERC20InsufficientAllowance", dvp.settle, t2, w.alice, w.bob, 10 * TOKEN, 100 * HKD, 0, sender=p)
    assert w.s.token.balanceOf(w.alice) == 10 * TOKEN and not dvp.settled(t2)
    # compliance applies to the buyer through the token
    w.fund_hkd(w.dave, 10 * HKD, dvp.address)
    reverts("TransferNotCompliant", dvp.settle, t2, w.alice, w.dave, TOKEN, 10 * HKD, 0, sender=p)
    reverts("ReceiverNotVerified", dvp.settle, t2, w.alice, w.frank, TOKEN, 10 * HKD, 0, sender=p)
    event(dvp.setFeeAccount(w.carol, sender=w.s.admin), "FeeAccountSet", feeAccount=w.carol)
    reverts("ZeroAddress", dvp.setFeeAccount, ZERO, sender=w.s.admin)


def test_dvp_cnh(w):
    dvp = w.s.dvp_cnh
    w.mint(w.alice, TOKEN)
    w.s.token.approve(dvp.address, TOKEN, sender=w.alice)
    w.s.cnh.mint(w.bob, 9 * HKD, sender=w.s.cnh_issuer)
    w.s.cnh.approve(dvp.address, 9 * HKD, sender=w.bob)
    dvp.settle(b"\x09" * 32, w.alice, w.bob, TOKEN, 9 * HKD, 0, sender=w.s.platform)
    assert w.s.cnh.balanceOf(w.alice) == 9 * HKD


def test_close_in_batches_allocates_everyone_and_pays_at_the_end(w):
    o, issuer = w.s.offering, w.s.issuer
    investors = [w.alice, w.bob, w.carol]
    for who in investors:
        w.fund_hkd(who, 4_000 * HKD, o.address)
        o.subscribe(4_000 * HKD, sender=who)
    reverts("ZeroAmount", o.closeBatch, 0, sender=issuer)
    r1 = o.closeBatch(2, sender=issuer)
    event(r1, "CloseProgress", processed=2, subscribers=3)
    assert not r1.events_named("OfferingClosed")
    assert o.state() == 3  # Closing
    reverts("OfferingNotOpen", o.subscribe, 1_000 * HKD, sender=w.dave)
    assert o.refundableOf(w.alice) == 0  # fully allocated: nothing to refund
    # the allocated cash stays escrowed until the last batch shows the soft cap is met
    assert w.s.hkd.balanceOf(w.s.treasury) == 0 and o.totalAllocated() == 8_000 * HKD
    r2 = o.closeBatch(10, sender=issuer)
    event(r2, "OfferingClosed", totalRaised=12_000 * HKD, totalTokensMinted=o.totalTokensMinted())
    assert w.s.hkd.balanceOf(w.s.treasury) == 12_000 * HKD and w.s.hkd.balanceOf(o.address) == 0
    assert o.state() == 1 and o.closeCursor() == 3
    assert all(w.s.token.balanceOf(who) == o.allocatedTokens(who) > 0 for who in investors)
    reverts("OfferingNotOpen", o.closeBatch, 1, sender=issuer)


def test_an_issuer_who_never_closes_cannot_lock_subscriptions(w):
    o = make_offering(w, seconds=1_000)
    sub(w, o, w.alice, 2_000 * HKD)  # soft cap reached
    start = w.chain.now - w.chain.origin_timestamp
    w.chain.advance_to(start + 1_000 + 10 * 86_400)  # past the deadline, inside the grace period
    assert not o.failed() and o.refundableOf(w.alice) == 0
    w.chain.advance_to(start + 1_000 + 31 * 86_400)  # the grace period is over
    assert o.failed() and o.refundableOf(w.alice) == 2_000 * HKD
    reverts("CloseWindowPassed", o.close, sender=w.s.issuer)
    event(o.refund(sender=w.alice), "Refunded", investor=w.alice, amount=2_000 * HKD)
    assert w.s.hkd.balanceOf(w.alice) == 2_000 * HKD


def test_failed_close_refunds_allocated_cash_only_against_the_tokens(w):
    o, hkd, t = make_offering(w, soft=2_000 * HKD, hard=2_000 * HKD), w.s.hkd, w.s.token
    sub(w, o, w.alice, 1_500 * HKD)
    sub(w, o, w.carol, 1_000 * HKD)
    sub(w, o, w.dave, 1_000 * HKD)  # retail: refused at mint
    close_by = o.terms()[5] + o.CLOSE_GRACE_PERIOD()
    reverts("CloseNotAbandoned", o.settleAbandonedClose, sender=w.bob, state=0, closeBy=close_by)
    o.closeBatch(1, sender=w.s.issuer)
    reverts("CloseNotAbandoned", o.settleAbandonedClose, sender=w.bob, state=3)
    o.closeBatch(2, sender=w.s.issuer)  # 3,500 pro rata into 2,000, less dave's share: below the soft cap
    assert o.state() == 4 and o.totalAllocated() < 2_000 * HKD
    alloc, tokens = o.allocatedCash(w.alice), o.allocatedTokens(w.alice)
    t.transfer(w.bob, 10 * TOKEN, sender=w.alice)
    # the cash not tied to the tokens is paid at once, the rest waits for the tokens
    r = o.refund(sender=w.alice)
    event(r, "Refunded", investor=w.alice, amount=1_500 * HKD - alloc)
    assert not r.events_named("AllocationUnwound") and t.balanceOf(w.alice) == tokens - 10 * TOKEN
    reverts("TokensNotReturnable", o.refund, sender=w.alice, investor=w.alice, available=tokens - 10 * TOKEN,
            needed=tokens)
    t.transfer(w.alice, 10 * TOKEN, sender=w.bob)
    r = o.refund(sender=w.alice)
    event(r, "AllocationUnwound", investor=w.alice, cash=alloc, tokens=tokens)
    assert hkd.balanceOf(w.alice) == 1_500 * HKD and t.balanceOf(w.alice) == 0
    # a freeze is not bypassed: frozen tokens are not burned for cash
    w.s.token.setAddressFrozen(w.carol, True, sender=w.s.agent)
    o.refund(sender=w.carol)  # the unallocated part
    reverts("TokensNotReturnable", o.refund, sender=w.carol, available=0)
    w.s.token.setAddressFrozen(w.carol, False, sender=w.s.agent)
    o.refund(sender=w.carol)
    o.refund(sender=w.dave)
    assert hkd.balanceOf(w.carol) == hkd.balanceOf(w.dave) == 1_000 * HKD
    assert hkd.balanceOf(o.address) == 0 and hkd.balanceOf(w.s.treasury) == 0 and t.totalSupply() == 0
