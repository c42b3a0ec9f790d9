"""The committed artifacts match the sources; an edit without a rebuild is caught and named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from simulator.chain.artifacts import ARTIFACT_DIR, ARTIFACTS
from simulator.chain.toolchain import Toolchain, find_project_root
from simulator.cli import main

ROOT = find_project_root()


def test_committed_artifacts_are_up_to_date(capsys):
    assert main(["contracts", "check"]) == 0, capsys.readouterr().err
    assert "up to date" in capsys.readouterr().out


@pytest.fixture
def project_copy(tmp_path: Path) -> Toolchain:
    """A copy of contracts/ (sources, lockfile, node_modules linked) and of the artifacts."""
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts" / "src", contracts / "src")
    for name in ("package.json", "package-lock.json", "compile.js"):
        shutil.copy(ROOT / "contracts" / name, contracts / name)
    (contracts / "node_modules").symlink_to(ROOT / "contracts" / "node_modules")
    shutil.copytree(ARTIFACT_DIR, tmp_path / "artifacts")
    return Toolchain(root=tmp_path, artifact_dir=tmp_path / "artifacts")


def test_copy_starts_clean(project_copy):
    assert project_copy.check() == []


def test_edited_source_makes_its_artifact_stale(project_copy):
    src = project_copy.src_dir / "settlement" / "SettlementToken.sol"
    src.write_text(src.read_text() + "\n// an edit\n")
    problems = project_copy.check()
    assert any(p.startswith("stale: SettlementToken") and "SettlementToken.sol" in p for p in problems), problems


def test_new_source_without_artifact_is_missing(project_copy):
    (project_copy.src_dir / "Extra.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract Extra { uint256 public x; }\n"
    )
    problems = project_copy.check()
    assert "missing: no artifact for src/Extra.sol (new source never built)" in problems
    assert "missing: artifact for Extra (src/Extra.sol)" in problems


def test_deleted_artifact_file_is_missing(project_copy):
    (project_copy.artifact_dir / "SettlementToken.json").unlink()
    assert any(p.startswith("missing: artifact file SettlementToken.json") for p in project_copy.check())


def test_compiler_pin_change_makes_everything_stale(project_copy):
    lock = project_copy.contracts_dir / "package-lock.json"
    data = json.loads(lock.read_text())
    data["packages"]["node_modules/solc"]["version"] = "0.8.99"
    lock.write_text(json.dumps(data))
    assert any("pinned is 0.8.99" in p for p in project_copy.check())


def test_build_reproduces_the_committed_artifacts_byte_for_byte(project_copy):
    before = {p.name: p.read_bytes() for p in project_copy.artifact_dir.glob("*.json")}
    project_copy.build()
    after = {p.name: p.read_bytes() for p in project_copy.artifact_dir.glob("*.json")}
    assert after == before
    info = list((project_copy.contracts_dir / "artifacts" / "build-info").glob("*.json"))
    assert len(info) == 1 and json.loads(info[0].read_text())["_format"] == "hh-sol-build-info-1"


def test_artifact_records_compiler_settings_and_source_hashes():
    data = json.loads((ARTIFACT_DIR / "SettlementToken.json").read_text())
    assert data["compiler"]["version"] == "0.8.28"
    assert data["settings"]["evmVersion"] == "cancun" and data["settings"]["optimizer"]["enabled"] is True
    assert "src/settlement/SettlementToken.sol" in data["sources"]
    assert any(k.startswith("@openzeppelin/contracts/") for k in data["sources"])
    # the CBOR metadata trailer names the compiler that produced the bytecode: solc 0.8.28 = 0x00081c
    assert ARTIFACTS.load("SettlementToken").deployed_bytecode.endswith(b"dsolcC\x00\x08\x1c\x003")
