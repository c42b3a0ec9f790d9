from conftest import HKD, TOKEN, ZERO, event, reverts

M = 2**128


def test_oracle(w):
    o, att = w.s.oracle, w.s.attestor
    r = o.report(202601, 12_345, 67_890, "HKD", b"\x05" * 32, sender=att)
    event(r, "ReportPosted", periodId=202601, kwh=12_345, revenueMinor=67_890, currency="HKD",
          documentHash=b"\x05" * 32, attestor=att)
    rep = o.getReport(202601)
    assert rep[:5] == (12_345, 67_890, "HKD", b"\x05" * 32, att) and rep[5] == w.chain.now
    assert o.hasReport(202601) and o.reportCount() == 1 and o.latestPeriodId() == 202601
    reverts("ReportAlreadyPosted", o.report, 202601, 1, 1, "HKD", b"\x00" * 32, sender=att, periodId=202601)
    reverts("InvalidPeriodId", o.report, 0, 1, 1, "HKD", b"\x00" * 32, sender=att)
    reverts("ReportNotFound", o.getReport, 7, sender=att, periodId=7)


def test_pro_rata_distribution_and_claims(w):
    d = w.s.distributor
    w.mint(w.alice, 75 * TOKEN)
    w.mint(w.bob, 25 * TOKEN)
    r = w.distribute(1_000 * HKD)
    event(r, "RevenueDistributed", by=w.s.paying_agent, reportId=1, amount=1_000 * HKD, totalShares=100 * TOKEN)
    assert d.totalShares() == 100 * TOKEN
    assert abs(d.withdrawableOf(w.alice) - 750 * HKD) <= 1 and abs(d.withdrawableOf(w.bob) - 250 * HKD) <= 1
    # a transfer after the distribution does not move past revenue
    w.s.token.transfer(w.bob, 25 * TOKEN, sender=w.alice)
    assert abs(d.withdrawableOf(w.alice) - 750 * HKD) <= 1
    w.distribute(1_000 * HKD, period=2)
    assert abs(d.withdrawableOf(w.alice) - 1_250 * HKD) <= 2 and abs(d.withdrawableOf(w.bob) - 750 * HKD) <= 2
    due = d.withdrawableOf(w.alice)
    r = d.claim(sender=w.alice)
    assert r.value == due
    event(r, "RevenueClaimed", holder=w.alice, amount=due, by=w.alice)
    assert w.s.hkd.balanceOf(w.alice) == due and d.withdrawableOf(w.alice) == 0
    reverts("NothingToClaim", d.claim, sender=w.alice, holder=w.alice)
    due = d.withdrawableOf(w.bob)
    r = d.claimFor(w.bob, sender=w.s.agent)
    event(r, "RevenueClaimed", holder=w.bob, amount=due, by=w.s.agent)
    assert w.s.hkd.balanceOf(w.bob) == due and d.withdrawnOf(w.bob) == due
    assert d.totalClaimed() == w.s.hkd.balanceOf(w.alice) + due
    assert d.distributedForReport(1) == 1_000 * HKD


def test_distribute_errors(w):
    d, pa = w.s.distributor, w.s.paying_agent
    w.post_report(1)
    reverts("NoShares", d.distribute, 1, 1, sender=pa)
    w.mint(w.alice, TOKEN)
    reverts("ZeroAmount", d.distribute, 0, 1, sender=pa)
    reverts("UnknownReport", d.distribute, 1, 99, sender=pa, reportId=99)
    reverts("ERC20InsufficientAllowance", d.distribute, 1, 1, sender=pa)


def test_mint_burn_and_exclusion_keep_entitlements(w):
    d, t = w.s.distributor, w.s.token
    w.mint(w.alice, 50 * TOKEN)
    w.mint(w.bob, 50 * TOKEN)
    w.distribute(100 * HKD)
    t.burn(w.alice, 50 * TOKEN, sender=w.s.agent)
    w.mint(w.carol, 50 * TOKEN)
    assert abs(d.withdrawableOf(w.alice) - 50 * HKD) <= 1 and d.withdrawableOf(w.carol) == 0
    r = d.setExcluded(w.bob, True, sender=w.s.admin)
    event(r, "ExclusionSet", holder=w.bob, excluded=True)
    assert d.isExcluded(w.bob) and d.sharesOf(w.bob) == 0 and d.totalShares() == 50 * TOKEN
    reverts("ExclusionUnchanged", d.setExcluded, w.bob, True, sender=w.s.admin)
    w.distribute(100 * HKD, period=2)
    assert abs(d.withdrawableOf(w.bob) - 50 * HKD) <= 1  # only the first distribution
    assert abs(d.withdrawableOf(w.carol) - 100 * HKD) <= 1
    d.setExcluded(w.bob, False, sender=w.s.admin)
    assert d.sharesOf(w.bob) == 50 * TOKEN and d.totalShares() == 100 * TOKEN
    # excluded service contracts of the suite
    for a in (w.s.dvp.address, w.s.offering.address, w.s.treasury):
        assert d.isExcluded(a)


def test_recovery_moves_unclaimed_revenue(w):
    d = w.s.distributor
    new = w.chain.new_account("alice-new")
    w.mint(w.alice, 30 * TOKEN)
    w.mint(w.bob, 70 * TOKEN)
    w.distribute(1_000 * HKD)
    d.claim(sender=w.alice)
    w.distribute(500 * HKD, period=2)
    unclaimed = d.withdrawableOf(w.alice)
    assert abs(unclaimed - 150 * HKD) <= 1
    r = w.recover(w.alice, new)
    event(r, "EntitlementMoved", lostWallet=w.alice, newWallet=new, amount=unclaimed)
    assert d.withdrawableOf(w.alice) == 0 and d.withdrawableOf(new) == unclaimed
    assert d.sharesOf(new) == 30 * TOKEN
    d.claim(sender=new)
    assert w.s.hkd.balanceOf(new) == unclaimed


def test_dust_tracked_and_recoverable(w):
    d = w.s.distributor
    w.mint(w.alice, 3)  # 3 token units: 1 HKD unit / 3 leaves magnified dust
    for period in range(1, 4):
        w.distribute(1, period=period)
    assert d.dustMagnified() == 3 * ((1 * M) % 3)
    reverts("NoDust", d.recoverDust, w.s.treasury, sender=w.s.admin)
    reverts("ZeroAddress", d.recoverDust, ZERO, sender=w.s.admin)


def test_dust_recover_exact(w):
    """A share base far above amount * M / M leaves whole units of magnified remainder: they are recoverable."""
    d = w.s.distributor
    shares = 7 * 10**40 + 1
    w.s.modules["max_balance"].setMaxBalance(2**255, sender=w.s.admin)
    w.s.modules["supply_cap"].setCap(2**255, sender=w.s.admin)
    w.mint(w.alice, shares)
    w.distribute(10**6)
    magnified = 10**6 * M
    assert d.dustMagnified() == magnified % shares
    assert d.undistributedDust() == (magnified % shares) // M
    dust = d.undistributedDust()
    assert dust > 0
    r = d.recoverDust(w.s.treasury, sender=w.s.admin)
    event(r, "DustRecovered", to=w.s.treasury, amount=dust)
    assert w.s.hkd.balanceOf(w.s.treasury) == dust
    cash = w.s.hkd.balanceOf(d.address)
    slack = cash - d.withdrawableOf(w.alice) - d.undistributedDust()
    assert 0 <= slack <= 1 + 1  # alice's fraction + the sub-unit dust


def test_observer_hooks_only_from_token(w):
    d = w.s.distributor
    reverts("OnlyToken", d.balanceChanged, w.alice, w.bob, 1, sender=w.alice, caller=w.alice)
    reverts("OnlyToken", d.walletRecovered, w.alice, w.bob, sender=w.alice)


def test_batch_claim_pays_everyone_due_and_skips_the_rest(w):
    d = w.s.distributor
    w.mint(w.alice, 3 * TOKEN)
    w.mint(w.bob, 1 * TOKEN)
    w.distribute(4_000 * HKD)
    owed = d.withdrawableOfBatch([w.alice, w.bob, w.carol])
    assert owed == (d.withdrawableOf(w.alice), d.withdrawableOf(w.bob), 0)
    assert 3_000 * HKD - 1 <= owed[0] <= 3_000 * HKD and 1_000 * HKD - 1 <= owed[1] <= 1_000 * HKD  # sub-unit dust
    r = d.batchClaimFor([w.alice, w.bob, w.carol], sender=w.s.agent)
    assert r.value == owed[0] + owed[1]
    assert [e.args["holder"] for e in r.events_named("RevenueClaimed")] == [w.alice, w.bob]
    assert d.withdrawableOfBatch([w.alice, w.bob]) == (0, 0)
    assert w.s.hkd.balanceOf(w.alice) == owed[0]
