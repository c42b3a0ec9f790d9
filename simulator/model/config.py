"""Typed, validated parameters of a world (pydantic; unknown keys refused, units in the names).

Defaults stand for the real world; each cites its row of ../shared/FACTS.md or says it is a sensitivity
parameter. Scenario files (TOML) are these models serialised. This is the one place each default and bound
lives: the `asset`, `fx` and `va_market` tables are the pure modules' own parameter models (SolarParams,
FxParams, VirtualAssetParams), passed to the runtime as they are, and the policy gate's rules are derived
from `PolicyConfig` by `PolicyConfig.rules()`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.model.classes import ClassName
from simulator.model.fx import FxParams
from simulator.model.policy import CwmRules, PolicyRules
from simulator.model.solar import SolarParams
from simulator.model.va_market import VirtualAssetParams
from simulator.units import BPS, major_to_minor


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfferingConfig(_Strict):
    """The primary offering of the revenue-rights token, priced and settled in HKD."""

    price_hkd_cents: int = Field(10_000, gt=0)  # HK$100 per token (a deal term)
    # GCL Dec 2024 raised > RMB 200 m (FACTS, H/M) ~ HK$217 m at 1.085 HKD/CNY
    hard_cap_hkd: int = Field(217_000_000, gt=0)
    soft_cap_hkd: int = Field(100_000_000, ge=0)
    min_ticket_hkd: int = Field(100_000, gt=0)
    max_ticket_hkd: int = Field(20_000_000, gt=0)
    duration_days: int = Field(60, ge=1)
    allocation: Literal["pro-rata", "first-come"] = "pro-rata"
    close_batch_size: int = Field(100, ge=1, le=150)  # allocations per close transaction (gas bound)
    # The revenue right's term, from the close: by default the asset's remaining life. PV modules carry
    # 25-year performance warranties, the usual design life (sensitivity: the deals' own tenors are not
    # published, FACTS "Real new-energy RWA deals"). At the end the right expires (tokens burned, nothing
    # paid) or the issuer buys it back at `buyback_price_hkd_cents` a token.
    term_years: int = Field(25, ge=1, le=40)
    end_of_term: Literal["expiry", "buyback"] = "expiry"
    buyback_price_hkd_cents: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _caps(self) -> OfferingConfig:
        if self.end_of_term == "buyback" and self.buyback_price_hkd_cents == 0:
            raise ValueError("end_of_term 'buyback' needs buyback_price_hkd_cents > 0")
        if self.soft_cap_hkd > self.hard_cap_hkd:
            raise ValueError("soft_cap_hkd must not exceed hard_cap_hkd")
        if self.min_ticket_hkd > self.max_ticket_hkd:
            raise ValueError("min_ticket_hkd must not exceed max_ticket_hkd")
        return self


class IssuerConfig(_Strict):
    # FTZ opinions, 22 Jan 2025: a decision on a foreign institution's new service within 120 days (FACTS, H)
    approval_bound_days: int = Field(120, ge=0)
    approval_min_days: int = Field(30, ge=0)
    # FTZ opinions: free, undelayed transfer of profits and dividends (FACTS, H); a policy lever otherwise
    repatriation_delay_days: int = Field(0, ge=0)
    repatriation_cap_bps: int = Field(BPS, ge=0, le=BPS)  # share of each month's revenue share let out
    # Withholding on the holders' share as it leaves the mainland. The mainland-HK double-tax arrangement caps
    # it at 7 % on interest and royalties and 5 % / 10 % on dividends (FACTS "Mainland constraints", H); which
    # article a revenue-right payout falls under is not settled, so the default is the 10 % statutory rate on
    # non-residents' passive income (PRC Enterprise Income Tax Law arts. 3-4, Implementation Rules art. 91):
    # a sensitivity parameter (700 for the interest cap, 500 or 1000 for dividends).
    withholding_tax_bps: int = Field(1_000, ge=0, le=BPS)

    @model_validator(mode="after")
    def _bound(self) -> IssuerConfig:
        if self.approval_min_days > self.approval_bound_days:
            raise ValueError("approval_min_days must not exceed approval_bound_days")
        return self


class PlatformConfig(_Strict):
    """A licensed Hong Kong platform (VATP licensing in force 1 Jun 2023: FACTS, H)."""

    name: str
    kyc_capacity_per_day: int = Field(200, ge=1)  # sensitivity
    kyc_latency_days: int = Field(2, ge=0)  # sensitivity
    aml_false_positive_rate: float = Field(0.01, ge=0, le=1)  # sensitivity
    aml_false_negative_rate: float = Field(0.05, ge=0, le=1)  # sensitivity
    fee_bps: int = Field(20, ge=0, le=1_000)  # trading fee on the cash leg, sensitivity
    outage_probability_per_day: float = Field(0.002, ge=0, le=1)  # sensitivity
    kyc_failure_rate: float = Field(0.02, ge=0, le=1)  # incomplete documents etc. (sensitivity)
    lists_token: bool = True  # the platform's listing decision for secondary trading
    listing_delay_days: int = Field(0, ge=0)  # secondary trading starts this long after the offering closes
    # seized-asset disposal: order-book depth for the virtual asset (sensitivity)
    va_depth_usd_at_1pct: int = Field(5_000_000, gt=0)
    va_daily_volume_cap_coins: int = Field(200, gt=0)
    weight: float = Field(1.0, gt=0)  # share of new investors choosing it


class CwmChannelConfig(_Strict):
    """A CWM Connect participant a mainland investor goes through: a bank (since Sep 2021) or an SFC-licensed
    securities firm (admitted 26 Feb 2024; FACTS "CWM Connect", H). It checks eligibility and KYC, holds its
    clients' positions as nominee (segregated custody wallets it controls) and routes their orders to a
    licensed HK platform."""

    name: str
    kind: Literal["bank", "broker"]
    platform: str = ""  # the licensed platform its clients' orders go to ("": the first platform)
    weight: float = Field(1.0, gt=0)  # share of new mainland clients choosing it (sensitivity)
    kyc_capacity_per_day: int = Field(200, ge=1)  # sensitivity
    kyc_latency_days: int = Field(5, ge=0)  # sensitivity
    kyc_failure_rate: float = Field(0.02, ge=0, le=1)  # sensitivity
    aml_false_positive_rate: float = Field(0.01, ge=0, le=1)  # sensitivity
    aml_false_negative_rate: float = Field(0.05, ge=0, le=1)  # sensitivity


def _default_channels() -> list[CwmChannelConfig]:
    # banks carry most CWM clients (67 banks by end-2023, brokers only since Feb 2024: FACTS); the 3:1 split
    # is a sensitivity parameter
    return [CwmChannelConfig(name="cwm-bank", kind="bank", weight=3.0),
            CwmChannelConfig(name="cwm-broker", kind="broker", weight=1.0)]


class InvestorClassConfig(_Strict):
    count: int = Field(0, ge=0)  # prospective investors arriving over the arrival window
    arrival_days: int = Field(90, ge=1)
    wealth_median_hkd: int = Field(10_000_000, gt=0)  # investable wealth, lognormal (sensitivity)
    wealth_sigma: float = Field(1.0, ge=0)
    ticket_share_of_wealth_bps: int = Field(500, ge=1, le=BPS)  # sensitivity
    hold_days_mean: int = Field(720, ge=1)  # mean holding period before selling (sensitivity)
    buy_interest_per_day: float = Field(0.002, ge=0, le=1)  # daily chance an onboarded non-holder bids
    # mainland only: share meeting each CWM eligibility leg (sensitivity; the rules themselves are FACTS, H)
    gba_hukou_share: float = Field(0.7, ge=0, le=1)
    experienced_share: float = Field(0.8, ge=0, le=1)
    wealth_test_share: float = Field(0.6, ge=0, le=1)
    via_cwm_share: float = Field(1.0, ge=0, le=1)  # the rest try to buy outside CWM (and are refused)
    # mainland only: share holding accounts at both a bank and a broker, each then with RMB 1.5 m of the
    # quota (sensitivity; the rule is FACTS, H)
    both_channels_share: float = Field(0.1, ge=0, le=1)
    bad_actor_share: float = Field(0.005, ge=0, le=1)  # applicants AML should stop (sensitivity)
    price_drop_sell_factor: float = Field(3.0, ge=0)  # extra sell pressure per unit of loss vs entry price
    yield_shortfall_sell_factor: float = Field(2.0, ge=0)  # extra sell pressure when yield trails expectation
    expected_yield_bps: int = Field(700, ge=0)  # what holders expect a year (FACTS: 5.2-8 % quoted, L)
    # mainland sellers asking for proceeds to go anywhere but the paired account (refused: closed loop)
    closed_loop_violation_share: float = Field(0.02, ge=0, le=1)


def _default_investors() -> dict[str, InvestorClassConfig]:
    return {
        "mainland_gba": InvestorClassConfig(count=0, wealth_median_hkd=3_000_000, ticket_share_of_wealth_bps=2_000),
        "hk_retail": InvestorClassConfig(count=0, wealth_median_hkd=1_500_000, ticket_share_of_wealth_bps=1_000),
        # professional investor: portfolio >= HK$ 8 m (FACTS, H)
        "hk_professional": InvestorClassConfig(count=40, wealth_median_hkd=30_000_000),
        "esg_fund": InvestorClassConfig(count=10, wealth_median_hkd=2_000_000_000, ticket_share_of_wealth_bps=100,
                                        hold_days_mean=1_500),
    }


class CwmConfig(_Strict):
    product_eligible: bool = False  # HKMA Feb 2024: tokenised revenue rights NOT eligible (FACTS, H)
    individual_quota_cny: int = Field(3_000_000, ge=0)  # RMB 3 m since 26 Feb 2024 (FACTS, H)
    per_channel_quota_cny: int = Field(1_500_000, ge=0)  # ... RMB 1.5 m per channel when using both (FACTS, H)
    aggregate_quota_cny: int = Field(150_000_000_000, ge=0)  # RMB 150 bn net southbound (FACTS, H)
    # southbound products must be non-complex and at most medium-high risk (HKMA, FACTS, H): on a 1-5 scale
    # where 4 is medium-high; the token's own rating is a sensitivity parameter
    product_risk_rating: int = Field(4, ge=1, le=5)
    max_risk_rating_allowed: int = Field(4, ge=1, le=5)
    # southbound investor eligibility, "2.0" rules in force 26 Feb 2024 (FACTS "CWM Connect": southbound
    # eligibility, H): a GBA hukou or this many consecutive years of GBA social security / income tax ...
    min_gba_social_security_years: int = Field(2, ge=0)
    min_experience_years: int = Field(2, ge=0)  # ... and >= 2 years of investment experience ...
    min_net_financial_assets_cny: int = Field(1_000_000, ge=0)  # ... and household net financial assets,
    min_financial_assets_cny: int = Field(2_000_000, ge=0)  # or household financial assets,
    min_avg_income_cny: int = Field(400_000, ge=0)  # or average personal income over 3 years

    def rules(self) -> CwmRules:
        """The gate's CWM rules: money in fen, the risk-rating test decided once."""
        return CwmRules(
            product_eligible=self.product_eligible,
            risk_rating_allowed=self.product_risk_rating <= self.max_risk_rating_allowed,
            individual_quota_fen=major_to_minor(self.individual_quota_cny),
            per_channel_quota_fen=major_to_minor(self.per_channel_quota_cny),
            aggregate_quota_fen=major_to_minor(self.aggregate_quota_cny),
            min_gba_social_security_years=self.min_gba_social_security_years,
            min_experience_years=self.min_experience_years,
            min_net_financial_assets_fen=major_to_minor(self.min_net_financial_assets_cny),
            min_financial_assets_fen=major_to_minor(self.min_financial_assets_cny),
            min_avg_income_fen=major_to_minor(self.min_avg_income_cny),
        )


class PolicyConfig(_Strict):
    cwm: CwmConfig = CwmConfig()
    retail_authorised: bool = False  # SFC Nov 2023 circular: professional investors only (FACTS, H)
    mainland_va_ban: bool = True  # PBoC 24 Sep 2021 (FACTS, H)
    # SAFE individual FX quota: USD 50,000 per person per calendar year, not usable for overseas securities
    # (FACTS "Mainland constraints", H)
    safe_fx_quota_usd: int = Field(50_000, ge=0)

    def rules(self) -> PolicyRules:
        """The policy gate's rules, derived from this table alone (shocks later replace parts of them)."""
        return PolicyRules(cwm=self.cwm.rules(), retail_authorised=self.retail_authorised,
                           mainland_va_ban=self.mainland_va_ban,
                           safe_fx_quota_usd_cents=major_to_minor(self.safe_fx_quota_usd))


class MarketConfig(_Strict):
    settlement_t_plus: int = Field(1, ge=0, le=10)  # HK tokenised green bond T+1 vs T+5 (FACTS, H)
    quote_spread_bps: int = Field(200, ge=0, le=5_000)  # sensitivity
    claim_every_months: int = Field(1, ge=1, le=12)
    order_ttl_days: int = Field(10, ge=1, le=365)  # resting orders expire after this (sensitivity)
    # chance per business day of the settlement window that a counterparty fails to deliver (conventional
    # settlement risk; sensitivity): a T+5 trade runs it five times, a T+0 DvP never
    counterparty_fail_rate_per_day: float = Field(0.003, ge=0, le=1)
    # the rate buyers discount the expected payouts at: the yield they price in (FACTS: 5.2-8 % quoted, L)
    discount_rate_bps: int = Field(700, ge=1)
    fair_value_pull_bps: int = Field(2_000, ge=0, le=BPS)  # how far each session's quotes move to fair value
    fear_discount: float = Field(0.3, ge=0, le=1)  # fair value lost at full fear (sensitivity)


class VaEtfConfig(_Strict):
    """Spot virtual-asset ETFs (listed in HK 30 Apr 2024; mainland investors not eligible: FACTS, H)."""

    cwm_eligible: bool = False  # the policy lever: admitted to the CWM southbound product list
    interest_share: float = Field(0.0, ge=0, le=1)  # share of CWM-eligible mainland arrivals wanting it
    ticket_share_of_wealth_bps: int = Field(2_000, ge=1, le=BPS)
    panic_drawdown_bps: int = Field(4_000, ge=0, le=BPS)  # holders sell after this loss (0: never)


class DisposalConfig(_Strict):
    """An authority sells seized virtual assets through licensed HK platforms (seed article, SCMP: FACTS, M)."""

    quantity_coins: int = Field(0, ge=0)
    start_day: int = Field(30, ge=0)
    days: int = Field(20, ge=1)  # TWAP: an equal slice every business day
    platforms: list[str] = Field(default_factory=list)  # empty: every licensed platform, in turn


PLATFORM_SHOCKS = ("licence_suspension", "licence_revocation", "licence_restored", "platform_outage")


class LegalConfig(_Strict):
    """Where the token's legal tools are used (ERC-3643 freeze and forced transfer)."""

    # ongoing AML monitoring catches an onboarded bad actor at this rate (exponential; sensitivity)
    aml_detection_per_year: float = Field(0.5, ge=0, le=365)
    court_order_days: int = Field(180, ge=1, le=3_650)  # from the freeze to a court order (sensitivity)
    # the law recognises the on-chain register: a court order is executed by forced transfer; without it the
    # order must be given effect off-chain and the tokens stay frozen (the lever of scenarios/legal_recognition)
    onchain_recognition: bool = True
    # holders who lose their wallet's key, a year: 0 by default, since licensed platforms hold clients' keys in
    # custody; a self-custody world sets it (sensitivity). With a recognised register the agent recovers the
    # tokens to a new wallet after `recovery_days` (identity re-verified); without, they are lost for good.
    key_loss_per_year: float = Field(0.0, ge=0, le=1)
    recovery_days: int = Field(30, ge=1, le=3_650)


class ShockConfig(_Strict):
    day: int = Field(ge=0)
    kind: Literal["licence_suspension", "licence_revocation", "licence_restored", "ban_rumour",
                  "cwm_quota_change", "cwm_product_list", "platform_outage", "retail_authorisation"]
    platform: str = ""
    sentiment: float = Field(0.0, ge=-1, le=1)  # ban rumour: -1 panic ... 0 none
    duration_days: int = Field(0, ge=0)
    individual_quota_cny: int | None = Field(None, ge=0)
    aggregate_quota_cny: int | None = Field(None, ge=0)
    enabled: bool = True  # product-list / retail-authorisation switch


class WorldConfig(_Strict):
    start_date: dt.date = dt.date(2026, 1, 1)
    horizon_days: int = Field(365, ge=1, le=40 * 365)
    asset: SolarParams = SolarParams()
    fx: FxParams = FxParams()
    issuer: IssuerConfig = IssuerConfig()
    offering: OfferingConfig = OfferingConfig()
    platforms: list[PlatformConfig] = Field(default_factory=lambda: [PlatformConfig(name="hk-vatp-1")],
                                            min_length=1)
    investors: dict[ClassName, InvestorClassConfig] = Field(default_factory=_default_investors)
    policy: PolicyConfig = PolicyConfig()
    market: MarketConfig = MarketConfig()
    shocks: list[ShockConfig] = Field(default_factory=list)
    disposal: DisposalConfig = DisposalConfig()
    va_market: VirtualAssetParams = VirtualAssetParams()  # the virtual asset the disposal and the VA ETF trade
    va_etf: VaEtfConfig = VaEtfConfig()
    legal: LegalConfig = LegalConfig()
    cwm_channels: list[CwmChannelConfig] = Field(default_factory=_default_channels, min_length=1)

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

    @model_validator(mode="after")
    def _platform_names(self) -> WorldConfig:
        names = [p.name for p in self.platforms]
        if len(set(names)) != len(names):
            raise ValueError("platform names must be unique")
        for name in self.disposal.platforms:
            if name not in names:
                raise ValueError(f"disposal names unknown platform {name!r}")
        channels = [c.name for c in self.cwm_channels]
        if len(set(channels)) != len(channels):
            raise ValueError("cwm_channels names must be unique")
        for channel in self.cwm_channels:
            if channel.platform and channel.platform not in names:
                raise ValueError(f"cwm channel {channel.name!r} names unknown platform {channel.platform!r}")
        for shock in self.shocks:
            if shock.kind in PLATFORM_SHOCKS and shock.platform not in names:
                raise ValueError(f"shock on day {shock.day} names unknown platform {shock.platform!r}")
        return self
