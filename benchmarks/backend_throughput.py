"""Transfer throughput of each backend, side by side in one run (issue #2, [1/7]). Ratios, not timed tests.

    python benchmarks/backend_throughput.py [--scale 1.0] [--csv benchmarks/results/backend_throughput.csv]

Each row: N settlement-token transfers between two funded accounts through the Chain handle layer
(encode, send, decode events), plus raw pyrevm `message_call` with pre-encoded calldata as the ceiling.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.chain import Chain
from simulator.chain.anvil import AnvilNode
from simulator.outputs import atomic_write, csv_text

BASE_COUNTS = {"revm (pyrevm raw, pre-encoded)": 20_000, "revm": 5_000, "pyevm": 1_000,
               "web3 (eth-tester)": 300, "web3 (anvil HTTP)": 500}


def _setup(chain: Chain):
    admin, alice, bob = chain.new_account(), chain.new_account(), chain.new_account()
    token = chain.deploy("SettlementToken", "HKD Stablecoin", "HKDS", "HKD", 6, admin, sender=admin)
    token.mint(alice, 10**15, sender=admin)
    token.mint(bob, 10**15, sender=admin)
    return token, alice, bob


def bench_handles(chain: Chain, n: int) -> float:
    token, alice, bob = _setup(chain)
    start = time.perf_counter()
    for i in range(n):
        if i % 2:
            token.transfer(alice, 1, sender=bob)
        else:
            token.transfer(bob, 1, sender=alice)
    return n / (time.perf_counter() - start)


def bench_raw_pyrevm(n: int) -> float:
    chain = Chain("revm")
    token, alice, bob = _setup(chain)
    evm = chain.backend.evm
    to_bob = token.abi.function("transfer", (bob, 1)).encode((bob, 1))
    to_alice = token.abi.function("transfer", (alice, 1)).encode((alice, 1))
    address = token.address
    start = time.perf_counter()
    for i in range(n):
        if i % 2:
            evm.message_call(bob, address, to_alice)
        else:
            evm.message_call(alice, address, to_bob)
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every transfer count")
    parser.add_argument("--csv", type=Path, default=Path("benchmarks/results/backend_throughput.csv"))
    args = parser.parse_args()
    counts = {k: max(20, int(v * args.scale)) for k, v in BASE_COUNTS.items()}
    rows = []
    rates = {"revm (pyrevm raw, pre-encoded)": bench_raw_pyrevm(counts["revm (pyrevm raw, pre-encoded)"])}
    rates["revm"] = bench_handles(Chain("revm"), counts["revm"])
    rates["pyevm"] = bench_handles(Chain("pyevm"), counts["pyevm"])
    rates["web3 (eth-tester)"] = bench_handles(Chain("web3"), counts["web3 (eth-tester)"])
    with AnvilNode() as node:
        rates["web3 (anvil HTTP)"] = bench_handles(Chain("web3", rpc_url=node.url), counts["web3 (anvil HTTP)"])
    slowest = min(rates.values())
    print(f"{'backend':<34}{'transfers':>10}{'calls/s':>12}{'x eth-tester':>14}")
    for name, rate in rates.items():
        ratio = rate / rates["web3 (eth-tester)"]
        rows.append({"backend": name, "transfers": counts[name], "calls_per_s": round(rate, 1),
                     "ratio_vs_eth_tester": round(ratio, 2), "ratio_vs_slowest": round(rate / slowest, 2)})
        print(f"{name:<34}{counts[name]:>10}{rate:>12,.0f}{ratio:>14.1f}")
    handle_share = rates["revm"] / rates["revm (pyrevm raw, pre-encoded)"]
    print(f"revm handle layer reaches {handle_share:.0%} of raw pyrevm calls/s")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    atomic_write(args.csv, csv_text(rows))
    print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
