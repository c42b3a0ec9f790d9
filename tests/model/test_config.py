"""The scenario schema is the one source of each default: the runtime parameter models are its tables."""

from __future__ import annotations

import json

import pytest

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
    ({"asset": {"monthly_share": [0.1] * 12}}, "asset.monthly_share: Value error, monthly_share must sum to 1"),
    ({"policy": {"safe_fx_quota_usd": -1}}, "policy.safe_fx_quota_usd"),
    ({"asset": {"province": "sichuan"}}, "asset.province"),
    ({"asset": {"weather_persistence": 0.9}}, "asset: Value error, weather_sigma 0.35 with weather_persistence 0.9"),
])
def test_bad_values_in_the_new_tables_name_the_dotted_field(data, where):
    with pytest.raises(ScenarioError) as err:
        validate({"scenario": {"name": "t"}, **data}, "s.toml")
    assert any(problem.startswith(f"s.toml: {where}") for problem in err.value.problems), err.value.problems
