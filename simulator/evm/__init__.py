"""A generic EVM harness: Solidity artifacts deployed and called on interchangeable EVM backends.

    from simulator.evm import ArtifactStore, Chain
    chain = Chain("revm", artifacts=ArtifactStore("out/artifacts"), seed=7)
    token = chain.deploy("MyToken", ..., sender=chain.new_account("admin"))

It imports nothing of the application around it (a test asserts it), so it can be lifted into another project.
The names below are loaded on first use: importing `simulator.evm.errors` (as every CLI module does, through
`simulator.errors`) must not pay for eth-abi and the backends.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.evm.artifacts import Artifact, ArtifactStore
    from simulator.evm.backends import BACKENDS, DEFAULT_BACKEND, open_backend
    from simulator.evm.chain import Chain, Clock
    from simulator.evm.contract import Contract, ContractRevert, Event, Receipt
    from simulator.evm.errors import InputError, UserError

_EXPORTS = {
    "Artifact": "simulator.evm.artifacts",
    "ArtifactStore": "simulator.evm.artifacts",
    "BACKENDS": "simulator.evm.backends",
    "DEFAULT_BACKEND": "simulator.evm.backends",
    "open_backend": "simulator.evm.backends",
    "Chain": "simulator.evm.chain",
    "Clock": "simulator.evm.chain",
    "Contract": "simulator.evm.contract",
    "ContractRevert": "simulator.evm.contract",
    "Event": "simulator.evm.contract",
    "Receipt": "simulator.evm.contract",
    "InputError": "simulator.evm.errors",
    "UserError": "simulator.evm.errors",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "BACKENDS", "DEFAULT_BACKEND", "Artifact", "ArtifactStore", "Chain", "Clock", "Contract", "ContractRevert", "Event",
    "InputError", "Receipt", "UserError", "open_backend",
]
