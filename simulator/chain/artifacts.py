"""This project's compiled contracts, shipped as package data (built by `rwa-sim contracts build`)."""

from __future__ import annotations

from pathlib import Path

from simulator.evm.artifacts import ArtifactStore

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
INDEX_FILE = ARTIFACT_DIR / "index.json"  # the toolchain's record of sources and settings, not a contract

# One store per process: every Chain of the project shares its loaded artifacts and codecs.
# ONCHAINID's prebuilt artifacts sit in a directory of their own (simulator/chain/onchainid.py).
ARTIFACTS = ArtifactStore(ARTIFACT_DIR, ignore=[INDEX_FILE.name], extra=[ARTIFACT_DIR / "onchainid"])
