from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from simulator.model.rails import RAILS, BusinessCalendar, FixedLatency, Rail, UniformLatency
from simulator.model.rng import Streams

THU = dt.datetime(2025, 3, 6, 10, 0)  # a Thursday
FRI = dt.datetime(2025, 3, 7, 10, 0)
SAT = dt.datetime(2025, 3, 8, 10, 0)


def test_t_plus_5_from_thursday_is_next_thursday():
    cal = BusinessCalendar()
    assert cal.settlement_date(THU, 5) == dt.date(2025, 3, 13)
    assert cal.settlement_date(THU, 1) == dt.date(2025, 3, 7)
    assert cal.settlement_date(THU, 0) == dt.date(2025, 3, 6)
    assert cal.settlement_date(SAT, 0) == dt.date(2025, 3, 10)  # T rolls to Monday
    assert cal.settlement_date(SAT, 1) == dt.date(2025, 3, 11)


def test_weekends_and_holidays_skipped():
    cal = BusinessCalendar(holidays=frozenset({dt.date(2025, 3, 10)}))  # Monday off
    assert cal.add_business_days(FRI, 1) == dt.datetime(2025, 3, 11, 10, 0)
    assert cal.add_business_days(SAT, 0) == dt.datetime(2025, 3, 11, 10, 0)
    assert cal.settlement_date(THU, 5) == dt.date(2025, 3, 14)
    with pytest.raises(ValueError):
        cal.add_business_days(FRI, -1)


def test_cips_cutoff_same_day_before_next_day_after():
    cips = RAILS["CIPS"]
    rng = np.random.default_rng(0)
    before = cips.transfer(1_000_000, dt.datetime(2025, 3, 6, 16, 59), rng)
    assert before.arrives_at.date() == dt.date(2025, 3, 6)
    after = cips.transfer(1_000_000, dt.datetime(2025, 3, 6, 17, 0), rng)
    assert after.arrives_at.date() == dt.date(2025, 3, 7)
    assert after.arrives_at >= dt.datetime(2025, 3, 7, 9, 0)
    friday_late = cips.transfer(1_000_000, dt.datetime(2025, 3, 7, 18, 0), rng)
    assert friday_late.arrives_at.date() == dt.date(2025, 3, 10)  # weekend skipped
    early = cips.transfer(1_000_000, dt.datetime(2025, 3, 6, 7, 0), rng)
    assert early.arrives_at >= dt.datetime(2025, 3, 6, 9, 0)


def test_swift_gpi_half_within_30_minutes_all_within_24_hours():
    swift, rng, sent = RAILS["SWIFT"], Streams(5).get("swift"), dt.datetime(2025, 3, 8, 3, 0)
    delays = [swift.transfer(10_000_00, sent, rng, "USD").arrives_at - sent for _ in range(20_000)]
    within_30 = sum(d <= dt.timedelta(minutes=30) for d in delays) / len(delays)
    assert within_30 == pytest.approx(0.5, abs=0.02)
    assert max(delays) <= dt.timedelta(hours=24)


def test_fps_is_24_7_and_seconds_onchain_is_instant():
    rng = np.random.default_rng(1)
    fps = RAILS["FPS"].transfer(500_00, SAT, rng, "HKD")
    assert SAT < fps.arrives_at <= SAT + dt.timedelta(seconds=10)
    onchain = RAILS["ONCHAIN"].transfer(500_00, SAT, rng, "HKD")
    assert onchain.arrives_at == SAT
    assert onchain.fee_minor == 0 and onchain.received_minor == 500_00


def test_fees_exact():
    rail = Rail(name="T", latency=FixedLatency(60), currencies=("HKD", "USD"),
                fixed_fee_minor={"HKD": 1_000}, fee_bps=15)
    t = rail.transfer(1_234_567, THU, np.random.default_rng(0), "HKD")
    assert t.fee_minor == 1_000 + 1_234_567 * 15 // 10_000 == 2_851
    assert t.received_minor == 1_234_567 - 2_851
    assert t.arrives_at == THU + dt.timedelta(seconds=60)
    usd = rail.transfer(10_000, THU, np.random.default_rng(0), "USD")
    assert usd.fee_minor == 15 and usd.received_minor == 9_985
    assert RAILS["SWIFT"].transfer(1_000_00, THU, np.random.default_rng(0), "USD").fee_minor == 2_500
    with pytest.raises(ValueError):
        rail.transfer(999, THU, np.random.default_rng(0), "HKD")  # does not cover the fixed fee
    with pytest.raises(ValueError):
        rail.transfer(10_000, THU, np.random.default_rng(0), "CNY")


def test_rails_are_hashable_and_fee_tables_read_only():
    assert len({RAILS["CIPS"], RAILS["FPS"]}) == 2
    with pytest.raises(TypeError):
        RAILS["CIPS"].fixed_fee_minor["CNY"] = 0


def test_rail_validation():
    with pytest.raises(ValueError, match="cutoff_hour"):
        Rail(name="X", latency=FixedLatency(0), currencies=("HKD",), cutoff_hour=17)
    with pytest.raises(ValueError, match="fixed_fee_minor"):
        Rail(name="X", latency=FixedLatency(0), currencies=("HKD",), fixed_fee_minor={"USD": 1})
    with pytest.raises(ValueError, match="fee_bps"):
        Rail(name="X", latency=FixedLatency(0), currencies=("HKD",), fee_bps=-1)
    with pytest.raises(ValueError, match="min_seconds"):
        UniformLatency(5, 1)


def test_determinism():
    def arrivals(seed):
        rng = Streams(seed).get("rails")
        return [RAILS[name].transfer(1_000_000, FRI, rng, "CNH").arrives_at for name in ("CIPS", "SWIFT", "FPS")]

    assert arrivals(3) == arrivals(3)
    assert arrivals(3) != arrivals(4)
