"""Outputs are written so that no complete-looking file is ever visible unless it is complete: each file under a
temporary name renamed into place, the manifest (the mark of a completed run) last."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from simulator.columns import EVENTS, Schema, summary_schema, timeseries_schema
from simulator.errors import UserError
from simulator.outputs import TableWriter, atomic_write, csv_text, write_run, write_table

from . import full_disk

ENOSPC = "No space left on device"
UNWRITABLE = Path("/proc/rwa-sim-no-such-dir")  # no one, root included, can create a directory in /proc


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".") or p.suffix == ".partial")


def test_a_write_that_fails_halfway_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "summary.csv"
    target.write_text("old,complete\n1,2\n")
    text = "x" * 50_000 + "\n"
    disk = full_disk.install(monkeypatch, tmp_path, free=len(text) // 2)
    with pytest.raises(UserError, match=rf"cannot write .*summary\.csv: {ENOSPC}"):
        atomic_write(target, text)
    assert disk.written == len(text) // 2  # the write did get halfway
    assert target.read_text() == "old,complete\n1,2\n"  # never the half-written text under the final name
    assert _leftovers(tmp_path) == []  # and the temporary file is gone


def test_a_failed_first_write_leaves_no_file_at_all(tmp_path, monkeypatch):
    full_disk.install(monkeypatch, tmp_path, free=10)
    with pytest.raises(UserError, match=ENOSPC):
        atomic_write(tmp_path / "sub" / "timeseries.csv", "a,b\n" * 10_000)
    assert not (tmp_path / "sub" / "timeseries.csv").exists() and _leftovers(tmp_path / "sub") == []


def test_the_final_name_appears_only_complete(tmp_path, monkeypatch):
    """Mid-write, the final path does not exist (or holds the old content): watched from inside the write."""
    target = tmp_path / "timeseries.csv"
    target.write_text("old\n")
    seen: list[str] = []
    real_fdopen, real_open = os.fdopen, open

    class Watching:
        def __init__(self, real):
            self.real = real

        def write(self, text):
            n = self.real.write(text[: len(text) // 2])
            self.real.flush()
            seen.append(target.read_text() if target.exists() else "<absent>")
            return n + self.real.write(text[len(text) // 2:])

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.real.close()

        def __getattr__(self, name):
            return getattr(self.real, name)

    def watched_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        return Watching(fh) if "w" in mode else fh

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Watching(real_fdopen(*a, **k)))
    monkeypatch.setattr("builtins.open", watched_open)
    monkeypatch.setattr("io.open", watched_open)
    atomic_write(target, "new,text\n" * 100)
    assert seen and all(s == "old\n" for s in seen)
    assert target.read_text() == "new,text\n" * 100 and _leftovers(tmp_path) == []


def _row(schema: Schema, n: int) -> dict:
    """A row of `schema` whose every value has its column's type (write_run checks them)."""
    typed = {"int": n, "float": n + 0.5, "bool": n % 2 == 0, "str": f"s{n}"}
    return {name: typed[kind.rstrip("?")] for name, kind in schema.items()}


SUMMARY = _row(summary_schema(), 1)
TIMESERIES = [_row(timeseries_schema(), d) for d in range(2_000)]
MANIFEST = {"seed": 1, "backend": "revm"}


def _sizes() -> dict[str, int]:
    return {"timeseries.csv": len(csv_text(TIMESERIES)), "summary.csv": len(csv_text([SUMMARY])),
            "manifest.json": len(json.dumps(MANIFEST, indent=2, sort_keys=True) + "\n")}


def test_write_run_writes_the_manifest_last(tmp_path, monkeypatch):
    order: list[str] = []
    real_replace = os.replace

    def replace(src, dst):
        order.append(Path(dst).name)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_run(tmp_path, SUMMARY, TIMESERIES, None, MANIFEST)
    assert order[-1] == "manifest.json" and sorted(order) == ["manifest.json", "summary.csv", "timeseries.csv"]


@pytest.mark.parametrize("failing", ["timeseries.csv", "summary.csv", "manifest.json"])
def test_a_run_whose_writing_fails_has_no_manifest(tmp_path, monkeypatch, failing):
    """The disk fills while `failing` is written: no manifest.json, so nothing claims the run completed; the
    files before it are whole, the one that failed is absent, no temporary file is left."""
    sizes = _sizes()
    order = ["timeseries.csv", "summary.csv", "manifest.json"]
    before = order[: order.index(failing)]
    full_disk.install(monkeypatch, tmp_path, free=sum(sizes[n] for n in before) + sizes[failing] // 2)
    with pytest.raises(UserError, match=rf"cannot write .*{failing}: {ENOSPC}"):
        write_run(tmp_path, SUMMARY, TIMESERIES, None, MANIFEST)
    assert not (tmp_path / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)
    for name in before:
        assert (tmp_path / name).stat().st_size == sizes[name]


def test_outputs_go_into_directories_created_as_needed(tmp_path):
    deep = tmp_path / "a" / "b"
    atomic_write(deep / "x" / "f.csv", "x\n")
    stream = TableWriter(tmp_path / "e1" / "e2" / "events.csv", EVENTS)
    stream.commit()
    write_run(deep / "z" / "run", SUMMARY, TIMESERIES, None, MANIFEST)
    assert (deep / "x" / "f.csv").read_text() == "x\n" and (tmp_path / "e1" / "e2" / "events.csv").is_file()
    assert (deep / "z" / "run" / "manifest.json").is_file()


def test_a_location_that_cannot_be_created_is_one_clear_error_naming_the_cause():
    import re

    cause = r"[A-Z][a-z ]+"  # the system's sentence (No such file or directory), not a Python repr
    with pytest.raises(UserError) as raised:
        atomic_write(UNWRITABLE / "f.csv", "x")
    assert re.fullmatch(rf"cannot write {re.escape(str(UNWRITABLE / 'f.csv'))}: {cause}", str(raised.value))
    with pytest.raises(UserError) as raised:
        TableWriter(UNWRITABLE / "events.csv", EVENTS)
    assert re.fullmatch(rf"cannot write {re.escape(str(UNWRITABLE / 'events.csv'))}: {cause}", str(raised.value))
    with pytest.raises(UserError) as raised:
        write_run(UNWRITABLE, SUMMARY, TIMESERIES, None, MANIFEST)
    assert re.fullmatch(rf"cannot create output directory {re.escape(str(UNWRITABLE))}: {cause}", str(raised.value))


def test_csv_text_takes_its_header_from_the_first_row():
    assert csv_text([{"a": 1, "b": 2}, {"a": 3}]) == "a,b\n1,2\n3,\n"
    assert csv_text([{"a": 1}], ["a", "b"]) == "a,b\n1,\n"


def test_the_manifest_is_indented_sorted_json_with_a_final_newline(tmp_path):
    write_run(tmp_path, SUMMARY, TIMESERIES, None, {"b": 1, "a": {"c": 2}})
    assert (tmp_path / "manifest.json").read_text() == '{\n  "a": {\n    "c": 2\n  },\n  "b": 1\n}\n'


def test_write_run_writes_events_held_in_memory_too(tmp_path):
    row = _row(EVENTS, 3)
    write_run(tmp_path, SUMMARY, TIMESERIES, [row, row], MANIFEST)
    assert (tmp_path / "events.csv").read_text() == csv_text([row, row], list(EVENTS))


def test_parquet_rows_go_out_in_row_groups_of_the_fixed_size(tmp_path, monkeypatch):
    """A row group is written each time ROW_GROUP rows are buffered, not sooner nor later, so the same rows
    give the same bytes (and a long table is never held whole)."""
    import pyarrow.parquet as pq

    import simulator.outputs as outputs

    monkeypatch.setattr(outputs, "ROW_GROUP", 4)
    outputs.write_table(tmp_path / "t.parquet", [{"n": n} for n in range(9)], {"n": "int"}, "parquet")
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [4, 4, 1]
    assert pq.read_table(tmp_path / "t.parquet")["n"].to_pylist() == list(range(9))


def test_the_manifest_names_pyarrow_only_for_parquet_and_keeps_wall_time_to_the_millisecond():
    from simulator.outputs import manifest

    csv_run, parquet_run = manifest({}, 1, "revm", 1.23456), manifest({}, 1, "revm", 1.23456, "parquet")
    assert "pyarrow" not in csv_run["dependencies"] and "pyarrow" in parquet_run["dependencies"]
    assert (csv_run["format"], parquet_run["format"]) == ("csv", "parquet")
    assert csv_run["wall_seconds"] == 1.235
    assert (csv_run["gas_model"], manifest({}, 1, "pyevm", 0.0)["gas_model"]) == ("session", "per-transaction")


def test_a_temporary_name_is_drawn_a_hundred_times_before_giving_up(tmp_path, monkeypatch):
    """Names already taken (another writer's) are skipped; after 100 taken draws it stops, naming the file."""
    import secrets

    from simulator.outputs import _create_temp

    draws: list[int] = []
    monkeypatch.setattr(secrets, "token_hex", lambda n: draws.append(n) or "taken")
    (tmp_path / ".x.csv.taken.partial").write_text("")
    with pytest.raises(FileExistsError, match=r"no free temporary name beside .*x\.csv"):
        _create_temp(tmp_path / "x.csv")
    assert draws == [6] * 100  # 48 random bits a name


@pytest.mark.parametrize("mask", [0o022, 0o002])
def test_a_file_is_created_0666_less_the_process_mask(tmp_path, mask):
    old = os.umask(mask)
    try:
        atomic_write(tmp_path / "a.json", "{}\n")
        write_table(tmp_path / "t.csv", [{"n": 1}], {"n": "int"}, "csv")
    finally:
        os.umask(old)
    assert {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {"a.json": 0o666 & ~mask,
                                                                              "t.csv": 0o666 & ~mask}


def test_a_bad_row_is_named_by_its_table_or_else_by_its_files_stem(tmp_path):
    with pytest.raises(ValueError, match=r"^rows\.n: "):
        TableWriter(tmp_path / "rows.csv", {"n": "int"}).write({"n": "x"})
    with pytest.raises(ValueError, match=r"^sweep\.n: "):
        TableWriter(tmp_path / "other.csv", {"n": "int"}, table="sweep").write({"n": "x"})
