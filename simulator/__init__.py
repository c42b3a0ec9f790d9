"""gba-rwa-sim: real Solidity RWA contracts on an in-memory EVM, driven by a SimPy model of the GBA market."""

__version__ = "0.1.0"
