"""Around the identity registry: the identity storage several registries share, the claim topics and trusted
issuers registries (errors and limits), and the CountryClaimModule (mainland receivers need the CWM bank's
claim)."""

from __future__ import annotations

from conftest import CN, CWM_ELIGIBILITY, HK, INSTITUTIONAL, INVESTOR_CATEGORY, KYC, TOKEN, YEAR, ZERO, event, reverts

OWN = "OwnableUnauthorizedAccount"


def address(i: int) -> str:
    return "0x" + f"{i:040x}"


def onboard(w, country, claims) -> str:
    ids = w.s.identities
    wallet = w.chain.new_account()
    ids.onboard(wallet, country, [(ids.issuers[name], topic, until, value) for name, topic, until, value in claims])
    return wallet


# ------------------------------------------------------------------ the identity storage


def second_registry(w, topics=None):
    s = w.s
    return w.chain.deploy("IdentityRegistry", s.admin, s.agent, s.identity_storage.address,
                          (topics or s.topics_registry).address, s.issuers_registry.address, sender=s.admin)


def test_an_unbound_registry_reads_the_storage_but_cannot_write_it(w):
    s, agent = w.s, w.s.agent
    other = second_registry(w)
    assert other.contains(w.alice) and other.isVerified(w.alice) and other.identity(w.alice) == w.identity(w.alice)
    identity = s.identities.create()
    for fn, args in ((other.registerIdentity, (w.frank, identity, HK)), (other.updateIdentity, (w.alice, identity)),
                     (other.updateCountry, (w.alice, CN)), (other.deleteIdentity, (w.alice,))):
        reverts("OnlyBoundRegistry", fn, *args, sender=agent, caller=other.address)
    # nor can anyone write the storage directly, the agent included
    reverts("OnlyBoundRegistry", s.identity_storage.addIdentityToStorage, w.frank, identity, HK, sender=agent,
            caller=agent)
    assert not s.registry.contains(w.frank) and s.registry.investorCountry(w.alice) == HK


def test_two_registries_bound_to_one_storage_share_the_wallets(w):
    s, agent, admin, storage = w.s, w.s.agent, w.s.admin, w.s.identity_storage
    fresh_topics = w.chain.deploy("ClaimTopicsRegistry", admin, sender=admin)  # this token requires no claim
    other = second_registry(w, fresh_topics)
    event(storage.bindIdentityRegistry(other.address, sender=admin), "IdentityRegistryBound",
          identityRegistry=other.address)
    assert list(storage.linkedIdentityRegistries()) == [s.registry.address, other.address]
    identity = s.identities.create()  # no claim
    event(other.registerIdentity(w.frank, identity, HK, sender=agent), "IdentityRegistered", investorAddress=w.frank)
    assert s.registry.contains(w.frank) and s.registry.identity(w.frank) == identity
    # one onboarding, each token its own rules: verified where no claim is required only
    assert other.isVerified(w.frank) and not s.registry.isVerified(w.frank)
    s.registry.updateCountry(w.frank, CN, sender=agent)
    assert other.investorCountry(w.frank) == CN
    other.deleteIdentity(w.alice, sender=agent)
    assert not s.registry.contains(w.alice)
    event(storage.unbindIdentityRegistry(other.address, sender=admin), "IdentityRegistryUnbound",
          identityRegistry=other.address)
    assert list(storage.linkedIdentityRegistries()) == [s.registry.address]
    reverts("OnlyBoundRegistry", other.deleteIdentity, w.frank, sender=agent, caller=other.address)
    # another storage: the second registry no longer sees the suite's wallets
    own = w.chain.deploy("IdentityRegistryStorage", admin, sender=admin)
    event(other.setIdentityRegistryStorage(own.address, sender=admin), "IdentityStorageSet",
          identityStorage=own.address)
    assert not other.contains(w.frank) and s.registry.contains(w.frank)


def test_storage_errors(w):
    storage, admin, reg = w.s.identity_storage, w.s.admin, w.s.registry
    reverts("RegistryAlreadyBound", storage.bindIdentityRegistry, reg.address, sender=admin, registry=reg.address)
    reverts("RegistryNotBound", storage.unbindIdentityRegistry, w.outsider, sender=admin, registry=w.outsider)
    reverts("ZeroAddress", storage.bindIdentityRegistry, ZERO, sender=admin)
    for fn, args in ((storage.bindIdentityRegistry, (w.outsider,)), (storage.unbindIdentityRegistry, (reg.address,))):
        reverts(OWN, fn, *args, sender=w.s.agent, account=w.s.agent)
    assert list(storage.linkedIdentityRegistries()) == [reg.address]


def test_storage_binds_at_most_max_registries(rw):
    storage, admin = rw.s.identity_storage, rw.s.admin
    limit = storage.MAX_REGISTRIES()
    for i in range(1, limit):  # the suite's registry is the first
        storage.bindIdentityRegistry(address(0x1000 + i), sender=admin)
    assert len(storage.linkedIdentityRegistries()) == limit
    reverts("TooManyRegistries", storage.bindIdentityRegistry, address(0x9999), sender=admin)
    storage.unbindIdentityRegistry(address(0x1001), sender=admin)  # swap-and-pop: the last takes its place
    linked = [a.lower() for a in storage.linkedIdentityRegistries()]
    assert len(linked) == limit - 1 and linked[1] == address(0x1000 + limit - 1) and address(0x1001) not in linked
    storage.bindIdentityRegistry(address(0x9999), sender=admin)  # room again


# ------------------------------------------------------------------ claim topics and trusted issuers registries


def test_claim_topics_registry(w):
    topics, admin = w.s.topics_registry, w.s.admin
    assert list(topics.getClaimTopics()) == [KYC]
    reverts("TopicAlreadyAdded", topics.addClaimTopic, KYC, sender=admin, claimTopic=KYC)
    reverts("TopicNotFound", topics.removeClaimTopic, 99, sender=admin, claimTopic=99)
    reverts(OWN, topics.addClaimTopic, 99, sender=w.s.agent, account=w.s.agent)
    event(topics.addClaimTopic(CWM_ELIGIBILITY, sender=admin), "ClaimTopicAdded", claimTopic=CWM_ELIGIBILITY)
    assert not w.s.registry.isVerified(w.alice) and w.s.registry.isVerified(w.bob)  # bob holds the CWM claim
    topics.removeClaimTopic(KYC, sender=admin)  # swap-and-pop
    assert list(topics.getClaimTopics()) == [CWM_ELIGIBILITY]
    for topic in range(100, 100 + topics.MAX_TOPICS() - 1):
        topics.addClaimTopic(topic, sender=admin)
    assert len(topics.getClaimTopics()) == topics.MAX_TOPICS() == 15
    reverts("TooManyTopics", topics.addClaimTopic, 7, sender=admin)


def test_trusted_issuers_registry(w):
    trusted, admin, ids = w.s.issuers_registry, w.s.admin, w.s.identities
    platform, bank = ids.issuers["platform"].address, ids.issuers["cwm-bank"].address
    assert list(trusted.getTrustedIssuers()) == [platform, bank]
    assert list(trusted.getTrustedIssuersForClaimTopic(KYC)) == [platform]
    assert list(trusted.getTrustedIssuerClaimTopics(platform)) == [KYC, INVESTOR_CATEGORY]
    assert trusted.hasClaimTopic(platform, KYC) and not trusted.hasClaimTopic(platform, CWM_ELIGIBILITY)
    assert trusted.isTrustedIssuer(bank) and not trusted.isTrustedIssuer(w.outsider)
    reverts("IssuerAlreadyTrusted", trusted.addTrustedIssuer, platform, [KYC], sender=admin, issuer=platform)
    reverts("ZeroAddress", trusted.addTrustedIssuer, ZERO, [KYC], sender=admin)
    for topics in ([], [KYC, KYC], [1, 2, 3, 1], list(range(1, trusted.MAX_TOPICS() + 2))):  # none, duplicates, 16
        reverts("InvalidTopics", trusted.addTrustedIssuer, w.outsider, topics, sender=admin, count=len(topics))
        reverts("InvalidTopics", trusted.updateIssuerClaimTopics, platform, topics, sender=admin, count=len(topics))
    for fn in (trusted.removeTrustedIssuer, trusted.getTrustedIssuerClaimTopics):
        reverts("IssuerNotTrusted", fn, w.outsider, sender=admin, issuer=w.outsider)
    reverts("IssuerNotTrusted", trusted.updateIssuerClaimTopics, w.outsider, [KYC], sender=admin, issuer=w.outsider)
    reverts(OWN, trusted.addTrustedIssuer, w.outsider, [KYC], sender=w.s.agent, account=w.s.agent)
    trusted.addTrustedIssuer(w.outsider, list(range(1, trusted.MAX_TOPICS() + 1)), sender=admin)  # 15: the most
    assert list(trusted.getTrustedIssuersForClaimTopic(KYC)) == [platform, w.outsider]
    trusted.updateIssuerClaimTopics(platform, [INVESTOR_CATEGORY], sender=admin)  # no longer for KYC
    assert list(trusted.getTrustedIssuersForClaimTopic(KYC)) == [w.outsider] and not w.s.registry.isVerified(w.alice)
    trusted.removeTrustedIssuer(platform, sender=admin)
    assert list(trusted.getTrustedIssuers()) == [w.outsider, bank]  # swap-and-pop
    assert list(trusted.getTrustedIssuersForClaimTopic(INVESTOR_CATEGORY)) == [w.outsider]


def test_trusted_issuers_registry_holds_at_most_max_issuers(rw):
    trusted, admin = rw.s.issuers_registry, rw.s.admin
    limit = trusted.MAX_ISSUERS()
    for i in range(len(trusted.getTrustedIssuers()), limit):
        trusted.addTrustedIssuer(address(0x2000 + i), [KYC], sender=admin)
    assert len(trusted.getTrustedIssuers()) == limit == 50
    reverts("TooManyIssuers", trusted.addTrustedIssuer, address(0x3000), [KYC], sender=admin)
    assert rw.s.registry.isVerified(rw.alice)  # 49 issuers without a claim on alice before or after hers


# ------------------------------------------------------------------ the CountryClaimModule


def test_mainland_receivers_need_the_cwm_claim(w):
    s, ids, t = w.s, w.s.identities, w.s.token
    m, until = s.modules["country_claim"], w.chain.now + YEAR
    kyc = [("platform", KYC, until, 0), ("platform", INVESTOR_CATEGORY, until, INSTITUTIONAL)]
    cn, hk = onboard(w, CN, kyc), onboard(w, HK, kyc)  # neither holds the CWM bank's claim
    assert m.requiredTopic(CN) == CWM_ELIGIBILITY and m.requiredTopic(HK) == 0
    w.mint(w.alice, 10 * TOKEN)
    assert s.registry.isVerified(cn)  # the registry requires KYC only: the module refuses
    assert not t.canTransfer(w.alice, cn, TOKEN) and s.compliance.refusingModule(w.alice, cn, TOKEN) == m.address
    assert t.canTransfer(w.alice, hk, TOKEN) and t.canTransfer(w.alice, w.bob, TOKEN)
    reverts("TransferNotCompliant", t.mint, cn, TOKEN, sender=s.agent)
    reverts("TransferNotCompliant", t.transfer, cn, TOKEN, sender=w.alice)
    w.mint(hk, TOKEN)
    w.mint(w.bob, TOKEN)
    # the CWM bank attests his eligibility: admitted
    ids.issue(w.identity(cn), ids.issuers["cwm-bank"], CWM_ELIGIBILITY, until, 1)
    assert t.canTransfer(w.alice, cn, TOKEN)
    t.transfer(cn, TOKEN, sender=w.alice)
    # the bank revokes it: refused again, but he can still be burnt from (burns are always allowed)
    ids.revoke(cn, CWM_ELIGIBILITY)
    assert not t.canTransfer(w.alice, cn, TOKEN)
    t.burn(cn, TOKEN, sender=s.agent)
    # the bank distrusted: bob, whose claim is sound, refused too; trusted again: admitted
    ids.distrust(ids.issuers["cwm-bank"])
    assert not t.canTransfer(w.alice, w.bob, TOKEN) and s.registry.isVerified(w.bob)
    ids.trust(ids.issuers["cwm-bank"], [CWM_ELIGIBILITY])
    assert t.canTransfer(w.alice, w.bob, TOKEN)


def test_the_requirement_is_lifted_with_topic_zero(w):
    s, m, t = w.s, w.s.modules["country_claim"], w.s.token
    cn = onboard(w, CN, [("platform", KYC, w.chain.now + YEAR, 0), ("platform", INVESTOR_CATEGORY,
                                                                      w.chain.now + YEAR, INSTITUTIONAL)])
    reverts("TransferNotCompliant", t.mint, cn, TOKEN, sender=s.agent)
    reverts(OWN, m.setRequiredClaim, CN, 0, sender=s.agent, account=s.agent)
    event(m.setRequiredClaim(CN, 0, sender=s.admin), "ClaimRequirementSet", country=CN, topic=0)
    assert m.requiredTopic(CN) == 0
    w.mint(cn, TOKEN)
    assert t.balanceOf(cn) == TOKEN
    m.setRequiredClaim(HK, CWM_ELIGIBILITY, sender=s.admin)  # any country may be given a requirement
    assert not t.canTransfer(cn, w.alice, TOKEN) and t.canTransfer(cn, w.bob, TOKEN)
