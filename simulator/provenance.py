"""What determines a run, as a fingerprint. A cached or resumed result is reused only when its fingerprint is
the one asked for: the resolved scenario, the seed, the backend, the package's code and compiled artifacts,
and the versions of the libraries that execute it. Anything else is recomputed or refused."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from simulator import __version__

PACKAGE = Path(__file__).resolve().parent
EXECUTING = ("pyrevm", "py-evm", "eth-tester", "web3", "simpy", "numpy", "pydantic", "eth-abi")


def tree_sha256(root: Path) -> str:
    """Python sources and JSON (compiled artifacts) under `root`, names and contents, hashed."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def code_sha256() -> str:
    """The package's code and compiled contract artifacts: any edit changes it."""
    return tree_sha256(PACKAGE)


@cache
def environment() -> dict[str, str]:
    """The package version, its code and the executing libraries' versions."""
    versions = {}
    for dist in EXECUTING:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {"package": __version__, "code_sha256": code_sha256(), **versions}


def fingerprint(**parts: Any) -> str:
    """sha256 of the parts as canonical JSON (sorted keys)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
