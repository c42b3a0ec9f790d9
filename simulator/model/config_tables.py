"""The scenario schema's base and its smaller tables: the rules (CWM Connect and the rest of the policy), the
secondary market, spot VA ETFs, a seized-asset disposal, dated shocks and the token's legal tools
(simulator.model.config assembles them into a world).

Each field says its units, its source (a FACTS.md row) or that it is a sensitivity parameter, and its bounds
(simulator.limits). A shock given a field its kind does not use (a platform on a ban rumour, say) is refused
rather than silently ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.limits import MAX_COINS, MAX_DAYS, MAX_MONEY, MAX_NAME_LENGTH, MAX_PLATFORMS, MAX_WEIGHT, FieldProblem
from simulator.model.policy import CwmRules, PolicyRules
from simulator.units import BPS, major_to_minor


class _Strict(BaseModel):
    """Unknown keys refused; immutable; TOML's own types only (an int may stand for a float); finite numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def days_field(default: int, description: str, ge: int = 0) -> int:
    """A whole number of days, at most the longest horizon (later could never happen within a run)."""
    return Field(default, ge=ge, le=MAX_DAYS, description=description)


def _cny(default: int, description: str) -> int:
    return Field(default, ge=0, le=MAX_MONEY, description=description)


class CwmConfig(_Strict):
    """Cross-boundary Wealth Management Connect, southbound: the product list, quotas and eligibility."""

    product_eligible: bool = Field(False, description=(
        "the token is on the southbound product list: HKMA Feb 2024, tokenised revenue rights NOT eligible "
        "(FACTS, H)"))
    individual_quota_cny: int = _cny(3_000_000, "net southbound quota per investor, RMB: 3 m since 26 Feb 2024 "
                                                "(FACTS, H)")
    per_channel_quota_cny: int = _cny(1_500_000, "quota per channel when using both a bank and a broker, RMB: "
                                                 "1.5 m (FACTS, H)")
    aggregate_quota_cny: int = _cny(150_000_000_000, "aggregate net southbound quota, RMB: 150 bn (FACTS, H)")
    aggregate_used_cny: int = _cny(0, (
        "net southbound use of the aggregate quota at the start, RMB, by investors the run does not simulate "
        "(0: the run's investors are the whole market). Not published as such: scenarios/cwm_market.toml "
        "derives its figure from the cumulative remittances (FACTS \"CWM Connect\" usage rows); at most "
        "aggregate_quota_cny"))
    agent_weight: int = Field(1, ge=1, le=1_000_000, description=(
        "real mainland investors each simulated one stands for in the aggregate quota (its remittances count "
        "this many times): a run of 2,000 agents with 56 each stands for the 111.6 k mainland investors of "
        "end-Jul 2025 (FACTS \"CWM Connect\" usage). 1: every investor is simulated. The individual quota is "
        "each agent's own"))
    product_risk_rating: int = Field(4, ge=1, le=5, description=(
        "the token's risk rating on the 1-5 scale (sensitivity)"))
    max_risk_rating_allowed: int = Field(4, ge=1, le=5, description=(
        "highest rating southbound products may have: non-complex, at most medium-high, 4 of 5 (HKMA, FACTS, H)"))
    min_gba_social_security_years: int = Field(2, ge=0, le=100, description=(
        "southbound eligibility, \"2.0\" rules in force 26 Feb 2024 (FACTS \"CWM Connect\", H): a GBA hukou or "
        "this many consecutive years of GBA social security / income tax"))
    min_experience_years: int = Field(2, ge=0, le=100, description=(
        "... and at least this many years of investment experience (FACTS, H)"))
    min_net_financial_assets_cny: int = _cny(1_000_000, "... and household net financial assets of at least "
                                                        "this, RMB (FACTS, H)")
    min_financial_assets_cny: int = _cny(2_000_000, "... or household financial assets, RMB (FACTS, H)")
    min_avg_income_cny: int = _cny(400_000, "... or average personal income over 3 years, RMB (FACTS, H)")
    reapply_within_days: int = Field(30, ge=0, le=3_650, description=(
        "an applicant refused at the eligibility test applies again, within this many days (uniformly), after a "
        "cwm_eligibility_change that admits it: the pent-up demand a relaxation releases (0: never; "
        "sensitivity)"))

    @model_validator(mode="after")
    def _used_within_quota(self) -> CwmConfig:
        if self.aggregate_used_cny > self.aggregate_quota_cny:
            raise FieldProblem((("aggregate_used_cny",), f"aggregate_used_cny {self.aggregate_used_cny} exceeds "
                                                         f"aggregate_quota_cny {self.aggregate_quota_cny}"))
        return self

    def rules(self) -> CwmRules:
        """The gate's CWM rules: money in fen, the risk-rating test decided once."""
        return CwmRules(
            product_eligible=self.product_eligible,
            risk_rating_allowed=self.product_risk_rating <= self.max_risk_rating_allowed,
            individual_quota_fen=major_to_minor(self.individual_quota_cny),
            per_channel_quota_fen=major_to_minor(self.per_channel_quota_cny),
            aggregate_quota_fen=major_to_minor(self.aggregate_quota_cny),
            agent_weight=self.agent_weight,
            min_gba_social_security_years=self.min_gba_social_security_years,
            min_experience_years=self.min_experience_years,
            min_net_financial_assets_fen=major_to_minor(self.min_net_financial_assets_cny),
            min_financial_assets_fen=major_to_minor(self.min_financial_assets_cny),
            min_avg_income_fen=major_to_minor(self.min_avg_income_cny),
        )


class PolicyConfig(_Strict):
    """The rules in force at the start: CWM Connect, retail access, the mainland's bans and quotas."""

    cwm: CwmConfig = Field(CwmConfig(), description="CWM Connect southbound")
    retail_authorised: bool = Field(False, description=(
        "retail may buy: SFC Nov 2023 circular, professional investors only (FACTS, H)"))
    mainland_va_ban: bool = Field(True, description="the mainland bans virtual-asset business: PBoC 24 Sep 2021 "
                                                    "(FACTS, H)")
    safe_fx_quota_usd: int = Field(50_000, ge=0, le=MAX_MONEY, description=(
        "SAFE individual FX quota, USD per person per calendar year, not usable for overseas securities "
        "(FACTS \"Mainland constraints\", H)"))

    def rules(self) -> PolicyRules:
        """The policy gate's rules, derived from this table alone (shocks later replace parts of them)."""
        return PolicyRules(cwm=self.cwm.rules(), retail_authorised=self.retail_authorised,
                           mainland_va_ban=self.mainland_va_ban,
                           safe_fx_quota_usd_cents=major_to_minor(self.safe_fx_quota_usd))


class MarketConfig(_Strict):
    """The secondary market: settlement, quotes, orders and how buyers value the token."""

    settlement_t_plus: int = Field(1, ge=0, le=10, description=(
        "business days to settlement: HK tokenised green bond T+1 vs conventional T+5 (FACTS, H)"))
    quote_spread_bps: int = Field(200, ge=0, le=5_000, description="spread of quotes around the reference, bps "
                                                                   "(sensitivity)")
    claim_every_months: int = Field(1, ge=1, le=12, description=(
        "months between the platforms' claims of revenue for their clients (sensitivity)"))
    order_ttl_days: int = Field(10, ge=1, le=365, description="resting orders expire after this many days "
                                                              "(sensitivity)")
    counterparty_fail_rate_per_day: float = Field(0.003, ge=0, le=1, description=(
        "chance per business day of the settlement window that a counterparty fails to deliver (conventional "
        "settlement risk; sensitivity): a T+5 trade runs it five times, a T+0 DvP never"))
    discount_rate_bps: int = Field(700, ge=1, le=BPS, description=(
        "the yield buyers discount the expected payouts at, bps a year (FACTS: 5.2-8 % quoted, L)"))
    fair_value_pull_bps: int = Field(2_000, ge=0, le=BPS, description=(
        "how far each session's quotes move towards fair value, bps of the gap (sensitivity)"))
    fear_discount: float = Field(0.3, ge=0, le=1, description="share of fair value lost at full fear (sensitivity)")


class VaEtfConfig(_Strict):
    """Spot virtual-asset ETFs (listed in HK 30 Apr 2024; mainland investors not eligible: FACTS, H)."""

    cwm_eligible: bool = Field(False, description=(
        "the policy lever: admitted to the CWM southbound product list; today mainland investors are not eligible "
        "(FACTS \"Hong Kong\", H)"))
    interest_share: float = Field(0.0, ge=0, le=1, description=(
        "share of CWM-eligible mainland arrivals wanting a VA ETF (sensitivity)"))
    ticket_share_of_wealth_bps: int = Field(2_000, ge=1, le=BPS, description=(
        "share of wealth put into the ETF, bps (sensitivity)"))
    panic_drawdown_bps: int = Field(4_000, ge=0, le=BPS, description=(
        "holders sell after a loss this deep, bps (0: never; sensitivity)"))


class DisposalConfig(_Strict):
    """An authority sells seized virtual assets through licensed HK platforms (seed article, SCMP: FACTS, M)."""

    quantity_coins: int = Field(0, ge=0, le=MAX_COINS, description=(
        "coins to sell (0: no disposal); at most 21 m, every bitcoin there will ever be"))
    start_day: int = days_field(30, "day the sales start; before the horizon's end when quantity_coins > 0")
    days: int = days_field(20, "business days the sales are spread over: TWAP, an equal slice each", ge=1)
    platforms: list[str] = Field(default_factory=list, max_length=MAX_PLATFORMS, description=(
        "names of the platforms it sells through, in turn (empty: every licensed platform)"))


class IssuerConfig(_Strict):
    """The issuer: a foreign institution's service approval, and how its revenue share leaves the mainland."""

    approval_bound_days: int = days_field(120, (
        "latest day of the service approval: FTZ opinions, 22 Jan 2025, a decision on a foreign institution's "
        "new service within 120 days (FACTS, H); drawn uniformly from approval_min_days"))
    approval_min_days: int = days_field(30, "earliest day of the service approval (sensitivity); at most "
                                       "approval_bound_days")
    repatriation_delay_days: int = days_field(0, (
        "days each month's revenue share waits before it leaves the mainland: 0, the FTZ opinions' free, "
        "undelayed transfer of profits and dividends (FACTS, H); a policy lever otherwise"))
    repatriation_cap_bps: int = Field(BPS, ge=0, le=BPS, description=(
        "share of each month's revenue share let out of the mainland, bps (a policy lever; 10,000: all)"))
    withholding_tax_bps: int = Field(1_000, ge=0, le=BPS, description=(
        "withholding on the holders' share as it leaves the mainland, bps. The mainland-HK double-tax "
        "arrangement caps it at 7 % on interest and royalties and 5 % / 10 % on dividends (FACTS \"Mainland "
        "constraints\", H); which article a revenue-right payout falls under is not settled, so the default is "
        "the 10 % statutory rate on non-residents' passive income (PRC Enterprise Income Tax Law arts. 3-4, "
        "Implementation Rules art. 91): a sensitivity parameter (700 for the interest cap, 500 or 1000 for "
        "dividends)"))

    @model_validator(mode="after")
    def _bound(self) -> IssuerConfig:
        if self.approval_min_days > self.approval_bound_days:
            raise FieldProblem((("approval_min_days",), f"approval_min_days {self.approval_min_days} must not "
                                                        f"exceed approval_bound_days {self.approval_bound_days}"))
        return self


MAX_ARRIVAL_STEPS = 100


class ArrivalStep(_Strict):
    """From `from_day` of the arrival window on, arrivals come `weight` times as densely (relative)."""

    from_day: int = days_field(0, "day of the arrival window the step starts; the first step starts at 0")
    weight: float = Field(1.0, ge=0, le=MAX_WEIGHT, description="relative arrival intensity from then on")


def arrival_profile_problems(steps: list[ArrivalStep], arrival_days: int) -> list[tuple[tuple[str | int, ...], str]]:
    """What is wrong with an arrival profile over a window of `arrival_days`, by field."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if steps and steps[0].from_day != 0:
        problems.append((("arrival_profile", 0, "from_day"), "the first step of arrival_profile starts at day 0"))
    for i in range(1, len(steps)):
        if steps[i].from_day <= steps[i - 1].from_day:
            problems.append((("arrival_profile", i, "from_day"), "arrival_profile steps must start on strictly "
                                                                "later days"))
    for i, step in enumerate(steps):
        if step.from_day >= arrival_days:
            problems.append((("arrival_profile", i, "from_day"), f"day {step.from_day} is past the arrival "
                                                                f"window (arrival_days {arrival_days})"))
    if steps and not problems and all(s.weight == 0 for s in steps):
        problems.append((("arrival_profile",), "every step of arrival_profile has weight 0: nobody could arrive"))
    return problems


def arrival_day(steps: list[ArrivalStep], arrival_days: int, u: float) -> float:
    """The day of the arrival window at quantile `u` in [0, 1) of the density the steps give (uniform without)."""
    if not steps:
        return u * arrival_days
    bounds = [s.from_day for s in steps] + [arrival_days]
    masses = [s.weight * (bounds[i + 1] - bounds[i]) for i, s in enumerate(steps)]
    last = max(i for i, m in enumerate(masses) if m > 0)  # arrival_profile_problems ensures one
    left = u * sum(masses)
    for i in range(last):
        if left < masses[i]:
            return bounds[i] + left / steps[i].weight
        left -= masses[i]
    # the last step that has arrivals takes the rest (and any rounding)
    return min(bounds[last] + left / steps[last].weight, float(bounds[last + 1]))


PLATFORM_SHOCKS = ("licence_suspension", "licence_revocation", "licence_restored", "platform_outage")
ShockKind = Literal["licence_suspension", "licence_revocation", "licence_restored", "ban_rumour",
                    "cwm_quota_change", "cwm_eligibility_change", "cwm_product_list", "platform_outage",
                    "retail_authorisation"]
# the southbound eligibility legs a cwm_eligibility_change may move (the "2.0" rules moved the first)
ELIGIBILITY_FIELDS = ("min_gba_social_security_years", "min_experience_years", "min_net_financial_assets_cny")
# the optional fields each kind reads (simulator.model.shocks.Shocks.apply), and their value when not given
SHOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "licence_suspension": ("platform", "duration_days"), "licence_revocation": ("platform",),
    "licence_restored": ("platform",), "platform_outage": ("platform", "duration_days"),
    "ban_rumour": ("sentiment", "duration_days"), "cwm_quota_change": ("individual_quota_cny", "aggregate_quota_cny"),
    "cwm_eligibility_change": ELIGIBILITY_FIELDS,
    "cwm_product_list": ("enabled", "product"), "retail_authorisation": ("enabled",)}
SHOCK_UNSET: dict[str, object] = {"platform": "", "sentiment": 0.0, "duration_days": 0, "individual_quota_cny": None,
                                  "aggregate_quota_cny": None, "enabled": True, "product": "",
                                  **dict.fromkeys(ELIGIBILITY_FIELDS)}


class ShockConfig(_Strict):
    """A dated event: a licence change or outage on one platform, a ban rumour, a change of the CWM quotas or
    product list, or retail authorisation. Each kind takes only its own fields."""

    day: int = Field(ge=0, le=MAX_DAYS, description="day it happens; before the horizon's end (horizon_days)")
    kind: ShockKind = Field(description="what happens")
    platform: str = Field("", max_length=MAX_NAME_LENGTH, description=(
        "licence and outage shocks: the platform's name (required for them, refused for the others)"))
    sentiment: float = Field(0.0, ge=-1, le=1, description=(
        "ban_rumour: the fear it causes, by magnitude (0 none ... 1 panic; -0.8 and 0.8 are the same), fading "
        "linearly over duration_days"))
    duration_days: int = days_field(0, (
        "licence_suspension: days until the licence is restored (0: until a licence_restored shock); "
        "platform_outage: days out (0: one); ban_rumour: days the fear takes to fade (0: one)"))
    individual_quota_cny: int | None = Field(None, ge=0, le=MAX_MONEY, description=(
        "cwm_quota_change: the new individual quota, RMB (unset: unchanged)"))
    aggregate_quota_cny: int | None = Field(None, ge=0, le=MAX_MONEY, description=(
        "cwm_quota_change: the new aggregate quota, RMB (unset: unchanged)"))
    min_gba_social_security_years: int | None = Field(None, ge=0, le=100, description=(
        "cwm_eligibility_change: the new residency leg for investors without a GBA hukou, years (5 -> 2 with the "
        "\"2.0\" rules of 26 Feb 2024, FACTS \"CWM Connect\", H; unset: unchanged)"))
    min_experience_years: int | None = Field(None, ge=0, le=100, description=(
        "cwm_eligibility_change: the new investment-experience leg, years (unset: unchanged)"))
    min_net_financial_assets_cny: int | None = Field(None, ge=0, le=MAX_MONEY, description=(
        "cwm_eligibility_change: the new household net financial assets leg, RMB (unset: unchanged)"))
    enabled: bool = Field(True, description=(
        "cwm_product_list: the token admitted (true) or removed; retail_authorisation: retail may buy or not"))
    product: str = Field("", max_length=MAX_NAME_LENGTH, description=(
        "cwm_product_list: the product admitted or removed, one of the scenario's [[products]] ('': the world's "
        "revenue-rights token, solar_token)"))

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> ShockConfig:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        used = SHOCK_FIELDS[self.kind]
        for name, unset in SHOCK_UNSET.items():
            if name not in used and getattr(self, name) != unset:
                kinds = ", ".join(k for k, fields in SHOCK_FIELDS.items() if name in fields)
                problems.append(((name,), f"a {self.kind} shock does not use {name} (only {kinds} do): remove it"))
        if self.kind in PLATFORM_SHOCKS and not self.platform:
            problems.append((("platform",), f"a {self.kind} shock needs the platform it happens to"))
        if self.kind == "cwm_quota_change" and self.individual_quota_cny is None and self.aggregate_quota_cny is None:
            problems.append((("individual_quota_cny",), "a cwm_quota_change shock needs individual_quota_cny or "
                                                        "aggregate_quota_cny"))
        if self.kind == "cwm_eligibility_change" and all(getattr(self, f) is None for f in ELIGIBILITY_FIELDS):
            problems.append(((ELIGIBILITY_FIELDS[0],), "a cwm_eligibility_change shock needs at least one of "
                                                       + ", ".join(ELIGIBILITY_FIELDS)))
        if problems:
            raise FieldProblem(*problems)
        return self


class LegalConfig(_Strict):
    """Where the token's legal tools are used (ERC-3643 freeze and forced transfer)."""

    aml_detection_per_year: float = Field(0.5, ge=0, le=365, description=(
        "rate a year at which ongoing AML monitoring catches an onboarded bad actor (exponential; sensitivity)"))
    court_order_days: int = Field(180, ge=1, le=3_650, description=(
        "days from the freeze to a court order (sensitivity)"))
    onchain_recognition: bool = Field(True, description=(
        "the law recognises the on-chain register: a court order is executed by forced transfer; without it the "
        "order must be given effect off-chain and the tokens stay frozen (the lever of scenarios/legal_recognition; "
        "a legal question, not a figure: sensitivity)"))
    key_loss_per_year: float = Field(0.0, ge=0, le=1, description=(
        "share of holders losing their wallet's key a year: 0 by default, since licensed platforms hold clients' "
        "keys in custody; a self-custody world sets it (sensitivity). With a recognised register the agent "
        "recovers the tokens to a new wallet after recovery_days; without, they are lost for good"))
    recovery_days: int = Field(30, ge=1, le=3_650, description=(
        "days from a lost key to the tokens' recovery, identity re-verified (sensitivity)"))


class IdentityConfig(_Strict):
    """Investors' on-chain identities (ONCHAINID claims, ERC-3643): how long a claim lasts, how often its
    review lapses, and whether the token's issuer stops trusting a platform whose licence is revoked."""

    claim_validity_days: int = Field(730, ge=30, le=14_600, description=(
        "days a platform's KYC and category claim (and a CWM channel's eligibility claim) is valid before its "
        "periodic review re-signs it; a review is due one day before the claim expires (sensitivity)"))
    review_lapse_share: float = Field(0.02, ge=0, le=1, description=(
        "share of periodic reviews the investor does not complete: its claims expire, and it can no longer buy "
        "or be allocated, only sell (sensitivity)"))
    distrust_revoked_platform: bool = Field(True, description=(
        "when a platform's licence is revoked the token's issuer removes the platform's claim issuer from the "
        "trusted issuers: none of its KYC claims counts any more (sensitivity)"))
