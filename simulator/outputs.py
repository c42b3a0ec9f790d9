"""Run outputs: summary.csv, timeseries.csv, events.csv and manifest.json, each written atomically.

Every file is written under a temporary name in the same directory and renamed into place, so a run that
is killed or fails leaves no complete-looking file. CSVs are plain, pandas-friendly, one header row.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path

from simulator import __version__
from simulator.chain.artifacts import ARTIFACTS
from simulator.errors import UserError

DEPENDENCIES = ("web3", "eth-tester", "py-evm", "pyrevm", "simpy", "numpy", "pydantic")


def atomic_write(path: Path, text: str) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def csv_text(rows: list[dict], fields: list[str] | None = None) -> str:
    fields = fields or (list(rows[0].keys()) if rows else [])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def version_of(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def manifest(scenario_dump: dict, seed: int, backend: str, wall_seconds: float) -> dict:
    return {
        "scenario": scenario_dump,
        "seed": seed,
        "backend": backend,
        "gas_model": "session" if backend == "revm" else "per-transaction",
        "package_version": __version__,
        "python": platform.python_version(),
        "dependencies": {d: version_of(d) for d in DEPENDENCIES},
        "artifacts": ARTIFACTS.hashes(),
        "wall_seconds": round(wall_seconds, 3),
    }


EVENT_FIELDS = ["time_s", "day", "actor", "kind", "reason", "amount", "currency", "block", "tx_hash", "detail"]


class EventStream:
    """events.csv written row by row as the run goes (never held in memory), under a temporary name that
    becomes events.csv only when the run completes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        self.writer = csv.DictWriter(self.fh, fieldnames=EVENT_FIELDS, lineterminator="\n", extrasaction="raise")
        self.writer.writeheader()

    def write(self, row: dict) -> None:
        try:
            self.writer.writerow(row)
        except OSError as exc:
            raise UserError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def commit(self) -> None:
        try:
            self.fh.close()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.abort()  # a full disk refusing the last flush: no temporary file is left behind
            raise UserError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # a full disk refusing the last buffered bytes: the file goes anyway
            self.fh.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


def write_run(out_dir: Path, summary: dict, timeseries: list[dict], events: list[dict] | None,
              manifest_data: dict) -> None:
    """Write the files; the manifest last, so its presence means the run completed. `events` None: already
    streamed by an EventStream."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output directory {out_dir}: {exc.strerror or exc}") from None
    if events is not None:
        atomic_write(out_dir / "events.csv", csv_text(events, EVENT_FIELDS))
    atomic_write(out_dir / "timeseries.csv", csv_text(timeseries))
    atomic_write(out_dir / "summary.csv", csv_text([summary]))
    atomic_write(out_dir / "manifest.json", json.dumps(manifest_data, indent=2, sort_keys=True) + "\n")
