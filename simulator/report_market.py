"""Plots of the CWM market (scenarios with [[products]]): the mix over time, the mix by class across runs, and the
aggregate quota against what is in use. Same conventions as simulator.report (DataFrames in, a Figure out)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simulator.model.products import CATALOGUE, PRODUCT_CLASSES
from simulator.report import RunFrames, _fig, _number, _run

LABELS = {"hk_deposit": "HK deposits", "hk_fund": "funds", "hk_bond": "bonds", "solar_token": "solar token",
          "ev_charging_token": "EV-charging token", "green_bond_token": "green-bond token",
          "mmf_token": "MMF token"}
CLASS_LABELS = {"deposit": "deposits", "fund": "funds", "bond": "bonds", "token": "tokenised"}


def _stack(ax: Axes, run: RunFrames) -> None:
    """The market's holdings of each product held at some point, stacked over time (HK$ m)."""
    ts = run.timeseries
    held = {p: ts[f"market_{p}_hkd"].astype(float) / 1e6 for p in CATALOGUE if ts[f"market_{p}_hkd"].any()}
    if held:
        ax.stackplot(ts["day"], *held.values(), labels=[LABELS[p] for p in held], alpha=0.85)
        ax.legend(loc="upper left", fontsize=8)


def product_mix(run: RunFrames, title: str = "CWM southbound holdings by product") -> Figure:
    """What the market's investors hold of each product over time (HK$ m, stacked; per simulated investor, so
    multiply by policy.cwm.agent_weight for the market)."""
    fig, ax = _fig(title)
    _stack(ax, run)
    ax.set_xlabel("day")
    ax.set_ylabel("HK$ m (simulated investors)")
    return fig


def class_shares(runs: dict[str, RunFrames], title: str = "Southbound holdings by class at the end") -> Figure:
    """Each run's end mix by product class (percent of its southbound holdings), as stacked bars."""
    fig, ax = _fig(title, figsize=(8, 1.2 + 0.7 * len(runs)))
    left = [0.0] * len(runs)
    for i, cls in enumerate(PRODUCT_CLASSES):
        values = [_number(r.summary[f"market_share_{cls}_pct"]) for r in runs.values()]
        ax.barh(list(runs), values, left=left, color=f"C{i}", label=CLASS_LABELS[cls])
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("% of southbound holdings")
    ax.set_xlim(0, 100)
    ax.legend(ncols=4, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.08))
    return fig


def quota_and_mix(run: RunFrames) -> Figure:
    """The aggregate quota in force and in use (RMB bn, the whole market), above the mix (HK$ m)."""
    ts = run.timeseries
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    top.plot(ts["day"], ts["cwm_aggregate_quota_used_fen"].astype(float) / 100 / 1e9, label="in use (net)")
    top.plot(ts["day"], ts["cwm_aggregate_quota_fen"].astype(float) / 100 / 1e9, ls="--", color="grey",
             label="aggregate quota")
    bound = run.summary.get("cwm_aggregate_quota_bound_day")
    if bound is not None and not pd.isna(bound):
        top.axvline(float(bound), color="C3", alpha=0.5, label="first binds")
    top.set_ylabel("RMB bn")
    top.set_title("CWM southbound aggregate quota")
    top.grid(alpha=0.3)
    top.legend(fontsize=8)
    _stack(bottom, run)
    bottom.set_ylabel("HK$ m (simulated investors)")
    bottom.set_xlabel("day")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def gallery_tokens_admitted(path: Path) -> Figure:
    """Today's shelf against the tokens admitted: the same investors and seed."""
    runs = {"today's products": _run(path.with_name("cwm_market.toml")), "tokens admitted": _run(path)}
    return class_shares(runs, "Southbound holdings by class at the end: today versus tokens admitted")


GALLERY = {
    "cwm_market": lambda p: product_mix(_run(p)),
    "cwm_tokens_admitted": gallery_tokens_admitted,
    "cwm_quota_binds": lambda p: quota_and_mix(_run(p)),
}
