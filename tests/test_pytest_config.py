"""The suite's own settings are in force: a per-test timeout, so a hang fails instead of stalling CI."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_project_sets_a_per_test_timeout_and_this_run_uses_it(pytestconfig):
    configured = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["timeout"]
    assert 0 < configured <= 600
    assert float(pytestconfig.getini("timeout")) == configured  # pytest-timeout is loaded and reads it


def test_a_hanging_test_fails_by_the_timeout(tmp_path):
    """A test that sleeps far longer than its timeout, run by pytest with the project's settings (its value
    lowered to 1 s to keep this cheap): it fails, named as a timeout, instead of hanging."""
    (tmp_path / "test_hang.py").write_text("import time\n\n\ndef test_hangs():\n    time.sleep(600)\n")
    hang = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir",
                           str(tmp_path), "-p", "no:cacheprovider", "-o", "timeout=1", "-q", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert hang.returncode == 1, hang.stdout + hang.stderr
    assert "Timeout (>1.0s)" in hang.stdout and "1 failed" in hang.stdout, hang.stdout
