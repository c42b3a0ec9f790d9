from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.model.fx import CURRENCIES, HKD_PEG_STRONG_SIDE, HKD_PEG_WEAK_SIDE, RATE_SCALE, FxMarket, FxParams
from simulator.model.rng import Streams


def test_peg_band_respected_over_ten_years_even_with_high_vol():
    fx = FxMarket(FxParams(usd_hkd_daily_vol=0.02, usd_hkd_mean=7.84), Streams(1).get("fx"))
    seen = []
    for _ in range(3_653):
        fx.step()
        seen.append(fx.rates()["USD/HKD"])
        assert HKD_PEG_STRONG_SIDE <= seen[-1] <= HKD_PEG_WEAK_SIDE
    assert HKD_PEG_WEAK_SIDE in seen  # high vol pushes it to the weak side, where it is held


def test_default_rates_stay_plausible():
    fx = FxMarket(FxParams(), Streams(2).get("fx"))
    for _ in range(3_653):
        fx.step()
        r = fx.rates()
        assert HKD_PEG_STRONG_SIDE <= r["USD/HKD"] <= HKD_PEG_WEAK_SIDE
        assert 5 * RATE_SCALE < r["USD/CNY"] < 10 * RATE_SCALE
        assert abs(r["USD/CNH"] - r["USD/CNY"]) < r["USD/CNY"] // 100  # CNH within 1% of CNY
        assert all(isinstance(v, int) for v in r.values())


def test_identity_and_known_conversion():
    fx = FxMarket(FxParams(usd_hkd_initial=7.8, usd_cny_initial=7.15), np.random.default_rng(0))
    assert fx.convert(12_345, "HKD", "HKD") == 12_345
    assert fx.convert(100_00, "USD", "HKD") == 780_00
    assert fx.convert(780_00, "HKD", "USD") == 100_00
    assert fx.convert(1, "HKD", "USD") == 0  # floors: 0.128 cents -> 0
    assert fx.rate_scaled("USD", "CNY") == 715_000_000


def test_unknown_currency_and_bad_amounts():
    fx = FxMarket(FxParams(), np.random.default_rng(0))
    with pytest.raises(ValueError):
        fx.convert(1, "EUR", "USD")
    with pytest.raises(ValueError):
        fx.convert(-1, "USD", "HKD")
    with pytest.raises(TypeError):
        fx.convert(1.5, "USD", "HKD")


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(min_value=0, max_value=10**15), a=st.sampled_from(CURRENCIES),
       b=st.sampled_from(CURRENCIES), seed=st.integers(0, 2**32), days=st.integers(0, 30))
def test_round_trip_never_creates_money(amount, a, b, seed, days):
    fx = FxMarket(FxParams(), np.random.default_rng(seed))
    for _ in range(days):
        fx.step()
    there = fx.convert(amount, a, b)
    assert isinstance(there, int)
    assert fx.convert(there, b, a) <= amount


def test_determinism():
    def path(seed):
        fx = FxMarket(FxParams(), Streams(seed).get("fx"))
        out = []
        for _ in range(100):
            fx.step()
            out.append(fx.rates())
        return out

    assert path(7) == path(7)
    assert path(7) != path(8)


@pytest.mark.parametrize("field,value", [
    ("usd_hkd_initial", 7.9), ("usd_hkd_mean", 7.7), ("usd_cny_initial", 0.0),
    ("usd_hkd_daily_vol", -1.0), ("usd_cny_reversion_per_day", 1.5), ("cnh_spread_mean_bps", -1_000.0),
])
def test_invalid_params_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        FxParams(**{field: value})


def test_peg_band_bounds_are_the_hkma_undertakings():
    assert FxParams(usd_hkd_initial=7.75, usd_hkd_mean=7.85).usd_hkd_mean == 7.85  # both ends are in the band
    with pytest.raises(ValueError, match=r"greater than or equal to 7\.75"):
        FxParams(usd_hkd_initial=7.7499)
