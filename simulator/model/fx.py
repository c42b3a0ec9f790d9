"""Seeded daily FX rates for CNY, CNH, HKD and USD, and integer conversion between them.

Rates are stored as integers: units of the quote currency per one unit of USD, scaled by 10**8
(`RATE_SCALE`); e.g. USD/HKD 7.80 is 780_000_000. Every currency here has two decimal minor units
(fen, cents), so a conversion of minor units is amount x rate(to) / rate(from), with USD as the pivot.

Rounding: each conversion floors once (exact integer arithmetic), so a round trip never creates money:
floor(floor(x * b / a) * a / b) <= x.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from simulator.units import BPS

RATE_SCALE = 10**8
CURRENCIES = ("CNY", "CNH", "HKD", "USD")

# HKMA Linked Exchange Rate System: strong-side Convertibility Undertaking 7.75, weak-side 7.85 HKD per USD,
# since 18 May 2005 (HKMA, "Linked Exchange Rate System"; H). Not in FACTS.md; the HKMA is the primary source.
HKD_PEG_STRONG_SIDE = 775_000_000
HKD_PEG_WEAK_SIDE = 785_000_000
# the same band in HKD per USD: the USD/HKD parameters must start and revert inside it
PEG_BAND_LOW, PEG_BAND_HIGH = HKD_PEG_STRONG_SIDE / RATE_SCALE, HKD_PEG_WEAK_SIDE / RATE_SCALE


def _scaled(rate: float) -> int:
    return math.floor(rate * RATE_SCALE)


class FxParams(BaseModel):
    """The FX processes: the scenario's `[fx]` table (simulator.model.config.WorldConfig.fx)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    # USD/HKD: mean-reverting inside the peg band. Centre, daily vol and reversion are sensitivity parameters
    # (HKD has sat at either Convertibility Undertaking for long spells, e.g. 7.85 in 2018-19 and 2022-23).
    usd_hkd_initial: float = Field(7.80, ge=PEG_BAND_LOW, le=PEG_BAND_HIGH, description=(
        "HKD per USD on the first day, inside the peg band 7.75-7.85 (HKMA Linked Exchange Rate System, H; "
        "the point a sensitivity)"))
    usd_hkd_mean: float = Field(7.80, ge=PEG_BAND_LOW, le=PEG_BAND_HIGH, description=(
        "HKD per USD the rate reverts to, inside the peg band (sensitivity)"))
    usd_hkd_daily_vol: float = Field(0.004, ge=0, le=0.1, description=(
        "daily volatility, HKD per USD (sensitivity); at most 0.1, the band's width (the rate is clipped to it)"))
    usd_hkd_reversion_per_day: float = Field(0.02, ge=0, le=1, description=(
        "share of the gap to the mean closed each day (sensitivity)"))
    # USD/CNY around 7.15 (2024-25 levels; sensitivity). Log mean-reversion, ~3% a year of vol.
    usd_cny_initial: float = Field(7.15, ge=1, le=20, description=(
        "CNY per USD on the first day: 7.15, 2024-25 levels (sensitivity); from 1 to 20"))
    usd_cny_mean: float = Field(7.15, ge=1, le=20, description=(
        "CNY per USD the rate reverts to, log mean-reversion (sensitivity); from 1 to 20"))
    usd_cny_daily_vol: float = Field(0.0016, ge=0, le=0.02, description=(
        "daily volatility of log USD/CNY, ~3 % a year (sensitivity); at most 2 % a day, so the rate stays "
        "positive over any horizon"))
    usd_cny_reversion_per_day: float = Field(0.005, ge=0, le=1, description=(
        "share of the log gap to the mean closed each day (sensitivity)"))
    # CNH = CNY x (1 + spread), spread ~ Normal(mean, sd) in bps each day: sensitivity parameters. The mean
    # is kept within +-10% (1,000 bps): CNH and CNY are the same currency on two markets.
    cnh_spread_mean_bps: float = Field(0.0, gt=-BPS // 10, lt=BPS // 10, description=(
        "mean of CNH's daily spread over CNY, bps, within +-1,000: the same currency on two markets "
        "(sensitivity)"))
    cnh_spread_sd_bps: float = Field(15.0, ge=0, le=500, description=(
        "sd of CNH's daily spread over CNY, bps (sensitivity); at most 500, so CNH stays positive"))


class FxMarket:
    """Three USD-based rates stepped once per simulated day; starts at the initial rates."""

    def __init__(self, params: FxParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._usd_hkd = min(max(_scaled(params.usd_hkd_initial), HKD_PEG_STRONG_SIDE), HKD_PEG_WEAK_SIDE)
        self._log_usd_cny = math.log(params.usd_cny_initial)
        self._usd_cny = _scaled(params.usd_cny_initial)
        self._usd_cnh = self._cnh_from(self._usd_cny, params.cnh_spread_mean_bps)
        self.day = 0

    def step(self) -> None:
        p = self.params
        hkd_z, cny_z, cnh_z = self._rng.standard_normal(3)  # fixed three draws per day

        # Ornstein-Uhlenbeck in HKD per USD, clipped at the Convertibility Undertakings: the HKMA buys or
        # sells HKD at 7.75/7.85 without limit, so the market rate sits at the bound rather than bouncing off.
        hkd = self._usd_hkd / RATE_SCALE
        hkd += p.usd_hkd_reversion_per_day * (p.usd_hkd_mean - hkd) + p.usd_hkd_daily_vol * hkd_z
        self._usd_hkd = min(max(_scaled(hkd), HKD_PEG_STRONG_SIDE), HKD_PEG_WEAK_SIDE)

        self._log_usd_cny += (p.usd_cny_reversion_per_day * (math.log(p.usd_cny_mean) - self._log_usd_cny)
                              + p.usd_cny_daily_vol * cny_z)
        self._usd_cny = _scaled(math.exp(self._log_usd_cny))
        self._usd_cnh = self._cnh_from(self._usd_cny, p.cnh_spread_mean_bps + p.cnh_spread_sd_bps * cnh_z)
        self.day += 1

    @staticmethod
    def _cnh_from(usd_cny_scaled: int, spread_bps: float) -> int:
        return math.floor(usd_cny_scaled * (1.0 + spread_bps / BPS))

    def _units_per_usd(self, ccy: str) -> int:
        match ccy:
            case "USD":
                return RATE_SCALE
            case "HKD":
                return self._usd_hkd
            case "CNY":
                return self._usd_cny
            case "CNH":
                return self._usd_cnh
        raise ValueError(f"unknown currency {ccy!r}; expected one of {CURRENCIES}")

    def rate_scaled(self, base: str, quote: str) -> int:
        """Units of `quote` per unit of `base`, x 10**8, floored."""
        return self._units_per_usd(quote) * RATE_SCALE // self._units_per_usd(base)

    def convert(self, amount_minor: int, from_ccy: str, to_ccy: str) -> int:
        """`amount_minor` of `from_ccy` in `to_ccy` minor units, floored (the holder never gains)."""
        if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        if amount_minor < 0:
            raise ValueError("amount_minor must be >= 0")
        from_rate, to_rate = self._units_per_usd(from_ccy), self._units_per_usd(to_ccy)
        if from_ccy == to_ccy:
            return amount_minor
        return amount_minor * to_rate // from_rate

    def rates(self) -> dict[str, int]:
        """The stored rates for the daily time series (x 10**8), keyed "USD/HKD" etc."""
        return {"USD/HKD": self._usd_hkd, "USD/CNY": self._usd_cny, "USD/CNH": self._usd_cnh}
