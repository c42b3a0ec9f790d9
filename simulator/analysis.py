"""`rwa-sim analyze`: global sensitivity (SALib's Sobol' and Morris) and scenario discovery (PRIM, from the EMA
Workbench) on a sweep directory.

- `sobol DIR --outcome COL`: first-order and total Sobol' indices with bootstrap confidence intervals, from a
  `--design sobol` sweep (the design in DIR/sweep.json rebuilds the Saltelli estimator's structure);
- `morris DIR --outcome COL`: Morris elementary effects (mu*, sigma) from a `--design morris` sweep, on the unit
  scale of each factor's range (so factors in different units compare);
- `discover DIR --where EXPR`: the boxes of inputs where a condition on the outcomes holds (any design or grid),
  with coverage and density along PRIM's peeling trajectory.

Seeds are replications: the indices are computed on each point's mean over its seeds, and every analysis says
how much of the outcome's variance is noise between seeds (the mean within-point variance over the variance of
all runs). Each writes DIR/analysis/<method>-<name>.csv, .json (what was computed, from what) and .png.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.designs import Design
from simulator.errors import InputError, UserError
from simulator.outputs import atomic_write

ANALYSIS_DIR = "analysis"
# a box's restriction on an input counts when removing it would change the box's density this unlikely by
# chance: the quasi-p-value of Bryant & Lempert (2010), as the EMA Workbench computes it
SIGNIFICANT_QP = 0.05


@dataclass
class SweepData:
    directory: Path
    design: Design | None
    keys: list[str]  # the factors (a design's) or the grid keys
    runs: Any  # pandas DataFrame: the ok runs of sweep.csv / sweep.parquet

    def outcome(self, column: str) -> Any:
        """The outcome of every run as floats; refused by name when it is missing or not applicable somewhere."""
        if column not in self.runs.columns:
            known = [c for c in self.runs.columns if c not in ("point", "seed", "status", "error")]
            raise InputError(f"--outcome {column!r} is not a column of {self.directory}'s sweep (e.g. "
                             f"{', '.join(known[:6])}, ...)")
        values = self.runs[column]
        if values.isna().any():
            points = sorted(set(self.runs.loc[values.isna(), "point"].tolist()))
            raise InputError(f"--outcome {column!r} is not applicable in {int(values.isna().sum())} run(s) (points "
                             f"{', '.join(map(str, points[:8]))}{', ...' if len(points) > 8 else ''}): choose an "
                             "outcome every run has")
        try:
            return values.astype("float64")
        except (TypeError, ValueError):
            raise InputError(f"--outcome {column!r} is not numeric: use `discover --where` for a condition on it"
                             ) from None

    def by_point(self, column: str) -> tuple[np.ndarray, dict[str, float]]:
        """The outcome's mean over seeds for every point of the design, in point order, and the noise between
        seeds (variance within points over the variance of all runs)."""
        y = self.outcome(column)
        frame = self.runs.assign(_y=y)
        groups = frame.groupby("point")["_y"]
        means = groups.mean()
        expected = self.design.size() if self.design is not None else int(frame["point"].max()) + 1
        missing = sorted(set(range(expected)) - set(means.index.tolist()))
        if missing:
            raise UserError(f"{self.directory}: {len(missing)} design point(s) have no finished run (e.g. "
                            f"{', '.join(map(str, missing[:8]))}): complete the sweep with --resume first")
        seeds = int(groups.size().min())
        total = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
        within = float(groups.var(ddof=1).mean()) if seeds > 1 else float("nan")
        noise = {"seeds_per_point": seeds, "runs": len(y), "variance_all_runs": total,
                 "variance_within_points": within,
                 "noise_share": within / total if seeds > 1 and total > 0 else float("nan")}
        return means.sort_index().to_numpy(dtype=float), noise


def load(directory: Path) -> SweepData:
    """A sweep directory's ok runs and its design."""
    import pandas as pd

    from simulator.columns import read

    identity_path = directory / "sweep.json"
    table = next((directory / f"sweep.{ext}" for ext in ("csv", "parquet") if (directory / f"sweep.{ext}").is_file()),
                 None)
    if not identity_path.is_file() or table is None:
        raise InputError(f"{directory} is not a sweep directory (no sweep.json and sweep.csv): run rwa-sim sweep first")
    identity = json.loads(identity_path.read_text())
    design = Design.from_json(identity["design"]) if identity.get("design") else None
    runs = read(table)
    runs = runs[runs["status"] == "ok"].reset_index(drop=True)
    if runs.empty:
        raise UserError(f"{directory}: no finished run to analyse")
    if design is not None:
        keys = design.keys
    else:
        points = identity.get("points") or []
        keys = [k for k, _ in json.loads(points[0])] if points else []
    return SweepData(directory, design, keys, pd.DataFrame(runs))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "condition"


def _write(data: SweepData, name: str, table: Any, meta: dict, figure: Any) -> list[Path]:
    import matplotlib.pyplot as plt

    out = data.directory / ANALYSIS_DIR
    out.mkdir(exist_ok=True)
    csv_path, json_path, png_path = (out / f"{name}.{ext}" for ext in ("csv", "json", "png"))
    atomic_write(csv_path, table.to_csv(index=False, lineterminator="\n"))
    atomic_write(json_path, json.dumps(meta, indent=2, sort_keys=True, default=float) + "\n")
    figure.savefig(png_path, dpi=90, bbox_inches="tight")
    plt.close(figure)
    return [csv_path, json_path, png_path]


def _need_design(data: SweepData, method: str) -> Design:
    if data.design is None or data.design.method != method:
        made = data.design.method if data.design is not None else "a grid"
        raise InputError(f"{data.directory} was swept with {made}: `analyze {method}` needs a sweep made with "
                         f"--design {method}")
    return data.design


def _outcomes(data: SweepData, outcomes: list[str]) -> dict[str, tuple[np.ndarray, dict[str, float]]]:
    """Every outcome's means per point, all checked before anything is written."""
    out = {}
    for outcome in outcomes:
        y, noise = data.by_point(outcome)
        if float(np.var(y)) == 0.0:
            raise InputError(f"--outcome {outcome!r} is the same at every point: it has no variance to apportion")
        out[outcome] = (y, noise)
    return out


def sobol(directory: Path, outcomes: list[str], resamples: int = 1000) -> list[Path]:
    """First-order and total Sobol' indices of each outcome (means over seeds), with 95 % bootstrap intervals."""
    import pandas as pd
    from SALib.analyze import sobol as salib_sobol

    data = load(directory)
    design = _need_design(data, "sobol")
    written = []
    for outcome, (y, noise) in _outcomes(data, outcomes).items():
        result = salib_sobol.analyze(design.problem(), y, calc_second_order=design.second_order,
                                     num_resamples=resamples, conf_level=0.95, seed=design.seed)
        table = pd.DataFrame({"factor": design.keys, "S1": result["S1"], "S1_conf": result["S1_conf"],
                              "ST": result["ST"], "ST_conf": result["ST_conf"]})
        meta = {"method": "sobol", "outcome": outcome, "design": design.to_json(), **noise,
                "estimator": "SALib.analyze.sobol (Saltelli 2010 first order, Jansen total), 95 % bootstrap"}
        written += _write(data, f"sobol-{_slug(outcome)}", table, meta, _bars(table, outcome, noise))
    return written


def morris(directory: Path, outcomes: list[str], resamples: int = 1000) -> list[Path]:
    """Morris mu* and sigma of each outcome (means over seeds), factors on their unit scale."""
    import pandas as pd
    from SALib.analyze import morris as salib_morris

    data = load(directory)
    design = _need_design(data, "morris")
    x = design.unit()
    written = []
    for outcome, (y, noise) in _outcomes(data, outcomes).items():
        result = salib_morris.analyze(design.problem(), x, y, num_resamples=resamples, conf_level=0.95,
                                      num_levels=design.levels, seed=design.seed)
        table = pd.DataFrame({"factor": design.keys, "mu": result["mu"], "mu_star": result["mu_star"],
                              "mu_star_conf": result["mu_star_conf"], "sigma": result["sigma"]})
        meta = {"method": "morris", "outcome": outcome, "design": design.to_json(), **noise,
                "estimator": "SALib.analyze.morris (Campolongo 2007 mu*), factors on the unit scale of their ranges"}
        written += _write(data, f"morris-{_slug(outcome)}", table, meta, _morris_plot(table, outcome))
    return written


def discover(directory: Path, where: str, density: float = 0.8, name: str | None = None) -> list[Path]:
    """PRIM boxes of the inputs where `where` (a pandas query on sweep.csv's columns) holds, run by run."""
    import pandas as pd

    data = load(directory)
    if not data.keys:
        raise InputError(f"{directory}: the sweep varied nothing, so there are no inputs to find boxes in")
    try:
        hit = data.runs.eval(where, engine="python")  # method calls too: col.isna(), col.str.startswith(...)
    except Exception as exc:  # noqa: BLE001 - pandas raises many kinds for a bad expression
        raise InputError(f"--where {where!r}: {type(exc).__name__}: {exc}") from None
    if getattr(hit, "dtype", None) is None or str(hit.dtype) not in ("bool", "boolean"):
        raise InputError(f"--where {where!r} is not a condition (true or false for each run)")
    y = hit.fillna(False).to_numpy(dtype=bool)
    if not y.any() or y.all():
        raise InputError(f"--where {where!r} holds in {int(y.sum())} of {len(y)} runs: PRIM needs runs where it "
                         "holds and runs where it does not")
    try:
        x = data.runs[data.keys].astype("float64")
    except (TypeError, ValueError):
        words = [k for k in data.keys if data.runs[k].dtype.kind not in "biuf"]
        raise InputError(f"discover needs numeric inputs; {', '.join(words)} are not (a grid of words): sweep them "
                         "as numbers, or discover within each value") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional parallel back-ends it does not need
        from ema_workbench.analysis import prim

        box = prim.Prim(x, y, threshold=density).find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["density"] >= density]
    if eligible.empty:  # the workbench then returns the whole space (its "dump box"): no finding to report
        raise UserError(f"no box of the inputs reaches density {density} for {where!r} (it holds in "
                        f"{y.mean():.1%} of the runs): lower --density, or sample more points")
    chosen = int(eligible["coverage"].idxmax())
    limits = box.box_lims[chosen]
    full = box.box_lims[0]
    qp = box.qp[chosen] if chosen < len(box.qp) else {}
    rows = []
    for key in data.keys:
        lo, hi = float(limits[key].iloc[0]), float(limits[key].iloc[1])
        restricted = lo > float(full[key].iloc[0]) or hi < float(full[key].iloc[1])
        # the workbench marks a side that was not peeled with -1 (or NaN): no test there
        qp_low, qp_high = (float(v) if v == v and v >= 0 else None for v in qp.get(key, (-1.0, -1.0)))
        significant = restricted and min(v for v in (qp_low, qp_high, 1.0) if v is not None) < SIGNIFICANT_QP
        rows.append({"factor": key, "low": lo, "high": hi, "restricted": restricted, "qp_low": qp_low,
                     "qp_high": qp_high, "significant": significant,
                     "range_low": float(full[key].iloc[0]), "range_high": float(full[key].iloc[1])})
    table = pd.DataFrame(rows)
    stats = trajectory.loc[chosen]
    meta = {"method": "prim", "where": where, "density_threshold": density, "box": chosen,
            "coverage": float(stats["coverage"]), "density": float(stats["density"]), "mass": float(stats["mass"]),
            "runs": len(y), "cases": int(y.sum()), "base_rate": float(y.mean()),
            "trajectory": trajectory[["coverage", "density", "mass", "res_dim"]].to_dict(orient="list"),
            "implementation": "ema_workbench.analysis.prim (EMA Workbench), peeling alpha 0.05"}
    return _write(data, f"discover-{name or _slug(where)}", table, meta, _tradeoff(trajectory, chosen, where))


def _bars(table: Any, outcome: str, noise: dict) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(table)))
    pos = np.arange(len(table))
    ax.barh(pos - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="first order S1", capsize=3)
    ax.barh(pos + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="total ST", capsize=3)
    ax.set_yticks(pos, table["factor"])
    ax.invert_yaxis()
    ax.set_xlabel("share of the outcome's variance (95 % bootstrap interval)")
    share = noise.get("noise_share")
    extra = "" if share is None or math.isnan(share) else f"; noise between seeds {share:.0%} of run variance"
    ax.set_title(f"Sobol' indices of {outcome}{extra}", fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)
    return fig


def _morris_plot(table: Any, outcome: str) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=3)
    for _, row in table.iterrows():
        ax.annotate(row["factor"], (row["mu_star"], row["sigma"]), fontsize=8, xytext=(4, 4),
                    textcoords="offset points")
    ax.set_xlabel("mu* (mean |elementary effect| over each factor's range)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    ax.set_title(f"Morris screening of {outcome}", fontsize=10)
    ax.grid(alpha=0.3)
    return fig


def _tradeoff(trajectory: Any, chosen: int, where: str) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    points = ax.scatter(trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis")
    fig.colorbar(points, ax=ax, label="restricted dimensions")
    ax.scatter([trajectory.loc[chosen, "coverage"]], [trajectory.loc[chosen, "density"]], s=160, facecolors="none",
               edgecolors="C3", label="box reported")
    ax.set_xlabel("coverage (share of the cases inside the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_title(f"PRIM peeling trajectory: {where}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
