"""Run outputs: summary, timeseries and events (CSV, or Parquet with `--format parquet`) and manifest.json,
each written atomically.

Every file is written under a temporary name in the same directory and renamed into place, so a run that
is killed or fails leaves no complete-looking file. Files are created like any file a program creates:
0666 less the process's umask (the kernel applies it). Every row is checked against its table's declared
columns (`simulator.columns`): names, order, types, int64 range; a value that does not fit raises.
CSVs are plain, one header row, N/A an empty cell; Parquet files carry the typed schema, N/A null.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import platform
import secrets
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from simulator import __version__
from simulator.chain.artifacts import ARTIFACTS
from simulator.columns import EVENTS, Schema, arrow_schema, check_row, summary_schema, timeseries_schema
from simulator.errors import UserError

DEPENDENCIES = ("web3", "eth-tester", "py-evm", "pyrevm", "simpy", "numpy", "pydantic")
FORMATS = ("csv", "parquet")
TABLE_NAMES = ("summary", "timeseries", "events")
ROW_GROUP = 65_536  # Parquet rows buffered per row group (fixed, so the same rows give the same bytes)


def output_names() -> list[str]:
    """Every file a run may write, the manifest first (clearing in this order: no manifest beside a torn run)."""
    return ["manifest.json", *[f"{t}.{f}" for f in FORMATS for t in TABLE_NAMES]]


def _create_temp(path: Path) -> tuple[int, str]:
    """A new, empty file beside `path` under a temporary name, open for writing. Its mode is 0666 less the
    umask, as the kernel applies it (tempfile.mkstemp would make it 0600 whatever the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.partial")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _unlink_quietly(tmp: str | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def atomic_write(path: Path, text: str) -> None:
    tmp = None
    try:
        fd, tmp = _create_temp(path)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def csv_text(rows: list[dict], fields: list[str] | None = None) -> str:
    """Rows as CSV text: one header row, None as an empty cell."""
    fields = fields or (list(rows[0].keys()) if rows else [])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def require_format(fmt: str) -> None:
    """Refuse an unknown format, or Parquet without pyarrow, before anything runs."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise UserError("--format parquet needs pyarrow: pip install 'gba-rwa-sim[parquet]'") from None


class TableWriter:
    """One table written row by row (never held whole: events stream through it) under a temporary name that
    becomes `path` only on `commit`. Rows are checked against `schema` as they come."""

    def __init__(self, path: Path, schema: Schema, fmt: str = "csv", table: str | None = None) -> None:
        require_format(fmt)
        self.path, self.schema, self.fmt, self.table = path, schema, fmt, table or path.stem
        self.tmp: str | None = None
        self.buffer: list[dict] = []
        try:
            fd, self.tmp = _create_temp(path)
            if fmt == "csv":
                text = os.fdopen(fd, "w", encoding="utf-8", newline="")
                self.fh: IO[Any] = text
                self.writer = csv.DictWriter(text, fieldnames=list(schema), lineterminator="\n", extrasaction="raise")
                self.writer.writeheader()
            else:
                import pyarrow.parquet as pq

                self.fh = os.fdopen(fd, "wb")
                self.arrow = arrow_schema(schema)
                self.parquet = pq.ParquetWriter(self.fh, self.arrow)
        except OSError as exc:
            _unlink_quietly(self.tmp)
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None

    def write(self, row: dict) -> None:
        check_row(row, self.schema, self.table)
        try:
            if self.fmt == "csv":
                self.writer.writerow(row)
            else:
                self.buffer.append(row)
                if len(self.buffer) >= ROW_GROUP:
                    self._flush()
        except OSError as exc:
            raise UserError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def write_rows(self, rows: list[dict]) -> None:
        for row in rows:
            self.write(row)

    def _flush(self) -> None:
        import pyarrow as pa

        if self.buffer:
            self.parquet.write_table(pa.Table.from_pylist(self.buffer, schema=self.arrow))
            self.buffer = []

    def commit(self) -> None:
        try:
            if self.fmt == "parquet":
                self._flush()
                self.parquet.close()
            self.fh.close()
            if self.tmp is not None:
                os.replace(self.tmp, self.path)
        except OSError as exc:
            self.abort()
            raise UserError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # a full disk refusing the last buffered bytes: the file goes anyway
            if self.fmt == "parquet":
                self.parquet.close()
            self.fh.close()
        _unlink_quietly(self.tmp)


def write_table(path: Path, rows: list[dict], schema: Schema, fmt: str) -> None:
    writer = TableWriter(path, schema, fmt)
    try:
        writer.write_rows(rows)
    except BaseException:
        writer.abort()
        raise
    writer.commit()


def version_of(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def manifest(scenario_dump: dict, seed: int, backend: str, wall_seconds: float, fmt: str = "csv") -> dict:
    return {
        "scenario": scenario_dump,
        "seed": seed,
        "backend": backend,
        "gas_model": "session" if backend == "revm" else "per-transaction",
        "format": fmt,
        "package_version": __version__,
        "python": platform.python_version(),
        "dependencies": {d: version_of(d) for d in (*DEPENDENCIES, *(("pyarrow",) if fmt == "parquet" else ()))},
        "artifacts": ARTIFACTS.hashes(),
        "wall_seconds": round(wall_seconds, 3),
    }


def write_run(out_dir: Path, summary: dict, timeseries: list[dict], events: list[dict] | None,
              manifest_data: dict, fmt: str = "csv") -> None:
    """Write the tables, then the manifest, so its presence means the run completed. `events` None: already
    streamed by a TableWriter."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output directory {out_dir}: {exc.strerror or exc}") from None
    if events is not None:
        write_table(out_dir / f"events.{fmt}", events, EVENTS, fmt)
    write_table(out_dir / f"timeseries.{fmt}", timeseries, timeseries_schema(), fmt)
    write_table(out_dir / f"summary.{fmt}", [summary], summary_schema(), fmt)
    atomic_write(out_dir / "manifest.json", json.dumps(manifest_data, indent=2, sort_keys=True) + "\n")
