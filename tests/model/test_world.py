"""Whole-world runs at small size: determinism, reconciliation, eligibility of every holder, shocks."""

from __future__ import annotations

import pytest

from simulator.model.config import (
    CwmConfig,
    InvestorClassConfig,
    OfferingConfig,
    PlatformConfig,
    PolicyConfig,
    ShockConfig,
    WorldConfig,
)
from simulator.runner import run

BACKEND_SPECIFIC = {"wall_seconds", "backend", "gas_used_chain", "gas_used_revm_session"}


def small_world(**changes) -> WorldConfig:
    investors = {
        "mainland_gba": InvestorClassConfig(count=40, wealth_median_hkd=3_000_000, ticket_share_of_wealth_bps=3_000,
                                            via_cwm_share=0.8, buy_interest_per_day=0.02, hold_days_mean=120),
        "hk_retail": InvestorClassConfig(count=20, wealth_median_hkd=1_500_000, ticket_share_of_wealth_bps=1_000),
        "hk_professional": InvestorClassConfig(count=25, wealth_median_hkd=30_000_000, buy_interest_per_day=0.02,
                                               hold_days_mean=120),
        "esg_fund": InvestorClassConfig(count=3, wealth_median_hkd=2_000_000_000, ticket_share_of_wealth_bps=100),
    }
    base = {
        "horizon_days": 400, "investors": investors,
        "offering": OfferingConfig(hard_cap_hkd=60_000_000, soft_cap_hkd=5_000_000, duration_days=30),
        "platforms": [PlatformConfig(name="alpha", weight=2.0), PlatformConfig(name="beta")],
        "policy": PolicyConfig(cwm=CwmConfig(product_eligible=True)),
    }
    base.update(changes)
    return WorldConfig(**base)


@pytest.fixture(scope="module")
def baseline():
    return run(small_world(), seed=5)


def _strip(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k not in BACKEND_SPECIFIC}


def test_reconciles_to_zero_and_does_something(baseline):
    s = baseline.summary
    assert s["reconciliation_diff_minor"] == 0
    assert s["offering_outcome"] == "closed" and s["capital_raised_hkd"] > 5_000_000
    assert s["investors_by_class_mainland_gba"] > 0 and s["cwm_aggregate_quota_used_cny"] > 0
    assert s["distributions_paid_hkd"] > 0 and s["secondary_trades"] > 0
    assert s["refused_professional_only"] > 0  # HK retail, product not authorised for retail
    assert s["refused_safe_quota_not_for_securities"] > 0  # mainland residents outside CWM
    assert len(baseline.timeseries) == 400


def test_runtime_parameters_are_the_configs_own_objects(baseline):
    # one source for each default: the world runs on the validated config's models, not copies
    world = baseline.world
    assert world.revenue.asset.params is world.cfg.asset
    assert world.fx.params is world.cfg.fx
    assert world.va.params is world.cfg.va_market
    assert world.policy.rules == world.cfg.policy.rules()  # no shocks in this run


def test_same_seed_same_results_other_seed_differs(baseline):
    again = run(small_world(), seed=5)
    assert _strip(again.summary) == _strip(baseline.summary)
    assert again.events == baseline.events and again.timeseries == baseline.timeseries
    assert run(small_world(), seed=6).events != baseline.events


def test_every_onchain_holder_is_verified_and_was_eligible_when_buying(baseline):
    world = baseline.world
    for inv in world.investors:
        balance = world.suite.token.balanceOf(inv.wallet)
        assert balance == inv.tokens
        if balance:
            assert world.suite.registry.isVerified(inv.wallet)
            assert inv.purchase_checks and all(inv.purchase_checks)


def test_revm_and_pyevm_agree():
    config = small_world(horizon_days=120)
    a, b = run(config, seed=9, backend="revm"), run(config, seed=9, backend="pyevm")
    assert _strip(a.summary) == _strip(b.summary)
    assert a.events == b.events


def test_suspended_platform_matches_nothing_while_suspended():
    # trading starts only once the offering closes (after the issuer's approval, day ~140 here): the
    # suspension comes well after that, so alpha has traded before it
    config = small_world(horizon_days=640,
                         shocks=[ShockConfig(day=400, kind="licence_suspension", platform="alpha", duration_days=60)])
    result = run(config, seed=5)
    trades = [e for e in result.events if e["kind"] == "trade_settled"]
    assert any(e["actor"] == "alpha" and e["day"] < 400 for e in trades)
    assert any(e["actor"] == "alpha" and e["day"] >= 460 for e in trades)  # restored afterwards
    assert not [e for e in trades if e["actor"] == "alpha" and 400 <= e["day"] < 460]
    assert result.summary["reconciliation_diff_minor"] == 0


def test_product_list_removal_refuses_new_mainland_bids():
    config = small_world(shocks=[ShockConfig(day=200, kind="cwm_product_list", enabled=False)])
    result = run(config, seed=5)
    late = [e for e in result.events if e["kind"] == "refused" and e["reason"] == "cwm_product_not_eligible"]
    assert late and all(e["day"] >= 200 for e in late)
    world = result.world
    for inv in world.investors:
        assert all(inv.purchase_checks)


def test_quota_shrink_binds():
    tight = small_world(policy=PolicyConfig(cwm=CwmConfig(product_eligible=True, individual_quota_cny=100_000)))
    result = run(tight, seed=5)
    cuts = [e for e in result.events if e["kind"] == "ticket_cut" and e["reason"] == "cwm_individual_quota"]
    assert cuts  # tickets above the quota were cut to it, not refused whole
    assert result.summary["cwm_individual_quota_max_used_cny"] <= 100_000
    for cut in cuts:  # a cut investor remitted exactly the quota, to the fen (its first remittance)
        sent = [e["amount_minor"] for e in result.events if e["kind"] == "remittance" and e["actor"] == cut["actor"]]
        assert sent[0] == 100_000 * 100
    # a bid is sized to the quota left before it is matched: the quota never fails a settlement
    at_settlement = [e for e in result.events if e["reason"] == "cwm_individual_quota" and e["match_id"]]
    assert not at_settlement


def test_seized_asset_disposal_is_traceable_and_reconciles():
    from simulator.model.config import DisposalConfig

    config = small_world(horizon_days=120, disposal=DisposalConfig(quantity_coins=300, start_day=10, days=10))
    result = run(config, seed=3)
    s = result.summary
    sales = [e for e in result.events if e["kind"] == "va_sale"]
    assert sales and all(e["onchain"] for e in sales)  # every sale is an on-chain movement
    assert sum(e["coins_e8"] for e in sales) == s["disposal_sold_coins_e8"]
    assert s["disposal_proceeds_cny"] > 0 and s["reconciliation_diff_minor"] == 0
    assert s["disposal_days_to_finish"] is not None  # finished within the horizon


def test_faster_disposal_costs_more_impact_and_hits_the_volume_cap():
    from simulator.model.config import DisposalConfig

    def disposal(days):
        config = small_world(horizon_days=90, platforms=[PlatformConfig(name="alpha", va_daily_volume_cap_coins=200)],
                             disposal=DisposalConfig(quantity_coins=400, start_day=5, days=days))
        return run(config, seed=3).summary

    slow, fast = disposal(20), disposal(1)
    assert fast["disposal_mean_impact_bps"] > slow["disposal_mean_impact_bps"]
    assert fast["refused_no_liquidity"] > 0 and slow["refused_no_liquidity"] == 0
    assert slow["disposal_sold_coins_e8"] == 400 * 10**8


def test_closed_loop_violations_are_refused_and_proceeds_go_home():
    base = small_world()
    mainland = base.investors["mainland_gba"].model_copy(update={"closed_loop_violation_share": 1.0})
    result = run(small_world(investors={**base.investors, "mainland_gba": mainland}), seed=5)
    refusals = [e for e in result.events if e["reason"] == "cwm_closed_loop"]
    homes = [e for e in result.events if e["kind"] == "remittance_northbound" and e["cause"] == "sale"]
    assert refusals and len(refusals) == len(homes)  # every sale asked to go elsewhere, every one went home
    world = result.world
    for e in homes:
        assert world.ledger.balance(f"mainland:{e['actor']}", "CNY") > 0
    assert result.summary["reconciliation_diff_minor"] == 0


def test_adding_investors_does_not_shift_anyone_elses_draws():
    base = small_world(horizon_days=200)
    more_funds = base.investors["esg_fund"].model_copy(update={"count": 9})
    more_mainland = base.investors["mainland_gba"].model_copy(update={"count": 55})
    grown = small_world(horizon_days=200, investors={**base.investors, "esg_fund": more_funds,
                                                    "mainland_gba": more_mainland})

    def draws(config):
        world = run(config, seed=5).world
        return {(i.cls, i.class_index): (i.wealth_cents, i.professional, i.profile, i.via_cwm, i.bad_actor)
                for i in world.investors}

    a, b = draws(base), draws(grown)
    assert a and all(b[key] == value for key, value in a.items())
    assert len(b) > len(a)


def test_va_etf_through_cwm_uses_quota_and_bears_volatility():
    from simulator.model.config import VaEtfConfig

    listed = run(small_world(horizon_days=300, va_etf=VaEtfConfig(cwm_eligible=True, interest_share=0.8)), seed=5)
    s = listed.summary
    assert s["etf_investors"] > 0 and s["etf_subscribed_hkd"] > 0
    assert s["etf_daily_vol_pct"] > 0 and s["reconciliation_diff_minor"] == 0
    unlisted = run(small_world(horizon_days=300, va_etf=VaEtfConfig(cwm_eligible=False, interest_share=0.8)), seed=5)
    assert unlisted.summary["etf_investors"] == 0
    refusals = [e for e in unlisted.events if e["reason"] == "cwm_product_not_eligible" and e["product"] == "va_etf"]
    assert refusals
    # the ETF's quota use is on top of the token's
    assert s["cwm_aggregate_quota_used_cny"] > unlisted.summary["cwm_aggregate_quota_used_cny"]


def test_gas_is_named_for_what_it_measures():
    """revm's session gas (warm slots) was reported as gas_used_total beside the other backends' chain gas."""
    config = small_world(horizon_days=60)
    session, chain = run(config, seed=9, backend="revm").summary, run(config, seed=9, backend="pyevm").summary
    assert session["gas_used_chain"] is None and session["gas_used_revm_session"] > 0
    assert chain["gas_used_revm_session"] is None and chain["gas_used_chain"] > session["gas_used_revm_session"]


def test_a_close_whose_mints_are_refused_below_the_soft_cap_fails_and_refunds_everyone():
    """KYC lapses for all subscribers but the smallest just before the close: their mints are refused, the
    allocation misses the soft cap, the treasury gets nothing, the one allocation is unwound at its refund."""
    from simulator.chain import Chain
    from simulator.chain.identities import KYC
    from simulator.model.world import World

    world = World(small_world(horizon_days=250), 5, Chain("revm", seed=5))
    s, close = world.suite, world.issuer.close

    def close_after_kyc_lapses(total_units: int) -> None:
        subscribers = sorted((s.offering.subscribed(i.wallet), i.wallet) for i in world.investors
                             if s.offering.subscribed(i.wallet))
        for _, wallet in subscribers[1:]:
            s.identities.revoke(wallet, KYC)  # its platform withdraws the KYC claim
        close(total_units)

    world.issuer.close = close_after_kyc_lapses
    world.run()
    assert world.reconciliation_diff() == 0
    kinds = [e["kind"] for e in world.events]
    assert world.issuer.state == "failed" and "offering_failed" in kinds and "allocated" not in kinds
    failed = next(e for e in world.events if e["kind"] == "offering_failed")
    assert failed["reason"] == "allocated_below_soft_cap" and 0 < failed["amount_minor"] < 5_000_000 * 100
    subscribed = sum(e["amount_minor"] for e in world.events if e["kind"] == "subscribed")
    assert sum(e["amount_minor"] for e in world.events if e["kind"] == "refunded") == subscribed
    assert s.token.totalSupply() == 0 and s.hkd.balanceOf(s.treasury) == 0 and s.hkd.balanceOf(s.offering.address) == 0
