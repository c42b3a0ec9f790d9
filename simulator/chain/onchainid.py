"""ONCHAINID (`@onchain-id/solidity`, pinned in contracts/package.json): the identity contracts the suite's
investors and claim issuers are, deployed from the package's own compiled artifacts.

Its sources pin solc 0.8.17 and OpenZeppelin 4.8, so they are not compiled with the suite; the package's
Hardhat artifacts are copied verbatim into `simulator/chain/artifacts/onchainid/` (package data, so a plain
install needs no Node) by `rwa-sim contracts build`, and `rwa-sim contracts check` fails when a copy differs
from the pinned package's file. The package's metadata says ISC but its LICENSE.md and every source say
GPL-3.0: the copies are kept apart, unmodified, with that licence beside them (README, Licences).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from simulator.chain.artifacts import ARTIFACT_DIR

PACKAGE = "@onchain-id/solidity"
VENDOR_DIR = ARTIFACT_DIR / "onchainid"
SOURCE_NAME = "SOURCE.txt"
# contract name -> its artifact inside the package
CONTRACTS = {
    "Identity": "artifacts/contracts/Identity.sol/Identity.json",
    "ImplementationAuthority": "artifacts/contracts/proxy/ImplementationAuthority.sol/ImplementationAuthority.json",
    "IdentityProxy": "artifacts/contracts/proxy/IdentityProxy.sol/IdentityProxy.json",
    "ClaimIssuer": "artifacts/contracts/ClaimIssuer.sol/ClaimIssuer.json",
}


def package_dir(contracts_dir: Path) -> Path:
    return contracts_dir / "node_modules" / PACKAGE


def pinned_version(contracts_dir: Path) -> str:
    lock = json.loads((contracts_dir / "package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{PACKAGE}"]["version"])


def vendor(contracts_dir: Path, vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy the pinned package's artifacts (and its licence) into `vendor_dir`."""
    pkg = package_dir(contracts_dir)
    version = json.loads((pkg / "package.json").read_text())["version"]
    if version != pinned_version(contracts_dir):
        raise RuntimeError(f"{PACKAGE} {version} installed, {pinned_version(contracts_dir)} pinned: run `npm ci`")
    shutil.rmtree(vendor_dir, ignore_errors=True)
    vendor_dir.mkdir(parents=True)
    written = []
    lines = [f"{PACKAGE} {version}, from npm; files copied unmodified (sha256 of each):"]
    for name, rel in CONTRACTS.items():
        data = (pkg / rel).read_bytes()
        target = vendor_dir / f"{name}.json"
        target.write_bytes(data)
        written.append(target)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {rel}")
    shutil.copyfile(pkg / "LICENSE.md", vendor_dir / "LICENSE.md")
    (vendor_dir / SOURCE_NAME).write_text("\n".join(lines) + "\n")
    return written


def check(contracts_dir: Path, vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Problems that make the copies differ from the pinned package (or the package missing)."""
    pkg = package_dir(contracts_dir)
    if not (pkg / "package.json").is_file():
        return [f"missing: {PACKAGE} in contracts/node_modules (run `npm ci` in contracts/)"]
    version = json.loads((pkg / "package.json").read_text())["version"]
    if version != pinned_version(contracts_dir):
        return [f"stale: {PACKAGE} {version} installed, {pinned_version(contracts_dir)} pinned (run `npm ci`)"]
    problems = []
    source = vendor_dir / SOURCE_NAME
    if not source.is_file() or f"{PACKAGE} {version}," not in source.read_text():
        problems.append(f"stale: {source} does not record {PACKAGE} {version}")
    for name, rel in CONTRACTS.items():
        copy = vendor_dir / f"{name}.json"
        if not copy.is_file():
            problems.append(f"missing: ONCHAINID artifact {copy.name}")
        elif copy.read_bytes() != (pkg / rel).read_bytes():
            problems.append(f"stale: ONCHAINID artifact {copy.name} differs from {PACKAGE} {version}'s {rel}")
    unexpected = sorted(p.name for p in vendor_dir.glob("*.json") if p.stem not in CONTRACTS)
    problems += [f"stale: ONCHAINID artifact {n} is not one of the package's vendored contracts" for n in unexpected]
    return problems
