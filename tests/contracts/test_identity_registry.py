from conftest import CN, DIRECT, HK, INSTITUTIONAL, PROFESSIONAL, YEAR, event, reverts


def test_register_update_revoke_delete(w):
    reg, agent, f = w.s.registry, w.s.agent, w.frank
    until = w.chain.now + YEAR
    assert not reg.isVerified(f)
    assert reg.identity(f) == (0, 0, 0, 0, False, False)
    r = reg.registerIdentity(f, HK, PROFESSIONAL, DIRECT, until, sender=agent)
    event(r, "IdentityRegistered", wallet=f, country=HK, category=PROFESSIONAL, channel=DIRECT,
          kycValidUntil=until, agent=agent)
    assert reg.isVerified(f) and reg.contains(f)
    assert reg.investorCountry(f) == HK and reg.investorCategory(f) == PROFESSIONAL
    r = reg.updateIdentity(f, CN, INSTITUTIONAL, 2, until, sender=agent)
    event(r, "IdentityUpdated", wallet=f, country=CN, category=INSTITUTIONAL, channel=2)
    assert reg.identity(f) == (CN, INSTITUTIONAL, 2, until, False, True)
    r = reg.revoke(f, sender=agent)
    event(r, "IdentityRevoked", wallet=f, agent=agent)
    assert not reg.isVerified(f) and reg.contains(f)
    reverts("AlreadyRevoked", reg.revoke, f, sender=agent, wallet=f)
    r = reg.deleteIdentity(f, sender=agent)
    event(r, "IdentityRemoved", wallet=f, agent=agent)
    assert not reg.contains(f) and not reg.isVerified(f)


def test_kyc_expiry(w):
    reg, f = w.s.registry, w.frank
    until = w.chain.now + 100
    reg.registerIdentity(f, HK, PROFESSIONAL, DIRECT, until, sender=w.s.agent)
    assert reg.isVerified(f)
    w.chain.backend.advance_time(until)
    assert reg.isVerified(f)  # valid up to and including kycValidUntil
    w.chain.backend.advance_time(until + 1)
    assert not reg.isVerified(f)


def test_registry_errors(w):
    reg, agent = w.s.registry, w.s.agent
    until = w.chain.now + YEAR
    reverts("IdentityAlreadyExists", reg.registerIdentity, w.alice, HK, 1, 0, until, sender=agent, wallet=w.alice)
    reverts("ZeroAddress", reg.registerIdentity, "0x" + "00" * 20, HK, 1, 0, until, sender=agent)
    reverts("InvalidCategory", reg.registerIdentity, w.frank, HK, 3, 0, until, sender=agent, category=3)
    reverts("InvalidChannel", reg.registerIdentity, w.frank, HK, 1, 3, until, sender=agent, channel=3)
    reverts("IdentityNotFound", reg.updateIdentity, w.frank, HK, 1, 0, until, sender=agent, wallet=w.frank)
    reverts("InvalidCategory", reg.updateIdentity, w.alice, HK, 9, 0, until, sender=agent)
    reverts("IdentityNotFound", reg.deleteIdentity, w.frank, sender=agent)
    reverts("IdentityNotFound", reg.revoke, w.frank, sender=agent)
    reverts("LengthMismatch", reg.batchRegisterIdentity, [w.frank], [HK, CN], [1], [0], [until], sender=agent)


def test_batch_register_emits_each(w):
    a, b = w.chain.new_account(), w.chain.new_account()
    until = w.chain.now + YEAR
    r = w.s.registry.batchRegisterIdentity([a, b], [HK, CN], [1, 2], [0, 1], [until, until], sender=w.s.agent)
    assert [e.args["wallet"] for e in r.events_named("IdentityRegistered")] == [a, b]
    assert w.s.registry.isVerified(a) and w.s.registry.isVerified(b)
