"""The CWM Connect history the launch scenario replays: arrivals whose rate steps up, securities firms admitted on
a day, the eligibility legs relaxed by a dated shock, and the whole market's investors and remittances counted."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from simulator.model.config import InvestorClassConfig
from simulator.runner import run
from simulator.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = ROOT / "scenarios" / "cwm_launch.toml"
SMALL = ["investors.mainland_gba.count=300", "investors.hk_professional.count=2", "investors.esg_fund.count=1",
         "investors.mainland_gba.arrival_profile=[{from_day=0, weight=1.0}, {from_day=860, weight=8.0}, "
         "{from_day=894, weight=3.0}]"]
TWO_POINT_O = 860  # 26 Feb 2024, days from the launch


@pytest.fixture(scope="module")
def launch():
    scenario = load_scenario(LAUNCH, SMALL)
    return run(scenario.world(), scenario.scenario.seed)


def test_the_arrival_profile_maps_quantiles_onto_its_steps_by_their_mass():
    c = InvestorClassConfig(count=1, arrival_days=100, arrival_profile=[{"from_day": 0, "weight": 1.0},
                                                                        {"from_day": 50, "weight": 3.0}])
    # mass 50 before day 50 and 150 after: a quarter of the arrivals come in the first half
    assert c.arrival_day(0.0) == 0.0
    assert c.arrival_day(0.25) == pytest.approx(50.0)
    assert c.arrival_day(0.625) == pytest.approx(75.0)
    assert c.arrival_day(0.999999) == pytest.approx(100.0, abs=1e-3)
    gap = InvestorClassConfig(count=1, arrival_days=100, arrival_profile=[{"from_day": 0, "weight": 1.0},
                                                                          {"from_day": 40, "weight": 0.0},
                                                                          {"from_day": 60, "weight": 1.0}])
    assert all(not 40 < gap.arrival_day(u / 100) < 60 for u in range(100))  # nobody arrives in a 0-weight step


def test_arrivals_follow_the_profile_in_a_run(launch):
    first: dict[str, int] = {}  # an applicant's first verdict is its arrival (a re-applicant's comes later again)
    for e in launch.events:
        if e.get("investor_class") == "mainland_gba" and e["kind"] in ("refused", "onboarded"):
            first.setdefault(e["actor"], e["day"])
    days = list(first.values())
    before = sum(d < TWO_POINT_O for d in days) / TWO_POINT_O
    rush = sum(TWO_POINT_O <= d < 894 for d in days) / (894 - TWO_POINT_O)
    after = sum(d >= 894 for d in days) / (1381 - 894)
    # the scenario's steps: 1 before the 2.0 rules, 8 in the rush, 3 after (sampling noise at 300 arrivals)
    assert 4 < rush / before < 14
    assert 2 < after / before < 4.5


def test_securities_firms_take_clients_only_from_their_admission_day(launch):
    w = launch.world
    broker = w.channels.by_name["cwm-broker"]
    bank = w.channels.by_name["cwm-bank"]
    assert broker.clients and bank.clients
    onboarded = {e["actor"]: e["day"] for e in launch.events if e["kind"] == "onboarded"}
    assert min(onboarded[i.wallet] for i in broker.clients if i.wallet in onboarded) >= TWO_POINT_O
    assert min(onboarded[i.wallet] for i in bank.clients if i.wallet in onboarded) < TWO_POINT_O


def test_the_2_0_rules_relax_residency_and_raise_the_quota_on_their_day(launch):
    w = launch.world
    cwm = w.policy.rules.cwm
    assert cwm.min_gba_social_security_years == 2
    assert cwm.individual_quota_fen == 3_000_000 * 100
    # before the shock nobody without a hukou had five years (they hold 0-9): after it, those with 2-9 pass
    eligible_without_hukou = [i for i in w.investors if i.profile is not None and not i.profile.gba_hukou
                              and i.channels]
    joined = {e["actor"]: e["day"] for e in launch.events if e["kind"] == "onboarded"}
    early = [i for i in eligible_without_hukou if joined.get(i.wallet, 10**9) < TWO_POINT_O]
    late = [i for i in eligible_without_hukou if joined.get(i.wallet, -1) >= TWO_POINT_O]
    assert all(i.profile.gba_social_security_years >= 5 for i in early)
    assert any(2 <= i.profile.gba_social_security_years < 5 for i in late)


def test_the_markets_investors_and_remittances_are_counted_for_the_whole_market(launch):
    rows = {r["date"]: r for r in launch.timeseries}
    weight = launch.world.policy.rules.cwm.agent_weight
    last = rows[max(rows)]
    at_channels = sum(1 for i in launch.world.investors if i.channels)
    assert launch.world.counters.cwm_investors == at_channels
    # the last row is the start of the last day: an investor onboarded on it is not in it yet
    assert weight * (at_channels - 3) <= last["cwm_investors"] <= weight * at_channels
    remitted = sum(e["amount_minor"] for e in launch.events if e["kind"] == "remittance" and e["rail"] == "CIPS")
    assert remitted > 0
    # the last row is the start of the last day: a remittance on that day is not in it yet
    assert 0 < last["cwm_remitted_cny_cum"] <= weight * remitted // 100
    assert last["cwm_remitted_cny_cum"] >= 0.95 * weight * remitted // 100
    days = sorted(rows)
    assert all(rows[a]["cwm_remitted_cny_cum"] <= rows[b]["cwm_remitted_cny_cum"] for a, b in itertools.pairwise(days))
    assert dt.date.fromisoformat(days[0]) == dt.date(2021, 10, 19)


@pytest.mark.parametrize(("override", "message"), [
    ("investors.mainland_gba.arrival_profile=[{from_day=5, weight=1.0}]", "starts at day 0"),
    ("investors.mainland_gba.arrival_profile=[{from_day=0, weight=1.0}, {from_day=0, weight=2.0}]",
     "strictly later"),
    ("investors.mainland_gba.arrival_profile=[{from_day=0, weight=1.0}, {from_day=5000, weight=2.0}]",
     "past the arrival window"),
    ("investors.mainland_gba.arrival_profile=[{from_day=0, weight=0.0}]", "weight 0"),
    ("cwm_channels.0.admitted_day=10", "no CWM channel takes clients from day 0"),
])
def test_bad_history_settings_are_named(override, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(LAUNCH, [override])


def test_an_eligibility_shock_must_change_something():
    with pytest.raises(ScenarioError, match="needs at least one of min_gba_social_security_years"):
        load_scenario(LAUNCH, ['shocks=[{day=860, kind="cwm_eligibility_change"}]'])


def test_applicants_the_first_rules_refused_and_the_2_0_rules_admit_apply_again_within_30_days(launch):
    refused = {e["actor"]: e["day"] for e in launch.events if e["kind"] == "refused"
               and e["reason"] == "cwm_investor_not_eligible" and e["day"] < TWO_POINT_O}
    again = [(e["actor"], e["day"]) for e in launch.events if e["kind"] == "onboarded" and e["actor"] in refused]
    assert again, "nobody the first rules refused came back"
    assert all(TWO_POINT_O <= day <= TWO_POINT_O + 30 + 10 for _, day in again)  # + the channel's KYC days
    by_wallet = launch.world.by_wallet
    assert all(by_wallet[w].profile.gba_social_security_years in range(2, 5) for w, _ in again)
    # those the new rules still refuse stay refused, and nobody applies twice without a change of rules
    left = launch.world.investor_flow.ineligible
    assert all(not launch.world.policy.cwm_eligible(i.profile) for i in left)


def test_no_reapplication_when_it_is_switched_off():
    scenario = load_scenario(LAUNCH, [*SMALL, "policy.cwm.reapply_within_days=0"])
    result = run(scenario.world(), scenario.scenario.seed)
    refused = {e["actor"] for e in result.events
               if e["kind"] == "refused" and e["reason"] == "cwm_investor_not_eligible"}
    assert not any(e["kind"] == "onboarded" and e["actor"] in refused for e in result.events)
