"""`rwa-sim run`, `validate`, `schema`, `list` end to end on a small scenario."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.model.classes import CLASS_NAMES as CLASSES

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
REQUIRED = ["scenario", "seed", "backend", "horizon_days", "investors_onboarded", "capital_raised_hkd",
            "offering_fill_days", "offering_outcome", "tokens_outstanding_e9", "holders_end", "distributions_paid_hkd",
            "secondary_trades", "secondary_volume_hkd", "cwm_individual_quota_max_used_cny",
            "cwm_aggregate_quota_used_cny", "settlement_latency_days_mean", "tx_count", "gas_used_chain",
            "gas_used_revm_session", "reconciliation_diff_minor", "wall_seconds"]

BACKEND_SPECIFIC = {"wall_seconds", "backend", "gas_used_chain", "gas_used_revm_session"}


def run_cli(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", *extra]) == 0
    return out


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    return run_cli(tmp_path_factory.mktemp("run"), "a")


def test_run_writes_the_four_outputs_with_required_columns(small_run):
    (summary,) = read_rows(small_run / "summary.csv")
    for col in REQUIRED + [f"investors_by_class_{c}" for c in CLASSES] + [f"cash_yield_pct_{c}" for c in CLASSES]:
        assert col in summary, col
    assert any(k.startswith("refused_") for k in summary)
    assert summary["reconciliation_diff_minor"] == "0" and summary["scenario"] == "small"
    days = read_rows(small_run / "timeseries.csv")
    assert [int(r["day"]) for r in days] == list(range(300))
    events = read_rows(small_run / "events.csv")
    assert {"time_s", "actor", "kind", "reason", "amount_minor", "currency", "block", "onchain"} <= set(events[0])
    assert any(e["kind"] == "trade_settled" and e["onchain"] == "True" for e in events)
    manifest = json.loads((small_run / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["scenario"]["offering"]["hard_cap_hkd"] == 40_000_000
    assert "RWAToken.json" in manifest["artifacts"] and manifest["dependencies"]["pyrevm"] != "not installed"
    assert not list(small_run.glob("*.partial"))


def test_same_seed_same_bytes_other_seed_differs(tmp_path, small_run):
    again = run_cli(tmp_path, "b")
    for name in ("events.csv", "timeseries.csv"):
        assert (again / name).read_bytes() == (small_run / name).read_bytes()
    strip = lambda p: {k: v for k, v in read_rows(p / "summary.csv")[0].items() if k != "wall_seconds"}  # noqa: E731
    assert strip(again) == strip(small_run)
    other = run_cli(tmp_path, "c", "--seed", "4")
    assert (other / "events.csv").read_bytes() != (small_run / "events.csv").read_bytes()


def test_pyevm_gives_the_same_outputs_as_revm(tmp_path):
    a = run_cli(tmp_path, "revm", "--set", "horizon_days=150")
    b = run_cli(tmp_path, "pyevm", "--set", "horizon_days=150", "--backend", "pyevm")
    assert (a / "events.csv").read_bytes() == (b / "events.csv").read_bytes()
    assert (a / "timeseries.csv").read_bytes() == (b / "timeseries.csv").read_bytes()
    sa, sb = read_rows(a / "summary.csv")[0], read_rows(b / "summary.csv")[0]
    assert {k: v for k, v in sa.items() if k not in BACKEND_SPECIFIC} == \
        {k: v for k, v in sb.items() if k not in BACKEND_SPECIFIC}


def test_set_overrides_reach_the_world(tmp_path):
    out = run_cli(tmp_path, "tight", "--set", "policy.cwm.individual_quota_cny=100000", "--set", "horizon_days=120")
    (summary,) = read_rows(out / "summary.csv")
    assert summary["horizon_days"] == "120"
    assert int(summary["cwm_individual_quota_max_used_cny"]) == 100_000  # the quota binds, to the yuan


def test_run_over_a_real_anvil_matches_revm(tmp_path):
    from simulator.chain.anvil import AnvilNode

    with AnvilNode() as node:
        rpc = run_cli(tmp_path, "anvil", "--set", "horizon_days=150", "--backend", "web3", "--rpc-url", node.url)
    local = run_cli(tmp_path, "local", "--set", "horizon_days=150")
    assert (rpc / "events.csv").read_bytes() == (local / "events.csv").read_bytes()  # no backend-only column
    assert (rpc / "timeseries.csv").read_bytes() == (local / "timeseries.csv").read_bytes()
    sa, sb = read_rows(rpc / "summary.csv")[0], read_rows(local / "summary.csv")[0]
    assert {k: v for k, v in sa.items() if k not in BACKEND_SPECIFIC} == \
        {k: v for k, v in sb.items() if k not in BACKEND_SPECIFIC}


def test_validate_schema_and_list(capsys):
    assert main(["validate", str(SMALL)]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False and "scenario" in schema["required"]
    assert main(["list"]) == 0
    assert "solar_gba_baseline" in capsys.readouterr().out


def test_progress_bar_only_on_a_terminal(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", str(SMALL), "--out", str(tmp_path / "o"),
                           "--set", "horizon_days=60"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0 and proc.stderr == ""  # not a TTY: quiet


def test_events_stream_to_disk_and_match_an_in_memory_run(tmp_path):
    from simulator.runner import run_scenario
    from simulator.scenario import load_scenario

    scenario = load_scenario(SMALL, ["horizon_days=150"])
    streamed = run_scenario(scenario, out_dir=tmp_path / "s")
    assert streamed.events == []  # nothing held in memory
    in_memory = run_scenario(scenario)
    rows = read_rows(tmp_path / "s" / "events.csv")
    assert len(rows) == streamed.world.event_count == len(in_memory.events)
    assert rows == [{k: "" if v is None else str(v) for k, v in e.items()} for e in in_memory.events]


def test_a_failed_run_never_leaves_an_older_runs_files_beside_it(tmp_path, monkeypatch):
    """A run interrupted in a directory holding an older run left that run's summary, events and timeseries."""
    import simulator.model.world as world

    out = run_cli(tmp_path, "mixed", "--set", "horizon_days=60")
    assert (out / "summary.csv").exists() and (out / "timeseries.csv").exists()

    def broken(self):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(world.World, "run", broken)
    with pytest.raises(RuntimeError, match="interrupted"):
        main(["run", str(SMALL), "--out", str(out), "--quiet", "--set", "horizon_days=60"])
    assert not [p.name for p in out.iterdir() if not p.name.startswith(".")]  # nothing of either run
