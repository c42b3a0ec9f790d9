"""`simulator.run(config, seed, backend) -> RunResult` (re-exported by the package): one world run, usable
from a notebook without the CLI."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.chain import Chain
from simulator.errors import InputError, UserError
from simulator.model.config import WorldConfig
from simulator.model.errors import ReconciliationError
from simulator.model.metrics import summary_row
from simulator.model.world import World
from simulator.units import token_unit_problem

if TYPE_CHECKING:
    from simulator.scenario import Scenario


@dataclass
class RunResult:
    """What a run measured, as typed values (int, float, bool, str; None where not applicable), in the
    columns of `simulator.columns`: `summary` one row, `timeseries` one row per day, `events` the audit trail."""

    summary: dict[str, Any]
    timeseries: list[dict[str, Any]]
    events: list[dict[str, Any]]
    world: World


def run(config: WorldConfig, seed: int = 0, backend: str = "revm", *, rpc_url: str | None = None,
        scenario: str = "adhoc", chain: Chain | None = None, progress: bool = False,
        event_sink: Callable[[dict], None] | None = None, on_day: Callable[[int], None] | None = None) -> RunResult:
    """One world run. With `event_sink`, events stream to it and `RunResult.events` stays empty; `on_day` is
    called with each simulated day as it ends (the dashboard's progress)."""
    started = time.perf_counter()
    problem = token_unit_problem(config.offering.price_hkd_cents, config.offering.hard_cap_hkd)
    if problem:  # validation refuses it; this guards a config built without validation (model_copy)
        raise InputError(f"offering.{problem[1]}")
    chain = chain or Chain(backend, rpc_url=rpc_url, seed=seed)
    world = World(config, seed, chain)
    world.event_sink = event_sink
    world.on_day = on_day
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.horizon_days, unit="day", desc=scenario, leave=False)

        def tick(day: int) -> None:
            bar.update(1)
            if on_day is not None:
                on_day(day)

        world.on_day = tick
    try:
        world.run()
    finally:
        if bar is not None:
            bar.close()
    diff = world.reconciliation_diff()
    if diff != 0:
        raise ReconciliationError(f"off-chain ledger and on-chain balances differ by {diff} minor units")
    summary = summary_row(world, scenario, chain.backend.name, time.perf_counter() - started, diff)
    return RunResult(summary, world.timeseries, world.events, world)


def run_scenario(scenario: Scenario, seed: int | None = None, backend: str = "revm", *, rpc_url: str | None = None,
                 out_dir: Path | str | None = None, progress: bool = False, fmt: str = "csv",
                 on_day: Callable[[int], None] | None = None) -> RunResult:
    """Run a validated `simulator.scenario.Scenario`; write its outputs to `out_dir` when given, as CSV or
    Parquet (`fmt`)."""
    from simulator.columns import EVENTS
    from simulator.outputs import TableWriter, manifest, output_names, require_format, write_run

    require_format(fmt)
    seed = scenario.scenario.seed if seed is None else seed
    out_dir = Path(out_dir) if out_dir is not None else None
    chain = Chain(backend, rpc_url=rpc_url, seed=seed)
    if out_dir is not None:  # the directory now holds this run in progress: no file of an older run stays beside it
        for name in output_names():  # the manifest first, then either format's tables
            try:
                (out_dir / name).unlink(missing_ok=True)
            except OSError as exc:
                raise UserError(f"cannot clear {out_dir / name} of an older run: {exc.strerror or exc}") from None
    stream = TableWriter(out_dir / f"events.{fmt}", EVENTS, fmt) if out_dir is not None else None
    try:
        result = run(scenario.world(), seed, backend, scenario=scenario.scenario.name, chain=chain, progress=progress,
                     event_sink=stream.write if stream else None, on_day=on_day)
    except BaseException:
        if stream is not None:
            stream.abort()  # no events.csv that looks complete
        raise
    finally:
        chain.close()
    if out_dir is not None and stream is not None:
        dump = scenario.model_dump(mode="json")
        dump["scenario"]["seed"] = seed
        stream.commit()
        write_run(out_dir, result.summary, result.timeseries, None,
                  manifest(dump, seed, chain.backend.describe(), result.summary["wall_seconds"], fmt), fmt)
    return result
