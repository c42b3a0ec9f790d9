"""The investor-class table is the one source of each class's facts: the schema, the on-chain identity,
the ledger's home accounts, the plots and the summary columns all follow it."""

from __future__ import annotations

import json

import pytest

from simulator.chain import Chain
from simulator.chain.identities import CWM_ELIGIBILITY
from simulator.identity import CWM_SOUTHBOUND
from simulator.model.classes import CLASS_NAMES, INVESTOR_CLASSES
from simulator.model.config import WorldConfig
from simulator.model.world import World
from simulator.report import CLASS_LABELS
from simulator.runner import run
from simulator.scenario import json_schema
from tests.model.test_world import small_world


@pytest.fixture(scope="module")
def world():
    return run(small_world(horizon_days=200), seed=5).world


def test_schema_summary_and_plots_name_exactly_the_table_classes():
    schema = json.loads(json_schema())
    assert tuple(schema["properties"]["investors"]["propertyNames"]["enum"]) == CLASS_NAMES
    assert set(WorldConfig().investors) <= set(CLASS_NAMES)
    assert {n: c.label for n, c in INVESTOR_CLASSES.items()} == CLASS_LABELS


def test_each_class_is_registered_on_chain_as_its_row_says(world):
    seen = set()
    for inv in world.investors:
        if not inv.onboarded:
            continue
        registry = world.suite.registry
        kind = INVESTOR_CLASSES[inv.cls]
        # country in the registry, category in the platform's claim, the CWM channel's claim for southbound only
        assert registry.investorCountry(inv.wallet) == kind.country
        assert registry.investorCategory(inv.wallet) == kind.category(inv.professional)
        assert registry.hasValidClaim(inv.wallet, CWM_ELIGIBILITY) == (kind.channel == CWM_SOUTHBOUND)
        assert registry.isVerified(inv.wallet) == (world.claims.problem(inv) == "")
        seen.add(inv.cls)
    assert seen == set(CLASS_NAMES)


def test_each_class_is_endowed_in_its_home_account_and_currency():
    w = World(small_world(), seed=5, chain=Chain("revm", seed=5))
    homes = {(c.home_account, c.home_currency) for c in INVESTOR_CLASSES.values()}
    assert homes == {("mainland", "CNY"), ("bank", "HKD"), ("fund", "USD")}
    for name, kind in INVESTOR_CLASSES.items():
        inv = w.investor_flow.new_investor(name, 0, w.streams.own(f"investor:{name}:0"))
        assert w.ledger.balance(f"{kind.home_account}:{inv.wallet}", kind.home_currency) > 0
        for account, currency in homes - {(kind.home_account, kind.home_currency)}:
            assert w.ledger.balance(f"{account}:{inv.wallet}", currency) == 0


def test_sell_pressure_scales_fear_by_the_class_multiplier(world):
    market = world.market
    calm = {c: market.sell_pressure(c, 0.0, 0.0, 0.0) for c in ("mainland_gba", "hk_professional")}
    scared = {c: market.sell_pressure(c, 1.0, 0.0, 0.0) for c in ("mainland_gba", "hk_professional")}
    # the same config for both classes' selling, so the only difference is the table's fear multiplier
    extra = {c: scared[c] / calm[c] - 1 for c in calm}
    ratio = INVESTOR_CLASSES["mainland_gba"].fear_multiplier / INVESTOR_CLASSES["hk_professional"].fear_multiplier
    assert extra["mainland_gba"] == pytest.approx(extra["hk_professional"] * ratio)
    assert ratio > 1


def test_a_class_left_out_of_the_scenario_means_none_of_it_not_a_crash():
    """The baseline without its [investors.hk_retail] table crashed with KeyError: 'hk_retail'."""
    from tests.model.test_world import small_world

    base = small_world(horizon_days=200)
    config = base.model_copy(update={"investors": {k: v for k, v in base.investors.items() if k != "hk_retail"}})
    result = run(config, seed=5)
    assert result.summary["investors_by_class_hk_retail"] == 0 and result.summary["reconciliation_diff_minor"] == 0
    assert result.summary["investors_by_class_mainland_gba"] > 0 and result.summary["tx_count"] > 60  # it ran
