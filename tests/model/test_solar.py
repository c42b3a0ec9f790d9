from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from simulator.model.rng import Streams
from simulator.model.solar import SolarAsset, SolarParams
from simulator.units import BPS

NO_OUTAGES = SolarParams(outage_rate_per_year=0.0)


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


def test_guangzhou_annual_yield_and_seasonality():
    years, seeds = 1, range(40)  # Jul vs Aug differ by ~4% of a month: enough seeds to resolve it
    kwh_by_month = np.zeros(12)
    annual_yields = []
    for seed in seeds:
        params = replace(NO_OUTAGES, degradation_per_year=0.0)
        asset = SolarAsset(params, Streams(seed).get("solar"), dt.date(2025, 1, 1))
        statements = run_months(asset, 12 * years)
        annual_yields.append(sum(s.kwh for s in statements) / NO_OUTAGES.capacity_kwp)
        for s in statements:
            kwh_by_month[s.month - 1] += s.kwh
    mean_yield = float(np.mean(annual_yields))
    assert 1_000 <= mean_yield <= 1_070
    assert int(np.argmin(kwh_by_month)) == 1  # February
    assert int(np.argmax(kwh_by_month)) == 6  # July


def test_degradation_year_5_about_two_percent_below_year_1():
    params = replace(NO_OUTAGES, weather_sigma=0.0)  # deterministic energy isolates the ageing effect
    asset = SolarAsset(params, np.random.default_rng(0), dt.date(2025, 1, 1))
    statements = run_months(asset, 60)
    year1 = sum(s.kwh for s in statements[:12])
    year5 = sum(s.kwh for s in statements[48:])
    assert year5 / year1 == pytest.approx(0.995**4, abs=0.001)
    assert 0.975 < year5 / year1 < 0.985


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


def test_default_benchmark_price_is_0_453_rmb_per_kwh():
    fen_per_kwh = SolarParams().benchmark_price_fen_per_mwh / 1_000
    assert fen_per_kwh == pytest.approx(45.3)  # RMB 0.453


def test_benchmark_revenue_is_kwh_times_benchmark_floored():
    asset = SolarAsset(NO_OUTAGES, np.random.default_rng(1), dt.date(2025, 1, 1))
    statements = run_months(asset, 24)
    kwh = sum(s.kwh for s in statements)
    assert sum(s.gross_revenue_fen for s in statements) == kwh * 45_300 // 1_000
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
])
def test_invalid_params_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        SolarParams(**{field: value})


def test_unknown_field_and_mutation_are_refused():
    with pytest.raises(ValueError, match="panels"):
        SolarParams(panels=3)
    with pytest.raises(ValueError, match="frozen"):
        SolarParams().capacity_mwp = 1.0
