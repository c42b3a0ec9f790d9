"""What ages as a run gets older. One long run (W2's world at 5,000 investors over 10 years) is timed by contract
function, by compaction and by the model, separately in its first and its second half, and the change in wall
per transaction from the first half to the second is split into what the same work costs later (ageing) and
what the market does differently later (the mix), as a price index splits inflation from a change in what is
bought:

    wall per transaction x  =  (wall per transaction x at a fixed mix)  *  (mix effect)

- A function's price in a half: its mean time per call with compaction taken out, plus its mean journal frames
  per call times that half's compaction seconds per frame. Compaction (revm_compaction.py) is charged by the
  frames a call leaves in pyrevm's journal, the work a compaction processes, not to whichever call happened to
  trigger it: a batch claim of 40 holders leaves hundreds of frames, an approval a few.
- The model's price: its time per transaction (everything outside contract calls and compaction).
- Wall per transaction x at a fixed mix: the second half's calls and transactions at the second half's prices,
  over the same calls and transactions at the first half's (a Paasche index): how much more the same work costs
  later. This is what ages.
- Mix effect: the rest. Later years do dearer work per transaction (claim renewals, batch claims that grow with
  the holders), which costs more per transaction without anything getting slower.

Both halves come from one process: two runs in two processes differ by up to 10 % on this machine with no
change at all (the same offering subscriptions, at the same age in a 5- and a 10-year run, measured 1.11x).
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
def by_function(split_seconds: float) -> Iterator[tuple[Profile, Profile]]:
    """Time every contract transaction and call by `Contract.function` and count the journal frames it leaves
    (revm backend), in two profiles: calls before `split_seconds` of simulated time and calls after. Compaction
    is timed on its own, taken out of the call it happened in and counted in that call's half."""
    from simulator.evm.backends.revm import RevmBackend
    from simulator.evm.chain import Chain
    from simulator.evm.contract import Contract

    halves = (Profile(), Profile())
    # the first half starts at the first contract call or deploy: building the agents before it is not a
    # transaction's work
    state = {"half": halves[0], "start": 0.0, "flip": 0.0}
    originals = {name: getattr(Contract, name) for name in ("_transact", "_call")}
    deploy, compact = Chain.deploy, RevmBackend.compact

    def measured(chain, key: str, is_tx: bool, call):
        backend = chain.backend
        if not state["start"]:
            state["start"] = time.perf_counter()
        if state["half"] is halves[0] and backend.timestamp - chain.origin_timestamp >= split_seconds:
            state["half"], state["flip"] = halves[1], time.perf_counter()
        profile = state["half"]
        journal, compactions, compacting = backend.evm.journal_len, backend.compactions, profile.compaction
        start = time.perf_counter()
        try:
            return call()
        finally:
            spent = time.perf_counter() - start - (profile.compaction - compacting)
            # a compaction inside the call (before its execution) restarts the count at the base
            frames = backend.evm.journal_len - (journal if backend.compactions == compactions
                                                else backend.compactor.base_frames)
            profile.calls[key] += 1
            profile.spent[key] += spent
            profile.frames[key] += max(0, frames)
            profile.chain += spent
            profile.transactions += is_tx

    def timed(fn, is_tx: bool):
        @functools.wraps(fn)
        def wrapper(self, abi, args, sender):
            key = f"{self.contract_name}.{abi.name}{'' if is_tx else ' (view)'}"
            return measured(self.chain, key, is_tx, lambda: fn(self, abi, args, sender))
        return wrapper

    @functools.wraps(deploy)
    def timed_deploy(self, name, *args, **kwargs):
        return measured(self, f"deploy {name}", True, lambda: deploy(self, name, *args, **kwargs))

    @functools.wraps(compact)
    def timed_compact(self):
        start = time.perf_counter()
        try:
            return compact(self)
        finally:
            state["half"].compaction += time.perf_counter() - start

    Contract._transact = timed(originals["_transact"], True)  # type: ignore[method-assign]
    Contract._call = timed(originals["_call"], False)  # type: ignore[method-assign]
    Chain.deploy = timed_deploy  # type: ignore[method-assign]
    RevmBackend.compact = timed_compact  # type: ignore[method-assign]
    try:
        yield halves
    finally:
        end = time.perf_counter()
        flip = state["flip"] or end
        halves[0].wall, halves[1].wall = flip - (state["start"] or end), end - flip
        for name, fn in originals.items():
            setattr(Contract, name, fn)
        Chain.deploy = deploy  # type: ignore[method-assign]
        RevmBackend.compact = compact  # type: ignore[method-assign]


def profile_run(scenario, compaction: bool = True) -> tuple[Profile, Profile]:
    """The two halves of a run of `scenario` (split at half its horizon)."""
    import simulator.evm.backends.revm as revm_backend
    from simulator.runner import run_scenario

    budget = revm_backend.JOURNAL_BUDGET
    if not compaction:  # a journal budget no run reaches: what the contracts and the model cost on their own
        revm_backend.JOURNAL_BUDGET = 2**62
    try:
        with by_function(scenario.horizon_days * 86_400 / 2) as halves:
            run_scenario(scenario)
    finally:
        revm_backend.JOURNAL_BUDGET = budget
    return halves


def profile_in_child(path: Path, overrides: list[str], compaction: bool = True) -> tuple[Profile, Profile]:
    """`profile_run` in a fresh process (a run after another in one process inherits its heap)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.json"
        args = [sys.executable, __file__, "--child", str(path), str(out), *([] if compaction else ["--no-compaction"])]
        proc = subprocess.run([*args, "--", *overrides], capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-12:])
            raise RuntimeError(f"profiling {path.name} with {overrides} failed:\n{tail}")
        data = json.loads(out.read_text())
    halves = []
    for half in data:
        profile = Profile(**{k: half[k] for k in ("wall", "transactions", "compaction", "chain")})
        for name in ("calls", "spent", "frames"):
            getattr(profile, name).update(half[name])
        halves.append(profile)
    return halves[0], halves[1]


def priced(work: Profile, prices: Profile) -> float:
    """`work`'s calls and transactions at `prices`' prices (a function `prices` never called at its own)."""
    calls = sum(n * (prices.price(k) if prices.calls.get(k) else work.price(k)) for k, n in work.calls.items())
    return calls + work.transactions * prices.model / prices.transactions


def decompose(early: Profile, late: Profile) -> dict[str, float]:
    """The ratios of the module's docstring, and the parts they come from."""
    def per_tx(p: Profile, seconds: float) -> float:
        return seconds / p.transactions

    fixed_mix = priced(late, late) / priced(late, early)
    raw = per_tx(late, late.wall) / per_tx(early, early.wall)
    chain_fixed = late.chain / sum(n * (early.spent[k] / early.calls[k] if early.calls.get(k) else late.spent[k] / n)
                                   for k, n in late.calls.items())
    return {
        "wall per transaction x": raw,
        "wall per transaction x at a fixed mix (what ages)": fixed_mix,
        "mix effect (dearer work per transaction)": raw / fixed_mix,
        "contract calls x at a fixed mix, compaction apart": chain_fixed,
        "compaction per journal frame x": late.per_frame() / early.per_frame() if early.compaction else float("nan"),
        "journal frames per transaction x": per_tx(late, sum(late.frames.values()))
        / per_tx(early, sum(early.frames.values())),
        "compaction per transaction x": per_tx(late, late.compaction) / per_tx(early, early.compaction)
        if early.compaction else float("nan"),
        "model time per transaction x": per_tx(late, late.model) / per_tx(early, early.model),
    }


def table(early: Profile, late: Profile, top: int = 12) -> str:
    """The functions that take the most time in the later half: calls, journal frames per call and price (mean
    time with its share of compaction) in each half."""
    rows = sorted(late.calls, key=lambda k: -late.price(k) * late.calls[k])[:top]
    lines = [f"{'function':<48}{'calls early':>12}{'calls late':>12}{'frames':>8}{'us early':>10}{'us late':>10}"
             f"{'x':>7}"]
    for key in rows:
        before = early.price(key) if early.calls.get(key) else float("nan")
        lines.append(f"{key:<48}{early.calls.get(key, 0):>12,}{late.calls[key]:>12,}"
                     f"{late.frames[key] / late.calls[key]:>8.1f}{before * 1e6:>10.0f}"
                     f"{late.price(key) * 1e6:>10.0f}{late.price(key) / before:>7.2f}")
    return "\n".join(lines)


def main() -> None:
    """python benchmarks/ageing.py [--no-compaction]: W2's world at 5,000 investors over 10 years in a process of
    its own, with the table and the split of the module's docstring (first five years against the last five)."""
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
        halves = profile_run(load_scenario(Path(scenario), args.overrides), compaction=not args.no_compaction)
        Path(out).write_text(json.dumps([{k: getattr(p, k) for k in vars(p)} for p in halves]))
        return
    from run import REFERENCE, scale_overrides

    early, late = profile_in_child(REFERENCE, scale_overrides(0.5, 10), compaction=not args.no_compaction)
    print(table(early, late))
    for label, value in decompose(early, late).items():
        print(f"{label:<72}{value:>8.3f}")


if __name__ == "__main__":
    main()
