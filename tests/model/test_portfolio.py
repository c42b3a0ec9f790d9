"""The portfolio-choice model (simulator/model/portfolio.py): a fractional multinomial logit over the products
an investor may hold, with constants calibrated to an observed mix, and a quota across products."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.model.portfolio import Coefficients, ProductTerms, allocate, calibrated_asc, shares

DEPOSIT = ProductTerms("deposit", net_yield_bps=350, volatility_bps=0, liquidity_days=0)
FUND = ProductTerms("fund", net_yield_bps=500, volatility_bps=1_200, liquidity_days=3)
BOND = ProductTerms("bond", net_yield_bps=400, volatility_bps=400, liquidity_days=2)
TODAY = (DEPOSIT, FUND, BOND)
MIX = {"deposit": 0.59, "fund": 0.36, "bond": 0.05}  # southbound holdings mid-2025 (FACTS, H/M)
C = Coefficients()


def test_calibrated_constants_reproduce_the_mix_and_the_invested_share():
    asc = calibrated_asc(TODAY, C, 1.0, MIX, invested_share=0.3)
    s = shares(TODAY, C, 1.0, asc)
    assert sum(s.values()) == pytest.approx(0.3, abs=1e-12)
    for name, m in MIX.items():
        assert s[name] / 0.3 == pytest.approx(m, abs=1e-12)


def test_a_risk_averse_investor_holds_more_deposits_and_less_of_what_is_volatile():
    asc = calibrated_asc(TODAY, C, 1.0, MIX, invested_share=0.3)
    calm, averse = shares(TODAY, C, 0.5, asc), shares(TODAY, C, 3.0, asc)
    assert averse["deposit"] > calm["deposit"]
    assert averse["fund"] < calm["fund"]  # the most volatile
    vol = {p.name: p.volatility_bps for p in TODAY}
    mean_vol = [sum(vol[n] * v for n, v in x.items()) / sum(x.values()) for x in (calm, averse)]
    assert mean_vol[1] < mean_vol[0]  # the invested part is calmer
    # of the invested part too, deposits weigh more for the averse investor
    assert averse["deposit"] / sum(averse.values()) > calm["deposit"] / sum(calm.values())


def test_a_higher_yield_draws_wealth_to_the_product():
    asc = calibrated_asc(TODAY, C, 1.0, MIX, invested_share=0.3)
    richer = ProductTerms("fund", net_yield_bps=FUND.net_yield_bps + 100, volatility_bps=1_200, liquidity_days=3)
    before, after = shares(TODAY, C, 1.0, asc), shares((DEPOSIT, richer, BOND), C, 1.0, asc)
    assert after["fund"] > before["fund"] and after["deposit"] < before["deposit"]


def test_a_product_taken_off_the_list_leaves_the_choice_set_and_the_others_keep_their_ratios():
    token = ProductTerms("solar_token", net_yield_bps=700, volatility_bps=800, liquidity_days=5)
    asc = dict(calibrated_asc(TODAY, C, 1.0, MIX, invested_share=0.3), solar_token=math.log(0.1))
    listed, delisted = shares((*TODAY, token), C, 1.0, asc), shares(TODAY, C, 1.0, asc)
    assert listed["solar_token"] > 0 and "solar_token" not in delisted
    # the token took wealth from every other product and from home, in proportion (the logit's IIA)
    for name in MIX:
        assert listed[name] < delisted[name]
        assert listed[name] / listed["deposit"] == pytest.approx(delisted[name] / delisted["deposit"])
    assert sum(listed.values()) > sum(delisted.values())


def test_amounts_are_integers_that_add_up_to_the_wealth():
    asc = calibrated_asc(TODAY, C, 1.0, MIX, invested_share=0.3)
    rng = np.random.default_rng(3)
    for wealth in [0, 1, 99, *rng.integers(1, 10**13, size=50).tolist()]:
        a = allocate(int(wealth), TODAY, C, float(rng.uniform(0, 4)), asc)
        assert all(isinstance(v, int) and v >= 0 for v in a.amounts.values())
        assert sum(a.amounts.values()) + a.home == wealth and a.home >= 0 and not a.quota_scaled


def test_the_quota_binds_across_every_quota_bound_product_at_once():
    offshore = ProductTerms("hk_stock", net_yield_bps=600, volatility_bps=2_000, liquidity_days=2, quota_bound=False)
    products = (*TODAY, offshore)
    asc = dict(calibrated_asc(TODAY, C, 1.0, MIX, invested_share=0.3), hk_stock=-1.0)
    wealth = 100_000_000_00  # RMB 100 m in fen
    free = allocate(wealth, products, C, 1.0, asc)
    bound_total = sum(free.amounts[n] for n in MIX)
    room = bound_total // 3
    capped = allocate(wealth, products, C, 1.0, asc, quota_room=room)
    assert capped.quota_scaled and sum(capped.amounts[n] for n in MIX) <= room
    assert room - sum(capped.amounts[n] for n in MIX) < len(MIX)  # only the floors' rounding is lost
    for n in MIX:  # every bound product scaled by the same factor, not the first ones filled
        assert capped.amounts[n] == free.amounts[n] * room // bound_total
    assert capped.amounts["hk_stock"] == free.amounts["hk_stock"]  # outside the quota: untouched
    assert sum(capped.amounts.values()) + capped.home == wealth
    roomy = allocate(wealth, products, C, 1.0, asc, quota_room=bound_total)
    assert not roomy.quota_scaled and roomy.amounts == free.amounts
    assert sum(allocate(wealth, products, C, 1.0, asc, quota_room=0).amounts[n] for n in MIX) == 0


def test_the_smallest_nest_still_gives_finite_shares_summing_to_at_most_one():
    from simulator.model.portfolio import MIN_NEST

    for risk_aversion in (0.0, 1.0, 50.0):
        got = shares(TODAY, Coefficients(nest=MIN_NEST), risk_aversion, dict.fromkeys(MIX, 0.0))
        assert all(math.isfinite(v) and 0 <= v <= 1 for v in got.values())
        assert sum(got.values()) <= 1 + 1e-12
    with pytest.raises(ValueError, match="nest"):
        shares(TODAY, Coefficients(nest=MIN_NEST / 2), 1.0, dict.fromkeys(MIX, 0.0))


def test_the_nest_sets_how_much_a_new_product_draws_from_home_rather_than_from_the_other_products():
    new = ProductTerms("token", net_yield_bps=650, volatility_bps=1_200, liquidity_days=5)
    drawn_from_home = {}
    for lam in (1.0, 0.3):
        c = Coefficients(nest=lam)
        asc = calibrated_asc(TODAY, c, 1.0, MIX, invested_share=0.3)
        before = shares(TODAY, c, 1.0, asc)
        after = shares((*TODAY, new), c, 1.0, {**asc, "token": asc["fund"]})
        assert after["token"] > 0
        drawn_from_home[lam] = (sum(after.values()) - sum(before.values())) / after["token"]
    assert drawn_from_home[0.3] < drawn_from_home[1.0]
    # at 1 the nested logit is the multinomial logit: exp(U_j) / (1 + sum exp(U_k))
    c = Coefficients(nest=1.0)
    asc = dict.fromkeys(MIX, 0.2)
    u = {p.name: math.exp(0.2 + c.yield_per_pct * p.net_yield_bps / 100
                          - c.risk_per_pct2 * (p.volatility_bps / 100) ** 2
                          - c.liquidity_per_day * p.liquidity_days) for p in TODAY}
    for name, share in shares(TODAY, c, 1.0, asc).items():
        assert share == pytest.approx(u[name] / (1 + sum(u.values())), rel=1e-12)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="nest"):
        shares(TODAY, Coefficients(nest=0.0), 1.0, dict.fromkeys(MIX, 0.0))
    with pytest.raises(ValueError, match="invested_share"):
        calibrated_asc(TODAY, C, 1.0, MIX, invested_share=1.0)
    with pytest.raises(ValueError, match="target_mix"):
        calibrated_asc(TODAY, C, 1.0, {"deposit": 0.5, "fund": 0.5}, invested_share=0.3)
    with pytest.raises(ValueError, match="risk aversion"):
        shares(TODAY, C, -1.0, dict.fromkeys(MIX, 0.0))
    with pytest.raises(ValueError, match="wealth"):
        allocate(-1, TODAY, C, 1.0, dict.fromkeys(MIX, 0.0))
