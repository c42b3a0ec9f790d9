"""Named random streams spawned from the run seed.

Each actor draws from its own numpy Generator, keyed by a stable name, so adding an actor or a draw in one
stream never shifts the draws of another (a plain shared Generator would).
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """`Streams(seed).get("solar")` -> the same Generator for the same (seed, name), on every run."""

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError("seed must be non-negative")
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        stream = self._streams.get(name)
        if stream is None:
            # crc32 of the name is stable across Python runs (hash() is salted per process)
            key = zlib.crc32(name.encode("utf-8"))
            stream = np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(key,))))
            self._streams[name] = stream
        return stream
