"""Compiled contract artifacts shipped as package data (built by `rwa-sim contracts build`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from simulator.errors import UserError

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
INDEX_FILE = ARTIFACT_DIR / "index.json"


@dataclass(frozen=True)
class Artifact:
    name: str
    source: str
    abi: list
    bytecode: bytes
    deployed_bytecode: bytes
    compiler_version: str
    source_hashes: dict


def available() -> list[str]:
    return sorted(p.stem for p in ARTIFACT_DIR.glob("*.json") if p.name != INDEX_FILE.name)


@cache
def load_artifact(name: str) -> Artifact:
    """The artifact of contract `name`; a clear error when it was never built."""
    path = ARTIFACT_DIR / f"{name}.json"
    if not path.is_file():
        known = ", ".join(available()) or "none"
        raise UserError(f"missing artifact for contract {name!r} ({path}); known contracts: {known}")
    data = json.loads(path.read_text())
    return Artifact(
        name=data["contractName"],
        source=data["sourceName"],
        abi=data["abi"],
        bytecode=bytes.fromhex(data["bytecode"][2:]),
        deployed_bytecode=bytes.fromhex(data["deployedBytecode"][2:]),
        compiler_version=data["compiler"]["longVersion"],
        source_hashes=data["sources"],
    )


def artifact_hashes() -> dict[str, str]:
    """sha256 of every artifact file, for run manifests."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(ARTIFACT_DIR.glob("*.json"))}
