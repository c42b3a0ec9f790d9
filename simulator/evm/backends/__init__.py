"""EVM backends behind one interface; chosen by name."""

from __future__ import annotations

from simulator.evm.backends.base import Backend
from simulator.evm.errors import InputError

BACKENDS = ("revm", "pyevm", "web3")
DEFAULT_BACKEND = "revm"


def open_backend(name: str = DEFAULT_BACKEND, rpc_url: str | None = None) -> Backend:
    """A fresh backend by name; `rpc_url` (web3 only) points at a JSON-RPC node such as anvil."""
    if name not in BACKENDS:
        raise InputError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    if rpc_url is not None and name != "web3":
        raise InputError(f"--rpc-url needs the web3 backend, not {name!r}")
    if name == "revm":
        from simulator.evm.backends.revm import RevmBackend

        return RevmBackend()
    if name == "pyevm":
        from simulator.evm.backends.pyevm import PyEvmBackend

        return PyEvmBackend()
    from simulator.evm.backends.web3 import Web3Backend

    return Web3Backend(rpc_url)
