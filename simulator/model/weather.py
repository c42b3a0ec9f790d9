"""Weather that persists: the factor a day's expected energy is multiplied by, mean one.

Two mean-one lognormal parts, independent of each other:
- daily: an AR(1) process on the log factor, `log_dev(t) = phi * log_dev(t-1) + sqrt(1 - phi^2) * sigma * z(t)`,
  stationary sd `sigma` and lag-1 autocorrelation `phi`, started from its stationary distribution, so dull days
  come in spells of days to weeks instead of one at a time; the factor is `exp(log_dev - sigma^2 / 2)` (mean
  exactly one);
- yearly: one draw per calendar year, `exp(s * z - s^2 / 2)`, for what makes one year sunnier than the next.

The scenario names the year-to-year coefficient of variation (CoV) of annual energy, the quantity the resource
literature publishes. A persistent daily process already spreads annual totals on its own (with phi 0.7 and sigma
0.35 about 4.6%), so the year factor's `s` supplies only the rest: `(1 + cov^2) = (1 + cov_year^2)(1 + cov_daily^2)`.

Draws: the daily z comes from the asset's stream, one a day in its fixed slot; the yearly draws and the starting
state come from a child stream spawned from it, so a new year never shifts any other draw of a seeded run.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np

_NON_LEAP_YEAR = 2025  # day weights of a typical year; a leap year's one extra day changes nothing material


def daily_annual_cov(sigma: float, persistence: float, monthly_share: tuple[float, ...]) -> float:
    """CoV of a calendar year's energy from the daily AR(1) factor alone (exact for a 365-day year without ageing
    or outages, which add little: 0.8% a year of ageing barely reweights the days, outages ~0.4% of spread).

    The year's energy is sum_t w_t X_t with w_t the day's expected share (the month's share spread over its days)
    and X_t = exp(Z_t - sigma^2/2); Cov(X_i, X_j) = exp(sigma^2 * phi^|i-j|) - 1 for the stationary process."""
    if sigma == 0:
        return 0.0
    days = [calendar.monthrange(_NON_LEAP_YEAR, month)[1] for month in range(1, 13)]
    weights = np.concatenate([np.full(n, share / n) for n, share in zip(days, monthly_share, strict=True)])
    n = len(weights)
    # sum_i w_i w_{i+k} for each lag k >= 0
    lag_products = np.correlate(weights, weights, mode="full")[n - 1:]
    covariances = np.expm1(sigma**2 * persistence ** np.arange(n))
    variance = lag_products[0] * covariances[0] + 2.0 * float(np.dot(lag_products[1:], covariances[1:]))
    return math.sqrt(variance) / float(weights.sum())


def year_sigma(interannual_cov: float, sigma: float, persistence: float, monthly_share: tuple[float, ...]) -> float:
    """Log-sd of the calendar-year factor that brings annual energy's CoV to `interannual_cov`.

    Raises ValueError when the daily process alone already spreads annual energy more than that."""
    daily = daily_annual_cov(sigma, persistence, monthly_share)
    remaining = (1.0 + interannual_cov**2) / (1.0 + daily**2)
    if remaining < 1.0 - 1e-12:
        raise ValueError(
            f"weather_sigma {sigma} with weather_persistence {persistence} alone spread annual energy by "
            f"{daily:.2%}, more than interannual_cov {interannual_cov:.2%}: lower them or raise interannual_cov")
    return math.sqrt(math.log(max(remaining, 1.0)))


class Weather:
    """The weather factor of successive days; `step(day, z)` with the day's standard normal from the asset."""

    def __init__(self, sigma: float, persistence: float, year_log_sd: float, rng: np.random.Generator) -> None:
        self.sigma = sigma
        self.persistence = persistence
        self.year_log_sd = year_log_sd
        # its own child stream (spawning draws nothing from the parent): the starting state and the yearly draws
        self._rng = rng.spawn(1)[0]
        # log deviation started from its stationary distribution, so the first day is as likely wet as any other
        self._log_dev = sigma * float(self._rng.standard_normal())
        self._year: int | None = None
        self.year_factor = 1.0
        self.daily_factor = 1.0

    def step(self, day: dt.date, z: float) -> float:
        """The factor for `day` (days in order): daily AR(1) factor times the calendar year's factor."""
        if day.year != self._year:
            self._year = day.year
            s = self.year_log_sd
            self.year_factor = math.exp(s * float(self._rng.standard_normal()) - 0.5 * s**2)
        phi, sigma = self.persistence, self.sigma
        self._log_dev = phi * self._log_dev + math.sqrt(1.0 - phi**2) * sigma * z
        self.daily_factor = math.exp(self._log_dev - 0.5 * sigma**2)
        return self.daily_factor * self.year_factor
