"""Investors' ONCHAINID identities and the claims trusted issuers sign for them (ERC-3643's identity layer).

Each investor wallet is registered with an ONCHAINID identity: a small proxy (`IdentityProxy`) over one shared
`Identity` implementation, whose management key is the registry agent (the platforms hold their clients'
identity keys as they hold their assets). A claim issuer is an ONCHAINID `ClaimIssuer` contract whose
management key signs claims off-chain; the identity stores the signed claim, and the registry counts it while
the issuer is trusted for its topic, has not revoked it, and its date has not passed. Only the signature and
`abi.encode(validUntil, value)` go on-chain: no personal data crosses the border.

    ids = suite.identities
    platform = ids.add_issuer("platform", [KYC, INVESTOR_CATEGORY])
    ids.onboard(wallet, country=HK, claims=[(platform, KYC, until, 0), (platform, INVESTOR_CATEGORY, until, 1)])
    ids.revoke(wallet, KYC)          # the issuer revokes: the wallet stops verifying
    ids.distrust(platform)           # the token's issuer stops trusting the platform's claims
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from coincurve import PrivateKey
from eth_abi import encode
from eth_utils import keccak

from simulator.evm.chain import Chain
from simulator.evm.contract import Contract, Receipt

# Claim topics (contracts/src/identity/ClaimTopics.sol)
KYC, INVESTOR_CATEGORY, CWM_ELIGIBILITY = 1, 2, 3
ECDSA_SCHEME = 1  # ONCHAINID claim scheme of an ECDSA signature
MANAGEMENT_PURPOSE, CLAIM_PURPOSE = 1, 3  # ERC-734 key purposes


def key_hash(address: str) -> bytes:
    """An ERC-734 key of an Ethereum account: keccak256(abi.encode(address))."""
    return keccak(encode(["address"], [address]))


def claim_id(issuer: str, topic: int) -> bytes:
    """ONCHAINID's id of the `topic` claim by `issuer`: keccak256(abi.encode(issuer, topic))."""
    return keccak(encode(["address", "uint256"], [issuer, topic]))


def claim_data(valid_until: int, value: int) -> bytes:
    """The suite's claim data: abi.encode(uint256 validUntil, uint256 value)."""
    return valid_until.to_bytes(32, "big") + value.to_bytes(32, "big")


def claim_digest(identity: str, topic: int, data: bytes) -> bytes:
    """What an ONCHAINID issuer signs: the eth_sign hash of keccak256(abi.encode(identity, topic, data)).
    Encoded by hand (a signature per claim and review, at market scale); `tests/contracts` checks it against
    eth-abi and against the ClaimIssuer's own `isClaimValid`."""
    padded = data + bytes(-len(data) % 32)
    body = (bytes(12) + bytes.fromhex(identity.removeprefix("0x")) + topic.to_bytes(32, "big")
            + (96).to_bytes(32, "big") + len(data).to_bytes(32, "big") + padded)
    return keccak(b"\x19Ethereum Signed Message:\n32" + keccak(body))


def investor_claims(platform: Issuer, category: int, cwm: Issuer | None,
                    valid_until: int) -> list[tuple[Issuer, int, int, int]]:
    """The claims an investor's identity holds: its platform's KYC and category and, for a mainland investor
    coming through CWM Connect, its CWM bank's or broker's eligibility; (issuer, topic, valid until, value)."""
    claims = [(platform, KYC, valid_until, 0), (platform, INVESTOR_CATEGORY, valid_until, category)]
    if cwm is not None:
        claims.append((cwm, CWM_ELIGIBILITY, valid_until, 1))
    return claims


@dataclass(frozen=True)
class Issuer:
    """A trusted claim issuer: its ONCHAINID ClaimIssuer contract and the account whose key signs."""

    name: str
    signer: str
    contract: Contract

    @property
    def address(self) -> str:
        return self.contract.address


@dataclass(frozen=True)
class Claim:
    issuer: Issuer
    topic: int
    valid_until: int
    value: int
    signature: bytes
    data: bytes


class IssuedClaims(Mapping[tuple[str, int], Claim]):
    """(identity, topic) -> the latest claim issued, kept as who issued it and what it says: its data and
    signature are made again when asked for (signing is deterministic, RFC 6979), which spares 160 bytes a
    claim over the whole market's identities. Revocations, which need the signature, are rare."""

    def __init__(self, sign: Callable[[Issuer, str, int, int, int], Claim]) -> None:
        self._sign = sign
        self._issued: dict[tuple[str, int], tuple[Issuer, int, int]] = {}

    def __setitem__(self, key: tuple[str, int], claim: Claim) -> None:
        self._issued[key] = (claim.issuer, claim.valid_until, claim.value)

    def __getitem__(self, key: tuple[str, int]) -> Claim:
        issuer, valid_until, value = self._issued[key]
        return self._sign(issuer, key[0], key[1], valid_until, value)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._issued)

    def __len__(self) -> int:
        return len(self._issued)


@dataclass
class Identities:
    """The suite's ONCHAINID layer: implementation, claim issuers, and each wallet's identity and claims."""

    chain: Chain
    registry: Contract
    trusted: Contract  # TrustedIssuersRegistry
    owner: str  # owns the trusted issuers registry (the token's issuer)
    agent: str  # the registry agent: registers wallets, manages their identities
    authority: Contract  # ImplementationAuthority of the identity proxies
    issuers: dict[str, Issuer] = field(default_factory=dict)
    _keys: dict[str, PrivateKey] = field(default_factory=dict)  # issuer signer -> its secp256k1 key, built once
    identity_of: dict[str, str] = field(default_factory=dict)  # wallet -> identity address
    claims: IssuedClaims = field(init=False)  # (identity, topic) -> latest claim

    def __post_init__(self) -> None:
        self.claims = IssuedClaims(self.sign)

    @classmethod
    def deploy(cls, chain: Chain, registry: Contract, trusted: Contract, owner: str, agent: str) -> Identities:
        implementation = chain.deploy("Identity", agent, True, sender=owner)  # a library: never used directly
        authority = chain.deploy("ImplementationAuthority", implementation.address, sender=owner)
        return cls(chain, registry, trusted, owner, agent, authority)

    # --- issuers -------------------------------------------------------------------------------
    def add_issuer(self, name: str, topics: list[int]) -> Issuer:
        """Deploy a ClaimIssuer for `name` and trust it for `topics`."""
        signer = self.chain.new_account(f"claim-issuer:{name}")
        contract = self.chain.deploy("ClaimIssuer", signer, sender=signer)
        issuer = Issuer(name, signer, contract)
        self.trusted.addTrustedIssuer(contract.address, topics, sender=self.owner)
        self.issuers[name] = issuer
        return issuer

    def distrust(self, issuer: Issuer) -> Receipt:
        """The token's issuer stops trusting `issuer`: none of its claims counts any more."""
        return self.trusted.removeTrustedIssuer(issuer.address, sender=self.owner)

    def trust(self, issuer: Issuer, topics: list[int]) -> Receipt:
        """Trust `issuer` (again) for `topics`: its claims count again where still valid."""
        return self.trusted.addTrustedIssuer(issuer.address, topics, sender=self.owner)

    # --- identities and claims -----------------------------------------------------------------
    def create(self) -> str:
        """A new identity proxy managed by the agent; its address."""
        proxy = self.chain.deploy("IdentityProxy", self.authority.address, self.agent, sender=self.agent)
        return proxy.address

    def sign(self, issuer: Issuer, identity: str, topic: int, valid_until: int, value: int) -> Claim:
        """The issuer's signature of a claim on `identity`, as ClaimIssuer.isClaimValid checks it."""
        data = claim_data(valid_until, value)
        return Claim(issuer, topic, valid_until, value, self.signature(issuer, identity, topic, data), data)

    def signature(self, issuer: Issuer, identity: str, topic: int, data: bytes) -> bytes:
        """`issuer.signer`'s signature of `data` as a `topic` claim on `identity` (any data: tests sign bad)."""
        key = self._keys.get(issuer.signer)
        if key is None:
            key = self._keys[issuer.signer] = PrivateKey(self.chain.accounts.key_of(issuer.signer))
        sig = key.sign_recoverable(claim_digest(identity, topic, data), hasher=None)  # r || s || recovery id
        return sig[:64] + bytes([sig[64] + 27])

    def issue(self, identity: str, issuer: Issuer, topic: int, valid_until: int, value: int = 0) -> Receipt:
        """`issuer` signs a `topic` claim and the agent adds it to `identity` (replacing an older one)."""
        claim = self.sign(issuer, identity, topic, valid_until, value)
        self.claims[(identity.lower(), topic)] = claim
        return self.chain.at("Identity", identity).addClaim(
            topic, ECDSA_SCHEME, issuer.address, claim.signature, claim.data, "", sender=self.agent)

    def revoke(self, wallet: str, topic: int) -> Receipt:
        """The issuer of `wallet`'s latest `topic` claim revokes it (ClaimIssuer.revokeClaimBySignature)."""
        claim = self.claims[(self.identity_of[wallet.lower()].lower(), topic)]
        return claim.issuer.contract.revokeClaimBySignature(claim.signature, sender=claim.issuer.signer)

    def register(self, wallet: str, identity: str, country: int) -> Receipt:
        self.identity_of[wallet.lower()] = identity
        return self.registry.registerIdentity(wallet, identity, country, sender=self.agent)

    def register_batch(self, wallets: list[str], identities: list[str], countries: list[int]) -> Receipt:
        self.identity_of.update((w.lower(), i) for w, i in zip(wallets, identities, strict=True))
        return self.registry.batchRegisterIdentity(wallets, identities, countries, sender=self.agent)

    def update(self, wallet: str, identity: str) -> Receipt:
        """Register `wallet` with another identity (IdentityRegistry.updateIdentity)."""
        self.identity_of[wallet.lower()] = identity
        return self.registry.updateIdentity(wallet, identity, sender=self.agent)

    def onboard(self, wallet: str, country: int, claims: list[tuple[Issuer, int, int, int]]) -> Receipt:
        """A new identity for `wallet` holding `claims` (issuer, topic, valid until, value), registered with
        `country`; the registration's receipt."""
        identity = self.create()
        for issuer, topic, valid_until, value in claims:
            self.issue(identity, issuer, topic, valid_until, value)
        return self.register(wallet, identity, country)

    def add_wallet_key(self, wallet: str, new_wallet: str) -> Receipt:
        """Make `new_wallet` a management key of `wallet`'s identity (what a recovery requires)."""
        identity = self.identity_of[wallet.lower()]
        return self.chain.at("Identity", identity).addKey(key_hash(new_wallet), MANAGEMENT_PURPOSE, ECDSA_SCHEME,
                                                          sender=self.agent)

    def recovered(self, lost: str, new: str) -> None:
        """Book a recovery the token carried out: `new` now has `lost`'s identity."""
        self.identity_of[new.lower()] = self.identity_of.pop(lost.lower())

    def recover(self, token: Contract, lost: str, new: str) -> Receipt:
        """ERC-3643 recovery of `lost` to `new`: `new` made a management key of the investor's identity, then
        the agent's `token.recoveryAddress` (which registers `new` with that identity and deletes `lost`)."""
        self.add_wallet_key(lost, new)
        receipt = token.recoveryAddress(lost, new, self.identity_of[lost.lower()], sender=self.agent)
        self.recovered(lost, new)
        return receipt
