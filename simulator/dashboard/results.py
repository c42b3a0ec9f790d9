"""What the dashboard finds on disk: finished runs in its workspace, and sweep, analysis and calibration
directories under a folder the analyst names.

A directory is recognised by the file its command writes last or by name (`manifest.json` for a run,
`sweep.json` and `sweep.csv` for a sweep, `calibration.json` with `history.csv` for a calibration); a run
whose files are not all there is not offered as a result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RUN_FILES = ("summary.csv", "timeseries.csv", "events.csv", "manifest.json")
MAX_DEPTH = 3  # how deep a folder is searched for sweeps and calibrations


@dataclass(frozen=True)
class Found:
    """A result directory: its kind (run, sweep, calibration), its path, and a line saying what it is."""

    kind: str
    path: Path
    label: str


def runs(workspace: Path) -> list[Found]:
    """The workspace's finished runs (every file of `rwa-sim run` present), oldest first."""
    if not workspace.is_dir():
        return []
    found = []
    for path in sorted((p for p in workspace.iterdir() if p.is_dir()), key=lambda p: (p.stat().st_mtime, p.name)):
        if all((path / name).is_file() for name in RUN_FILES):
            found.append(Found("run", path, _run_label(path)))
    return found


def _run_label(path: Path) -> str:
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError):
        return path.name
    return f"{path.name} (seed {manifest.get('seed')}, {manifest.get('backend')})"


def batch_results(folder: Path) -> list[Found]:
    """Sweeps and calibrations at most MAX_DEPTH levels under `folder`, in path order."""
    if not folder.is_dir():
        return []
    found = []
    for depth in range(MAX_DEPTH + 1):
        for path in sorted(folder.glob("/".join(["*"] * depth)) if depth else [folder]):
            if not path.is_dir():
                continue
            if (path / "sweep.json").is_file() and (path / "sweep.csv").is_file():
                found.append(Found("sweep", path, f"sweep {path.relative_to(folder) if depth else path.name}"))
            elif (path / "calibration.json").is_file() and (path / "history.csv").is_file():
                found.append(Found("calibration", path,
                                   f"calibration {path.relative_to(folder) if depth else path.name}"))
    return sorted(found, key=lambda f: str(f.path))


def analyses(sweep: Path) -> list[tuple[Path, Path | None]]:
    """The `rwa-sim analyze` outputs of a sweep: each table (CSV) with its figure when there is one."""
    directory = sweep / "analysis"
    if not directory.is_dir():
        return []
    return [(csv, csv.with_suffix(".png") if csv.with_suffix(".png").is_file() else None)
            for csv in sorted(directory.glob("*.csv"))]


def figures(directory: Path) -> list[Path]:
    """The PNG figures a command wrote into `directory` (not its subfolders)."""
    return sorted(directory.glob("*.png"))
