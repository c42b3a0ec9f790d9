"""The Compare tab: two or more finished runs side by side (summary metrics as bars and in a table, a daily
measure as lines), and the model case one click away: the scenario under settlement T+5, T+1 and T+0."""

from __future__ import annotations

import solara

from simulator.dashboard import form, results, state
from simulator.dashboard.run_view import SummaryTable, png

METRICS = {  # label (with unit) -> summary column
    "capital raised (HKD)": "capital_raised_hkd",
    "holders at the end": "holders_end",
    "settlement failures": "settlement_failures",
    "secondary volume (HKD)": "secondary_volume_hkd",
    "IRR, all investors (%)": "irr_pct_all",
}
LINES = {  # label (with unit) -> (timeseries column, divisor)
    "holders": ("holders", 1),
    "capital idle (HKD-days, cumulative)": ("capital_idle_hkd_days_cum", 1),
    "settlement failures (cumulative)": ("settlement_failures_cum", 1),
    "secondary volume (HKD, cumulative)": ("volume_hkd_cents_cum", 100),
    "distributions (HKD, cumulative)": ("distributions_hkd_cents_cum", 100),
    "token price (HKD)": ("price_hkd_cents", 100),
}
SETTLEMENT_DAYS = (5, 1, 0)


def start_settlement_variants() -> None:
    """Three runs of the scenario in the form: settlement T+5, T+1 and T+0 (market.settlement_t_plus)."""
    original = state.data.value
    name = form.get(original, ("scenario", "name")) or "scenario"
    for days in SETTLEMENT_DAYS:
        variant = form.put(original, ("market", "settlement_t_plus"), days)
        state.start_run(int(form.get(original, ("scenario", "seed")) or 0), "revm",
                        form.put(variant, ("scenario", "name"), f"{name}-T{days}"))


@solara.component
def CompareTab() -> None:
    _ = state.tick.value
    found = {f.path.name: f for f in results.runs(state.workspace())}
    chosen = solara.use_reactive(list[str]())
    line = solara.use_reactive(next(iter(LINES)))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.SelectMultiple("Runs to compare", values=[n for n in chosen.value if n in found],
                              all_values=list(found), on_value=chosen.set, style={"min-width": "420px"})
        solara.Select("Daily measure", values=list(LINES), value=line, style={"min-width": "320px"})
        solara.Button("Run this scenario at T+5, T+1 and T+0", on_click=start_settlement_variants,
                      disabled=not state.data.value or bool(form.problems(state.data.value)), outlined=True)
    running = [job.name for job in state.jobs.value if job.status == "running"]
    if running:
        solara.Info(f"Running: {', '.join(running)} (progress on the Run tab); they appear here when done.")
    picked = [n for n in chosen.value if n in found]
    if len(picked) < 2:
        solara.Info(f"Pick two or more of the {len(found)} finished run(s) in {state.workspace()}.")
        return
    Comparison(tuple(picked), line.value)


@solara.component
def Comparison(names: tuple[str, ...], line: str) -> None:
    from simulator.report import compare_bars, compare_lines, load_run

    workspace = state.workspace()
    runs = solara.use_memo(lambda: {name: load_run(workspace / name) for name in names}, dependencies=[names])
    column, scale = LINES[line]
    bars = solara.use_memo(lambda: png(compare_bars(runs, METRICS, "summary metrics")), dependencies=[names])
    lines = solara.use_memo(lambda: png(compare_lines(runs, column, scale, line, line)), dependencies=[names, line])
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Image(bars, width="1220px")
        solara.Image(lines, width="620px")
    with solara.Details(summary="Summaries side by side", expand=True):
        SummaryTable({name: run.summary for name, run in runs.items()})
