"""The money paths of the world, checked on its state (ledger, policy gate, chain), not on output columns:
CWM quota released by sale proceeds and by a remittance the mainland account cannot pay; a counterparty that
fails to deliver; clients with an open order still reconsidering; a reconciliation whose parts cannot cancel.

Events are read only through `_events` (kind, reason, actor), so a rename of the other columns does not touch
these tests."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from simulator.chain import Chain
from simulator.model.config import (
    DisposalConfig,
    InvestorClassConfig,
    MarketConfig,
    ShockConfig,
    WorldConfig,
)
from simulator.model.policy import REASONS
from simulator.model.rails import BusinessCalendar
from simulator.model.settlement import Settlement
from simulator.model.world import World
from simulator.units import BPS, DAY, HOUR, UNITS_PER_CENT
from tests.model.test_world import small_world as _small_world


def small_world(**changes) -> WorldConfig:
    """test_world's small world without its retail class."""
    investors = {name: c for name, c in _small_world().investors.items() if name != "hk_retail"}
    return _small_world(**{"investors": investors, **changes})


def build(config: WorldConfig, seed: int = 5) -> World:
    """A world ready to run (its actors can be watched before it starts)."""
    return World(config, seed, Chain("revm", seed=seed))


def _events(world: World, kind: str, reason: str | None = None) -> list[dict]:
    """The events of one kind (and reason): the only place these tests read the audit trail."""
    return [e for e in world.events if e["kind"] == kind and (reason is None or e["reason"] == reason)]


def _actor(event: dict) -> str:
    return event["actor"]


def _detail(event: dict, key: str) -> str:
    """A field of an event's detail (`k=v;...`), or its own column if the detail is split into columns."""
    if key in event:
        return str(event[key])
    return dict(kv.split("=", 1) for kv in str(event.get("detail", "")).split(";") if "=" in kv).get(key, "")


# ---------------------------------------------------------------- a world with trades, watched as it runs
class Watched:
    def __init__(self) -> None:
        self.northbound: list[tuple[str, int, int, int, int, int]] = []  # cause, fen home, used/aggregate before+after
        self.failures: list[dict] = []
        self.candidates_with_open_order = 0
        self.settled: list[dict] = []  # each settled trade, as the settlement saw it
        self.flows: Counter = Counter()  # (wallet, day, cents) recorded for the holders' returns
        self.funded: dict[tuple[str, int], list[int]] = {}  # (buyer, cents) -> when the cash arrived
        self.checks: list[tuple[str, bool]] = []  # (what, held) checked as the run went
        self.idle_of_failures = 0  # buyer cash idle of the trades that failed on their settlement date
        self.partly_matched = 0  # failed trades whose orders still had an open rest on the book


def watch(world: World) -> Watched:
    seen = Watched()
    funding, settlement, policy, ledger, s = world.funding, world.settlement, world.policy, world.ledger, world.suite
    real_home, real_failed = funding.return_northbound, settlement.failed
    real_fund, real_transfer, real_flow = funding.fund_hkd, settlement._transfer_holding, world.holdings.flow

    def fund(inv, cents, cut_to_quota=False):
        reason = yield from real_fund(inv, cents, cut_to_quota)
        seen.funded.setdefault((inv.wallet, cents), []).append(world.now_s)
        return reason

    def transfer(match, buyer, seller, cents):
        basis, tokens = seller.cost_basis_cents, seller.tokens
        buyer_basis = buyer.cost_basis_cents
        real_transfer(match, buyer, seller, cents)
        seen.settled.append({"at": world.now_s, "match": match, "cents": cents, "buyer": buyer, "seller": seller})
        seen.checks.append(("seller's cost basis falls pro rata",
                            seller.cost_basis_cents == basis - basis * match.quantity // tokens))
        seen.checks.append(("buyer's cost basis grows by the price", buyer.cost_basis_cents == buyer_basis + cents))

    def flow(inv, day, cents):
        real_flow(inv, day, cents)
        seen.flows[(inv.wallet, day, cents)] += 1
        if seen.settled and seen.settled[-1]["at"] == world.now_s and inv is seen.settled[-1]["buyer"]:
            match = seen.settled[-1]["match"]  # the buyer's flow comes after the orders' flags are set
            resting = {o: any(p.book.get(o) is not None for p in world.platforms.values())
                       for o in (match.sell_order_id, match.buy_order_id)}
            seen.checks.append(("a seller is selling while its order rests",
                                seen.settled[-1]["seller"].selling == resting[match.sell_order_id]))
            seen.checks.append(("a buyer is bidding while its order rests", inv.bidding == resting[match.buy_order_id]))

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
        seen.partly_matched += any(p.book.get(o) is not None for p in world.platforms.values()
                                   for o in (match.sell_order_id, match.buy_order_id))
        real_failed(match, seller, reason, **extra)
        if reason == "settlement_failed":  # failed on the settlement date, after the cash had waited
            seen.idle_of_failures += match.cash_value * (world.now_s - match.matched_at) // DAY
        seen.checks.append(("a failed trade's orders are no longer pending", not seller.selling and not buyer.bidding))
        seen.checks.append(("what a partly matched order had left open is off the book too",
                            all(p.book.get(o) is None for p in world.platforms.values()
                                for o in (match.sell_order_id, match.buy_order_id))))
        seen.checks.append(("a failure is refused with its own reason",
                            world.events[-1]["reason"] == (reason if reason in REASONS else "settlement_failed")))

    funding.return_northbound = home
    funding.fund_hkd = fund
    settlement.failed = failed
    settlement._transfer_holding = transfer
    world.holdings.flow = flow
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
    and fail in one run; a licence suspension catches trades between match and settlement."""
    world = build(small_world(market=MarketConfig(counterparty_fail_rate_per_day=0.25), shocks=[
        ShockConfig(day=281, kind="licence_suspension", platform=name, duration_days=5) for name in ("alpha", "beta")]))
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
    assert seen.partly_matched > 0  # and trades of partly matched orders failed (their rest must leave the book)
    assert {f["counterparty_failed"] for f in seen.failures} <= {0, 1}
    failed_to_deliver = [f for f in seen.failures if f["counterparty_failed"]]
    assert len(failed_to_deliver) == c.counterparty_failures  # each one recorded as a failed settlement
    for f in failed_to_deliver:  # it reached the DvP contract, which refused it: the seller's allowance was gone
        assert f["error"] == "ERC20InsufficientAllowance" and f["seller_allowance"] == 0, f
    for f in seen.failures:
        for side in ("seller_tokens", "buyer_tokens", "seller_cash", "buyer_cash"):
            onchain, model = f[side]
            assert onchain == model, (side, f)
    assert c.settlement_failures == len(seen.failures)
    assert len(_events(world, "refused", "settlement_failed")) == \
        sum(1 for f in seen.failures if f["reason"] == "settlement_failed")
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


# ---------------------------------------------------------------- each settlement, audited
SETTLES_AT = 10 * HOUR  # settlements run at 10:00 HKT on the settlement date


def _settles_when_due(world: World, seen: Watched, t_plus: int) -> None:
    """Each trade settled at 10:00 on T+n business days after its cash arrived, or at once if that has passed."""
    for trade in seen.settled:
        match = trade["match"]
        arrived = max(t for t in seen.funded[(match.buyer, trade["cents"])] if t <= trade["at"])
        date = world.calendar.settlement_date(
            dt.datetime.combine(world.cfg.start_date, dt.time()) + dt.timedelta(seconds=arrived), t_plus)
        due = (date - world.cfg.start_date).days * DAY + SETTLES_AT
        assert trade["at"] == max(due, arrived), (match.match_id, arrived, due, trade["at"])


def test_each_settlement_is_audited_against_what_it_should_have_done(traded):
    world, seen = traded
    c, fee_bps = world.counters, world.cfg.platforms[0].fee_bps
    assert {p.fee_bps for p in world.cfg.platforms} == {fee_bps} and fee_bps > 0
    assert len(seen.settled) == c.trades > 0
    failed_checks = sorted({what for what, held in seen.checks if not held})
    assert not failed_checks, failed_checks
    assert {what for what, _ in seen.checks} >= {"a seller is selling while its order rests",
                                                 "a failure is refused with its own reason"}
    assert {f["reason"] for f in seen.failures} >= {"settlement_failed", "platform_not_licensed"}
    _settles_when_due(world, seen, t_plus=1)
    fees = 0
    for trade in seen.settled:
        match, cents = trade["match"], trade["cents"]
        fee = cents * fee_bps // BPS
        fees += fee
        day = trade["at"] // DAY
        assert seen.flows[(match.buyer, day, -cents)] and seen.flows[(match.seller, day, cents - fee)]
    assert world.suite.hkd.balanceOf(world.suite.fee_account) == fees * UNITS_PER_CENT
    settled_events = _events(world, "trade_settled")  # one per settlement, in the same order
    assert [int(_detail(e, "latency_s")) for e in settled_events] == \
        [t["at"] - t["match"].matched_at for t in seen.settled]
    # latency over the settled trades; buyer cash idle over every trade that reached its settlement date
    assert c.settlement_latency_s_total == sum(t["at"] - t["match"].matched_at for t in seen.settled)
    assert c.capital_idle_cent_days == sum(t["cents"] * (t["at"] - t["match"].matched_at) // DAY
                                           for t in seen.settled) + seen.idle_of_failures


def test_a_same_day_settlement_waits_for_ten_oclock_or_for_the_cash():
    world = build(small_world(horizon_days=320, market=MarketConfig(settlement_t_plus=0)))
    seen = watch(world)
    world.run()
    assert seen.settled and world.reconciliation_diff() == 0
    _settles_when_due(world, seen, t_plus=0)
    assert any(t["at"] % DAY != SETTLES_AT for t in seen.settled)  # cash that came after ten settled at once


def test_business_days_are_counted_after_the_match_day_up_to_the_settlement_day():
    monday = dt.date(2026, 1, 5)
    world = SimpleNamespace(calendar=BusinessCalendar(), cfg=SimpleNamespace(start_date=monday))
    days = Settlement(world)._business_days_between  # type: ignore[arg-type]
    at = lambda day, hour=10: day * DAY + hour * HOUR  # noqa: E731
    assert days(at(0), at(0, 23)) == 0  # the same day: none
    assert days(at(0), at(1)) == 1  # Monday to Tuesday
    assert days(at(4), at(7)) == 1  # Friday to Monday: the weekend does not count
    assert days(at(3), at(7)) == 2  # Thursday to Monday: Friday and Monday
    assert days(at(5), at(6)) == 0  # Saturday to Sunday
    assert days(at(0), at(14)) == 10  # two weeks


def test_a_buyer_holding_exactly_the_price_settles():
    """After its cash arrives a buyer holds exactly the trade's price (the rest spent elsewhere): that is enough."""
    world = build(small_world(horizon_days=330))
    seen = watch(world)
    funded, exact = world.funding.fund_hkd, []

    def fund_exactly(inv, cents, cut_to_quota=False):
        reason = yield from funded(inv, cents, cut_to_quota)
        excess = world.ledger.balance(f"bank:{inv.key}", "HKD") - cents
        if not reason and not cut_to_quota and inv.committed_cents == 0 and excess > 0:  # a trade, its only one
            world.ledger.post(world.now_s, f"bank:{inv.key}", "external:elsewhere", excess, "HKD", "spent")
            exact.append(inv.wallet)
        return reason

    world.funding.fund_hkd = fund_exactly
    world.run()
    assert exact and not [f for f in seen.failures if f["error"] == "buyer short of cash"]
    assert {t["buyer"].wallet for t in seen.settled} & set(exact)
    assert world.reconciliation_diff() == 0
