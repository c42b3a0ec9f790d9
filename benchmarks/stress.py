"""Stress (issue #8): 100,000 investors registered and 1,000,000 compliant transfers on revm; peak memory.

    python benchmarks/stress.py [--investors 100000] [--transfers 1000000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.chain import Chain
from simulator.chain.suite import HK, PROFESSIONAL, TOKEN, YEAR, SuiteConfig, deploy_suite


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--investors", type=int, default=100_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    args = parser.parse_args()
    chain = Chain("revm")
    suite = deploy_suite(chain, SuiteConfig(max_balance=10**12 * TOKEN, supply_cap=10**15 * TOKEN,
                                            max_holders=10**7))
    start = time.perf_counter()
    wallets = [chain.new_account() for _ in range(args.investors)]
    until = chain.now + 10 * YEAR
    for k in range(0, args.investors, 100):
        batch = wallets[k:k + 100]
        n = len(batch)
        suite.registry.batchRegisterIdentity(batch, [HK] * n, [PROFESSIONAL] * n, [0] * n, [until] * n,
                                             sender=suite.agent)
        suite.token.batchMint(batch, [1_000 * TOKEN] * n, sender=suite.agent)
    registered = time.perf_counter() - start
    print(f"registered and funded {args.investors:,} investors in {registered:.1f} s; peak {rss_mib():,.0f} MiB",
          flush=True)
    rng = np.random.default_rng(1)
    token = suite.token
    start = time.perf_counter()
    done = 0
    while done < args.transfers:
        pairs = rng.integers(0, args.investors, size=(50_000, 2))
        for a, b in pairs:
            if a == b:
                continue
            token.transfer(wallets[b], TOKEN, sender=wallets[a])
            done += 1
            if done == args.transfers:
                break
        print(f"{done:,} transfers, {done / (time.perf_counter() - start):,.0f}/s, peak {rss_mib():,.0f} MiB, "
              f"{chain.backend.compactions} compactions", flush=True)
    supply = token.totalSupply()
    sample = sum(token.balanceOf(w) for w in wallets[:1000])
    print(f"done: {args.transfers:,} transfers in {time.perf_counter() - start:.0f} s; "
          f"peak memory {rss_mib():,.0f} MiB "
          f"(target < 2048); totalSupply {supply // TOKEN:,} tokens; sample of 1,000 balances {sample // TOKEN:,}")
    return 0 if rss_mib() < 2048 else 1


if __name__ == "__main__":
    sys.exit(main())
