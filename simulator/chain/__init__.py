"""This project's contract suite on the EVM harness (simulator.evm): its artifacts, toolchain and deployment.

`Chain` here is the harness's, bound to the suite's artifacts, so `from simulator.chain import Chain` is all
the model, the CLI and the tests need.
"""

from simulator.chain.artifacts import ARTIFACTS
from simulator.chain.chain import Chain
from simulator.evm.backends import BACKENDS, DEFAULT_BACKEND, open_backend
from simulator.evm.contract import Contract, ContractRevert, Event, Receipt

__all__ = [
    "ARTIFACTS", "BACKENDS", "DEFAULT_BACKEND", "Chain", "Contract", "ContractRevert", "Event", "Receipt",
    "open_backend",
]
