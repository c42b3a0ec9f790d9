"""The Chain: one backend, the deterministic accounts, contract handles and the simulation clock."""

from __future__ import annotations

from simulator.chain.abi import contract_abi, decode_revert
from simulator.chain.accounts import AccountBook
from simulator.chain.artifacts import load_artifact
from simulator.chain.backends import DEFAULT_BACKEND, open_backend
from simulator.chain.backends.base import GENESIS_TIMESTAMP, Backend
from simulator.chain.contract import Contract, ContractRevert, decode_logs


class Chain:
    """What the model talks to. It never sees which backend serves it."""

    def __init__(self, backend: str | Backend = DEFAULT_BACKEND, *, rpc_url: str | None = None, seed: int = 0) -> None:
        self.backend = backend if isinstance(backend, Backend) else open_backend(backend, rpc_url)
        self.accounts = AccountBook(seed)
        self.origin_timestamp = self.backend.timestamp  # simulation time 0
        self.default_sender = self.new_account("default")
        self.contracts: dict[str, Contract] = {}
        # (contract, function, gas) of every successful transaction, when a caller wants a gas report
        self.gas_log: list[tuple[str, str, int]] | None = None

    # --- accounts ------------------------------------------------------------------------------
    def new_account(self, label: str | None = None) -> str:
        address, key = self.accounts.new(label)
        self.backend.prepare_account(address, key)
        return address

    # --- contracts -----------------------------------------------------------------------------
    def deploy(self, name: str, *args, sender: str | None = None) -> Contract:
        artifact = load_artifact(name)
        initcode = artifact.bytecode + contract_abi(name).encode_constructor(args)
        result = self.backend.deploy(sender or self.default_sender, initcode)
        if not result.success:
            error, err_args = decode_revert(result.output)
            raise ContractRevert(name, "constructor", error, err_args, result.output, result.gas_used)
        if self.gas_log is not None:
            self.gas_log.append((name, "constructor", result.gas_used))
        contract = Contract(self, name, result.contract_address)
        contract.deploy_events = decode_logs(result)
        contract.deploy_gas = result.gas_used
        return contract

    def at(self, name: str, address: str) -> Contract:
        return Contract(self, name, address)

    # --- time ----------------------------------------------------------------------------------
    @property
    def now(self) -> int:
        """Timestamp of the latest block."""
        return self.backend.timestamp

    def timestamp_at(self, sim_seconds: float) -> int:
        return self.origin_timestamp + int(sim_seconds)

    def advance_to(self, sim_seconds: float) -> None:
        """Bring the chain clock to simulation time `sim_seconds` (mines an empty block if later)."""
        self.backend.advance_time(self.timestamp_at(sim_seconds))

    # --- state ---------------------------------------------------------------------------------
    def snapshot(self):
        return self.backend.snapshot()

    def revert(self, snapshot) -> None:
        self.backend.revert(snapshot)

    @property
    def tx_count(self) -> int:
        return self.backend.tx_count

    @property
    def gas_used_total(self) -> int:
        return self.backend.gas_used_total

    def close(self) -> None:
        self.backend.close()


__all__ = ["Chain", "GENESIS_TIMESTAMP"]
