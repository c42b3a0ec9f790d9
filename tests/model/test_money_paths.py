"""The money paths of the world, checked on its state (ledger, policy gate, chain), not on output columns:
CWM quota released by sale proceeds and by a remittance the mainland account cannot pay; a counterparty that
fails to deliver; clients with an open order still reconsidering; a reconciliation whose parts cannot cancel.

Events are read only through `_events` (kind, reason, actor), so a rename of the other columns does not touch
these tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulator.chain import Chain
from simulator.model.config import (
    CwmConfig,
    DisposalConfig,
    InvestorClassConfig,
    MarketConfig,
    OfferingConfig,
    PlatformConfig,
    PolicyConfig,
    WorldConfig,
)
from simulator.model.world import World


def small_world(**changes) -> WorldConfig:
    investors = {
        "mainland_gba": InvestorClassConfig(count=40, wealth_median_hkd=3_000_000, ticket_share_of_wealth_bps=3_000,
                                            via_cwm_share=0.8, buy_interest_per_day=0.02, hold_days_mean=120),
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


def build(config: WorldConfig, seed: int = 5) -> World:
    """A world ready to run (its actors can be watched before it starts)."""
    return World(config, seed, Chain("revm", seed=seed))


def _events(world: World, kind: str, reason: str | None = None) -> list[dict]:
    """The events of one kind (and reason): the only place these tests read the audit trail."""
    return [e for e in world.events if e["kind"] == kind and (reason is None or e["reason"] == reason)]


def _actor(event: dict) -> str:
    return event["actor"]


# ---------------------------------------------------------------- a world with trades, watched as it runs
class Watched:
    def __init__(self) -> None:
        self.northbound: list[tuple[str, int, int, int, int, int]] = []  # cause, fen home, used/aggregate before+after
        self.failures: list[dict] = []
        self.candidates_with_open_order = 0


def watch(world: World) -> Watched:
    seen = Watched()
    funding, settlement, policy, ledger, s = world.funding, world.settlement, world.policy, world.ledger, world.suite
    real_home, real_failed = funding.return_northbound, settlement.failed

    def home(inv, cents, cause):
        before, aggregate = policy.cwm_used_fen.get(inv.key, 0), policy.cwm_aggregate_used_fen
        cny = ledger.balance(f"mainland:{inv.key}", "CNY")
        real_home(inv, cents, cause)
        seen.northbound.append((cause, ledger.balance(f"mainland:{inv.key}", "CNY") - cny, before,
                                policy.cwm_used_fen.get(inv.key, 0), aggregate, policy.cwm_aggregate_used_fen))

    def failed(match, seller, reason, **extra):
        buyer = world.by_wallet[match.buyer]
        counted = sum(f["counterparty_failed"] for f in seen.failures)
        seen.failures.append({
            "reason": reason, "error": extra.get("error"),
            # the draw and the DvP attempt happen in one step of one process: a counterparty failure counted
            # since the last recorded failure is this trade's
            "counterparty_failed": world.counters.counterparty_failures - counted,
            # nothing moved: each side's tokens and cash on-chain are what the model (and its ledger) hold
            "seller_tokens": (s.token.balanceOf(seller.wallet), seller.tokens),
            "buyer_tokens": (s.token.balanceOf(buyer.wallet), buyer.tokens),
            "seller_cash": (s.hkd.balanceOf(seller.wallet), ledger.balance(f"chain:{seller.wallet}", "HKDS")),
            "buyer_cash": (s.hkd.balanceOf(buyer.wallet), ledger.balance(f"chain:{buyer.wallet}", "HKDS")),
            "seller_allowance": s.token.allowance(seller.wallet, s.dvp.address),
        })
        real_failed(match, seller, reason, **extra)

    funding.return_northbound = home
    settlement.failed = failed
    for platform in world.platforms.values():
        calendar = platform.decisions
        real_next = calendar.next_session

        def next_session(real_next=real_next):
            due = real_next()
            seen.candidates_with_open_order += sum(1 for inv in due if inv.selling or inv.bidding)
            return due

        calendar.next_session = next_session
    return seen


@pytest.fixture(scope="module")
def traded() -> tuple[World, Watched]:
    """Counterparties fail a quarter of the time (T+1: one business day's risk), so settlements both succeed
    and fail in one run."""
    world = build(small_world(market=MarketConfig(counterparty_fail_rate_per_day=0.25)))
    seen = watch(world)
    world.run()
    assert world.reconciliation_diff() == 0
    return world, seen


def test_sale_proceeds_going_home_free_the_quota_they_used(traded):
    world, seen = traded
    sales = [r for r in seen.northbound if r[0] == "sale"]
    assert sales and any(before > 0 for _, _, before, *_ in sales)
    for _, fen, before, after, aggregate_before, aggregate_after in sales:
        assert fen > 0
        freed = min(before, fen)
        assert after == before - freed  # the investor's own quota in use falls by what came home
        assert aggregate_after == aggregate_before - freed  # and the aggregate by the same
    assert sum(world.policy.cwm_used_fen.values()) == world.policy.cwm_aggregate_used_fen


def test_a_counterparty_failure_reverts_on_chain_and_leaves_both_sides_untouched(traded):
    world, seen = traded
    c = world.counters
    assert c.counterparty_failures > 0 and c.trades > 0  # both outcomes happened
    assert {f["counterparty_failed"] for f in seen.failures} <= {0, 1}
    failed_to_deliver = [f for f in seen.failures if f["counterparty_failed"]]
    assert len(failed_to_deliver) == c.counterparty_failures  # each one recorded as a failed settlement
    for f in failed_to_deliver:  # it reached the DvP contract, which refused it: the seller's allowance was gone
        assert f["error"] == "ERC20InsufficientAllowance" and f["seller_allowance"] == 0, f
    for f in seen.failures:
        for side in ("seller_tokens", "buyer_tokens", "seller_cash", "buyer_cash"):
            onchain, model = f[side]
            assert onchain == model, (side, f)
    assert c.settlement_failures == len(seen.failures) == len(_events(world, "refused", "settlement_failed"))
    assert world.suite.dvp.tradeCount() == c.trades == len(_events(world, "trade_settled"))


def test_clients_with_an_open_order_stay_in_the_decision_calendar(traded):
    """A client whose candidate session comes while its order rests is rescheduled like any other: every
    client of a platform is due exactly once in its calendar, for the rest of the run."""
    world, seen = traded
    assert seen.candidates_with_open_order > 0  # the case arose
    for platform in world.platforms.values():
        due = sorted(inv.index for bucket in platform.decisions._due.values() for _, inv in bucket)
        assert due == sorted(inv.index for inv in platform.clients), platform.name


# ---------------------------------------------------------------- a remittance the mainland account cannot pay
def test_a_remittance_the_mainland_account_cannot_pay_releases_its_quota():
    """Mainland investors whose ticket (the offering's minimum) is more than they hold at home: the quota
    reserved for the remittance is released, nothing is remitted, no fee is charged."""
    poor = InvestorClassConfig(count=12, wealth_median_hkd=50_000, wealth_sigma=0.0, via_cwm_share=1.0)
    world = build(small_world(horizon_days=200, investors={"mainland_gba": poor}))
    reserved: list[int] = []
    real_reserve = world.policy.reserve_southbound

    def reserve(investor, amount_fen, *args, **kwargs):
        decision = real_reserve(investor, amount_fen, *args, **kwargs)
        if decision.allowed:
            reserved.append(amount_fen)
        return decision

    world.policy.reserve_southbound = reserve
    world.run()
    mainland = [i for i in world.investors if i.kind.southbound]
    refused = {_actor(e) for e in _events(world, "refused", "offering_ticket")}
    assert refused and refused <= {i.wallet for i in mainland}  # each one tried to subscribe and was refused
    assert len(reserved) == len(refused) and all(r > 0 for r in reserved)  # the quota was reserved first
    for inv in mainland:
        assert world.policy.cwm_used_fen.get(inv.key, 0) == 0  # ... and released
        assert world.ledger.balance(f"cwm:{inv.key}", "CNY") == 0  # nothing remitted
    assert world.policy.cwm_aggregate_used_fen == 0
    assert world.ledger.balance("fees:CIPS", "CNY") == 0  # no fee charged for a remittance never sent
    assert not _events(world, "remittance")
    assert world.reconciliation_diff() == 0


# ---------------------------------------------------------------- a reconciliation whose parts cannot cancel
X = 7_000  # minor units put on-chain behind the ledger's back


def _mint_hkds(world: World) -> None:
    inv = next(i for i in world.investors if i.onboarded)
    world.suite.hkd.mint(inv.wallet, X, sender=world.suite.hkd_issuer)


def _mint_rwa(world: World) -> None:
    inv = next(i for i in world.investors if i.onboarded and world.suite.registry.isVerified(i.wallet))
    world.suite.token.mint(inv.wallet, X, sender=world.suite.agent)


def _mint_sva(world: World) -> None:
    coin = world.disposal.coin
    assert coin is not None
    coin.mint(world.disposal.authority, X, sender=world.disposal.authority)


@pytest.mark.parametrize("tamper", [_mint_hkds, _mint_rwa, _mint_sva], ids=["HKDS", "RWA", "SVA"])
def test_a_supply_above_the_ledger_is_a_difference_and_the_run_raises(monkeypatch, tamper: Callable[[World], None]):
    """X minted on-chain to a wallet the ledger knows: the wallet's mirror is X short (a difference of +X) and
    the supply is X above what the ledger issued (ledger minus chain: -X). Both count, so the run raises;
    summed without abs() they would cancel to 0 and the run would pass."""
    from simulator import runner
    from simulator.model.errors import ReconciliationError

    tampered: list[World] = []
    real_run = World.run

    def run_then_tamper(self):
        real_run(self)
        tamper(self)
        tampered.append(self)

    monkeypatch.setattr(World, "run", run_then_tamper)
    config = small_world(horizon_days=150, disposal=DisposalConfig(quantity_coins=30, start_day=5, days=5))
    with pytest.raises(ReconciliationError, match=f"differ by {2 * X} minor units"):
        runner.run(config, seed=5)
    assert tampered[0].reconciliation_diff() == 2 * X
