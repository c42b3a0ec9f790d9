"""What a calibration leaves: each trial's runs and loss, the best trial against every target, the fitted
scenario, the history of the search and the plot of model against data (simulator/calibration.py runs it)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import UserError
from simulator.scenario import apply_overrides
from simulator.targets import Target, measured, relative_error, row_value

if TYPE_CHECKING:
    from simulator.calibration import Calibration

_MIX = "(market_hk_deposit_hkd + market_hk_fund_hkd + market_hk_bond_hkd)"
PANEL_TITLES = {  # plain words for the panels of the published CWM figures; any other measure is titled by name
    "cwm_investors": "mainland investors onboarded (cwm_investors)",
    "cwm_remitted_cny_cum": "southbound remittances since the launch, gross, RMB (cwm_remitted_cny_cum)",
    f"market_hk_deposit_hkd / {_MIX}": "deposits' share of southbound holdings",
    f"market_hk_fund_hkd / {_MIX}": "funds' share of southbound holdings",
    f"market_hk_bond_hkd / {_MIX}": "bonds' share of southbound holdings",
}


@dataclass
class TrialResult:
    number: int
    params: dict[str, Any]
    runs: list[dict]  # one row per seed (simulator.executor.run_task)
    loss: float | None = None  # None: a run failed
    error: str = ""


def model_mean(target: Target, series: list[dict[str, dict]]) -> float:
    """The target's measure averaged over the seeds' timeseries (each by date: `by_date`)."""
    values = [measured(target, rows) for rows in series]
    return sum(values) / len(values)


def by_date(run: dict) -> dict[str, dict]:
    ts = run["timeseries"]
    columns = ts["columns"]
    date = columns.index("date")
    return {row[date]: dict(zip(columns, row, strict=True)) for row in ts["rows"]}


@dataclass
class CalibrationResult:
    calibration: Calibration
    trials: list[TrialResult]
    best: TrialResult
    written: list[Path] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """The best trial against every target."""
        out = []
        series = [by_date(r) for r in self.best.runs]
        for t in self.calibration.targets.targets:
            values = [measured(t, rows) for rows in series]
            mean = sum(values) / len(values)
            out.append({"name": t.name, "use": t.use, "measure": t.measure, "date": t.date.isoformat(),
                        "since": t.since.isoformat() if t.since else "", "data": t.value, "model": mean,
                        "model_min": min(values), "model_max": max(values),
                        "error_pct": 100 * relative_error(mean, t), "weight": t.weight, "source": t.source})
        return out

    def report(self) -> str:
        """The best trial, each target's error, and the files written: what `rwa-sim calibrate` prints."""
        best = self.best
        lines = [f"best: trial {best.number} of {len(self.trials)}, loss {best.loss:.6g}",
                 *(f"  {k} = {v}" for k, v in best.params.items())]
        rows = self.rows()
        width = max(len(r["name"]) for r in rows)
        lines += [f"{r['use']:<7} {r['name']:<{width}}  data {r['data']:>14,.6g}  model {r['model']:>14,.6g}  "
                  f"{r['error_pct']:+7.1f} %" for r in rows]
        lines.append("wrote " + ", ".join(str(p) for p in self.written))
        return "\n".join(lines)

    def targets_csv(self) -> str:
        rows = self.rows()
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _fmt(v) for k, v in row.items()})
        return buf.getvalue()

    def history_csv(self) -> str:
        keys = [f.key for f in self.calibration.factors]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["trial", *keys, "loss", "best_so_far", "error"])
        best = math.inf
        for r in self.trials:
            if r.loss is not None:
                best = min(best, r.loss)
            writer.writerow([r.number, *(_fmt(r.params.get(k)) for k in keys), _fmt(r.loss),
                             _fmt(best if math.isfinite(best) else None), r.error])
        return buf.getvalue()

    def fitted_toml(self) -> str:
        import tomli_w

        c = self.calibration
        data = apply_overrides(c.data, list(self.best.params.items()))
        fitted = ", ".join(f"{k} = {_fmt(v)}" for k, v in self.best.params.items()) or "nothing (evaluated as is)"
        header = (f"# Fitted by rwa-sim calibrate from {c.scenario_path} to {c.targets_path}: trial "
                  f"{self.best.number} of {len(self.trials)}, loss {_fmt(self.best.loss)} over {c.seeds} seed(s).\n"
                  f"# Fitted: {fitted}\n")
        return header + tomli_w.dumps(data)

    def plot(self, path: Path) -> Path:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        targets = self.calibration.targets.targets
        panels: list[tuple[str, tuple[str, ...]]] = []
        for t in targets:
            key = (t.measure, tuple(t.share_of))
            if key not in panels:
                panels.append(key)
        runs = [by_date(r) for r in self.best.runs]
        dates = sorted(runs[0])
        days = [dt.date.fromisoformat(d) - dt.timedelta(days=1) for d in dates]  # a row: the end of the day before
        fig, axes = plt.subplots(len(panels), 1, figsize=(8, 2.6 * len(panels)), squeeze=False)
        for ax, (measure, share_of) in zip(axes[:, 0], panels, strict=True):
            series = [[row_value(run[d], measure, share_of) for d in dates] for run in runs]
            for i, s in enumerate(series):
                ax.plot(days, s, color="tab:blue", alpha=0.35, lw=0.8, label="model, each seed" if i == 0 else None)
            mean = [sum(col) / len(col) for col in zip(*series, strict=True)]
            ax.plot(days, mean, color="tab:blue", lw=1.8, label="model, mean of seeds")
            for t in targets:
                if (t.measure, tuple(t.share_of)) != (measure, share_of):
                    continue
                style = {"marker": "o", "color": "black"} if t.use == "fit" else \
                    {"marker": "D", "color": "tab:red", "markerfacecolor": "none"}
                if t.since is None:
                    ax.plot([t.date], [t.value], ls="none", ms=7, **style)
                else:  # a flow: drawn from the model's level at `since`, rising by the published change
                    start = sum(row_value(run[(t.since + dt.timedelta(days=1)).isoformat()], measure, share_of)
                                for run in runs) / len(runs)
                    ax.plot([t.since, t.date], [start, start + t.value], lw=2, ms=5, **style)
            title = f"{measure} / ({' + '.join(share_of)})" if share_of else measure
            ax.set_title(PANEL_TITLES.get(title, title), fontsize=9)
            ax.grid(alpha=0.3)
        handles = [plt.Line2D([], [], color="tab:blue", lw=1.8, label="model (best trial), mean of seeds"),
                   plt.Line2D([], [], color="black", marker="o", ls="none", label="data: fitted on"),
                   plt.Line2D([], [], color="tab:red", marker="D", markerfacecolor="none", ls="none",
                              label="data: held out")]
        fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        partial = path.with_name(path.name + ".partial")  # never a half-written figure under the real name
        try:
            fig.savefig(partial, format="png", dpi=110, metadata={"Software": None})
            os.replace(partial, path)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        finally:
            plt.close(fig)
            partial.unlink(missing_ok=True)
        return path


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
