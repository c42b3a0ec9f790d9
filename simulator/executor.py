"""Running a batch of scenario runs: in this process, on a pool of forked workers or on a Dask cluster.

Each task is one (point, seed) with its overrides of a scenario; each finished run comes back as a row (its
summary, its daily timeseries, the fingerprint of what determined it), or as a failed row naming the error: a
failure never stops the batch. Sweeps (simulator/batch.py) and calibrations (simulator/calibration.py) use it.
"""

from __future__ import annotations

import gc
import json
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.columns import timeseries_schema
from simulator.errors import UserError
from simulator.outputs import atomic_write
from simulator.scenario import apply_overrides, validate


@dataclass(frozen=True)
class Task:
    point: int
    seed: int
    overrides: tuple[tuple[str, object], ...]
    fingerprint: str = ""  # what determines the run (`fingerprinted`), set once when the sweep is planned

    @property
    def key(self) -> str:
        return f"p{self.point:04d}-s{self.seed}"


def run_task(data: dict, source: str, task: Task, backend: str) -> dict:
    """One run, inside a worker (its own EVM). Never raises: a failure is a row with status=failed. The row
    carries the fingerprint of what determined it, so a resume can prove it belongs to the sweep."""
    from simulator.runner import run

    row = {"point": task.point, "seed": task.seed, **dict(task.overrides),
           "fingerprint": task.fingerprint}
    try:
        scenario = validate(apply_overrides(data, list(task.overrides)), source)
        result = run(scenario.world(), task.seed, backend, scenario=scenario.scenario.name)
        columns = list(timeseries_schema())
        row.update(status="ok", error=None, **result.summary,
                   timeseries={"columns": columns, "rows": [[day[c] for c in columns] for day in result.timeseries]})
    except Exception as exc:  # noqa: BLE001 - any failure of one run is recorded, never fatal to the sweep
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" at {Path(last.filename).name}:{last.lineno}" if last else ""
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}{where}".replace("\n", " "))
    return row


def run_batch(data: dict, source: str, tasks: list[Task], backend: str) -> list[dict]:
    """Several runs as one Dask task: a run of a small scenario lasts about as long as the scheduler's and the
    worker's own bookkeeping of a task, which batching pays once per batch."""
    return [run_task(data, source, task, backend) for task in tasks]


def batches(todo: list[Task], workers: int, per_worker: int = 32) -> list[list[Task]]:
    """`todo` in order, cut into batches: about `per_worker` batches for each worker, so a worker that finishes
    early waits at most one short batch at the end, and never more than one run to a batch when there are few."""
    size = max(1, len(todo) // (max(1, workers) * per_worker))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def warm_worker() -> None:
    """Load every artifact and ABI codec in this process (what a forked pool worker inherits warm)."""
    from simulator.chain.artifacts import ARTIFACTS
    from simulator.runner import run  # noqa: F401

    ARTIFACTS.warm()
    # what is loaded now lives as long as the worker: spare every later full collection the walk over it (a
    # forked pool worker inherits its parent's frozen heap; a Dask worker freezes its own)
    gc.collect()
    gc.freeze()


def execute(data: dict, source: str, todo: list[Task], backend: str, store: Callable[[dict], None], *,
            workers: int = 1, scheduler: str | None = None, bar: Any = None) -> None:
    """Run `todo` (each task's overrides on `data`) in this process, on a pool of `workers` forked processes or
    on the Dask cluster at `scheduler`, handing each row to `store` as it finishes (in any order)."""
    if not todo:
        return
    if scheduler:
        _run_dask(data, source, todo, backend, store, scheduler, bar)
    elif workers == 1:
        for task in todo:
            store(run_task(data, source, task, backend))
            if bar is not None:
                bar.update(1)
    else:
        # forked workers share the parent's heap copy-on-write; the collector would touch (and so copy)
        # every page of it in each worker: frozen objects are left alone (the gc.freeze recipe)
        gc.collect()
        gc.freeze()
        try:
            _run_forked(data, source, todo, backend, store, workers, bar)
        finally:
            gc.unfreeze()


def _run_forked(data: dict, source: str, todo: list[Task], backend: str, store: Callable[[dict], None],
                workers: int, bar: Any) -> None:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_task, data, source, t, backend): t for t in todo}
        for future in as_completed(futures):
            task = futures[future]
            try:
                row = future.result()
            except BrokenProcessPool:
                row = {"point": task.point, "seed": task.seed, **dict(task.overrides), "status": "failed",
                       "error": "worker process died (rerun with --resume)", "fingerprint": task.fingerprint}
            store(row)
            if bar is not None:
                bar.update(1)


def _run_dask(data: dict, source: str, todo: list[Task], backend: str, store: Callable[[dict], None],
              scheduler: str, bar: Any) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise UserError("--scheduler needs dask[distributed]: pip install 'gba-rwa-sim[dask]'") from None
    try:
        client = Client(scheduler, timeout=20)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, distributed's own: all mean unreachable
        raise UserError(f"cannot reach the Dask scheduler at {scheduler}: {type(exc).__name__}: {exc}") from None
    try:
        client.run(warm_worker)  # once per worker: a standing cluster stays warm between tasks
        futures = [client.submit(run_batch, data, source, batch, backend, key=f"rwa-sim-{batch[0].key}-{len(batch)}",
                                 pure=False)
                   for batch in batches(todo, sum(client.nthreads().values()))]
        for future in dask_completed(futures):
            for row in future.result():
                store(row)
                if bar is not None:
                    bar.update(1)
    finally:
        client.close()


def store_run(runs_dir: Path, row: dict) -> str:
    """Keep a finished run as runs_dir/<task key>.json, written atomically; returns the key."""
    key = f"p{row['point']:04d}-s{row['seed']}"
    atomic_write(runs_dir / f"{key}.json", json.dumps(row, sort_keys=True) + "\n")
    return key


def proven_run(runs_dir: Path, task: Task) -> dict | None:
    """The stored run of `task` when it finished and its fingerprint proves it is the task's; None otherwise
    (missing, torn, failed or another task's: run it again)."""
    try:
        row = json.loads((runs_dir / f"{task.key}.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return row if row.get("status") == "ok" and row.get("fingerprint") == task.fingerprint else None
