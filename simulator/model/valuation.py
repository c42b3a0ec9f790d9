"""What a revenue right is worth and what its holders earned: the expected payouts of its remaining term,
their discounted value, and money-weighted returns (IRR) of holders' cash flows.

The expected schedule is the asset model's expectation, month by month (mean-one weather, degradation by
age, expected outage losses, the tariff the asset is paid, O&M, the holders' share and the share let out of
the mainland), so a fair value never annualises a few seasonal months: a token's value is the sum of what it
is expected to pay over the months left, discounted at a stated rate.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from simulator.model.solar import DAYS_PER_YEAR_FOR_AGEING, KWH_PER_MWH, SolarParams
from simulator.units import BPS

DAYS_PER_YEAR = 365  # IRRs and discounting compound over 365-day years


def expected_tariff_fen_per_mwh(asset: SolarParams) -> float:
    """What the asset expects to be paid per MWh: the benchmark price, or under the CfD the mechanism price on
    the covered volume and the mean market price on the rest."""
    site = asset.site()
    if asset.tariff_model == "benchmark":
        return float(site.benchmark_price_fen_per_mwh)
    covered = asset.mechanism_volume_share_bps / BPS
    return site.mechanism_price_fen_per_mwh * covered + asset.market_price_mean_fen_per_mwh * (1 - covered)


def expected_holders_share_fen(asset: SolarParams, start: dt.date, year: int, month: int) -> float:
    """The holders' expected share of one calendar month's net revenue (before any cap on repatriation)."""
    days = calendar.monthrange(year, month)[1]
    mid = dt.date(year, month, min(15, days))
    age_years = max(0, (mid - start).days) / DAYS_PER_YEAR_FOR_AGEING
    outage_share = min(1.0, asset.outage_rate_per_year * asset.outage_mean_days / 365.0) * asset.outage_capacity_loss
    site = asset.site()
    kwh = (asset.capacity_kwp * site.specific_yield_kwh_per_kwp * site.monthly_share[month - 1]
           * (1.0 - asset.degradation_per_year) ** age_years * (1.0 - outage_share))
    gross = kwh * expected_tariff_fen_per_mwh(asset) / KWH_PER_MWH * BPS / (BPS + asset.vat_bps)  # ex-VAT
    days_in_year = 366 if calendar.isleap(year) else 365
    om = asset.om_cost_fen_per_mwp_year * asset.capacity_kwp / 1_000 * days / days_in_year
    return max(0.0, gross - om) * asset.revenue_share_bps / BPS


@dataclass(frozen=True, slots=True)
class Payout:
    paid_on: dt.date  # the first day of the next month (the statement closes at month end)
    fen: float  # expected, before FX


class PayoutSchedule:
    """The expected payouts of a revenue right that starts paying on `first` (a date) and ends on `term_end`
    (no payout for a month that ends after it); `paid_out_bps` of the holders' share reaches them (what the
    repatriation cap lets out, less withholding)."""

    def __init__(self, asset: SolarParams, asset_start: dt.date, first: dt.date, term_end: dt.date,
                 paid_out_bps: int, delay_days: int = 0) -> None:
        self.term_end = term_end
        payouts: list[Payout] = []
        year, month = first.year, first.month
        while True:
            paid_on = dt.date(year + month // 12, month % 12 + 1, 1) + dt.timedelta(days=delay_days)
            if paid_on > term_end:
                break
            share = expected_holders_share_fen(asset, asset_start, year, month)
            payouts.append(Payout(paid_on, share * paid_out_bps / BPS))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        self.payouts = tuple(payouts)

    def present_value_fen(self, today: dt.date, rate_bps: int) -> float:
        """The expected payouts after `today`, discounted at `rate_bps` a year."""
        rate = 1.0 + rate_bps / BPS
        return sum(p.fen * rate ** (-(p.paid_on - today).days / DAYS_PER_YEAR)
                   for p in self.payouts if p.paid_on > today)

    def expected_between_fen(self, start: dt.date, end: dt.date) -> float:
        """Expected payouts with `start` < paid_on <= `end`."""
        return sum(p.fen for p in self.payouts if start < p.paid_on <= end)


def discount_factor(today: dt.date, when: dt.date, rate_bps: int) -> float:
    return (1.0 + rate_bps / BPS) ** (-(when - today).days / DAYS_PER_YEAR)


def irr(flows: Mapping[int, int]) -> float | None:
    """The annual money-weighted return of cash flows {day: amount} (investments negative): the rate that
    makes their present value zero, compounding over 365-day years. None when it is not defined (no
    investment, no return, or no sign change of the present value between -99.99 % and +10,000 %)."""
    items = sorted((d, a) for d, a in flows.items() if a)
    if not items or all(a >= 0 for _, a in items) or all(a <= 0 for _, a in items):
        return None
    first = items[0][0]
    years = [(d - first) / DAYS_PER_YEAR for d, _ in items]
    amounts = [float(a) for _, a in items]

    def npv(rate: float) -> float:
        return sum(a * (1.0 + rate) ** -t for a, t in zip(amounts, years, strict=True))

    lo, hi = -0.9999, 100.0
    f_lo, f_hi = npv(lo), npv(hi)
    if f_lo * f_hi > 0:
        return None
    for _ in range(200):  # bisection: the NPV of an investment-first profile falls as the rate rises
        mid = (lo + hi) / 2
        f_mid = npv(mid)
        if f_mid == 0 or hi - lo < 1e-12:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2
