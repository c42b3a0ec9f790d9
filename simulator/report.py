"""Plots of runs and sweeps (matplotlib), shared by the notebooks and `rwa-sim gallery`.

Every function takes pandas DataFrames (`load_run(dir)` or `frames(result)`) and returns a Figure, so a
notebook shows it and the gallery saves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # no screen needed; notebooks display the returned figures inline anyway

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simulator import columns
from simulator.model.classes import CLASS_NAMES as CLASSES
from simulator.model.classes import INVESTOR_CLASSES
from simulator.units import COIN, DAY

CLASS_LABELS = {name: c.label for name, c in INVESTOR_CLASSES.items()}


if TYPE_CHECKING:
    from simulator.runner import RunResult


@dataclass
class RunFrames:
    summary: pd.Series
    timeseries: pd.DataFrame
    events: pd.DataFrame


def frames(result: RunResult) -> RunFrames:
    """DataFrames of an in-memory `RunResult`, with the dtypes `load_run` reads the files with."""
    return RunFrames(columns.frame([result.summary], columns.summary_schema()).iloc[0],
                     columns.frame(result.timeseries, columns.timeseries_schema()),
                     columns.frame(result.events, columns.EVENTS))


def load_run(out_dir: Path | str) -> RunFrames:
    """DataFrames of a run written by `rwa-sim run --out DIR` (CSV or Parquet, as the manifest says)."""
    out = Path(out_dir)
    ext = "parquet" if (out / "summary.parquet").exists() else "csv"
    return RunFrames(columns.read(out / f"summary.{ext}").iloc[0], columns.read(out / f"timeseries.{ext}"),
                     columns.read(out / f"events.{ext}"))


def _number(value: object) -> float:
    """A summary value as a float for a bar: not applicable (None, pd.NA) as 0."""
    return 0.0 if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _fig(title: str, figsize: tuple[float, float] = (8, 4)) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return fig, ax


def _plot_subscribed(ax: Axes, run: RunFrames, label: str) -> None:
    """Cumulative subscriptions to the offering (HK$ m) as a step line."""
    ev = run.events[run.events["kind"] == "subscribed"]
    if not ev.empty:
        cum = ev.groupby("day")["amount_minor"].sum().cumsum() / 100 / 1e6
        ax.step(cum.index, cum.values, where="post", label=label)


def fill_curve(run: RunFrames) -> Figure:
    """Cumulative subscriptions of the primary offering against its hard cap."""
    fig, ax = _fig("Offering fill curve")
    _plot_subscribed(ax, run, "subscribed")
    hard_cap = run.summary.get("capital_raised_hkd", 0)
    ax.axhline(_number(hard_cap) / 1e6, color="grey", ls="--", label="raised at close")
    ax.set_xlabel("day")
    ax.set_ylabel("HK$ m")
    ax.legend()
    return fig


def _lines(title: str, lines: dict[str, tuple[pd.Series, pd.Series]], ylabel: str) -> Figure:
    """Series against the day, one line per label (a legend when there is more than one)."""
    fig, ax = _fig(title)
    for label, (days, values) in lines.items():
        ax.plot(days, values, label=label)
    ax.set_xlabel("day")
    ax.set_ylabel(ylabel)
    if len(lines) > 1:
        ax.legend()
    return fig


def _daily(run: RunFrames, title: str, values: pd.Series, ylabel: str) -> Figure:
    """One daily series of the timeseries against the day."""
    return _lines(title, {"": (run.timeseries["day"], values)}, ylabel)


def quota_use(run: RunFrames) -> Figure:
    """CWM southbound aggregate net quota in use over time."""
    return _daily(run, "CWM southbound quota in use (net)",
                  run.timeseries["cwm_aggregate_quota_used_fen"] / 100 / 1e6, "RMB m")


def refusals(run: RunFrames) -> Figure:
    """Refusals by named reason."""
    ev = run.events[run.events["kind"] == "refused"]
    counts = ev["reason"].value_counts().sort_values()
    fig, ax = _fig("Refusals by reason", figsize=(8, max(2.5, 0.4 * len(counts) + 1)))
    ax.barh(counts.index, counts.values)
    ax.set_xlabel("count")
    return fig


def yield_by_class(run: RunFrames) -> Figure:
    """Annualised distribution yield each investor class realised on its capital."""
    labels, values = [], []
    for cls in CLASSES:
        v = _number(run.summary.get(f"cash_yield_pct_{cls}"))  # not applicable: nobody of the class held
        if v > 0:
            labels.append(CLASS_LABELS[cls])
            values.append(v)
    fig, ax = _fig("Realised distribution yield by class")
    ax.bar(labels, values)
    ax.set_ylabel("% a year")
    return fig


def _twin(title: str, days: pd.Series, left: pd.Series, left_ylabel: str, right: pd.Series, right_ylabel: str,
          right_bars: bool = False) -> Figure:
    """Two daily series on their own y axes: a line on the left, a line or bars on the right."""
    fig, ax = _fig(title)
    ax.plot(days, left, color="C0")
    ax.set_ylabel(left_ylabel)
    ax2 = ax.twinx()
    if right_bars:
        ax2.bar(days, right, color="C1", alpha=0.4)
    else:
        ax2.plot(days, right, color="C3", alpha=0.6)
    ax2.set_ylabel(right_ylabel)
    ax.set_xlabel("day")
    return fig


def price_volume(run: RunFrames) -> Figure:
    """Secondary price and daily traded value."""
    ts = run.timeseries
    volume = ts["volume_hkd_cents_cum"].diff().fillna(0) / 100 / 1e6
    return _twin("Secondary market: price and volume", ts["day"], ts["price_hkd_cents"] / 100, "HK$ per token",
                 volume, "HK$ m a day", right_bars=True)


def settlement_latency(run: RunFrames) -> Figure:
    """Distribution of the time from match to on-chain settlement."""
    ev = run.events[run.events["kind"] == "trade_settled"]
    fig, ax = _fig("Settlement latency")
    if not ev.empty:
        days = ev["latency_s"].astype(float) / DAY
        ax.hist(days, bins=30)
    ax.set_xlabel("days from match to settlement")
    ax.set_ylabel("trades")
    return fig


def holders_by_class(run: RunFrames) -> Figure:
    ts = run.timeseries
    held = [c for c in CLASSES if f"holders_{c}" in ts and ts[f"holders_{c}"].max() > 0]
    return _lines("Token holders by class", {CLASS_LABELS[c]: (ts["day"], ts[f"holders_{c}"]) for c in held},
                  "holders")


def distributions(run: RunFrames) -> Figure:
    return _daily(run, "Distributions paid (cumulative)",
                  run.timeseries["distributions_hkd_cents_cum"] / 100 / 1e6, "HK$ m")


def idle_capital(run: RunFrames) -> Figure:
    return _daily(run, "Buyer cash idle between match and settlement (cumulative)",
                  run.timeseries["capital_idle_hkd_days_cum"] / 1e6, "HK$ m x days")


def disposal(run: RunFrames) -> Figure:
    """Seized-coin disposal: coins sold (cumulative) and the market price."""
    ts = run.timeseries
    return _twin("Seized-asset disposal", ts["day"], ts["va_sold_coins_e8_cum"] / COIN, "coins sold",
                 ts["va_price_usd_cents"] / 100, "USD per coin")


def etf_value(run: RunFrames) -> Figure:
    return _daily(run, "Mainland holdings of spot VA ETFs (market value)", run.timeseries["etf_value_hkd"] / 1e6,
                  "HK$ m")


def t_half_width(std: pd.Series, count: pd.Series, level: float = 0.95) -> pd.Series:
    """Half-width of the `level` confidence interval of a mean from `count` seeds: Student's t with count - 1
    degrees of freedom times std / sqrt(count) (1.96, the normal value, is 2-6x too narrow with 2-3 seeds).
    NaN where one seed gives no interval."""
    from scipy.stats import t

    n = count.astype(float)
    df = (n - 1).where(n > 1)
    return pd.Series(t.ppf(0.5 + level / 2, df), index=count.index) * std / np.sqrt(n)


def sweep_surface(sweep: pd.DataFrame, x: str, y: str, hue: str | None = None) -> Figure:
    """Mean of `y` against `x` across seeds, with a 95 % confidence band for the mean (Student's t, n - 1
    degrees of freedom; no band where a point has one seed)."""
    ok = sweep[sweep["status"] == "ok"].copy()
    ok[y] = pd.to_numeric(ok[y]).to_numpy(dtype=float, na_value=np.nan)  # N/A (pd.NA) as NaN: left out
    fig, ax = _fig(f"{y} by {x}\n(mean across seeds, 95 % CI: Student's t)")
    groups = [(None, ok)] if hue is None else list(ok.groupby(hue))
    for key, part in groups:
        stats = part.groupby(x)[y].agg(["mean", "std", "count"]).reset_index().sort_values(x)
        half = t_half_width(stats["std"], stats["count"])
        label = None if key is None else f"{hue} = {key}"
        ax.plot(stats[x], stats["mean"], marker="o", label=label)
        ax.fill_between(stats[x], stats["mean"] - half, stats["mean"] + half, alpha=0.2)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if hue is not None:
        ax.legend()
    return fig


def sweep_trajectories(timeseries: pd.DataFrame, sweep: pd.DataFrame, y: str, hue: str, scale: float = 1.0,
                       ylabel: str | None = None) -> Figure:
    """Every run's daily `y` from a sweep's timeseries, one line per (point, seed), coloured by grid key `hue`."""
    data = timeseries.merge(sweep[["point", "seed", hue]], on=["point", "seed"])
    fig, ax = _fig(f"{y} of every run, by {hue}")
    for i, value in enumerate(sorted(data[hue].unique())):
        runs = data[data[hue] == value].groupby(["point", "seed"])
        for n, (_, part) in enumerate(runs):
            ax.plot(part["day"], part[y].astype(float) / scale, color=f"C{i}", alpha=0.6, lw=1,
                    label=f"{hue} = {value}" if n == 0 else None)
    ax.set_xlabel("day")
    ax.set_ylabel(ylabel or y)
    ax.legend()
    return fig


def _run(path: Path, **overrides: object) -> RunFrames:
    from simulator.runner import run_scenario
    from simulator.scenario import load_scenario

    return frames(run_scenario(load_scenario(path, [f"{k}={v}" for k, v in overrides.items()])))


def compare_bars(runs: dict[str, RunFrames], metrics: dict[str, str], title: str) -> Figure:
    """Side-by-side bars of summary metrics (label -> column) for several runs of one scenario."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.6))
    axes = np.atleast_1d(axes)
    for ax, (label, column) in zip(axes, metrics.items(), strict=True):
        values = [_number(r.summary[column]) for r in runs.values()]
        ax.bar(list(runs), values, color=[f"C{i}" for i in range(len(runs))])
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def compare_lines(runs: dict[str, RunFrames], column: str, scale: float, ylabel: str, title: str) -> Figure:
    return _lines(title, {label: (r.timeseries["day"], r.timeseries[column] / scale) for label, r in runs.items()},
                  ylabel)


def _gallery_settlement(path: Path) -> Figure:
    runs = {f"T+{t}": _run(path, horizon_days=500, **{"market.settlement_t_plus": t}) for t in (5, 1, 0)}
    return compare_bars(runs, {"buyer cash idle (HK$ x days)": "capital_idle_hkd_days",
                               "failed settlements": "settlement_failures",
                               "mean latency (days)": "settlement_latency_days_mean"},
                        "Conventional T+5 versus on-chain DvP")


def _gallery_retail(path: Path) -> Figure:
    runs = {f"retail authorised = {flag}": _run(path, horizon_days=300, **{"policy.retail_authorised": flag,
                                                                            "investors.hk_retail.count": 600})
            for flag in ("false", "true")}
    fig, ax = _fig("Offering fill: professional-only versus retail-authorised")
    for label, r in runs.items():
        _plot_subscribed(ax, r, label)
    ax.set_xlabel("day")
    ax.set_ylabel("HK$ m subscribed")
    ax.legend()
    return fig


def _gallery_ftz(path: Path) -> Figure:
    runs = {"120-day bound, free repatriation": _run(path, horizon_days=900),
            "360-day bound, 90-day delay": _run(path, horizon_days=900, **{"issuer.approval_bound_days": 360,
                                                                           "issuer.approval_min_days": 240,
                                                                           "issuer.repatriation_delay_days": 90})}
    return compare_lines(runs, "distributions_hkd_cents_cum", 100 * 1e6, "HK$ m", "Distributions paid (cumulative)")


def _gallery_legal(path: Path) -> Figure:
    runs = {label: _run(path, **{"legal.onchain_recognition": flag})
            for label, flag in (("recognised", "true"), ("not recognised", "false"))}
    return compare_bars(runs, {"court orders executed": "court_orders_executed",
                               "court orders not enforceable": "court_orders_unenforced",
                               "value stranded (HK$)": "value_stranded_hkd"},
                        "A court order on frozen tokens: recognised register or not")


# The gallery: one headline plot per scenario, at a size that runs in seconds.
GALLERY = {
    "solar_gba_baseline": lambda p: distributions(_run(p, horizon_days=730)),
    "cwm_inclusion": lambda p: quota_use(_run(p, horizon_days=400)),
    "retail_authorisation": _gallery_retail,
    "settlement_t5_vs_dvp": _gallery_settlement,
    "regulatory_divergence_shock": lambda p: price_volume(_run(p)),
    "ftz_opening": _gallery_ftz,
    "seized_asset_disposal": lambda p: disposal(_run(p)),
    "va_etf_cwm": lambda p: etf_value(_run(p, **{"investors.mainland_gba.count": 300})),
    "legal_recognition": _gallery_legal,
}


def gallery(scenario_dir: Path, out_dir: Path) -> list[Path]:
    """Run each scenario (small where it matters) and save its headline plot as PNG."""
    from simulator import report_market  # it builds on this module

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, plot in {**GALLERY, **report_market.GALLERY}.items():
        fig = plot(scenario_dir / f"{name}.toml")
        target = out_dir / f"{name}.png"
        fig.savefig(target, dpi=80, bbox_inches="tight")
        plt.close(fig)
        written.append(target)
    return written
