"""The dashboard end to end in a real browser: pick, edit and validate a scenario; run it and see its results;
cancel a long run; compare runs; browse a sweep and a calibration. A run from the page writes what
`rwa-sim run` writes for the same scenario and seed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.dashboard.conftest import ROOT, pick_small, set_field

RUN_TIMEOUT = 120_000  # ms: a small run, its worker process's start included, on a busy 2-core machine


def _finished_run(workspace: Path, name: str) -> Path:
    runs = sorted(p for p in workspace.glob(f"{name}-*") if (p / "manifest.json").is_file())
    assert runs, f"no finished run {name}-N in {workspace}"
    return runs[-1]


def test_page_loads_offline_and_shows_every_tab(page):
    for tab in ("Scenario", "Run", "Compare", "Sweeps and analysis"):
        assert page.get_by_role("tab", name=tab).is_visible()
    page.get_by_text("Pick a scenario above").wait_for()


def test_readme_screenshot(page, tmp_path):
    """The picture the README shows: a scenario picked, a field refused beside itself, a nested table open and
    the panel stays open while the form around it changes."""
    pick_small(page)
    page.get_by_role("button", name="policy", exact=True).click()
    page.get_by_role("button", name="cwm", exact=True).click()
    set_field(page, "individual quota cny", "2500000")
    set_field(page, "horizon days", "0")
    page.get_by_text("1 problem(s): the scenario cannot run").wait_for()
    assert page.get_by_label("individual quota cny", exact=True).is_visible()
    page.get_by_text("what-if runs of RWA tokenization").scroll_into_view_if_needed()
    target = Path(os.environ.get("DASHBOARD_SCREENSHOT", tmp_path / "dashboard.png"))
    page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000  # a rendered page, not a blank one


def test_a_bad_value_is_refused_beside_its_field_and_blocks_the_run(page):
    pick_small(page)
    set_field(page, "horizon days", "0")
    page.get_by_text("1 problem(s): the scenario cannot run until they are fixed.").wait_for()
    beside = page.locator(".v-text-field").filter(has=page.get_by_label("horizon days", exact=True))
    assert "greater than or equal to 1" in beside.inner_text()
    set_field(page, "horizon days", "twelve")  # not a number at all: the field says what it expects
    page.get_by_text("expected a whole number").first.wait_for()
    page.get_by_role("tab", name="Run").click()
    assert page.get_by_role("button", name="Run small").is_disabled()
    page.get_by_role("tab", name="Scenario").click()
    set_field(page, "horizon days", "90")
    page.get_by_text("small.toml: valid (small)").wait_for()
    page.get_by_role("tab", name="Run").click()
    assert page.get_by_role("button", name="Run small").is_enabled()


def test_a_nested_field_and_a_pasted_scenario(page):
    page.get_by_role("button", name="Paste a scenario's TOML").click()
    page.locator("textarea").first.fill((ROOT / "tests" / "data" / "small.toml").read_text()
                                            + "\n[market]\nsettlement_t_plus = 99\n")
    page.get_by_role("button", name="Load this TOML").click()
    page.get_by_text("1 problem(s)").wait_for()
    page.get_by_text(re.compile(r"market\.settlement_t_plus: .*less than or equal to")).wait_for()
    page.locator("textarea").first.fill("horizon_days = = 3")
    page.get_by_role("button", name="Load this TOML").click()
    page.get_by_text("pasted: not valid TOML").wait_for()


def test_run_from_the_page_writes_what_the_cli_writes(page, dashboard, tmp_path):
    pick_small(page)
    set_field(page, "horizon days", "120")
    page.get_by_text("small.toml: valid (small)").wait_for()
    page.get_by_role("tab", name="Run").click()
    set_field(page, "Seed", "5")
    page.get_by_role("button", name="Run small").click()
    page.get_by_text(re.compile(r"small-\d+ finished")).wait_for(timeout=RUN_TIMEOUT)
    page.get_by_text("capital_raised_hkd").first.wait_for()
    assert page.locator("img").count() >= 8  # the report's plots
    assert page.get_by_role("button", name="Download events.csv").is_visible()
    run_dir = _finished_run(dashboard["workspace"], "small")
    cli_out = tmp_path / "cli"
    done = subprocess.run([sys.executable, "-m", "simulator", "run", str(run_dir / "scenario.toml"), "--seed", "5",
                           "--out", str(cli_out), "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    for name in ("events.csv", "timeseries.csv"):
        assert (run_dir / name).read_bytes() == (cli_out / name).read_bytes(), name
    with page.expect_download() as download:
        page.get_by_role("button", name="Download timeseries.csv").click()
    assert Path(download.value.path()).read_bytes() == (cli_out / "timeseries.csv").read_bytes()


def test_a_long_run_shows_progress_and_cancels(page, dashboard):
    pick_small(page)
    set_field(page, "horizon days", "14600")  # forty years: minutes of work
    page.get_by_text("small.toml: valid (small)").wait_for()
    page.get_by_role("tab", name="Run").click()
    before = set(dashboard["workspace"].glob("small-*"))
    page.get_by_role("button", name="Run small").click()
    page.get_by_text(re.compile(r"day [1-9][\d,]* of 14,600 \(running\)")).wait_for(timeout=RUN_TIMEOUT)
    assert page.get_by_role("progressbar").is_visible()
    page.get_by_role("button", name="Cancel run").click()
    page.get_by_text(re.compile(r"small-\d+ was cancelled")).wait_for()
    assert set(dashboard["workspace"].glob("small-*")) == before  # nothing half-written stays


def test_compare_settlement_variants(page, dashboard):
    pick_small(page)
    set_field(page, "horizon days", "120")
    page.get_by_text("small.toml: valid (small)").wait_for()
    page.get_by_role("tab", name="Compare").click()
    page.get_by_role("button", name="Run this scenario at T+5, T+1 and T+0").click()
    page.get_by_role("tab", name="Run").click()
    for days in (5, 1, 0):  # each run a panel, titled with its state
        page.get_by_text(re.compile(rf"small-T{days}-\d+ \(seed 3, revm\): finished")).wait_for(timeout=RUN_TIMEOUT)
    page.get_by_role("tab", name="Compare").click()
    page.get_by_role("button", name="Runs to compare").click()
    for days in (5, 0):
        page.get_by_role("option", name=re.compile(rf"small-T{days}-\d+")).click()
    page.keyboard.press("Escape")
    page.get_by_text("Summaries side by side").wait_for()
    table = page.locator(".v-data-table").last.inner_text()
    assert re.search(r"small-T5-\d+", table) and re.search(r"small-T0-\d+", table)
    assert page.locator("img").count() >= 2


TARGETS = """
[[targets]]
name = "investors onboarded, mid-Feb 2026"
measure = "investors_onboarded"
date = 2026-02-15
value = 30
source = "made up for the dashboard's test"
"""


def _cli(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_browse_a_sweep_and_a_calibration(page, dashboard):
    out = dashboard["base"] / "out"  # the folder the page searches by default (relative to the server's cwd)
    small = str(ROOT / "tests" / "data" / "small.toml")
    _cli("sweep", small, "--design", "sobol", "--samples", "2", "--vary", "investors.hk_professional.count=5:30:int",
         "--vary", "investors.hk_retail.count=5:20:int", "--set", "horizon_days=60", "--out", str(out / "sweep-small"),
         "--quiet")
    _cli("analyze", "sobol", str(out / "sweep-small"), "--outcome", "investors_onboarded")
    (dashboard["base"] / "targets.toml").write_text(TARGETS)
    _cli("calibrate", small, "--targets", str(dashboard["base"] / "targets.toml"), "--set", "horizon_days=60",
         "--fit", "investors.hk_professional.count=5:30:int", "--trials", "3", "--seeds", "1",
         "--out", str(out / "fits" / "cal-small"), "--quiet")
    page.get_by_role("tab", name="Sweeps and analysis").click()
    page.get_by_role("button", name="Result").click()
    page.get_by_role("option", name="sweep sweep-small").click()
    page.get_by_text("runs (sweep.csv)").wait_for()
    page.get_by_text("analysis: sobol-investors-onboarded").wait_for()  # the Sobol' indices, table and figure
    assert page.get_by_text("investors.hk_professional.count").count() >= 1
    assert page.locator("img").count() >= 1
    assert page.get_by_role("button", name="Download sweep.csv").is_visible()
    page.get_by_role("button", name="Result").click()
    page.get_by_role("option", name="calibration fits/cal-small").click()
    page.get_by_text("targets: model against data (targets.csv)").wait_for()
    page.get_by_text("investors onboarded, mid-Feb 2026").first.wait_for()
    assert page.locator("img").count() >= 1  # model_vs_data.png
    page.get_by_role("button", name="fitted scenario (fitted.toml)").click()
    page.get_by_role("button", name="Download fitted.toml").wait_for()
    assert "[investors.hk_professional]" in page.locator("pre").inner_text()


def _tab_to(page, text: str, field: bool = False, limit: int = 60) -> None:
    """Press Tab until the focused element is the field labelled `text` (field=True) or the control that reads
    `text` (the keyboard's way round the page)."""
    script = ("(() => { const e = document.activeElement; return e.labels ? [...e.labels].map(x => x.innerText)"
              ".join(' ').trim() : ''; })()") if field else "document.activeElement.innerText.trim()"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(script) == text:
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_the_keyboard_alone_picks_edits_and_runs_a_scenario(page, dashboard):
    _tab_to(page, "Scenario", field=True)
    page.keyboard.press("ArrowDown")  # opens the list (Vuetify's select)
    page.wait_for_timeout(500)
    page.keyboard.press("ArrowDown")  # the first scenario
    page.keyboard.press("Enter")
    page.get_by_text("small.toml: valid (small)").wait_for()
    _tab_to(page, "horizon days", field=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("45")
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Run").focus()
    page.keyboard.press("Enter")
    _tab_to(page, "RUN SMALL")
    page.keyboard.press("Enter")
    finished = page.get_by_text(re.compile(r"small-\d+ finished"))
    finished.wait_for(timeout=RUN_TIMEOUT)
    name = re.search(r"small-\d+", finished.inner_text()).group(0)
    assert tomllib.loads((dashboard["workspace"] / name / "scenario.toml").read_text())["horizon_days"] == 45


def _drop_file(page, path: Path) -> None:
    """Drop a real file on the drop zone, as a user's drag from the file manager does (Chrome's DevTools
    protocol: a synthetic DataTransfer carries no file-system entry, so the page's drop handler sees none)."""
    box = page.locator(".solara-file-drop").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    data = {"items": [], "files": [str(path)], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})


def test_a_dropped_file_is_loaded_or_refused_by_name(page, tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text((ROOT / "tests" / "data" / "small.toml").read_text().replace("horizon_days = 300",
                                                                              "horizon_days = 77"))
    _drop_file(page, mine)
    page.get_by_text("mine.toml: valid (small)").wait_for()
    assert page.get_by_label("horizon days", exact=True).input_value() == "77"
    binary = tmp_path / "photo.toml"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not text")
    _drop_file(page, binary)
    page.get_by_text("photo.toml: not UTF-8 text, so not a scenario file").wait_for()
    assert page.get_by_label("horizon days", exact=True).input_value() == "77"  # the form keeps its scenario
