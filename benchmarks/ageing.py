"""What ages when a run gets longer. Two runs of one world (a short and a long horizon) are timed by contract
function, by compaction and by the model, and the change in wall per transaction is split into what the same
work costs later (ageing) and what the market does differently later (the mix), as a price index splits
inflation from a change in what is bought:

    wall per transaction x  =  (wall per transaction x at a fixed mix)  *  (mix effect)

- A function's price in a run: its mean time per call with compaction taken out, plus its mean journal frames
  per call times that run's compaction seconds per frame. Compaction (revm_compaction.py) is charged by the
  frames a call leaves in pyrevm's journal, the work a compaction processes, not to whichever call happened to
  trigger it: a batch claim of 40 holders leaves hundreds of frames, an approval a few.
- The model's price: its time per transaction (everything outside contract calls and compaction).
- Wall per transaction x at a fixed mix: the long run's calls and transactions priced at the long run's prices,
  over the same calls and transactions priced at the short run's (a Paasche index): how much more the same work
  costs later. It overstates ageing: a frame that is heavier later (a claim renewal loads an identity) counts
  as the same work costing more, and the model's time is priced per transaction though much of it is per
  simulated day. Each part is printed beside it.
- Mix effect: the rest. The long run does dearer work per transaction (more claim renewals and batch claims
  per trade), which costs more per transaction without anything getting slower.
"""

from __future__ import annotations

import contextlib
import functools
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Profile:
    wall: float = 0.0
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    spent: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # compaction taken out
    frames: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # journal frames left by the calls
    transactions: int = 0
    compaction: float = 0.0
    chain: float = 0.0  # contract calls, compaction taken out

    @property
    def model(self) -> float:
        return self.wall - self.chain - self.compaction

    def per_frame(self) -> float:
        """Compaction seconds per journal frame."""
        return self.compaction / max(1, sum(self.frames.values()))

    def price(self, name: str) -> float:
        """A call's mean time, its share of compaction included."""
        return (self.spent[name] + self.frames[name] * self.per_frame()) / self.calls[name]


@contextlib.contextmanager
def by_function() -> Iterator[Profile]:
    """Time every contract transaction and call by `Contract.function` and count the journal frames it leaves
    (revm backend); compaction is timed on its own and taken out of the call it happened in."""
    from simulator.evm.backends.revm import RevmBackend
    from simulator.evm.contract import Contract

    profile = Profile()
    originals = {name: getattr(Contract, name) for name in ("_transact", "_call")}
    compact = RevmBackend.compact

    def timed(fn, is_tx: bool):
        @functools.wraps(fn)
        def wrapper(self, abi, args, sender):
            backend = self.chain.backend
            journal, compactions, compacting = backend.evm.journal_len, backend.compactions, profile.compaction
            start = time.perf_counter()
            try:
                return fn(self, abi, args, sender)
            finally:
                spent = time.perf_counter() - start - (profile.compaction - compacting)
                # a compaction inside the call (before its execution) restarts the count at the base
                frames = backend.evm.journal_len - (journal if backend.compactions == compactions
                                                    else backend.compactor.base_frames)
                key = f"{self.contract_name}.{abi.name}{'' if is_tx else ' (view)'}"
                profile.calls[key] += 1
                profile.spent[key] += spent
                profile.frames[key] += max(0, frames)
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


def profile_run(scenario, compaction: bool = True) -> Profile:
    import simulator.evm.backends.revm as revm_backend
    from simulator.runner import run_scenario

    budget = revm_backend.JOURNAL_BUDGET
    if not compaction:  # a journal budget no run reaches: what the contracts and the model cost on their own
        revm_backend.JOURNAL_BUDGET = 2**62
    try:
        with by_function() as profile:
            start = time.perf_counter()
            run_scenario(scenario)
            profile.wall = time.perf_counter() - start
    finally:
        revm_backend.JOURNAL_BUDGET = budget
    return profile


def profile_in_child(path: Path, overrides: list[str], compaction: bool = True) -> Profile:
    """`profile_run` of a scenario in a fresh process: a run after another in one process inherits its heap (a
    long run after a short one measured 8 % more model time per transaction than in a process of its own)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.json"
        args = [sys.executable, __file__, "--child", str(path), str(out), *([] if compaction else ["--no-compaction"])]
        proc = subprocess.run([*args, "--", *overrides], capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-12:])
            raise RuntimeError(f"profiling {path.name} with {overrides} failed:\n{tail}")
        data = json.loads(out.read_text())
    profile = Profile(**{k: data[k] for k in ("wall", "transactions", "compaction", "chain")})
    for name in ("calls", "spent", "frames"):
        getattr(profile, name).update(data[name])
    return profile


def priced(work: Profile, prices: Profile) -> float:
    """`work`'s calls and transactions at `prices`' prices (a function `prices` never called at its own)."""
    calls = sum(n * (prices.price(k) if prices.calls.get(k) else work.price(k)) for k, n in work.calls.items())
    return calls + work.transactions * prices.model / prices.transactions


def decompose(short: Profile, long: Profile) -> dict[str, float]:
    """The ratios of the module's docstring, and the parts they come from."""
    def per_tx(p: Profile, seconds: float) -> float:
        return seconds / p.transactions

    fixed_mix = priced(long, long) / priced(long, short)
    raw = per_tx(long, long.wall) / per_tx(short, short.wall)
    chain_fixed = long.chain / sum(n * (short.spent[k] / short.calls[k] if short.calls.get(k) else long.spent[k] / n)
                                   for k, n in long.calls.items())
    return {
        "wall per transaction x": raw,
        "wall per transaction x at a fixed mix (what ages)": fixed_mix,
        "mix effect (dearer work per transaction)": raw / fixed_mix,
        "contract calls x at a fixed mix, compaction apart": chain_fixed,
        "compaction per journal frame x": long.per_frame() / short.per_frame() if short.compaction else float("nan"),
        "journal frames per transaction x": per_tx(long, sum(long.frames.values()))
        / per_tx(short, sum(short.frames.values())),
        "compaction per transaction x": per_tx(long, long.compaction) / per_tx(short, short.compaction)
        if short.compaction else float("nan"),
        "model time per transaction x": per_tx(long, long.model) / per_tx(short, short.model),
    }


def table(short: Profile, long: Profile, top: int = 12) -> str:
    """The functions that take the most time in the long run: calls, journal frames per call and price (mean
    time with its share of compaction) in each run."""
    rows = sorted(long.calls, key=lambda k: -long.price(k) * long.calls[k])[:top]
    lines = [f"{'function':<48}{'calls short':>12}{'calls long':>12}{'frames':>8}{'us short':>10}{'us long':>10}"
             f"{'x':>7}"]
    for key in rows:
        before = short.price(key) if short.calls.get(key) else float("nan")
        lines.append(f"{key:<48}{short.calls.get(key, 0):>12,}{long.calls[key]:>12,}"
                     f"{long.frames[key] / long.calls[key]:>8.1f}{before * 1e6:>10.0f}"
                     f"{long.price(key) * 1e6:>10.0f}{long.price(key) / before:>7.2f}")
    return "\n".join(lines)


def main() -> None:
    """python benchmarks/ageing.py [--no-compaction]: W2's two horizons (5,000 investors, 5 and 10 years), each in
    a process of its own, with the table and the split of the module's docstring."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--no-compaction", action="store_true", help="never compact the revm journal")
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("overrides", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if args.child:
        from simulator.scenario import load_scenario

        scenario, out = args.child
        result = profile_run(load_scenario(Path(scenario), args.overrides), compaction=not args.no_compaction)
        Path(out).write_text(json.dumps({k: getattr(result, k) for k in vars(result)}))
        return
    from run import REFERENCE, scale_overrides

    short, long = (profile_in_child(REFERENCE, scale_overrides(0.5, years), compaction=not args.no_compaction)
                   for years in (5, 10))
    print(table(short, long))
    for label, value in decompose(short, long).items():
        print(f"{label:<72}{value:>8.3f}")


if __name__ == "__main__":
    main()
