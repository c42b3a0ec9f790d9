"""ABI codecs built once per artifact: function calls, event logs and revert errors (eth-abi, eth-utils).

Nothing here knows where artifacts come from: the event and error tables that logs and revert data are
decoded against are passed in (an `ArtifactStore` builds them from its contracts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_abi import is_encodable
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from simulator.evm.errors import UserError

Codec = Callable[[Any], Any]  # one static word: value -> 32 bytes (None: eth-abi must do it), or the reverse
ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)
PANIC_CODES = {
    0x01: "assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "invalid storage byte array",
    0x31: "pop on empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to a zero-initialized function",
}


@lru_cache(maxsize=1 << 16)
def checksum(address: str) -> str:
    """EIP-55 form. Memoised: it hashes the address (about 10 us), and a run decodes the same few contracts'
    and active investors' addresses in every receipt; bounded, so a whole market's wallets do not pile up."""
    return to_checksum_address(address)


def normalize(typ: str, value: Any) -> Any:
    """eth-abi decodes addresses in lower case; the simulator uses checksummed addresses everywhere."""
    if "address" not in typ:
        return value
    if typ == "address":
        return checksum(value)
    if typ.endswith("]"):
        inner = typ[: typ.rindex("[")]
        return tuple(normalize(inner, v) for v in value)
    if typ.startswith("("):
        return tuple(normalize(t, v) for t, v in zip(split_tuple(typ), value, strict=True))
    return value


def split_tuple(typ: str) -> list[str]:
    """'(address,(uint256,bool))' -> ['address', '(uint256,bool)']."""
    body, parts, depth, start = typ[1:-1], [], 0, 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return [p for p in parts if p]


def _word_decoder(typ: str) -> Codec | None:
    """A decoder for one static 32-byte word, or None when eth-abi must do it."""
    if typ == "address":
        return lambda w: checksum("0x" + w[12:].hex())
    if typ == "bool":
        return lambda w: w[31] == 1
    if typ.startswith("uint") and typ[4:].isdigit():
        return lambda w: int.from_bytes(w, "big")
    if typ.startswith("int") and typ[3:].isdigit():
        return lambda w: int.from_bytes(w, "big", signed=True)
    if typ == "bytes32":
        return bytes
    return None


def _word_encoder(typ: str) -> Codec | None:
    """An encoder for one static word that returns None for anything it does not fully validate."""
    if typ == "address":
        def enc(v: object) -> bytes | None:
            if isinstance(v, str) and len(v) == 42 and v[:2] in ("0x", "0X"):
                try:
                    return b"\x00" * 12 + bytes.fromhex(v[2:])
                except ValueError:
                    return None
            return None
        return enc
    if typ == "bool":
        return lambda v: (b"\x00" * 31 + (b"\x01" if v else b"\x00")) if isinstance(v, bool) else None
    if typ.startswith("uint") and typ[4:].isdigit():
        bound = 1 << int(typ[4:])
        return lambda v: v.to_bytes(32, "big") if type(v) is int and 0 <= v < bound else None
    if typ.startswith("int") and typ[3:].isdigit():
        half = 1 << (int(typ[3:]) - 1)
        return lambda v: v.to_bytes(32, "big", signed=True) if type(v) is int and -half <= v < half else None
    if typ == "bytes32":
        return lambda v: v if isinstance(v, bytes) and len(v) == 32 else None
    return None


def _word_parts(types: tuple[str, ...], codec_for: Callable[[str], Codec | None]) -> list[tuple[bool, Codec]] | None:
    """Per type, (is a dynamic array of static words, the codec of one word), or None when any type is
    something else (eth-abi handles those)."""
    parts = []
    for t in types:
        is_array = t.endswith("[]")
        codec = codec_for(t[:-2] if is_array else t)
        if codec is None:
            return None
        parts.append((is_array, codec))
    return parts


@lru_cache(maxsize=4096)
def _fast_encoder(types: tuple[str, ...]) -> Callable[[tuple[Any, ...]], bytes | None] | None:
    """Static words and dynamic arrays of static words (batch calls) encode by concatenation."""
    parts = _word_parts(types, _word_encoder)
    if parts is None:
        return None
    head_size = 32 * len(types)

    def encode(args: tuple[Any, ...]) -> bytes | None:
        # a word codec returns None for a value it cannot encode: checked below, before the join
        heads: list[bytes] = []
        tails: list[bytes] = []
        offset = head_size
        for (is_array, e), a in zip(parts, args, strict=True):
            if not is_array:
                heads.append(e(a))
                continue
            if not isinstance(a, list | tuple):
                return None
            words = [e(v) for v in a]
            heads.append(offset.to_bytes(32, "big"))
            tails.append(len(a).to_bytes(32, "big"))
            tails.extend(words)
            offset += 32 * (1 + len(a))
        if None in heads or None in tails:
            return None  # let eth-abi encode it or explain what is wrong
        return b"".join(heads) + b"".join(tails)

    return encode


@lru_cache(maxsize=4096)
def _fast_decoder(types: tuple[str, ...]) -> Callable[[bytes], tuple[Any, ...]] | None:
    """Static word types (the common case: balances, addresses, flags) and one-word arrays decode by
    slicing, not by eth-abi."""
    parts = _word_parts(types, _word_decoder)
    if parts is None:
        return None
    size = 32 * len(types)

    def decode(data: bytes) -> tuple[Any, ...]:
        if len(data) < size:
            raise DecodingError(f"expected {size} bytes, got {len(data)}")
        values: list[Any] = []
        for i, (is_array, d) in enumerate(parts):
            word = data[32 * i : 32 * i + 32]
            if not is_array:
                values.append(d(word))
                continue
            offset = int.from_bytes(word, "big")
            if offset + 32 > len(data):
                raise DecodingError(f"array offset {offset} beyond {len(data)} bytes")
            n = int.from_bytes(data[offset : offset + 32], "big")
            start = offset + 32
            if start + 32 * n > len(data):
                raise DecodingError(f"array of {n} words beyond {len(data)} bytes")
            values.append(tuple(d(data[start + 32 * j : start + 32 * j + 32]) for j in range(n)))
        return tuple(values)

    return decode


def decode_values(types: tuple[str, ...] | list[str], data: bytes) -> tuple[Any, ...]:
    types = tuple(types)
    fast = _fast_decoder(types)
    if fast is not None:
        return fast(data)
    return tuple(normalize(t, v) for t, v in zip(types, abi_decode(types, data), strict=True))


def canonical_type(param: dict) -> str:
    """ABI JSON param -> canonical type string (tuples expanded)."""
    t = param["type"]
    if t.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){t[5:]}"
    return t


@dataclass(frozen=True)
class FunctionABI:
    contract: str
    name: str
    signature: str
    selector: bytes
    input_types: tuple[str, ...]
    input_names: tuple[str, ...]
    output_types: tuple[str, ...]
    is_view: bool

    def encode(self, args: tuple) -> bytes:
        if len(args) != len(self.input_types):
            raise AbiArgumentError(
                f"{self.contract}.{self.signature}: expected {len(self.input_types)} argument(s), got {len(args)}"
            )
        fast = _fast_encoder(self.input_types)
        if fast is not None:
            encoded = fast(args)
            if encoded is not None:
                return self.selector + encoded
        try:
            return self.selector + abi_encode(self.input_types, args)
        except Exception:
            for i, (typ, value) in enumerate(zip(self.input_types, args, strict=True)):
                if not is_encodable(typ, value):
                    name = self.input_names[i] or f"#{i + 1}"
                    raise AbiArgumentError(
                        f"{self.contract}.{self.signature}: argument {name} expects {typ}, "
                        f"got {type(value).__name__} {value!r}"
                    ) from None
            raise

    def decode(self, output: bytes) -> Any:
        """The one return value, a tuple of several, or None for none (types as eth-abi decodes them)."""
        values = decode_values(self.output_types, output) if self.output_types else ()
        if len(values) == 1:
            return values[0]
        return values or None


def _topic_decoder(typ: str) -> Codec:
    """How an indexed value comes out of its topic: dynamic values are hashed, so the topic itself is kept."""
    if typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("("):
        return lambda topic: topic
    return _word_decoder(typ) or (lambda topic: decode_values((typ,), topic)[0])


@dataclass(frozen=True)
class EventABI:
    name: str
    topic: bytes
    names: tuple[str, ...]
    indexed: tuple[bool, ...]
    types: tuple[str, ...]
    # how to decode, worked out once (receipts decode thousands of events a second)
    _data: Callable[[bytes], tuple[Any, ...]] = field(init=False, repr=False, compare=False)
    _topics: tuple[Codec, ...] = field(init=False, repr=False, compare=False)
    _order: tuple[tuple[str, bool, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        plain = tuple(t for t, ix in zip(self.types, self.indexed, strict=True) if not ix)
        fast = _fast_decoder(plain)
        object.__setattr__(self, "_data", fast or (lambda data: decode_values(plain, data) if plain else ()))
        object.__setattr__(self, "_topics", tuple(
            _topic_decoder(t) for t, ix in zip(self.types, self.indexed, strict=True) if ix))
        counts = {True: 0, False: 0}
        order = []
        for name, ix in zip(self.names, self.indexed, strict=True):
            order.append((name, ix, counts[ix]))
            counts[ix] += 1
        object.__setattr__(self, "_order", tuple(order))

    def __reduce__(self) -> tuple[type[EventABI], tuple[Any, ...]]:  # the plan's closures do not pickle
        return EventABI, (self.name, self.topic, self.names, self.indexed, self.types)

    def decode(self, topics: tuple[bytes, ...], data: bytes) -> dict:
        plain = self._data(data)
        indexed = [d(topic) for d, topic in zip(self._topics, topics[1:], strict=True)]
        return {name: indexed[i] if ix else plain[i] for name, ix, i in self._order}


@dataclass(frozen=True)
class ErrorABI:
    name: str
    selector: bytes
    names: tuple[str, ...]
    types: tuple[str, ...]

    def decode(self, data: bytes) -> dict:
        return dict(zip(self.names, decode_values(self.types, data[4:]), strict=True))


class AbiArgumentError(UserError, TypeError):
    """A call whose arguments do not match the ABI."""

    exit_code = 2


class ContractABI:
    """Every function, event and error of one artifact, indexed for fast lookup."""

    def __init__(self, name: str, abi: list) -> None:
        self.name = name
        self.functions: dict[str, list[FunctionABI]] = {}
        self.events: dict[bytes, EventABI] = {}
        self.errors: dict[bytes, ErrorABI] = {}
        self.constructor_types: tuple[str, ...] = ()
        for item in abi:
            kind = item["type"]
            if kind == "function":
                types = tuple(canonical_type(p) for p in item["inputs"])
                signature = f"{item['name']}({','.join(types)})"
                fn = FunctionABI(
                    contract=name,
                    name=item["name"],
                    signature=signature,
                    selector=function_signature_to_4byte_selector(signature),
                    input_types=types,
                    input_names=tuple(p["name"] for p in item["inputs"]),
                    output_types=tuple(canonical_type(p) for p in item["outputs"]),
                    is_view=item["stateMutability"] in ("view", "pure"),
                )
                self.functions.setdefault(item["name"], []).append(fn)
            elif kind == "event":
                types = tuple(canonical_type(p) for p in item["inputs"])
                topic = keccak(text=f"{item['name']}({','.join(types)})")
                self.events[topic] = EventABI(
                    item["name"], topic, tuple(p["name"] for p in item["inputs"]),
                    tuple(p["indexed"] for p in item["inputs"]), types,
                )
            elif kind == "error":
                types = tuple(canonical_type(p) for p in item["inputs"])
                selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
                names = tuple(p["name"] for p in item["inputs"])
                self.errors[selector] = ErrorABI(item["name"], selector, names, types)
            elif kind == "constructor":
                self.constructor_types = tuple(canonical_type(p) for p in item["inputs"])

    def function(self, name: str, args: tuple) -> FunctionABI:
        overloads = self.functions.get(name)
        if not overloads:
            raise AbiArgumentError(f"{self.name} has no function {name!r}")
        if len(overloads) == 1:
            return overloads[0]
        matching = [f for f in overloads if len(f.input_types) == len(args)
                    and all(is_encodable(t, a) for t, a in zip(f.input_types, args, strict=True))]
        if len(matching) != 1:
            sigs = ", ".join(f.signature for f in overloads)
            raise AbiArgumentError(f"{self.name}.{name}: arguments match {len(matching)} of the overloads {sigs}")
        return matching[0]

    def encode_constructor(self, args: tuple) -> bytes:
        if len(args) != len(self.constructor_types):
            raise AbiArgumentError(
                f"{self.name} constructor expects {len(self.constructor_types)} argument(s), got {len(args)}"
            )
        for i, (typ, value) in enumerate(zip(self.constructor_types, args, strict=True)):
            if not is_encodable(typ, value):
                raise AbiArgumentError(
                    f"{self.name} constructor: argument #{i + 1} expects {typ}, got {type(value).__name__} {value!r}"
                )
        return abi_encode(self.constructor_types, args)


EventTable = Mapping[tuple[bytes, int], EventABI]  # (topic 0, topic count) -> event
ErrorTable = Mapping[bytes, ErrorABI]  # selector -> error


def decode_event(topics: tuple[bytes, ...], data: bytes, events: EventTable) -> tuple[str, dict] | None:
    """(event name, args) for a log of any event in `events`, or None for an unknown log."""
    if not topics:
        return None
    event = events.get((topics[0], len(topics)))
    if event is None:
        return None
    return event.name, event.decode(topics, data)


def decode_revert(data: bytes, errors: ErrorTable) -> tuple[str, dict]:
    """Name and arguments of revert data: a custom error in `errors`, Error(string) or Panic."""
    if not data:
        return "Revert", {}
    selector = data[:4]
    try:
        if selector == ERROR_STRING_SELECTOR:
            return "Error", {"message": abi_decode(["string"], data[4:])[0]}
        if selector == PANIC_SELECTOR:
            code = abi_decode(["uint256"], data[4:])[0]
            return "Panic", {"code": code, "meaning": PANIC_CODES.get(code, "unknown panic")}
        error = errors.get(selector)
        if error is not None:
            return error.name, error.decode(data)
    except DecodingError:
        pass
    return "UnknownError", {"data": "0x" + data.hex()}
