"""The CWM market (simulator/model/cwm_market.py): mainland investors choosing among many products through the
world, with the chain, the ledger and the quotas. Each test runs a small world and checks what the issue asks:
today's mix without tuning, a product taken off the list sold down through the closed loop, quotas binding across
products, CNH settlement, and every run reconciling to the unit."""

from __future__ import annotations

import pytest

from simulator.model.config import (
    CwmConfig,
    InvestorClassConfig,
    OfferingConfig,
    PolicyConfig,
    ShockConfig,
    WorldConfig,
)
from simulator.model.config_market import PortfolioConfig, ProductConfig
from simulator.model.product_desks import TokenDesk
from simulator.model.products import TODAY_MIX
from simulator.runner import run

TOKENS = ("ev_charging_token", "green_bond_token", "mmf_token")


def market(listed: bool = False, *, cwm: dict | None = None, shocks: list[ShockConfig] | None = None,
           portfolio: PortfolioConfig | None = None, mainland: int = 150, horizon: int = 300) -> WorldConfig:
    products = [ProductConfig(name="hk_deposit"), ProductConfig(name="hk_fund"), ProductConfig(name="hk_bond"),
                ProductConfig(name="solar_token"),
                *(ProductConfig(name=n, cwm_listed=listed) for n in TOKENS)]
    return WorldConfig(
        horizon_days=horizon, products=products, portfolio=portfolio or PortfolioConfig(),
        investors={"mainland_gba": InvestorClassConfig(count=mainland, arrival_days=60, wealth_median_hkd=3_000_000),
                   "hk_professional": InvestorClassConfig(count=10, arrival_days=30)},
        offering=OfferingConfig(hard_cap_hkd=60_000_000, soft_cap_hkd=1_000_000, min_ticket_hkd=10_000,
                                duration_days=60),
        policy=PolicyConfig(cwm=CwmConfig(product_eligible=listed, **(cwm or {}))),
        shocks=shocks or [])


@pytest.fixture(scope="module")
def today():
    return run(market(), seed=3)


@pytest.fixture(scope="module")
def admitted():
    return run(market(listed=True), seed=3)


def test_with_the_tokens_off_the_list_the_mainland_mix_is_the_published_one(today):
    s = today.summary
    assert s["reconciliation_diff_minor"] == 0
    assert s["market_investors"] > 40 and s["market_share_token_pct"] == 0.0
    # 59 / 36 / 5 (FACTS, mid-2025), within 10 percentage points, from the calibration alone
    for cls, product in (("deposit", "hk_deposit"), ("fund", "hk_fund"), ("bond", "hk_bond")):
        assert abs(s[f"market_share_{cls}_pct"] - 100 * TODAY_MIX[product]) < 10, cls
    assert s["refused_cwm_product_not_eligible"] == 0  # nobody asks for what is not on the shelf


def test_holdings_are_on_chain_and_in_the_ledger_to_the_unit(admitted):
    s, w = admitted.summary, admitted.world
    assert s["reconciliation_diff_minor"] == 0
    m = w.cwm_market
    for desk in m.token_desks():
        held = sum(port.units.get(desk.name, 0) for port in m.portfolios.values())
        assert held > 0, desk.name
        onchain = sum(desk.suite.token.balanceOf(w.investors[i].wallet) for i in m.portfolios)
        assert onchain == held == m.stats[desk.name].units
        assert desk.suite.token.totalSupply() == held  # the dealer keeps no inventory
    assert s["market_share_token_pct"] > 0 and s["market_investors"] == len(m.portfolios)


def test_listing_the_tokens_draws_money_from_deposits_and_funds(today, admitted):
    a, b = today.summary, admitted.summary
    assert b["market_share_deposit_pct"] < a["market_share_deposit_pct"]
    assert b["market_share_fund_pct"] < a["market_share_fund_pct"]
    assert b["market_share_token_pct"] > 10


def test_tokens_bought_by_cwm_investors_settle_in_cnh_and_their_rmb_is_never_converted(admitted):
    w = admitted.world
    m = w.cwm_market
    assert m.cnh_settled_cents == m.token_settled_cents > 0
    assert admitted.summary["market_cnh_settled_pct"] is not None
    hkd_run = run(market(listed=True, portfolio=PortfolioConfig(cnh_settlement=False)), seed=3)
    assert hkd_run.summary["reconciliation_diff_minor"] == 0
    assert hkd_run.world.cwm_market.cnh_settled_cents == 0 and hkd_run.summary["market_cnh_settled_pct"] == 0.0
    assert w.suite.cnh.totalSupply() > 0 and hkd_run.world.suite.cnh.totalSupply() == 0


def test_a_product_taken_off_the_list_is_sold_down_through_the_closed_loop():
    day = 150
    result = run(market(listed=True, shocks=[ShockConfig(day=day, kind="cwm_product_list",
                                                         product="ev_charging_token", enabled=False)]), seed=3)
    w, s = result.world, result.summary
    assert s["reconciliation_diff_minor"] == 0
    m = w.cwm_market
    desk = m.desks["ev_charging_token"]
    assert isinstance(desk, TokenDesk)
    assert s["market_ev_charging_token_bought_hkd"] > 0 and s["market_ev_charging_token_hkd"] == 0
    assert desk.suite.token.totalSupply() == 0  # every token redeemed and burned
    sold = [e for e in result.events if e["kind"] == "product_sold" and e["product"] == "ev_charging_token"]
    assert sold and all(e["day"] >= day for e in sold)
    holders = {e["actor"] for e in sold}
    home = [e for e in result.events if e["kind"] == "remittance_northbound" and e["cause"] == "rebalance"]
    assert holders <= {e["actor"] for e in home}  # the proceeds went home, to the paired mainland account
    assert not any(e["kind"] == "product_bought" and e["product"] == "ev_charging_token" and e["day"] >= day
                   for e in result.events)
    # the quota each investor has in use is exactly the principal still out
    policy = w.policy
    assert sum(policy.cwm_used_fen.values()) * w.cfg.policy.cwm.agent_weight == policy.cwm_aggregate_used_fen


def test_held_not_sold_when_the_scenario_says_so():
    result = run(market(listed=True, portfolio=PortfolioConfig(sell_delisted=False),
                        shocks=[ShockConfig(day=150, kind="cwm_product_list", product="ev_charging_token",
                                            enabled=False)]), seed=3)
    s = result.summary
    assert s["reconciliation_diff_minor"] == 0 and s["market_ev_charging_token_hkd"] > 0
    assert not any(e["kind"] == "product_bought" and e["product"] == "ev_charging_token" and e["day"] >= 150
                   for e in result.events)


def test_the_individual_quota_binds_across_every_southbound_product_at_once():
    quota_cny = 300_000
    result = run(market(listed=True, cwm={"individual_quota_cny": quota_cny, "per_channel_quota_cny": 150_000}),
                 seed=3)
    w, s = result.world, result.summary
    assert s["reconciliation_diff_minor"] == 0
    used = w.policy.cwm_used_fen
    assert max(used.values()) <= quota_cny * 100
    bound = sum(1 for v in used.values() if v >= quota_cny * 100 * 95 // 100)
    assert bound > 10  # many investors hit it
    # an investor at its quota holds several products, each scaled down, not one filled first
    m = w.cwm_market
    full = [m.portfolios[i.index] for i in w.investors if used.get(i.key, 0) >= quota_cny * 100 * 95 // 100
            and i.index in m.portfolios]
    assert full and all(sum(1 for u in p.units.values() if u) >= 4 for p in full)


def test_the_aggregate_quota_binds_for_the_market_the_agents_stand_for():
    # RMB 150 bn, of which all but RMB 150 m is in use; 1,000 real investors per agent: RMB 150 k an agent
    result = run(market(listed=True, cwm={"aggregate_used_cny": 149_850_000_000, "agent_weight": 1_000}), seed=3)
    w, s = result.world, result.summary
    assert s["reconciliation_diff_minor"] == 0
    assert w.policy.cwm_aggregate_used_fen <= 150_000_000_000 * 100
    assert w.policy.aggregate_room_fen() < 1_000_00  # less than RMB 1,000 an agent left
    binding = [e for e in result.events if e["reason"] == "cwm_aggregate_quota"]
    assert binding  # purchases cut or refused by the aggregate quota
    assert s["cwm_aggregate_quota_used_cny"] > 149_850_000_000


def test_a_quota_raise_moves_money_again():
    cwm = {"aggregate_used_cny": 149_850_000_000, "agent_weight": 1_000}
    raised = run(market(listed=True, cwm=cwm, shocks=[ShockConfig(day=200, kind="cwm_quota_change",
                                                                   aggregate_quota_cny=300_000_000_000)]), seed=3)
    held = run(market(listed=True, cwm=cwm), seed=3)
    assert raised.summary["reconciliation_diff_minor"] == 0
    assert raised.summary["market_southbound_hkd"] > 2 * held.summary["market_southbound_hkd"]
    assert any(e["kind"] == "rebalanced" and e["reason"] == "cwm_quota_change" for e in raised.events)


def test_a_more_risk_averse_investor_holds_more_of_its_wealth_in_deposits(today):
    m = today.world.cwm_market
    rows = []
    for port in m.portfolios.values():
        values = {n: m.value_cents(n, u) for n, u in port.units.items()}
        total = sum(values.values())
        if total:
            rows.append((port.risk_aversion, values.get("hk_deposit", 0) / total))
    rows.sort()
    third = len(rows) // 3
    calm = sum(r[1] for r in rows[:third]) / third
    averse = sum(r[1] for r in rows[-third:]) / third
    assert averse > calm + 0.1


def test_runs_are_reproducible(today):
    again = run(market(), seed=3)
    assert again.events == today.events and again.timeseries == today.timeseries


@pytest.mark.parametrize(("change", "field"), [
    ({"products": [ProductConfig(name="hk_deposit"), ProductConfig(name="hk_deposit")]}, "products.1.name"),
    ({"products": [{"name": "solar_token", "cwm_listed": True}]}, "products.0.cwm_listed"),
    ({"products": [{"name": "hk_savings"}]}, "products.0.name"),
    ({"products": [{"name": "hk_fund", "yield_bps": -1}]}, "products.0.yield_bps"),
    ({"products": [{"name": "hk_fund"}], "shocks": [{"day": 1, "kind": "cwm_product_list", "product": "mmf_token"}]},
     "shocks.0.product"),
    ({"shocks": [{"day": 1, "kind": "ban_rumour", "product": "hk_fund"}]}, "shocks.0.product"),
    ({"policy": {"cwm": {"aggregate_used_cny": 200_000_000_000}}}, "aggregate_used_cny"),
    ({"policy": {"cwm": {"agent_weight": 0}}}, "agent_weight"),
    ({"portfolio": {"nest": 0}}, "portfolio.nest"),
    # a positive double so small that U / nest overflows: found by tests/reliability/test_valid_scenarios_run.py
    ({"portfolio": {"nest": 2.2250738585072014e-308}}, "portfolio.nest"),
    ({"portfolio": {"invested_share": 1.0}}, "portfolio.invested_share"),
    ({"products": [{"name": "hk_fund"}], "legal": {"key_loss_per_year": 0.01}}, "legal.key_loss_per_year"),
])
def test_a_market_the_model_cannot_run_is_refused_by_field(change, field):
    from pydantic import ValidationError

    from simulator.scenario import validation_problems

    with pytest.raises(ValidationError) as err:
        WorldConfig.model_validate({"horizon_days": 30, **change})
    lines = validation_problems(err.value, "scenario.toml")
    assert any(field in line for line in lines), lines


def test_an_investor_whose_identity_stops_verifying_sells_but_no_longer_buys():
    # short-lived claims whose reviews often lapse, and yearly reviews of the portfolio that want to buy: a
    # lapsed investor's purchases are refused by name (before or after its money travels), never sent to a
    # chain that would revert them
    cfg = market(listed=True, horizon=400, portfolio=PortfolioConfig(review_days=60)).model_copy(
        update={"identity": WorldConfig().identity.model_copy(update={"claim_validity_days": 45,
                                                                       "review_lapse_share": 0.5})})
    result = run(cfg, seed=4)
    s = result.summary
    assert s["reconciliation_diff_minor"] == 0 and s["claims_lapsed"] > 10
    assert s["refused_kyc_expired"] > 0
    lapsed = {i.wallet for i in result.world.investors if i.claims_lapsed}
    late = [e for e in result.events if e["kind"] == "product_bought" and e["actor"] in lapsed]
    expiry = {i.wallet: i.claims_until for i in result.world.investors if i.claims_lapsed}
    chain = result.world.chain
    assert all(chain.timestamp_at(e["time_s"]) <= expiry[e["actor"]] for e in late)


def test_a_platform_losing_its_licence_stops_its_clients_trading():
    result = run(market(listed=True, shocks=[
        ShockConfig(day=120, kind="licence_revocation", platform="hk-vatp-1"),
        ShockConfig(day=150, kind="cwm_product_list", product="mmf_token", enabled=False)]), seed=3)
    s, events = result.summary, result.events
    assert s["reconciliation_diff_minor"] == 0 and s["refused_platform_not_licensed"] > 0
    assert not any(e["kind"] in ("product_bought", "product_sold") and e["day"] >= 120 for e in events)
    assert s["market_mmf_token_hkd"] > 0  # nothing could be sold through a platform without a licence


def test_a_days_list_changes_all_take_effect_before_anyone_rebalances():
    # three products admitted by three shocks on one day: every investor already in the market buys all three
    # that day (a rebalance started after the first shock would have bought only what was listed by then, and
    # the investor, busy waiting for its remittance, would have missed the others)
    day = 150
    shocks = [ShockConfig(day=day, kind="cwm_product_list", product=n) for n in TOKENS]
    result = run(market(shocks=shocks), seed=3)
    assert result.summary["reconciliation_diff_minor"] == 0
    w = result.world
    before = {i.wallet for i in w.investors if i.index in w.cwm_market.portfolios
              and any(e["actor"] == i.wallet and e["kind"] == "product_bought" and e["day"] < day
                      for e in result.events)}
    assert len(before) > 20
    bought: dict[str, set[str]] = {}
    for e in result.events:
        if e["kind"] == "product_bought" and e["actor"] in before and day <= e["day"] <= day + 10:
            bought.setdefault(e["actor"], set()).add(e["product"])
    assert sum(1 for products in bought.values() if set(TOKENS) <= products) > 0.8 * len(before)
    rebalances = [e for e in result.events if e["kind"] == "rebalanced" and day <= e["day"] <= day + 10
                  and e["reason"] != "arrival"]
    assert len(rebalances) >= len(before) and {e["reason"] for e in rebalances} == {"cwm_product_list"}


def test_pyevm_gives_the_revm_outputs_of_a_market_with_every_money_path():
    # listing, delisting (sales through the closed loop, CNH redemptions), a quota rise that binds before it
    shocks = [*(ShockConfig(day=90, kind="cwm_product_list", product=n) for n in TOKENS),
              ShockConfig(day=90, kind="cwm_product_list"),
              ShockConfig(day=160, kind="cwm_product_list", product="ev_charging_token", enabled=False),
              ShockConfig(day=200, kind="cwm_quota_change", aggregate_quota_cny=300_000_000_000)]
    cfg = market(mainland=40, horizon=240, shocks=shocks, cwm={"aggregate_used_cny": 149_950_000_000,
                                                               "agent_weight": 2_000})
    a, b = run(cfg, seed=8, backend="revm"), run(cfg, seed=8, backend="pyevm")
    assert a.events == b.events and a.timeseries == b.timeseries
    backend_specific = {"wall_seconds", "backend", "gas_used_chain", "gas_used_revm_session"}
    assert {k: v for k, v in a.summary.items() if k not in backend_specific} == \
        {k: v for k, v in b.summary.items() if k not in backend_specific}
    s = a.summary
    assert s["reconciliation_diff_minor"] == 0 and s["market_ev_charging_token_sold_hkd"] > 0
    assert s["cwm_aggregate_quota_bound_day"] is not None and s["market_cnh_settled_pct"] > 50


def test_news_of_a_ban_makes_investors_sell_tokens_for_the_products_they_trust():
    day = 150
    rumour = run(market(listed=True, shocks=[ShockConfig(day=day, kind="ban_rumour", sentiment=0.9,
                                                         duration_days=90)]), seed=3)
    calm = run(market(listed=True), seed=3)
    assert rumour.summary["reconciliation_diff_minor"] == 0
    ts = rumour.timeseries
    tokens = [f"market_{n}_hkd" for n in TOKENS]
    assert sum(ts[day + 5][c] for c in tokens) < 0.7 * sum(ts[day - 1][c] for c in tokens)
    assert ts[day + 5]["market_hk_deposit_hkd"] > ts[day - 1]["market_hk_deposit_hkd"]
    assert any(e["kind"] == "rebalanced" and e["reason"] == "ban_rumour" for e in rumour.events)
    assert rumour.summary["market_share_token_pct"] < calm.summary["market_share_token_pct"]


def test_purchases_the_quota_refuses_are_counted_per_product():
    result = run(market(listed=True, cwm={"aggregate_used_cny": 149_990_000_000, "agent_weight": 1_000}), seed=3)
    s = result.summary
    assert s["refused_cwm_aggregate_quota"] > 0
    assert all(s[f"market_{n}_refused"] > 0 for n in ("hk_deposit", "hk_fund", "mmf_token"))
    assert s["market_hk_deposit_refused"] <= s["refused_cwm_aggregate_quota"] + s["refused_cwm_individual_quota"]
