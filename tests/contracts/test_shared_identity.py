"""Several products on one chain (issue #16's market): a second suite deployed with `market=` shares the cash
tokens and the identity layer, so one onboarding verifies an investor for every product, while each product
keeps its own token, compliance, offering, distributor and DvP."""

from __future__ import annotations

import pytest

from simulator.chain import Chain, ContractRevert
from simulator.chain.identities import INVESTOR_CATEGORY, KYC
from simulator.chain.suite import CN, CWM_SOUTHBOUND, DIRECT, HK, PROFESSIONAL, TOKEN, YEAR, SuiteConfig, deploy_suite


def _market():
    chain = Chain("revm")
    solar = deploy_suite(chain, SuiteConfig())
    ev_terms = SuiteConfig(token_name="GBA EV Charging Revenue Token", token_symbol="GBAEV")
    ev = deploy_suite(chain, ev_terms, market=solar)
    return chain, solar, ev


def test_one_onboarding_verifies_an_investor_for_every_product():
    chain, solar, ev = _market()
    alice, bob, mainland = (chain.new_account(n) for n in ("alice", "bob", "mainland"))
    for wallet in (alice, bob):
        solar.onboard(wallet, HK, PROFESSIONAL, DIRECT, chain.now + YEAR)
    solar.onboard(mainland, CN, PROFESSIONAL, CWM_SOUTHBOUND, chain.now + YEAR)
    for wallet in (alice, bob, mainland):
        assert solar.registry.isVerified(wallet) and ev.registry.isVerified(wallet)
        assert ev.registry.identity(wallet) == solar.registry.identity(wallet)
    assert ev.registry.investorCategory(alice) == PROFESSIONAL and ev.registry.investorCountry(mainland) == CN
    for suite in (solar, ev):  # each product's own token and agent; the rules hold on both
        suite.token.mint(alice, 5 * TOKEN, sender=suite.agent)
        suite.token.transfer(mainland, TOKEN, sender=alice)
        assert suite.token.balanceOf(mainland) == TOKEN
    assert solar.token.address != ev.token.address and solar.offering.address != ev.offering.address
    assert solar.distributor.address != ev.distributor.address and solar.dvp.address != ev.dvp.address
    assert (ev.hkd.address, ev.cnh.address) == (solar.hkd.address, solar.cnh.address)  # one cash market
    assert set(solar.identity_storage.linkedIdentityRegistries()) == {solar.registry.address, ev.registry.address}


def test_a_revoked_claim_or_a_distrusted_issuer_counts_for_every_product():
    chain, solar, ev = _market()
    alice, bob = chain.new_account("alice"), chain.new_account("bob")
    for wallet in (alice, bob):
        solar.onboard(wallet, HK, PROFESSIONAL, DIRECT, chain.now + YEAR)
    solar.identities.revoke(alice, KYC)
    assert not solar.registry.isVerified(alice) and not ev.registry.isVerified(alice)
    assert ev.registry.isVerified(bob)
    solar.identities.distrust(solar.identities.issuers["platform"])
    assert not solar.registry.isVerified(bob) and not ev.registry.isVerified(bob)
    for suite in (solar, ev):  # neither product's agent can mint to them now
        for wallet in (alice, bob):
            with pytest.raises(ContractRevert, match="ReceiverNotVerified"):
                suite.token.mint(wallet, TOKEN, sender=suite.agent)
    solar.identities.trust(solar.identities.issuers["platform"], [KYC, INVESTOR_CATEGORY])
    assert ev.registry.isVerified(bob) and not ev.registry.isVerified(alice)  # the revocation stands


def test_the_first_product_of_a_market_is_a_lone_suite():
    """The first suite deploys exactly as a lone one (same accounts, addresses and order); the second adds its
    own contracts only."""
    lone = deploy_suite(Chain("revm"), SuiteConfig())
    _, solar, ev = _market()
    assert lone.addresses() == solar.addresses()
    shared = {"hkd", "cnh", "identity_storage", "topics_registry", "issuers_registry", "identity_authority"}
    for name, address in ev.addresses().items():
        assert (address == solar.addresses()[name]) == (name in shared or name.startswith("claim_issuer:")), name
