"""simulator.evm is a harness another project could lift unchanged: it imports nothing of the simulator, it
deploys from any directory of artifacts and decodes against that store only, and its clock moves block time."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import simulator.evm
import simulator.evm.errors
from simulator import errors
from simulator.chain.artifacts import ARTIFACT_DIR
from simulator.chain.chain import Chain as SuiteChain
from simulator.chain.identities import KYC, Identities
from simulator.evm import ArtifactStore, Chain, ContractRevert
from simulator.units import DAY

HARNESS = Path(simulator.evm.__file__).resolve().parent


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import stays inside its package only if it does not climb out
                assert node.level <= len(path.relative_to(HARNESS).parts), f"{path}: relative import leaves the harness"
            elif node.module:
                names.append(node.module)
    return names


def test_the_harness_imports_nothing_of_the_simulator_outside_itself():
    modules = sorted(HARNESS.rglob("*.py"))
    assert len(modules) >= 10  # the backends, codecs, handles, chain, anvil, errors
    leaks = {
        f"{path.relative_to(HARNESS)}: {name}"
        for path in modules
        for name in _imported_modules(path)
        if (name == "simulator" or name.startswith("simulator.")) and not (
            name == "simulator.evm" or name.startswith("simulator.evm."))
    }
    assert not leaks, sorted(leaks)


def test_the_cli_catches_the_harness_errors_with_their_exit_codes():
    assert errors.UserError is simulator.evm.errors.UserError and errors.InputError is simulator.evm.errors.InputError
    assert errors.UserError("x").exit_code == 1 and errors.InputError("x").exit_code == 2


@pytest.fixture
def store(tmp_path) -> ArtifactStore:
    """A directory holding one contract of the suite, as another project's build would."""
    shutil.copy(ARTIFACT_DIR / "SettlementToken.json", tmp_path)
    return ArtifactStore(tmp_path)


def test_a_harness_chain_deploys_from_its_own_store_and_decodes_against_it(store, tmp_path):
    chain = Chain("revm", artifacts=tmp_path, seed=3)  # a directory is enough
    assert chain.artifacts.available() == ["SettlementToken"]
    issuer, alice = chain.new_account("issuer"), chain.new_account("alice")
    hkd = chain.deploy("SettlementToken", "HKD", "HKDS", "HKD", 6, issuer, sender=issuer)
    assert hkd.mint(alice, 5, sender=issuer).events_named("Transfer")[0].args["value"] == 5
    with pytest.raises(ContractRevert, match="AccessControlUnauthorizedAccount") as reverted:
        hkd.mint(alice, 1, sender=alice)
    with pytest.raises(simulator.evm.errors.UserError, match="missing artifact for contract 'RWAToken'"):
        chain.deploy("RWAToken")
    # a store without this contract does not know its errors: decoding is per store, not per process
    assert store.decode_revert(reverted.value.data)[0] == "AccessControlUnauthorizedAccount"
    assert ArtifactStore(tmp_path / "empty").decode_revert(reverted.value.data)[0] == "UnknownError"


def test_account_keys_are_separated_by_domain(tmp_path):
    harness, suite = Chain("revm", artifacts=tmp_path, seed=3), SuiteChain("revm", seed=3)
    assert harness.default_sender != suite.default_sender
    assert SuiteChain("revm", seed=3, artifacts=tmp_path).default_sender == suite.default_sender


# --- the clock --------------------------------------------------------------------------------------------
@pytest.fixture(params=["revm", "pyevm", "web3"])
def kyc(request):
    """A registry (KYC required, `admin` its agent) with one investor whose KYC claim runs out at day 100, on
    every backend; and `renew(until)`, the platform's new KYC claim valid until `until` (a transaction)."""
    chain = SuiteChain(request.param, seed=5)
    admin, investor = chain.new_account("admin"), chain.new_account("investor")
    storage, topics, issuers = (chain.deploy(name, admin, sender=admin) for name in
                                ("IdentityRegistryStorage", "ClaimTopicsRegistry", "TrustedIssuersRegistry"))
    registry = chain.deploy("IdentityRegistry", admin, admin, storage.address, topics.address, issuers.address,
                            sender=admin)
    storage.bindIdentityRegistry(registry.address, sender=admin)
    topics.addClaimTopic(KYC, sender=admin)
    ids = Identities.deploy(chain, registry, issuers, admin, admin)
    platform = ids.add_issuer("platform", [KYC])
    ids.onboard(investor, 344, [(platform, KYC, chain.timestamp_at(100 * DAY), 0)])

    def renew(until: int):
        return ids.issue(ids.identity_of[investor.lower()], platform, KYC, until)

    yield chain, registry, admin, investor, renew
    chain.close()


def test_without_a_clock_time_moves_only_by_advance_to(kyc):
    chain, registry, _, investor, renew = kyc
    assert chain.clock is None
    before = chain.now
    assert registry.isVerified(investor) is True and chain.now == before  # a view mines nothing
    receipt = renew(chain.timestamp_at(100 * DAY))
    assert receipt.timestamp == before + 1  # every transaction at latest + 1 s
    chain.advance_to(101 * DAY)
    assert registry.isVerified(investor) is False


def test_a_clock_brings_views_transactions_and_deploys_to_its_time(kyc):
    chain, registry, admin, investor, renew = kyc
    now = [50 * DAY]
    chain.clock = lambda: now[0]
    assert registry.isVerified(investor) is True
    assert chain.now == chain.timestamp_at(50 * DAY)  # the view moved the chain to the clock
    now[0] = 101 * DAY
    assert registry.isVerified(investor) is False  # the view saw block.timestamp >= the clock's time
    assert chain.now == chain.timestamp_at(101 * DAY)
    now[0] = 200 * DAY
    receipt = renew(chain.timestamp_at(300 * DAY))
    assert registry.isVerified(investor) is True
    assert receipt.timestamp >= chain.timestamp_at(200 * DAY)
    assert receipt.block_number == chain.backend.block_number
    now[0] = 250 * DAY
    deployed = chain.deploy("IdentityRegistryStorage", admin, sender=admin)
    assert chain.now >= chain.timestamp_at(250 * DAY) and int(deployed.storedIdentity(investor), 16) == 0
    now[0] = 300 * DAY
    raw = registry.transact_raw(registry.abi.function("updateCountry", (investor, 156)).encode((investor, 156)), admin)
    assert raw.success and raw.timestamp >= chain.timestamp_at(300 * DAY)
    assert registry.investorCountry(investor) == 156


def test_a_clock_behind_the_chain_mines_nothing(kyc):
    chain, registry, _, investor, renew = kyc
    chain.advance_to(10 * DAY)
    block, stamp = chain.backend.block_number, chain.now
    chain.clock = lambda: 5 * DAY  # earlier than the latest block
    assert registry.isVerified(investor) is True
    assert (chain.backend.block_number, chain.now) == (block, stamp)
    receipt = renew(chain.timestamp_at(300 * DAY))
    assert (receipt.block_number, receipt.timestamp) == (block + 1, stamp + 1)  # as without a clock


def test_a_clock_given_at_construction_is_used_from_the_first_call():
    chain = SuiteChain("revm", seed=5, clock=lambda: 7 * DAY)
    admin = chain.new_account("admin")
    topics = chain.deploy("ClaimTopicsRegistry", admin, sender=admin)
    assert chain.now == chain.timestamp_at(7 * DAY) + 1  # one empty block at the clock, then the deploy
    chain.clock = None
    topics.MAX_TOPICS()
    assert chain.now == chain.timestamp_at(7 * DAY) + 1


def test_now_reads_the_clock_so_times_built_from_it_are_current(kyc):
    """`chain.now` used as an argument (a KYC expiry, a deadline) is taken before the call's own sync: it
    must already be the clock's time, not the last block's."""
    chain, registry, _, investor, renew = kyc
    chain.advance_to(1 * DAY)
    chain.clock = lambda: 40 * DAY
    assert chain.now == chain.timestamp_at(40 * DAY)
    renew(chain.now + DAY)
    assert registry.isVerified(investor) is True
    chain.clock = lambda: 40 * DAY + DAY + 1
    assert registry.isVerified(investor) is False  # expired one day after the clock's time, not the block's
