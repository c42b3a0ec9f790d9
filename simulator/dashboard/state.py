"""What one browser session of the dashboard holds: the scenario being edited, the text typed into fields that
does not parse yet, and the runs started from the page.

Solara scopes a `solara.reactive` to the session that reads it, so two analysts on one server edit their own
scenarios. The server's settings (workspace, scenarios folder) come from `rwa-sim dashboard` through the
environment, because Solara imports this module itself.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import solara

from simulator.dashboard import form
from simulator.dashboard.jobs import RunJob

WORKSPACE_ENV = "RWA_SIM_DASHBOARD_WORKSPACE"
SCENARIOS_ENV = "RWA_SIM_DASHBOARD_SCENARIOS"


def workspace() -> Path:
    return Path(os.environ.get(WORKSPACE_ENV, "out/dashboard")).resolve()


def scenarios_folder() -> Path:
    from simulator.scenario import scenario_dir

    return Path(os.environ.get(SCENARIOS_ENV) or scenario_dir()).resolve()


def scenario_files() -> dict[str, Path]:
    """The scenarios on offer, by file stem."""
    return {path.stem: path for path in sorted(scenarios_folder().glob("*.toml"))}


data: solara.Reactive[dict] = solara.reactive({})
source: solara.Reactive[str] = solara.reactive("")  # the file the scenario came from, or "uploaded"
load_error: solara.Reactive[str] = solara.reactive("")
drafts: solara.Reactive[dict[str, tuple[str, str]]] = solara.reactive({})  # dotted path -> (text, why it fails)
jobs: solara.Reactive[list[RunJob]] = solara.reactive([])
tick: solara.Reactive[int] = solara.reactive(0)  # bumped while a run is in progress, to redraw its bar


def load_file(path: Path) -> None:
    """Edit the scenario in `path`."""
    from simulator.scenario import ScenarioError, read_toml

    try:
        loaded = read_toml(path)
    except ScenarioError as exc:
        load_error.set(str(exc))
        return
    _edit(loaded, path.name)


MAX_UPLOAD_BYTES = 1_000_000  # the largest scenario in scenarios/ is about 10 KB


def load_upload(name: str, size: int, content: bytes) -> None:
    """A dropped file: refused by name when it is too large or not UTF-8 text, else loaded as TOML."""
    if size > MAX_UPLOAD_BYTES:
        load_error.set(f"{name}: {size:,} bytes is not a scenario file (at most {MAX_UPLOAD_BYTES:,})")
        return
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        load_error.set(f"{name}: not UTF-8 text, so not a scenario file")
        return
    load_text(text, name)


def load_text(text: str, name: str = "uploaded") -> None:
    """Edit the scenario in a TOML text (an upload or a paste); a text that is not TOML is refused with the
    parser's message and the scenario in the form stays as it was."""
    try:
        loaded = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        load_error.set(f"{name}: not valid TOML: {exc}")
        return
    _edit(loaded, name)


def _edit(loaded: dict, name: str) -> None:
    load_error.set("")
    drafts.set({})
    data.set(loaded)
    source.set(name)


def set_text(spec: form.FieldSpec, text: str) -> None:
    """What was typed into a field: the scenario takes it when it parses; otherwise the field keeps the text
    and says what it expected."""
    try:
        value = form.parse(spec, text)
    except ValueError as exc:
        drafts.set({**drafts.value, spec.dotted: (text, str(exc))})
        return
    drafts.set({k: v for k, v in drafts.value.items() if k != spec.dotted})
    data.set(form.put(data.value, spec.path, value))


def set_value(spec: form.FieldSpec, value: Any) -> None:
    data.set(form.put(data.value, spec.path, value))


def toml_text(scenario_data: dict | None = None) -> str:
    """The scenario in the form (or `scenario_data`) as TOML."""
    import tomli_w

    return tomli_w.dumps(data.value if scenario_data is None else scenario_data)


def start_run(seed: int, backend: str, scenario_data: dict | None = None) -> RunJob:
    """Run the scenario in the form (or `scenario_data`, a variant of it) in a worker process."""
    from simulator.scenario import validate

    chosen = data.value if scenario_data is None else scenario_data
    scenario = validate(chosen)
    job = RunJob.start(scenario.scenario.name, toml_text(chosen), scenario.horizon_days, seed, workspace(), backend)
    jobs.set([*jobs.value, job])
    return job
