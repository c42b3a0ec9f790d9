"""The Run tab: start the scenario in a worker process, follow its progress and cancel it; a finished run shows
its summary, the report's plots and its files to download."""

from __future__ import annotations

import io
import time
from pathlib import Path

import solara

from simulator.dashboard import form, state
from simulator.dashboard.jobs import RunJob, parse_seed
from simulator.dashboard.scenario_view import scenario_name

POLL_SECONDS = 0.3


def png(figure: object) -> bytes:
    """A matplotlib figure as PNG bytes; the figure is closed (a long session keeps no figures)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[arg-type]
    return buffer.getvalue()


@solara.component
def RunControls() -> None:
    seed_default = form.get(state.data.value, ("scenario", "seed"))
    seed = solara.use_reactive(str(seed_default if isinstance(seed_default, int) else 0))
    backend = solara.use_reactive("revm")
    error = solara.use_reactive("")
    problems = form.problems(state.data.value) if state.data.value else {"": "no scenario"}
    runnable = not problems and not state.drafts.value

    def start() -> None:
        from simulator.errors import UserError

        try:
            state.start_run(parse_seed(seed.value), backend.value)
        except (ValueError, UserError) as exc:  # a bad seed; a scenario changed under the button
            error.set(str(exc))
            return
        error.set("")

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText("Seed", value=seed, message="every random stream derives from it", hide_details=False,
                         style={"max-width": "220px"})
        solara.Select("EVM backend", values=["revm", "pyevm", "web3"], value=backend, style={"max-width": "220px"})
        solara.Button(f"Run {scenario_name()}", on_click=start, disabled=not runnable, color="primary")
    if not runnable and state.data.value:
        solara.Warning("Fix the scenario's problems (Scenario tab) before running it.")
    if error.value:
        solara.Error(error.value)


@solara.component
def Progress(job: RunJob) -> None:
    """A running job's bar, redrawn while it runs (a poll of its day counter; the worker never blocks it)."""

    def poll() -> None:
        while job.running:
            time.sleep(POLL_SECONDS)
            state.tick.set(state.tick.value + 1)
        state.tick.set(state.tick.value + 1)

    solara.use_thread(poll, dependencies=[job.name])
    _ = state.tick.value
    with solara.Column():
        solara.Text(f"{job.name}: day {job.days_done:,} of {job.horizon_days:,} ({job.status})")
        solara.ProgressLinear(value=100 * job.progress())

        def cancel() -> None:
            job.cancel()
            state.tick.set(state.tick.value + 1)

        solara.Button("Cancel run", on_click=cancel, color="error", outlined=True)


@solara.component
def RunResults(job: RunJob) -> None:
    from simulator.report import (
        distributions,
        fill_curve,
        holders_by_class,
        idle_capital,
        load_run,
        price_volume,
        quota_use,
        refusals,
        settlement_latency,
    )

    run = solara.use_memo(lambda: load_run(job.out_dir), dependencies=[str(job.out_dir)])
    plots = solara.use_memo(lambda: [png(make(run)) for make in (
        fill_curve, holders_by_class, quota_use, refusals, price_volume, settlement_latency, distributions,
        idle_capital)], dependencies=[str(job.out_dir)])
    solara.Success(f"{job.name} finished: files in {job.out_dir}")
    Downloads(job.out_dir)
    with solara.Details(summary="Summary", expand=True):
        SummaryTable({job.name: run.summary})
    with solara.Details(summary="Plots", expand=True), solara.Row(style={"flex-wrap": "wrap"}):
        for image in plots:
            solara.Image(image, width="620px")


@solara.component
def Downloads(out_dir: Path) -> None:
    with solara.Row(style={"flex-wrap": "wrap"}):
        for path in sorted(p for p in out_dir.iterdir() if p.is_file()):
            solara.FileDownload(lambda path=path: path.read_bytes(), filename=path.name,
                                label=f"Download {path.name}")


@solara.component
def SummaryTable(summaries: dict) -> None:
    """Summary rows side by side, one column a run (a metric a row), units in the metric names."""
    import pandas as pd

    table = pd.DataFrame(summaries)
    table.index.name = "metric"
    solara.DataFrame(table.reset_index().astype(str), items_per_page=80)


STATUS_WORDS = {"running": "running", "done": "finished", "failed": "failed", "cancelled": "cancelled"}


@solara.component
def RunTab() -> None:
    if not state.data.value:
        solara.Info("Pick a scenario on the Scenario tab first.")
        return
    RunControls()
    _ = state.tick.value
    # newest first; only the newest (and any still running) open: a session of many runs stays one page
    for i, job in enumerate(reversed(state.jobs.value)):
        status = job.status
        title = f"{job.name} (seed {job.seed}, {job.backend}): {STATUS_WORDS[status]}"
        with solara.Details(summary=title, expand=i == 0 or status == "running").key(job.name):
            if status == "running":
                Progress(job)
            elif status == "done":
                RunResults(job)
            elif status == "cancelled":
                solara.Warning(f"{job.name} was cancelled; its files were removed.")
            else:
                solara.Error(f"{job.name} failed: {job.error() or 'the worker process ended without a result'}")
