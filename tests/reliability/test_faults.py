"""Faults: a node killed mid-run, an unwritable or full output location."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.chain.anvil import AnvilNode

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"


def test_anvil_killed_mid_run_is_a_clear_error_and_leaves_no_complete_looking_output(tmp_path):
    out = tmp_path / "out"
    node = AnvilNode().start()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "simulator", "run", str(SMALL), "--backend", "web3",
                                 "--rpc-url", node.url, "--out", str(out), "--quiet"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(out.glob(".events.csv.*.partial")):
            time.sleep(0.05)
        time.sleep(1.0)  # well into the run
        node.process.kill()
        _, err = proc.communicate(timeout=120)
    finally:
        node.stop()
    assert proc.returncode == 1, err
    assert f"RPC node at {node.url}" in err and "Traceback" not in err
    assert not (out / "manifest.json").exists() and not (out / "events.csv").exists()
    assert not (out / "summary.csv").exists() and not list(out.glob("*.partial"))


def test_unwritable_out_is_a_clear_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere on disk; /proc refuses even root
        locked = Path("/proc/rwa-sim-out")
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", str(SMALL), "--out", str(locked / "o"),
                           "--set", "horizon_days=30"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "cannot write" in proc.stderr or "cannot create output directory" in proc.stderr


def test_disk_full_is_a_clear_error(tmp_path):
    if not Path("/dev/full").exists():
        pytest.fail("/dev/full is needed to simulate a full disk")
    from simulator.errors import UserError
    from simulator.outputs import EventStream

    import csv

    from simulator.outputs import EVENT_FIELDS

    stream = EventStream(tmp_path / "events.csv")
    stream.fh.close()
    stream.fh = open("/dev/full", "w", buffering=1)  # every write now fails with ENOSPC
    stream.writer = csv.DictWriter(stream.fh, fieldnames=EVENT_FIELDS, lineterminator="\n")
    with pytest.raises(UserError, match="cannot write .*events.csv: No space left on device"):
        for _ in range(10):
            stream.write({"time_s": 0, "day": 0, "actor": "a", "kind": "k", "reason": "", "amount": 0,
                          "currency": "", "block": "", "tx_hash": "", "detail": "x" * 1000})
    stream.abort()
    assert not (tmp_path / "events.csv").exists()
