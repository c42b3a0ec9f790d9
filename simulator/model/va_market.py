"""A BTC-like virtual asset: a regime-switching daily price and per-platform sell-side liquidity.

Used by actors that must turn a virtual asset into fiat through HK licensed platforms (e.g. an authority
disposing of seized crypto, FACTS "Mainland constraints", M). Pure and step-wise: the world calls `step()`
once per simulated day and `sell()` for each order.

Units: quantities in integer base units, `UNITS_PER_COIN` (units.COIN, 10**8) per coin; prices in
integer USD cents per whole coin.

Price: geometric Brownian motion whose drift and volatility depend on a hidden regime (calm / stressed)
that follows a two-state Markov chain, one transition per day. New price = floor(old x exp(return)),
at least 1 cent, with log return = mu - sigma^2 / 2 + sigma x z, so E[new / old | regime] = exp(mu): `mu` is
the regime's expected daily growth, not its log drift.

Neutral by default: mu = 0 in both regimes, so the price is a martingale (E[P_T / P_0] = 1 for every horizon
and either starting regime) and a holder's loss or gain is luck, not an assumption. A view on direction is a
scenario's explicit choice, set as plain `[va_market]` parameters (the bear case: scenarios/va_etf_cwm.toml).
Volatility is calibrated to BTC's realised volatility (see the fields); each default cites its source or
says "sensitivity". Annualised = daily x sqrt(365): BTC trades every calendar day and the world steps the
market once per calendar day.

Impact (square-root law, a standard empirical shape): the marginal price concession after selling a
notional q on one platform in one day is 1% x sqrt(q / D), D = the platform's depth within 1% of mid
(thinner in the stressed regime). An order lifting the day's sold notional from q0 to q1 fills at the
average concession 1% x (2/3) x (s1^1.5 - s0^1.5) / (s1 - s0), s = q / D, so splitting an order within a
day does not dodge impact; the book refills at the next `step()`. The global price is not moved by one
platform's flow.

Rounding: impact is rounded up to whole bps (against the seller) and capped at 10,000; proceeds =
floor(units x price x (10,000 - impact_bps) / (10**8 x 10,000)); average price = floor(proceeds x 10**8 / units).
Hence proceeds never exceed units x pre-trade price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from simulator.units import BPS, COIN

UNITS_PER_COIN = COIN  # the name existing callers import
ONE_PERCENT_BPS = BPS // 100
DAYS_PER_YEAR = 365  # BTC trades every calendar day; annualised volatility = daily x sqrt(365)

Regime = Literal["calm", "stressed"]


class VirtualAssetParams(BaseModel):
    """The virtual asset's price process: the scenario's `[va_market]` table (WorldConfig.va_market)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    # USD 100,000 per coin: a round figure inside BTC's late-2025 swing from about USD 126,000 down to 80,500
    # (G. Matos, "Bitcoin is now less volatile than Nvidia", CryptoSlate, 3 Jan 2026). It sets notionals, hence
    # impact and ETF units, not returns (sensitivity).
    initial_price_usd_cents: int = Field(10_000_000, gt=0, le=10**10, description=(
        "USD cents per coin on the first day: USD 100,000, inside BTC's late-2025 range (CryptoSlate, 3 Jan "
        "2026; sensitivity); at most USD 100 m"))
    # Expected daily growth per regime (E[P_t+1 / P_t] = exp(mu)): 0 = neutral, no built-in gain or loss.
    # Kept within +-1 % a day (40 years of it stay a finite price). A negative stressed drift with a compensating
    # calm one would also be neutral under the stationary mix, but only on average over spells: from a calm
    # start, or over a finite horizon, the price would drift. Zero in both regimes is neutral whatever the start
    # and horizon.
    calm_daily_drift: float = Field(0.0, ge=-0.01, le=0.01, description=(
        "expected daily growth in the calm regime, E[P_t+1 / P_t] = exp(mu): 0, neutral (sensitivity); within "
        "+-1 % a day, so 40 years of it stay a finite price"))
    stressed_daily_drift: float = Field(0.0, ge=-0.01, le=0.01, description=(
        "expected daily growth in the stressed regime: 0, neutral (sensitivity); within +-1 % a day"))
    # Daily volatility per regime, calibrated so that the stationary mix of the regimes' variances,
    # (5/6) x 2.1 %^2 + (1/6) x 5.0 %^2 = (2.80 %)^2, gives BTC's realised daily volatility in 2024: 2.80 %
    # (K33 Research's annual series, 2.94 % in 2023, 2.80 % in 2024, 2.24 % in 2025, in the CryptoSlate article
    # above), i.e. 2.80 % x sqrt(365) = 53.5 % a year. The series is per calendar day: its 2025 figure
    # x sqrt(365) = 42.8 %, the record-low one-year realised volatility of 42 % that Fidelity Digital Assets
    # reported in Jan 2026 (U.Today, "Too Quiet? Bitcoin Volatility Hits Record Low"). 2024 rather than 2025:
    # the middle of the last three years, not the record low. The 2.4x stressed/calm ratio is a sensitivity.
    calm_daily_vol: float = Field(0.021, ge=0, le=0.2, description=(
        "daily volatility in the calm regime: 2.1 %, with the stressed one BTC's realised 2.80 % a day in 2024 "
        "(K33 Research via CryptoSlate); at most 20 % a day"))
    stressed_daily_vol: float = Field(0.050, ge=0, le=0.2, description=(
        "daily volatility in the stressed regime: 5.0 % (the ratio to calm a sensitivity); at most 20 % a day"))
    # Markov transitions per day: sensitivity. Regime switching in BTC's volatility is documented (Ardia,
    # Bluteau & Ruede 2019, "Regime changes in Bitcoin GARCH volatility dynamics", Finance Research Letters 29),
    # but these figures are not estimates: mean spells 1/p, calm ~50 days, stressed ~10 days, so the stationary
    # stressed share is p_cs / (p_cs + p_sc) = 1/6.
    p_calm_to_stressed: float = Field(0.02, ge=0, le=1, description=(
        "daily chance calm turns stressed: calm spells ~50 days (sensitivity; regime switching: Ardia et al. "
        "2019)"))
    p_stressed_to_calm: float = Field(0.10, ge=0, le=1, description=(
        "daily chance stressed turns calm: stressed spells ~10 days (sensitivity)"))
    initial_regime: Regime = Field("calm", description="the regime on the first day (sensitivity)")
    # Order books thin out under stress: depth multiplier in the stressed regime (sensitivity)
    stressed_depth_factor: float = Field(0.4, ge=0.01, le=1, description=(
        "order-book depth multiplier in the stressed regime (sensitivity); at least 0.01, a hundredth of the "
        "calm book (thinner is no book: the impact arithmetic would overflow)"))

    def stationary_stressed_share(self) -> float:
        """The long-run share of days in the stressed regime, p_cs / (p_cs + p_sc); with no switching at
        all, the starting regime's."""
        switching = self.p_calm_to_stressed + self.p_stressed_to_calm
        if not switching:
            return 1.0 if self.initial_regime == "stressed" else 0.0
        return self.p_calm_to_stressed / switching

    def stationary_daily_growth(self) -> float:
        """E[P_t+1 / P_t] under the stationary regime mix: 1 is neutral, below 1 a built-in loss."""
        s = self.stationary_stressed_share()
        return (1 - s) * math.exp(self.calm_daily_drift) + s * math.exp(self.stressed_daily_drift)

    def stationary_daily_vol(self) -> float:
        """Standard deviation of the daily log return under the stationary regime mix: the regimes' variances
        mixed, plus the spread of their means (negligible at the defaults)."""
        s = self.stationary_stressed_share()
        means = (self.calm_daily_drift - self.calm_daily_vol**2 / 2,
                 self.stressed_daily_drift - self.stressed_daily_vol**2 / 2)
        variance = (1 - s) * self.calm_daily_vol**2 + s * self.stressed_daily_vol**2
        return math.sqrt(variance + s * (1 - s) * (means[0] - means[1]) ** 2)

    def annual_vol(self) -> float:
        """The stationary daily volatility x sqrt(365), the convention of the cited figures."""
        return self.stationary_daily_vol() * math.sqrt(DAYS_PER_YEAR)


@dataclass(frozen=True)
class DepthParams:
    """One platform's liquidity: notional that moves the price 1%, and units it will absorb per day.

    Built per sale from a validated PlatformConfig (va_depth_usd_at_1pct > 0, va_daily_volume_cap_coins > 0),
    so it carries no checks of its own."""

    depth_usd_cents_at_1pct: int
    daily_volume_cap_units: int
    platform: str = "default"  # the daily cap is tracked per platform name


@dataclass(frozen=True)
class Fill:
    quantity_units: int  # filled
    average_price_usd_cents: int
    proceeds_usd_cents: int
    impact_bps: int
    unfilled_units: int = 0  # refused by the platform's daily volume cap

    @property
    def refused(self) -> bool:
        return self.quantity_units == 0 and self.unfilled_units > 0


@dataclass
class _PlatformDay:
    sold_units: int = 0


class VirtualAssetMarket:
    def __init__(self, params: VirtualAssetParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._price = params.initial_price_usd_cents
        self._regime: Regime = params.initial_regime
        self._platform_day: dict[str, _PlatformDay] = {}
        self.day = 0

    @property
    def price_usd_cents(self) -> int:
        return self._price

    @property
    def regime(self) -> Regime:
        return self._regime

    def step(self) -> None:
        """Advance one day: regime transition, then a price move in the new regime; order books refill."""
        p = self.params
        switch_u = self._rng.random()
        z = self._rng.standard_normal()  # fixed two draws per day
        if self._regime == "calm" and switch_u < p.p_calm_to_stressed:
            self._regime = "stressed"
        elif self._regime == "stressed" and switch_u < p.p_stressed_to_calm:
            self._regime = "calm"
        mu, sigma = ((p.calm_daily_drift, p.calm_daily_vol) if self._regime == "calm"
                     else (p.stressed_daily_drift, p.stressed_daily_vol))
        log_return = mu - 0.5 * sigma**2 + sigma * z
        self._price = max(1, math.floor(self._price * math.exp(log_return)))
        self._platform_day.clear()
        self.day += 1

    def value_usd_cents(self, quantity_units: int) -> int:
        """Mark-to-market at the current price, floored, no impact."""
        return quantity_units * self._price // UNITS_PER_COIN

    def sell(self, quantity_units: int, platform_depth: DepthParams) -> Fill:
        if not isinstance(quantity_units, int) or isinstance(quantity_units, bool) or quantity_units < 0:
            raise ValueError("quantity_units must be a non-negative int")
        day = self._platform_day.setdefault(platform_depth.platform, _PlatformDay())
        room = max(platform_depth.daily_volume_cap_units - day.sold_units, 0)
        filled = min(quantity_units, room)
        unfilled = quantity_units - filled
        if filled == 0:
            return Fill(0, 0, 0, 0, unfilled_units=unfilled)

        depth: float = platform_depth.depth_usd_cents_at_1pct
        if self._regime == "stressed":
            depth *= self.params.stressed_depth_factor
        s0 = day.sold_units * self._price / UNITS_PER_COIN / depth
        s1 = (day.sold_units + filled) * self._price / UNITS_PER_COIN / depth
        average_concession_pct = (2.0 / 3.0) * (s1**1.5 - s0**1.5) / (s1 - s0) if s1 > s0 else 0.0
        impact_bps = min(math.ceil(ONE_PERCENT_BPS * average_concession_pct), BPS)

        proceeds = filled * self._price * (BPS - impact_bps) // (UNITS_PER_COIN * BPS)
        average_price = proceeds * UNITS_PER_COIN // filled
        day.sold_units += filled
        return Fill(filled, average_price, proceeds, impact_bps, unfilled_units=unfilled)
