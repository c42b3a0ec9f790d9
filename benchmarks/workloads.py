"""Benchmark workloads (W1 compliant RWAToken transfers, W2 the reference scenario, W3 a sweep)."""

from __future__ import annotations

import time

import numpy as np

from simulator.chain import Chain
from simulator.chain.suite import DIRECT, HK, PROFESSIONAL, TOKEN, YEAR, SuiteConfig, deploy_suite

INVESTORS = 200  # verified wallets the transfers move between


def w1_setup(chain: Chain):
    """A wired suite, verified investors holding tokens, and a deterministic list of (sender, receiver)."""
    suite = deploy_suite(chain, SuiteConfig(max_balance=10**9 * TOKEN, supply_cap=10**12 * TOKEN))
    wallets = [chain.new_account(f"w1-{i}") for i in range(INVESTORS)]
    until = chain.now + 10 * YEAR
    for wallet in wallets:  # an ONCHAINID each, with the platform's KYC and category claims
        suite.onboard(wallet, HK, PROFESSIONAL, DIRECT, until)
    for start in range(0, INVESTORS, 50):
        batch = wallets[start:start + 50]
        suite.token.batchMint(batch, [10**6 * TOKEN] * len(batch), sender=suite.agent)
    rng = np.random.default_rng(0)
    pairs = [(wallets[a], wallets[b]) for a, b in rng.integers(0, INVESTORS, size=(20_000, 2)) if a != b]
    return suite, pairs


def _transfer_wall(suite, pairs, n: int) -> float:
    """Seconds for `n` transfers through the handle layer: encode, send, decode every event."""
    token = suite.token
    start = time.perf_counter()
    for sender, receiver in pairs[:n]:
        receipt = token.transfer(receiver, TOKEN, sender=sender)
        assert receipt.events  # decoded
    return time.perf_counter() - start


def w1_handles(chain: Chain, n: int) -> float:
    """Transfers through the handle layer. Returns calls/s."""
    suite, pairs = w1_setup(chain)
    return n / _transfer_wall(suite, pairs, n)


def w1_revm_against_raw(n: int, rounds: int = 10) -> tuple[float, float]:
    """Transfers/s of raw pyrevm (calldata encoded before the clock starts) and of the `revm` backend through the
    handle layer, each on its own chain, timed in alternating blocks of n / rounds: the machine's speed drifts by
    several per cent over a minute, as much as the ratio's margin, and alternating gives both the same drift."""
    raw_chain, chain = Chain("revm"), Chain("revm")
    raw_suite, pairs = w1_setup(raw_chain)
    suite, _ = w1_setup(chain)
    evm, address = raw_chain.backend.evm, raw_suite.token.address
    fn = raw_suite.token.abi.function("transfer", (pairs[0][1], TOKEN))
    block = n // rounds
    raw_wall = handles_wall = 0.0
    for r in range(rounds):
        chunk = pairs[r * block:(r + 1) * block]
        calls = [(sender, fn.encode((receiver, TOKEN))) for sender, receiver in chunk]
        start = time.perf_counter()
        for sender, data in calls:
            evm.message_call(sender, address, data)
        raw_wall += time.perf_counter() - start
        handles_wall += _transfer_wall(suite, chunk, len(chunk))
    return rounds * block / raw_wall, rounds * block / handles_wall


def w1_pyevm_glue(n: int) -> tuple[float, float]:
    """Transfers through the handle layer on the `pyevm` backend, with the time inside py-evm itself (applying
    the transaction, closing it as a block builder does, persisting, gas finalisation) measured directly.
    Returns (calls/s, the share of wall time outside py-evm: the glue)."""
    chain = Chain("pyevm")
    suite, pairs = w1_setup(chain)
    backend, state = chain.backend, chain.backend.state
    inside = [0.0]

    def timed(fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                inside[0] += time.perf_counter() - t
        return wrapper

    for name in ("apply_transaction", "lock_changes", "persist", "get_nonce"):
        setattr(state, name, timed(getattr(state, name)))
    for name in ("create_unsigned_transaction", "finalize_gas_used"):
        setattr(backend.vm, name, timed(getattr(backend.vm, name)))
    wall = _transfer_wall(suite, pairs, n)
    return n / wall, 1 - inside[0] / wall
