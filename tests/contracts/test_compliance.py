
from conftest import CN, HK, KP, TOKEN, ZERO, event, reverts


def test_modules_listed_and_managed(w):
    c, admin = w.s.compliance, w.s.admin
    mods = c.getModules()
    assert len(mods) == 7 and all(c.isModuleBound(m) for m in mods)
    cap = w.s.modules["supply_cap"].address
    reverts("ModuleAlreadyAdded", c.addModule, cap, sender=admin, module=cap)
    event(c.removeModule(cap, sender=admin), "ModuleRemoved", module=cap)
    reverts("ModuleNotFound", c.removeModule, cap, sender=admin)
    event(c.addModule(cap, sender=admin), "ModuleAdded", module=cap)
    reverts("ZeroAddress", c.addModule, ZERO, sender=admin)
    other = w.chain.deploy("ModularCompliance", admin, sender=admin)
    stray = w.chain.deploy("SupplyCapModule", other.address, admin, 1, sender=admin)
    reverts("ModuleNotBound", c.addModule, stray.address, sender=admin)
    for _ in range(25):
        other.addModule(w.chain.deploy("SupplyCapModule", other.address, admin, 1, sender=admin).address,
                        sender=admin)
    reverts("TooManyModules", other.addModule, stray.address, sender=admin)


def test_hooks_only_from_bound_token(w):
    c = w.s.compliance
    for fn, args in ((c.transferred, (w.alice, w.bob, 1)), (c.created, (w.alice, 1)), (c.destroyed, (w.alice, 1))):
        reverts("OnlyBoundToken", fn, *args, sender=w.alice, caller=w.alice)
    m = w.s.modules["max_holders"]
    reverts("OnlyCompliance", m.moduleMintAction, w.alice, 1, sender=w.alice)
    reverts("OnlyCompliance", m.moduleTransferAction, w.alice, w.bob, 1, sender=w.alice)
    reverts("OnlyCompliance", m.moduleBurnAction, w.alice, 1, sender=w.alice)


def test_bind_unbind(w):
    c, admin = w.s.compliance, w.s.admin
    event(c.unbindToken(sender=admin), "TokenUnbound", token=w.s.token.address)
    reverts("TokenNotBound", c.unbindToken, sender=admin)
    reverts("TransferNotCompliant", w.s.token.mint, w.alice, TOKEN, sender=w.s.agent)
    reverts("ZeroAddress", c.bindToken, ZERO, sender=admin)
    event(c.bindToken(w.s.token.address, sender=admin), "TokenBound", token=w.s.token.address)


def test_country_modules(w):
    allow, deny, admin = w.s.modules["country_allow"], w.s.modules["country_deny"], w.s.admin
    assert allow.isCountryAllowed(HK) and allow.isCountryAllowed(CN) and deny.isCountryDenied(KP)
    assert allow.name() == "CountryAllowModule" and deny.name() == "CountryDenyModule"
    assert not allow.moduleCheck(w.alice, w.frank, 1)  # unknown: country 0
    assert allow.moduleCheck(w.alice, ZERO, 1)
    reverts("CountryAlreadyAllowed", allow.allowCountry, HK, sender=admin)
    event(allow.disallowCountry(CN, sender=admin), "CountryDisallowed", country=CN)
    reverts("CountryNotAllowed", allow.disallowCountry, CN, sender=admin)
    reverts("TransferNotCompliant", w.s.token.mint, w.bob, TOKEN, sender=w.s.agent)
    event(allow.allowCountry(CN, sender=admin), "CountryAllowed", country=CN)
    w.mint(w.bob, TOKEN)
    event(deny.denyCountry(CN, sender=admin), "CountryDenied", country=CN)
    reverts("CountryAlreadyDenied", deny.denyCountry, CN, sender=admin)
    assert w.s.compliance.refusingModule(ZERO, w.bob, 1) == deny.address
    reverts("TransferNotCompliant", w.s.token.mint, w.bob, TOKEN, sender=w.s.agent)
    event(deny.undenyCountry(CN, sender=admin), "CountryUndenied", country=CN)
    reverts("CountryNotDenied", deny.undenyCountry, CN, sender=admin)
    assert w.s.compliance.refusingModule(ZERO, w.bob, 1) == ZERO


def test_investor_category(w):
    m = w.s.modules["investor_category"]
    assert not m.retailAuthorised() and m.name() == "InvestorCategoryModule"
    reverts("TransferNotCompliant", w.s.token.mint, w.dave, TOKEN, sender=w.s.agent)
    event(m.setRetailAuthorised(True, sender=w.s.admin), "RetailAuthorisationSet", authorised=True)
    w.mint(w.dave, TOKEN)


def test_max_balance(w):
    m = w.s.modules["max_balance"]
    event(m.setMaxBalance(10 * TOKEN, sender=w.s.admin), "MaxBalanceSet", maxBalance=10 * TOKEN)
    w.mint(w.alice, 10 * TOKEN)
    reverts("TransferNotCompliant", w.s.token.mint, w.alice, 1, sender=w.s.agent)
    w.mint(w.bob, 5 * TOKEN)
    reverts("TransferNotCompliant", w.s.token.transfer, w.bob, 6 * TOKEN, sender=w.alice)
    w.s.token.transfer(w.bob, 5 * TOKEN, sender=w.alice)
    assert m.moduleCheck(w.alice, w.alice, 100 * TOKEN)  # self transfer does not grow a balance


def test_max_holders_count(w):
    m, t = w.s.modules["max_holders"], w.s.token
    event(m.setMaxHolders(2, sender=w.s.admin), "MaxHoldersSet", maxHolders=2)
    event(w.mint(w.alice, 10 * TOKEN), "HolderCountChanged", holderCount=1)
    w.mint(w.bob, 10 * TOKEN)
    assert m.holderCount() == 2
    reverts("TransferNotCompliant", t.mint, w.carol, TOKEN, sender=w.s.agent)
    reverts("TransferNotCompliant", t.transfer, w.carol, TOKEN, sender=w.alice)
    t.transfer(w.bob, TOKEN, sender=w.alice)  # existing holder: fine
    t.transfer(w.carol, 9 * TOKEN, sender=w.alice)  # whole balance: swaps holders
    assert m.holderCount() == 2 and t.balanceOf(w.alice) == 0
    t.burn(w.carol, 9 * TOKEN, sender=w.s.agent)
    assert m.holderCount() == 1
    t.forcedTransfer(w.bob, w.alice, TOKEN, sender=w.s.agent)
    assert m.holderCount() == 2
    t.recoveryAddress(w.alice, w.carol, sender=w.s.agent)
    assert m.holderCount() == 2


def test_lockup(w):
    m, t = w.s.modules["lockup"], w.s.token
    event(m.setLockupSeconds(1000, sender=w.s.admin), "LockupSecondsSet", lockupSeconds=1000)
    r = w.mint(w.alice, 10 * TOKEN)
    lock = event(r, "LockUpdated", wallet=w.alice, amount=10 * TOKEN)
    assert m.lockedAmount(w.alice) == 10 * TOKEN
    reverts("TransferNotCompliant", t.transfer, w.bob, TOKEN, sender=w.alice)
    w.chain.backend.advance_time(lock.args["until"])
    assert m.lockedAmount(w.alice) == 0
    t.transfer(w.bob, TOKEN, sender=w.alice)
    # a new mint locks only the new amount; transferred-in tokens are free
    w.mint(w.alice, 5 * TOKEN)
    assert m.lockedAmount(w.alice) == 5 * TOKEN
    t.transfer(w.bob, 4 * TOKEN, sender=w.alice)
    reverts("TransferNotCompliant", t.transfer, w.bob, 6 * TOKEN, sender=w.alice)
    # agent burn into the locked tokens shrinks the lock
    r = t.burn(w.alice, 8 * TOKEN, sender=w.s.agent)
    event(r, "LockUpdated", wallet=w.alice, amount=2 * TOKEN)
    assert m.lockOf(w.alice)[0] == 2 * TOKEN


def test_supply_cap(w):
    m = w.s.modules["supply_cap"]
    event(m.setCap(10 * TOKEN, sender=w.s.admin), "SupplyCapSet", cap=10 * TOKEN)
    w.mint(w.alice, 10 * TOKEN)
    reverts("TransferNotCompliant", w.s.token.mint, w.bob, 1, sender=w.s.agent)
    w.s.token.transfer(w.bob, TOKEN, sender=w.alice)  # transfers are not capped


def test_stateful_module_cannot_join_after_issuance(w):
    c, admin = w.s.compliance, w.s.admin
    holders = w.s.modules["max_holders"]
    lockup = w.s.modules["lockup"]
    assert holders.needsHistory() and lockup.needsHistory() and not w.s.modules["supply_cap"].needsHistory()
    w.mint(w.alice, TOKEN)
    c.removeModule(holders.address, sender=admin)
    # re-adding it now would start the holder count at a stale value: refused
    reverts("ModuleNeedsEmptyToken", c.addModule, holders.address, sender=admin, module=holders.address)
    # a stateless rule may still be added mid-life (e.g. a new deny-list)
    cap = w.s.modules["supply_cap"].address
    c.removeModule(cap, sender=admin)
    event(c.addModule(cap, sender=admin), "ModuleAdded", module=cap)
