"""One scripted workload, run on every backend by the differential tests."""

from __future__ import annotations

from simulator.chain import Chain, ContractRevert

DAY = 86_400


def scripted_workload(chain: Chain) -> dict:
    """Deploys, mints, transfers, reverts, time moves, a snapshot; returns everything observable."""
    trace: list = []
    admin = chain.new_account("admin")
    alice = chain.new_account("alice")
    bob = chain.new_account("bob")
    hkd = chain.deploy("SettlementToken", "HKD Stablecoin", "HKDS", "HKD", 6, admin, sender=admin)
    cnh = chain.deploy("SettlementToken", "Offshore RMB", "CNHT", "CNH", 6, admin, sender=admin)
    trace.append(("deploy", hkd.address, cnh.address, [(e.name, e.args) for e in hkd.deploy_events]))

    def record(label, receipt):
        trace.append((label, receipt.value, receipt.block_number, receipt.timestamp,
                       [(e.name, e.args, e.address) for e in receipt.events]))

    def expect_revert(label, fn, *args, sender):
        try:
            fn(*args, sender=sender)
        except ContractRevert as exc:
            trace.append((label, "revert", exc.contract, exc.function, exc.error, exc.error_args))
            return
        raise AssertionError(f"{label} did not revert")

    record("mint-alice", hkd.mint(alice, 5_000_000, sender=admin))
    record("mint-bob", cnh.mint(bob, 7_000_000, sender=admin))
    chain.advance_to(1 * DAY)
    record("transfer", hkd.transfer(bob, 1_250_000, sender=alice))
    record("approve", hkd.approve(admin, 500_000, sender=bob))
    expect_revert("unauthorised-mint", hkd.mint, alice, 1, sender=alice)
    expect_revert("overspend", hkd.transfer, bob, 10**12, sender=alice)
    expect_revert("zero-mint", cnh.mint, alice, 0, sender=admin)
    chain.advance_to(3 * DAY)
    record("burn-from", hkd.burnFrom(bob, 400_000, sender=admin))
    snap = chain.snapshot()
    record("discarded", hkd.transfer(alice, 1, sender=bob))
    chain.revert(snap)
    chain.advance_to(10 * DAY)
    record("after-revert", cnh.transfer(alice, 3_000_000, sender=bob))
    trace.append(("views", hkd.balanceOf(alice), hkd.balanceOf(bob), hkd.totalSupply(), hkd.allowance(bob, admin),
                  cnh.balanceOf(alice), cnh.balanceOf(bob), cnh.currency(), hkd.decimals(), chain.now))
    gas = [chain.gas_used_total, chain.tx_count]
    return {"trace": trace, "gas": gas}
