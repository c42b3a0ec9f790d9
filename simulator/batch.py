"""Sweeps: the cartesian product of parameter grids, or a sampled design (simulator/designs.py: Latin hypercube,
Sobol', Morris), times seeds, on a local process pool or a Dask cluster.

Each finished (point, seed) run is stored as DIR/runs/p<point>-s<seed>.json (written atomically): its summary
row, its daily timeseries and the fingerprint of what determined it, in one file, so a resumed run's
timeseries is proved to belong to its task exactly as its summary is. DIR/sweep.csv (one row per run: the
sweep's own columns, then summary.csv's) and DIR/timeseries.csv (every ok run's days, keyed by point and
seed) are assembled from those files in (point, seed) order. So `--resume` skips what finished and gives
the same files as an uninterrupted run, and a failed run is recorded (status, error) without stopping the
others. Wall time is kept in the run files, not in sweep.csv, so the CSV is reproducible.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator.columns import SWEEP_OWN, Schema, column_kind, nullable, summary_schema, timeseries_schema
from simulator.designs import Design
from simulator.errors import InputError, UserError
from simulator.executor import Task, execute, proven_run, store_run
from simulator.limits import MAX_SEED, MAX_SWEEP_RUNS
from simulator.outputs import FORMATS, TableWriter, atomic_write, require_format
from simulator.provenance import environment, fingerprint
from simulator.scenario import ScenarioError, apply_overrides, parse_override, parse_value, read_toml, validate

NOT_IN_SWEEP_CSV = {"wall_seconds"}  # summary columns sweep.csv leaves out (wall time: kept in runs/*.json)
SWEEP_FILE = "sweep.json"
MAX_PROBLEMS_SHOWN = 10  # what the sweep in a directory is: a resume into it must be the same sweep


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


def plan(data: dict, source: str, grids: list[str], seeds: int, base_seed: int,
         design: Design | None = None) -> tuple[list[str], list[Task]]:
    """Every (point, seed) task; every point validated before anything runs. The points are the grids' cartesian
    product, or the design's rows in order."""
    if seeds < 1:
        raise InputError("--seeds must be at least 1")
    if base_seed + seeds - 1 > MAX_SEED:
        raise InputError(f"--seeds {seeds} from seed {base_seed} would pass the largest seed, {MAX_SEED}")
    if design is not None and grids:
        raise InputError("--grid and --design cannot be combined: vary every factor of a design with --vary")
    parsed = [parse_grid(g) for g in grids]
    keys = design.keys if design is not None else [k for k, _ in parsed]
    if len(set(keys)) != len(keys):
        raise InputError("--grid: the same key is given twice")
    size = design.size() if design is not None else math.prod(len(values) for _, values in parsed)
    runs = size * seeds
    if runs > MAX_SWEEP_RUNS:  # every task is planned, validated and recorded up front: bound them before that
        what = "the design" if design is not None else "the grids"
        raise InputError(f"{what} times --seeds make {runs:,} runs, more than the {MAX_SWEEP_RUNS:,} a sweep "
                         "plans at once: split the sweep or use fewer values")
    if design is not None:
        points: list[tuple] = [tuple(v for _, v in row) for row in design.points()]
    else:
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
    if problems:  # a design can make hundreds of points fail alike: the first few, and how many in all
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN:,} more problem(s) in the same sweep")
        raise ScenarioError(shown)
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


def _grid_cell(value: Any, kind: str) -> Any:
    """A grid value in its column's type: floats for a column of numbers, JSON for lists and tables."""
    if kind == "float?" or (kind == "int?" and isinstance(value, float) and value.is_integer()):
        return float(value) if kind == "float?" else int(value)
    if kind == "str?" and not isinstance(value, str):
        return json.dumps(value)
    return value


class Sweep:
    def __init__(self, scenario_path: Path, grids: list[str], seeds: int, out_dir: Path, *, workers: int = 1,
                 scheduler: str | None = None, resume: bool = False, backend: str = "revm",
                 progress: bool = False, fmt: str = "csv", design: Design | None = None,
                 overrides: list[str] | None = None) -> None:
        require_format(fmt)
        self.fmt = fmt
        self.rows_written = self.failed = 0
        if workers < 1:
            raise InputError("--workers must be at least 1")
        if backend not in ("revm", "pyevm"):
            raise InputError(f"sweeps run in-process EVMs: --backend must be revm or pyevm, not {backend!r}")
        # --set: fixed changes to the scenario every point starts from (a smaller world for a large design)
        self.data = apply_overrides(read_toml(scenario_path), [parse_override(o) for o in overrides or []])
        self.source = str(scenario_path)
        base_seed = validate(self.data, self.source).scenario.seed
        keys, tasks = plan(self.data, self.source, grids, seeds, base_seed, design)
        self.keys, self.tasks = keys, fingerprinted(self.data, self.source, tasks, backend)
        self.out_dir, self.runs_dir = out_dir, out_dir / "runs"
        self.workers, self.scheduler, self.backend, self.progress = workers, scheduler, backend, progress
        previous = self.runs_dir.exists() and any(self.runs_dir.glob("*.json"))
        if not resume and previous:
            raise InputError(f"{out_dir} holds a previous sweep: pass --resume to complete it, or choose a new --out")
        # what this sweep is (its seeds may grow on a resume: each run is also checked on its own)
        self.identity = {"scenario": self.data,
                         "points": sorted({json.dumps(t.overrides, default=str) for t in self.tasks}),
                         "design": design.to_json() if design is not None else None,
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
        differ = [part for part in ("scenario", "points", "design", "backend", "environment")
                  if stored.get(part) != json.loads(json.dumps(self.identity[part], default=str))]
        if differ:
            names = {"scenario": "the scenario", "points": "the grid", "design": "the design", "backend": "the backend",
                     "environment": "the code or its libraries"}
            what = " and ".join(names[d] for d in differ)
            raise InputError(f"{self.out_dir} holds another sweep ({what} {'differ' if len(differ) > 1 else 'differs'}"
                             "): its runs are not this sweep's; choose a new --out")

    def _done(self) -> set[str]:
        """Finished runs whose fingerprint is the one their task asks for; anything else is run again."""
        return {t.key for t in self.tasks if proven_run(self.runs_dir, t) is not None}

    def _store(self, row: dict) -> None:
        store_run(self.runs_dir, row)

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
            execute(self.data, self.source, todo, self.backend, self._store, workers=self.workers,
                    scheduler=self.scheduler, bar=bar)
        finally:
            if bar is not None:
                bar.close()
        return self.assemble()

    def _stored(self, task: Task) -> dict | None:
        """The stored run of a task, proved to be the task's by its fingerprint; None if it has none."""
        path = self.runs_dir / f"{task.key}.json"
        if not path.is_file():
            return None
        row = json.loads(path.read_text())
        if row.get("fingerprint") != task.fingerprint:
            raise UserError(f"{path} does not belong to this sweep (its fingerprint differs): not used")
        return row

    def _runs(self) -> list[tuple[Task, dict]]:
        """Each stored run's row without its timeseries (read again, run by run, when it is written)."""
        runs = []
        for task in self.tasks:
            row = self._stored(task)
            if row is not None:
                row.pop("timeseries", None)
                runs.append((task, row))
        return runs

    def sweep_schema(self, grid_values: dict[str, list]) -> Schema:
        """sweep.csv: point, the grid keys, status, error, then summary.csv's columns in its order (without
        wall time); a grid key that is a summary column (horizon_days) is not repeated. Summary columns may be
        N/A: a failed run has none but its seed and grid values."""
        summary = {c: k for c, k in summary_schema().items() if c not in NOT_IN_SWEEP_CSV}
        grid = {k: column_kind(grid_values[k]) for k in self.keys if k not in summary}
        return {"point": SWEEP_OWN["point"], **grid, "status": SWEEP_OWN["status"], "error": SWEEP_OWN["error"],
                **nullable(summary)}

    def assemble(self) -> Path:
        """Write sweep.<fmt> and timeseries.<fmt> from the stored runs (and remove the other format's, which
        would describe an older state of the sweep)."""
        runs = self._runs()
        grid_values = {k: [dict(t.overrides)[k] for t, _ in runs] for k in self.keys}
        schema = self.sweep_schema(grid_values)
        table = []
        for task, row in runs:
            out = {c: row.get(c) for c in schema}
            for k, v in task.overrides:  # each grid cell in its column's type (a run file holds it as given)
                out[k] = _grid_cell(v, schema[k])
            out["seed"] = task.seed
            table.append(out)
        for fmt in FORMATS:
            if fmt != self.fmt:
                for name in ("sweep", "timeseries"):
                    (self.out_dir / f"{name}.{fmt}").unlink(missing_ok=True)
        self._write_timeseries(runs)
        target = self.out_dir / f"sweep.{self.fmt}"
        writer = TableWriter(target, schema, self.fmt, "sweep")
        try:
            writer.write_rows(table)
        except BaseException:
            writer.abort()
            raise
        writer.commit()
        self.rows_written, self.failed = len(table), sum(1 for r in table if r["status"] != "ok")
        return target

    def _write_timeseries(self, runs: list[tuple[Task, dict]]) -> None:
        """Every ok run's days, one run at a time (a long sweep's would not fit in memory as dicts)."""
        schema: Schema = {"point": "int", "seed": "int", **timeseries_schema()}
        writer = TableWriter(self.out_dir / f"timeseries.{self.fmt}", schema, self.fmt, "sweep timeseries")
        try:
            for task, row in runs:
                if row.get("status") != "ok":
                    continue
                full = self._stored(task)
                if full is None:
                    raise UserError(f"run {task.key} disappeared while the sweep was assembled")
                stored = full["timeseries"]
                if stored["columns"] != list(schema)[2:]:
                    raise UserError(f"run {task.key}: its stored timeseries has other columns than this code's")
                for values in stored["rows"]:
                    writer.write({"point": task.point, "seed": task.seed, **dict(zip(stored["columns"], values,
                                                                                  strict=True))})
        except BaseException:
            writer.abort()
            raise
        writer.commit()
