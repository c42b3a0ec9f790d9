"""Compiled contract artifacts: one JSON file per contract in a directory, loaded and indexed on first use.

A store is what a `Chain` deploys from and decodes against: its contracts' ABIs give the calls, and the union
of their events and errors is the table every log and revert is decoded with. Keeping that table per store
(not per process) lets two projects, or two builds, live side by side.

Files are Hardhat-style (`contractName`, `sourceName`, `abi`, `bytecode`, `deployedBytecode`); `bytecode` may
also be Foundry's `{"object": "0x..."}`. `compiler.longVersion` and `sources` (source hashes) are optional.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from simulator.evm.abi import ContractABI, ErrorABI, EventABI, decode_event, decode_revert
from simulator.evm.errors import UserError


@dataclass(frozen=True)
class Artifact:
    name: str
    source: str
    abi: list
    bytecode: bytes
    deployed_bytecode: bytes
    compiler_version: str
    source_hashes: dict


def _code(value: str | dict) -> bytes:
    text = value["object"] if isinstance(value, dict) else value
    return bytes.fromhex(text.removeprefix("0x"))


class ArtifactStore:
    """The artifacts in `directory` (`*.json`, not recursive), except the file names in `ignore`
    (an index written next to them, say), and those in each of the `extra` directories (prebuilt
    third-party contracts kept apart from the project's own build output); a name must be unique."""

    def __init__(self, directory: str | os.PathLike[str], *, ignore: Iterable[str] = (),
                 extra: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.directory = Path(directory)
        self.extra = tuple(Path(d) for d in extra)
        self.ignore = frozenset(ignore)
        self._artifacts: dict[str, Artifact] = {}
        self._abis: dict[str, ContractABI] = {}

    def __repr__(self) -> str:
        return f"ArtifactStore({str(self.directory)!r})"

    def _files(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for directory in (self.directory, *self.extra):
            for p in sorted(directory.glob("*.json")):
                if p.name in self.ignore:
                    continue
                if p.stem in files:
                    raise UserError(f"contract {p.stem!r} is in two artifact directories: {files[p.stem]} and {p}")
                files[p.stem] = p
        return files

    def available(self) -> list[str]:
        """Names of every contract in the store, sorted."""
        return sorted(self._files())

    def load(self, name: str) -> Artifact:
        """The artifact of contract `name`; a clear error when it was never built."""
        artifact = self._artifacts.get(name)
        if artifact is None:
            artifact = self._artifacts[name] = self._read(name)
        return artifact

    def _read(self, name: str) -> Artifact:
        files = self._files()
        path = files.get(name)
        if path is None:
            known = ", ".join(sorted(files)) or "none"
            raise UserError(f"missing artifact for contract {name!r} ({self.directory / f'{name}.json'}); "
                            f"known contracts: {known}")
        data = json.loads(path.read_text())
        return Artifact(
            name=data.get("contractName", name),
            source=data.get("sourceName", ""),
            abi=data["abi"],
            bytecode=_code(data["bytecode"]),
            deployed_bytecode=_code(data["deployedBytecode"]),
            compiler_version=data.get("compiler", {}).get("longVersion", ""),
            source_hashes=data.get("sources", {}),
        )

    def abi(self, name: str) -> ContractABI:
        """The codecs of contract `name`, built once."""
        codec = self._abis.get(name)
        if codec is None:
            codec = self._abis[name] = ContractABI(name, self.load(name).abi)
        return codec

    # --- what any log or revert is decoded against: every contract of the store ---------------------
    @cached_property
    def errors(self) -> dict[bytes, ErrorABI]:
        errors: dict[bytes, ErrorABI] = {}
        for name in self.available():
            errors.update(self.abi(name).errors)
        return errors

    @cached_property
    def events(self) -> dict[tuple[bytes, int], EventABI]:
        events: dict[tuple[bytes, int], EventABI] = {}
        for name in self.available():
            for topic, event in self.abi(name).events.items():
                events[(topic, 1 + sum(event.indexed))] = event
        return events

    def decode_revert(self, data: bytes) -> tuple[str, dict]:
        """Name and arguments of revert data: a custom error of any contract here, Error(string) or Panic."""
        return decode_revert(data, self.errors)

    def decode_event(self, topics: tuple[bytes, ...], data: bytes) -> tuple[str, dict] | None:
        """(event name, args) for a log of any contract here, or None for an unknown log."""
        return decode_event(topics, data, self.events)

    def warm(self) -> None:
        """Load every artifact and build every codec now (before forking workers, say)."""
        _ = self.events, self.errors

    def hashes(self) -> dict[str, str]:
        """sha256 of every JSON file in the directories (ignored ones included), for run manifests; an extra
        directory's files are named `<directory>/<file>`."""
        digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(self.directory.glob("*.json"))}
        for directory in self.extra:
            for p in sorted(directory.glob("*.json")):
                digests[f"{directory.name}/{p.name}"] = hashlib.sha256(p.read_bytes()).hexdigest()
        return digests
