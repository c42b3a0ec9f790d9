"""Shared fixtures: backends by name and a real anvil node started by the test itself."""

from __future__ import annotations

import pytest

from simulator.chain import Chain
from simulator.chain.anvil import AnvilNode


@pytest.fixture(scope="session")
def anvil_node():
    """A real anvil (npm @foundry-rs/anvil-linux-amd64) on 127.0.0.1 and a free port, stopped afterwards."""
    node = AnvilNode().start()
    yield node
    node.stop()


@pytest.fixture(params=["revm", "pyevm", "web3"])
def chain(request) -> Chain:
    c = Chain(request.param, seed=11)
    yield c
    c.close()
