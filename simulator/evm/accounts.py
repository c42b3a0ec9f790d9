"""Accounts derived deterministically from the run seed: the same seed gives the same addresses everywhere."""

from __future__ import annotations

from eth_keys import keys
from eth_utils import keccak

DEFAULT_DOMAIN = b"evm-harness/account/v1"


def derive_private_key(seed: int, index: int, domain: bytes = DEFAULT_DOMAIN) -> bytes:
    """keccak(domain || seed || index): a valid secp256k1 key for any realistic seed and index."""
    if seed < 0 or index < 0:
        raise ValueError("seed and index must be non-negative")
    return keccak(domain + seed.to_bytes(32, "big") + index.to_bytes(32, "big"))


class AccountBook:
    """Address <-> key <-> label, created on first use; `domain` separates the keys of different projects."""

    def __init__(self, seed: int, domain: bytes = DEFAULT_DOMAIN) -> None:
        self.seed = seed
        self.domain = domain
        self.addresses: list[str] = []
        self.keys: list[bytes] = []
        self.labels: dict[str, str] = {}
        self._index: dict[str, int] = {}

    def new(self, label: str | None = None) -> tuple[str, bytes]:
        key = derive_private_key(self.seed, len(self.addresses), self.domain)
        address = keys.PrivateKey(key).public_key.to_checksum_address()
        self.addresses.append(address)
        self.keys.append(key)
        self._index[address.lower()] = len(self.keys) - 1
        if label is not None:
            self.labels[label] = address
        return address, key

    def key_of(self, address: str) -> bytes:
        """The private key of an account this book created (to sign off-chain messages such as claims)."""
        index = self._index.get(address.lower())
        if index is None:
            raise KeyError(f"{address} is not an account of this book")
        return self.keys[index]
