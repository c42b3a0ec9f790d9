from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pytest

from simulator.model.provinces import GUANGDONG, HUBEI, HUNAN, PROVINCES
from simulator.model.rng import Streams
from simulator.model.solar import SolarAsset, SolarParams
from simulator.model.weather import Weather, daily_annual_cov
from simulator.units import BPS

# tariff arithmetic is checked without VAT (revenue net of VAT: tests/model/test_economics.py)
NO_OUTAGES = SolarParams(outage_rate_per_year=0.0, vat_bps=0)
# no outages, no ageing, no weather: each day's energy is exactly its expected share of the year
CALM = SolarParams(outage_rate_per_year=0.0, degradation_per_year=0.0, weather_sigma=0.0, interannual_cov=0.0,
                   vat_bps=0)


def replace(params: SolarParams, **changes) -> SolarParams:
    """A validated copy with `changes` (pydantic's model_copy would skip the bounds)."""
    return SolarParams(**(params.model_dump() | changes))


def run_months(asset: SolarAsset, months: int):
    statements = []
    for _ in range(months):
        current = asset.current_date
        while asset.current_date.month == current.month:
            asset.step_day()
        statements.append(asset.close_month())
    return statements


def annual_kwh(params: SolarParams, seeds: range, years: int) -> np.ndarray:
    """kWh of each calendar year, every seed run from 1 Jan for `years` years."""
    out = []
    for seed in seeds:
        asset = SolarAsset(params, Streams(seed).get("solar"), dt.date(2025, 1, 1))
        statements = run_months(asset, 12 * years)
        out += [sum(s.kwh for s in statements[12 * y:12 * (y + 1)]) for y in range(years)]
    return np.array(out, dtype=float)


def test_each_province_sets_yield_shape_and_benchmark_from_the_table():
    for name, row in PROVINCES.items():
        site = SolarParams(province=name).site()
        assert (site.specific_yield_kwh_per_kwp, site.monthly_share, site.benchmark_price_fen_per_mwh) == (
            row.specific_yield_kwh_per_kwp, row.monthly_share, row.benchmark_price_fen_per_mwh)
        # the mechanism price of a pre-June-2025 project is capped at the benchmark: unset, it is the benchmark
        assert site.mechanism_price_fen_per_mwh == row.benchmark_price_fen_per_mwh
        # without weather the months split the province's yield exactly in its shares (floors carried)
        asset = SolarAsset(replace(CALM, province=name), np.random.default_rng(0), dt.date(2025, 1, 1))
        statements = run_months(asset, 12)
        total = sum(s.kwh for s in statements)
        assert total == pytest.approx(CALM.capacity_kwp * row.specific_yield_kwh_per_kwp, abs=1)
        for s in statements:
            assert s.kwh == pytest.approx(total * row.monthly_share[s.month - 1], abs=2)
        assert sum(s.gross_revenue_fen for s in statements) == total * row.benchmark_price_fen_per_mwh // 1_000


def test_the_default_asset_is_the_gcl_deal_in_hubei():
    site = SolarParams().site()
    assert site.province == "hubei" and site.specific_yield_kwh_per_kwp == HUBEI.specific_yield_kwh_per_kwp
    assert site.benchmark_price_fen_per_mwh == 41_610  # RMB 0.4161/kWh
    assert (GUANGDONG.benchmark_price_fen_per_mwh, HUNAN.benchmark_price_fen_per_mwh) == (45_300, 45_000)
    assert HUNAN.specific_yield_kwh_per_kwp < HUBEI.specific_yield_kwh_per_kwp < GUANGDONG.specific_yield_kwh_per_kwp


def test_explicit_fields_win_over_the_province():
    uniform = (1 / 12,) * 12
    site = SolarParams(province="hunan", specific_yield_kwh_per_kwp=1_200.0, monthly_share=uniform,
                       mechanism_price_fen_per_mwh=38_000).site()
    assert (site.specific_yield_kwh_per_kwp, site.monthly_share, site.mechanism_price_fen_per_mwh) == (
        1_200.0, uniform, 38_000)
    assert site.benchmark_price_fen_per_mwh == HUNAN.benchmark_price_fen_per_mwh  # not given: still Hunan's
    given_benchmark = SolarParams(province="hunan", benchmark_price_fen_per_mwh=50_000).site()
    assert given_benchmark.mechanism_price_fen_per_mwh == 50_000  # the cap follows an explicit benchmark too
    # unset stays unset through a copy, so a copy moved to another province takes that province's figures
    moved = replace(SolarParams(province="guangdong"), province="hunan").site()
    assert moved.specific_yield_kwh_per_kwp == HUNAN.specific_yield_kwh_per_kwp
    assert moved.monthly_share == HUNAN.monthly_share


def test_hubei_and_guangdong_annual_energy_differ_as_the_table_says():
    seeds = range(30)  # the same seeds draw the same weather, so little but the table separates the two
    hubei = annual_kwh(replace(NO_OUTAGES, degradation_per_year=0.0, province="hubei"), seeds, 1)
    guangdong = annual_kwh(replace(NO_OUTAGES, degradation_per_year=0.0, province="guangdong"), seeds, 1)
    expected = HUBEI.specific_yield_kwh_per_kwp / GUANGDONG.specific_yield_kwh_per_kwp
    assert hubei.mean() / guangdong.mean() == pytest.approx(expected, rel=0.01)
    assert 1_000 <= guangdong.mean() / NO_OUTAGES.capacity_kwp <= 1_070  # FACTS: Guangzhou 1,000-1,070 kWh/kWp


def test_degradation_year_5_below_year_1_at_the_default_rate():
    asset = SolarAsset(replace(CALM, degradation_per_year=0.008), np.random.default_rng(0), dt.date(2025, 1, 1))
    statements = run_months(asset, 60)
    year1 = sum(s.kwh for s in statements[:12])
    year5 = sum(s.kwh for s in statements[48:])
    assert SolarParams().degradation_per_year == 0.008  # FACTS: the fleet mean 0.8-0.9%/yr, not the 0.5% median
    assert year5 / year1 == pytest.approx(0.992**4, abs=0.001)


def lag1_autocorrelation(x: np.ndarray) -> float:
    d = x - x.mean()
    return float(np.dot(d[:-1], d[1:]) / np.dot(d, d))


def test_daily_weather_persists_with_the_configured_autocorrelation_and_mean_one():
    sigma, phi, days = 0.35, 0.7, 60_000
    weather = Weather(sigma, phi, 0.0, np.random.default_rng(11))
    rng = np.random.default_rng(12)
    day, factors = dt.date(2025, 1, 1), np.empty(days)
    for i in range(days):
        factors[i] = weather.step(day, float(rng.standard_normal()))
        day += dt.timedelta(days=1)
    log_factors = np.log(factors)
    # AR(1): the lag-1 autocorrelation estimate has sd ~ sqrt((1 - phi^2) / n) = 0.003
    assert lag1_autocorrelation(log_factors) == pytest.approx(phi, abs=0.015)
    assert float(log_factors.std()) == pytest.approx(sigma, rel=0.03)
    # mean one: sd of the mean ~ sd(factor) * sqrt((1 + rho) / (1 - rho) / n) ~ 0.004 with rho ~ 0.68
    assert float(factors.mean()) == pytest.approx(1.0, abs=0.015)


def test_the_asset_s_daily_weather_is_persistent_not_iid():
    asset = SolarAsset(NO_OUTAGES, Streams(4).get("solar"), dt.date(2025, 1, 1))
    log_weather = np.log([asset.step_day().weather for _ in range(36_500)])
    # the old i.i.d. model gave ~0; the calendar-year factor adds only ~0.001 to the daily 0.7
    assert lag1_autocorrelation(log_weather) == pytest.approx(NO_OUTAGES.weather_persistence, abs=0.02)


@functools.cache
def _years(interannual_cov: float) -> np.ndarray:
    """400 calendar years of the default asset (20 seeds x 20 years), no outages, no ageing."""
    params = SolarParams(interannual_cov=interannual_cov, outage_rate_per_year=0.0, degradation_per_year=0.0)
    return annual_kwh(params, range(20), 20)


@pytest.mark.parametrize("interannual_cov", [0.05, 0.08])
def test_year_to_year_spread_of_annual_energy_is_the_configured_one(interannual_cov):
    years = _years(interannual_cov)
    cov = float(years.std(ddof=1) / years.mean())
    # sd of a CoV estimate ~ cov / sqrt(2n) ~ 0.002-0.003: within three of them
    assert cov == pytest.approx(interannual_cov, abs=3 * interannual_cov / np.sqrt(2 * len(years)))
    # the old i.i.d. daily noise alone gave annual energy a spread of only ~2%
    assert daily_annual_cov(0.35, 0.0, HUBEI.monthly_share) < 0.021


def test_mean_annual_energy_is_unchanged_by_the_weather():
    years = _years(SolarParams().interannual_cov)
    expected = SolarParams().capacity_kwp * HUBEI.specific_yield_kwh_per_kwp  # mean-one factors change no mean
    assert float(years.mean()) == pytest.approx(expected, rel=0.01)  # sd of the mean ~0.25%


def test_yearly_draws_shift_no_daily_draw():
    def days(interannual_cov: float) -> list:
        params = replace(SolarParams(), interannual_cov=interannual_cov, outage_rate_per_year=20.0)
        asset = SolarAsset(params, Streams(8).get("solar"), dt.date(2025, 6, 1))
        return [asset.step_day() for _ in range(800)]

    calm_years, stormy_years = days(0.05), days(0.09)
    assert [d.outage for d in calm_years] == [d.outage for d in stormy_years]
    ratios: dict[int, set[float]] = {}
    for a, b in zip(calm_years, stormy_years, strict=True):
        ratios.setdefault(a.date.year, set()).add(round(a.weather / b.weather, 9))
    # the same daily weather, scaled by one factor per calendar year
    assert all(len(r) == 1 for r in ratios.values()) and len(ratios) == 3


def test_daily_weather_that_alone_spreads_years_too_much_is_refused():
    with pytest.raises(ValueError, match="interannual_cov"):
        SolarParams(weather_persistence=0.9)
    assert SolarParams(weather_persistence=0.9, interannual_cov=0.09).year_log_sd() > 0


def test_cfd_pays_the_mechanism_price_on_average():
    params = replace(NO_OUTAGES, tariff_model="cfd", mechanism_price_fen_per_mwh=38_000,
                     market_price_mean_fen_per_mwh=45_000, market_price_volatility=0.3)
    asset = SolarAsset(params, Streams(3).get("solar"), dt.date(2025, 6, 1))
    statements = run_months(asset, 120)
    kwh = sum(s.kwh for s in statements)
    gross = sum(s.gross_revenue_fen for s in statements)
    realised_fen_per_mwh = gross * 1_000 / kwh
    assert realised_fen_per_mwh == pytest.approx(38_000, rel=0.005)
    # the market beat the mechanism on average, so the two-sided CfD paid back money overall
    assert sum(s.cfd_settlement_fen for s in statements) < 0


def test_benchmark_revenue_is_kwh_times_benchmark_floored():
    asset = SolarAsset(NO_OUTAGES, np.random.default_rng(1), dt.date(2025, 1, 1))
    statements = run_months(asset, 24)
    kwh = sum(s.kwh for s in statements)
    assert sum(s.gross_revenue_fen for s in statements) == kwh * 41_610 // 1_000  # Hubei's RMB 0.4161/kWh
    for s in statements:
        assert all(isinstance(v, int) for v in (s.kwh, s.gross_revenue_fen, s.om_cost_fen,
                                                s.net_revenue_fen, s.holders_share_fen))
        assert s.net_revenue_fen == s.gross_revenue_fen - s.om_cost_fen


def test_money_conservation_over_a_life():
    params = SolarParams(tariff_model="cfd", revenue_share_bps=6_333)
    asset = SolarAsset(params, Streams(9).get("solar"), dt.date(2025, 3, 1))
    statements = run_months(asset, 20 * 12)
    total_net = sum(s.net_revenue_fen for s in statements)
    assert total_net == asset.net_revenue_paid_fen
    assert total_net > 0 and all(s.net_revenue_fen >= 0 for s in statements)
    assert sum(s.holders_share_fen for s in statements) == total_net * 6_333 // BPS
    # O&M accrues 1/days-in-year per day: Mar 2025..Feb 2045 is exactly 20 years of it, and floors carry
    assert sum(s.om_cost_fen for s in statements) == params.om_cost_fen_per_mwp_year * 82 * 20


def test_loss_months_are_carried_forward_not_clawed_back():
    # O&M so high that some months lose money
    params = replace(NO_OUTAGES, om_cost_fen_per_mwp_year=40_000_000, revenue_share_bps=5_000)
    asset = SolarAsset(params, np.random.default_rng(5), dt.date(2025, 1, 1))
    statements = run_months(asset, 36)
    assert any(s.net_revenue_fen < 0 for s in statements)
    assert all(s.holders_share_fen >= 0 for s in statements)
    paid = sum(s.holders_share_fen for s in statements)
    running, best = 0, 0
    for s in statements:
        running += s.net_revenue_fen
        best = max(best, max(running, 0) * 5_000 // BPS)
    assert paid == best


def test_outages_reduce_output_and_are_flagged():
    heavy = replace(SolarParams(), outage_rate_per_year=30.0, outage_mean_days=5.0, outage_capacity_loss=1.0)
    asset = SolarAsset(heavy, np.random.default_rng(2), dt.date(2025, 1, 1))
    days = [asset.step_day() for _ in range(365)]
    outage_days = [d for d in days if d.outage]
    assert 0 < len(outage_days) < 365
    # a full outage produces nothing but the < 1 kWh carried from the day before
    assert all(d.kwh <= 1 for d in outage_days)


def test_determinism_same_seed_same_output():
    def life(seed: int):
        asset = SolarAsset(SolarParams(tariff_model="cfd"), Streams(seed).get("solar"), dt.date(2025, 1, 1))
        return run_months(asset, 24)

    assert life(42) == life(42)
    assert life(42) != life(43)


def test_close_month_without_days_raises():
    asset = SolarAsset(SolarParams(), np.random.default_rng(0), dt.date(2025, 1, 1))
    with pytest.raises(RuntimeError):
        asset.close_month()


@pytest.mark.parametrize("field,value", [
    ("capacity_mwp", 0.0), ("monthly_share", (1 / 12,) * 11), ("monthly_share", (0.1,) * 12),
    ("degradation_per_year", 1.0), ("tariff_model", "feed-in"), ("benchmark_price_fen_per_mwh", 0.453),
    ("revenue_share_bps", 10_001), ("outage_mean_days", 0.5), ("market_price_persistence", 1.0),
    ("province", "sichuan"), ("specific_yield_kwh_per_kwp", 0.0), ("weather_persistence", 1.0),
    ("interannual_cov", -0.01), ("mechanism_price_fen_per_mwh", 0),
])
def test_invalid_params_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        SolarParams(**{field: value})


def test_unknown_field_and_mutation_are_refused():
    with pytest.raises(ValueError, match="panels"):
        SolarParams(panels=3)
    with pytest.raises(ValueError, match="frozen"):
        SolarParams().capacity_mwp = 1.0
