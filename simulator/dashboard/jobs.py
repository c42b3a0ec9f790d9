"""Runs started from the dashboard: each in a worker process of its own, with its progress in days and a cancel.

The page's server stays responsive while a run computes, and a cancel is immediate (the process is ended, not
asked). A run writes what `rwa-sim run` writes, plus the scenario it ran (`scenario.toml`), into its own
directory of the dashboard's workspace. A cancelled run's directory is removed; a failed one keeps only its
scenario and `error.txt`: no partial file stays that looks like a result.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCENARIO_FILE = "scenario.toml"
ERROR_FILE = "error.txt"


def _work(toml_text: str, seed: int, backend: str, out_dir: str, days: Any) -> None:
    """In the worker process: validate and run the scenario, counting simulated days into `days`."""
    import tomllib

    from simulator.errors import UserError
    from simulator.runner import run_scenario
    from simulator.scenario import validate

    out = Path(out_dir)
    try:
        scenario = validate(tomllib.loads(toml_text), SCENARIO_FILE)
        run_scenario(scenario, seed, backend, out_dir=out, on_day=lambda day: _count(days))
    except UserError as exc:  # the scenario's or the run's own problem, in the words the CLI prints
        (out / ERROR_FILE).write_text(f"{exc}\n")
        raise SystemExit(2) from None
    except Exception:  # noqa: BLE001 - a defect: its traceback is what the page shows and a report needs
        (out / ERROR_FILE).write_text(traceback.format_exc())
        raise SystemExit(1) from None


def parse_seed(text: str) -> int:
    """The seed typed on the page, held to what `rwa-sim run --seed` accepts; ValueError says what is wrong."""
    from simulator.limits import MAX_SEED

    try:
        seed = int(text.strip())
    except ValueError:
        raise ValueError("seed: expected a whole number") from None
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed: must be from 0 to {MAX_SEED:,}")
    return seed


def _count(days: Any) -> None:
    with days.get_lock():
        days.value += 1


@dataclass
class RunJob:
    """One run in its worker process: `progress()` in [0, 1], `cancel()`, `status` once it has ended."""

    name: str
    out_dir: Path
    horizon_days: int
    seed: int
    backend: str = "revm"
    _process: Any = field(default=None, repr=False)
    _days: Any = field(default=None, repr=False)
    _cancelled: bool = False

    @classmethod
    def start(cls, name: str, toml_text: str, horizon_days: int, seed: int, workspace: Path,
              backend: str = "revm") -> RunJob:
        """Write the scenario into a fresh directory of `workspace` and start running it."""
        out_dir = fresh_dir(workspace, name)
        (out_dir / SCENARIO_FILE).write_text(toml_text, encoding="utf-8")
        # spawn, not fork: the server runs threads, and a fork copies their locks mid-use
        context = mp.get_context("spawn")
        days = context.Value("i", 0)
        process = context.Process(target=_work, args=(toml_text, seed, backend, str(out_dir), days),
                                  name=f"rwa-sim run {out_dir.name}", daemon=True)
        job = cls(out_dir.name, out_dir, horizon_days, seed, backend, process, days)
        process.start()
        return job

    @property
    def days_done(self) -> int:
        return int(self._days.value) if self._days is not None else 0

    def progress(self) -> float:
        return min(1.0, self.days_done / max(1, self.horizon_days))

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def status(self) -> str:
        """running, done, failed or cancelled."""
        if self._cancelled:
            return "cancelled"
        if self.running:
            return "running"
        return "done" if self._process is not None and self._process.exitcode == 0 else "failed"

    def error(self) -> str:
        path = self.out_dir / ERROR_FILE
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def wait(self, timeout: float | None = None) -> str:
        if self._process is not None:
            self._process.join(timeout)
        return self.status

    def cancel(self) -> None:
        """End the run now and remove its directory (nothing half-written stays)."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._cancelled = True
        shutil.rmtree(self.out_dir, ignore_errors=True)


def fresh_dir(workspace: Path, name: str) -> Path:
    """`workspace/<name>-<n>`, n the first number not taken, created now (so two runs never share one)."""
    workspace.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        candidate = workspace / f"{name}-{n}"
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1
