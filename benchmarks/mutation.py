"""Mutation testing of the money paths, outside CI: cosmic-ray over each module the README's Guarantees table
names, each mutant run against the focused tests that cover that module (the whole suite takes minutes a run).

    python3 -m venv .venv-mut && .venv-mut/bin/pip install -q -c constraints.txt -e ".[test,mutation]"
    .venv-mut/bin/python benchmarks/mutation.py                      # every target, one after another
    .venv-mut/bin/python benchmarks/mutation.py --only ledger,policy --jobs 2
    .venv-mut/bin/python benchmarks/mutation.py --report             # the tables again, from the sessions

For each target the tracked tree (`git ls-files`) is copied into a scratch directory, so the work tree is never
mutated; `cosmic-ray init` lists the mutants of the module; mutants outside the target's money-path functions,
and of the operators left out (below), are marked skipped before anything runs; the focused tests must pass
on the unmutated copy (their time sets the per-mutant timeout); `cosmic-ray exec` runs the rest, each mutant in
the copy with `-x`. Results go to benchmarks/results/mutation/: a session (sqlite) per target, the survivors with
their diffs (<target>-survivors.txt), and summary.md (killed / total per module). After survivors are triaged
(a test written for each one that is not equivalent), `--recheck` runs the survivors again on the current tree:
the table then shows the kill rate before and after, and the survivors left (argued equivalent). A timeout
counts as killed (cosmic-ray's rule: the tests did not pass). Survivors are triaged in
benchmarks/mutation_equivalent.md.

Operators, reduced to keep a run within about an hour and a half on two shared cores (mutmut's and PIT's
choice): an arithmetic operator is replaced by its one counterpart (+ -, - +, * //, // *, / *, % //), not by every
other (nor by bitwise ones, shifts or powers); a comparison has its boundary shifted (< <=, <= <, > >=, >= >) or
is negated (< >=, <= >, > <=, >= <, == !=, != ==, is / is not); `~` and decorator removal are left
out. The rest of cosmic-ray 8.7.0 is kept: numbers +-1, True/False, and/or, `not` added, break/continue,
exception types in `except`, loops that iterate zero times, unary minus/plus/not.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "mutation"
# Binary operators: each replaced by its one natural counterpart (as mutmut and PIT do), not by every other.
KEPT_BINARY = {"Add_Sub", "Sub_Add", "Mul_FloorDiv", "FloorDiv_Mul", "Div_Mul", "Mod_FloorDiv"}
# Comparisons: the boundary shifted (< to <=, ...) and the condition negated (< to >=, == to !=, ...).
KEPT_COMPARISON = {"Lt_LtE", "Lt_GtE", "LtE_Lt", "LtE_Gt", "Gt_GtE", "Gt_LtE", "GtE_Gt", "GtE_Lt", "Eq_NotEq",
                   "NotEq_Eq", "Is_IsNot", "IsNot_Is"}
EXCLUDED_OPERATORS = [
    r"core/ReplaceBinaryOperator_(?!(" + "|".join(KEPT_BINARY) + r")$)\w+$",
    r"core/ReplaceComparisonOperator_(?!(" + "|".join(KEPT_COMPARISON) + r")$)\w+$",
    r"core/ReplaceUnaryOperator_\w*Invert\w*$",
    r"core/ReplaceUnaryOperator_Delete\w*$",
    r"core/RemoveDecorator$",
]


@dataclass(frozen=True)
class Target:
    module: str
    tests: tuple[str, ...]  # pytest arguments: the focused tests that cover the module
    functions: frozenset[str] | None = None  # the money-path functions mutated (None: every function)


TARGETS = {
    "ledger": Target("simulator/model/ledger.py",
                     ("tests/model/test_ledger.py", "tests/model/test_money_paths.py")),
    "policy": Target("simulator/model/policy.py",
                     ("tests/model/test_policy.py", "tests/model/test_money_paths.py", "tests/model/test_world.py",
                      "-k", "not adding_investors and not disposal and not gas and not runtime_parameters")),
    "settlement": Target("simulator/model/settlement.py",
                         ("tests/model/test_money_paths.py", "tests/model/test_world.py", "tests/reliability/"
                          "test_faults.py", "-k", "money_paths or reconciles or eligible or suspended or closed_loop "
                          "or product_list or quota or outage")),
    "outputs": Target("simulator/outputs.py",
                      ("tests/reliability/test_atomic_outputs.py", "tests/cli/test_outputs.py",
                       "tests/reliability/test_faults.py", "tests/cli/test_run.py", "-k",
                       "(atomic_outputs or test_outputs or unwritable or disk_full or full_disk or four_outputs "
                       "or stream or failed_run) and not umask and not across_backends"),
                      frozenset({"atomic_write", "TableWriter", "__init__", "write", "write_rows", "_flush", "commit",
                                 "abort", "write_table", "write_run", "csv_text", "_create_temp", "_unlink_quietly",
                                 "manifest"})),
    "batch": Target("simulator/batch.py",
                    ("tests/cli/test_sweep.py", "-k", "not dask and not unreachable and not kill"),
                    frozenset({"Sweep", "__init__", "_check_same_sweep", "_done", "_store", "run", "assemble",
                               "fingerprinted", "_stored", "_runs", "sweep_schema",
                               "_write_timeseries", "_grid_cell"})),
}


def scratch_copy(dest: Path) -> None:
    """The tracked files of the work tree (what a clone has), copied into `dest`."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for raw in filter(None, files):
        rel = raw.decode()
        src, dst = ROOT / rel, dest / rel
        if src.is_symlink() or not src.is_file():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def pytest_command(target: Target) -> list[str]:
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *target.tests]


def cosmic_ray(*args: str, cwd: Path, env: dict[str, str]) -> None:
    tool = Path(sys.executable).with_name("cosmic-ray")
    subprocess.run([str(tool), *args], cwd=cwd, env=env, check=True)


def write_config(path: Path, target: Target, timeout: float) -> None:
    import shlex

    command = " ".join(shlex.quote(part) for part in pytest_command(target))
    path.write_text("[cosmic-ray]\n"
                    f"module-path = \"{target.module}\"\n"
                    f"timeout = {timeout:.0f}\n"
                    "excluded-modules = []\n"
                    f"test-command = \"{command}\"\n\n"
                    "[cosmic-ray.distributor]\nname = \"local\"\n")


def skip_outside_money_path(session: Path, target: Target) -> Counter:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    excluded = re.compile("|".join(EXCLUDED_OPERATORS))
    counts: Counter = Counter()
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            mutation = item.mutations[0]
            if excluded.match(mutation.operator_name):
                reason = "operator left out"
            elif target.functions is not None and mutation.definition_name not in target.functions:
                reason = f"outside the money path ({mutation.definition_name})"
            else:
                counts["to run"] += 1
                continue
            counts["skipped"] += 1
            db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=reason))
    return counts


def run_target(name: str, resume: bool) -> str:
    target = TARGETS[name]
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = RESULTS / f"{name}-tree"
    session = RESULTS / f"{name}.sqlite"
    config = RESULTS / f"{name}.toml"
    env = {**os.environ, "PYTHONPATH": str(work), "PYTHONDONTWRITEBYTECODE": "1"}
    if not (resume and session.exists()):
        shutil.rmtree(work, ignore_errors=True)
        scratch_copy(work)
        where = subprocess.run([sys.executable, "-c", "import simulator; print(simulator.__file__)"], cwd=work,
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        if not where.startswith(str(work)):
            raise SystemExit(f"{name}: the copy's simulator is not the one imported ({where})")
        started = time.monotonic()
        baseline = subprocess.run(pytest_command(target), cwd=work, env=env, capture_output=True, text=True)
        took = time.monotonic() - started
        if baseline.returncode != 0:
            raise SystemExit(f"{name}: the focused tests fail without any mutation:\n{baseline.stdout[-3000:]}")
        write_config(config, target, timeout=max(60.0, 4 * took))
        session.unlink(missing_ok=True)
        cosmic_ray("init", str(config), str(session), cwd=work, env=env)
        counts = skip_outside_money_path(session, target)
        print(f"{name}: baseline {took:.0f} s, {counts['to run']} mutants to run ({counts['skipped']} skipped)",
              flush=True)
    cosmic_ray("exec", str(config), str(session), cwd=work, env=env)
    return report(name)


def _outcomes(session: Path) -> tuple[Counter, list]:
    """(counts by outcome, the surviving (work item, result) pairs) of a session."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    counts: Counter = Counter()
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                counts["skipped"] += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                counts["survived"] += 1
                survivors.append((item, result))
            elif result.test_outcome == TestOutcome.KILLED:
                counts["killed"] += 1
            else:
                counts["incompetent"] += 1
        counts["pending"] = len(db.pending_work_items)
    return counts, survivors


def recheck_target(name: str) -> str:
    """Run the survivors of a target's session again, on a fresh copy of the tree (with the tests written since):
    what they kill now is recorded in <target>-recheck.sqlite."""
    from cosmic_ray.work_db import WorkDB, use_db

    work, config = RESULTS / f"{name}-tree", RESULTS / f"{name}.toml"
    _, survivors = _outcomes(RESULTS / f"{name}.sqlite")
    shutil.rmtree(work, ignore_errors=True)
    scratch_copy(work)
    recheck = RESULTS / f"{name}-recheck.sqlite"
    recheck.unlink(missing_ok=True)
    with use_db(str(recheck), WorkDB.Mode.create) as db:
        db.add_work_items(item for item, _ in survivors)
    env = {**os.environ, "PYTHONPATH": str(work), "PYTHONDONTWRITEBYTECODE": "1"}
    cosmic_ray("exec", str(config), str(recheck), cwd=work, env=env)
    return report(name)


def report(name: str) -> str:
    """One row of the summary: the first run's outcome, then what remains after the survivors' recheck."""
    first, survivors = _outcomes(RESULTS / f"{name}.sqlite")
    recheck = RESULTS / f"{name}-recheck.sqlite"
    after, remaining = _outcomes(recheck) if recheck.exists() else (Counter(survived=len(survivors)), survivors)
    (RESULTS / f"{name}-survivors.txt").write_text("\n".join(
        f"### {m.module_path}:{m.start_pos[0]} {m.operator_name} #{m.occurrence} in {m.definition_name}\n"
        f"{result.diff}\n" for item, result in remaining for m in item.mutations[:1]))
    ran = first["killed"] + first["survived"]
    killed_now = first["killed"] + after["killed"]

    def rate(killed: int) -> str:
        return f"{100 * killed / ran:.1f} %" if ran else "-"

    return (f"| {name} | `{TARGETS[name].module}` | {ran} | {first['killed']} ({rate(first['killed'])}) | "
            f"{killed_now} ({rate(killed_now)}) | {after['survived']} | {first['incompetent']} | "
            f"{first['pending'] + after['pending']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(TARGETS), help=f"comma-separated, of {', '.join(TARGETS)}")
    parser.add_argument("--jobs", type=int, default=1, help="targets run at once (each mutant runs alone)")
    parser.add_argument("--resume", action="store_true", help="continue the sessions in benchmarks/results/mutation")
    parser.add_argument("--recheck", action="store_true", help="run the survivors again on the current tree")
    parser.add_argument("--report", action="store_true", help="only print the tables from the sessions")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}: choose from {', '.join(TARGETS)}")
    if args.report:
        rows = [report(n) for n in names]
    elif args.recheck:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            rows = list(pool.map(recheck_target, names))
    else:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            rows = list(pool.map(lambda n: run_target(n, args.resume), names))
    table = ("| target | module | mutants run | killed by the suite | killed after triage | survivors left "
             "(equivalent) | incompetent | pending |\n|---|---|---:|---:|---:|---:|---:|---:|\n"
             + "\n".join(rows) + "\n")
    (RESULTS / "summary.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
