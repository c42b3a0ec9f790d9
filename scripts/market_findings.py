"""The figures the README's CWM market findings quote, from fresh runs of the three market scenarios.

    python scripts/market_findings.py [--seeds 1 2 3 4 5]

Runs `cwm_market` and `cwm_tokens_admitted` (the same investors and seed, the tokens off and on the list) on the
file's seed and each seed given, and `cwm_quota_binds` on the file's seed, and prints: the end mix by class, the
day the aggregate quota first binds, where the tokens' money came from (the fall of each other product's purchases
over the tokens' purchases), the money-market token's share of the token flow, the share settled in CNH, and the
quota in use around the day-540 rise. Every run must reconcile to 0.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.runner import RunResult, run_scenario
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TOKENS = ("solar_token", "ev_charging_token", "green_bond_token", "mmf_token")
TODAY = ("hk_deposit", "hk_fund", "hk_bond")


def _run(name: str, seed: int | None) -> RunResult:
    result = run_scenario(load_scenario(ROOT / "scenarios" / f"{name}.toml"), seed)
    if result.summary["reconciliation_diff_minor"] != 0:
        raise SystemExit(f"{name} seed {seed}: reconciliation failed")
    return result


def _shares(s: dict) -> str:
    return " / ".join(f"{s[f'market_share_{c}_pct']:.1f}" for c in ("deposit", "fund", "bond", "token"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5])
    args = ap.parse_args()
    for seed in [None, *args.seeds]:
        today, tokens = _run("cwm_market", seed).summary, _run("cwm_tokens_admitted", seed).summary
        into = sum(tokens[f"market_{p}_bought_hkd"] for p in TOKENS)
        came = {p: (today[f"market_{p}_bought_hkd"] - tokens[f"market_{p}_bought_hkd"]) / into for p in TODAY}
        print(f"seed {seed or 'file'}: today deposit/fund/bond/token % {_shares(today)}, binds day "
              f"{today['cwm_aggregate_quota_bound_day']}; tokens listed {_shares(tokens)}, binds day "
              f"{tokens['cwm_aggregate_quota_bound_day']}; token money from "
              + ", ".join(f"{p} {v:.0%}" for p, v in came.items()) + f", new {1 - sum(came.values()):.0%}; "
              f"MMF token {tokens['market_mmf_token_bought_hkd'] / into:.0%} of it; CNH-settled "
              f"{tokens['market_cnh_settled_pct']} %; eligibility refusals "
              f"{today['refused_cwm_investor_not_eligible']}; "
              f"held by banks {tokens['market_held_bank_hkd'] / tokens['market_southbound_hkd']:.0%}")
    binds = _run("cwm_quota_binds", None)
    ts = binds.timeseries
    print(f"cwm_quota_binds: binds day {binds.summary['cwm_aggregate_quota_bound_day']}, "
          f"shares {_shares(binds.summary)}, "
          f"RMB bn in use at the end {binds.summary['cwm_aggregate_quota_used_cny'] / 1e9:.1f}")
    for day in (179, 181, 539, 540, 545):
        row = ts[day]
        held = {p: row[f"market_{p}_hkd"] // 10**6 for p in (*TODAY, *TOKENS) if row[f"market_{p}_hkd"]}
        print(f"  day {day}: RMB bn in use {row['cwm_aggregate_quota_used_fen'] / 1e11:.1f}, HK$ m held {held}")


if __name__ == "__main__":
    main()
