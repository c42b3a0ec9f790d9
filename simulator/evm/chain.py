"""The Chain: one backend, the deterministic accounts, contract handles, an artifact store and the clock."""

from __future__ import annotations

import os
from collections.abc import Callable

from simulator.evm.accounts import DEFAULT_DOMAIN, AccountBook
from simulator.evm.artifacts import ArtifactStore
from simulator.evm.backends import DEFAULT_BACKEND, open_backend
from simulator.evm.backends.base import GENESIS_TIMESTAMP, Backend, Snapshot
from simulator.evm.contract import Contract, ContractRevert, decode_logs

Clock = Callable[[], float]  # the caller's current time in seconds since simulation time 0


class Chain:
    """What a model talks to. It never sees which backend serves it.

    `artifacts`: the store (or its directory) contracts are deployed from and reverts and logs decoded against.
    `clock`: when set, every transaction, deploy and view first brings the chain to `clock()`, as
    `advance_to(clock())` would, so a caller with a clock of its own (a discrete-event model) need not
    remember to move block time before each call. Without one, time moves only by `advance_to`.
    `account_domain`: mixed into every derived key, so that two projects with the same seed get distinct
    accounts; one project must keep it fixed to keep its addresses.
    """

    def __init__(self, backend: str | Backend = DEFAULT_BACKEND, *, artifacts: ArtifactStore | str | os.PathLike[str],
                 rpc_url: str | None = None, seed: int = 0, clock: Clock | None = None,
                 account_domain: bytes = DEFAULT_DOMAIN) -> None:
        self.backend = backend if isinstance(backend, Backend) else open_backend(backend, rpc_url)
        self.artifacts = artifacts if isinstance(artifacts, ArtifactStore) else ArtifactStore(artifacts)
        self.clock: Clock | None = clock
        self.accounts = AccountBook(seed, domain=account_domain)
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
    def deploy(self, name: str, *args: object, sender: str | None = None) -> Contract:
        artifact = self.artifacts.load(name)
        initcode = artifact.bytecode + self.artifacts.abi(name).encode_constructor(args)
        if self.clock is not None:
            self.sync_clock()
        result = self.backend.deploy(sender or self.default_sender, initcode)
        if not result.success:
            error, err_args = self.artifacts.decode_revert(result.output)
            raise ContractRevert(name, "constructor", error, err_args, result.output, result.gas_used)
        if self.gas_log is not None:
            self.gas_log.append((name, "constructor", result.gas_used))
        if result.contract_address is None:  # every backend sets it on a successful create
            raise RuntimeError(f"{name}: the backend reported a successful deploy without an address")
        contract = Contract(self, name, result.contract_address)
        contract.deploy_events = decode_logs(result, self.artifacts)
        contract.deploy_gas = result.gas_used
        return contract

    def at(self, name: str, address: str) -> Contract:
        return Contract(self, name, address)

    # --- time ----------------------------------------------------------------------------------
    @property
    def now(self) -> int:
        """Timestamp of the latest block; with a clock, the chain is brought to the clock's time first, so
        `now` is what the next transaction's block will build on."""
        self.sync_clock()
        return self.backend.timestamp

    @property
    def block_number(self) -> int:
        """Number of the latest block, as it is: unlike `now`, reading it never brings the chain to the clock
        (so it mines nothing)."""
        return self.backend.block_number

    def timestamp_at(self, sim_seconds: float) -> int:
        return self.origin_timestamp + int(sim_seconds)

    def next_block_time(self, sim_seconds: float) -> int:
        """The timestamp a transaction sent at `sim_seconds` would get, without mining anything: every block is
        a second after the last, so in a busy instant the chain's clock runs ahead of the simulation's."""
        return max(self.timestamp_at(sim_seconds), self.backend.timestamp) + 1

    def advance_to(self, sim_seconds: float) -> None:
        """Bring the chain clock to simulation time `sim_seconds` (mines an empty block if later)."""
        self.backend.advance_time(self.timestamp_at(sim_seconds))

    def sync_clock(self) -> None:
        """Bring the chain to `clock()`, if a clock is set (handles call this before every call they make)."""
        if self.clock is not None:
            self.advance_to(self.clock())

    # --- state ---------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        return self.backend.snapshot()

    def revert(self, snapshot: Snapshot) -> None:
        self.backend.revert(snapshot)

    @property
    def tx_count(self) -> int:
        return self.backend.tx_count

    @property
    def gas_used_total(self) -> int:
        return self.backend.gas_used_total

    def close(self) -> None:
        self.backend.close()


__all__ = ["GENESIS_TIMESTAMP", "Chain", "Clock"]
