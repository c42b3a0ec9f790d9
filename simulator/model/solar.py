"""A solar portfolio stepped one day at a time: energy, tariff revenue, O&M and the token holders' share.

Pure and step-wise (no SimPy): the world calls `step_day()` once per simulated day and `close_month()` at
each month end. Energy is a physical quantity but is reported in whole kWh; money is integer fen throughout.
Where it stands (`province`, simulator.model.provinces) sets its yield, monthly shape and benchmark price;
its weather persists (simulator.model.weather).

Rounding (one rule per conversion, nothing lost over the life):
- energy: each day's kWh is floored; the fractional kWh is carried into the next day;
- revenue and O&M: exact totals since the start are kept as integers/fractions; each statement pays
  floor(cumulative exact) minus what earlier statements already paid, so the sub-fen remainder is carried
  forward, never dropped, and the life total is floor(life exact total);
- holders' share: floor(cumulative net paid x revenue_share_bps / 10,000) minus what was already paid.
  A loss month (net < 0) pays holders nothing and the loss is carried forward against later months;
  holders never pay money back.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.limits import FieldProblem
from simulator.model.provinces import PROVINCES, ProvinceName
from simulator.model.weather import Weather, year_sigma
from simulator.units import BPS

KWH_PER_MWH = 1_000
KWP_PER_MWP = 1_000
DAYS_PER_YEAR_FOR_AGEING = 365.25  # degradation is per year of age; leap years average in

TariffModel = Literal["benchmark", "cfd"]
MonthlyShare = Annotated[tuple[Annotated[float, Field(gt=0)], ...], Field(min_length=12, max_length=12)]


@dataclass(frozen=True)
class Site:
    """The figures a run uses: the province's row with every field the scenario gave explicitly in its place."""

    province: ProvinceName
    specific_yield_kwh_per_kwp: float
    monthly_share: tuple[float, ...]
    benchmark_price_fen_per_mwh: int
    mechanism_price_fen_per_mwh: int


class SolarParams(BaseModel):
    """The solar portfolio: the scenario's `[asset]` table (simulator.model.config.WorldConfig.asset).

    Each default and bound lives here only; the world passes the validated scenario object through."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    # GCL Energy Technology + Ant Digital, Dec 2024: ~82 MW distributed solar (FACTS "Real new-energy RWA deals", H/M)
    capacity_mwp: float = Field(82.0, gt=0, le=10_000, description=(
        "peak capacity, MWp: GCL + Ant Digital, Dec 2024, ~82 MW (FACTS \"Real new-energy RWA deals\", H/M); at "
        "most 10 GWp, over a hundred such portfolios"))
    # Where the panels stand: sets yield, monthly shape and benchmark price (simulator.model.provinces, one
    # sourced table). The GCL portfolio is in Hubei/Hunan (FACTS "Real new-energy RWA deals", H/M); its split is
    # not public, and the two earn within ~1% per kWp (Hubei's better sun against Hunan's dearer coal
    # benchmark), so the default is Hubei, the first named.
    province: ProvinceName = Field("hubei", description=(
        "where the panels stand: sets yield, monthly shape and benchmark price (simulator.model.provinces); the "
        "GCL portfolio is in Hubei/Hunan (FACTS, H/M)"))
    # None: the province's figure; a value given explicitly wins (resolved once, in site()).
    specific_yield_kwh_per_kwp: float | None = Field(None, gt=0, le=3_000, description=(
        "annual energy per kWp, kWh (unset: the province's, simulator.model.provinces); at most 3,000, above "
        "any real site (Guangdong ~1,000-1,070: FACTS \"Solar fundamentals\", M)"))
    monthly_share: MonthlyShare | None = Field(  # Jan..Dec, each > 0, summing to 1
        None, description="Jan..Dec shares of the annual yield, each > 0, summing to 1; unset: the province's")
    # Daily weather (simulator.model.weather): stationary sd of the log factor, and its lag-1 autocorrelation so
    # dull days come in spells, not alone (at 0.7 a run of below-par days averages ~4 days and one in six lasts
    # a week or more; i.i.d. days averaged 2). Sensitivity parameters (no source); persistence is held at the
    # low end of the 0.7-0.9 a wet spell suggests because, with this sigma, more would on its own spread annual
    # energy beyond the published inter-annual variability below (0.9 alone: 8.4%).
    weather_sigma: float = Field(0.35, ge=0, le=2, description=(
        "stationary sd of the daily weather's log factor (sensitivity); at most 2, and with weather_persistence "
        "it must not alone spread annual energy beyond interannual_cov"))
    weather_persistence: float = Field(0.7, ge=0, lt=1, description=(
        "lag-1 autocorrelation of the daily weather, so dull days come in spells (sensitivity)"))
    # Year-to-year coefficient of variation of annual energy. Published: inter-annual CoV of annual GHI mostly
    # under 5% (Gueymard & Wilcox 2011, 8 years of NSRDB, as reported in NREL's Best Practices Handbook for Solar
    # Resource Data, s. 6.3); P99 annual insolation 4-8% below P50 across the US (AWS Truepower), i.e. a one-year
    # sd of ~2-3.5%; China's national mean GHI 2023 1.27% below its 10-year mean (CMA 2023 wind and solar
    # resource bulletin). 5%, the top of that range, for a humid monsoon site whose plum-rain and typhoon seasons
    # vary more than the average US cell: the figure is sourced as a range, the point is a sensitivity choice.
    interannual_cov: float = Field(0.05, ge=0, lt=1, description=(
        "year-to-year coefficient of variation of annual energy: published ~2-5 % (Gueymard & Wilcox 2011; "
        "AWS Truepower; CMA 2023 bulletin); 5 %, the top of that range, a sensitivity choice"))
    # Degradation: FACTS "Solar fundamentals" (H): median 0.5%/yr (NREL, Jordan & Kurtz 2013), mean 0.8-0.9%/yr,
    # higher in hot climates. The holders are paid on the portfolio's total, the sum over ~3,000 systems, which
    # ages at the fleet's mean rate, not its median; and the Hubei/Hunan rooftops sit in China's hot-summer zone
    # (Wuhan up to 44.5 C) on poorly ventilated roofs. Hence the mean, 0.8%/yr, at its low end as the fleet is
    # recent monocrystalline (0.9% a sensitivity).
    degradation_per_year: float = Field(0.008, ge=0, lt=1, description=(
        "output lost a year of age: the fleet mean 0.8-0.9 %/yr, at its low end (FACTS \"Solar fundamentals\", H)"))
    # Outages: sensitivity parameters (no source). Starts per year (Poisson), mean length in days
    # (geometric, >= 1 day), and the share of the portfolio lost while an outage lasts (a ~3,000-rooftop
    # portfolio rarely goes fully dark, hence < 1).
    outage_rate_per_year: float = Field(2.0, ge=0, le=365, description=(
        "outages starting a year, Poisson (sensitivity); at most one a day"))
    outage_mean_days: float = Field(3.0, ge=1, le=365, description=(
        "mean outage length, days, geometric >= 1 day (sensitivity); at most a year"))
    outage_capacity_loss: float = Field(0.25, ge=0, le=1, description=(
        "share of the portfolio lost while an outage lasts (sensitivity)"))
    tariff_model: TariffModel = Field("benchmark", description=(
        "benchmark: paid the coal benchmark price; cfd: sold at the market price, settled against the mechanism "
        "price (NDRC/NEA Notice 136, from 1 Jun 2025; FACTS, H)"))
    # The province's coal benchmark (1658号; simulator.model.provinces) unless given: Hubei RMB 0.4161/kWh =
    # 41,610 fen/MWh.
    benchmark_price_fen_per_mwh: int | None = Field(None, gt=0, le=1_000_000, description=(
        "coal benchmark price, fen/MWh (unset: the province's, 1658号; Hubei 41,610); at most RMB 10/kWh"))
    # CfD (NDRC/NEA Notice 136, from 1 Jun 2025; FACTS, H as a rule). For projects before 1 Jun 2025 the
    # mechanism price is the existing policy price, at most the coal benchmark: unless given, the benchmark
    # above (the cap; the figure itself is L-M, a sensitivity).
    mechanism_price_fen_per_mwh: int | None = Field(None, gt=0, le=1_000_000, description=(
        "CfD mechanism price, fen/MWh (unset: the benchmark price, its cap for pre-Jun 2025 projects; FACTS, "
        "H as a rule, the figure L-M, sensitivity); at most RMB 10/kWh"))
    # Share of the output covered by the mechanism (provinces set it; sensitivity).
    mechanism_volume_share_bps: int = Field(BPS, ge=0, le=BPS, description=(
        "share of the output covered by the mechanism, bps (provinces set it; sensitivity)"))
    # Provincial spot price process: sensitivity parameters (no source). Mean RMB 0.40/kWh, daily lognormal
    # with AR(1) persistence on the log deviation; the monthly CfD reference is the month's mean price.
    market_price_mean_fen_per_mwh: int = Field(40_000, ge=0, le=1_000_000, description=(
        "mean provincial spot price, fen/MWh: RMB 0.40/kWh (sensitivity); at most RMB 10/kWh"))
    market_price_volatility: float = Field(0.15, ge=0, le=2, description=(
        "stationary sd of the spot price's daily log deviation (sensitivity); at most 2"))
    market_price_persistence: float = Field(0.8, ge=0, lt=1, description=(
        "lag-1 autocorrelation of the spot price's log deviation (sensitivity)"))
    # O&M cost: "not confirmed" in FACTS: sensitivity. RMB 50,000 per MWp-year as a placeholder (~12% of
    # benchmark revenue in Hubei: 1,000 MWh/MWp x RMB 416/MWh ~ RMB 416k per MWp-year).
    om_cost_fen_per_mwp_year: int = Field(5_000_000, ge=0, le=10**10, description=(
        "O&M cost, fen per MWp-year: RMB 50,000, a placeholder (\"not confirmed\" in FACTS: sensitivity); at "
        "most RMB 100 m"))
    # VAT on the sale of electricity: 13 % since 1 Apr 2019 (MoF, STA and GACC Announcement [2019] No. 39);
    # on-grid tariffs, the coal benchmark included, are quoted VAT-inclusive, so revenue is the tariff receipts
    # net of it. The VAT-linked local surcharges (about 12 % of the VAT) and the originator's corporate income
    # tax fall on what the originator keeps and are not modelled.
    vat_bps: int = Field(1_300, ge=0, le=BPS, description=(
        "VAT on electricity sales, bps: 13 % since 1 Apr 2019 (MoF, STA and GACC Announcement [2019] No. 39); "
        "tariffs are VAT-inclusive"))
    # Share of net revenue sold to token holders when the offering sells its hard cap (a smaller raise sells
    # pro rata less): a deal term, not published (sensitivity). Calibrated so the deal is priced at the yield
    # quoted for the 2024 deals (7 %, FACTS "Real new-energy RWA deals", L): at 7,800 bps the expected payouts
    # of the 25-year term (revenue net of VAT, less O&M; 10 % withheld), discounted at 7 %, are worth the
    # HK$100 offering price (solar_gba_baseline: value_per_token_at_close_hkd_cents ~ 10,000, held there by
    # tests/model/test_valuation.py). At the 4,500 bps used before the term and taxes were modelled the token
    # was worth ~HK$58: a cash yield of ~7 % that was mostly capital coming back, and a negative IRR.
    revenue_share_bps: int = Field(7_800, ge=0, le=BPS, description=(
        "share of net revenue sold to token holders at the hard cap, bps: a deal term, not published "
        "(sensitivity), calibrated so the deal is priced at the 7 % yield quoted for the 2024 deals (FACTS, L)"))

    @field_validator("monthly_share", mode="before")
    @classmethod
    def _list_is_a_tuple(cls, shares: object) -> object:
        # TOML has arrays, not tuples: strict mode takes an array for the twelve shares as it is
        return tuple(shares) if isinstance(shares, list) else shares

    @field_validator("monthly_share")
    @classmethod
    def _sums_to_one(cls, shares: tuple[float, ...] | None) -> tuple[float, ...] | None:
        # the shares split the annual yield, so anything else would scale the whole year's energy
        if shares is not None and not math.isclose(sum(shares), 1.0, abs_tol=1e-9):
            raise ValueError("monthly_share must sum to 1")
        return shares

    @model_validator(mode="after")
    def _weather_fits_the_interannual_spread(self) -> SolarParams:
        try:
            self.year_log_sd()  # raises, naming the fields, when the daily weather alone spreads years too much
        except ValueError as exc:
            raise FieldProblem((("weather_sigma",), str(exc))) from None
        return self

    def site(self) -> Site:
        """The province's row with every explicit field in its place: the one place they are resolved."""
        row = PROVINCES[self.province]
        benchmark = self.benchmark_price_fen_per_mwh
        if benchmark is None:
            benchmark = row.benchmark_price_fen_per_mwh
        yield_kwh = self.specific_yield_kwh_per_kwp
        return Site(
            province=self.province,
            specific_yield_kwh_per_kwp=row.specific_yield_kwh_per_kwp if yield_kwh is None else yield_kwh,
            monthly_share=row.monthly_share if self.monthly_share is None else self.monthly_share,
            benchmark_price_fen_per_mwh=benchmark,
            mechanism_price_fen_per_mwh=(benchmark if self.mechanism_price_fen_per_mwh is None
                                         else self.mechanism_price_fen_per_mwh),
        )

    def year_log_sd(self) -> float:
        """Log-sd of the calendar-year weather factor that makes annual energy's CoV `interannual_cov`."""
        return year_sigma(self.interannual_cov, self.weather_sigma, self.weather_persistence,
                          self.site().monthly_share)

    @property
    def capacity_kwp(self) -> int:
        """Capacity in whole kWp (physical; rounded to the nearest kWp so O&M money stays exact)."""
        return round(self.capacity_mwp * KWP_PER_MWP)


@dataclass(frozen=True)
class DayOutput:
    date: dt.date
    kwh: int
    outage: bool
    weather: float  # the factor on the day's expected energy (daily x yearly, mean one)


@dataclass(frozen=True)
class MonthlyStatement:
    year: int  # calendar month of the first day accumulated into this statement
    month: int
    days: int
    kwh: int
    outage_days: int
    gross_revenue_fen: int  # net of VAT
    # CfD settlement included in gross (negative when the market beat the mechanism price); 0 for benchmark
    cfd_settlement_fen: int
    om_cost_fen: int
    net_revenue_fen: int
    holders_share_fen: int


@dataclass
class _MonthAccumulator:
    first_date: dt.date | None = None
    days: int = 0
    kwh: int = 0
    outage_days: int = 0
    market_prices_fen_per_mwh: list[int] = field(default_factory=list)


class SolarAsset:
    """A solar portfolio from `start_date`; each `step_day()` produces the next day's output."""

    def __init__(self, params: SolarParams, rng: np.random.Generator, start_date: dt.date) -> None:
        self.params = params
        self.site = params.site()
        self._rng = rng
        self._weather = Weather(params.weather_sigma, params.weather_persistence, params.year_log_sd(), rng)
        self.start_date = start_date
        self._next_date = start_date
        self._energy_carry_kwh = 0.0
        self._outage_days_left = 0
        # log deviation of the market price from its mean, started from its stationary distribution
        self._log_price_deviation = float(rng.normal(0.0, params.market_price_volatility))
        self._month = _MonthAccumulator()
        # exact cumulative money since start (milli-fen for revenue: kWh x fen/MWh), and what has been paid
        self._gross_exact_millifen = Fraction(0)
        self._cfd_exact_millifen = Fraction(0)
        self._om_exact_fen = Fraction(0)
        self._gross_paid_fen = 0
        self._cfd_paid_fen = 0
        self._om_paid_fen = 0
        self._net_paid_fen = 0
        self._holders_paid_fen = 0

    @property
    def current_date(self) -> dt.date:
        """The date the next `step_day()` will produce."""
        return self._next_date

    def step_day(self) -> DayOutput:
        p, site = self.params, self.site
        day = self._next_date
        # Fixed number of draws per day, always in the same order, so changing outage or tariff settings
        # never shifts the weather draws of a seeded run (the yearly weather draws come from a child stream).
        weather_z = self._rng.standard_normal()
        outage_u = self._rng.random()
        outage_len_u = self._rng.random()
        price_z = self._rng.standard_normal()

        # outage state: a new outage may start only on a day not already in one
        if self._outage_days_left == 0:
            start_prob = -math.expm1(-p.outage_rate_per_year / 365.0)
            if outage_u < start_prob:
                # geometric duration >= 1 day with mean outage_mean_days, by inversion
                continue_prob = 1.0 - 1.0 / p.outage_mean_days
                if continue_prob <= 0:
                    self._outage_days_left = 1
                else:
                    self._outage_days_left = 1 + int(math.log1p(-outage_len_u) / math.log(continue_prob))
        outage = self._outage_days_left > 0
        if outage:
            self._outage_days_left -= 1

        days_in_month = calendar.monthrange(day.year, day.month)[1]
        age_years = (day - self.start_date).days / DAYS_PER_YEAR_FOR_AGEING
        expected_kwh = (
            p.capacity_kwp * site.specific_yield_kwh_per_kwp * site.monthly_share[day.month - 1] / days_in_month
            * (1.0 - p.degradation_per_year) ** age_years
        )
        weather = self._weather.step(day, weather_z)  # mean one
        availability = 1.0 - p.outage_capacity_loss if outage else 1.0
        energy = expected_kwh * weather * availability + self._energy_carry_kwh
        kwh = math.floor(energy)
        self._energy_carry_kwh = energy - kwh

        # market price: AR(1) on the log deviation, stationary sd = volatility, mean-corrected to the mean price
        sigma, phi = p.market_price_volatility, p.market_price_persistence
        self._log_price_deviation = phi * self._log_price_deviation + math.sqrt(1 - phi**2) * sigma * price_z
        # the day's price is floored to whole fen/MWh (0.001 fen/kWh), its one rounding
        price_factor = math.exp(self._log_price_deviation - 0.5 * sigma**2)
        market_price = math.floor(p.market_price_mean_fen_per_mwh * price_factor)

        if p.tariff_model == "benchmark":
            self._gross_exact_millifen += kwh * site.benchmark_price_fen_per_mwh
        else:
            self._gross_exact_millifen += kwh * market_price  # sold at the market; CfD settled at month close

        # O&M accrues per calendar day of the year it falls in
        days_in_year = 366 if calendar.isleap(day.year) else 365
        self._om_exact_fen += Fraction(p.om_cost_fen_per_mwp_year * p.capacity_kwp, KWP_PER_MWP * days_in_year)

        month = self._month
        if month.first_date is None:
            month.first_date = day
        month.days += 1
        month.kwh += kwh
        month.outage_days += int(outage)
        month.market_prices_fen_per_mwh.append(market_price)

        self._next_date = day + dt.timedelta(days=1)
        return DayOutput(date=day, kwh=kwh, outage=outage, weather=weather)

    def close_month(self) -> MonthlyStatement:
        """Statement for every day stepped since the last close (normally one calendar month)."""
        p = self.params
        month = self._month
        if month.first_date is None:
            raise RuntimeError("close_month called with no days stepped since the last close")

        if p.tariff_model == "cfd":
            # Two-sided CfD (Notice 136): (mechanism - reference) x covered kWh, reference = month's mean price
            n = len(month.market_prices_fen_per_mwh)
            reference_x_n = sum(month.market_prices_fen_per_mwh)
            mechanism_minus_reference_x_n = self.site.mechanism_price_fen_per_mwh * n - reference_x_n
            cfd = Fraction(month.kwh * mechanism_minus_reference_x_n * p.mechanism_volume_share_bps, n * BPS)
            self._cfd_exact_millifen += cfd
            self._gross_exact_millifen += cfd

        # receipts are VAT-inclusive: revenue is receipts x 1 / (1 + VAT), exact, floored once, carried forward
        gross = _floor_div_millifen(self._gross_exact_millifen * BPS / (BPS + p.vat_bps)) - self._gross_paid_fen
        cfd_fen = _floor_div_millifen(self._cfd_exact_millifen) - self._cfd_paid_fen
        om = math.floor(self._om_exact_fen) - self._om_paid_fen
        net = gross - om
        self._gross_paid_fen += gross
        self._cfd_paid_fen += cfd_fen
        self._om_paid_fen += om
        self._net_paid_fen += net

        holders_target = max(self._net_paid_fen, 0) * p.revenue_share_bps // BPS
        holders = max(holders_target - self._holders_paid_fen, 0)
        self._holders_paid_fen += holders

        statement = MonthlyStatement(
            year=month.first_date.year, month=month.first_date.month, days=month.days, kwh=month.kwh,
            outage_days=month.outage_days, gross_revenue_fen=gross, cfd_settlement_fen=cfd_fen,
            om_cost_fen=om, net_revenue_fen=net, holders_share_fen=holders,
        )
        self._month = _MonthAccumulator()
        return statement

    @property
    def net_revenue_paid_fen(self) -> int:
        """Net revenue reported in all statements so far (the base of the holders' share)."""
        return self._net_paid_fen


def _floor_div_millifen(amount_millifen: Fraction) -> int:
    return math.floor(amount_millifen / KWH_PER_MWH)
