"""The Foundry suite (contracts/test/*.t.sol): unit, fuzz and invariant tests of the contracts in Solidity.

Runs the pinned forge (npm @foundry-rs/forge-linux-amd64, installed by `npm ci` in contracts/) with the
settings of contracts/foundry.toml: solc is contracts/tools/solc, a wrapper over the pinned solc-js, so
nothing is downloaded (FOUNDRY_OFFLINE is set as well). The test fails, never skips, when forge is
missing, and checks from `forge test --json` that every test passed, that the fuzz and invariant tests
ran the configured number of runs (and calls: runs x depth), and that none is gone missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
FORGE = CONTRACTS / "node_modules" / ".bin" / "forge"
# Lower bounds on what the suite holds: losing a test file or an invariant fails this test.
MIN_TESTS = 145  # 92 unit, 28 fuzz, 25 invariants
MIN_FUZZ_TESTS = 28
INVARIANT_SUITES = {
    "test/invariant/TokenInvariants.t.sol:TokenInvariants": 9,
    "test/invariant/OfferingInvariants.t.sol:OfferingInvariants": 6,
    "test/invariant/OfferingInvariants.t.sol:OfferingFirstComeInvariants": 6,
    "test/invariant/DistributorInvariants.t.sol:DistributorInvariants": 4,
}
# The five audit defects of #15 (each failed against the contracts before its fix: README, "Foundry suite").
AUDIT_DEFECT_TESTS = 11


def _pinned_forge_version() -> str:
    lock = json.loads((CONTRACTS / "package-lock.json").read_text())
    return lock["packages"]["node_modules/@foundry-rs/forge-linux-amd64"]["version"]


def _forge() -> Path:
    if not (FORGE.is_file() and os.access(FORGE, os.X_OK)):
        pytest.fail(f"forge not found at {FORGE}: run `npm ci` in contracts/ (it installs the pinned "
                    f"@foundry-rs/forge-linux-amd64 {_pinned_forge_version()}, an optional dependency)")
    if shutil.which("node") is None:
        pytest.fail("node not found on PATH: contracts/tools/solc (the solc forge runs) is a node script")
    return FORGE


def _env() -> dict[str, str]:
    """The caller's environment without FOUNDRY_* overrides of foundry.toml; offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOUNDRY_", "DAPP_"))}
    env["FOUNDRY_OFFLINE"] = "true"
    return env


# a clean build compiles ~80 files with solc-js: minutes on 2 shared cores, beyond the suite's per-test 120 s
pytestmark = pytest.mark.timeout(1800)

@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads((CONTRACTS / "foundry.toml").read_text())


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    forge = _forge()
    version = subprocess.run([str(forge), "--version"], capture_output=True, text=True, env=_env())
    assert f"forge Version: {_pinned_forge_version()}" in version.stdout, version.stdout + version.stderr
    # cwd contracts/: foundry.toml names its solc by a path relative to it
    proc = subprocess.run([str(forge), "test", "--json"], cwd=CONTRACTS, capture_output=True, text=True,
                          env=_env(), timeout=1800)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"forge test printed no JSON (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n"
                    f"{proc.stderr[-3000:]}")
    failed = [f"{suite} {name}: {t.get('reason')}" for suite, s in report.items()
              for name, t in s["test_results"].items() if t["status"] != "Success"]
    assert proc.returncode == 0 and not failed, f"forge test failed (exit {proc.returncode}):\n" + "\n".join(
        failed) + f"\n{proc.stderr[-3000:]}"
    return report


def _tests(results: dict[str, dict]) -> list[tuple[str, str, dict]]:
    return [(suite, name, t) for suite, s in results.items() for name, t in s["test_results"].items()]


def test_every_forge_test_passes(results):
    tests = _tests(results)
    assert len(tests) >= MIN_TESTS, f"only {len(tests)} forge tests ran"
    assert all(t["status"] == "Success" for _, _, t in tests)


def test_every_audit_defect_has_its_forge_test(results):
    defects = results.get("test/AuditDefects.t.sol:AuditDefectsTest", {}).get("test_results", {})
    assert len(defects) >= AUDIT_DEFECT_TESTS, sorted(defects)
    for n in range(1, 6):
        assert any(f"_Defect{n}" in name for name in defects), f"no forge test of audit defect {n}"


def test_fuzz_tests_ran_the_configured_runs(results, config):
    runs = config["fuzz"]["runs"]
    fuzz = [(s, n, t["kind"]["Fuzz"]) for s, n, t in _tests(results) if "Fuzz" in t["kind"]]
    assert len(fuzz) >= MIN_FUZZ_TESTS, f"only {len(fuzz)} fuzz tests"
    wrong = [f"{s} {n}: {k['runs']}" for s, n, k in fuzz if k["runs"] != runs]
    assert not wrong, f"fuzz tests not run {runs} times: {wrong}"


def test_invariant_tests_ran_the_configured_runs_and_depth(results, config):
    runs, depth = config["invariant"]["runs"], config["invariant"]["depth"]
    assert config["invariant"]["fail_on_revert"] is True  # a handler's own assertions must fail the test
    counted: dict[str, int] = {}
    for suite, name, t in _tests(results):
        kind = t["kind"].get("Invariant")
        if kind is None:
            continue
        assert (kind["runs"], kind["calls"], kind["reverts"]) == (runs, runs * depth, 0), f"{suite} {name}: {kind}"
        counted[suite] = counted.get(suite, 0) + 1
    assert counted == INVARIANT_SUITES


def test_forge_tests_are_formatted():
    """`forge fmt` style (foundry.toml [fmt] defaults) for the Solidity tests; contracts/src is not touched."""
    proc = subprocess.run([str(_forge()), "fmt", "--check", "test"], cwd=CONTRACTS, capture_output=True, text=True,
                          env=_env(), timeout=300)
    assert proc.returncode == 0, f"run `node_modules/.bin/forge fmt test` in contracts/:\n{proc.stdout[-3000:]}"
