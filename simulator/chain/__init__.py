"""The chain layer: artifacts, ABI codecs, contract handles and three interchangeable EVM backends."""

from simulator.chain.backends import BACKENDS, DEFAULT_BACKEND, open_backend
from simulator.chain.chain import Chain
from simulator.chain.contract import Contract, ContractRevert, Event, Receipt

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Chain", "Contract", "ContractRevert", "Event", "Receipt", "open_backend"]
