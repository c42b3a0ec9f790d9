"""The ERC-3643 identity registry on ONCHAINID identities, through the Python chain layer (suite.identities):
registration and its events, verification by claims (every way a claim stops counting), the investor category
read from its claim, access control and the registry's errors. The storage, the claim topics and trusted
issuers registries and the CountryClaimModule: test_identity_registries.py."""

from __future__ import annotations

from conftest import (
    CN,
    CWM_ELIGIBILITY,
    HK,
    INSTITUTIONAL,
    INVESTOR_CATEGORY,
    KYC,
    PROFESSIONAL,
    RETAIL,
    YEAR,
    ZERO,
    event,
    reverts,
)
from eth_abi import encode
from eth_utils import keccak

from simulator.chain.identities import CLAIM_PURPOSE, ECDSA_SCHEME, Issuer, key_hash

AC = "AccessControlUnauthorizedAccount"


def investor(w, claims, country=HK) -> str:
    """A new wallet registered, with `country`, with a new identity holding `claims`: (issuer name, topic,
    valid until, value) each; the wallet."""
    ids = w.s.identities
    wallet = w.chain.new_account()
    ids.onboard(wallet, country, [(ids.issuers[name], topic, until, value) for name, topic, until, value in claims])
    return wallet


def kyc_only(w, until=None) -> str:
    return investor(w, [("platform", KYC, until or w.chain.now + YEAR, 0)])


def add_raw_claim(w, identity: str, issuer: Issuer, topic: int, data: bytes, signer: Issuer | None = None):
    """Put on `identity` a `topic` claim of `issuer` with any `data`, signed by `signer`'s key (the issuer's)."""
    sig = w.s.identities.signature(signer or issuer, identity, topic, data)
    return w.chain.at("Identity", identity).addClaim(topic, ECDSA_SCHEME, issuer.address, sig, data, "",
                                                     sender=w.s.agent)


# ------------------------------------------------------------------ registration and its events


def test_onboarding_registers_the_wallet_with_its_identity(w):
    ids, reg, f = w.s.identities, w.s.registry, w.frank
    platform, until = ids.issuers["platform"], w.chain.now + YEAR
    identity = ids.create()
    ids.issue(identity, platform, KYC, until)
    ids.issue(identity, platform, INVESTOR_CATEGORY, until, PROFESSIONAL)
    # the claims alone register nothing: the wallet is unknown until an agent registers it
    assert not reg.isVerified(f) and not reg.contains(f) and reg.identity(f) == ZERO and reg.investorCountry(f) == 0
    r = ids.register(f, identity, HK)
    event(r, "IdentityRegistered", investorAddress=f, identity=identity)
    event(r, "IdentityStored", investorAddress=f, identity=identity)
    assert reg.contains(f) and reg.isVerified(f) and reg.identity(f) == identity and reg.investorCountry(f) == HK
    assert reg.investorCategory(f) == PROFESSIONAL
    assert reg.hasValidClaim(f, KYC) and not reg.hasValidClaim(f, CWM_ELIGIBILITY)
    # the fixture's investors: bob, by CWM southbound, holds the CWM bank's claim too
    assert reg.hasValidClaim(w.bob, CWM_ELIGIBILITY) and reg.investorCategory(w.bob) == INSTITUTIONAL
    assert reg.investorCategory(w.dave) == RETAIL and reg.isVerified(w.dave)


def test_update_identity_and_country_then_delete(w):
    reg, agent, a = w.s.registry, w.s.agent, w.alice
    old, new = w.identity(a), w.s.identities.create()  # a new identity without any claim
    r = reg.updateIdentity(a, new, sender=agent)
    event(r, "IdentityUpdated", oldIdentity=old, newIdentity=new)
    event(r, "IdentityModified", oldIdentity=old, newIdentity=new)
    assert reg.identity(a) == new and reg.contains(a) and not reg.isVerified(a)  # the claims were the old one's
    reg.updateIdentity(a, old, sender=agent)
    assert reg.isVerified(a)
    r = reg.updateCountry(a, CN, sender=agent)
    event(r, "CountryUpdated", investorAddress=a, country=CN)
    assert reg.investorCountry(a) == CN and reg.identity(a) == old
    r = reg.deleteIdentity(a, sender=agent)
    event(r, "IdentityRemoved", investorAddress=a, identity=old)
    assert not reg.contains(a) and not reg.isVerified(a) and reg.identity(a) == ZERO and reg.investorCountry(a) == 0
    assert reg.investorCategory(a) == 0 and not reg.hasValidClaim(a, KYC)
    assert reg.isVerified(w.carol)  # the others untouched


def test_batch_register_emits_each_in_order_and_is_atomic(w):
    ids, reg, agent = w.s.identities, w.s.registry, w.s.agent
    a, b, c = w.chain.new_account(), w.chain.new_account(), w.chain.new_account()
    id_a, id_b = ids.create(), ids.create()
    r = reg.batchRegisterIdentity([a, b], [id_a, id_b], [HK, CN], sender=agent)
    assert [(e.args["investorAddress"], e.args["identity"]) for e in r.events_named("IdentityRegistered")] == [
        (a, id_a), (b, id_b)]
    assert (reg.investorCountry(a), reg.investorCountry(b)) == (HK, CN)
    # one bad entry undoes the whole batch
    reverts("IdentityAlreadyStored", reg.batchRegisterIdentity, [c, a], [id_a, id_b], [HK, HK], sender=agent, wallet=a)
    assert not reg.contains(c) and reg.identity(a) == id_a


def test_registry_errors(w):
    reg, agent, admin = w.s.registry, w.s.agent, w.s.admin
    identity = w.s.identities.create()
    reverts("IdentityAlreadyStored", reg.registerIdentity, w.alice, identity, HK, sender=agent, wallet=w.alice)
    reverts("ZeroAddress", reg.registerIdentity, ZERO, identity, HK, sender=agent)
    reverts("ZeroAddress", reg.registerIdentity, w.frank, ZERO, HK, sender=agent)
    reverts("IdentityNotFound", reg.updateIdentity, w.frank, identity, sender=agent, wallet=w.frank)
    reverts("ZeroAddress", reg.updateIdentity, w.alice, ZERO, sender=agent)
    reverts("IdentityNotFound", reg.updateCountry, w.frank, HK, sender=agent, wallet=w.frank)
    reverts("IdentityNotFound", reg.deleteIdentity, w.frank, sender=agent, wallet=w.frank)
    reverts("LengthMismatch", reg.batchRegisterIdentity, [w.frank], [identity, identity], [HK], sender=agent)
    reverts("LengthMismatch", reg.batchRegisterIdentity, [w.frank], [identity], [], sender=agent)
    for setter in (reg.setIdentityRegistryStorage, reg.setClaimTopicsRegistry, reg.setTrustedIssuersRegistry):
        reverts("ZeroAddress", setter, ZERO, sender=admin)
    assert not reg.contains(w.frank)


def test_only_agents_write_and_only_the_admin_wires(w):
    reg, agent_role = w.s.registry, w.s.roles["AGENT_ROLE"]
    identity = w.identity(w.carol)
    writes = [(reg.registerIdentity, (w.frank, identity, HK)),
              (reg.batchRegisterIdentity, ([w.frank], [identity], [HK])), (reg.updateIdentity, (w.alice, identity)),
              (reg.updateCountry, (w.alice, CN)), (reg.deleteIdentity, (w.alice,))]
    for fn, args in writes:
        for caller in (w.outsider, w.alice, w.s.admin):  # the admin is no agent either
            reverts(AC, fn, *args, sender=caller, account=caller, neededRole=agent_role)
    for setter, target in ((reg.setIdentityRegistryStorage, w.s.identity_storage),
                           (reg.setClaimTopicsRegistry, w.s.topics_registry),
                           (reg.setTrustedIssuersRegistry, w.s.issuers_registry)):
        reverts(AC, setter, target.address, sender=w.s.agent, account=w.s.agent, neededRole=b"\x00" * 32)
    assert not reg.contains(w.frank) and reg.identity(w.alice) != identity and reg.investorCountry(w.alice) == HK
    # the wiring the suite deployed
    assert (reg.identityStorage(), reg.topicsRegistry(), reg.issuersRegistry()) == (
        w.s.identity_storage.address, w.s.topics_registry.address, w.s.issuers_registry.address)
    assert reg.hasRole(agent_role, w.s.token.address)  # a recovery registers the new wallet


# ------------------------------------------------------------------ verification: when a claim does not count


def test_unregistered_or_without_a_kyc_claim_is_not_verified(w):
    reg = w.s.registry
    assert not reg.isVerified(w.frank) and not reg.isVerified(w.outsider)
    no_kyc = investor(w, [("platform", INVESTOR_CATEGORY, w.chain.now + YEAR, PROFESSIONAL)])
    assert reg.contains(no_kyc) and not reg.isVerified(no_kyc) and not reg.hasValidClaim(no_kyc, KYC)
    assert reg.investorCategory(no_kyc) == PROFESSIONAL  # the category claim itself counts
    assert reg.isVerified(kyc_only(w))


def test_a_claim_stops_counting_after_its_date_and_a_new_one_restores(w):
    reg, ids = w.s.registry, w.s.identities
    until = w.chain.now + 100
    wallet = investor(w, [("platform", KYC, until, 0), ("platform", INVESTOR_CATEGORY, until + YEAR, PROFESSIONAL)])
    assert reg.isVerified(wallet)
    w.chain.backend.advance_time(until)
    assert reg.isVerified(wallet)  # valid up to and including validUntil
    w.chain.backend.advance_time(until + 1)
    assert not reg.isVerified(wallet) and not reg.hasValidClaim(wallet, KYC)
    assert reg.investorCategory(wallet) == PROFESSIONAL and reg.isVerified(w.alice)  # other claims still count
    ids.issue(w.identity(wallet), ids.issuers["platform"], KYC, w.chain.now + YEAR)  # a renewed KYC
    assert reg.isVerified(wallet)


def test_a_revoked_claim_does_not_count(w):
    reg, ids = w.s.registry, w.s.identities
    platform = ids.issuers["platform"]
    claim = ids.claims[(w.identity(w.alice).lower(), KYC)]
    assert not platform.contract.isClaimRevoked(claim.signature)
    r = ids.revoke(w.alice, KYC)
    event(r, "ClaimRevoked", signature=keccak(claim.signature))  # an indexed `bytes`: its hash
    assert platform.contract.isClaimRevoked(claim.signature)
    assert not reg.isVerified(w.alice) and reg.investorCategory(w.alice) == PROFESSIONAL  # only the KYC claim
    assert reg.isVerified(w.carol)
    exc = reverts("Error", platform.contract.revokeClaimBySignature, claim.signature, sender=platform.signer)
    assert exc.error_args["message"] == "Conflict: Claim already revoked"
    ids.issue(w.identity(w.alice), platform, KYC, w.chain.now + 2 * YEAR)  # a new claim: a new signature
    assert reg.isVerified(w.alice)


def test_a_distrusted_issuers_claims_stop_counting_until_trusted_again(w):
    reg, ids, trusted = w.s.registry, w.s.identities, w.s.issuers_registry
    platform, bank = ids.issuers["platform"], ids.issuers["cwm-bank"]
    event(ids.distrust(platform), "TrustedIssuerRemoved", trustedIssuer=platform.address)
    assert not trusted.isTrustedIssuer(platform.address) and list(trusted.getTrustedIssuersForClaimTopic(KYC)) == []
    for wallet in (w.alice, w.bob, w.carol, w.dave):
        assert not reg.isVerified(wallet) and reg.investorCategory(wallet) == 0
    assert reg.hasValidClaim(w.bob, CWM_ELIGIBILITY)  # the CWM bank is still trusted
    event(ids.trust(platform, [KYC, INVESTOR_CATEGORY]), "TrustedIssuerAdded", trustedIssuer=platform.address,
          claimTopics=(KYC, INVESTOR_CATEGORY))
    assert reg.isVerified(w.alice) and reg.investorCategory(w.bob) == INSTITUTIONAL
    ids.distrust(bank)
    assert reg.isVerified(w.bob) and not reg.hasValidClaim(w.bob, CWM_ELIGIBILITY)


def test_an_issuer_counts_only_for_the_topics_it_is_trusted_for(w):
    reg, ids, trusted = w.s.registry, w.s.identities, w.s.issuers_registry
    bank, platform, until = ids.issuers["cwm-bank"], ids.issuers["platform"], w.chain.now + YEAR
    wallet = investor(w, [("cwm-bank", KYC, until, 0), ("platform", CWM_ELIGIBILITY, until, 1)])  # swapped roles
    assert not reg.isVerified(wallet) and not reg.hasValidClaim(wallet, CWM_ELIGIBILITY)
    r = trusted.updateIssuerClaimTopics(bank.address, [CWM_ELIGIBILITY, KYC], sender=w.s.admin)
    event(r, "ClaimTopicsUpdated", trustedIssuer=bank.address, claimTopics=(CWM_ELIGIBILITY, KYC))
    assert reg.isVerified(wallet)  # the claim was sound: only the bank's trust for KYC was missing
    trusted.updateIssuerClaimTopics(platform.address, [KYC, INVESTOR_CATEGORY, CWM_ELIGIBILITY], sender=w.s.admin)
    assert reg.hasValidClaim(wallet, CWM_ELIGIBILITY)


def test_a_claim_not_signed_by_a_key_of_the_issuer_does_not_count(w):
    ids, reg = w.s.identities, w.s.registry
    platform, until = ids.issuers["platform"], w.chain.now + YEAR
    wallet = investor(w, [("platform", INVESTOR_CATEGORY, until, PROFESSIONAL)])
    identity = w.identity(wallet)
    # signed with another account's key in the platform's name: ONCHAINID refuses to store it
    forger = Issuer("forger", w.outsider, platform.contract)
    forged = ids.sign(forger, identity, KYC, until, 0)
    assert not platform.contract.isClaimValid(identity, KYC, forged.signature, forged.data)
    exc = reverts("Error", w.chain.at("Identity", identity).addClaim, KYC, ECDSA_SCHEME, platform.address,
                  forged.signature, forged.data, "", sender=w.s.agent)
    assert exc.error_args["message"] == "invalid claim" and not reg.isVerified(wallet)
    # signed by a claim key the platform later removes (a rotated key): counts, then stops counting
    rotated = Issuer("rotated", w.chain.new_account("platform-old-key"), platform.contract)
    platform.contract.addKey(key_hash(rotated.signer), CLAIM_PURPOSE, ECDSA_SCHEME, sender=platform.signer)
    add_raw_claim(w, identity, platform, KYC, encode(["uint256", "uint256"], [until, 0]), signer=rotated)
    assert reg.isVerified(wallet)
    platform.contract.removeKey(key_hash(rotated.signer), CLAIM_PURPOSE, sender=platform.signer)
    assert not reg.isVerified(wallet) and not reg.hasValidClaim(wallet, KYC)


def test_malformed_claim_data_does_not_count(w):
    ids, reg = w.s.identities, w.s.registry
    platform, until = ids.issuers["platform"], w.chain.now + YEAR
    for data in (b"", encode(["uint256"], [until]), encode(["uint256", "uint256"], [until, 0])[:63],
                 encode(["uint256", "uint256"], [0, 0])):  # empty, one word, one byte short, dated 1970
        wallet = investor(w, [])
        add_raw_claim(w, w.identity(wallet), platform, KYC, data)  # signed by the platform: stored
        assert reg.contains(wallet) and not reg.isVerified(wallet), data.hex()
    wallet = investor(w, [])  # the same path with well-formed data verifies
    add_raw_claim(w, w.identity(wallet), platform, KYC, encode(["uint256", "uint256", "uint256"], [until, 0, 7]))
    assert reg.isVerified(wallet)


def test_without_required_topics_any_registered_wallet_verifies(w):
    reg, topics, admin = w.s.registry, w.s.topics_registry, w.s.admin
    bare = investor(w, [])  # an identity without any claim
    assert not reg.isVerified(bare)
    event(topics.removeClaimTopic(KYC, sender=admin), "ClaimTopicRemoved", claimTopic=KYC)
    assert list(topics.getClaimTopics()) == []
    assert reg.isVerified(bare) and reg.isVerified(w.alice)
    assert not reg.isVerified(w.frank)  # still only registered wallets
    topics.addClaimTopic(KYC, sender=admin)
    assert not reg.isVerified(bare) and reg.isVerified(w.alice)


# ------------------------------------------------------------------ the investor category


def test_investor_category_comes_from_the_category_claim(w):
    reg, until = w.s.registry, w.chain.now + YEAR
    assert reg.investorCategory(kyc_only(w)) == 0  # no category claim: retail, the most protected
    for value in (RETAIL, PROFESSIONAL, INSTITUTIONAL):
        assert reg.investorCategory(investor(w, [("platform", INVESTOR_CATEGORY, until, value)])) == value
    for value in (3, 255, 2**255):  # out of range: no attestation
        assert reg.investorCategory(investor(w, [("platform", INVESTOR_CATEGORY, until, value)])) == 0
    # from an issuer not trusted for the topic, or past its date: 0
    assert reg.investorCategory(investor(w, [("cwm-bank", INVESTOR_CATEGORY, until, INSTITUTIONAL)])) == 0
    soon = investor(w, [("platform", INVESTOR_CATEGORY, w.chain.now + 50, INSTITUTIONAL)])
    assert reg.investorCategory(soon) == INSTITUTIONAL
    w.chain.backend.advance_time(w.chain.now + 100)
    assert reg.investorCategory(soon) == 0
    assert reg.investorCategory(w.frank) == 0
