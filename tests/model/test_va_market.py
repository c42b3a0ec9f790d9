from __future__ import annotations

import math
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.model.config import PlatformConfig
from simulator.model.rng import Streams
from simulator.model.va_market import UNITS_PER_COIN, DepthParams, VirtualAssetMarket, VirtualAssetParams
from simulator.scenario import load_scenario
from simulator.units import BPS, COIN

ETF_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "va_etf_cwm.toml"
# BTC's realised daily volatility in 2024, 2.80 % (K33 Research, CryptoSlate 3 Jan 2026; see va_market.py), x sqrt(365)
TARGET_ANNUAL_VOL = 0.028 * math.sqrt(365)
PATHS, DAYS = 2_000, 730  # 730 days: the va_etf_cwm horizon

# USD 5 m within 1% of mid, 500 coins a day
OSL_LIKE = DepthParams(depth_usd_cents_at_1pct=500_000_000, daily_volume_cap_units=500 * COIN, platform="A")


def fresh_market(seed: int = 0, **overrides) -> VirtualAssetMarket:
    return VirtualAssetMarket(VirtualAssetParams(**overrides), np.random.default_rng(seed))


def test_units_per_coin_is_the_units_coin():
    assert UNITS_PER_COIN == COIN == 10**8  # the old name stays importable for existing callers


def test_impact_grows_with_size():
    impacts = []
    for coins in (1, 10, 50, 100, 200):
        market = fresh_market()
        impacts.append(market.sell(coins * COIN, OSL_LIKE).impact_bps)
    assert impacts == sorted(impacts) and len(set(impacts)) == len(impacts)
    # square-root law: 50 coins at USD 100k = USD 5 m = the 1% depth -> average concession 2/3 of 1%
    assert impacts[2] == 67


def test_splitting_within_a_day_does_not_dodge_impact():
    one = fresh_market().sell(100 * COIN, OSL_LIKE)
    market = fresh_market()
    first, second = market.sell(50 * COIN, OSL_LIKE), market.sell(50 * COIN, OSL_LIKE)
    assert second.impact_bps > first.impact_bps
    split_total = first.proceeds_usd_cents + second.proceeds_usd_cents
    assert abs(split_total - one.proceeds_usd_cents) <= one.proceeds_usd_cents // 1_000


@settings(max_examples=200, deadline=None)
@given(units=st.integers(0, 600 * COIN), seed=st.integers(0, 2**32), days=st.integers(0, 20))
def test_proceeds_integer_and_never_above_pre_trade_value(units, seed, days):
    market = fresh_market(seed)
    for _ in range(days):
        market.step()
    price = market.price_usd_cents
    fill = market.sell(units, OSL_LIKE)
    assert isinstance(fill.proceeds_usd_cents, int) and isinstance(fill.average_price_usd_cents, int)
    assert fill.proceeds_usd_cents * COIN <= fill.quantity_units * price
    assert fill.average_price_usd_cents <= price
    assert fill.quantity_units + fill.unfilled_units == units
    assert 0 <= fill.impact_bps <= BPS


def test_daily_cap_binds_and_resets_each_step():
    market = fresh_market()
    first = market.sell(400 * COIN, OSL_LIKE)
    assert first.quantity_units == 400 * COIN and first.unfilled_units == 0
    partial = market.sell(300 * COIN, OSL_LIKE)
    assert partial.quantity_units == 100 * COIN and partial.unfilled_units == 200 * COIN
    refused = market.sell(1 * COIN, OSL_LIKE)
    assert refused.refused and refused.proceeds_usd_cents == 0
    other_platform = market.sell(1 * COIN, replace(OSL_LIKE, platform="B"))
    assert other_platform.quantity_units == COIN  # caps are per platform
    market.step()
    assert market.sell(1 * COIN, OSL_LIKE).quantity_units == COIN


def test_regimes_change_volatility_and_depth():
    def realised_vol(regime: str) -> float:
        m = fresh_market(1, initial_regime=regime, p_calm_to_stressed=0.0, p_stressed_to_calm=0.0)
        prices = [m.price_usd_cents]
        for _ in range(2_000):
            m.step()
            prices.append(m.price_usd_cents)
        return float(np.std(np.diff(np.log(prices))))

    calm, stressed = realised_vol("calm"), realised_vol("stressed")
    defaults = VirtualAssetParams()
    assert calm == pytest.approx(defaults.calm_daily_vol, rel=0.1)
    assert stressed == pytest.approx(defaults.stressed_daily_vol, rel=0.1)
    calm_fill = fresh_market(initial_regime="calm").sell(50 * COIN, OSL_LIKE)
    stressed_fill = fresh_market(initial_regime="stressed").sell(50 * COIN, OSL_LIKE)
    assert stressed_fill.impact_bps > calm_fill.impact_bps


def test_regime_switches_follow_the_markov_chain():
    market = VirtualAssetMarket(VirtualAssetParams(), Streams(2).get("va"))
    regimes = []
    for _ in range(20_000):
        market.step()
        regimes.append(market.regime)
    stressed_share = regimes.count("stressed") / len(regimes)
    # stationary share p_cs / (p_cs + p_sc) = 0.02 / 0.12
    assert stressed_share == pytest.approx(0.02 / 0.12, abs=0.04)
    assert VirtualAssetParams().stationary_stressed_share() == pytest.approx(0.02 / 0.12)


def simulate(params: VirtualAssetParams, paths: int = PATHS, days: int = DAYS) -> dict[str, np.ndarray]:
    """Many seeded paths of the real market: price_T / price_0, the daily log returns, the stressed days."""
    ratios, returns, stressed = np.empty(paths), np.empty((paths, days)), np.empty(paths)
    for seed in range(paths):
        market = VirtualAssetMarket(params, np.random.default_rng(seed))
        prices, n_stressed = [market.price_usd_cents], 0
        for _ in range(days):
            market.step()
            prices.append(market.price_usd_cents)
            n_stressed += market.regime == "stressed"
        ratios[seed] = prices[-1] / prices[0]
        returns[seed] = np.diff(np.log(prices))
        stressed[seed] = n_stressed / days
    return {"ratios": ratios, "returns": returns, "stressed": stressed}


@pytest.fixture(scope="module")
def neutral_paths() -> dict[str, np.ndarray]:
    return simulate(VirtualAssetParams())


def standard_error(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / math.sqrt(len(values)))


def test_defaults_are_neutral_under_the_stationary_mix():
    # E[P_t+1 / P_t] = 1: no built-in loss (the old defaults gave 0.99975 a day, about -8.7 % a year)
    params = VirtualAssetParams()
    assert params.stationary_daily_growth() == pytest.approx(1.0, abs=1e-12)
    assert params.calm_daily_drift == params.stressed_daily_drift == 0.0  # neutral whatever the start regime


def test_mean_price_ratio_is_one_within_standard_errors(neutral_paths):
    ratios = neutral_paths["ratios"]
    assert abs(ratios.mean() - 1.0) < 4 * standard_error(ratios)
    # the median path still falls: zero expected growth is a log drift of -sigma^2 / 2, the volatility's doing
    assert np.median(ratios) < 1.0


def test_annualised_volatility_matches_the_cited_figure(neutral_paths):
    params = VirtualAssetParams()
    assert params.annual_vol() == pytest.approx(TARGET_ANNUAL_VOL, rel=0.005)  # the calibration (old: 64 %)
    realised = float(neutral_paths["returns"].std(ddof=1)) * math.sqrt(365)
    assert realised == pytest.approx(TARGET_ANNUAL_VOL, rel=0.03)


def test_stationary_regime_share_matches_the_chain(neutral_paths):
    params = VirtualAssetParams()
    share = params.p_calm_to_stressed / (params.p_calm_to_stressed + params.p_stressed_to_calm)
    # every path starts calm: over 730 days that lowers the share by about (1/6) x 8.3 / 730 = 0.002
    assert float(neutral_paths["stressed"].mean()) == pytest.approx(share, abs=0.01)


def bear_preset() -> dict[str, float]:
    """The commented `[va_market]` block of scenarios/va_etf_cwm.toml, uncommented."""
    lines = ETF_SCENARIO.read_text().splitlines()
    start = lines.index("# [va_market]") + 1
    body = []
    for line in lines[start:]:
        if not re.match(r"# \w+ = ", line):
            break
        body.append(line.removeprefix("# "))
    return tomllib.loads("\n".join(body))


def test_bear_preset_is_documented_once_and_loads():
    preset = bear_preset()
    assert set(preset) == {"calm_daily_drift", "stressed_daily_drift"}
    # the --set command in the comment carries the same values as the block
    quoted = dict(re.findall(r"--set va_market\.(\w+)=(\S+)", ETF_SCENARIO.read_text()))
    assert {k: float(v) for k, v in quoted.items()} == preset
    config = load_scenario(ETF_SCENARIO, [f"va_market.{k}={v}" for k, v in preset.items()]).world()
    assert config.va_market.stressed_daily_drift == preset["stressed_daily_drift"]


def test_bear_preset_gives_a_negative_drift():
    params = VirtualAssetParams(**bear_preset())
    growth = params.stationary_daily_growth()
    assert growth < 1.0 and growth**365 == pytest.approx(0.913, abs=0.002)  # about -8.7 % a year
    assert params.annual_vol() == pytest.approx(TARGET_ANNUAL_VOL, rel=0.01)  # same volatility as neutral
    ratios = simulate(params, paths=PATHS)["ratios"]
    assert ratios.mean() < 1.0 - 4 * standard_error(ratios)


def test_determinism():
    def path(seed):
        m = VirtualAssetMarket(VirtualAssetParams(), Streams(seed).get("va"))
        out = []
        for _ in range(200):
            m.step()
            out.append((m.price_usd_cents, m.regime, m.sell(3 * COIN, OSL_LIKE)))
        return out

    assert path(11) == path(11)
    assert path(11) != path(12)


@pytest.mark.parametrize("cls,field,value", [
    (VirtualAssetParams, "initial_price_usd_cents", 0), (VirtualAssetParams, "p_calm_to_stressed", 1.5),
    (VirtualAssetParams, "stressed_depth_factor", 0.0), (VirtualAssetParams, "initial_regime", "panic"),
])
def test_invalid_params_name_the_field(cls, field, value):
    with pytest.raises(ValueError, match=field):
        cls(**{field: value})


@pytest.mark.parametrize("field,value", [("va_depth_usd_at_1pct", 0), ("va_daily_volume_cap_coins", -1)])
def test_invalid_depth_is_refused_by_the_platform_config(field, value):
    # DepthParams is built from a PlatformConfig at run time; the platform's table holds the bounds
    with pytest.raises(ValueError, match=field):
        PlatformConfig(name="A", **{field: value})
