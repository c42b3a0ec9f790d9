"""Contract handles: thin glue between Python calls and any backend (in the spirit of titanoboa).

    token = chain.deploy("SettlementToken", "HKD Coin", "HKDC", "HKD", 6, admin, sender=admin)
    token.mint(bob, 10**6, sender=admin)   # transaction -> Receipt (value, events, gas)
    token.balanceOf(bob)                   # view -> decoded value
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.evm.backends.base import TxResult

if TYPE_CHECKING:
    from simulator.evm.abi import ContractABI, FunctionABI
    from simulator.evm.artifacts import ArtifactStore
    from simulator.evm.chain import Chain


@dataclass(frozen=True, slots=True)
class Event:
    """A decoded log."""

    name: str
    args: dict
    address: str


class Receipt:
    """A successful transaction: its decoded return value, events and gas. Events are decoded on first
    access: a model that never reads them (most transactions) does not pay for decoding them."""

    __slots__ = (
        "_artifacts",
        "_events",
        "_raw",
        "block_number",
        "contract_address",
        "gas_used",
        "timestamp",
        "tx_hash",
        "value",
    )

    def __init__(self, value: object, raw: TxResult, artifacts: ArtifactStore) -> None:
        self.value = value
        self.gas_used = raw.gas_used
        self.block_number = raw.block_number
        self.timestamp = raw.timestamp
        self.tx_hash = raw.tx_hash
        self.contract_address = raw.contract_address
        self._raw = raw
        self._artifacts = artifacts  # what the logs are decoded against
        self._events: list[Event] | None = None

    @property
    def events(self) -> list[Event]:
        if self._events is None:
            self._events = decode_logs(self._raw, self._artifacts)
        return self._events

    def events_named(self, name: str) -> list[Event]:
        return [e for e in self.events if e.name == name]

    def __repr__(self) -> str:
        return (f"Receipt(value={self.value!r}, gas_used={self.gas_used}, block_number={self.block_number}, "
                f"logs={len(self._raw.logs)})")


class ContractRevert(Exception):
    """A call or transaction reverted; names the Solidity error and its decoded arguments."""

    def __init__(self, contract: str, function: str, error: str, args: dict, data: bytes, gas_used: int | None = None):
        rendered = ", ".join(f"{k}={_render(v)}" for k, v in args.items())
        self.message = f"{contract}.{function} reverted: {error}({rendered})"
        # the constructor's own arguments, so `type(e)(*e.args)` rebuilds it (SimPy re-raises a process's
        # exception that way)
        super().__init__(contract, function, error, args, data, gas_used)
        self.contract = contract
        self.function = function
        self.error = error
        self.error_args = args  # not `args`: Exception owns that name
        self.data = data
        self.gas_used = gas_used

    def __str__(self) -> str:
        return self.message


def _render(value: object) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value) if isinstance(value, str) and not value.startswith("0x") else str(value)


def decode_logs(result: TxResult, artifacts: ArtifactStore) -> list[Event]:
    """Every log of `result`, decoded against the events of `artifacts` (`UnknownLog` for any other)."""
    events = []
    for log in result.logs:
        decoded = artifacts.decode_event(log.topics, log.data)
        if decoded is None:
            events.append(Event("UnknownLog", {"topics": log.topics, "data": log.data}, log.address))
        else:
            events.append(Event(decoded[0], decoded[1], log.address))
    return events


class ContractFunction:
    """`handle.name(*args, sender=...)`: a view is called, anything else is sent as a transaction."""

    __slots__ = ("_contract", "_name")

    def __init__(self, contract: Contract, name: str) -> None:
        self._contract = contract
        self._name = name

    def __call__(self, *args: object, sender: str | None = None) -> Any:
        """A view's decoded return value, or the Receipt of a transaction."""
        fn = self._contract.abi.function(self._name, args)
        if fn.is_view:
            return self._contract._call(fn, args, sender)
        return self._contract._transact(fn, args, sender)

    def call(self, *args: object, sender: str | None = None) -> Any:
        """Execute without a transaction (also for non-view functions: a dry run)."""
        return self._contract._call(self._contract.abi.function(self._name, args), args, sender)


class Contract:
    # Handle attributes; every other attribute name is an ABI function. An ABI function whose name
    # collides with one of these is reached with `handle.fn("name")`.
    deploy_events: list[Event]  # set by Chain.deploy only (not on handles from Chain.at)
    deploy_gas: int
    def __init__(self, chain: Chain, contract_name: str, address: str) -> None:
        self.chain = chain
        self.contract_name = contract_name
        self.address = address
        self.abi: ContractABI = chain.artifacts.abi(contract_name)

    def __repr__(self) -> str:
        return f"<{self.contract_name} at {self.address}>"

    def __getattr__(self, name: str) -> ContractFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.fn(name)

    def fn(self, name: str) -> ContractFunction:
        """The ABI function `name`, also when a handle attribute shadows it."""
        if name not in self.abi.functions:
            raise AttributeError(f"{self.contract_name} has no function {name!r}")
        return ContractFunction(self, name)

    def _call(self, fn: FunctionABI, args: tuple[object, ...], sender: str | None) -> Any:
        data = fn.encode(args)
        chain = self.chain
        if chain.clock is not None:
            chain.sync_clock()
        ok, output = chain.backend.call(sender or chain.default_sender, self.address, data)
        if not ok:
            name, err_args = chain.artifacts.decode_revert(output)
            raise ContractRevert(self.contract_name, fn.name, name, err_args, output)
        return fn.decode(output)

    def _transact(self, fn: FunctionABI, args: tuple[object, ...], sender: str | None) -> Receipt:
        data = fn.encode(args)
        chain = self.chain
        if chain.clock is not None:
            chain.sync_clock()
        result = chain.backend.transact(sender or chain.default_sender, self.address, data,
                                        want_output=bool(fn.output_types))
        if not result.success:
            name, err_args = chain.artifacts.decode_revert(result.output)
            raise ContractRevert(self.contract_name, fn.name, name, err_args, result.output, result.gas_used)
        if chain.gas_log is not None:
            chain.gas_log.append((self.contract_name, fn.name, result.gas_used))
        return Receipt(fn.decode(result.output), result, chain.artifacts)

    def transact_raw(self, calldata: bytes, sender: str) -> TxResult:
        """Send pre-encoded calldata (hot loops, benchmarks): no decoding, no exception on revert."""
        chain = self.chain
        if chain.clock is not None:
            chain.sync_clock()
        return chain.backend.transact(sender, self.address, calldata)
