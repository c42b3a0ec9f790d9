"""The benchmark harness: ratios measured side by side in one run (never timed tests).

    python benchmarks/run.py [--quick] [--csv benchmarks/results/bench.csv]

W1  compliant RWAToken transfers between verified investors (registry + 7 compliance modules + distributor
    hook), events decoded: revm and pyevm backends against raw pyrevm, web3 + eth-tester and web3 + anvil.
W2  the reference scenario (scenarios/reference_10k.toml) on revm, in a child process for its peak memory;
    scaling (doubling investors, doubling years) on proportional miniatures of it (investors, offering caps
    and KYC capacity scaled together); the share of wall time in the EVM, the chain layer and the model.
W3  a 16-run sweep of a small scenario: 1 worker, 2 workers, a 2-worker Dask LocalCluster.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from workloads import w1_handles, w1_raw_pyrevm  # noqa: E402

from simulator.chain import Chain  # noqa: E402
from simulator.chain.anvil import AnvilNode  # noqa: E402
from simulator.outputs import atomic_write, csv_text  # noqa: E402
from simulator.scenario import read_toml  # noqa: E402

SMALL = ROOT / "tests" / "data" / "small.toml"
REFERENCE = ROOT / "scenarios" / "reference_10k.toml"
ROWS: list[dict] = []


def record(workload: str, metric: str, value: float, target: str = "", met: bool | str = "") -> None:
    ROWS.append({"workload": workload, "metric": metric, "value": round(value, 3), "target": target,
                 "met": met if met == "" else ("yes" if met else "NO")})
    flag = "" if met == "" else ("  ok" if met else "  NOT MET")
    print(f"{workload:<4} {metric:<58} {value:>14,.2f}  {target}{flag}", flush=True)


def w1(quick: bool) -> None:
    n = 2_000 if quick else 10_000
    raw = w1_raw_pyrevm(n)
    revm = w1_handles(Chain("revm"), n)
    pyevm = w1_handles(Chain("pyevm"), 100 if quick else 300)
    tester = w1_handles(Chain("web3"), 40 if quick else 100)
    with AnvilNode() as node:
        anvil = w1_handles(Chain("web3", rpc_url=node.url), 100 if quick else 300)
    for name, rate in [("raw pyrevm, pre-encoded", raw), ("revm backend", revm), ("pyevm backend", pyevm),
                       ("web3 + eth-tester", tester), ("web3 + anvil (HTTP)", anvil)]:
        record("W1", f"transfers/s: {name}", rate)
    record("W1", "revm / raw pyrevm", revm / raw, ">= 0.50", revm / raw >= 0.5)
    record("W1", "revm / web3 + eth-tester", revm / tester, ">= 100", revm / tester >= 100)
    record("W1", "revm / web3 + anvil", revm / anvil, ">= 30", revm / anvil >= 30)
    record("W1", "pyevm / web3 + eth-tester", pyevm / tester, ">= 20", pyevm / tester >= 20)


CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from simulator.runner import run_scenario
from simulator.scenario import load_scenario
scenario = load_scenario({path!r}, {overrides!r})
t = time.perf_counter()
result = run_scenario(scenario, out_dir={out!r})
print(json.dumps({{"wall": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "tx": result.summary["tx_count"], "recon": result.summary["reconciliation_diff_minor"]}}))
"""


def run_child(path: Path, overrides: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        code = CHILD.format(root=str(ROOT), path=str(path), overrides=overrides, out=out + "/run")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])


def scale_overrides(factor_investors: float, years: int) -> list[str]:
    """The reference world scaled: investors, the offering's caps and the platforms' KYC capacity all by the
    same factor, so a smaller world is a proportional miniature (the same fill date, the same trading per
    investor), not a different economy (with the caps fixed, doubling investors fills the offering months
    earlier and trading starts sooner). The figures scaled are read from the reference file."""
    ref = read_toml(REFERENCE)
    return [f"investors.{k}.count={int(v['count'] * factor_investors)}" for k, v in ref["investors"].items()] + [
        *(f"offering.{cap}={int(ref['offering'][cap] * factor_investors)}" for cap in ("hard_cap_hkd", "soft_cap_hkd")),
        *(f"platforms.{i}.kyc_capacity_per_day={max(1, int(p['kyc_capacity_per_day'] * factor_investors))}"
          for i, p in enumerate(ref["platforms"])),
        f"horizon_days={365 * years}"]


def w2(quick: bool) -> None:
    # Scaling is measured around the reference itself: its half (5,000 investors, 5 years) against the
    # reference (investors doubled) and against the half over 10 years (years doubled). Smaller bases
    # exaggerate a market effect: in a thin book more bidders meet more sellers, so trades grow faster
    # than investors until the book is thick (2,500 -> 5,000: 2.2x the transactions; 5,000 -> 10,000: 1.8x).
    base_factor, base_years = (0.05, 1) if quick else (0.5, 5)
    base = run_child(REFERENCE, scale_overrides(base_factor, base_years))
    if quick:
        more = run_child(REFERENCE, scale_overrides(2 * base_factor, base_years))
    else:
        more = run_child(REFERENCE, [])  # the reference: scale_overrides(1.0, 5) leaves it as written
        record("W2", "reference_10k: wall seconds", more["wall"])
        record("W2", "reference_10k: transactions", more["tx"])
        record("W2", "reference_10k: peak memory (MiB)", more["rss_mb"], "< 1024", more["rss_mb"] < 1024)
        record("W2", "reference_10k: reconciliation diff", more["recon"], "== 0", more["recon"] == 0)
    longer = run_child(REFERENCE, scale_overrides(base_factor, 2 * base_years))
    for label, run in ((f"investors double ({int(10000 * base_factor):,} -> {int(20000 * base_factor):,})", more),
                       (f"years double ({base_years} -> {2 * base_years})", longer)):
        ratio = run["wall"] / base["wall"]
        record("W2", f"wall x when {label}", ratio, "<= 2.2", ratio <= 2.2)
        record("W2", f"  transactions x (the work the market does) when {label}", run["tx"] / base["tx"])
        per_tx = (run["wall"] / run["tx"]) / (base["wall"] / base["tx"])
        record("W2", f"  wall per transaction x when {label} (information: the mix of transactions shifts)", per_tx)
    # where the time goes, at the base size: timers on the chain layer's entry points (a profiler would
    # charge its per-call overhead mostly to the model, which makes many more Python calls per second)
    from simulator.runner import run_scenario
    from simulator.scenario import load_scenario

    scenario = load_scenario(REFERENCE, scale_overrides(base_factor, base_years))
    with layer_timers() as spent:
        start = time.perf_counter()
        run_scenario(scenario)
        wall = time.perf_counter() - start
    record("W2", "share of wall time inside the EVM backend (pyrevm calls)", spent["backend"] / wall)
    record("W2", "share in the chain layer (EVM + ABI + handles + accounts)", spent["chain"] / wall)
    record("W2", "share in the world model", 1 - spent["chain"] / wall, "< 0.5", 1 - spent["chain"] / wall < 0.5)


@contextlib.contextmanager
def layer_timers():
    """Accumulate wall time spent in the chain layer's entry points and, within them, in the backend.
    The entry points never nest (a handle call does not call another handle), so nothing counts twice."""
    from simulator.evm.backends.revm import RevmBackend
    from simulator.evm.chain import Chain as ChainClass
    from simulator.evm.contract import Contract

    spent = {"chain": 0.0, "backend": 0.0}
    patched = [(Contract, n, "chain") for n in ("_transact", "_call")] + \
        [(ChainClass, n, "chain") for n in ("deploy", "advance_to", "new_account")] + \
        [(RevmBackend, n, "backend") for n in ("transact", "call", "deploy", "_mine_empty_block")]
    originals = [(cls, name, getattr(cls, name)) for cls, name, _ in patched]

    def timed(fn, bucket):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[bucket] += time.perf_counter() - t
        return wrapper

    for (cls, name, bucket), (_, _, fn) in zip(patched, originals, strict=True):
        setattr(cls, name, timed(fn, bucket))
    try:
        yield spent
    finally:
        for cls, name, fn in originals:
            setattr(cls, name, fn)


def w3(quick: bool) -> None:
    from distributed import LocalCluster

    from simulator.batch import Sweep

    grids = ["policy.cwm.individual_quota_cny=500000,1000000,2000000,3000000", "market.settlement_t_plus=0,1",
             f"horizon_days={300 if quick else 1825}", f"investors.hk_professional.count={60 if quick else 300}"]

    def timed(**kw) -> float:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            Sweep(SMALL, grids, 2, Path(out) / "s", **kw).run()
            return time.perf_counter() - start

    one = timed(workers=1)
    two = timed(workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        timed(scheduler=cluster.scheduler_address)  # a standing cluster is warm: one sweep first, untimed
        dask = timed(scheduler=cluster.scheduler_address)
    record("W3", "16 runs: 1 worker (s)", one)
    record("W3", "16 runs: 2 workers (s)", two)
    record("W3", "16 runs: Dask LocalCluster, 2 workers (s)", dask)
    record("W3", "speed-up 2 workers / 1 worker", one / two, ">= 1.7", one / two >= 1.7)
    record("W3", "Dask / process pool", dask / two, "<= 1.15", dask / two <= 1.15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not the reported figures)")
    parser.add_argument("--only", choices=["W1", "W2", "W3"], action="append")
    parser.add_argument("--csv", type=Path, default=ROOT / "benchmarks" / "results" / "bench.csv")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}  {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}  (python benchmarks/run.py{' --quick' if args.quick else ''})")
    for name, fn in (("W1", w1), ("W2", w2), ("W3", w3)):
        if not args.only or name in args.only:
            fn(args.quick)
    atomic_write(args.csv, csv_text(ROWS))
    print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
