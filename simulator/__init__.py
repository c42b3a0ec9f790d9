"""gba-rwa-sim: real Solidity RWA contracts on an in-memory EVM, driven by a SimPy model of the GBA market."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.model.config import WorldConfig
    from simulator.runner import RunResult

__version__ = "0.1.0"


def run(config: WorldConfig, seed: int = 0, backend: str = "revm", **kwargs: Any) -> RunResult:
    """Run one world: `simulator.run(WorldConfig(...), seed=1, backend="revm") -> RunResult`."""
    from simulator.runner import run as _run

    return _run(config, seed, backend, **kwargs)
