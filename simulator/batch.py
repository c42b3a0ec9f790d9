"""Sweeps: the cartesian product of parameter grids times seeds, on a local process pool or a Dask cluster.

Each finished (point, seed) run is stored as DIR/runs/p<point>-s<seed>.json (written atomically), and
DIR/sweep.csv is assembled from those files in (point, seed) order. So `--resume` skips what finished and
gives the same sweep.csv as an uninterrupted run, and a failed run is recorded (status, error) without
stopping the others. Wall time is kept in the run files, not in sweep.csv, so the CSV is reproducible.
"""

from __future__ import annotations

import gc
import itertools
import json
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from simulator.errors import InputError, UserError
from simulator.outputs import atomic_write, csv_text
from simulator.provenance import environment, fingerprint
from simulator.scenario import ScenarioError, apply_overrides, parse_value, read_toml, validate

NOT_IN_SWEEP_CSV = {"wall_seconds", "fingerprint"}
SWEEP_FILE = "sweep.json"  # what the sweep in a directory is: a resume into it must be the same sweep


@dataclass(frozen=True)
class Task:
    point: int
    seed: int
    overrides: tuple[tuple[str, object], ...]
    fingerprint: str = ""  # what determines the run (`fingerprinted`), set once when the sweep is planned

    @property
    def key(self) -> str:
        return f"p{self.point:04d}-s{self.seed}"


def _split_values(text: str) -> list[str]:
    """'1,2,[3, 4],"a,b"' -> ['1', '2', '[3, 4]', '"a,b"']: commas inside brackets or quotes do not split."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_grid(spec: str) -> tuple[str, list]:
    key, sep, values = spec.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        raise InputError(f"--grid {spec!r}: expected dotted.key=v1,v2,...")
    return key, [parse_value(v) for v in _split_values(values)]


def plan(data: dict, source: str, grids: list[str], seeds: int, base_seed: int) -> tuple[list[str], list[Task]]:
    """Every (point, seed) task; every point validated before anything runs."""
    if seeds < 1:
        raise InputError("--seeds must be at least 1")
    parsed = [parse_grid(g) for g in grids]
    keys = [k for k, _ in parsed]
    if len(set(keys)) != len(keys):
        raise InputError("--grid: the same key is given twice")
    points = list(itertools.product(*[values for _, values in parsed])) if parsed else [()]
    problems: list[str] = []
    tasks: list[Task] = []
    for index, values in enumerate(points):
        overrides = tuple(zip(keys, values, strict=True))
        try:
            validate(apply_overrides(data, list(overrides)), f"{source} (point {index}: {dict(overrides)})")
        except ScenarioError as exc:
            problems.extend(exc.problems)
        tasks.extend(Task(index, base_seed + s, overrides) for s in range(seeds))
    if problems:
        raise ScenarioError(problems)
    return keys, tasks


def fingerprinted(data: dict, source: str, tasks: list[Task], backend: str) -> list[Task]:
    """Each task with the fingerprint of what determines its run: the resolved scenario of its point (resolved
    once per point), its seed, the backend, the code and libraries."""
    resolved: dict[int, dict] = {}
    out = []
    for task in tasks:
        if task.point not in resolved:
            resolved[task.point] = validate(apply_overrides(data, list(task.overrides)), source).model_dump(mode="json")
        sealed = fingerprint(scenario=resolved[task.point], seed=task.seed, backend=backend, environment=environment())
        out.append(replace(task, fingerprint=sealed))
    return out


def run_task(data: dict, source: str, task: Task, backend: str) -> dict:
    """One run, inside a worker (its own EVM). Never raises: a failure is a row with status=failed. The row
    carries the fingerprint of what determined it, so a resume can prove it belongs to the sweep."""
    from simulator.runner import run

    row = {"point": task.point, "seed": task.seed, **dict(task.overrides),
           "fingerprint": task.fingerprint}
    try:
        scenario = validate(apply_overrides(data, list(task.overrides)), source)
        result = run(scenario.world(), task.seed, backend, scenario=scenario.scenario.name)
        row.update(status="ok", error="", **result.summary)
    except Exception as exc:  # noqa: BLE001 - any failure of one run is recorded, never fatal to the sweep
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" at {Path(last.filename).name}:{last.lineno}" if last else ""
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}{where}".replace("\n", " "))
    return row


def warm_worker() -> None:
    """Load every artifact and ABI codec in this process (what a forked pool worker inherits warm)."""
    from simulator.chain.artifacts import ARTIFACTS
    from simulator.runner import run  # noqa: F401

    ARTIFACTS.warm()


class Sweep:
    def __init__(self, scenario_path: Path, grids: list[str], seeds: int, out_dir: Path, *, workers: int = 1,
                 scheduler: str | None = None, resume: bool = False, backend: str = "revm",
                 progress: bool = False) -> None:
        if workers < 1:
            raise InputError("--workers must be at least 1")
        if backend not in ("revm", "pyevm"):
            raise InputError(f"sweeps run in-process EVMs: --backend must be revm or pyevm, not {backend!r}")
        self.data = read_toml(scenario_path)
        self.source = str(scenario_path)
        base_seed = validate(self.data, self.source).scenario.seed
        keys, tasks = plan(self.data, self.source, grids, seeds, base_seed)
        self.keys, self.tasks = keys, fingerprinted(self.data, self.source, tasks, backend)
        self.out_dir, self.runs_dir = out_dir, out_dir / "runs"
        self.workers, self.scheduler, self.backend, self.progress = workers, scheduler, backend, progress
        previous = self.runs_dir.exists() and any(self.runs_dir.glob("*.json"))
        if not resume and previous:
            raise InputError(f"{out_dir} holds a previous sweep: pass --resume to complete it, or choose a new --out")
        # what this sweep is (its seeds may grow on a resume: each run is also checked on its own)
        self.identity = {"scenario": self.data,
                         "points": sorted({json.dumps(t.overrides, default=str) for t in self.tasks}),
                         "backend": backend, "environment": environment()}
        if previous:
            self._check_same_sweep()

    def _check_same_sweep(self) -> None:
        """A resume must continue the same sweep: the same scenario, grid, backend and code. Runs made by
        anything else are refused by name, never reused."""
        path = self.out_dir / SWEEP_FILE
        try:
            stored = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            raise InputError(f"{self.out_dir} holds runs but no readable {SWEEP_FILE}: they cannot be proved to belong "
                             "to this sweep; choose a new --out") from None
        differ = [part for part in ("scenario", "points", "backend", "environment")
                  if stored.get(part) != json.loads(json.dumps(self.identity[part], default=str))]
        if differ:
            names = {"scenario": "the scenario", "points": "the grid", "backend": "the backend",
                     "environment": "the code or its libraries"}
            raise InputError(f"{self.out_dir} holds a sweep of a different {', '.join(names[d] for d in differ)}: "
                             "its runs are not this sweep's; choose a new --out")

    def _done(self) -> set[str]:
        """Finished runs whose fingerprint is the one their task asks for; anything else is run again."""
        wanted = {t.key: t.fingerprint for t in self.tasks}
        done = set()
        for path in self.runs_dir.glob("p*-s*.json"):
            try:
                row = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue  # a torn file is redone
            if row.get("status") == "ok" and path.stem in wanted and row.get("fingerprint") == wanted[path.stem]:
                done.add(path.stem)
        return done

    def _store(self, row: dict) -> None:
        task_key = f"p{row['point']:04d}-s{row['seed']}"
        atomic_write(self.runs_dir / f"{task_key}.json", json.dumps(row, sort_keys=True) + "\n")

    def run(self) -> Path:
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create output directory {self.runs_dir}: {exc.strerror or exc}") from None
        atomic_write(self.out_dir / SWEEP_FILE, json.dumps(self.identity, sort_keys=True, default=str) + "\n")
        done = self._done()
        todo = [t for t in self.tasks if t.key not in done]
        bar = None
        if self.progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), unit="run", desc="sweep", leave=False)
        try:
            if self.scheduler:
                self._run_dask(todo, bar)
            else:
                self._run_pool(todo, bar)
        finally:
            if bar is not None:
                bar.close()
        return self.assemble()

    def _run_pool(self, todo: list[Task], bar: Any) -> None:
        if not todo:
            return
        if self.workers == 1:
            for task in todo:
                self._store(run_task(self.data, self.source, task, self.backend))
                if bar is not None:
                    bar.update(1)
            return
        # forked workers share the parent's heap copy-on-write; the collector would touch (and so copy)
        # every page of it in each worker: frozen objects are left alone (the gc.freeze recipe)
        gc.collect()
        gc.freeze()
        try:
            self._run_forked(todo, bar)
        finally:
            gc.unfreeze()

    def _run_forked(self, todo: list[Task], bar: Any) -> None:
        with ProcessPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(run_task, self.data, self.source, t, self.backend): t for t in todo}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    row = future.result()
                except BrokenProcessPool:
                    row = {"point": task.point, "seed": task.seed, **dict(task.overrides), "status": "failed",
                           "error": "worker process died (rerun with --resume)",
                           "fingerprint": task.fingerprint}
                self._store(row)
                if bar is not None:
                    bar.update(1)

    def _run_dask(self, todo: list[Task], bar: Any) -> None:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise UserError("--scheduler needs dask[distributed]: pip install 'gba-rwa-sim[dask]'") from None
        try:
            client = Client(self.scheduler, timeout=20)
        except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, distributed's own: all mean unreachable
            raise UserError(f"cannot reach the Dask scheduler at {self.scheduler}: {type(exc).__name__}: {exc}"
                            ) from None
        try:
            client.run(warm_worker)  # once per worker: a standing cluster stays warm between tasks
            futures = [client.submit(run_task, self.data, self.source, t, self.backend, key=f"rwa-sim-{t.key}",
                                     pure=False) for t in todo]
            for future in dask_completed(futures):
                self._store(future.result())
                if bar is not None:
                    bar.update(1)
        finally:
            client.close()

    def assemble(self) -> Path:
        rows = []
        for task in self.tasks:
            path = self.runs_dir / f"{task.key}.json"
            if path.is_file():
                row = json.loads(path.read_text())
                if row.get("fingerprint") != task.fingerprint:
                    raise UserError(f"{path} does not belong to this sweep (its fingerprint differs): not used")
                rows.append(row)
        fields = ["point", "seed", *self.keys, "status", "error"]
        for row in rows:
            fields.extend(k for k in row if k not in fields and k not in NOT_IN_SWEEP_CSV)
        table = [{f: row.get(f, "") for f in fields} for row in rows]
        for row in table:
            for k in self.keys:
                if isinstance(row[k], (list, dict, bool)):
                    row[k] = json.dumps(row[k])
        target = self.out_dir / "sweep.csv"
        atomic_write(target, csv_text(table, fields))
        return target
