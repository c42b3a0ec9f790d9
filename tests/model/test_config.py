"""The scenario schema is the one source of each default: the runtime parameter models are its tables."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from simulator.limits import MAX_INVESTORS
from simulator.model.config import PolicyConfig, WorldConfig
from simulator.model.fx import FxParams
from simulator.model.provinces import HUBEI
from simulator.model.solar import SolarParams
from simulator.model.va_market import VirtualAssetParams
from simulator.scenario import ScenarioError, json_schema, validate


def test_the_schema_tables_are_the_runtime_models():
    fields = WorldConfig.model_fields
    assert fields["asset"].annotation is SolarParams
    assert fields["fx"].annotation is FxParams
    assert fields["va_market"].annotation is VirtualAssetParams
    defaults = WorldConfig()
    assert defaults.asset == SolarParams() and defaults.fx == FxParams() and defaults.va_market == VirtualAssetParams()


def test_asset_defaults_are_the_ones_every_run_has_used():
    asset = WorldConfig().asset
    assert asset.revenue_share_bps == 7_800  # one value: the schema's (the old solar module had its own 7,000)
    assert asset.province == "hubei" and asset.monthly_share is None  # unset: the province's (resolved in site())
    assert asset.site().monthly_share == HUBEI.monthly_share
    assert (asset.outage_capacity_loss, asset.mechanism_volume_share_bps) == (0.25, 10_000)
    assert (asset.market_price_mean_fen_per_mwh, asset.market_price_volatility,
            asset.market_price_persistence) == (40_000, 0.15, 0.8)


def test_policy_rules_derive_from_the_config():
    assert WorldConfig().policy.rules() == PolicyConfig().rules()
    rules = PolicyConfig.model_validate({"cwm": {"individual_quota_cny": 1_000_000, "min_avg_income_cny": 1}}).rules()
    assert rules.cwm.individual_quota_fen == 100_000_000 and rules.cwm.min_avg_income_fen == 100


def test_new_tables_are_in_the_schema_and_validate():
    properties = json.loads(json_schema())["properties"]
    assert {"asset", "fx", "va_market"} <= set(properties)
    scenario = validate({"scenario": {"name": "t"}, "fx": {"usd_cny_mean": 7.3},
                         "va_market": {"initial_regime": "stressed"}, "asset": {"monthly_share": [1 / 12] * 12}})
    world = scenario.world()
    assert world.fx.usd_cny_mean == 7.3 and world.va_market.initial_regime == "stressed"
    assert world.asset.monthly_share == (1 / 12,) * 12


@pytest.mark.parametrize("data, where", [
    ({"fx": {"usd_hkd_mean": 7.9}}, "fx.usd_hkd_mean"),
    ({"fx": {"spread": 1}}, "fx.spread: unknown key"),
    ({"va_market": {"p_calm_to_stressed": 2}}, "va_market.p_calm_to_stressed"),
    ({"asset": {"monthly_share": [0.5, 0.5]}}, "asset.monthly_share"),
    ({"asset": {"monthly_share": [0.1] * 12}}, "asset.monthly_share: monthly_share must sum to 1"),
    ({"policy": {"safe_fx_quota_usd": -1}}, "policy.safe_fx_quota_usd"),
    ({"asset": {"province": "sichuan"}}, "asset.province"),
    ({"asset": {"weather_persistence": 0.9}}, "asset.weather_sigma: weather_sigma 0.35 with weather_persistence 0.9"),
])
def test_bad_values_in_the_new_tables_name_the_dotted_field(data, where):
    with pytest.raises(ScenarioError) as err:
        validate({"scenario": {"name": "t"}, **data}, "s.toml")
    assert any(problem.startswith(f"s.toml: {where}") for problem in err.value.problems), err.value.problems


# ------------------------------------------------------------------ the schema says what every field is


def _properties(schema: dict):
    """(model name, property name, property schema) of the scenario and every model in $defs."""
    for model, body in [("Scenario", schema), *schema["$defs"].items()]:
        for name, prop in body.get("properties", {}).items():
            yield model, name, prop


def test_every_property_in_the_schema_has_a_description():
    missing = [f"{model}.{name}" for model, name, prop in _properties(json.loads(json_schema()))
               if not prop.get("description", "").strip()]
    assert not missing


def _numeric(prop: dict) -> dict | None:
    for schema in [prop, *prop.get("anyOf", [])]:
        if schema.get("type") in ("integer", "number"):
            return schema
    return None


def test_every_number_is_bounded_on_both_sides_and_says_so():
    unbounded, unsaid = [], []
    for model, name, prop in _properties(json.loads(json_schema())):
        number = _numeric(prop)
        if number is None:
            continue
        if not ({"minimum", "exclusiveMinimum"} & set(number) and {"maximum", "exclusiveMaximum"} & set(number)):
            unbounded.append(f"{model}.{name}")
        if "Bounds: " not in prop["description"]:
            unsaid.append(f"{model}.{name}")
    assert not unbounded and not unsaid, (unbounded, unsaid)


def test_the_memory_bound_is_in_the_schema():
    schema = json.loads(json_schema())
    count = schema["$defs"]["InvestorClassConfig"]["properties"]["count"]
    assert count["maximum"] == MAX_INVESTORS == 250_000
    assert "58 KB" in count["description"] and "Bounds: >= 0, <= 250,000." in count["description"]


# ------------------------------------------------------------------ bad values, each naming its field


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        validate({"scenario": {"name": "t"}, **data}, "s.toml")
    return err.value.problems


@pytest.mark.parametrize("data, line", [
    # strict types: TOML strings and floats are not silently numbers, booleans or ints
    ({"offering": {"hard_cap_hkd": "217000000"}}, "s.toml: offering.hard_cap_hkd: Input should be a valid integer "
                                                   "(got '217000000')"),
    ({"policy": {"retail_authorised": "no"}}, "s.toml: policy.retail_authorised: Input should be a valid boolean "
                                               "(a TOML boolean: true or false, unquoted) (got 'no')"),
    ({"policy": {"retail_authorised": 1}}, "s.toml: policy.retail_authorised: Input should be a valid boolean (got 1)"),
    ({"horizon_days": 365.0}, "s.toml: horizon_days: Input should be a valid integer (got 365.0)"),
    ({"asset": {"capacity_mwp": "82"}}, "s.toml: asset.capacity_mwp: Input should be a valid number (got '82')"),
    ({"start_date": "2026-01-01"}, "s.toml: start_date: Input should be a valid date (a TOML date, unquoted: "
                                   "2026-01-01) (got '2026-01-01')"),
    # what the model cannot run
    ({"investors": {"hk_retail": {"count": 10**12}}}, "s.toml: investors.hk_retail.count: Input should be less than "
                                                      "or equal to 250000 (got 1000000000000)"),
    ({"asset": {"weather_sigma": 1e308}}, "s.toml: asset.weather_sigma: Input should be less than or equal to 2 "
                                          "(got 1e+308)"),
    ({"asset": {"weather_sigma": float("inf")}}, "s.toml: asset.weather_sigma: Input should be a finite number"),
    ({"fx": {"usd_cny_daily_vol": float("nan")}}, "s.toml: fx.usd_cny_daily_vol: Input should be a finite number"),
    ({"asset": {"outage_mean_days": 1e17}}, "s.toml: asset.outage_mean_days: Input should be less than or equal"),
    ({"offering": {"hard_cap_hkd": 10**14}}, "s.toml: offering.hard_cap_hkd: Input should be less than or equal to "
                                             "10000000000000"),
    ({"va_market": {"stressed_depth_factor": 1e-300}}, "s.toml: va_market.stressed_depth_factor: Input should be "
                                                       "greater than or equal to 0.01"),
    ({"start_date": dt.date(9999, 1, 1)}, "s.toml: start_date: Input should be less than or equal to 2100-12-31 "
                                          "(got 9999-01-01)"),
    ({"offering": {"end_of_term": "buyback", "buyback_price_hkd_cents": 10**8, "price_hkd_cents": 1}},
     "s.toml: offering.buyback_price_hkd_cents: buying back the whole hard cap would cost HK$21,700,000,000,000,000,"),
])
def test_a_value_the_model_cannot_take_is_refused_naming_the_field(data, line):
    assert any(problem.startswith(line) for problem in problems_of(data)), problems_of(data)


def test_toml_types_that_stand_for_what_the_field_is_are_accepted():
    world = validate({"scenario": {"name": "t"}, "asset": {"capacity_mwp": 82, "outage_mean_days": 3},
                      "start_date": dt.date(2030, 2, 1), "fx": {"usd_cny_mean": 7}}).world()
    assert world.asset.capacity_mwp == 82.0 and isinstance(world.asset.capacity_mwp, float)
    assert world.fx.usd_cny_mean == 7.0 and world.start_date == dt.date(2030, 2, 1)


def test_investors_in_all_are_bounded_by_memory():
    # the real CWM Connect population, 164.6 k at end-Jul 2025 (FACTS), must stay runnable
    validate({"scenario": {"name": "t"}, "investors": {"mainland_gba": {"count": 111_600},
                                                       "hk_retail": {"count": 53_000}}})
    [line] = problems_of({"investors": {"mainland_gba": {"count": 200_000}, "hk_retail": {"count": 100_000}}})
    assert line == ("s.toml: investors: 300,000 investors in all (mainland_gba 200,000, hk_retail 100,000) exceed "
                    "250,000, the most a run holds in memory (~58 KB of model state each: ~17 GiB)")


def test_dated_events_after_the_horizon_are_refused():
    lines = problems_of({"horizon_days": 100, "shocks": [{"day": 99, "kind": "ban_rumour", "sentiment": 0.5},
                                                         {"day": 100, "kind": "ban_rumour", "sentiment": 0.5}],
                         "disposal": {"quantity_coins": 5, "start_day": 150}})
    assert lines == ["s.toml: shocks.1.day: day 100 is past the horizon (horizon_days 100: days 0-99), so the shock "
                     "would never happen: remove it or lengthen horizon_days",
                     "s.toml: disposal.start_day: day 150 is past the horizon (horizon_days 100), so nothing would "
                     "be sold: start earlier or lengthen horizon_days"]
    # no disposal at all: its start day is not a promise
    validate({"scenario": {"name": "t"}, "horizon_days": 10, "disposal": {"quantity_coins": 0, "start_day": 30}})


@pytest.mark.parametrize("data, line", [
    ({"platforms": [{"name": ""}]}, "s.toml: platforms.0.name: String should have at least 1 character"),
    ({"platforms": [{"name": " alpha"}]}, "s.toml: platforms.0.name: String should match pattern"),
    ({"platforms": [{"name": "alpha "}]}, "s.toml: platforms.0.name: String should match pattern"),
    ({"platforms": [{"name": "a;b"}]}, "s.toml: platforms.0.name: String should match pattern"),
    ({"cwm_channels": [{"name": "", "kind": "bank"}]}, "s.toml: cwm_channels.0.name: String should have at least 1"),
    ({"platforms": [{"name": "a"}, {"name": "a"}]}, "s.toml: platforms.1.name: platform name 'a' is used twice"),
    ({"cwm_channels": [{"name": "b", "kind": "bank", "platform": "x"}]},
     "s.toml: cwm_channels.0.platform: unknown platform 'x'"),
    ({"disposal": {"platforms": ["x"]}}, "s.toml: disposal.platforms.0: unknown platform 'x'"),
    ({"shocks": [{"day": 1, "kind": "licence_revocation", "platform": "x"}]}, "s.toml: shocks.0.platform: unknown "
                                                                              "platform 'x'"),
])
def test_names_are_sane_unique_and_known(data, line):
    assert any(problem.startswith(line) for problem in problems_of(data)), problems_of(data)


@pytest.mark.parametrize("shock, line", [
    ({"kind": "ban_rumour", "sentiment": 0.5, "platform": "hk-vatp-1"},
     "shocks.0.platform: a ban_rumour shock does not use platform (only licence_suspension, licence_revocation, "
     "licence_restored, platform_outage do): remove it"),
    ({"kind": "retail_authorisation", "individual_quota_cny": 5}, "shocks.0.individual_quota_cny: a "
                                                                  "retail_authorisation shock does not use"),
    ({"kind": "licence_revocation", "platform": "hk-vatp-1", "duration_days": 9}, "shocks.0.duration_days: a "
                                                                                  "licence_revocation shock does"),
    ({"kind": "ban_rumour", "sentiment": 0.5, "enabled": False}, "shocks.0.enabled: a ban_rumour shock does not use"),
    ({"kind": "platform_outage", "platform": "hk-vatp-1", "sentiment": -1}, "shocks.0.sentiment: a platform_outage"),
    ({"kind": "platform_outage"}, "shocks.0.platform: a platform_outage shock needs the platform it happens to"),
    ({"kind": "cwm_quota_change"}, "shocks.0.individual_quota_cny: a cwm_quota_change shock needs "
                                   "individual_quota_cny or aggregate_quota_cny"),
])
def test_a_shock_takes_only_the_fields_its_kind_uses(shock, line):
    assert f"s.toml: {line}" in " | ".join(problems_of({"shocks": [{"day": 1, **shock}]}))


def test_mainland_only_fields_are_refused_on_other_classes():
    [line] = problems_of({"investors": {"hk_retail": {"gba_hukou_share": 0.5}}})
    assert line == ("s.toml: investors.hk_retail.gba_hukou_share: hk_retail investors are not mainland residents: "
                    "gba_hukou_share applies only to mainland classes")
    validate({"scenario": {"name": "t"}, "investors": {"mainland_gba": {"gba_hukou_share": 0.5}}})


def test_no_problem_quotes_a_table_or_a_long_value():
    # the old cross-field check quoted the whole scenario after naming an unknown shock platform
    lines = problems_of({"shocks": [{"day": 1, "kind": "licence_suspension", "platform": "nowhere"}],
                         "offering": 5, "asset": {"province": "x" * 500}, "platforms": [[1, 2]]})
    assert all("\n" not in line and len(line) < 200 and "{" not in line for line in lines), lines
    assert "s.toml: offering: Input should be a valid dictionary or instance of OfferingConfig (got 5)" in lines
    [province] = [line for line in lines if "asset.province" in line]
    assert province.endswith("(got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...)")
    assert "s.toml: platforms.0: Input should be a valid dictionary or instance of PlatformConfig" in lines


def test_a_key_with_a_line_break_is_quoted_so_each_problem_stays_one_line():
    lines = problems_of({"investors": {"a\nb": {}}, "colour\t": 1})
    assert all("\n" not in line and "\t" not in line for line in lines), lines
    assert "s.toml: 'colour\\t': unknown key" in lines
    assert any(line.startswith("s.toml: investors.'a\\nb'.[key]: Input should be mainland_gba") for line in lines)
