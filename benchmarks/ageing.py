"""What ages when a run gets longer: the time of each contract function, of compaction and of the model, in
two runs of one world (a short and a long horizon), split into what each call costs and how the mix of calls
shifts.

    wall per transaction x = (per-call cost x, at the long run's mix) * (mix effect) * ...

- per-call cost x: sum over functions of n_long * t_long / sum of n_long * t_short (t a function's mean time,
  backend and compaction included): how much more the same calls cost later, the mix held at the long run's;
- mix effect: the long run's mean time per transaction priced at the short run's per-function costs, over the
  short run's own: how much of the change is the market doing other (dearer or cheaper) work later on.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Profile:
    wall: float = 0.0
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    spent: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    transactions: int = 0
    compaction: float = 0.0
    chain: float = 0.0

    def mean(self, name: str) -> float:
        return self.spent[name] / self.calls[name]


@contextlib.contextmanager
def by_function() -> Iterator[Profile]:
    """Time every contract transaction and call by `Contract.function` (backend and compaction inside), and
    compaction on its own."""
    from simulator.evm.backends.revm import RevmBackend
    from simulator.evm.contract import Contract

    profile = Profile()
    originals = {name: getattr(Contract, name) for name in ("_transact", "_call")}
    compact = RevmBackend.compact

    def timed(fn, is_tx: bool):
        @functools.wraps(fn)
        def wrapper(self, abi, args, sender):
            start = time.perf_counter()
            try:
                return fn(self, abi, args, sender)
            finally:
                spent = time.perf_counter() - start
                key = f"{self.contract_name}.{abi.name}{'' if is_tx else ' (view)'}"
                profile.calls[key] += 1
                profile.spent[key] += spent
                profile.chain += spent
                profile.transactions += is_tx
        return wrapper

    @functools.wraps(compact)
    def timed_compact(self):
        start = time.perf_counter()
        try:
            return compact(self)
        finally:
            profile.compaction += time.perf_counter() - start

    Contract._transact = timed(originals["_transact"], True)  # type: ignore[method-assign]
    Contract._call = timed(originals["_call"], False)  # type: ignore[method-assign]
    RevmBackend.compact = timed_compact  # type: ignore[method-assign]
    try:
        yield profile
    finally:
        for name, fn in originals.items():
            setattr(Contract, name, fn)
        RevmBackend.compact = compact  # type: ignore[method-assign]


def profile_run(scenario) -> Profile:
    from simulator.runner import run_scenario

    with by_function() as profile:
        start = time.perf_counter()
        run_scenario(scenario)
        profile.wall = time.perf_counter() - start
    return profile


def decompose(short: Profile, long: Profile) -> dict[str, float]:
    """The ratios of the module's docstring, and where the time per transaction went in each run."""
    def cost_at(mix: Profile, prices: Profile) -> float:
        return sum(n * (prices.mean(k) if prices.calls.get(k) else mix.mean(k)) for k, n in mix.calls.items())

    per_tx = (long.wall / long.transactions) / (short.wall / short.transactions)
    return {
        "wall per transaction x": per_tx,
        "per-call cost x, at the long run's mix": cost_at(long, long) / cost_at(long, short),
        "mix effect (the long run's calls at the short run's prices)":
            (cost_at(long, short) / long.transactions) / (cost_at(short, short) / short.transactions),
        "chain time per transaction x": (long.chain / long.transactions) / (short.chain / short.transactions),
        "compaction per transaction x": (long.compaction / long.transactions)
        / (short.compaction / short.transactions) if short.compaction else float("nan"),
        "model time per transaction x": ((long.wall - long.chain) / long.transactions)
        / ((short.wall - short.chain) / short.transactions),
    }


def table(short: Profile, long: Profile, top: int = 12) -> str:
    """The functions that take the most time in the long run: calls and mean time in each run."""
    rows = sorted(long.calls, key=lambda k: -long.spent[k])[:top]
    lines = [f"{'function':<48}{'calls short':>12}{'calls long':>12}{'us short':>10}{'us long':>10}{'x':>7}"]
    for key in rows:
        before = short.mean(key) if short.calls.get(key) else float("nan")
        lines.append(f"{key:<48}{short.calls.get(key, 0):>12,}{long.calls[key]:>12,}{before * 1e6:>10.0f}"
                     f"{long.mean(key) * 1e6:>10.0f}{long.mean(key) / before:>7.2f}")
    return "\n".join(lines)
