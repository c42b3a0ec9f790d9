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
    import csv

    from simulator.columns import EVENTS
    from simulator.errors import UserError
    from simulator.outputs import TableWriter

    stream = TableWriter(tmp_path / "events.csv", EVENTS)
    stream.fh.close()
    stream.fh = open("/dev/full", "w", buffering=1)  # noqa: SIM115 - the stream owns and closes it; writes fail ENOSPC
    stream.writer = csv.DictWriter(stream.fh, fieldnames=list(EVENTS), lineterminator="\n")
    row = {**dict.fromkeys(EVENTS), "time_s": 0, "day": 0, "actor": "a", "kind": "k", "block": 0, "onchain": False,
           "detail": "x" * 1000}
    with pytest.raises(UserError, match=r"cannot write .*events\.csv: No space left on device"):
        for _ in range(10):
            stream.write(row)
    stream.abort()
    assert not (tmp_path / "events.csv").exists()


def test_outage_and_licence_revocation_mid_offering_lose_and_double_settle_nothing():
    from collections import Counter

    from simulator.model.config import PlatformConfig, ShockConfig
    from simulator.runner import run_scenario
    from simulator.scenario import load_scenario

    base = load_scenario(SMALL, ["horizon_days=400", "issuer.approval_min_days=20", "issuer.approval_bound_days=20",
                                 "offering.duration_days=60"])
    shocks = [ShockConfig(day=35, kind="platform_outage", platform="beta", duration_days=5),
              ShockConfig(day=45, kind="licence_revocation", platform="alpha")]
    scenario = base.model_copy(update={"shocks": shocks,
                                       "platforms": [PlatformConfig(name="alpha", weight=2.0),
                                                     PlatformConfig(name="beta")]})
    result = run_scenario(scenario)
    events, world = result.events, result.world
    assert result.summary["reconciliation_diff_minor"] == 0 and result.summary["offering_outcome"] == "closed"
    subscribed = Counter(e["actor"] for e in events if e["kind"] == "subscribed")
    allocated = Counter(e["actor"] for e in events if e["kind"] == "allocated")
    assert subscribed and set(allocated) <= set(subscribed) and max(allocated.values()) == 1  # each allocated once
    o = world.suite.offering
    for who in subscribed:  # nobody's subscription is lost: what was not allocated was refunded, to the unit
        assert o.refundableOf(who) == 0
        assert o.allocatedCash(who) == o.subscribed(who) or o.refunded(who), who
    assert world.suite.hkd.balanceOf(o.address) == 0
    onboarded_at_alpha = [e["day"] for e in events if e["kind"] == "onboarded" and e["platform"] == "alpha"]
    assert onboarded_at_alpha and max(onboarded_at_alpha) < 45  # revoked: no new clients after day 45
    assert any(e["kind"] == "onboarded" and e["platform"] == "beta" and e["day"] >= 45 for e in events)
    settled = Counter((e["buyer"], e["seller"], e["tokens_e9"], e["price_hkd_cents"], e["latency_s"])
                      for e in events if e["kind"] == "trade_settled")
    assert not [m for m, n in settled.items() if n > 1]  # never double-settled
    assert not [e for e in events if e["kind"] == "trade_settled" and e["actor"] == "alpha" and e["day"] >= 45]
