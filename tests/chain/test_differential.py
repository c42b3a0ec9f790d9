"""The same workload gives the same observable results on every backend."""

from __future__ import annotations

import pytest

from simulator.chain import Chain

from .workload import scripted_workload


@pytest.fixture(scope="module")
def reference() -> dict:
    return scripted_workload(Chain("pyevm", seed=3))


@pytest.mark.parametrize("backend", ["revm", "web3"])
def test_backends_agree_on_values_events_errors(backend, reference):
    result = scripted_workload(Chain(backend, seed=3))
    assert result["trace"] == reference["trace"]


def test_web3_charges_exactly_the_gas_pyevm_charges(reference):
    # py-evm applied directly and eth-tester both end each transaction as a block builder does.
    assert scripted_workload(Chain("web3", seed=3))["gas"] == reference["gas"]


def test_revm_gas_is_its_own_session_figure(reference):
    # pyrevm 0.3.7 never finalizes its journal between calls (slots stay warm, SSTORE original values
    # are those of the first load), so it charges less than a chain; documented in the README.
    gas, txs = scripted_workload(Chain("revm", seed=3))["gas"]
    assert txs == reference["gas"][1]
    assert 0 < gas < reference["gas"][0]


def test_workload_actually_observes_reverts_and_events(reference):
    labels = [step[0] for step in reference["trace"]]
    errors = {step[0]: step[4] for step in reference["trace"] if len(step) > 1 and step[1] == "revert"}
    assert errors == {
        "unauthorised-mint": "AccessControlUnauthorizedAccount",
        "overspend": "ERC20InsufficientBalance",
        "zero-mint": "ZeroAmount",
    }
    assert "discarded" in labels
    _, alice_hkd, bob_hkd, supply, allowance, alice_cnh, bob_cnh, *_ = reference["trace"][-1]
    # HKD: alice 5.00 - 1.25 sent; bob 1.25 - 0.40 burned by the issuer out of his 0.50 allowance
    assert (alice_hkd, bob_hkd, supply, allowance) == (3_750_000, 850_000, 4_600_000, 100_000)
    assert (alice_cnh, bob_cnh) == (3_000_000, 4_000_000)


@pytest.mark.anvil
def test_anvil_over_rpc_matches_reference(anvil_node, reference):
    chain = Chain("web3", rpc_url=anvil_node.url, seed=3)
    result = scripted_workload(chain)
    assert result["trace"] == reference["trace"]
    assert result["gas"] == reference["gas"]


def test_snapshot_is_consumed_by_revert_on_every_backend(chain):
    from simulator.errors import UserError

    admin = chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    outer = chain.snapshot()
    token.mint(admin, 5, sender=admin)
    inner = chain.snapshot()
    token.mint(admin, 7, sender=admin)
    chain.revert(outer)
    assert token.balanceOf(admin) == 0 and chain.tx_count == 1
    for used in (outer, inner):
        with pytest.raises(UserError, match="already reverted"):
            chain.revert(used)
    again = chain.snapshot()
    token.mint(admin, 1, sender=admin)
    chain.revert(again)
    assert token.balanceOf(admin) == 0


def test_revert_error_carries_decoded_arguments(chain):
    from simulator.chain import ContractRevert

    admin, other = chain.new_account(), chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    with pytest.raises(ContractRevert) as exc:
        token.transfer(admin, 3, sender=other)
    assert exc.value.error == "ERC20InsufficientBalance"
    assert exc.value.error_args == {"sender": other, "balance": 0, "needed": 3}
    assert token.name() == "H"  # an ABI function called `name` is reachable


def _create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from `sender` at `nonce` lands at (yellow paper: keccak(rlp([sender, nonce])))."""
    import rlp
    from eth_utils import keccak, to_checksum_address

    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def test_a_reverted_transaction_still_uses_the_senders_nonce(chain):
    """revm once bumped the nonce only for successful calls: a chain uses it for a reverted one too, so the
    next contract the sender deploys lands where nonce 2 puts it, not nonce 1 (same on every backend)."""
    from simulator.chain import ContractRevert

    admin = chain.new_account("nonce-admin")
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)  # nonce 0
    assert token.address == _create_address(admin, 0)
    with pytest.raises(ContractRevert):
        token.mint(admin, 0, sender=admin)  # ZeroAmount: reverted, nonce 1 used all the same
    second = chain.deploy("SettlementToken", "C", "C", "CNH", 6, admin, sender=admin)  # nonce 2
    assert second.address == _create_address(admin, 2)
    token.mint(admin, 5, sender=admin)  # nonce 3: a successful call counts as well
    assert chain.deploy("SettlementToken", "D", "D", "HKD", 6, admin, sender=admin).address == \
        _create_address(admin, 4)
