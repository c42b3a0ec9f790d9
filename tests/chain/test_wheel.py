"""A plain (non-editable) wheel carries the artifacts and runs without the source tree or Node."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_artifacts_and_runs_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("gba_rwa_sim-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "simulator/chain/artifacts/SettlementToken.json" in names
        assert "simulator/chain/artifacts/index.json" in names
        assert any(n.endswith("entry_points.txt") and "rwa-sim" in zf.read(n).decode() for n in names)
        zf.extractall(tmp_path / "site")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "small.toml", workdir)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}  # no node on PATH
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", "small.toml", "--out", "o",
                           "--set", "horizon_days=120"],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (workdir / "o" / "summary.csv").is_file()
    imported_from = subprocess.run([sys.executable, "-c", "import simulator; print(simulator.__file__)"],
                                   cwd=workdir, env=env, capture_output=True, text=True).stdout
    assert imported_from.startswith(str(tmp_path / "site"))
