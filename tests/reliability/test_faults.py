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
    assert len(proc.stderr.strip().splitlines()) == 1 and not (locked / "o").exists()  # one line, no output


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


@pytest.fixture(scope="module")
def complete_run(tmp_path_factory) -> Path:
    """A run written on a disk with room: what each output file weighs when complete (events.csv more than
    Python's 8 KiB write buffer, so the disk can fill mid-stream or at the last flush)."""
    from simulator.cli import main

    out = tmp_path_factory.mktemp("roomy") / "out"
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", "--set", f"horizon_days={FULL_DISK_DAYS}"]) == 0
    assert (out / "events.csv").stat().st_size > 8192
    return out


FULL_DISK_DAYS = 150
RUN_FILES = ["events.csv", "timeseries.csv", "summary.csv", "manifest.json"]  # the order a run writes them


@pytest.mark.parametrize(("failing", "room"), [("events.csv", 0.5), ("events.csv", 0.99), ("timeseries.csv", 0.5),
                                               ("summary.csv", 0.5), ("manifest.json", 0.5)],
                         ids=["events mid-stream", "events last flush", "timeseries", "summary", "manifest"])
def test_a_full_disk_fails_the_cli_with_one_line_and_no_complete_looking_output(tmp_path, monkeypatch, capsys,
                                                                                complete_run, failing, room):
    """`rwa-sim run` on a disk that fills while `failing` is written (`room`: the share of it that fits):
    exit 1, one line naming the file and the cause, no manifest (nothing claims the run completed), no
    temporary file left, and every file that is there is whole."""
    from simulator.cli import main

    from . import full_disk

    sizes = {name: (complete_run / name).stat().st_size for name in RUN_FILES}
    before = RUN_FILES[: RUN_FILES.index(failing)]
    out = tmp_path / "out"
    disk = full_disk.install(monkeypatch, out, free=sum(sizes[n] for n in before) + int(sizes[failing] * room))
    capsys.readouterr()
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", "--set", f"horizon_days={FULL_DISK_DAYS}"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [f"rwa-sim: error: cannot write {out / failing}: No space left on device"], err
    assert disk.free == 0  # the disk really did fill
    assert not (out / "manifest.json").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # nothing partial, no temporary file
    for name in set(before) & {"events.csv", "timeseries.csv"}:  # deterministic: byte for byte the complete file
        assert (out / name).read_bytes() == (complete_run / name).read_bytes()
    if "summary.csv" in before:
        assert (out / "summary.csv").read_text().count("\n") == 2


def test_outage_and_licence_revocation_mid_offering_lose_and_double_settle_nothing(monkeypatch):
    from collections import Counter

    from simulator.model.config import PlatformConfig, ShockConfig
    from simulator.model.funding import Funding
    from simulator.model.settlement import Settlement
    from simulator.model.world import World
    from simulator.runner import run_scenario
    from simulator.scenario import load_scenario
    from simulator.units import UNITS_PER_CENT

    # what the world moves as refunds (each mirror reconciled against the chain to the unit), what goes home
    # through the closed loop, and every settlement that failed with its on-chain error
    refunds: Counter = Counter()
    homeward: Counter = Counter()
    failures: list[str] = []
    real_move, real_home, real_failed = World.chain_move, Funding.return_northbound, Settlement.failed

    def move(self, src, dst, amount, symbol, memo):
        if memo == "refund":
            refunds[dst] += amount
        real_move(self, src, dst, amount, symbol, memo)

    def home(self, inv, cents, cause):
        if cause == "refund":
            homeward[inv.wallet] += cents
        real_home(self, inv, cents, cause)

    def failed(self, match, seller, reason, **extra):
        failures.append(str(extra.get("error", "")))
        real_failed(self, match, seller, reason, **extra)

    monkeypatch.setattr(World, "chain_move", move)
    monkeypatch.setattr(Funding, "return_northbound", home)
    monkeypatch.setattr(Settlement, "failed", failed)

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
    assert refunds and set(refunds) <= set(subscribed)
    for who in subscribed:  # nobody's subscription is lost: what was not allocated was refunded, to the unit
        assert o.refundableOf(who) == 0
        assert o.subscribed(who) == o.allocatedCash(who) + refunds[who], who
        assert o.refunded(who) == refunds[who]
    assert sum(o.subscribed(who) for who in subscribed) == o.totalRaised() + sum(refunds.values())
    assert world.suite.hkd.balanceOf(o.address) == 0
    southbound = {i.wallet for i in world.investors if i.kind.southbound} & set(refunds)
    assert southbound  # mainland refunds go home through the closed loop, every cent of them
    assert {w: refunds[w] // UNITS_PER_CENT for w in southbound} == {w: homeward[w] for w in southbound}
    assert set(homeward) == southbound
    onboarded_at_alpha = [e["day"] for e in events if e["kind"] == "onboarded" and e["platform"] == "alpha"]
    assert onboarded_at_alpha and max(onboarded_at_alpha) < 45  # revoked: no new clients after day 45
    assert any(e["kind"] == "onboarded" and e["platform"] == "beta" and e["day"] >= 45 for e in events)
    # never double-settled: each settlement is one on-chain DvP of a trade id the contract has not seen
    # (TradeAlreadySettled otherwise), and the world counts exactly the ones the chain made
    settled = [e for e in events if e["kind"] == "trade_settled"]
    assert settled and len(settled) == world.counters.trades == world.suite.dvp.tradeCount()
    assert "TradeAlreadySettled" not in failures
    assert not [e for e in settled if e["actor"] == "alpha" and e["day"] >= 45]
