"""The interface every EVM backend serves, and the chain semantics they all share.

Shared semantics (what makes outputs byte-identical across backends):
- Fees are zero: base fee 0, gas price 0, so accounts need no ether and gas is only measured.
- Every transaction, successful or reverted, is mined in a block of its own:
  number = latest + 1, timestamp = latest timestamp + 1.
- `advance_time(t)` mines one empty block at timestamp t when t is later than the latest block,
  so views and the next transaction see the simulation's clock.
- A reverted transaction changes no contract state (the sender's nonce still increases, as on a chain).
- Views (`call`) execute against the latest block.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from simulator.evm.errors import UserError

# 2026-01-01T00:00:00Z: block timestamp of genesis; simulation time t maps to GENESIS_TIMESTAMP + t.
GENESIS_TIMESTAMP = 1_767_225_600
CHAIN_ID = 31337
TX_GAS_LIMIT = 25_000_000
BLOCK_GAS_LIMIT = 30_000_000


@dataclass(frozen=True, slots=True)
class RawLog:
    address: str  # checksummed
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(slots=True)
class TxResult:
    """What a mined transaction left behind, backend-neutral."""

    success: bool
    output: bytes  # return data, or revert data when not successful
    gas_used: int
    logs: list[RawLog] = field(default_factory=list)
    block_number: int = 0
    timestamp: int = 0
    tx_hash: str | None = None  # only real chains (web3 backend) have one
    contract_address: str | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    serial: int
    token: object
    block_number: int
    timestamp: int
    tx_count: int
    gas_used_total: int


class Backend(ABC):
    """One EVM. Addresses are checksummed hex strings; data is bytes."""

    name: str = "abstract"

    def __init__(self) -> None:
        self.block_number = 0
        self.timestamp = GENESIS_TIMESTAMP
        self.tx_count = 0
        self.gas_used_total = 0
        self._snapshot_serial = 0
        self._live_snapshots: list[int] = []

    # --- time --------------------------------------------------------------------------
    def advance_time(self, timestamp: int) -> None:
        """Mine an empty block at `timestamp` if it is later than the latest block."""
        if timestamp > self.timestamp:
            self._mine_empty_block(timestamp)
            self.block_number += 1
            self.timestamp = timestamp

    def _next_block(self) -> tuple[int, int]:
        self.block_number += 1
        self.timestamp += 1
        return self.block_number, self.timestamp

    def _account(self, result: TxResult) -> TxResult:
        self.tx_count += 1
        self.gas_used_total += result.gas_used
        return result

    # --- backend primitives --------------------------------------------------------------
    @abstractmethod
    def _mine_empty_block(self, timestamp: int) -> None: ...

    @abstractmethod
    def deploy(self, sender: str, initcode: bytes) -> TxResult:
        """Create a contract from `sender` (CREATE, nonce-derived address)."""

    @abstractmethod
    def transact(self, sender: str, to: str, data: bytes, value: int = 0, want_output: bool = False) -> TxResult:
        """Send a transaction; never raises for a revert (see TxResult.success).

        `want_output`: the caller decodes the return data (a node only gives it to a dry run first).
        """

    @abstractmethod
    def call(self, sender: str, to: str, data: bytes) -> tuple[bool, bytes]:
        """Execute a view against the latest block without changing state: (success, output)."""

    def snapshot(self) -> Snapshot:
        """A token to return once to this exact state (contracts, balances, block, counters).

        As with anvil's evm_revert, reverting consumes the snapshot (and any taken after it)."""
        self._snapshot_serial += 1
        snap = Snapshot(self._snapshot_serial, self._snapshot(), self.block_number, self.timestamp,
                        self.tx_count, self.gas_used_total)
        self._live_snapshots.append(snap.serial)
        return snap

    def revert(self, snapshot: Snapshot) -> None:
        if snapshot.serial not in self._live_snapshots:
            raise UserError("this snapshot was already reverted to (or an earlier one was): take a new snapshot")
        del self._live_snapshots[self._live_snapshots.index(snapshot.serial):]
        self.block_number, self.timestamp = snapshot.block_number, snapshot.timestamp
        self.tx_count, self.gas_used_total = snapshot.tx_count, snapshot.gas_used_total
        self._revert(snapshot.token)

    @abstractmethod
    def _snapshot(self) -> object: ...

    @abstractmethod
    def _revert(self, token: object) -> None: ...

    @abstractmethod
    def get_balance(self, address: str) -> int:
        """Ether balance in wei."""

    def prepare_account(self, address: str, private_key: bytes) -> None:  # noqa: B027 - optional hook
        """Make an account usable as a sender (web3 needs its key to sign)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (connections, nodes)."""

    def describe(self) -> str:
        return self.name
