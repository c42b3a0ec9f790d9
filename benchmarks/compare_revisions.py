"""Wall time of one scenario at two git revisions, measured side by side in one run (alternating, so drift
of the machine hits both alike): the proof that a refactor did not slow the model down.

    python benchmarks/compare_revisions.py BEFORE_REV [AFTER_REV] [--scenario FILE] [--repeats N]

AFTER_REV defaults to the working tree. Each revision is checked out into a temporary git worktree and run
with this venv's interpreter (`python -m simulator run ...` with that tree first on PYTHONPATH); the scenario
file is taken from the working tree, so both revisions run the same input (a refactor), or with
`--own-scenario` from each revision's own tree (a model change, whose schema may differ). Prints each run's
wall time and transactions, the ratio of medians (after / before), and whether both wrote the same events.csv.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def checkout(rev: str | None) -> Iterator[Path]:
    """The tree of `rev` (None: the working tree itself)."""
    if rev is None:
        yield ROOT
        return
    with tempfile.TemporaryDirectory(prefix="rwa-rev-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), rev], check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)


def run_once(tree: Path, scenario: Path, out: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", str(scenario), "--out", str(out), "--quiet"],
                          cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: rwa-sim run {scenario.name} failed: {proc.stderr.strip()}")
    return time.perf_counter() - started


def transactions(out: Path) -> str:
    with (out / "summary.csv").open() as fh:
        header, row = fh.readline().strip().split(","), fh.readline().strip().split(",")
    return dict(zip(header, row, strict=True)).get("tx_count", "?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after", nargs="?")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "reference_10k.toml")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--own-scenario", action="store_true", help="each revision runs its own scenario file")
    args = parser.parse_args()
    scenario = args.scenario.resolve()
    walls: dict[str, list[float]] = {"before": [], "after": []}
    with checkout(args.before) as before, checkout(args.after) as after, \
            tempfile.TemporaryDirectory(prefix="rwa-out-") as outs:
        for i in range(args.repeats):
            for label, tree in (("before", before), ("after", after)):
                path = tree / scenario.relative_to(ROOT) if args.own_scenario else scenario
                wall = run_once(tree, path, Path(outs) / label)
                walls[label].append(wall)
                print(f"{label} run {i + 1}: {wall:.2f} s, {transactions(Path(outs) / label)} transactions", flush=True)
        same = filecmp.cmp(Path(outs) / "before" / "events.csv", Path(outs) / "after" / "events.csv", shallow=False)
    b, a = statistics.median(walls["before"]), statistics.median(walls["after"])
    print(f"{scenario.name}: median wall before {b:.2f} s, after {a:.2f} s, after / before = {a / b:.3f}; "
          f"events.csv identical: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
