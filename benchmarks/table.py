"""The README's Benchmarks table from one run's CSV: python benchmarks/table.py [benchmarks/results/bench.csv]."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "results" / "bench.csv"


def figure(value: str) -> str:
    x = float(value)
    if x == int(x) and abs(x) >= 100:
        return f"{int(x):,}"
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def table(path: Path) -> str:
    rows = list(csv.DictReader(path.open()))
    lines = ["| workload | measure | value | target |", "|---|---|---:|---|"]
    for r in rows:
        target = r["target"] and f"{r['target']} {'met' if r['met'] == 'yes' else '**not met**'}"
        lines.append(f"| {r['workload']} | {r['metric'].strip()} | {figure(r['value'])} | {target} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
