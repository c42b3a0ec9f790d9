"""Fixtures for the contract tests: a fully wired suite (simulator.chain.suite) plus registered investors.

The suite is deployed once per module and backend; every test runs from a snapshot and is reverted after.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from simulator.chain import ARTIFACTS, Chain, ContractRevert
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


def build_world(backend: str, config: SuiteConfig | None = None) -> World:
    chain = Chain(backend)
    s = deploy_suite(chain, config or SuiteConfig())
    names = ["alice", "bob", "carol", "dave", "eve", "frank", "outsider"]
    acc = {n: chain.new_account(n) for n in names}
    until = chain.now + 10 * YEAR
    s.registry.batchRegisterIdentity(
        [acc["alice"], acc["bob"], acc["carol"], acc["dave"], acc["eve"]],
        [HK, CN, HK, HK, KP],
        [PROFESSIONAL, INSTITUTIONAL, PROFESSIONAL, RETAIL, INSTITUTIONAL],
        [DIRECT, CWM_SOUTHBOUND, NOMINEE, DIRECT, DIRECT],
        [until] * 5,
        sender=s.agent,
    )
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
    "CWM_SOUTHBOUND",
    "DIRECT",
    "HK",
    "HKD",
    "INSTITUTIONAL",
    "KP",
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
