"""A sweep worker killed mid-run: its run is recorded as failed, the others intact, --resume completes it."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
ARGS = ["--grid", "policy.cwm.individual_quota_cny=1000000,3000000", "--grid", "horizon_days=200", "--seeds", "3"]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_killed_worker_is_recorded_then_resumed(tmp_path):
    reference = tmp_path / "reference"
    assert main(["sweep", str(SMALL), *ARGS, "--out", str(reference), "--quiet"]) == 0
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "sweep", str(SMALL), *ARGS, "--out", str(out),
                             "--workers", "2", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = children(proc.pid)
        time.sleep(0.05)
    assert workers, "no worker process appeared"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err  # the sweep itself finishes
    with open(out / "sweep.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6
    failed = [r for r in rows if r["status"] == "failed"]
    assert failed and all("worker process died" in r["error"] for r in failed)
    with open(reference / "sweep.csv", newline="") as fh:
        uninterrupted = {(r["point"], r["seed"]): r for r in csv.DictReader(fh)}
    for row in rows:  # the others intact: each run that finished is the uninterrupted sweep's, column for column
        if row["status"] != "failed":
            assert row == uninterrupted[(row["point"], row["seed"])]
    assert main(["sweep", str(SMALL), *ARGS, "--out", str(out), "--resume", "--quiet"]) == 0
    assert (out / "sweep.csv").read_bytes() == (reference / "sweep.csv").read_bytes()
