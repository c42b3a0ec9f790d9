"""The fast static-word codecs agree with eth-abi on every value eth-abi accepts, and defer on the rest."""

from __future__ import annotations

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_utils import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from simulator.evm.abi import _fast_encoder, decode_revert, decode_values

addresses = st.binary(min_size=20, max_size=20).map(to_checksum_address)
TYPES = ("address", "uint256", "int128", "bool", "bytes32", "uint8")
values = st.tuples(
    addresses,
    st.integers(0, 2**256 - 1),
    st.integers(-(2**127), 2**127 - 1),
    st.booleans(),
    st.binary(min_size=32, max_size=32),
    st.integers(0, 255),
)


@given(values)
def test_fast_encode_and_decode_match_eth_abi(row):
    encoded = _fast_encoder(TYPES)(row)
    assert encoded == abi_encode(TYPES, row)
    assert decode_values(TYPES, encoded) == tuple(
        to_checksum_address(v) if t == "address" else v for t, v in zip(TYPES, abi_decode(TYPES, encoded), strict=True)
    )


ARRAY_TYPES = ("address[]", "uint256", "uint256[]", "bool[]")
array_values = st.tuples(
    st.lists(addresses, max_size=6),
    st.integers(0, 2**256 - 1),
    st.lists(st.integers(0, 2**256 - 1), max_size=6),
    st.lists(st.booleans(), max_size=6),
)


@given(array_values)
def test_fast_codecs_of_word_arrays_match_eth_abi(row):
    """Batch calls (`batchClaimFor(address[])`, `withdrawableOfBatch` -> uint256[]) take the fast path."""
    encoded = _fast_encoder(ARRAY_TYPES)(row)
    assert encoded == abi_encode(ARRAY_TYPES, row)
    assert decode_values(ARRAY_TYPES, encoded) == tuple(tuple(v) if isinstance(v, list) else v for v in row)


def test_fast_array_decoder_rejects_truncated_data():
    encoded = abi_encode(["uint256[]"], [[1, 2, 3]])
    with pytest.raises(DecodingError):
        decode_values(("uint256[]",), encoded[:-32])
    assert _fast_encoder(("address[]",))((["0x" + "zz" * 20],)) is None  # not an address: eth-abi explains


@given(st.one_of(st.integers(min_value=256), st.integers(max_value=-1), st.text(), st.floats()))
def test_fast_encoder_defers_on_values_it_cannot_prove_valid(bad):
    assert _fast_encoder(("uint8",))((bad,)) is None


def test_revert_decoding_of_standard_errors():
    no_custom_errors: dict = {}  # Error(string) and Panic(uint256) need no artifact
    error = bytes.fromhex("08c379a0") + abi_encode(["string"], ["nope"])
    assert decode_revert(error, no_custom_errors) == ("Error", {"message": "nope"})
    name, args = decode_revert(bytes.fromhex("4e487b71") + abi_encode(["uint256"], [0x11]), no_custom_errors)
    assert name == "Panic" and args["meaning"] == "arithmetic overflow or underflow"
    assert decode_revert(b"", no_custom_errors) == ("Revert", {})
    assert decode_revert(b"\xde\xad\xbe\xef", no_custom_errors)[0] == "UnknownError"


@given(addresses, addresses, st.integers(0, 2**256 - 1), st.binary(max_size=70), st.integers(-(2**127), 2**127 - 1))
def test_an_event_decodes_its_topics_and_data_in_declaration_order(frm, to, amount, blob, delta):
    """Indexed and plain arguments interleaved, a dynamic indexed one kept as its hash, and a decoder that
    survives pickling (artifacts go to worker processes)."""
    import pickle

    from eth_utils import keccak

    from simulator.evm.abi import EventABI

    event = EventABI("Moved", b"\x01" * 32, ("from", "amount", "to", "memo", "delta", "note"),
                     (True, False, True, True, False, False),
                     ("address", "uint256", "address", "bytes", "int128", "bytes"))
    topics = (event.topic, abi_encode(["address"], [frm]), abi_encode(["address"], [to]), keccak(blob))
    data = abi_encode(["uint256", "int128", "bytes"], [amount, delta, blob])
    expected = {"from": frm, "amount": amount, "to": to, "memo": keccak(blob), "delta": delta, "note": blob}
    assert event.decode(topics, data) == expected
    assert list(event.decode(topics, data)) == list(expected)
    assert pickle.loads(pickle.dumps(event)).decode(topics, data) == expected
