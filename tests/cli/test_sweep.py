"""`rwa-sim sweep`: grids x seeds on a process pool or a Dask cluster; failures recorded; --resume."""

from __future__ import annotations

import csv
import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
GRID = ["--grid", "policy.cwm.individual_quota_cny=100000,3000000", "--grid", "market.settlement_t_plus=1,5"]
SHORT = ["--grid", "horizon_days=90"]


def rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def pool_sweep(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "pool"
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--workers", "2",
                 "--quiet"]) == 0
    return out / "sweep.csv"


def test_sweep_has_one_row_per_point_and_seed_with_grid_columns(pool_sweep):
    table = rows(pool_sweep)
    assert len(table) == 2 * 2 * 2
    assert [(r["point"], r["seed"]) for r in table] == [(str(p), str(s)) for p in range(4) for s in (3, 4)]
    assert {r["policy.cwm.individual_quota_cny"] for r in table} == {"100000", "3000000"}
    assert {r["market.settlement_t_plus"] for r in table} == {"1", "5"}
    assert all(r["status"] == "ok" and r["reconciliation_diff_minor"] == "0" for r in table)
    assert "wall_seconds" not in table[0]
    tight = [r for r in table if r["policy.cwm.individual_quota_cny"] == "100000"]
    assert all(int(r["cwm_individual_quota_max_used_cny"]) <= 100_000 for r in tight)


def test_one_worker_gives_the_same_csv_as_two(tmp_path, pool_sweep):
    out = tmp_path / "serial"
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--quiet"]) == 0
    assert (out / "sweep.csv").read_bytes() == pool_sweep.read_bytes()
    assert (out / "timeseries.csv").read_bytes() == (pool_sweep.parent / "timeseries.csv").read_bytes()


def test_existing_sweep_needs_resume(tmp_path, capsys, pool_sweep):
    assert main(["sweep", str(SMALL), *SHORT, "--out", str(pool_sweep.parent), "--quiet"]) == 2
    assert "pass --resume" in capsys.readouterr().err


def test_a_failed_run_is_recorded_and_does_not_stop_the_sweep(tmp_path, monkeypatch):
    import simulator.runner as runner

    real = runner.run

    def explode():
        raise RuntimeError("injected failure")

    def flaky(config, seed, backend, **kw):
        if seed == 4:
            explode()  # two frames deep: the error names where it was raised, not a frame on the way
        return real(config, seed, backend, **kw)

    monkeypatch.setattr(runner, "run", flaky)
    out = tmp_path / "flaky"
    assert main(["sweep", str(SMALL), *SHORT, "--seeds", "2", "--out", str(out), "--quiet"]) == 0
    table = rows(out / "sweep.csv")
    assert [r["status"] for r in table] == ["ok", "failed"]
    raised_at = explode.__code__.co_firstlineno + 1
    assert table[1]["error"] == f"RuntimeError: injected failure at test_sweep.py:{raised_at}"
    monkeypatch.setattr(runner, "run", real)
    assert main(["sweep", str(SMALL), *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 0
    assert [r["status"] for r in rows(out / "sweep.csv")] == ["ok", "ok"]  # resume retried the failed run


def test_resume_after_a_kill_gives_the_uninterrupted_csv(tmp_path, pool_sweep):
    out = tmp_path / "killed"
    args = [sys.executable, "-m", "simulator", "sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out),
            "--quiet"]
    proc = subprocess.Popen(args, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list((out / "runs").glob("*.json")))
    assert 2 <= finished < 8, "the kill should land mid-sweep"
    assert not (out / "sweep.csv").exists()
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 0
    assert (out / "sweep.csv").read_bytes() == pool_sweep.read_bytes()
    assert (out / "timeseries.csv").read_bytes() == (pool_sweep.parent / "timeseries.csv").read_bytes()


def test_dask_local_cluster_gives_the_process_pool_csv(tmp_path, pool_sweep, monkeypatch):
    from distributed import LocalCluster

    from simulator import executor

    # one batch per worker (4 runs each), so a Dask task carries several runs
    monkeypatch.setattr(executor, "batches", functools.partial(executor.batches, per_worker=1))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        out = tmp_path / "dask"
        assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out),
                     "--scheduler", cluster.scheduler_address, "--quiet"]) == 0
    assert (out / "sweep.csv").read_bytes() == pool_sweep.read_bytes()


def test_batches_keep_every_task_in_order_and_balance_the_workers():
    from simulator.executor import Task, batches

    todo = [Task(point, 0, ()) for point in range(1_024)]
    cut = batches(todo, 2)
    assert [t for batch in cut for t in batch] == todo
    assert len(cut) == 64 and {len(batch) for batch in cut} == {16}
    assert [len(b) for b in batches(todo[:10], 2)] == [1] * 10  # few runs: one to a task
    assert [len(b) for b in batches(todo[:100], 2, per_worker=8)] == [6] * 16 + [4]
    assert batches([], 2) == []


def test_bad_grid_and_unreachable_scheduler(tmp_path, capsys):
    assert main(["sweep", str(SMALL), "--grid", "policy.cwm.nope=1,2", "--out", str(tmp_path / "a"), "--quiet"]) == 2
    assert "policy.cwm.nope: unknown key" in capsys.readouterr().err
    assert main(["sweep", str(SMALL), "--grid", "horizon_days", "--out", str(tmp_path / "b"), "--quiet"]) == 2
    assert "expected dotted.key=v1,v2" in capsys.readouterr().err
    from simulator.chain.anvil import free_port

    assert main(["sweep", str(SMALL), *SHORT, "--out", str(tmp_path / "c"), "--quiet",
                 "--scheduler", f"tcp://127.0.0.1:{free_port()}"]) == 1
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def _copy_sweep(pool_sweep: Path, target: Path) -> Path:
    import shutil

    shutil.copytree(pool_sweep.parent, target)
    return target


@pytest.mark.parametrize("change", [
    ["--grid", "policy.cwm.individual_quota_cny=200000,3000000", "--grid", "market.settlement_t_plus=1,5", *SHORT],
    [*GRID, "--grid", "horizon_days=91"],
    [*GRID, *SHORT, "--backend", "pyevm"],
], ids=["grid value", "another point", "backend"])
def test_a_resume_into_a_different_sweep_is_refused_not_reused(tmp_path, capsys, pool_sweep, change):
    """--resume reused finished runs by point index and seed only: another grid, scenario or backend got the
    old results with exit 0."""
    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    before = (out / "sweep.csv").read_bytes()
    assert main(["sweep", str(SMALL), *change, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 2
    assert "its runs are not this sweep's" in capsys.readouterr().err
    assert (out / "sweep.csv").read_bytes() == before


def test_a_resume_with_another_scenario_file_is_refused(tmp_path, capsys, pool_sweep):
    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    other = tmp_path / "other.toml"
    other.write_text(SMALL.read_text().replace("count = 25", "count = 26"))  # one more mainland applicant
    assert main(["sweep", str(other), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 2
    assert "holds another sweep (the scenario differs)" in capsys.readouterr().err


def test_a_run_that_does_not_prove_it_belongs_is_run_again(tmp_path, pool_sweep):
    import json

    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    forged = out / "runs" / "p0000-s3.json"
    row = json.loads(forged.read_text())
    row.update(fingerprint="0" * 64, secondary_trades=123456)  # a result made by something else
    row["timeseries"]["rows"][5][row["timeseries"]["columns"].index("trades_cum")] = 999  # and its days
    forged.write_text(json.dumps(row))
    (out / "runs" / "p0001-s4.json").unlink()
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 0
    assert (out / "sweep.csv").read_bytes() == pool_sweep.read_bytes()  # both redone, nothing forged kept
    assert (out / "timeseries.csv").read_bytes() == (pool_sweep.parent / "timeseries.csv").read_bytes()


def test_runs_without_a_sweep_record_are_refused(tmp_path, capsys, pool_sweep):
    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    (out / "sweep.json").unlink()
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 2
    assert "cannot be proved to belong" in capsys.readouterr().err


def test_more_seeds_extend_a_sweep(tmp_path, pool_sweep):
    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "3", "--out", str(out), "--resume", "--quiet"]) == 0
    table = rows(out / "sweep.csv")
    assert len(table) == 12 and all(r["status"] == "ok" for r in table)


def test_sweep_csv_is_the_sweeps_columns_then_summary_csvs_in_its_order(pool_sweep):
    """status and error sat between the grid and the summary, and a grid key that is also a summary column
    (horizon_days) moved that column to the front."""
    from simulator.columns import summary_schema

    with open(pool_sweep, newline="") as fh:
        names = next(csv.reader(fh))
    assert names == ["point", "policy.cwm.individual_quota_cny", "market.settlement_t_plus", "status", "error",
                     *[c for c in summary_schema() if c != "wall_seconds"]]


def test_a_sweep_keeps_every_runs_timeseries(pool_sweep):
    """Only each run's summary row was kept: no run's trajectory could be plotted."""
    from simulator.columns import frame, read, timeseries_schema
    from simulator.runner import run_scenario
    from simulator.scenario import load_scenario

    sweep, days = read(pool_sweep), read(pool_sweep.parent / "timeseries.csv")
    assert list(days.columns[:2]) == ["point", "seed"]
    assert sorted(set(zip(days["point"], days["seed"], strict=True))) == [(p, s) for p in range(4) for s in (3, 4)]
    point = sweep[(sweep["point"] == 3) & (sweep["seed"] == 4)].iloc[0]
    keys = ["policy.cwm.individual_quota_cny", "market.settlement_t_plus"]
    alone = run_scenario(load_scenario(SMALL, ["horizon_days=90", *[f"{k}={point[k]}" for k in keys]]), seed=4)
    mine = days[(days["point"] == 3) & (days["seed"] == 4)].drop(columns=["point", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, frame(alone.timeseries, timeseries_schema()))
    assert len(mine) == 90 and alone.summary["secondary_trades"] == point["secondary_trades"]


def test_a_parquet_sweep_holds_the_csv_sweeps_frames(tmp_path, pool_sweep):
    from simulator.columns import read

    out = tmp_path / "parquet"
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--quiet",
                 "--format", "parquet"]) == 0
    for name in ("sweep", "timeseries"):
        pd.testing.assert_frame_equal(read(out / f"{name}.parquet"), read(pool_sweep.parent / f"{name}.csv"))
    assert not (out / "sweep.csv").exists()


def test_a_resume_runs_only_what_is_not_proved_finished(tmp_path, monkeypatch, pool_sweep):
    """--resume skips a run whose file proves it finished: neither run again nor rewritten. Only the missing
    one runs."""
    import simulator.runner as runner

    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    real, ran = runner.run, []

    def counting(config, seed, backend, **kw):
        ran.append((config.policy.cwm.individual_quota_cny, config.market.settlement_t_plus, seed))
        return real(config, seed, backend, **kw)

    monkeypatch.setattr(runner, "run", counting)
    stamps = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (out / "runs").glob("*.json")}
    assert len(stamps) == 8
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 0
    assert ran == []  # every run was proved finished
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (out / "runs").glob("*.json")} == stamps
    (out / "runs" / "p0002-s4.json").unlink()  # point 2: quota 3,000,000, T+1
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 0
    assert ran == [(3_000_000, 1, 4)]
    assert (out / "sweep.csv").read_bytes() == pool_sweep.read_bytes()


def test_a_resume_redoes_a_torn_or_unreadable_run_file_and_only_it(tmp_path, monkeypatch, capsys, pool_sweep):
    """A run file that cannot be read (torn by a kill, or gone from under its name) is redone; the scan goes on
    past it, so every other finished run is still reused; a quiet sweep writes nothing to stderr."""
    import simulator.runner as runner

    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    runs = out / "runs"
    torn = next(runs.glob("p*-s*.json"))  # the first the resume will look at
    torn.write_text('{"status": "ok", "fing')
    dangling = next(p for p in sorted(runs.glob("p*-s*.json")) if p != torn)
    dangling.unlink()
    dangling.symlink_to(runs / "gone.json")  # reading it: FileNotFoundError
    real, ran = runner.run, []
    monkeypatch.setattr(runner, "run", lambda config, seed, backend, **kw: ran.append(seed) or real(config, seed,
                                                                                                   backend, **kw))
    capsys.readouterr()
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"]) == 0
    assert len(ran) == 2 and capsys.readouterr().err == ""
    assert (out / "sweep.csv").read_bytes() == pool_sweep.read_bytes()


def test_sweep_files_are_sorted_json(pool_sweep):
    import json

    for path in [*sorted((pool_sweep.parent / "runs").glob("*.json")), pool_sweep.parent / "sweep.json"]:
        text = path.read_text()
        assert text == json.dumps(json.loads(text), sort_keys=True, default=str) + "\n", path.name


def test_boolean_grid_values_are_written_as_the_summarys_booleans_are(tmp_path):
    out = tmp_path / "flags"
    assert main(["sweep", str(SMALL), "--grid", "policy.cwm.product_eligible=true,false", *SHORT,
                 "--out", str(out), "--quiet"]) == 0
    assert [r["policy.cwm.product_eligible"] for r in rows(out / "sweep.csv")] == ["True", "False"]  # as summary's
    assert pd.read_csv(out / "sweep.csv")["policy.cwm.product_eligible"].tolist() == [True, False]


def test_an_empty_runs_directory_is_not_a_previous_sweep_and_workers_must_be_positive(tmp_path, capsys):
    out = tmp_path / "empty"
    (out / "runs").mkdir(parents=True)  # a sweep killed before any run finished
    assert main(["sweep", str(SMALL), *SHORT, "--out", str(out), "--quiet"]) == 0
    assert main(["sweep", str(SMALL), *SHORT, "--out", str(tmp_path / "w"), "--workers", "0", "--quiet"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_an_output_directory_that_cannot_be_created_is_one_clear_line(capsys):
    out = "/proc/rwa-sim-sweep"  # no one, root included, can create a directory in /proc
    assert main(["sweep", str(SMALL), *SHORT, "--out", out, "--quiet"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"rwa-sim: error: cannot create output directory {out}/runs: No such file or directory"]


def test_the_python_api_defaults_to_a_fresh_sweep_one_worker_and_no_progress_bar(tmp_path, capsys, pool_sweep):
    from simulator.batch import Sweep
    from simulator.errors import InputError

    with pytest.raises(InputError, match="pass --resume"):
        Sweep(SMALL, [*GRID[1::2], *SHORT[1::2]], 2, pool_sweep.parent)
    sweep = Sweep(SMALL, [SHORT[1]], 1, tmp_path / "api")
    assert sweep.workers == 1 and sweep.progress is False
    capsys.readouterr()
    sweep.run()
    assert capsys.readouterr().err == ""


def test_the_progress_bar_counts_each_run_once_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import tqdm

    from simulator.batch import Sweep

    bars: list[dict] = []

    class Bar:
        def __init__(self, total, **kw):
            bars.append({"total": total, "updates": [], **kw})

        def update(self, n):
            bars[-1]["updates"].append(n)

        def close(self):
            bars[-1]["closed"] = True

    monkeypatch.setattr(tqdm, "tqdm", Bar)
    Sweep(SMALL, [SHORT[1]], 2, tmp_path / "bar", progress=True).run()
    assert bars == [{"total": 2, "updates": [1, 1], "unit": "run", "desc": "sweep", "leave": False, "closed": True}]


def test_a_grid_value_is_written_in_its_columns_type():
    """Numbers of a float column are floats, a whole float in an int column an int, a list or a number in a
    text column its JSON, anything else as it is (booleans stay booleans, a fractional float is never cut)."""
    from simulator.batch import _grid_cell

    assert repr(_grid_cell(3, "float?")) == "3.0" and repr(_grid_cell(2.5, "float?")) == "2.5"
    assert repr(_grid_cell(3.0, "int?")) == "3" and repr(_grid_cell(3, "int?")) == "3"
    assert _grid_cell([1, 2], "str?") == "[1, 2]" and _grid_cell(2.0, "str?") == "2.0"
    assert _grid_cell("a", "str?") == "a"
    assert _grid_cell(True, "bool?") is True and _grid_cell(False, "bool?") is False


def test_a_sweep_assembled_in_another_format_removes_the_first_formats_files(tmp_path, pool_sweep):
    """sweep.csv and timeseries.csv beside a newer sweep.parquet would describe an older state of the sweep."""
    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    assert main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet",
                 "--format", "parquet"]) == 0
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["sweep.json", "sweep.parquet",
                                                                     "timeseries.parquet"]


def test_a_failed_run_between_ok_ones_is_counted_and_the_later_runs_days_are_kept(tmp_path, monkeypatch):
    """timeseries.csv skips a failed run (it has no days) and goes on to the runs after it; the sweep counts
    its runs and its failures (what the CLI reports), none before it has run."""
    import simulator.runner as runner
    from simulator.batch import Sweep

    real = runner.run
    monkeypatch.setattr(runner, "run", lambda config, seed, backend, **kw: (
        1 / 0 if seed == 4 else real(config, seed, backend, **kw)))
    sweep = Sweep(SMALL, [SHORT[1]], 3, tmp_path / "middle")
    assert (sweep.rows_written, sweep.failed) == (0, 0)
    sweep.run()
    assert (sweep.rows_written, sweep.failed) == (3, 1)
    assert [r["status"] for r in rows(tmp_path / "middle" / "sweep.csv")] == ["ok", "failed", "ok"]
    days = pd.read_csv(tmp_path / "middle" / "timeseries.csv")
    assert sorted(set(days["seed"])) == [3, 5] and len(days) == 2 * 90


@pytest.mark.parametrize("table", ["timeseries", "sweep"])
def test_a_stored_run_that_does_not_fit_its_table_fails_the_assembly_and_leaves_no_partial_file(tmp_path, pool_sweep,
                                                                                             table):
    """A run file altered after it was written (its fingerprint covers what made it, not its content): a day
    with a value more than the columns, or a summary value of the wrong type, is refused, never cut to fit, and
    the table being written is removed, not left half-written under a temporary name."""
    import json

    out = _copy_sweep(pool_sweep, tmp_path / "copy")
    path = out / "runs" / "p0001-s4.json"
    row = json.loads(path.read_text())
    if table == "timeseries":
        row["timeseries"]["rows"][5].append(0)
    else:
        row["secondary_trades"] = "many"
    path.write_text(json.dumps(row))
    with pytest.raises(ValueError, match=r"zip|secondary_trades"):
        main(["sweep", str(SMALL), *GRID, *SHORT, "--seeds", "2", "--out", str(out), "--resume", "--quiet"])
    assert [p.name for p in out.iterdir() if p.name.startswith(".") or p.suffix == ".partial"] == []


def test_a_grid_of_ints_and_floats_is_a_float_column(tmp_path):
    """Every run finished, then the assembly failed: `ValueError: sweep.<key>: 1 is not float`, since a grid
    value went into sweep.csv as its run file held it, never in its column's type."""
    from simulator.columns import read

    out = tmp_path / "mixed"
    key = "investors.mainland_gba.buy_interest_per_day"
    assert main(["sweep", str(SMALL), "--grid", f"{key}=0.02,1", "--grid", "horizon_days=30", "--out", str(out),
                 "--quiet"]) == 0
    assert [r[key] for r in rows(out / "sweep.csv")] == ["0.02", "1.0"]
    assert read(out / "sweep.csv")[key].tolist() == [0.02, 1.0]
