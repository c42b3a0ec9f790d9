"""The policy gate: every cross-border and investor-protection rule, each refusal with a named reason.

Rules (sources in ../shared/FACTS.md; each figure is a parameter of simulator.model.config.PolicyConfig,
cited there, and reaches the gate only through `PolicyConfig.rules()`, so the rules here carry no defaults):
- CWM Connect southbound: eligibility (GBA hukou or 2 years of GBA social security / income tax; 2 years
  of investment experience; household net financial assets >= RMB 1 m, or financial assets >= RMB 2 m,
  or average income >= RMB 400 k over 3 years), individual quota RMB 3 m (since 26 Feb 2024), aggregate
  net southbound quota RMB 150 bn, closed loop (principal only from, proceeds only back to, the paired
  remittance account), the eligible-product list (tokenised revenue rights NOT eligible today).
- SAFE: USD 50,000 per person per year, not usable for overseas securities.
- Mainland virtual-asset ban (PBoC, 24 Sep 2021).
- SFC: a tokenised security not authorised for retail is for professional investors (portfolio >= HK$ 8 m).
"""

from __future__ import annotations

from dataclasses import dataclass

# Refusal reasons: the names that land in events.csv and in summary.csv as refused_<reason>.
REASONS = (
    "cwm_product_not_eligible",
    "cwm_risk_rating",
    "cwm_investor_not_eligible",
    "cwm_individual_quota",
    "cwm_aggregate_quota",
    "cwm_closed_loop",
    "safe_quota_not_for_securities",
    "mainland_va_ban",
    "professional_only",
    "kyc_failed",
    "aml_flagged",
    "kyc_expired",
    "kyc_revoked",
    "claim_issuer_untrusted",
    "platform_not_licensed",
    "platform_outage",
    "offering_closed",
    "offering_ticket",
    "no_liquidity",
    "settlement_failed",
)


@dataclass(frozen=True, slots=True)
class CwmRules:
    """CWM Connect southbound rules in force, money in fen (built from simulator.model.config.CwmConfig)."""

    product_eligible: bool  # the revenue-rights token is on the southbound product list
    risk_rating_allowed: bool  # the product's risk rating is within what the channel admits
    individual_quota_fen: int
    per_channel_quota_fen: int  # each channel's part of the individual quota for an investor using two
    aggregate_quota_fen: int  # net southbound
    agent_weight: int  # real investors each simulated mainland investor stands for in the aggregate quota
    min_gba_social_security_years: int  # residency leg for investors without a GBA hukou
    min_experience_years: int
    min_net_financial_assets_fen: int  # household net financial assets, or
    min_financial_assets_fen: int  # household financial assets, or
    min_avg_income_fen: int  # average personal income over 3 years


@dataclass(frozen=True, slots=True)
class PolicyRules:
    """Every rule the gate applies (built from simulator.model.config.PolicyConfig; shocks replace it)."""

    cwm: CwmRules
    retail_authorised: bool  # without SFC authorisation, professional investors only
    mainland_va_ban: bool
    safe_fx_quota_usd_cents: int  # per person per year, not usable for securities


@dataclass(slots=True)
class MainlandProfile:
    """What the CWM eligibility test looks at (household figures in fen)."""

    gba_hukou: bool
    gba_social_security_years: int
    experience_years: int
    net_financial_assets_fen: int
    financial_assets_fen: int
    avg_income_fen: int


@dataclass(slots=True)
class Decision:
    allowed: bool
    reason: str = ""

    @classmethod
    def ok(cls) -> Decision:
        return cls(True)

    @classmethod
    def refuse(cls, reason: str) -> Decision:
        if reason not in REASONS:
            raise ValueError(f"unknown refusal reason {reason!r}")
        return cls(False, reason)


class PolicyGate:
    """Holds the rules in force (shocks may replace them) and the quota state."""

    def __init__(self, rules: PolicyRules, aggregate_used_fen: int = 0) -> None:
        self.rules = rules
        self.cwm_used_fen: dict[str, int] = {}  # investor -> net southbound principal in use
        # (investor, channel) -> principal in use through that channel, for investors using a bank and a broker
        self.cwm_channel_used_fen: dict[tuple[str, str], int] = {}
        # the whole market's net southbound use (the simulated investors' use x agent_weight, on top of what was
        # in use at the start)
        self.cwm_aggregate_used_fen = aggregate_used_fen

    # --- eligibility ----------------------------------------------------------------------
    def cwm_eligible(self, p: MainlandProfile) -> bool:
        c = self.rules.cwm
        residency = p.gba_hukou or p.gba_social_security_years >= c.min_gba_social_security_years
        wealth = (p.net_financial_assets_fen >= c.min_net_financial_assets_fen
                  or p.financial_assets_fen >= c.min_financial_assets_fen
                  or p.avg_income_fen >= c.min_avg_income_fen)
        return residency and p.experience_years >= c.min_experience_years and wealth

    def may_hold_rwa(self, southbound: bool, professional: bool, profile: MainlandProfile | None) -> Decision:
        """Can this investor be onboarded for the revenue-rights token at all (before any amount)?
        `southbound`: a mainland resident investing through CWM Connect."""
        if southbound:
            if not self.rules.cwm.product_eligible:
                return Decision.refuse("cwm_product_not_eligible")
            if not self.rules.cwm.risk_rating_allowed:
                return Decision.refuse("cwm_risk_rating")
            if profile is None or not self.cwm_eligible(profile):
                return Decision.refuse("cwm_investor_not_eligible")
            # the southbound list holds only SFC-authorised products (HKMA), so admission to the list
            # implies authorisation for the CWM channel: no professional-investor test here
            return Decision.ok()
        if not professional and not self.rules.retail_authorised:
            return Decision.refuse("professional_only")
        return Decision.ok()

    def mainland_direct_purchase(self, is_virtual_asset: bool) -> Decision:
        """A mainland resident outside CWM: the SAFE quota may not buy overseas securities; crypto is banned."""
        if is_virtual_asset and self.rules.mainland_va_ban:
            return Decision.refuse("mainland_va_ban")
        return Decision.refuse("safe_quota_not_for_securities")

    # --- quotas ---------------------------------------------------------------------------
    def individual_remaining_fen(self, investor: str) -> int:
        return max(0, self.rules.cwm.individual_quota_fen - self.cwm_used_fen.get(investor, 0))

    def cwm_remaining_fen(self, investor: str) -> int:
        """What `investor` may still remit southbound: the lesser of its own and the aggregate quota left."""
        return max(0, min(self.individual_remaining_fen(investor), self.aggregate_room_fen()))

    def aggregate_room_fen(self) -> int:
        """What one simulated investor may still remit before the aggregate quota binds (it stands for
        `agent_weight` real ones, each remitting as much)."""
        c = self.rules.cwm
        return max(0, c.aggregate_quota_fen - self.cwm_aggregate_used_fen) // c.agent_weight

    def channel_remaining_fen(self, investor: str, channel: str) -> int:
        """What an investor using both a bank and a broker may still remit through `channel`."""
        used = self.cwm_channel_used_fen.get((investor, channel), 0)
        return max(0, min(self.rules.cwm.per_channel_quota_fen - used, self.cwm_remaining_fen(investor)))

    def check_southbound(self, investor: str, amount_fen: int, product_eligible: bool | None = None,
                         channel: str | None = None) -> Decision:
        """Would a remittance of `amount_fen` pass the product list and the quotas? (Reserves nothing.)

        `product_eligible` is the product's place on the list (default: the revenue-rights token's);
        `channel`: the remittance goes through one of the investor's two channels (bank and broker), each
        holding its share of the individual quota."""
        c = self.rules.cwm
        if not (c.product_eligible if product_eligible is None else product_eligible):
            return Decision.refuse("cwm_product_not_eligible")
        if self.cwm_used_fen.get(investor, 0) + amount_fen > c.individual_quota_fen:
            return Decision.refuse("cwm_individual_quota")
        if channel is not None and \
                self.cwm_channel_used_fen.get((investor, channel), 0) + amount_fen > c.per_channel_quota_fen:
            return Decision.refuse("cwm_individual_quota")
        if amount_fen > self.aggregate_room_fen():
            return Decision.refuse("cwm_aggregate_quota")
        return Decision.ok()

    def reserve_southbound(self, investor: str, amount_fen: int, product_eligible: bool | None = None,
                           channel: str | None = None) -> Decision:
        """Reserve quota for a remittance of `amount_fen`; refused if it would pass any quota."""
        decision = self.check_southbound(investor, amount_fen, product_eligible, channel)
        if not decision.allowed:
            return decision
        if channel is not None:
            self.cwm_channel_used_fen[(investor, channel)] = \
                self.cwm_channel_used_fen.get((investor, channel), 0) + amount_fen
        used = self.cwm_used_fen.get(investor, 0)
        self.cwm_used_fen[investor] = used + amount_fen
        self.cwm_aggregate_used_fen += amount_fen * self.rules.cwm.agent_weight
        return Decision.ok()

    def release_southbound(self, investor: str, amount_fen: int) -> None:
        """Principal returned northbound frees quota (the quotas cap the *net* outflow)."""
        used = self.cwm_used_fen.get(investor, 0)
        freed = min(used, amount_fen)
        self.cwm_used_fen[investor] = used - freed
        self.cwm_aggregate_used_fen -= freed * self.rules.cwm.agent_weight
        # an investor with two channels: free the busiest channel's part first
        parts = sorted(((u, ch) for (who, ch), u in self.cwm_channel_used_fen.items() if who == investor and u),
                       reverse=True)
        for used_there, channel in parts:
            take = min(used_there, freed)
            self.cwm_channel_used_fen[(investor, channel)] = used_there - take
            freed -= take

    @staticmethod
    def closed_loop(origin_account: str, destination_account: str) -> Decision:
        """Proceeds of a CWM investment may only return to the paired remittance account."""
        if origin_account != destination_account:
            return Decision.refuse("cwm_closed_loop")
        return Decision.ok()
