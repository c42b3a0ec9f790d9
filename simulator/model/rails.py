"""Payment rails (CIPS, SWIFT, FPS, on-chain) with latency, cut-offs, business calendars and fees.

Time: naive `datetime`s in Hong Kong time (HKT, UTC+8; Beijing time is the same offset, so CIPS cut-offs
need no conversion). Money: integer minor units of the transfer currency.

Fee rounding: fee = fixed fee for the currency + floor(amount x fee_bps / 10,000); the receiver gets
amount - fee. The bps part is floored once (in the sender's favour); nothing else is rounded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

import numpy as np

from simulator.units import BPS, HOUR


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends off, plus any `holidays`. Holiday lists differ by market (HK vs mainland); pass your own."""

    holidays: frozenset[dt.date] = frozenset()

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def roll_forward(self, day: dt.date) -> dt.date:
        """`day` itself if it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_business_days(self, moment: dt.datetime, n: int) -> dt.datetime:
        """Move forward `n` business days keeping the time of day; n = 0 rolls a non-business day forward."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = moment.date()
        if n == 0:
            day = self.roll_forward(day)
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                n -= 1
        return dt.datetime.combine(day, moment.time())

    def settlement_date(self, trade_datetime: dt.datetime, t_plus: int) -> dt.date:
        """T+n: T is the trade date rolled to a business day, then n business days later.

        HK conventional bonds settle T+5; tokenised DvP T+1, or T+0 on-chain (FACTS "Payment rails", H).
        """
        if t_plus < 0:
            raise ValueError("t_plus must be >= 0")
        trade_day = dt.datetime.combine(self.roll_forward(trade_datetime.date()), dt.time())
        return self.add_business_days(trade_day, t_plus).date()


WEEKENDS_ONLY = BusinessCalendar()


class LatencyModel(Protocol):
    def draw(self, rng: np.random.Generator) -> dt.timedelta: ...


@dataclass(frozen=True)
class FixedLatency:
    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds >= 0:
            raise ValueError("seconds must be >= 0")

    def draw(self, rng: np.random.Generator) -> dt.timedelta:
        return dt.timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class UniformLatency:
    min_seconds: float
    max_seconds: float

    def __post_init__(self) -> None:
        if not 0 <= self.min_seconds <= self.max_seconds:
            raise ValueError("min_seconds must be in [0, max_seconds]")

    def draw(self, rng: np.random.Generator) -> dt.timedelta:
        return dt.timedelta(seconds=float(rng.uniform(self.min_seconds, self.max_seconds)))


@dataclass(frozen=True)
class LognormalLatency:
    """Lognormal with the given median, capped at `cap_seconds` (draws above the cap arrive at the cap)."""

    median_seconds: float
    sigma: float
    cap_seconds: float

    def __post_init__(self) -> None:
        if not self.median_seconds > 0:
            raise ValueError("median_seconds must be > 0")
        if not self.sigma >= 0:
            raise ValueError("sigma must be >= 0")
        if not self.cap_seconds >= self.median_seconds:
            raise ValueError("cap_seconds must be >= median_seconds")

    def draw(self, rng: np.random.Generator) -> dt.timedelta:
        seconds = self.median_seconds * math.exp(self.sigma * float(rng.standard_normal()))
        return dt.timedelta(seconds=min(seconds, self.cap_seconds))


@dataclass(frozen=True)
class Transfer:
    arrives_at: dt.datetime
    fee_minor: int
    received_minor: int
    rail: str
    currency: str


@dataclass(frozen=True)
class Rail:
    name: str
    latency: LatencyModel
    currencies: tuple[str, ...]
    # fixed fee per transfer in minor units of each currency the rail carries
    fixed_fee_minor: Mapping[str, int] = field(default_factory=dict, hash=False)  # a mapping is unhashable
    fee_bps: int = 0
    business_days_only: bool = False
    cutoff_hour: int | None = None  # HKT; transfers at or after it start the next business day
    opening_hour: int = 9  # HKT; business-day rails start work then
    calendar: BusinessCalendar = WEEKENDS_ONLY

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name must be non-empty")
        if not self.currencies:
            raise ValueError("currencies must be non-empty")
        unknown = set(self.fixed_fee_minor) - set(self.currencies)
        if unknown:
            raise ValueError(f"fixed_fee_minor has currencies the rail does not carry: {sorted(unknown)}")
        if any(not isinstance(v, int) or v < 0 for v in self.fixed_fee_minor.values()):
            raise ValueError("fixed_fee_minor values must be non-negative ints")
        object.__setattr__(self, "fixed_fee_minor", MappingProxyType(dict(self.fixed_fee_minor)))
        if not isinstance(self.fee_bps, int) or not 0 <= self.fee_bps <= BPS:
            raise ValueError("fee_bps must be an int in [0, 10000]")
        if not 0 <= self.opening_hour <= 23:
            raise ValueError("opening_hour must be in [0, 23]")
        if self.cutoff_hour is not None:
            if not self.business_days_only:
                raise ValueError("cutoff_hour needs business_days_only (a 24/7 rail has no cut-off)")
            if not self.opening_hour < self.cutoff_hour <= 24:
                raise ValueError("cutoff_hour must be in (opening_hour, 24]")

    def fee_for(self, amount_minor: int, currency: str) -> int:
        return self.fixed_fee_minor.get(currency, 0) + amount_minor * self.fee_bps // BPS

    def processing_starts_at(self, sent_at: dt.datetime) -> dt.datetime:
        """When the rail starts on a payment: at once on a 24/7 rail; else within business hours."""
        if not self.business_days_only:
            return sent_at
        opening = dt.time(self.opening_hour)
        today = sent_at.date()
        cutoff = self.cutoff_hour if self.cutoff_hour is not None else 24
        if self.calendar.is_business_day(today) and sent_at.hour < cutoff:
            return max(sent_at, dt.datetime.combine(today, opening))
        next_day = self.calendar.roll_forward(today + dt.timedelta(days=1))
        return dt.datetime.combine(next_day, opening)

    def transfer(self, amount_minor: int, sent_at: dt.datetime, rng: np.random.Generator,
                 currency: str | None = None) -> Transfer:
        """Send `amount_minor`; `currency` defaults to the rail's first currency."""
        ccy = self.currencies[0] if currency is None else currency
        if ccy not in self.currencies:
            raise ValueError(f"{self.name} does not carry {ccy}")
        if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor <= 0:
            raise ValueError("amount_minor must be a positive int")
        if sent_at.tzinfo is not None:
            raise ValueError("sent_at must be a naive datetime in HKT")
        fee = self.fee_for(amount_minor, ccy)
        if fee > amount_minor:
            raise ValueError(f"amount_minor {amount_minor} does not cover the {self.name} fee {fee}")
        arrives_at = self.processing_starts_at(sent_at) + self.latency.draw(rng)
        return Transfer(arrives_at=arrives_at, fee_minor=fee, received_minor=amount_minor - fee,
                        rail=self.name, currency=ccy)


# SWIFT gpi: ~50% credited within 30 min, ~100% within 24 h (FACTS "Payment rails", H). A lognormal with a
# 30-min median puts exactly half within 30 min; sigma = ln(48)/3.09 puts 99.9% within 24 h, and the cap
# the remaining 0.1% at 24 h.
SWIFT_GPI_LATENCY = LognormalLatency(median_seconds=HOUR // 2, sigma=math.log(48) / 3.09, cap_seconds=24 * HOUR)

RAILS: Mapping[str, Rail] = MappingProxyType({
    # CIPS: RMB cross-border legs (FACTS "CWM Connect" closed loop, H). Settles the same business day if sent
    # before the cut-off, else the next. Typical settlement time is NOT confirmed (FACTS "Payment rails"), so
    # latency (0-2 h), hours (09:00-17:00 HKT) and fee (RMB 50 per transfer) are sensitivity parameters.
    "CIPS": Rail(name="CIPS", latency=UniformLatency(0, 2 * HOUR), currencies=("CNY", "CNH"),
                 fixed_fee_minor={"CNY": 5_000, "CNH": 5_000}, business_days_only=True, cutoff_hour=17),
    # SWIFT gpi, 24/7 draw: the gpi figures are end-to-end, so a calendar on top would double-count delays.
    # Fees (USD 25 or equivalent per transfer) are sensitivity parameters (no source).
    "SWIFT": Rail(name="SWIFT", latency=SWIFT_GPI_LATENCY, currencies=("USD", "HKD", "CNY", "CNH"),
                  fixed_fee_minor={"USD": 2_500, "HKD": 19_500, "CNY": 18_000, "CNH": 18_000}),
    # HK FPS: 24/7, HKD and RMB, since Sep 2018 (FACTS "Payment rails", H); seconds; free for most
    # person-to-person transfers (fee is a sensitivity parameter).
    "FPS": Rail(name="FPS", latency=UniformLatency(1, 10), currencies=("HKD", "CNH")),
    # On-chain settlement token transfer: next block; the chain layer owns block timing and gas.
    "ONCHAIN": Rail(name="ONCHAIN", latency=FixedLatency(0), currencies=("HKD", "CNH", "USD")),
})
