"""`simulator.run(config, seed, backend) -> RunResult` (re-exported by the package): one world run, usable from a notebook without the CLI."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from simulator.chain import Chain
from simulator.model.config import WorldConfig
from simulator.model.policy import REASONS
from simulator.model.world import CLASSES, ReconciliationError, World


@dataclass
class RunResult:
    summary: dict
    timeseries: list[dict]
    events: list[dict]
    world: World


def _stdev(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def _pct(ratio: float) -> str:
    """A ratio as a percentage with 4 decimals, formatted the same way everywhere."""
    return f"{ratio * 100:.4f}"


def summarize(world: World, scenario: str, backend: str, wall_seconds: float, reconciliation: int) -> dict:
    c, inv = world.counters, world.investors
    row = {
        "scenario": scenario,
        "seed": world.seed,
        "backend": backend,
        "horizon_days": world.cfg.horizon_days,
        "investors_onboarded": sum(1 for i in inv if i.onboarded),
    }
    for cls in CLASSES:
        row[f"investors_by_class_{cls}"] = sum(1 for i in inv if i.onboarded and i.cls == cls)
    opened = world.offering_opened_day
    if opened is None:
        fill = ""
    elif world.offering_filled_day is not None:
        fill = world.offering_filled_day - opened
    else:
        fill = world.offering_closed_day - opened if world.offering_closed_day is not None else ""
    row.update({
        "capital_raised_hkd": world.capital_raised_cents // 100,
        "offering_fill_days": fill,
        "offering_outcome": world.offering_state,
        "offering_filled": world.offering_filled_day is not None,
        "approval_days": world.approval_days,
        "first_distribution_day": world.first_distribution_day if world.first_distribution_day is not None else "",
        "tokens_outstanding": sum(i.tokens for i in inv),
        "holders_end": sum(1 for i in inv if i.tokens > 0),
        "distributions_paid_hkd": c.distributions_cents // 100,
    })
    end_s = world.cfg.horizon_days * 86_400
    for i in inv:
        world._accrue(i, end_s)
    for cls in CLASSES:
        members = [i for i in inv if i.cls == cls and i.capital_cent_days > 0]
        capital_days = sum(i.capital_cent_days for i in members)
        received = sum(i.received_cents for i in members)
        # time-weighted annual yield: distributions received over the cost of the tokens times the time they
        # were held (a ratio, not money: percent with 4 decimals, computed from integers on every platform)
        pct_e6 = received * 10**8 * 365 // capital_days if capital_days else 0
        row[f"realized_yield_pct_{cls}"] = f"{pct_e6 // 10**6}.{pct_e6 % 10**6 // 100:04d}"
    row.update({
        "secondary_trades": c.trades,
        "secondary_volume_hkd": c.volume_cents // 100,
        "settlement_failures": c.settlement_failures,
        "cwm_individual_quota_used_cny": max(world.policy.cwm_used_fen.values(), default=0) // 100,
        "cwm_aggregate_quota_used_cny": world.policy.cwm_aggregate_used_fen // 100,
        **{f"refused_{r}": c.refused[r] for r in REASONS},
        "aml_missed": c.aml_missed,
        "capital_idle_hkd_days": c.capital_idle_cent_days // 100,
        "counterparty_failures": c.counterparty_failures,
        "platform_outage_days": c.platform_outage_days,
        "disposal_sold_units": world.disposal_state["sold_units"],
        "disposal_proceeds_cny": world.disposal_state["proceeds_fen"] // 100,
        "disposal_days_to_finish": (world.disposal_state["finished_day"] - world.cfg.disposal.start_day
                                    if world.disposal_state["finished_day"] is not None else ""),
        "disposal_mean_impact_bps": (sum(world.disposal_state["impact_bps"]) // len(world.disposal_state["impact_bps"])
                                     if world.disposal_state["impact_bps"] else 0),
        "etf_investors": len(world.etf_holders),
        "etf_subscribed_hkd": world.etf_state["subscribed_cents"] // 100,
        "etf_value_end_hkd": world.etf_value_cents() // 100 if world.etf_holders else 0,
        "etf_realized_pnl_hkd": world.etf_state["realized_pnl_cents"] // 100,
        "etf_panic_sellers": world.etf_state["panic_sellers"],
        "etf_daily_vol_pct": _pct(_stdev(world.etf_state["returns"])),
        "etf_max_drawdown_pct": _pct(world.etf_state["max_drawdown"]),
        "settlement_latency_days_mean": round(c.settlement_latency_s_total / c.trades / 86_400, 4) if c.trades else "",
        "tx_count": world.chain.tx_count,
        "gas_used_total": world.chain.gas_used_total,
        "reconciliation_diff_minor": reconciliation,
        "wall_seconds": round(wall_seconds, 3),
    })
    return row


def run(config: WorldConfig, seed: int = 0, backend: str = "revm", *, rpc_url: str | None = None,
        scenario: str = "adhoc", chain: Chain | None = None, progress: bool = False, event_sink=None) -> RunResult:
    """One world run. With `event_sink`, events stream to it and `RunResult.events` stays empty."""
    started = time.perf_counter()
    chain = chain or Chain(backend, rpc_url=rpc_url, seed=seed)
    world = World(config, seed, chain)
    world.event_sink = event_sink
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.horizon_days, unit="day", desc=scenario, leave=False)
        world.on_day = lambda day: bar.update(1)
    try:
        world.run()
    finally:
        if bar is not None:
            bar.close()
    diff = world.reconciliation_diff()
    if diff != 0:
        raise ReconciliationError(f"off-chain ledger and on-chain balances differ by {diff} minor units")
    summary = summarize(world, scenario, chain.backend.name, time.perf_counter() - started, diff)
    return RunResult(summary, world.timeseries, world.events, world)


def run_scenario(scenario, seed: int | None = None, backend: str = "revm", *, rpc_url: str | None = None,
                 out_dir=None, progress: bool = False) -> RunResult:
    """Run a validated `simulator.scenario.Scenario`; write its outputs to `out_dir` when given."""
    from simulator.outputs import EventStream, manifest, write_run

    seed = scenario.scenario.seed if seed is None else seed
    out_dir = Path(out_dir) if out_dir is not None else None
    chain = Chain(backend, rpc_url=rpc_url, seed=seed)
    if out_dir is not None and (out_dir / "manifest.json").exists():
        (out_dir / "manifest.json").unlink()  # the directory now holds a run in progress, not a finished one
    stream = EventStream(out_dir / "events.csv") if out_dir is not None else None
    try:
        result = run(scenario.world(), seed, backend, scenario=scenario.scenario.name, chain=chain, progress=progress,
                     event_sink=stream.write if stream else None)
    except BaseException:
        if stream is not None:
            stream.abort()  # no events.csv that looks complete
        raise
    finally:
        chain.close()
    if out_dir is not None:
        dump = scenario.model_dump(mode="json")
        dump["scenario"]["seed"] = seed
        stream.commit()
        write_run(out_dir, result.summary, result.timeseries, None,
                  manifest(dump, seed, chain.backend.describe(), result.summary["wall_seconds"]))
    return result
