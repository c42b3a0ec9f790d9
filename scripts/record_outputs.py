"""Record the outputs of every scenario, so a refactor can prove it changed nothing.

    python scripts/record_outputs.py OUT_DIR            # record
    diff -r BEFORE_DIR AFTER_DIR                         # byte for byte

For each scenario in scenarios/ (reference_10k shrunk to 1,000 investors over 2 years) it writes, on `revm`,
the file as written (full size) and a small variant, plus every small variant on `pyevm`:
events.csv, timeseries.csv and summary.csv without the wall-time column (the only field that may differ).
The manifest is left out: it holds the wall time and the scenario as resolved, whose schema a refactor may
extend without changing a single output.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from simulator.runner import run_scenario
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
# the size tests/reliability/test_determinism.py runs every scenario at
SMALL = ["horizon_days=240", "investors.hk_professional.count=8", "investors.esg_fund.count=1",
         "investors.hk_retail.count=4", "investors.mainland_gba.count=6", "offering.soft_cap_hkd=1000000",
         "issuer.approval_min_days=10", "issuer.approval_bound_days=20", "offering.duration_days=30",
         "investors.hk_professional.arrival_days=20", "investors.mainland_gba.arrival_days=20"]
REFERENCE_SHRUNK = ["horizon_days=730", "investors.hk_professional.count=300", "investors.mainland_gba.count=500",
                    "investors.hk_retail.count=150", "investors.esg_fund.count=50"]


def _strip_wall_time(out: Path) -> None:
    path = out / "summary.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = [f for f in rows[0] if f != "wall_seconds"]
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (out / "manifest.json").unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", help="one scenario name")
    args = parser.parse_args()
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        name = path.stem
        if args.only and name != args.only:
            continue
        extra = ["disposal.quantity_coins=40"] if name == "seized_asset_disposal" else []
        if name == "regulatory_divergence_shock":
            extra = ["shocks=[]"]  # its shocks (days 700, 760) fall after the small horizon, which refuses them
        if name == "cwm_quota_binds":
            extra = ["shocks.4.day=200"]  # its quota rise (day 540) likewise: moved after the day-180 listing
        if name == "cwm_launch":  # its history (the 2.0 rules on day 860) compressed into the small horizon
            extra = ["shocks.0.day=100", "shocks.1.day=100", "cwm_channels.1.admitted_day=100",
                     "investors.mainland_gba.arrival_profile=[{from_day=0, weight=1.0}, {from_day=10, weight=3.0}]"]
        runs = [("full", "revm", REFERENCE_SHRUNK if name == "reference_10k" else []),
                ("small", "revm", SMALL + extra), ("small", "pyevm", SMALL + extra)]
        for size, backend, overrides in runs:
            out = args.out / f"{name}-{size}-{backend}"
            run_scenario(load_scenario(path, overrides), backend=backend, out_dir=out)
            _strip_wall_time(out)
            print(f"{out}", file=sys.stderr)


if __name__ == "__main__":
    main()
