"""The `pyevm` backend: py-evm's Cancun state applied directly, no block mining per call.

As titanoboa does it: one persistent `state` object; each transaction is an unsigned, spoofed
transaction applied to that state; the block number and timestamp of the execution context are
set for each transaction. Pure Python, the reference implementation for differential tests.
"""

from __future__ import annotations

from typing import Protocol, cast

from eth.abc import ComputationAPI
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.typing import HeaderParams
from eth.vm.forks.cancun import CancunVM
from eth.vm.spoof import SpoofTransaction
from eth_typing import Address, BlockNumber, Hash32
from eth_utils import to_canonical_address, to_checksum_address

from simulator.evm.backends.base import BLOCK_GAS_LIMIT, CHAIN_ID, TX_GAS_LIMIT, Backend, RawLog, TxResult

_CREATE = Address(b"")  # the `to` of a contract creation


class _BlockFields(Protocol):
    """The fields of py-evm's ExecutionContext that say which block executes (it has no setters)."""

    _block_number: int
    _timestamp: int


class _CancunChain(MiningChain):
    vm_configuration = ((BlockNumber(0), CancunVM),)
    chain_id = CHAIN_ID


PERSIST_EVERY = 16


class PyEvmBackend(Backend):
    name = "pyevm"

    def __init__(self) -> None:
        super().__init__()
        genesis: dict[str, HeaderParams] = {
            "difficulty": 0,
            "gas_limit": BLOCK_GAS_LIMIT,
            "timestamp": self.timestamp,
            "base_fee_per_gas": 0,
            "coinbase": b"\x00" * 20,
            "nonce": b"\x00" * 8,
            "mix_hash": b"\x00" * 32,
            "extra_data": b"",
        }
        self._db = AtomicDB()
        chain = _CancunChain.from_genesis(self._db, genesis, {})
        self.vm = cast(CancunVM, chain.get_vm())  # finalize_gas_used is a VM class's, not in VirtualMachineAPI
        self.state = self.vm.state
        self._context = cast(_BlockFields, self.state.execution_context)  # every state here shares this one
        self._unpersisted = 0  # transactions since the state was last persisted

    def _set_block(self, number: int, timestamp: int) -> None:
        # ExecutionContext has no setters; py-evm reads these fields on every opcode that needs them.
        self._context._block_number = number
        self._context._timestamp = timestamp

    def _mine_empty_block(self, timestamp: int) -> None:
        self._set_block(self.block_number + 1, timestamp)

    def _apply(self, sender: str, to: Address, data: bytes, value: int) -> tuple[ComputationAPI, int, int]:
        number, timestamp = self._next_block()
        self._set_block(number, timestamp)
        sender_b = to_canonical_address(sender)
        tx = self.vm.create_unsigned_transaction(
            nonce=self.state.get_nonce(sender_b), gas_price=0, gas=TX_GAS_LIMIT, to=to, value=value, data=data
        )
        spoof = SpoofTransaction(tx, from_=sender_b)
        # SpoofTransaction stands in for a signed transaction (py-evm's design: its own gas estimator casts it),
        # but the class does not declare SignedTransactionAPI
        computation = self.state.apply_transaction(spoof)  # type: ignore[arg-type]
        # End of transaction, as a block builder does it: storage "original values" (EIP-2200) and
        # warm/cold access (EIP-2929) start afresh for the next transaction, so gas is what a chain charges.
        self.state.lock_changes()
        # Every PERSIST_EVERY transactions the state is persisted, as blocks would be: py-evm's per-call-frame
        # checkpoints walk every account whose storage changed since the last persist, so without it each call
        # frame costs more as the run goes on (a compliant transfer makes about 60 frames: with 200 ONCHAINID
        # identities written, a transfer ran at half the speed). Persisting after every transaction would cost
        # more than it saves on small worlds.
        self._unpersisted += 1
        if self._unpersisted >= PERSIST_EVERY:
            self.state.persist()
            self._unpersisted = 0
        return computation, number, timestamp

    def _result(self, computation: ComputationAPI, spoof_gas: int, number: int, timestamp: int,
                address: str | None) -> TxResult:
        # py-evm annotates a SignedTransactionAPI but reads only `transaction.gas`
        gas_used = self.vm.finalize_gas_used(_GasView(spoof_gas), computation)  # type: ignore[arg-type]
        if computation.is_error:
            return self._account(TxResult(False, bytes(computation.output), gas_used, [], number, timestamp))
        logs = [
            RawLog(to_checksum_address(addr), tuple(t.to_bytes(32, "big") for t in topics), bytes(data))
            for addr, topics, data in computation.get_log_entries()
        ]
        return self._account(TxResult(True, bytes(computation.output), gas_used, logs, number, timestamp,
                                      contract_address=address))

    def deploy(self, sender: str, initcode: bytes) -> TxResult:
        computation, number, timestamp = self._apply(sender, _CREATE, initcode, 0)
        address = None
        if not computation.is_error:
            address = to_checksum_address(computation.msg.storage_address)
        result = self._result(computation, TX_GAS_LIMIT, number, timestamp, address)
        result.output = b"" if result.success else result.output
        return result

    def transact(self, sender: str, to: str, data: bytes, value: int = 0, want_output: bool = False) -> TxResult:
        computation, number, timestamp = self._apply(sender, to_canonical_address(to), data, value)
        return self._result(computation, TX_GAS_LIMIT, number, timestamp, None)

    def call(self, sender: str, to: str, data: bytes) -> tuple[bool, bytes]:
        sender_b = to_canonical_address(sender)
        tx = self.vm.create_unsigned_transaction(
            nonce=self.state.get_nonce(sender_b), gas_price=0, gas=TX_GAS_LIMIT, to=to_canonical_address(to),
            value=0, data=data,
        )
        snapshot = self.state.snapshot()
        try:
            spoof = SpoofTransaction(tx, from_=sender_b)
            computation = self.state.apply_transaction(spoof)  # type: ignore[arg-type]  # a spoof: see _apply
        finally:
            self.state.revert(snapshot)
        return (not computation.is_error), bytes(computation.output)

    def _snapshot(self) -> Hash32:
        # py-evm's journal checkpoints do not survive the end of a transaction (lock_changes), so a
        # snapshot persists the state and remembers its root; the database keeps every trie node.
        self.state.persist()
        return self.state.state_root

    def _revert(self, token: object) -> None:
        root = cast(Hash32, token)  # what _snapshot returned
        self.state = type(self.state)(self._db, self.state.execution_context, root)
        self._set_block(self.block_number, self.timestamp)

    def get_balance(self, address: str) -> int:
        return self.state.get_balance(Address(to_canonical_address(address)))


class _GasView:
    """finalize_gas_used only reads `transaction.gas`."""

    __slots__ = ("gas",)

    def __init__(self, gas: int) -> None:
        self.gas = gas
