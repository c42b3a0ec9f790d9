"""Named random streams spawned from the run seed.

Each actor draws from its own numpy Generator, keyed by a stable name, so adding an actor or a draw in one
stream never shifts the draws of another (a plain shared Generator would).
"""

from __future__ import annotations

import re
import zlib

import numpy as np

# One agent's own stream: `investor:mainland_gba:17`. There is one per person, so at the scale of the whole
# market (165 k investors) keeping them all cached would cost about 1 KB each: the agent holds its own.
_AGENT_STREAM = re.compile(r"(investor|behaviour|channels|legal):[a-z_]+:\d+")


class Streams:
    """`Streams(seed).get("solar")` -> the same Generator for the same (seed, name), on every run.
    `Streams(seed).own("behaviour:hk_retail:3")` -> a new Generator at the start of an agent's stream, not
    kept: the caller holds it as long as it draws from it (creating it again starts the stream over)."""

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError("seed must be non-negative")
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The shared stream `name`, kept for the run (every caller continues where the last one stopped)."""
        stream = self._streams.get(name)
        if stream is None:
            if _AGENT_STREAM.fullmatch(name):
                raise ValueError(f"{name!r} is one agent's stream: take it with Streams.own")
            stream = self._streams[name] = self._new(name)
        return stream

    def own(self, name: str) -> np.random.Generator:
        """Agent stream `name` from its start, not kept here."""
        if not _AGENT_STREAM.fullmatch(name):
            raise ValueError(f"{name!r} is not an agent's stream (class:kind:index): take it with Streams.get")
        return self._new(name)

    def _new(self, name: str) -> np.random.Generator:
        # crc32 of the name is stable across Python runs (hash() is salted per process)
        key = zlib.crc32(name.encode("utf-8"))
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(key,))))
