"""The Sweeps and analysis tab: the sweeps and calibrations under a folder, each with its tables and figures:
a sweep's runs, the sensitivity indices and discovered boxes `rwa-sim analyze` wrote beside it; a
calibration's targets (model against data), its history and the fitted scenario."""

from __future__ import annotations

from pathlib import Path

import solara

from simulator.dashboard import results

ROWS_SHOWN = 200  # a table's first rows on the page; the whole file downloads


@solara.component
def Table(path: Path, title: str) -> None:
    import pandas as pd

    with solara.Details(summary=title, expand=True):
        try:
            table = pd.read_csv(path, nrows=ROWS_SHOWN)
        except (OSError, ValueError) as exc:
            solara.Error(f"{path.name}: cannot be read: {exc}")
            return
        solara.DataFrame(table, items_per_page=20)
        solara.FileDownload(path.read_bytes, filename=path.name, label=f"Download {path.name}")


@solara.component
def Figures(paths: list[Path]) -> None:
    with solara.Row(style={"flex-wrap": "wrap"}):
        for path in paths:
            solara.Image(path.read_bytes(), width="620px")


@solara.component
def SweepView(sweep: Path) -> None:
    Table(sweep / "sweep.csv", "runs (sweep.csv)")
    found = results.analyses(sweep)
    if not found:
        solara.Info(f"No analysis yet: `rwa-sim analyze sobol|morris|discover {sweep} ...` writes it here.")
    for table, figure in found:
        Table(table, f"analysis: {table.stem}")
        if figure is not None:
            Figures([figure])
    Figures(results.figures(sweep))


@solara.component
def CalibrationView(directory: Path) -> None:
    Figures(results.figures(directory))
    Table(directory / "targets.csv", "targets: model against data (targets.csv)")
    Table(directory / "history.csv", "trials (history.csv)")
    fitted = directory / "fitted.toml"
    if fitted.is_file():
        with solara.Details(summary="fitted scenario (fitted.toml)"):
            solara.v.Html(tag="pre", children=[fitted.read_text(encoding="utf-8")])  # no Markdown: it needs KaTeX
            solara.FileDownload(fitted.read_bytes, filename="fitted.toml", label="Download fitted.toml")


@solara.component
def BrowseTab() -> None:
    folder = solara.use_reactive("out")
    found = results.batch_results(Path(folder.value).expanduser())
    labels = {f.label: f for f in found}
    chosen: solara.Reactive[str | None] = solara.use_reactive(None)
    solara.InputText("Folder with sweeps and calibrations", value=folder, hide_details=False,
                     message="searched three levels deep; relative to where the dashboard started")
    if not found:
        solara.Info(f"No sweep (sweep.json, sweep.csv) or calibration (calibration.json) under {folder.value}.")
        return
    solara.Select("Result", values=list(labels), value=chosen, style={"max-width": "640px"})
    item = labels.get(chosen.value or "")
    if item is not None:
        if item.kind == "sweep":
            SweepView(item.path)
        else:
            CalibrationView(item.path)
