"""`rwa-sim calibrate`: fit a scenario's free parameters to published figures (simulator/targets.py).

Method: Bayesian optimisation with Optuna's TPE sampler, seeded. Each trial proposes a value for every `--fit`
parameter within its range, runs the scenario with them on `--seeds` seeds (the same seeds in every trial: common
random numbers, so trials differ by their parameters rather than their luck) and scores the mean of the runs
against the fit targets (the weighted mean squared relative error). Holdout targets never enter the loss; they are
compared for the best trial only. A round asks `--batch` trials at once and runs all their seeds on the process
pool or the Dask cluster, as sweeps do (simulator/batch.py).

Every run is stored as DIR/runs/p<trial>-s<seed>.json with the fingerprint of what determined it. A resumed
calibration replays the sampler from its seed: given the same history it proposes the same parameters, so a stored
run is reused only when its fingerprint proves it is the one asked for, and anything else is run again.

Without `--fit` the scenario is evaluated as it is (one trial): the target table and the plot of model against data.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simulator.batch import fingerprinted
from simulator.calibration_report import CalibrationResult, TrialResult, by_date, model_mean
from simulator.designs import Factor, parse_vary
from simulator.errors import InputError, UserError
from simulator.executor import Task, execute, proven_run, store_run
from simulator.limits import MAX_SEED
from simulator.outputs import atomic_write
from simulator.provenance import environment
from simulator.scenario import apply_overrides, parse_override, read_toml, validate
from simulator.targets import Targets, check_dates, load_targets, loss, relative_error

IDENTITY_FILE = "calibration.json"
MAX_TRIALS = 10_000


@dataclass
class Calibration:
    """`Calibration(...).run()` fits, then writes DIR: fitted.toml, targets.csv, history.csv, model_vs_data.png."""

    scenario_path: Path
    targets_path: Path
    fits: list[str]
    out_dir: Path
    trials: int = 40
    seeds: int = 2
    batch: int | None = None
    workers: int = 1
    scheduler: str | None = None
    resume: bool = False
    backend: str = "revm"
    sampler_seed: int = 0
    overrides: list[str] = field(default_factory=list)
    progress: bool = False

    def __post_init__(self) -> None:
        try:  # the calibration extra, checked before anything runs
            import matplotlib  # noqa: F401
            import tomli_w  # noqa: F401

            if self.fits:
                import optuna  # noqa: F401
        except ImportError as exc:
            raise UserError(f"rwa-sim calibrate needs the calibration extra ({exc.name} missing): "
                            "pip install 'gba-rwa-sim[calibration]'") from None
        if self.backend not in ("revm", "pyevm"):
            raise InputError(f"calibration runs in-process EVMs: --backend must be revm or pyevm, not {self.backend!r}")
        if self.workers < 1:
            raise InputError("--workers must be at least 1")
        if not 1 <= self.seeds <= 1_000:
            raise InputError("--seeds must be from 1 to 1,000")
        self.factors: tuple[Factor, ...] = tuple(_parse_fit(f) for f in self.fits)
        if len({f.key for f in self.factors}) != len(self.factors):
            raise InputError("--fit: the same key is given twice")
        if not self.factors:
            self.trials = 1
        elif not 1 <= self.trials <= MAX_TRIALS:
            raise InputError(f"--trials must be from 1 to {MAX_TRIALS:,}")
        self.batch = self.batch or max(1, self.workers)
        if not 1 <= self.batch <= 1_000:
            raise InputError("--batch must be from 1 to 1,000")
        if not 0 <= self.sampler_seed <= MAX_SEED:
            raise InputError(f"--sampler-seed must be from 0 to {MAX_SEED}")
        self.data = apply_overrides(read_toml(self.scenario_path), [parse_override(o) for o in self.overrides])
        self.source = str(self.scenario_path)
        scenario = validate(self.data, self.source)
        self.base_seed = scenario.scenario.seed
        if self.base_seed + self.seeds - 1 > MAX_SEED:
            raise InputError(f"--seeds {self.seeds} from seed {self.base_seed} would pass the largest seed, {MAX_SEED}")
        self.targets: Targets = load_targets(self.targets_path)
        check_dates(self.targets, scenario.start_date, scenario.horizon_days, str(self.targets_path))
        for factor in self.factors:  # each range's ends make a valid scenario: refused before anything runs
            for end in (factor.value(0.0), factor.value(1.0)):
                validate(apply_overrides(self.data, [(factor.key, end)]), f"{self.source} (--fit {factor.key}={end})")
        self.runs_dir = self.out_dir / "runs"
        self.identity = {"scenario": self.data, "targets": self.targets.model_dump(mode="json"),
                         "fits": [asdict(f) for f in self.factors], "seeds": self.seeds, "batch": self.batch,
                         "sampler_seed": self.sampler_seed, "backend": self.backend, "environment": environment()}
        previous = self.runs_dir.exists() and any(self.runs_dir.glob("*.json"))
        if previous and not self.resume:
            raise InputError(f"{self.out_dir} holds a previous calibration: pass --resume to continue it, or choose a "
                             "new --out")
        if previous:
            self._check_same()

    # ------------------------------------------------------------------ identity and stored runs
    def _check_same(self) -> None:
        try:
            stored = json.loads((self.out_dir / IDENTITY_FILE).read_text())
        except (OSError, json.JSONDecodeError):
            raise InputError(f"{self.out_dir} holds runs but no readable {IDENTITY_FILE}: they cannot be proved to "
                             "belong to this calibration; choose a new --out") from None
        mine = json.loads(json.dumps(self.identity, default=str))
        differ = [k for k in mine if stored.get("identity", {}).get(k) != mine[k]]
        if differ:
            raise InputError(f"{self.out_dir} holds another calibration ({', '.join(differ)} differ): its runs are "
                             "not this one's; choose a new --out")

    # ------------------------------------------------------------------ the search
    def run(self) -> CalibrationResult:
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create output directory {self.runs_dir}: {exc.strerror or exc}") from None
        atomic_write(self.out_dir / IDENTITY_FILE,
                     json.dumps({"identity": self.identity}, sort_keys=True, default=str) + "\n")
        study, distributions = self._study()
        failed = None
        if study is not None:
            from optuna.trial import TrialState

            failed = TrialState.FAIL
        results: list[TrialResult] = []
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=self.trials * self.seeds, unit="run", desc="calibrate", leave=False)
        try:
            while len(results) < self.trials:
                size = min(self.batch or 1, self.trials - len(results))
                asked = [study.ask(distributions) if study is not None else None for _ in range(size)]
                params = [dict(t.params) if t is not None else {} for t in asked]
                numbers = [len(results) + i for i in range(size)]
                done = self._evaluate(numbers, params, bar)
                for trial, result in zip(asked, done, strict=True):
                    results.append(result)
                    if study is not None and trial is not None:
                        if result.loss is None:
                            study.tell(trial, state=failed)
                        else:
                            study.tell(trial, result.loss)
        finally:
            if bar is not None:
                bar.close()
        return self._finish(results)

    def _study(self) -> tuple[Any, dict]:
        if not self.factors:
            return None, {}
        import optuna

        optuna.logging.set_verbosity(logging.WARNING)
        distributions: dict[str, Any] = {}
        for f in self.factors:
            if f.scale == "int" or f.integer:
                distributions[f.key] = optuna.distributions.IntDistribution(int(f.low), int(f.high),
                                                                            log=f.scale == "log")
            else:
                distributions[f.key] = optuna.distributions.FloatDistribution(f.low, f.high, log=f.scale == "log")
        startup = max(2, min(10, self.trials // 3))  # random proposals before the model of the loss takes over
        sampler = optuna.samplers.TPESampler(seed=self.sampler_seed, n_startup_trials=startup)
        return optuna.create_study(direction="minimize", sampler=sampler), distributions

    def _evaluate(self, numbers: list[int], params: list[dict[str, Any]], bar: Any) -> list[TrialResult]:
        tasks = [Task(n, self.base_seed + s, tuple(p.items())) for n, p in zip(numbers, params, strict=True)
                 for s in range(self.seeds)]
        tasks = fingerprinted(self.data, self.source, tasks, self.backend)
        rows: dict[str, dict] = {}
        todo = []
        for task in tasks:
            stored = proven_run(self.runs_dir, task)
            if stored is not None:
                rows[task.key] = stored
                if bar is not None:
                    bar.update(1)
            else:
                todo.append(task)

        def store(row: dict) -> None:
            rows[store_run(self.runs_dir, row)] = row

        execute(self.data, self.source, todo, self.backend, store, workers=self.workers, scheduler=self.scheduler,
                bar=bar)
        results = []
        for n, p in zip(numbers, params, strict=True):
            runs = [rows[t.key] for t in tasks if t.point == n]
            failed = [r for r in runs if r.get("status") != "ok"]
            if failed:
                results.append(TrialResult(n, p, runs, None, f"seed {failed[0]['seed']}: {failed[0].get('error')}"))
                continue
            series = [by_date(r) for r in runs]
            fit = [(t, relative_error(model_mean(t, series), t)) for t in self.targets.of("fit")]
            results.append(TrialResult(n, p, runs, loss(fit) if fit else 0.0))
        return results

    # ------------------------------------------------------------------ what it writes
    def _finish(self, results: list[TrialResult]) -> CalibrationResult:
        scored = [r for r in results if r.loss is not None]
        if not scored:
            raise UserError(f"every trial failed; the first: {results[0].error}")
        best = min(scored, key=lambda r: (r.loss, r.number))
        result = CalibrationResult(self, results, best)
        written = [self.out_dir / "history.csv", self.out_dir / "targets.csv", self.out_dir / "fitted.toml"]
        atomic_write(written[0], result.history_csv())
        atomic_write(written[1], result.targets_csv())
        atomic_write(written[2], result.fitted_toml())
        identity = {"identity": self.identity, "best": {"trial": best.number, "params": best.params,
                                                        "loss": best.loss}}
        atomic_write(self.out_dir / IDENTITY_FILE, json.dumps(identity, sort_keys=True, default=str) + "\n")
        written.append(result.plot(self.out_dir / "model_vs_data.png"))
        result.written = written
        return result


def _parse_fit(spec: str) -> Factor:
    try:
        return parse_vary(spec)
    except InputError as exc:  # the design's parser names its own flag
        raise InputError(str(exc).replace("--vary", "--fit")) from None
