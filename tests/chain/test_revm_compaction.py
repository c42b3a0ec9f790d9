"""revm journal compaction: the state after it is the state before it, behaviour unchanged, memory bounded."""

from __future__ import annotations

import pytest

import simulator.evm.backends.revm as revm_backend
from simulator.chain import Chain
from simulator.chain.artifacts import ARTIFACTS
from simulator.chain.suite import DIRECT, HK, PROFESSIONAL, TOKEN, YEAR, SuiteConfig, deploy_suite


def workload(chain: Chain) -> list:
    suite = deploy_suite(chain, SuiteConfig())
    wallets = [chain.new_account(f"c-{i}") for i in range(12)]
    for wallet in wallets:
        suite.onboard(wallet, HK, PROFESSIONAL, DIRECT, chain.now + YEAR)
    suite.token.batchMint(wallets, [100 * TOKEN] * 12, sender=suite.agent)
    trace = []
    for i in range(150):
        sender, receiver = wallets[i % 12], wallets[(i * 7 + 3) % 12]
        if sender == receiver:
            continue
        r = suite.token.transfer(receiver, TOKEN, sender=sender)
        trace.append((r.block_number, [(e.name, e.args, e.address) for e in r.events]))
    trace.append([suite.token.balanceOf(w) for w in wallets] + [suite.token.totalSupply()])
    return trace


def test_compacted_run_behaves_exactly_like_an_uncompacted_one(monkeypatch):
    reference = workload(Chain("pyevm"))
    monkeypatch.setattr(revm_backend, "JOURNAL_BUDGET", 400)
    monkeypatch.setattr(revm_backend, "CHECK_EVERY", 1)
    chain = Chain("revm")
    assert workload(chain) == reference
    assert chain.backend.compactions >= 5  # several, so code re-inserted raw was compacted again


def _code_state(chain: Chain, address: str) -> str:
    journal = chain.backend.evm.journal_str
    body = journal[journal.index(address.lower() + ": Account"):]
    return body[body.index("state: ") + 7:].split(" ", 1)[0].rstrip(",")


def test_code_and_views_survive_compaction():
    chain = Chain("revm")
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, chain.default_sender)
    before = bytes(chain.backend.evm.get_code(token.address))  # analysed: padded after the real code
    chain.backend.compact()
    assert token.decimals() == 6 and token.currency() == "HKD"  # immutables and storage intact
    # deployed again from its deployer at the same nonce: same address, code analysed once, not per call
    assert _code_state(chain, token.address) == "Analysed"
    assert bytes(chain.backend.evm.get_code(token.address)) == before


def test_code_it_cannot_redeploy_is_inserted_raw_and_still_works():
    chain = Chain("revm")
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, chain.default_sender)
    before = bytes(chain.backend.evm.get_code(token.address))
    chain.backend._creators.clear()  # as for a contract created by another contract
    chain.backend.compact()
    after = bytes(chain.backend.evm.get_code(token.address))
    assert before.startswith(after) and not before[len(after):].strip(b"\x00")
    assert len(after) == len(ARTIFACTS.load("SettlementToken").deployed_bytecode)
    assert token.decimals() == 6 and token.currency() == "HKD"


def test_no_compaction_while_a_snapshot_is_alive(monkeypatch):
    monkeypatch.setattr(revm_backend, "JOURNAL_BUDGET", 1)
    monkeypatch.setattr(revm_backend, "CHECK_EVERY", 3)
    chain = Chain("revm")
    admin = chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    snap = chain.snapshot()
    for _ in range(10):
        token.mint(admin, 1, sender=admin)
    assert chain.backend.compactions == 0
    chain.revert(snap)
    assert token.totalSupply() == 0
    for _ in range(5):
        token.mint(admin, 1, sender=admin)
    assert chain.backend.compactions >= 1 and token.totalSupply() == 5


def test_an_unreadable_journal_is_refused_not_half_copied(monkeypatch):
    chain = Chain("revm")
    admin = chain.new_account()
    chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    monkeypatch.setattr(revm_backend, "_ACCOUNT_RE", __import__("re").compile(r"will-not-match"))
    before = chain.backend.evm
    with pytest.raises(RuntimeError, match="not understood"):
        chain.backend.compact()
    assert chain.backend.evm is before


def test_the_journal_budget_grows_with_the_state(monkeypatch):
    """Each compaction copies the whole state, so a larger state waits for a longer journal before the next."""
    monkeypatch.setattr(revm_backend, "JOURNAL_BUDGET", 10)
    monkeypatch.setattr(revm_backend, "FRAMES_PER_STORED_SLOT", 2.0)
    chain = Chain("revm")
    admin = chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    chain.backend.compact()
    small = chain.backend._budget
    for i in range(40):
        token.mint(chain.new_account(f"holder-{i}"), 1, sender=admin)  # 40 more balance slots
    chain.backend.compact()
    slots = sum(len(a[3]) for a in chain.backend._copied.values())
    assert chain.backend._budget == int(2.0 * slots) and chain.backend._budget >= small + 80
