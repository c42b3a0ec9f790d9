"""Claims signed in Python are what ONCHAINID's ClaimIssuer verifies: the hand-encoded digest equals eth-abi's
encoding, signatures are deterministic, and a claim signed by another key is not valid."""

from __future__ import annotations

import numpy as np
from eth_abi import encode
from eth_utils import keccak

from simulator.chain import Chain
from simulator.chain.identities import KYC, Issuer, claim_data, claim_digest
from simulator.chain.suite import SuiteConfig, deploy_suite


def test_the_digest_is_the_abi_encoding_of_identity_topic_and_data():
    rng = np.random.default_rng(7)
    for _ in range(200):
        identity = "0x" + rng.bytes(20).hex()
        topic, until, value = (int.from_bytes(rng.bytes(n), "big") for n in (32, 8, 32))
        data = claim_data(until, value)
        assert data == encode(["uint256", "uint256"], [until, value])
        expected = keccak(b"\x19Ethereum Signed Message:\n32"
                          + keccak(encode(["address", "uint256", "bytes"], [identity, topic, data])))
        assert claim_digest(identity, topic, data) == expected


def test_the_claim_issuer_accepts_its_own_signature_and_no_other():
    chain = Chain("revm")
    suite = deploy_suite(chain, SuiteConfig())
    ids = suite.identities
    platform = ids.issuers["platform"]
    identity = ids.create()
    claim = ids.sign(platform, identity, KYC, chain.now + 100, 0)
    assert claim.signature == ids.sign(platform, identity, KYC, chain.now + 100, 0).signature  # RFC 6979
    assert platform.contract.isClaimValid(identity, KYC, claim.signature, claim.data)
    assert not platform.contract.isClaimValid(identity, KYC + 1, claim.signature, claim.data)  # another topic
    impostor = Issuer("impostor", chain.new_account("impostor"), platform.contract)  # signs with a key it lacks
    forged = ids.sign(impostor, identity, KYC, chain.now + 100, 0)
    assert not platform.contract.isClaimValid(identity, KYC, forged.signature, forged.data)
