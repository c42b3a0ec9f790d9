"""A malicious settlement token (ReentrantAttacker) reenters claim / refund / settle from its transfer hook."""

from conftest import DIRECT, HK, HKD, INSTITUTIONAL, TOKEN, YEAR, ZERO

from simulator.chain.artifacts import ARTIFACTS

GUARD = "ReentrancyGuardReentrantCall"


def calldata(contract: str, fn: str, *args) -> bytes:
    return ARTIFACTS.abi(contract).function(fn, args).encode(args)


def side_token(w, attacker):
    """A fresh RWAToken (same registry, module-less compliance) so a malicious distributor can observe it."""
    s = w.s
    comp = w.chain.deploy("ModularCompliance", s.admin, sender=s.admin)
    tok = w.chain.deploy("RWAToken", "Side", "SIDE", s.registry.address, comp.address, s.admin, s.agent, sender=s.admin)
    comp.bindToken(tok.address, sender=s.admin)
    s.onboard(attacker.address, HK, INSTITUTIONAL, DIRECT, w.chain.now + YEAR)
    return tok


def assert_blocked(attacker):
    assert attacker.attempts() == 1
    assert not attacker.lastSuccess()
    assert ARTIFACTS.decode_revert(attacker.lastReturnData())[0] == GUARD


def test_distributor_claim_reentry_blocked(rw):
    w, s = rw, rw.s
    atk = w.chain.deploy("ReentrantAttacker", sender=w.outsider)
    tok = side_token(w, atk)
    dist = w.chain.deploy("RevenueDistributor", tok.address, atk.address, ZERO, s.admin, sender=s.admin)
    tok.setBalanceObserver(dist.address, sender=s.admin)
    dist.grantRole(s.roles["DISTRIBUTOR_ROLE"], s.paying_agent, sender=s.admin)
    tok.mint(atk.address, 50 * TOKEN, sender=s.agent)
    tok.mint(w.alice, 50 * TOKEN, sender=s.agent)
    atk.mint(s.paying_agent, 1_000 * HKD, sender=w.outsider)
    atk.approve(dist.address, 1_000 * HKD, sender=s.paying_agent)
    dist.distribute(1_000 * HKD, 0, sender=s.paying_agent)
    due = dist.withdrawableOf(atk.address)
    atk.arm(dist.address, calldata("RevenueDistributor", "claim"), sender=w.outsider)
    atk.execute(dist.address, calldata("RevenueDistributor", "claim"), sender=w.outsider)
    assert_blocked(atk)
    assert atk.balanceOf(atk.address) == due  # paid once
    # the hook also fires when someone else claims: reentry into claim is still refused
    atk.arm(dist.address, calldata("RevenueDistributor", "claim"), sender=w.outsider)
    dist.claim(sender=w.alice)
    assert atk.attempts() == 2 and not atk.lastSuccess()


def test_offering_refund_reentry_blocked(rw):
    w, s = rw, rw.s
    atk = w.chain.deploy("ReentrantAttacker", sender=w.outsider)
    s.onboard(atk.address, HK, INSTITUTIONAL, DIRECT, w.chain.now + YEAR)
    terms = (10 * HKD, 1, 10**12, 10**6, 10**12, w.chain.now + 1000, 0)
    o = w.chain.deploy("PrimaryOffering", s.token.address, atk.address, s.treasury, s.admin, terms, sender=s.admin)
    atk.mint(atk.address, 500 * HKD, sender=w.outsider)
    atk.execute(atk.address, calldata("ReentrantAttacker", "approve", o.address, 500 * HKD), sender=w.outsider)
    atk.execute(o.address, calldata("PrimaryOffering", "subscribe", 500 * HKD), sender=w.outsider)
    atk.mint(w.alice, 100 * HKD, sender=w.outsider)
    atk.approve(o.address, 100 * HKD, sender=w.alice)
    o.subscribe(100 * HKD, sender=w.alice)
    o.cancel(sender=s.admin)
    atk.arm(o.address, calldata("PrimaryOffering", "refund"), sender=w.outsider)
    atk.execute(o.address, calldata("PrimaryOffering", "refund"), sender=w.outsider)
    assert_blocked(atk)
    assert atk.balanceOf(atk.address) == 500 * HKD and atk.balanceOf(o.address) == 100 * HKD


def test_dvp_settle_reentry_blocked(rw):
    w, s = rw, rw.s
    atk = w.chain.deploy("ReentrantAttacker", sender=w.outsider)
    dvp = w.chain.deploy("DvPSettlement", s.token.address, atk.address, s.admin, s.fee_account, sender=s.admin)
    dvp.grantRole(s.roles["PLATFORM_ROLE"], s.platform, sender=s.admin)
    dvp.grantRole(s.roles["PLATFORM_ROLE"], atk.address, sender=s.admin)  # even with the role
    w.mint(w.alice, 10 * TOKEN)
    s.token.approve(dvp.address, 10 * TOKEN, sender=w.alice)
    atk.mint(w.bob, 200 * HKD, sender=w.outsider)
    atk.approve(dvp.address, 200 * HKD, sender=w.bob)
    second = calldata("DvPSettlement", "settle", b"\x02" * 32, w.alice, w.bob, 5 * TOKEN, 100 * HKD, 0)
    atk.arm(dvp.address, second, sender=w.outsider)
    dvp.settle(b"\x01" * 32, w.alice, w.bob, 5 * TOKEN, 100 * HKD, 0, sender=s.platform)
    assert_blocked(atk)
    assert s.token.balanceOf(w.bob) == 5 * TOKEN and atk.balanceOf(w.alice) == 100 * HKD
    assert not dvp.settled(b"\x02" * 32)


def test_offering_subscribe_and_close_reentry_blocked(rw):
    """The settlement token's hook tries to subscribe again mid-subscription, and to close mid-close."""
    w, s = rw, rw.s
    atk = w.chain.deploy("ReentrantAttacker", sender=w.outsider)
    s.onboard(atk.address, HK, INSTITUTIONAL, DIRECT, w.chain.now + YEAR)
    terms = (10 * HKD, 1, 10**12, 10**6, 10**12, w.chain.now + 1000, 0)
    o = w.chain.deploy("PrimaryOffering", s.token.address, atk.address, s.treasury, s.admin, terms, sender=s.admin)
    s.token.grantRole(s.roles["AGENT_ROLE"], o.address, sender=s.admin)
    atk.mint(atk.address, 1_000 * HKD, sender=w.outsider)
    atk.execute(atk.address, calldata("ReentrantAttacker", "approve", o.address, 1_000 * HKD), sender=w.outsider)
    atk.arm(o.address, calldata("PrimaryOffering", "subscribe", 100 * HKD), sender=w.outsider)
    atk.execute(o.address, calldata("PrimaryOffering", "subscribe", 500 * HKD), sender=w.outsider)
    assert_blocked(atk)
    assert o.subscribed(atk.address) == 500 * HKD  # counted once
    o.grantRole(s.roles["ISSUER_ROLE"], atk.address, sender=s.admin)  # even an issuer cannot re-enter the close
    atk.arm(o.address, calldata("PrimaryOffering", "closeBatch", 1), sender=w.outsider)
    o.close(sender=s.admin)
    assert atk.attempts() == 2 and not atk.lastSuccess()
    assert ARTIFACTS.decode_revert(atk.lastReturnData())[0] == GUARD
    assert o.totalRaised() == 500 * HKD and atk.balanceOf(s.treasury) == 500 * HKD


def test_distributor_distribute_reentry_blocked(rw):
    """A malicious cash token re-enters distribute while the distributor pulls the cash."""
    w, s = rw, rw.s
    atk = w.chain.deploy("ReentrantAttacker", sender=w.outsider)
    tok = side_token(w, atk)
    dist = w.chain.deploy("RevenueDistributor", tok.address, atk.address, ZERO, s.admin, sender=s.admin)
    tok.setBalanceObserver(dist.address, sender=s.admin)
    dist.grantRole(s.roles["DISTRIBUTOR_ROLE"], atk.address, sender=s.admin)
    tok.mint(w.alice, 10 * TOKEN, sender=s.agent)
    atk.mint(atk.address, 1_000 * HKD, sender=w.outsider)
    atk.execute(atk.address, calldata("ReentrantAttacker", "approve", dist.address, 1_000 * HKD), sender=w.outsider)
    atk.arm(dist.address, calldata("RevenueDistributor", "distribute", 100 * HKD, 0), sender=w.outsider)
    atk.execute(dist.address, calldata("RevenueDistributor", "distribute", 500 * HKD, 0), sender=w.outsider)
    assert_blocked(atk)
    assert dist.totalDistributed() == 500 * HKD and atk.balanceOf(dist.address) == 500 * HKD
