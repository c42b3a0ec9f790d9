"""revm journal compaction: the state after it is the state before it, behaviour unchanged, memory bounded.

The first compaction rebuilds a fresh EVM; later ones revert to a base checkpoint and write the changes back
(simulator/evm/backends/revm_compaction.py). The workloads below cross both kinds many times."""

from __future__ import annotations

import pytest

import simulator.evm.backends.revm as revm_backend
from simulator.chain import Chain
from simulator.chain.artifacts import ARTIFACTS
from simulator.chain.identities import KYC
from simulator.chain.suite import DIRECT, HK, PROFESSIONAL, TOKEN, YEAR, SuiteConfig, deploy_suite
from simulator.evm.backends import revm_compaction
from simulator.evm.contract import ContractRevert


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
        try:
            r = suite.token.transfer(receiver, TOKEN, sender=sender)
        except ContractRevert as exc:  # to or from the investor whose KYC claim is revoked for a while
            trace.append(exc.error)
            continue
        trace.append((r.block_number, [(e.name, e.args, e.address) for e in r.events]))
        if i == 60:  # an identity's storage changes after compactions: a claim revoked, then one issued again
            suite.identities.revoke(wallets[5], KYC)
            trace.append(suite.token.canTransfer(wallets[0], wallets[5], TOKEN))
        if i == 90:
            ids = suite.identities
            ids.issue(ids.identity_of[wallets[5].lower()], ids.issuers["platform"], KYC, chain.now + YEAR, 0)
            trace.append(suite.token.canTransfer(wallets[0], wallets[5], TOKEN))
        if i == 100:  # a contract created after the first compaction (carried raw by later ones)
            cash = chain.deploy("SettlementToken", "C", "C", "HKD", 6, suite.agent, sender=suite.agent)
            cash.mint(wallets[1], 7, sender=suite.agent)
        if i > 100:
            cash.transfer(wallets[i % 12], 1, sender=wallets[1]) if cash.balanceOf(wallets[1]) else None
    trace.append([suite.token.balanceOf(w) for w in wallets] + [suite.token.totalSupply()])
    trace.append([cash.balanceOf(w) for w in wallets])
    return trace


def test_compacted_run_behaves_exactly_like_an_uncompacted_one(monkeypatch):
    reference = workload(Chain("pyevm"))
    monkeypatch.setattr(revm_backend, "JOURNAL_BUDGET", 400)
    monkeypatch.setattr(revm_backend, "RENDER_BUDGET_BYTES", 1)
    monkeypatch.setattr(revm_backend, "CHECK_EVERY", 1)
    chain = Chain("revm")
    assert workload(chain) == reference
    assert chain.backend.compactions >= 5  # several, so code re-inserted raw was compacted again
    assert chain.backend.compactor.raw_contracts == 1  # the contract created after the rebuild


def test_a_snapshot_taken_after_compactions_reverts_exactly(monkeypatch):
    monkeypatch.setattr(revm_backend, "JOURNAL_BUDGET", 300)
    monkeypatch.setattr(revm_backend, "RENDER_BUDGET_BYTES", 1)
    monkeypatch.setattr(revm_backend, "CHECK_EVERY", 1)
    chain = Chain("revm")
    workload(chain)
    assert chain.backend.compactions >= 2
    before = chain.backend.evm.journal_str.count("StorageSlot")
    snap = chain.snapshot()
    admin = chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    token.mint(admin, 5, sender=admin)
    chain.revert(snap)
    assert chain.backend.evm.get_code(token.address) is None
    assert chain.backend.evm.journal_str.count("StorageSlot") == before


def test_an_in_place_compaction_does_not_render_the_identities_again():
    """Onboarded investors' identities go to the database: a later compaction's rendering holds only what was
    touched since, so its cost does not grow with the number of investors."""
    chain = Chain("revm")
    suite = deploy_suite(chain, SuiteConfig())
    wallets = [chain.new_account(f"i-{i}") for i in range(30)]
    for wallet in wallets:
        suite.onboard(wallet, HK, PROFESSIONAL, DIRECT, chain.now + YEAR)
    proxies = [suite.identities.identity_of[w.lower()].lower() for w in wallets]
    chain.backend.compact()  # the rebuild
    chain.backend.compact()  # in place
    text = chain.backend.evm.journal_str
    assert not any(p in text for p in proxies)
    assert all(suite.identities.registry.isVerified(w) for w in wallets)  # read back from the database
    assert sum(p in chain.backend.evm.journal_str for p in proxies) == 30


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
    monkeypatch.setattr(revm_compaction, "_ACCOUNT_RE", __import__("re").compile(r"will-not-match"))
    before = chain.backend.evm
    with pytest.raises(RuntimeError, match="not understood"):
        chain.backend.compact()
    assert chain.backend.evm is before


def test_the_journal_budget_grows_with_the_redeployed_storage(monkeypatch):
    """Each compaction renders the redeployed contracts' storage, so more of it waits for a longer journal."""
    monkeypatch.setattr(revm_backend, "JOURNAL_BUDGET", 10)
    monkeypatch.setattr(revm_backend, "FRAMES_PER_HOT_SLOT", 2.0)
    monkeypatch.setattr(revm_backend, "RENDER_BUDGET_BYTES", 1)
    chain = Chain("revm")
    admin = chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    for i in range(40):
        token.mint(chain.new_account(f"holder-{i}"), 1, sender=admin)  # 40 more balance slots
    chain.backend.compact()
    slots = sum(len(s) for s in chain.backend.compactor.hot.values())
    assert slots >= 40 and chain.backend._budget == int(2.0 * chain.backend.compactor.hot_slots) >= 80


def test_a_rendered_account_reads_exactly_its_changed_slots():
    """The split reader of `changed_slots` against a rendering as pyrevm writes it: the first key follows "{",
    later ones ", "; a slot changed to zero, one changed from zero, and unchanged ones (a value that is the
    prefix of another, and 78-digit numbers) between them."""
    big = 2**255 + 12345
    slots = [(7, 1, 1), (big, big, 0), (3, 0, big), (12, 123, 1234), (big - 1, 5, 5)]
    body = ", ".join(f"{k}: StorageSlot {{ previous_or_original_value: {a}, present_value: {b} }}"
                     for k, a, b in slots)
    text = ("state: {0x" + "ab" * 20 + ": Account { info: AccountInfo { balance: 9, nonce: 1, code_hash: 0x"
            + "00" * 32 + ", code: None }, storage: {" + body + "}, status: AccountStatus(Touched) }}, "
            "transient_storage")
    account = revm_compaction.parse_state(text)["0x" + "ab" * 20]
    assert list(account.changed_slots()) == [(big, 0), (3, big), (12, 1234)]
    assert list(account.slots()) == [(str(k), str(b)) for k, _, b in slots]
    assert account.slot_count() == 5


def test_light_frames_wait_for_a_rendering_of_the_render_budget(monkeypatch):
    """Where frames render short, the budget is the frames the render budget holds at the last rendering's bytes
    per frame; the floor and the redeployed storage still bound it from below."""
    monkeypatch.setattr(revm_backend, "JOURNAL_BUDGET", 10)
    monkeypatch.setattr(revm_backend, "RENDER_BUDGET_BYTES", 4 * 2**20)
    chain = Chain("revm")
    admin = chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    for i in range(20):
        token.mint(chain.new_account(f"holder-{i}"), 1, sender=admin)
    frames = chain.backend.compactor.frames_since_base(chain.backend.evm)
    rendered = len(chain.backend.evm.journal_str)
    chain.backend.compact()
    assert chain.backend.compactor.bytes_per_frame == rendered / frames
    assert chain.backend._budget == int(4 * 2**20 * frames / rendered) > 1000
    monkeypatch.setattr(revm_backend, "RENDER_BUDGET_BYTES", 1)
    chain.backend.compact()
    assert chain.backend._budget == max(10, int(0.5 * chain.backend.compactor.hot_slots))
