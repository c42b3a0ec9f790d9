"""The anvil node this project pins (npm @foundry-rs/anvil-linux-amd64 in contracts/package.json)."""

from __future__ import annotations

from pathlib import Path

from simulator.evm import anvil as harness
from simulator.evm.anvil import free_port

PINNED_ANVIL = Path(__file__).resolve().parents[2] / "contracts" / "node_modules" / ".bin" / "anvil"


def find_anvil() -> str:
    """contracts/node_modules/.bin/anvil if the npm package is installed, else anvil on PATH."""
    return harness.find_anvil([PINNED_ANVIL],
                              hint="run `npm ci` in contracts/ (it installs @foundry-rs/anvil-linux-amd64)")


class AnvilNode(harness.AnvilNode):
    """The harness's node, run from the pinned binary when it is installed."""

    def locate(self) -> str:
        return self.executable or find_anvil()


__all__ = ["PINNED_ANVIL", "AnvilNode", "find_anvil", "free_port"]
