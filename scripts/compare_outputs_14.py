"""Issue #14 renamed and typed the output columns without changing a number: this proves it.

    python scripts/record_outputs.py BEFORE      # at the commit before #14 (its column names)
    python scripts/record_outputs.py AFTER       # at #14 or later
    python scripts/compare_outputs_14.py BEFORE AFTER

Every cell of every events.csv, timeseries.csv and summary.csv in BEFORE is mapped to its new column (and unit:
token quantities 10**-18 -> 10**-9 token, exactly) and compared with AFTER. The only differences allowed are
the ones #14 made on purpose, each counted in the report: a not-applicable value written as 0 now an empty
cell; an event without a currency had amount 0, now empty; an off-chain event had no block, now the chain's
latest block (onchain False). Exit 1 on any other difference.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

TOKEN_E9 = 10**9  # base units per 10**-9 token
SUMMARY_RENAMED = {"tokens_outstanding": "tokens_outstanding_e9", "tokens_seized": "tokens_seized_e9",
                   "tokens_frozen_end": "tokens_frozen_end_e9", "tokens_key_lost_end": "tokens_key_lost_end_e9",
                   "disposal_sold_units": "disposal_sold_coins_e8"}
TIMESERIES_RENAMED = {"tokens_outstanding": "tokens_outstanding_e9", "va_sold_units_cum": "va_sold_coins_e8_cum",
                      "fx_USD/CNH": "fx_cnh_per_usd_e8", "fx_USD/CNY": "fx_cny_per_usd_e8",
                      "fx_USD/HKD": "fx_hkd_per_usd_e8"}
SCALED = {"tokens_outstanding", "tokens_seized", "tokens_frozen_end", "tokens_key_lost_end"}
# not applicable, written 0 (or 0.0000) before #14: empty now
NA_WAS_ZERO = {"disposal_mean_impact_bps", "etf_daily_vol_pct", "etf_max_drawdown_pct",
               "value_per_token_at_close_hkd_cents"}
DETAIL_RENAMED = {"cls": "investor_class", "platform": "platform", "channel": "channel", "channels": "channel",
                  "product": "product", "buyer": "buyer", "seller": "seller", "lost_wallet": "counterparty",
                  "receiver": "counterparty", "tokens": "tokens_e9", "quantity": "tokens_e9", "units": "coins_e8",
                  "price_cents": "price_hkd_cents", "price_usd_cents": "price_usd_cents", "impact_bps": "impact_bps",
                  "latency_s": "latency_s", "match": "match_id", "period": "period_yyyymm", "kwh": "energy_kwh",
                  "holders": "holders", "cause": "cause", "rail": "rail"}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def same_number(old: str, new: str) -> bool:
    return old == new or (old != "" and new != "" and float(old) == float(new))


def e9(old: str) -> str:
    whole, rest = divmod(int(old), TOKEN_E9)
    if rest:
        raise ValueError(f"{old} is not a whole number of 10**-9 token")
    return str(whole)


def compare_table(old: list[dict], new: list[dict], renamed: dict[str, str], where: str, allowed: Counter,
                  problems: list[str]) -> int:
    if len(old) != len(new):
        problems.append(f"{where}: {len(old)} rows before, {len(new)} after")
        return 0
    mapped_columns = {renamed.get(c, c) for c in old[0]} - {"wall_seconds"}
    if mapped_columns != set(new[0]) - {"wall_seconds"}:
        problems.append(f"{where}: columns differ: {sorted(mapped_columns ^ set(new[0]))}")
    cells = 0
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        for column, value in a.items():
            target = renamed.get(column, column)
            expected = e9(value) if column in SCALED else value
            cells += 1
            if same_number(expected, b[target]):
                continue
            if b[target] == "" and (column in NA_WAS_ZERO or column.startswith("cash_yield_pct_")) and \
                    float(value) == 0:
                allowed[f"{target}: 0 -> N/A"] += 1
            else:
                problems.append(f"{where} row {i} {column} -> {target}: {value!r} -> {b[target]!r}")
    return cells


def compare_events(old: list[dict], new: list[dict], where: str, allowed: Counter, problems: list[str]) -> int:
    if len(old) != len(new):
        problems.append(f"{where}: {len(old)} rows before, {len(new)} after")
        return 0
    cells, last_block = 0, 0
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        expect = {k: a[k] for k in ("time_s", "day", "actor", "kind", "reason", "currency")}
        expect["amount_minor"] = e9(a["amount"]) if a["currency"] == "RWA" else a["amount"]
        if a["currency"] == "" and a["amount"] == "0" and b["amount_minor"] == "":
            allowed["events.amount: 0 without a currency -> N/A"] += 1
            expect["amount_minor"] = ""
        if a["block"]:
            expect.update(block=a["block"], onchain="True")
        else:  # off-chain: now the latest block, never behind an earlier event's
            allowed["events.block: off-chain, empty -> latest block (onchain False)"] += 1
            expect.update(block=b["block"], onchain="False")
            if int(b["block"]) < last_block:
                problems.append(f"{where} row {i}: off-chain block {b['block']} behind {last_block}")
        last_block = max(last_block, int(b["block"]))
        if a["tx_hash"]:
            problems.append(f"{where} row {i}: a tx_hash before ({a['tx_hash']}): not expected on revm or pyevm")
        rest = {}
        for pair in filter(None, a["detail"].split(";")):
            key, _, value = pair.partition("=")
            if key in DETAIL_RENAMED:
                expect[DETAIL_RENAMED[key]] = e9(value) if key in ("tokens", "quantity") else value
            else:
                rest[key] = value
        expect["detail"] = ";".join(f"{k}={v}" for k, v in sorted(rest.items()))
        for column, value in b.items():
            cells += 1
            if expect.get(column, "") != value:
                problems.append(f"{where} row {i} {column}: expected {expect.get(column, '')!r}, got {value!r}")
    return cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    allowed: Counter = Counter()
    problems: list[str] = []
    cells = 0
    runs = sorted(p.name for p in args.before.iterdir() if p.is_dir())
    if runs != sorted(p.name for p in args.after.iterdir() if p.is_dir()):
        problems.append("the two recordings hold different runs")
    for run in runs:
        old, new = args.before / run, args.after / run
        cells += compare_table(rows(old / "summary.csv"), rows(new / "summary.csv"), SUMMARY_RENAMED,
                               f"{run}/summary", allowed, problems)
        cells += compare_table(rows(old / "timeseries.csv"), rows(new / "timeseries.csv"), TIMESERIES_RENAMED,
                               f"{run}/timeseries", allowed, problems)
        cells += compare_events(rows(old / "events.csv"), rows(new / "events.csv"), f"{run}/events", allowed,
                                problems)
    print(f"{len(runs)} runs, {cells:,} cells compared")
    for what, n in sorted(allowed.items()):
        print(f"  {n:>8,}  {what}")
    for line in problems[:50]:
        print("DIFFERENT:", line)
    print("every other value equal" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
