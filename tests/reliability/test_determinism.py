"""Determinism: web3 (eth-tester) agrees with revm on the world at small size; conservation of revenue."""

from __future__ import annotations

from pathlib import Path

from simulator.runner import run_scenario
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BACKEND_SPECIFIC = {"wall_seconds", "backend", "gas_used_chain", "gas_used_revm_session"}
# shocks that fall after the shrunk horizons here: removed, or the quota rise moved to day 200 (after the day-180
# listing, so the small runs see both)
# the history of cwm_launch (2.0 rules on day 860) compressed into the small horizon
LAUNCH_SMALL = ["shocks.0.day=100", "shocks.1.day=100", "cwm_channels.1.admitted_day=100",
                "investors.mainland_gba.arrival_profile=[{from_day=0, weight=1.0}, {from_day=10, weight=3.0}]"]
NO_SHOCKS = {"regulatory_divergence_shock": ["shocks=[]"], "cwm_quota_binds": ["shocks.4.day=200"],
             "cwm_launch": LAUNCH_SMALL}


def test_web3_eth_tester_gives_the_revm_outputs_on_the_baseline_at_small_size():
    scenario = load_scenario(ROOT / "scenarios" / "solar_gba_baseline.toml",
                             ["horizon_days=260", "investors.hk_professional.count=12", "investors.esg_fund.count=2",
                              "investors.hk_retail.count=3", "investors.mainland_gba.count=3",
                              "offering.soft_cap_hkd=1000000", "offering.duration_days=40"])
    a, b = run_scenario(scenario, backend="revm"), run_scenario(scenario, backend="web3")
    assert a.events == b.events
    assert a.timeseries == b.timeseries
    assert {k: v for k, v in a.summary.items() if k not in BACKEND_SPECIFIC} == \
        {k: v for k, v in b.summary.items() if k not in BACKEND_SPECIFIC}
    assert a.summary["distributions_paid_hkd"] > 0 and a.summary["secondary_trades"] >= 0


def test_distributed_revenue_is_claimed_plus_claimable_plus_dust_in_every_scenario():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        if path.stem == "reference_10k":
            continue
        # shocks after the horizon are refused: regulatory_divergence_shock's fall on days 700 and 760
        result = run_scenario(load_scenario(path, ["horizon_days=500", *NO_SHOCKS.get(path.stem, [])]))
        world = result.world
        d = world.suite.distributor
        # every wallet that can be owed revenue: investors', wallets they lost, a court's receiver
        holders = [i.wallet for i in world.investors] + world.legal.retired_wallets + \
            ([world.legal.receiver] if world.legal.receiver else [])
        claimable = sum(sum(d.withdrawableOfBatch(holders[k:k + 200])) for k in range(0, len(holders), 200))
        distributed, claimed, dust = d.totalDistributed(), d.totalClaimed(), d.undistributedDust()
        # each holder's sub-unit remainder stays with it until later distributions complete a unit
        slack = distributed - claimed - claimable - dust
        assert 0 <= slack <= len(holders), (path.stem, distributed, claimed, claimable, dust)
        assert world.suite.hkd.balanceOf(d.address) == distributed - claimed - d.dustRecovered()


SHRINK = ["horizon_days=240", "investors.hk_professional.count=8", "investors.esg_fund.count=1",
          "investors.hk_retail.count=4", "investors.mainland_gba.count=6", "offering.soft_cap_hkd=1000000",
          "issuer.approval_min_days=10", "issuer.approval_bound_days=20", "offering.duration_days=30",
          "investors.hk_professional.arrival_days=20", "investors.mainland_gba.arrival_days=20"]
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))  # reference_10k too, shrunk like the rest


import pytest  # noqa: E402


@pytest.mark.parametrize("name", SCENARIOS)
def test_revm_and_pyevm_agree_on_every_scenario_at_small_size(name):
    extra = ["disposal.quantity_coins=40"] if name == "seized_asset_disposal" else NO_SHOCKS.get(name, [])
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml", SHRINK + extra)
    a, b = run_scenario(scenario, backend="revm"), run_scenario(scenario, backend="pyevm")
    assert a.events == b.events and a.timeseries == b.timeseries
    assert {k: v for k, v in a.summary.items() if k not in BACKEND_SPECIFIC} == \
        {k: v for k, v in b.summary.items() if k not in BACKEND_SPECIFIC}
    assert a.summary["reconciliation_diff_minor"] == 0
    assert a.summary["tx_count"] > 60 and a.summary["distributions_paid_hkd"] > 0  # the world really ran
