"""A real dashboard server (`rwa-sim dashboard` on a free port) and a real browser (Debian's chromium, driven by
Playwright), both started here. Every page records the requests it makes: the dashboard must work offline."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
VIEWPORT = {"width": 1280, "height": 800}  # the size the issue asks the page to be readable at


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Debian's chromium is not installed: apt-get install chromium (.ci/run does)")
    return found


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory):
    """The server, its workspace and its scenarios folder (small.toml), stopped afterwards."""
    from simulator.chain.anvil import free_port

    base = tmp_path_factory.mktemp("dashboard")
    scenarios = base / "scenarios"
    scenarios.mkdir()
    shutil.copy(SMALL, scenarios / "small.toml")
    workspace = base / "workspace"
    port = free_port()
    log = (base / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "dashboard", "--port", str(port), "--workspace", str(workspace),
         "--scenarios", str(scenarios)], cwd=base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the dashboard did not start: {(base / 'server.log').read_text()[-2000:]}")
        time.sleep(0.3)
    yield {"url": url, "workspace": workspace, "scenarios": scenarios, "base": base}
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(), args=["--headless=new", "--no-sandbox", "--disable-gpu",
                                             "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser, dashboard):
    """A fresh session of the page at 1280x800. After the test: no request left the machine and none failed."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    outside: list[str] = []
    failed: list[str] = []
    url = dashboard["url"]
    opened.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else outside.append(r.url))
    opened.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    opened.goto(url)
    opened.get_by_text("what-if runs of RWA tokenization").wait_for()
    yield opened
    context.close()
    assert outside == [], f"the page reached outside the machine: {outside}"
    assert failed == [], f"requests failed: {failed}"


def pick_small(page) -> None:
    page.get_by_role("button", name="Scenario", exact=True).click()
    page.get_by_role("option", name="small").click()
    page.get_by_text("small.toml: valid (small)").wait_for()


def set_field(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
