"""Typed, validated parameters of a world (pydantic; unknown keys refused, units in the names).

Defaults stand for the real world; each cites its row of ../shared/FACTS.md or says it is a sensitivity
parameter, in its field's description (what `rwa-sim schema` prints). This is the one place each default and
bound lives: the `asset`, `fx` and `va_market` tables are the pure modules' own parameter models (SolarParams,
FxParams, VirtualAssetParams), passed to the runtime as they are, and the policy gate's rules are derived
from `PolicyConfig` by `PolicyConfig.rules()`. Bounds are what the model can run and compute exactly
(simulator.limits); types are strict: TOML's own types only (an int stands for a float, nothing else is
converted: "217000000" is not a number, "no" not a boolean).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from simulator.limits import (
    KB_PER_INVESTOR,
    MAX_CHANNELS,
    MAX_COINS,
    MAX_DAYS,
    MAX_INVESTORS,
    MAX_MONEY,
    MAX_NAME_LENGTH,
    MAX_PLATFORMS,
    MAX_PRICE_CENTS,
    MAX_SELL_FACTOR,
    MAX_SHOCKS,
    MAX_WEIGHT,
    NAME_PATTERN,
    START_DATE_MAX,
    START_DATE_MIN,
    FieldProblem,
)
from simulator.model.classes import INVESTOR_CLASSES, ClassName
from simulator.model.config_market import PortfolioConfig, ProductConfig
from simulator.model.config_tables import (
    MAX_ARRIVAL_STEPS,
    PLATFORM_SHOCKS,
    ArrivalStep,
    CwmConfig,
    DisposalConfig,
    IdentityConfig,
    IssuerConfig,
    LegalConfig,
    MarketConfig,
    PolicyConfig,
    ShockConfig,
    VaEtfConfig,
    _Strict,
    arrival_day,
    arrival_profile_problems,
    days_field,
)
from simulator.model.fx import FxParams
from simulator.model.solar import SolarParams
from simulator.model.va_market import VirtualAssetParams
from simulator.units import BPS, token_unit_problem

__all__ = ["PLATFORM_SHOCKS", "CwmChannelConfig", "CwmConfig", "DisposalConfig", "InvestorClassConfig",
           "IssuerConfig", "LegalConfig", "MarketConfig", "OfferingConfig", "PlatformConfig", "PolicyConfig",
           "ShockConfig", "VaEtfConfig", "WorldConfig"]


def _name(description: str) -> str:
    return Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=NAME_PATTERN, description=description)


class OfferingConfig(_Strict):
    """The primary offering of the revenue-rights token, priced and settled in HKD."""

    price_hkd_cents: int = Field(10_000, gt=0, le=MAX_PRICE_CENTS,
                                 description="HKD cents per token: HK$100, a deal term (sensitivity)")
    hard_cap_hkd: int = Field(217_000_000, gt=0, le=MAX_MONEY, description=(
        "HKD the offering sells at most: GCL Dec 2024 raised > RMB 200 m (FACTS \"Real new-energy RWA deals\", "
        "H/M), ~HK$217 m at 1.085 HKD/CNY"))
    soft_cap_hkd: int = Field(100_000_000, ge=0, le=MAX_MONEY, description=(
        "HKD the offering must raise to close, else every subscription is refunded; at most hard_cap_hkd "
        "(sensitivity)"))
    min_ticket_hkd: int = Field(100_000, gt=0, le=MAX_MONEY, description="smallest subscription, HKD (sensitivity)")
    max_ticket_hkd: int = Field(20_000_000, gt=0, le=MAX_MONEY, description=(
        "largest subscription, HKD; at least min_ticket_hkd (sensitivity)"))
    duration_days: int = days_field(60, "days the offering is open after the service approval (sensitivity)", ge=1)
    allocation: Literal["pro-rata", "first-come"] = Field("pro-rata", description=(
        "how an oversubscribed offering allocates: pro rata to every subscription, or in order of arrival (a "
        "deal term, not published: sensitivity)"))
    close_batch_size: int = Field(100, ge=1, le=150, description=(
        "allocations per close transaction; at most 150 to stay inside the block gas limit"))
    term_years: int = Field(25, ge=1, le=40, description=(
        "years the revenue right runs from the close: by default the asset's remaining life, PV modules' usual "
        "25-year performance warranty and design life (sensitivity: the deals' own tenors are not published, "
        "FACTS \"Real new-energy RWA deals\"). At the end the tokens expire or are bought back"))
    end_of_term: Literal["expiry", "buyback"] = Field("expiry", description=(
        "at the end of the term the tokens are burned for nothing (expiry) or bought back at "
        "buyback_price_hkd_cents (buyback); a deal term, not published (sensitivity)"))
    buyback_price_hkd_cents: int = Field(0, ge=0, le=MAX_PRICE_CENTS, description=(
        "HKD cents a token the issuer pays at the end of the term; used only with end_of_term 'buyback', which "
        "needs it > 0 (sensitivity)"))

    @model_validator(mode="after")
    def _caps(self) -> OfferingConfig:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if self.end_of_term == "buyback" and self.buyback_price_hkd_cents == 0:
            problems.append((("buyback_price_hkd_cents",), "end_of_term 'buyback' needs buyback_price_hkd_cents > 0"))
        if self.soft_cap_hkd > self.hard_cap_hkd:
            problems.append((("soft_cap_hkd",), f"soft_cap_hkd {self.soft_cap_hkd} must not exceed hard_cap_hkd "
                                                f"{self.hard_cap_hkd}"))
        if self.min_ticket_hkd > self.max_ticket_hkd:
            problems.append((("min_ticket_hkd",), f"min_ticket_hkd {self.min_ticket_hkd} must not exceed "
                                                  f"max_ticket_hkd {self.max_ticket_hkd}"))
        unit_problem = token_unit_problem(self.price_hkd_cents, self.hard_cap_hkd)
        if unit_problem:  # the outputs count tokens in int64 10**-9 token: never rounded, never overflowing
            problems.append(((unit_problem[0],), unit_problem[1]))
        buyback_hkd = self.hard_cap_hkd * self.buyback_price_hkd_cents // self.price_hkd_cents
        if buyback_hkd > MAX_MONEY:
            problems.append((("buyback_price_hkd_cents",), f"buying back the whole hard cap would cost "
                                                           f"HK${buyback_hkd:,}, above the HK${MAX_MONEY:,} any "
                                                           "amount may be"))
        if problems:
            raise FieldProblem(*problems)
        return self


_AML_FP = "share of clean applicants AML screening wrongly flags (sensitivity)"
_AML_FN = "share of bad actors AML screening lets through (sensitivity)"
_KYC_FAIL = "share of applicants failing KYC: incomplete documents etc. (sensitivity)"


class PlatformConfig(_Strict):
    """A licensed Hong Kong platform (VATP licensing in force 1 Jun 2023: FACTS, H)."""

    name: str = _name("the platform's name, unique among the platforms")
    kyc_capacity_per_day: int = Field(200, ge=1, le=MAX_INVESTORS, description="onboardings a day (sensitivity)")
    kyc_latency_days: int = days_field(2, "days from application to onboarding (sensitivity)")
    aml_false_positive_rate: float = Field(0.01, ge=0, le=1, description=_AML_FP)
    aml_false_negative_rate: float = Field(0.05, ge=0, le=1, description=_AML_FN)
    fee_bps: int = Field(20, ge=0, le=1_000, description="trading fee on the cash leg, bps (sensitivity)")
    outage_probability_per_day: float = Field(0.002, ge=0, le=1, description=(
        "chance a day that the platform is out for the rest of it (sensitivity)"))
    kyc_failure_rate: float = Field(0.02, ge=0, le=1, description=_KYC_FAIL)
    lists_token: bool = Field(True, description="the platform's listing decision for secondary trading "
                                                "(sensitivity)")
    listing_delay_days: int = days_field(0, "secondary trading starts this many days after the offering closes "
                                       "(sensitivity)")
    va_depth_usd_at_1pct: int = Field(5_000_000, gt=0, le=MAX_MONEY, description=(
        "seized-asset disposal: USD of the virtual asset's order book within 1 % of mid (sensitivity)"))
    va_daily_volume_cap_coins: int = Field(200, gt=0, le=MAX_COINS, description=(
        "seized-asset disposal: coins the platform takes a day (sensitivity)"))
    weight: float = Field(1.0, gt=0, le=MAX_WEIGHT, description=(
        "relative share of new HK and international investors choosing it (sensitivity)"))


class CwmChannelConfig(_Strict):
    """A CWM Connect participant a mainland investor goes through: a bank (since Sep 2021) or an SFC-licensed
    securities firm (admitted 26 Feb 2024; FACTS "CWM Connect", H). It checks eligibility and KYC, holds its
    clients' positions as nominee (segregated custody wallets it controls) and routes their orders to a
    licensed HK platform."""

    name: str = _name("the channel's name, unique among the channels")
    kind: Literal["bank", "broker"] = Field(description="a bank or an SFC-licensed securities firm (FACTS, H)")
    platform: str = Field("", max_length=MAX_NAME_LENGTH, description=(
        "the licensed platform its clients' orders go to: one of the platforms' names ('': the first)"))
    weight: float = Field(1.0, gt=0, le=MAX_WEIGHT, description=(
        "relative share of new mainland clients choosing it (sensitivity)"))
    admitted_day: int = days_field(0, (
        "day from which it takes new clients: securities firms were admitted with the \"2.0\" rules of 26 Feb "
        "2024 (FACTS \"CWM Connect\", H); 0 for a channel there from the start"))
    kyc_capacity_per_day: int = Field(200, ge=1, le=MAX_INVESTORS, description="onboardings a day (sensitivity)")
    kyc_latency_days: int = days_field(5, "days from application to onboarding (sensitivity)")
    kyc_failure_rate: float = Field(0.02, ge=0, le=1, description=_KYC_FAIL)
    aml_false_positive_rate: float = Field(0.01, ge=0, le=1, description=_AML_FP)
    aml_false_negative_rate: float = Field(0.05, ge=0, le=1, description=_AML_FN)


def _default_channels() -> list[CwmChannelConfig]:
    # banks carry most CWM clients (67 banks by end-2023, brokers only since Feb 2024: FACTS); the 3:1 split
    # is a sensitivity parameter
    return [CwmChannelConfig(name="cwm-bank", kind="bank", weight=3.0),
            CwmChannelConfig(name="cwm-broker", kind="broker", weight=1.0)]


def _share(default: float, description: str) -> float:
    return Field(default, ge=0, le=1, description=description)


_MAINLAND = "mainland classes only: "


class InvestorClassConfig(_Strict):
    """One class of prospective investors: how many arrive, their wealth, appetite and behaviour."""

    count: int = Field(0, ge=0, le=MAX_INVESTORS, description=(
        f"prospective investors arriving over the arrival window; at most {MAX_INVESTORS:,}, also in all classes "
        f"together (memory: ~{KB_PER_INVESTOR} KB of model state each)"))
    arrival_days: int = days_field(90, "days after the service approval over which they arrive (uniformly, "
                                       "unless arrival_profile says otherwise)", ge=1)
    arrival_profile: list[ArrivalStep] = Field(default_factory=list, max_length=MAX_ARRIVAL_STEPS, description=(
        "relative arrival intensity by period of the arrival window: each step holds from its from_day to the "
        "next; the first starts at day 0 (empty: uniform). A calibration parameter, e.g. the rush after the "
        "CWM \"2.0\" rules"))
    wealth_median_hkd: int = Field(10_000_000, gt=0, le=MAX_MONEY, description=(
        "median investable wealth, HKD, lognormal (sensitivity)"))
    wealth_sigma: float = Field(1.0, ge=0, le=3, description=(
        "log-sd of wealth (sensitivity); at most 3, where the mean is already 90 times the median"))
    ticket_share_of_wealth_bps: int = Field(500, ge=1, le=BPS, description=(
        "share of wealth put into a subscription or a bid, bps, within the offering's tickets (sensitivity)"))
    hold_days_mean: int = days_field(720, "mean holding period before selling, days (sensitivity)", ge=1)
    buy_interest_per_day: float = _share(0.002, "daily chance an onboarded non-holder bids (sensitivity)")
    gba_hukou_share: float = _share(0.7, _MAINLAND + (
        "share holding a GBA hukou, one CWM eligibility leg (sensitivity; the rules are FACTS, H)"))
    gba_social_security_years_max: int = Field(4, ge=0, le=60, description=_MAINLAND + (
        "years of GBA social security an arrival without a hukou has, drawn uniformly from 0 to this (the "
        "other residency leg: 2 years since 26 Feb 2024, 5 before; sensitivity)"))
    experienced_share: float = _share(0.8, _MAINLAND + "share with >= 2 years of investment experience "
                                                       "(sensitivity)")
    wealth_test_share: float = _share(0.6, _MAINLAND + "share passing the CWM wealth test (sensitivity)")
    via_cwm_share: float = _share(1.0, _MAINLAND + "share going through CWM; the rest try to buy outside it and "
                                                   "are refused (sensitivity)")
    both_channels_share: float = _share(0.1, _MAINLAND + (
        "share holding accounts at both a bank and a broker, each then with RMB 1.5 m of the quota "
        "(sensitivity; the rule is FACTS, H)"))
    bad_actor_share: float = _share(0.005, "share of applicants AML should stop (sensitivity)")
    price_drop_sell_factor: float = Field(3.0, ge=0, le=MAX_SELL_FACTOR, description=(
        "extra sell pressure per unit of loss against the entry price (sensitivity)"))
    yield_shortfall_sell_factor: float = Field(2.0, ge=0, le=MAX_SELL_FACTOR, description=(
        "extra sell pressure when the yield trails expectation (sensitivity)"))
    expected_yield_bps: int = Field(700, ge=0, le=BPS, description=(
        "yield holders expect a year, bps (FACTS: 5.2-8 % quoted, L)"))
    closed_loop_violation_share: float = _share(0.02, _MAINLAND + (
        "share of sellers asking for proceeds to go anywhere but the paired account, refused by the closed "
        "loop (sensitivity)"))

    @model_validator(mode="after")
    def _profile_within_window(self) -> InvestorClassConfig:
        problems = arrival_profile_problems(self.arrival_profile, self.arrival_days)
        if problems:
            raise FieldProblem(*problems)
        return self

    def arrival_day(self, u: float) -> float:
        """The day of the arrival window at quantile `u` in [0, 1) of the arrival density."""
        return arrival_day(self.arrival_profile, self.arrival_days, u)


MAINLAND_ONLY = ("gba_hukou_share", "gba_social_security_years_max", "experienced_share", "wealth_test_share",
                 "via_cwm_share", "both_channels_share",
                 "closed_loop_violation_share")


def _default_investors() -> dict[str, InvestorClassConfig]:
    return {
        "mainland_gba": InvestorClassConfig(count=0, wealth_median_hkd=3_000_000, ticket_share_of_wealth_bps=2_000),
        "hk_retail": InvestorClassConfig(count=0, wealth_median_hkd=1_500_000, ticket_share_of_wealth_bps=1_000),
        # professional investor: portfolio >= HK$ 8 m (FACTS, H)
        "hk_professional": InvestorClassConfig(count=40, wealth_median_hkd=30_000_000),
        "esg_fund": InvestorClassConfig(count=10, wealth_median_hkd=2_000_000_000, ticket_share_of_wealth_bps=100,
                                        hold_days_mean=1_500),
    }


Problems = list[tuple[tuple[str | int, ...], str]]


class WorldConfig(_Strict):
    """A world's parameters: when and how long it runs, the asset, the offering, who invests, the rules and
    the events."""

    start_date: dt.date = Field(dt.date(2026, 1, 1), ge=START_DATE_MIN, le=START_DATE_MAX, description=(
        f"the first simulated day, a TOML date (unquoted, e.g. 2026-01-01), from {START_DATE_MIN} to "
        f"{START_DATE_MAX}"))
    horizon_days: int = Field(365, ge=1, le=MAX_DAYS, description="days simulated, at most 40 years")
    asset: SolarParams = Field(SolarParams(), description="the solar portfolio whose revenue the token shares")
    fx: FxParams = Field(FxParams(), description="the FX processes: USD/HKD in the peg band, USD/CNY, CNH")
    issuer: IssuerConfig = Field(IssuerConfig(), description="the service approval and the revenue's way out")
    offering: OfferingConfig = Field(OfferingConfig(), description="the primary offering")
    platforms: list[PlatformConfig] = Field(
        default_factory=lambda: [PlatformConfig(name="hk-vatp-1")], min_length=1, max_length=MAX_PLATFORMS,
        description="the licensed HK platforms, names unique")
    investors: dict[ClassName, InvestorClassConfig] = Field(default_factory=_default_investors, description=(
        f"the investor classes, by name; an absent class has none. At most {MAX_INVESTORS:,} investors in all "
        f"(memory: ~{KB_PER_INVESTOR} KB of model state each)"))
    policy: PolicyConfig = Field(PolicyConfig(), description="the rules in force at the start")
    market: MarketConfig = Field(MarketConfig(), description="the secondary market")
    shocks: list[ShockConfig] = Field(default_factory=list, max_length=MAX_SHOCKS, description=(
        "dated events, each before the horizon's end"))
    disposal: DisposalConfig = Field(DisposalConfig(), description="a seized-asset disposal (none by default)")
    va_market: VirtualAssetParams = Field(VirtualAssetParams(), description=(
        "the virtual asset the disposal and the VA ETF trade"))
    va_etf: VaEtfConfig = Field(VaEtfConfig(), description="spot VA ETFs for mainland investors")
    legal: LegalConfig = Field(LegalConfig(), description="AML monitoring, court orders, lost keys")
    identity: IdentityConfig = Field(IdentityConfig(), description=(
        "on-chain identities: claim validity and reviews, trust in a platform's claims"))
    cwm_channels: list[CwmChannelConfig] = Field(default_factory=_default_channels, min_length=1,
                                                 max_length=MAX_CHANNELS,
                                                 description="the CWM Connect banks and brokers, names unique")
    products: list[ProductConfig] = Field(default_factory=list, max_length=7, description=(
        "the CWM market's shelf, names unique (empty: the single-token world, where a mainland investor's only "
        "southbound product is the token)"))
    portfolio: PortfolioConfig = Field(PortfolioConfig(), description=(
        "how CWM investors choose among the products; used only with products"))

    @field_validator("investors", mode="before")
    @classmethod
    def _class_defaults_survive(cls, value: object) -> object:
        """A class table names only what it changes: the rest keeps that class's defaults (a scenario giving
        `[investors.hk_retail]` just a count keeps retail's wealth and ticket, not the generic ones)."""
        if not isinstance(value, dict):
            return value
        defaults = _default_investors()
        merged: dict[object, object] = {}
        for name, table in value.items():
            base = defaults.get(name) if isinstance(name, str) else None
            if base is not None and isinstance(table, dict):
                merged[name] = {**base.model_dump(exclude_unset=True), **table}
            elif base is not None and isinstance(table, InvestorClassConfig):
                merged[name] = {**base.model_dump(exclude_unset=True), **table.model_dump(exclude_unset=True)}
            else:
                merged[name] = table
        return merged

    @field_validator("investors")
    @classmethod
    def _runnable_classes(cls, value: dict[str, InvestorClassConfig]) -> dict[str, InvestorClassConfig]:
        problems: Problems = []
        total = sum(c.count for c in value.values())
        if total > MAX_INVESTORS:
            counts = ", ".join(f"{name} {c.count:,}" for name, c in value.items() if c.count)
            problems.append(((), f"{total:,} investors in all ({counts}) exceed {MAX_INVESTORS:,}, the most a run "
                                 f"holds in memory (~{KB_PER_INVESTOR} KB of model state each: "
                                 f"~{total * KB_PER_INVESTOR / 2**20:.0f} GiB)"))
        generic = InvestorClassConfig()
        for name, c in value.items():
            if not INVESTOR_CLASSES[name].southbound:
                problems.extend(((name, f), f"{name} investors are not mainland residents: {f} applies only to "
                                            "mainland classes")
                                for f in MAINLAND_ONLY if getattr(c, f) != getattr(generic, f))
        if problems:
            raise FieldProblem(*problems)
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> WorldConfig:
        problems: Problems = []
        names = [p.name for p in self.platforms]
        for i, name in enumerate(names):
            if name in names[:i]:
                problems.append((("platforms", i, "name"), f"platform name {name!r} is used twice"))
        for i, name in enumerate(self.disposal.platforms):
            if name not in names:
                problems.append((("disposal", "platforms", i), f"unknown platform {name!r}"))
        channels = [c.name for c in self.cwm_channels]
        for i, channel in enumerate(self.cwm_channels):
            if channel.name in channels[:i]:
                problems.append((("cwm_channels", i, "name"), f"channel name {channel.name!r} is used twice"))
            if channel.platform and channel.platform not in names:
                problems.append((("cwm_channels", i, "platform"), f"unknown platform {channel.platform!r}"))
        if all(c.admitted_day > 0 for c in self.cwm_channels):
            problems.append((("cwm_channels", 0, "admitted_day"), "no CWM channel takes clients from day 0: at least "
                                                                  "one (the banks, since Sep 2021) must"))
        products = [p.name for p in self.products]
        for i, product in enumerate(self.products):
            if product.name in products[:i]:
                problems.append((("products", i, "name"), f"product {product.name!r} is listed twice"))
            if product.name == "solar_token" and product.cwm_listed is not None:
                problems.append((("products", i, "cwm_listed"), "the solar token's place on the southbound list is "
                                                                 "policy.cwm.product_eligible: remove cwm_listed"))
        if products and self.legal.key_loss_per_year:
            problems.append((("legal", "key_loss_per_year"), "lost keys are not modelled with [[products]] yet: a "
                                                             "recovery moves the world's token only, so the other "
                                                             "products' tokens would be stranded; set it to 0"))
        for i, shock in enumerate(self.shocks):
            if shock.kind == "cwm_product_list" and shock.product and shock.product not in products:
                problems.append((("shocks", i, "product"), f"unknown product {shock.product!r}: not among the "
                                                           f"scenario's products ({', '.join(products) or 'none'})"))
            if shock.kind in PLATFORM_SHOCKS and shock.platform and shock.platform not in names:
                problems.append((("shocks", i, "platform"), f"unknown platform {shock.platform!r}"))
            if shock.day >= self.horizon_days:
                problems.append((("shocks", i, "day"), f"day {shock.day} is past the horizon (horizon_days "
                                                       f"{self.horizon_days}: days 0-{self.horizon_days - 1}), "
                                                       "so the shock would never happen: remove it or lengthen "
                                                       "horizon_days"))
        d = self.disposal
        if d.quantity_coins and d.start_day >= self.horizon_days:
            problems.append((("disposal", "start_day"), f"day {d.start_day} is past the horizon (horizon_days "
                                                        f"{self.horizon_days}), so nothing would be sold: start "
                                                        "earlier or lengthen horizon_days"))
        if problems:
            raise FieldProblem(*problems)
        return self
