"""Static analysis of the contracts with slither: no High finding, every Medium finding triaged.

slither-analyzer cannot share the project venv (it pins web3<8), so it lives in its own venv:

    python3 -m venv .venv-tools && .venv-tools/bin/pip install slither-analyzer==0.11.6

The executable is $SLITHER if set, else <repo>/.venv-tools/bin/slither. The options come from
contracts/slither.config.json (read by slither from its working directory, contracts/); slither
reads the build-info written by `rwa-sim contracts build` and needs neither solc nor the network.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from simulator.chain.toolchain import Toolchain

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
TRIAGE = CONTRACTS / "slither.triage.md"
INSTALL_HINT = (
    "install it in its own venv (it cannot share the project venv: it requires web3<8):\n"
    "    python3 -m venv .venv-tools && .venv-tools/bin/pip install slither-analyzer==0.11.6\n"
    "or point $SLITHER at a slither executable"
)
_DISABLE_RE = re.compile(r"//\s*slither-disable-next-line\s+([\w,-]+)")
_TICK_RE = re.compile(r"`([^`]+)`")


def _slither() -> Path:
    env = os.environ.get("SLITHER")
    exe = Path(env) if env else ROOT / ".venv-tools" / "bin" / "slither"
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        pytest.fail(f"slither not found at {exe} ({'$SLITHER' if env else 'default location'}): {INSTALL_HINT}")
    return exe


def _ensure_build_info() -> None:
    """Build when the build-info is missing or was compiled from other sources than the current ones.

    The build also rewrites the committed artifacts, which is harmless: it is byte-reproducible.
    """
    toolchain = Toolchain(root=ROOT)
    infos = sorted((CONTRACTS / "artifacts" / "build-info").glob("*.json"))
    if len(infos) == 1:
        built = {u: s["content"] for u, s in json.loads(infos[0].read_text())["input"]["sources"].items()}
        if built == toolchain.collect_sources().contents:
            return
    toolchain.build()


def _triaged_pairs() -> set[tuple[str, str]]:
    """(detector, file) of every row of the tables in slither.triage.md."""
    pairs = set()
    for line in TRIAGE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        detector, file = _TICK_RE.search(cells[0]), _TICK_RE.search(cells[1])
        if detector and file:
            pairs.add((detector.group(1), file.group(1)))
    return pairs


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    exe = _slither()
    _ensure_build_info()
    proc = subprocess.run(
        [str(exe), ".", "--json", "-"], cwd=CONTRACTS, capture_output=True, text=True, timeout=180
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"slither printed no JSON (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    assert report["success"], f"slither failed: {report['error']}\n{proc.stderr[-3000:]}"
    return report["results"].get("detectors", [])


def _where(finding: dict) -> tuple[str, str]:
    first = finding["elements"][0] if finding["elements"] else {}
    return finding["check"], first.get("source_mapping", {}).get("filename_relative", "?")


def test_no_high_impact_finding(findings):
    high = [f"{f['check']}: {f['description'].strip()}" for f in findings if f["impact"] == "High"]
    assert not high, "slither High findings (fix them, or justify in contracts/slither.triage.md and " \
        "silence at the line with `// slither-disable-next-line <detector>`):\n" + "\n".join(high)


def test_medium_findings_are_triaged(findings):
    triaged = _triaged_pairs()
    missing = sorted({_where(f) for f in findings if f["impact"] == "Medium"} - triaged)
    assert not missing, f"Medium findings not in {TRIAGE.relative_to(ROOT)}: {missing}"


def test_every_silenced_finding_is_justified():
    triaged = _triaged_pairs()
    undocumented = []
    for path in sorted((CONTRACTS / "src").rglob("*.sol")):
        unit = path.relative_to(CONTRACTS).as_posix()
        if unit.startswith("src/test/"):
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            for match in _DISABLE_RE.finditer(line):
                for detector in filter(None, match.group(1).split(",")):
                    if (detector, unit) not in triaged:
                        undocumented.append(f"{unit}:{lineno}: {detector}")
    assert not undocumented, f"slither-disable comments without a row in {TRIAGE.name}: {undocumented}"
