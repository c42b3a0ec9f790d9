"""The policy gate: quotas refuse exactly at the limit, closed loop, product list, eligibility legs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulator.model.config import CwmConfig, PolicyConfig
from simulator.model.policy import CwmRules, MainlandProfile, PolicyGate, PolicyRules

QUOTA = 300_000_000  # RMB 3 m in fen
TODAY = PolicyConfig().rules()  # the rules in force by default: derived from the scenario schema alone


def gate(**cwm) -> PolicyGate:
    return PolicyGate(replace(TODAY, cwm=replace(TODAY.cwm, product_eligible=True, **cwm)))


def eligible_profile(**changes) -> MainlandProfile:
    base = {"gba_hukou": True, "gba_social_security_years": 0, "experience_years": 2,
            "net_financial_assets_fen": 100_000_000, "financial_assets_fen": 0, "avg_income_fen": 0}
    base.update(changes)
    return MainlandProfile(**base)


def test_individual_quota_binds_exactly_at_the_limit_not_one_fen_before():
    g = gate()
    assert g.reserve_southbound("a", QUOTA - 1).allowed
    assert g.reserve_southbound("a", 1).allowed  # reaching the limit exactly is allowed
    refused = g.reserve_southbound("a", 1)
    assert not refused.allowed and refused.reason == "cwm_individual_quota"
    assert g.cwm_used_fen["a"] == QUOTA  # a refusal reserves nothing
    assert g.reserve_southbound("b", QUOTA).allowed  # quotas are per investor


def test_aggregate_quota_is_net_and_freed_by_northbound_principal():
    g = gate(aggregate_quota_fen=1_000)
    assert g.reserve_southbound("a", 600).allowed
    assert g.reserve_southbound("b", 401).reason == "cwm_aggregate_quota"
    assert g.reserve_southbound("b", 400).allowed
    g.release_southbound("a", 250)  # proceeds returned northbound free net quota
    assert g.cwm_aggregate_used_fen == 750 and g.cwm_remaining_fen("b") == 250
    g.release_southbound("a", 10_000)  # cannot free more than was used
    assert g.cwm_used_fen["a"] == 0 and g.cwm_aggregate_used_fen == 400


def test_product_list_and_closed_loop():
    g = PolicyGate(TODAY)  # today: tokenised revenue rights are not on the southbound list
    assert g.reserve_southbound("a", 1).reason == "cwm_product_not_eligible"
    assert g.may_hold_rwa(True, False, eligible_profile()).reason == "cwm_product_not_eligible"
    assert PolicyGate.closed_loop("mainland:a", "mainland:a").allowed
    assert PolicyGate.closed_loop("mainland:a", "mainland:b").reason == "cwm_closed_loop"


@pytest.mark.parametrize("changes, ok", [
    ({}, True),
    ({"gba_hukou": False, "gba_social_security_years": 2}, True),
    ({"gba_hukou": False, "gba_social_security_years": 1}, False),
    ({"experience_years": 1}, False),
    ({"net_financial_assets_fen": 99_999_999}, False),
    ({"net_financial_assets_fen": 0, "financial_assets_fen": 200_000_000}, True),
    ({"net_financial_assets_fen": 0, "avg_income_fen": 40_000_000}, True),
])
def test_cwm_eligibility_legs(changes, ok):
    decision = gate().may_hold_rwa(True, False, eligible_profile(**changes))
    assert decision.allowed is ok
    if not ok:
        assert decision.reason == "cwm_investor_not_eligible"


def test_professional_only_unless_authorised_and_mainland_outside_cwm():
    g = PolicyGate(TODAY)
    assert g.may_hold_rwa(False, False, None).reason == "professional_only"
    assert g.may_hold_rwa(False, True, None).allowed
    assert PolicyGate(PolicyConfig(retail_authorised=True).rules()).may_hold_rwa(False, False, None).allowed
    assert g.mainland_direct_purchase(is_virtual_asset=False).reason == "safe_quota_not_for_securities"
    assert g.mainland_direct_purchase(is_virtual_asset=True).reason == "mainland_va_ban"


@pytest.mark.parametrize("field", ["individual_quota_cny", "aggregate_quota_cny", "min_experience_years",
                                   "min_net_financial_assets_cny", "min_avg_income_cny"])
def test_negative_figure_is_refused_naming_the_field(field):
    with pytest.raises(ValueError, match=field):
        CwmConfig(**{field: -1})
    with pytest.raises(ValueError, match="safe_fx_quota_usd"):
        PolicyConfig(safe_fx_quota_usd=-1)


def test_risk_rating_above_the_channel_limit_is_refused():
    rules = PolicyConfig(cwm=CwmConfig(product_eligible=True, product_risk_rating=5)).rules()
    assert not rules.cwm.risk_rating_allowed
    assert PolicyGate(rules).may_hold_rwa(True, False, eligible_profile()).reason == "cwm_risk_rating"


def test_rules_are_the_config_in_minor_units_and_have_no_defaults_of_their_own():
    # FACTS "CWM Connect" (quotas, eligibility: H) and "Mainland constraints" (SAFE: H), in fen / US cents
    assert PolicyRules(
        cwm=CwmRules(product_eligible=False, risk_rating_allowed=True, individual_quota_fen=300_000_000,
                     per_channel_quota_fen=150_000_000,
                     aggregate_quota_fen=15_000_000_000_000, agent_weight=1, min_gba_social_security_years=2,
                     min_experience_years=2,
                     min_net_financial_assets_fen=100_000_000, min_financial_assets_fen=200_000_000,
                     min_avg_income_fen=40_000_000),
        retail_authorised=False, mainland_va_ban=True, safe_fx_quota_usd_cents=5_000_000) == TODAY
    with pytest.raises(TypeError):
        CwmRules()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        PolicyRules()  # type: ignore[call-arg]


def test_eligibility_thresholds_follow_the_config():
    # the pre-2024 rules: five years of GBA social security for investors without a hukou
    old = PolicyConfig(cwm=CwmConfig(product_eligible=True, min_gba_social_security_years=5)).rules()
    profile = eligible_profile(gba_hukou=False, gba_social_security_years=2)
    assert gate().cwm_eligible(profile)
    assert not PolicyGate(old).cwm_eligible(profile)


PER_CHANNEL = QUOTA // 2  # what an investor with a bank and a broker may remit through each


def test_remaining_quota_is_what_is_left_and_never_below_zero_even_after_a_shrink():
    g = gate()
    assert g.individual_remaining_fen("a") == QUOTA and g.cwm_remaining_fen("a") == QUOTA
    g.reserve_southbound("a", 1_000)
    assert g.individual_remaining_fen("a") == g.cwm_remaining_fen("a") == QUOTA - 1_000
    g.reserve_southbound("a", QUOTA - 1_000)
    assert g.individual_remaining_fen("a") == g.cwm_remaining_fen("a") == 0
    g.rules = replace(g.rules, cwm=replace(g.rules.cwm, individual_quota_fen=QUOTA // 3))  # a quota-cut shock
    assert g.individual_remaining_fen("a") == g.cwm_remaining_fen("a") == 0  # over the new quota: none left
    full = gate(aggregate_quota_fen=500)
    assert full.reserve_southbound("b", 500).allowed
    full.rules = replace(full.rules, cwm=replace(full.rules.cwm, aggregate_quota_fen=100))
    assert full.cwm_remaining_fen("c") == 0 and full.channel_remaining_fen("c", "bank") == 0
    both = gate()
    assert both.reserve_southbound("d", PER_CHANNEL, channel="bank").allowed
    both.rules = replace(both.rules, cwm=replace(both.rules.cwm, per_channel_quota_fen=PER_CHANNEL // 2))
    assert both.channel_remaining_fen("d", "bank") == 0  # over the channel's new share: none left


def test_a_fresh_investor_may_remit_exactly_the_quota_and_not_a_fen_more():
    g = gate()
    assert g.check_southbound("new", QUOTA).allowed
    assert g.check_southbound("new", QUOTA + 1).reason == "cwm_individual_quota"
    assert g.check_southbound("new", PER_CHANNEL, channel="bank").allowed
    assert g.check_southbound("new", PER_CHANNEL + 1, channel="bank").reason == "cwm_individual_quota"
    assert g.channel_remaining_fen("new", "bank") == PER_CHANNEL


def test_each_channel_holds_its_half_and_a_release_frees_the_busiest_first_and_only_the_investors_own():
    g = gate()
    assert g.reserve_southbound("a", 100_000_000, channel="bank").allowed
    assert g.cwm_channel_used_fen == {("a", "bank"): 100_000_000}
    assert g.channel_remaining_fen("a", "bank") == PER_CHANNEL - 100_000_000
    assert g.reserve_southbound("a", 40_000_000, channel="broker").allowed
    assert g.reserve_southbound("a", PER_CHANNEL - 100_000_000 + 1, channel="bank").reason == "cwm_individual_quota"
    assert g.reserve_southbound("a", PER_CHANNEL - 100_000_000, channel="bank").allowed  # the bank's rest, exactly
    assert g.channel_remaining_fen("a", "bank") == 0 and g.channel_remaining_fen("a", "broker") == 110_000_000
    assert g.reserve_southbound("b", 7, channel="bank").allowed  # another investor, same bank
    g.release_southbound("a", 120_000_000)  # the bank (150 m in use) first
    assert g.cwm_channel_used_fen[("a", "bank")] == 30_000_000 and g.cwm_channel_used_fen[("a", "broker")] == 40_000_000
    g.release_southbound("a", 50_000_000)  # now the broker (40 m) first, then the bank
    assert g.cwm_channel_used_fen[("a", "broker")] == 0 and g.cwm_channel_used_fen[("a", "bank")] == 20_000_000
    assert g.cwm_used_fen["a"] == 20_000_000 and g.cwm_channel_used_fen[("b", "bank")] == 7
    # principal remitted outside the channels' split frees nothing of another investor's channels
    g.reserve_southbound("a", 10)
    g.release_southbound("a", 20_000_010)
    assert g.cwm_channel_used_fen[("a", "bank")] == 0 and g.cwm_channel_used_fen[("b", "bank")] == 7
    assert g.cwm_aggregate_used_fen == 7


def test_releasing_for_an_investor_with_nothing_in_use_changes_nothing():
    g = gate()
    g.reserve_southbound("a", 500)
    g.release_southbound("nobody", 5)
    assert g.cwm_aggregate_used_fen == 500 and g.cwm_used_fen.get("nobody", 0) == 0


def test_the_rules_in_force_are_replaced_never_edited():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        TODAY.cwm.individual_quota_fen = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        TODAY.retail_authorised = True  # type: ignore[misc]


def test_an_agent_standing_for_many_uses_the_aggregate_quota_for_all_of_them():
    # 100 real investors per agent, RMB 150 bn quota of which 149.99 bn is already in use: RMB 10 m left, so
    # each agent may remit at most RMB 100 k more before the aggregate binds
    rules = replace(TODAY, cwm=replace(TODAY.cwm, product_eligible=True, agent_weight=100))
    g = PolicyGate(rules, aggregate_used_fen=14_999_000_000_000)
    assert g.aggregate_room_fen() == 10_000_000
    assert g.cwm_remaining_fen("a") == 10_000_000
    assert g.check_southbound("a", 10_000_001).reason == "cwm_aggregate_quota"
    assert g.reserve_southbound("a", 4_000_000).allowed
    assert g.cwm_aggregate_used_fen == 14_999_400_000_000  # RMB 40 k x 100
    assert g.cwm_remaining_fen("b") == 6_000_000
    g.release_southbound("a", 1_000_000)
    assert g.cwm_aggregate_used_fen == 14_999_300_000_000 and g.cwm_used_fen["a"] == 3_000_000
