"""Issue #13, economics a domain expert would sign: each test fails on the behaviour it replaced."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from simulator.model.config import InvestorClassConfig, WorldConfig
from simulator.runner import run_scenario
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def test_each_refusal_is_counted_once():
    """A settlement whose funding leg fails was recorded twice (once by the funding, once by the failure)."""
    result = run_scenario(load_scenario(SCENARIOS / "cwm_inclusion.toml"))
    refused = [e for e in result.events if e["kind"] == "refused"]
    per_match = collections.Counter(e["match_id"] for e in refused if e["match_id"] is not None)
    assert per_match, "the scenario must exercise failed settlements"
    assert max(per_match.values()) == 1
    counted = sum(v for k, v in result.summary.items() if k.startswith("refused_"))
    assert counted == len(refused)
    assert result.summary["settlement_failures"] == len(per_match)


def test_quota_columns_say_max_and_total():
    result = run_scenario(load_scenario(SCENARIOS / "cwm_inclusion.toml", ["horizon_days=400"]))
    s, used = result.summary, result.world.policy.cwm_used_fen
    assert s["cwm_individual_quota_max_used_cny"] == max(used.values()) // 100
    assert s["cwm_individual_quota_total_used_cny"] == sum(used.values()) // 100
    assert s["cwm_individual_quota_total_used_cny"] > s["cwm_individual_quota_max_used_cny"] > 0
    assert "cwm_individual_quota_used_cny" not in s  # the old name said "used" for a maximum


@pytest.mark.parametrize("price", [7_000, 9_000])  # RMB 0.07 and 0.09 a kWh: O&M above revenue in some months
def test_a_loss_month_is_carried_forward_not_a_crash(price):
    result = run_scenario(load_scenario(SCENARIOS / "solar_gba_baseline.toml",
                                        [f"asset.benchmark_price_fen_per_mwh={price}", "horizon_days=800"]))
    s = result.summary
    assert s["reconciliation_diff_minor"] == 0 and s["offering_outcome"] == "closed"
    reports = [e for e in result.events if e["kind"] == "oracle_report"]
    paid = [e for e in result.events if e["kind"] == "distribution"]
    assert any(e["amount_minor"] < 0 for e in reports)  # loss months happened ...
    assert 0 < len(paid) < len(reports)  # ... paid nothing, and later months paid again
    ledger = result.world.ledger
    assert ledger.balance("external:opex", "CNY") > 0  # losses went out of the issuer, never to holders


def test_class_defaults_survive_a_table_that_names_only_a_count():
    retail = load_scenario(SCENARIOS / "cwm_inclusion.toml").investors["hk_retail"]
    generic = InvestorClassConfig()
    assert retail.count == 60
    assert retail.wealth_median_hkd == 1_500_000 != generic.wealth_median_hkd
    assert retail.ticket_share_of_wealth_bps == 1_000 != generic.ticket_share_of_wealth_bps
    # the Python API too: an InvestorClassConfig keeps the class defaults it does not set
    cfg = WorldConfig(investors={"esg_fund": InvestorClassConfig(count=3)})
    assert cfg.investors["esg_fund"].wealth_median_hkd == 2_000_000_000 and cfg.investors["esg_fund"].count == 3


def _world_with_a_rich_mainland_investor(**changes):
    from tests.model.test_world import small_world

    base = small_world(horizon_days=200)
    rich = InvestorClassConfig(count=3, arrival_days=5, wealth_median_hkd=200_000_000, wealth_sigma=0.0,
                               ticket_share_of_wealth_bps=10_000, gba_hukou_share=1.0, experienced_share=1.0,
                               wealth_test_share=1.0, bad_actor_share=0.0, via_cwm_share=1.0)
    investors = {**base.investors, "mainland_gba": rich}
    return small_world(horizon_days=200, investors=investors, **changes)


def test_a_ticket_above_the_quota_is_cut_to_exactly_what_remains():
    """Tickets over RMB 3 m were refused whole; and the fee and an FX buffer used to count against the quota."""
    from simulator.model.config import OfferingConfig
    from simulator.runner import run

    config = _world_with_a_rich_mainland_investor(
        offering=OfferingConfig(hard_cap_hkd=200_000_000, soft_cap_hkd=5_000_000, duration_days=30,
                                max_ticket_hkd=20_000_000))
    result = run(config, seed=5)
    world = result.world
    mainland = [i for i in world.investors if i.cls == "mainland_gba" and i.onboarded]
    assert mainland
    cuts = {e["actor"] for e in result.events if e["kind"] == "ticket_cut"}
    subscribed = {e["actor"] for e in result.events if e["kind"] == "subscribed"}
    for inv in mainland:
        assert inv.wallet in cuts and inv.wallet in subscribed  # cut, not refused
        # RMB 3,000,000.00 of principal in use, to the fen; the CIPS fee was paid on top
        assert world.policy.cwm_used_fen[inv.wallet] == 3_000_000 * 100
        # the whole RMB 3 m principal arrived in Hong Kong: the fee did not come out of it
        remitted = [e["amount_minor"] for e in result.events if e["kind"] == "remittance" and e["actor"] == inv.wallet]
        assert remitted == [3_000_000 * 100]
    assert result.summary["refused_cwm_individual_quota"] == 0


def test_refunds_go_home_through_the_closed_loop_and_free_the_quota():
    """Pro-rata refunds to mainland subscribers stayed in Hong Kong as stablecoin, counted as quota in use."""
    from simulator.model.config import IssuerConfig, OfferingConfig
    from simulator.runner import run

    config = _world_with_a_rich_mainland_investor(  # oversubscribed: everyone is refunded part of the ticket
        offering=OfferingConfig(hard_cap_hkd=8_000_000, soft_cap_hkd=1_000_000, duration_days=30,
                                max_ticket_hkd=20_000_000),
        issuer=IssuerConfig(approval_min_days=20, approval_bound_days=20)).model_copy(update={"horizon_days": 51})
    result = run(config, seed=5)
    world = result.world
    refunds = {e["actor"]: e["amount_minor"] for e in result.events if e["kind"] == "refunded"}
    home = {e["actor"]: e for e in result.events
            if e["kind"] == "remittance_northbound" and e["cause"] == "refund"}
    mainland = [i for i in world.investors if i.cls == "mainland_gba" and i.wallet in refunds]
    assert mainland
    for inv in mainland:
        assert inv.wallet in home  # the refund went home ...
        # ... and freed the quota it used: RMB 3 m remitted, less what came home (FX moves stay in use: net)
        assert world.policy.cwm_used_fen[inv.wallet] == 3_000_000 * 100 - home[inv.wallet]["amount_minor"]
        assert home[inv.wallet]["amount_minor"] > 0.8 * 3_000_000 * 100  # most of the ticket was refunded
        assert world.suite.hkd.balanceOf(inv.wallet) < 10**4  # no stablecoin left behind in Hong Kong
    assert result.summary["reconciliation_diff_minor"] == 0


def test_payouts_are_reported_gross_and_net_of_withholding():
    """No tax was withheld: holders got the whole share across the border."""
    from simulator.model.config import IssuerConfig

    def run_with(bps: int):
        return run_scenario(load_scenario(SCENARIOS / "solar_gba_baseline.toml",
                                          ["horizon_days=500", f"issuer.withholding_tax_bps={bps}"]))

    taxed, untaxed = run_with(1_000), run_with(0)
    s = taxed.summary
    assert s["withholding_tax_cny"] == pytest.approx(s["payouts_gross_cny"] * 0.10, abs=len(taxed.events))
    assert untaxed.summary["withholding_tax_cny"] == 0
    assert untaxed.summary["payouts_gross_cny"] == s["payouts_gross_cny"]  # the same share before tax ...
    ratio = s["distributions_paid_hkd"] / untaxed.summary["distributions_paid_hkd"]
    assert ratio == pytest.approx(0.90, abs=0.002)  # ... and 10 % less paid to holders
    withheld = taxed.world.ledger.balance("external:tax:withholding", "CNY")
    assert withheld == taxed.world.revenue.withheld_fen and withheld // 100 == s["withholding_tax_cny"]
    assert IssuerConfig().withholding_tax_bps == 1_000


@pytest.mark.parametrize("recognised", [True, False])
def test_aml_monitoring_freezes_and_a_court_order_is_executed_only_if_the_register_is_recognised(recognised):
    """The token's freeze and forced transfer were never used by the world."""
    flag = "true" if recognised else "false"
    result = run_scenario(load_scenario(SCENARIOS / "legal_recognition.toml",
                                        ["horizon_days=1100", f"legal.onchain_recognition={flag}"]))
    s, w = result.summary, result.world
    token = w.suite.token
    frozen = [i for i in w.investors if i.frozen]
    assert s["wallets_frozen"] == len(frozen) > 0 and s["reconciliation_diff_minor"] == 0
    assert all(token.isFrozen(i.wallet) for i in frozen)
    frozen_at = {e["actor"]: e["time_s"] for e in result.events if e["kind"] == "frozen"}
    for e in result.events:  # a frozen wallet never trades again
        if e["kind"] == "trade_settled":
            for who in (e["buyer"], e["seller"]):
                assert who not in frozen_at or e["time_s"] < frozen_at[who]
    orders = [e for e in result.events if e["kind"] == "court_order"]
    assert orders
    lost = [e for e in result.events if e["kind"] == "key_lost"]
    assert lost and s["keys_lost"] == len(lost)
    if recognised:
        recovered = [e for e in result.events if e["kind"] == "recovered"]
        assert recovered and s["wallets_recovered"] == len(recovered)
        for e in recovered:  # the tokens moved to the holder's new wallet; the lost one holds none
            assert token.balanceOf(e["counterparty"]) == 0 and e["amount_minor"] > 0
        assert s["court_orders_executed"] == len(orders) and s["court_orders_unenforced"] == 0
        assert token.balanceOf(w.legal.receiver) == s["tokens_seized_e9"] * 10**9 > 0
        assert all(token.balanceOf(e["actor"]) == 0 for e in orders)
    else:
        assert s["wallets_recovered"] == 0 and s["tokens_key_lost_end_e9"] > 0
        assert s["tokens_key_lost_end_e9"] * 10**9 == sum(token.balanceOf(i.wallet) for i in w.investors if i.key_lost)
        assert s["court_orders_unenforced"] == len(orders) and s["tokens_seized_e9"] == 0
        assert s["tokens_frozen_end_e9"] * 10**9 == sum(token.balanceOf(i.wallet) for i in frozen) > 0
        assert s["value_stranded_hkd"] > 0


def test_mainland_investors_come_through_a_cwm_bank_or_broker_which_routes_to_its_platform():
    """Mainland clients onboarded directly at a VATP; now through a CWM channel, as the rules require."""
    from simulator.model.config import CwmChannelConfig
    from simulator.runner import run
    from tests.model.test_world import small_world

    channels = [CwmChannelConfig(name="bank-a", kind="bank", platform="beta", weight=1.0),
                CwmChannelConfig(name="broker-b", kind="broker", platform="beta", weight=1.0)]
    result = run(small_world(horizon_days=200, cwm_channels=channels), seed=5)
    world = result.world
    onboarded = {e["actor"]: e for e in result.events if e["kind"] == "onboarded"}
    mainland = [i for i in world.investors if i.cls == "mainland_gba" and i.onboarded]
    assert mainland
    for inv in mainland:
        assert inv.channels and set(inv.channels) <= {"bank-a", "broker-b"}
        assert onboarded[inv.wallet]["platform"] == "beta"  # the channel's platform, not a free choice
        assert onboarded[inv.wallet]["channel"] == "+".join(inv.channels)
    assert result.summary["cwm_clients_bank"] + result.summary["cwm_clients_broker"] \
        + result.summary["cwm_clients_bank_and_broker"] == len(mainland)
    others = [i for i in world.investors if i.cls != "mainland_gba" and i.onboarded]
    assert others and not any(i.channels for i in others)  # HK and international investors go direct


def test_an_investor_with_a_bank_and_a_broker_has_rmb_1_5_m_through_each():
    from simulator.model.config import OfferingConfig
    from simulator.runner import run

    config = _world_with_a_rich_mainland_investor(
        offering=OfferingConfig(hard_cap_hkd=200_000_000, soft_cap_hkd=5_000_000, duration_days=30,
                                max_ticket_hkd=20_000_000))
    both = config.investors["mainland_gba"].model_copy(update={"both_channels_share": 1.0})
    result = run(config.model_copy(update={"investors": {**config.investors, "mainland_gba": both}}), seed=5)
    world = result.world
    mainland = [i for i in world.investors if i.cls == "mainland_gba" and i.onboarded]
    assert mainland and all(len(i.channels) == 2 for i in mainland)
    for inv in mainland:
        sent = [e["amount_minor"] for e in result.events if e["kind"] == "remittance" and e["actor"] == inv.wallet]
        assert sent[0] == 1_500_000 * 100  # the subscription goes through one channel: cut to its RMB 1.5 m
        per_channel = [world.policy.cwm_channel_used_fen.get((inv.key, c), 0) for c in inv.channels]
        assert max(per_channel) <= 1_500_000 * 100 and sum(per_channel) == world.policy.cwm_used_fen[inv.key]


def test_revenue_is_net_of_vat_on_the_vat_inclusive_tariff():
    """Tariff receipts were booked as revenue whole: 13 % VAT (China's rate on electricity) went to holders."""
    import datetime as dt

    import numpy as np

    from simulator.model.solar import SolarAsset, SolarParams
    from tests.model.test_solar import run_months

    def year(vat_bps: int) -> int:
        asset = SolarAsset(SolarParams(vat_bps=vat_bps), np.random.default_rng(3), dt.date(2026, 1, 1))
        return sum(s.gross_revenue_fen for s in run_months(asset, 12))

    assert SolarParams().vat_bps == 1_300
    with_vat, without = year(1_300), year(0)
    assert abs(with_vat - without * 10_000 / 11_300) <= 12  # exact but for one floor a month
