"""Fixtures for the contract tests: a fully wired suite (simulator.chain.suite) plus investors, each registered
with an ONCHAINID identity holding the platform's KYC and category claims (and bob the CWM bank's claim).

The suite is deployed once per module and backend; every test runs from a snapshot and is reverted after.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from simulator.chain import ARTIFACTS, Chain, ContractRevert
from simulator.chain.identities import (
    CWM_ELIGIBILITY,
    ECDSA_SCHEME,
    INVESTOR_CATEGORY,
    KYC,
    MANAGEMENT_PURPOSE,
    key_hash,
)
from simulator.chain.suite import (
    CN,
    CWM_SOUTHBOUND,
    DIRECT,
    HK,
    HKD,
    INSTITUTIONAL,
    KP,
    NOMINEE,
    PROFESSIONAL,
    RETAIL,
    TOKEN,
    YEAR,
    Suite,
    SuiteConfig,
    deploy_suite,
)

BACKENDS = ["web3", "revm"]
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass
class World:
    chain: Chain
    s: Suite
    alice: str  # HK professional, direct
    bob: str  # CN institutional, CWM southbound
    carol: str  # HK professional, nominee
    dave: str  # HK retail
    eve: str  # KP (denied country), institutional
    frank: str  # never registered
    outsider: str  # registered nothing, holds no role

    def fund_hkd(self, who: str, amount: int, spender: str | None = None) -> None:
        self.s.hkd.mint(who, amount, sender=self.s.hkd_issuer)
        if spender is not None:
            self.s.hkd.approve(spender, amount, sender=who)

    def mint(self, who: str, amount: int):
        return self.s.token.mint(who, amount, sender=self.s.agent)

    def post_report(self, period: int = 1, revenue: int = 100_000) -> None:
        self.s.oracle.report(period, 1_000, revenue, "HKD", bytes([period % 256]) * 32, sender=self.s.attestor)

    def distribute(self, amount: int, period: int = 1):
        if not self.s.oracle.hasReport(period):
            self.post_report(period)
        self.fund_hkd(self.s.paying_agent, amount, self.s.distributor.address)
        return self.s.distributor.distribute(amount, period, sender=self.s.paying_agent)

    def identity(self, wallet: str) -> str:
        """The ONCHAINID `wallet` is registered with (the zero address when it is not)."""
        return self.s.registry.identity(wallet)

    def prepare_recovery(self, lost: str, new: str) -> str:
        """What ERC-3643 asks before `recoveryAddress(lost, new, identity)`: `new` a management key of the
        identity of `lost` and, when `new` is registered already (the investor's other wallet), registered
        with that identity; the identity."""
        identity, agent = self.identity(lost), self.s.agent
        onchain_id = self.chain.at("Identity", identity)
        if not onchain_id.keyHasPurpose(key_hash(new), MANAGEMENT_PURPOSE):
            onchain_id.addKey(key_hash(new), MANAGEMENT_PURPOSE, ECDSA_SCHEME, sender=agent)
        if self.s.registry.contains(new) and self.identity(new) != identity:
            self.s.registry.updateIdentity(new, identity, sender=agent)
        return identity

    def recover(self, lost: str, new: str):
        """Recover the tokens of `lost` to `new` (prepared as above); the receipt."""
        identity = self.prepare_recovery(lost, new)
        receipt = self.s.token.recoveryAddress(lost, new, identity, sender=self.s.agent)
        ids = self.s.identities
        ids.identity_of.setdefault(lost.lower(), identity)  # a wallet the test registered without the book
        ids.recovered(lost, new)
        return receipt


def build_world(backend: str, config: SuiteConfig | None = None) -> World:
    chain = Chain(backend)
    s = deploy_suite(chain, config or SuiteConfig())
    names = ["alice", "bob", "carol", "dave", "eve", "frank", "outsider"]
    acc = {n: chain.new_account(n) for n in names}
    until = chain.now + 10 * YEAR
    for name, country, category, channel in [("alice", HK, PROFESSIONAL, DIRECT),
                                             ("bob", CN, INSTITUTIONAL, CWM_SOUTHBOUND),
                                             ("carol", HK, PROFESSIONAL, NOMINEE), ("dave", HK, RETAIL, DIRECT),
                                             ("eve", KP, INSTITUTIONAL, DIRECT)]:
        s.onboard(acc[name], country, category, channel, until)  # an ONCHAINID with the platform's claims
    return World(chain, s, **acc)


@pytest.fixture(scope="module", params=BACKENDS)
def world_base(request) -> World:
    return build_world(request.param)


@pytest.fixture
def w(world_base: World):
    snap = world_base.chain.snapshot()
    yield world_base
    world_base.chain.revert(snap)


@pytest.fixture(scope="module")
def revm_world_base() -> World:
    return build_world("revm")


@pytest.fixture
def rw(revm_world_base: World):
    snap = revm_world_base.chain.snapshot()
    yield revm_world_base
    revm_world_base.chain.revert(snap)


def reverts(error: str, fn, *args, sender: str, **expected_args):
    """Call `fn(*args, sender=sender)`, expect ContractRevert named `error` with the given args."""
    with pytest.raises(ContractRevert) as exc:
        fn(*args, sender=sender)
    assert exc.value.error == error, f"expected {error}, got {exc.value}"
    decoded = exc.value.error_args
    for k, v in expected_args.items():
        assert decoded[k] == v, f"{error}.{k}: expected {v!r}, got {decoded[k]!r}"
    return exc.value


def error_args(exc: ContractRevert) -> dict:
    """Decoded arguments of a ContractRevert's custom error."""
    return ARTIFACTS.decode_revert(exc.data)[1]


def event(receipt, name: str, **expected):
    """The single event `name` of `receipt`, checked against `expected` args."""
    found = receipt.events_named(name)
    assert len(found) == 1, f"expected one {name}, got {[e.name for e in receipt.events]}"
    for k, v in expected.items():
        assert found[0].args[k] == v, f"{name}.{k}: expected {v!r}, got {found[0].args[k]!r}"
    return found[0]


__all__ = [
    "CN",
    "CWM_ELIGIBILITY",
    "CWM_SOUTHBOUND",
    "DIRECT",
    "HK",
    "HKD",
    "INSTITUTIONAL",
    "INVESTOR_CATEGORY",
    "KP",
    "KYC",
    "NOMINEE",
    "PROFESSIONAL",
    "RETAIL",
    "TOKEN",
    "YEAR",
    "ZERO",
    "World",
    "build_world",
    "error_args",
    "event",
    "reverts",
]
