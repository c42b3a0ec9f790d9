"""`rwa-sim run` on the minimal scenario: outputs, reconciliation, determinism across runs and backends."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from simulator.cli import main

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "minimal_transfers.toml"
BACKEND_SPECIFIC = {"wall_seconds", "backend", "gas_used_total"}


def run(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["run", str(SCENARIO), "--out", str(out), *extra]) == 0
    return out


def summary(out: Path) -> dict:
    with open(out / "summary.csv", newline="") as fh:
        return next(csv.DictReader(fh))


def test_run_writes_reconciled_outputs(tmp_path):
    out = run(tmp_path, "a")
    row = summary(out)
    assert row["reconciliation_diff_minor"] == "0"
    assert int(row["transfers_settled"]) + int(row["transfers_refused"]) == 200
    assert int(row["transfers_refused"]) > 0  # the workload's overspends were refused on-chain
    assert int(row["tx_count"]) == 1 + 20 + int(row["transfers_settled"]) + int(row["transfers_refused"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and "SettlementToken.json" in manifest["artifacts"]
    assert not list(out.glob("*.partial"))


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    a, b = run(tmp_path, "a"), run(tmp_path, "b")
    assert (a / "events.csv").read_bytes() == (b / "events.csv").read_bytes()
    c = run(tmp_path, "c", "--seed", "8")
    assert (a / "events.csv").read_bytes() != (c / "events.csv").read_bytes()


def test_revm_and_pyevm_give_identical_outputs(tmp_path):
    a, b = run(tmp_path, "revm", "--backend", "revm"), run(tmp_path, "pyevm", "--backend", "pyevm")
    assert (a / "events.csv").read_bytes() == (b / "events.csv").read_bytes()
    ra, rb = summary(a), summary(b)
    assert {k: v for k, v in ra.items() if k not in BACKEND_SPECIFIC} == {
        k: v for k, v in rb.items() if k not in BACKEND_SPECIFIC
    }


def test_unwritable_out_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", str(SCENARIO), "--out", str(blocker / "sub")]) == 1
    assert "cannot create output directory" in capsys.readouterr().err


def _events_without_hashes(out: Path) -> list[dict]:
    with open(out / "events.csv", newline="") as fh:
        return [{k: v for k, v in row.items() if k != "tx_hash"} for row in csv.DictReader(fh)]


def test_run_over_rpc_on_a_real_anvil_matches_revm(tmp_path):
    from simulator.chain.anvil import AnvilNode

    with AnvilNode() as node:
        rpc = run(tmp_path, "anvil", "--backend", "web3", "--rpc-url", node.url)
    local = run(tmp_path, "revm", "--backend", "revm")
    assert _events_without_hashes(rpc) == _events_without_hashes(local)
    with open(rpc / "events.csv", newline="") as fh:
        hashes = [row["tx_hash"] for row in csv.DictReader(fh) if row["kind"] != "transfer_refused"]
    assert hashes and all(h.startswith("0x") and len(h) == 66 for h in hashes)
    assert json.loads((rpc / "manifest.json").read_text())["backend"] == f"web3 ({node.url})"
