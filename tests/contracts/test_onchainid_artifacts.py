"""The vendored ONCHAINID artifacts (simulator/chain/artifacts/onchainid/) are the pinned npm package's files,
byte for byte, and `simulator.chain.onchainid.check` reports every way a copy can drift from it."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from simulator.chain import onchainid

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"
PACKAGE_DIR = onchainid.package_dir(CONTRACTS_DIR)
pytestmark = pytest.mark.skipif(not (PACKAGE_DIR / "package.json").is_file(),
                                reason="contracts/node_modules not installed (npm ci)")


def test_the_vendored_artifacts_are_the_packages_bytes():
    assert set(onchainid.CONTRACTS) == {"Identity", "ImplementationAuthority", "IdentityProxy", "ClaimIssuer"}
    source = (onchainid.VENDOR_DIR / onchainid.SOURCE_NAME).read_text()
    version = json.loads((PACKAGE_DIR / "package.json").read_text())["version"]
    assert version == onchainid.pinned_version(CONTRACTS_DIR) == "2.2.1"
    assert source.startswith(f"{onchainid.PACKAGE} {version}, from npm")
    for name, rel in onchainid.CONTRACTS.items():
        original = (PACKAGE_DIR / rel).read_bytes()
        assert (onchainid.VENDOR_DIR / f"{name}.json").read_bytes() == original, name
        assert f"{hashlib.sha256(original).hexdigest()}  {rel}" in source.splitlines(), name
    assert (onchainid.VENDOR_DIR / "LICENSE.md").read_bytes() == (PACKAGE_DIR / "LICENSE.md").read_bytes()
    assert sorted(p.name for p in onchainid.VENDOR_DIR.iterdir()) == sorted(
        [*(f"{n}.json" for n in onchainid.CONTRACTS), "LICENSE.md", onchainid.SOURCE_NAME])
    assert onchainid.check(CONTRACTS_DIR) == []


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "onchainid"
    shutil.copytree(onchainid.VENDOR_DIR, target)
    assert onchainid.check(CONTRACTS_DIR, vendor_dir=target) == []
    return target


def test_a_tampered_copy_is_reported(copy):
    artifact = copy / "ClaimIssuer.json"
    data = bytearray(artifact.read_bytes())
    at = data.index(b'"deployedBytecode": "0x') + len(b'"deployedBytecode": "0x') + 100
    data[at] = ord("a") if data[at] != ord("a") else ord("b")  # one hex digit of the runtime code
    artifact.write_bytes(bytes(data))
    problems = onchainid.check(CONTRACTS_DIR, vendor_dir=copy)
    assert len(problems) == 1 and problems[0].startswith("stale: ONCHAINID artifact ClaimIssuer.json differs")


def test_a_missing_an_extra_or_a_misdated_copy_is_reported(copy):
    (copy / "Identity.json").unlink()
    (copy / "Gateway.json").write_text("{}")
    (copy / onchainid.SOURCE_NAME).write_text(f"{onchainid.PACKAGE} 2.0.0, from npm\n")
    problems = onchainid.check(CONTRACTS_DIR, vendor_dir=copy)
    assert sorted(p.split(":")[0] for p in problems) == ["missing", "stale", "stale"]
    assert any("Identity.json" in p for p in problems) and any("Gateway.json" in p for p in problems)
    assert any("does not record @onchain-id/solidity 2.2.1" in p for p in problems)


def test_a_package_of_another_version_than_the_pinned_one_is_reported(tmp_path, copy):
    contracts = tmp_path / "contracts"
    (contracts / "node_modules").mkdir(parents=True)
    (contracts / "node_modules" / "@onchain-id").symlink_to(PACKAGE_DIR.parent, target_is_directory=True)
    lock = json.loads((CONTRACTS_DIR / "package-lock.json").read_text())
    lock["packages"][f"node_modules/{onchainid.PACKAGE}"]["version"] = "2.1.0"  # the pin moved, npm ci not run
    (contracts / "package-lock.json").write_text(json.dumps(lock))
    assert onchainid.check(contracts, vendor_dir=copy) == [
        f"stale: {onchainid.PACKAGE} 2.2.1 installed, 2.1.0 pinned (run `npm ci`)"]
    with pytest.raises(RuntimeError, match=r"2\.2\.1 installed, 2\.1\.0 pinned"):
        onchainid.vendor(contracts, copy)
    assert onchainid.check(tmp_path / "nowhere", vendor_dir=copy)[0].startswith("missing: @onchain-id/solidity")
