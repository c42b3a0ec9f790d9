
from conftest import CN, HK, KP, TOKEN, ZERO, event, reverts


def test_modules_listed_and_managed(w):
    c, admin = w.s.compliance, w.s.admin
    mods = c.getModules()
    assert list(mods) == [m.address for m in w.s.modules.values()] and len(mods) == 8  # the CountryClaimModule too
    assert all(c.isModuleBound(m) for m in mods)
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
    for fn, args in ((c.transferred, (w.alice, w.bob, 1)), (c.created, (w.alice, 1)), (c.destroyed, (w.alice, 1)),
                     (c.beforeRecovery, (w.alice, w.bob))):
        reverts("OnlyBoundToken", fn, *args, sender=w.alice, caller=w.alice)
    for m in (w.s.modules["max_holders"], w.s.modules["lockup"]):
        reverts("OnlyCompliance", m.moduleMintAction, w.alice, 1, sender=w.alice)
        reverts("OnlyCompliance", m.moduleTransferAction, w.alice, w.bob, 1, sender=w.alice)
        reverts("OnlyCompliance", m.moduleBurnAction, w.alice, 1, sender=w.alice)
        reverts("OnlyCompliance", m.moduleRecoveryAction, w.alice, w.bob, sender=w.alice)


def test_bind_unbind(w):
    c, admin, t = w.s.compliance, w.s.admin, w.s.token.address
    assert c.getTokenBound() == c.token() == t
    reverts("TokenNotBound", c.unbindToken, w.s.registry.address, sender=admin, token=w.s.registry.address)
    reverts("ZeroAddress", c.unbindToken, ZERO, sender=admin)
    event(c.unbindToken(t, sender=admin), "TokenUnbound", token=t)
    assert c.getTokenBound() == ZERO
    reverts("TokenNotBound", c.unbindToken, t, sender=admin, token=t)
    reverts("TransferNotCompliant", w.s.token.mint, w.alice, TOKEN, sender=w.s.agent)
    reverts("ZeroAddress", c.bindToken, ZERO, sender=admin)
    event(c.bindToken(t, sender=admin), "TokenBound", token=t)
    assert c.getTokenBound() == t


def _encode(module, name: str, *args) -> bytes:
    """Calldata of `module.name(*args)`, for ModularCompliance.callModuleFunction."""
    return module.abi.function(name, args).encode(args)


def test_call_module_function_configures_a_bound_module(w):
    c, admin, m = w.s.compliance, w.s.admin, w.s.modules["max_balance"]
    data = _encode(m, "setMaxBalance", 10 * TOKEN)
    r = c.callModuleFunction(data, m.address, sender=admin)
    event(r, "ModuleInteraction", target=m.address, selector=data[:4])
    event(r, "MaxBalanceSet", maxBalance=10 * TOKEN)
    assert m.maxBalance() == 10 * TOKEN
    w.mint(w.alice, 10 * TOKEN)
    reverts("TransferNotCompliant", w.s.token.mint, w.alice, 1, sender=w.s.agent)
    allow = w.s.modules["country_allow"]  # the module's revert is bubbled up
    reverts("CountryAlreadyAllowed", c.callModuleFunction, _encode(allow, "allowCountry", HK), allow.address,
            sender=admin, country=HK)
    reverts("OwnableUnauthorizedAccount", c.callModuleFunction, data, m.address, sender=w.alice, account=w.alice)
    # only a module in the list, and never a hook (only the bound token drives them)
    other = w.chain.deploy("MaxBalanceModule", c.address, admin, 1, sender=admin)
    reverts("ModuleNotFound", c.callModuleFunction, data, other.address, sender=admin, module=other.address)
    holders = w.s.modules["max_holders"]
    hook = _encode(holders, "moduleMintAction", w.alice, TOKEN)
    reverts("ModuleHookCall", c.callModuleFunction, hook, holders.address, sender=admin, selector=hook[:4])
    reverts("FailedCall", c.callModuleFunction, b"", m.address, sender=admin)  # no such function
    # the module's own owner still configures it directly
    event(m.setMaxBalance(TOKEN, sender=admin), "MaxBalanceSet", maxBalance=TOKEN)


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
    w.recover(w.alice, w.carol)  # onto carol's wallet, made another wallet of alice's identity
    assert m.holderCount() == 2


def tranches(m, wallet):
    """The unexpired (amount, until) tranches of `wallet`, as a list."""
    return [tuple(t) for t in m.tranchesOf(wallet)]


def test_lockup(w):
    m, t = w.s.modules["lockup"], w.s.token
    event(m.setLockupSeconds(1000, sender=w.s.admin), "LockupSecondsSet", lockupSeconds=1000)
    r = w.mint(w.alice, 10 * TOKEN)
    lock = event(r, "TrancheLocked", wallet=w.alice, amount=10 * TOKEN)
    assert m.lockedAmount(w.alice) == 10 * TOKEN and tranches(m, w.alice) == [(10 * TOKEN, lock.args["until"])]
    reverts("TransferNotCompliant", t.transfer, w.bob, TOKEN, sender=w.alice)
    w.chain.backend.advance_time(lock.args["until"])
    assert m.lockedAmount(w.alice) == 0 and tranches(m, w.alice) == []
    t.transfer(w.bob, TOKEN, sender=w.alice)
    # a new mint locks only the new amount; transferred-in tokens are free
    w.mint(w.alice, 5 * TOKEN)
    assert m.lockedAmount(w.alice) == 5 * TOKEN
    t.transfer(w.bob, 4 * TOKEN, sender=w.alice)
    reverts("TransferNotCompliant", t.transfer, w.bob, 6 * TOKEN, sender=w.alice)
    # agent burn into the locked tokens shrinks the lock
    r = t.burn(w.alice, 8 * TOKEN, sender=w.s.agent)
    event(r, "LockedTokensTaken", wallet=w.alice, amount=3 * TOKEN)
    assert tranches(m, w.alice)[0][0] == 2 * TOKEN and m.lockedAmount(w.alice) == 2 * TOKEN


def test_lockup_tranches_are_eaten_first_in_first_out(w):
    m, t = w.s.modules["lockup"], w.s.token
    m.setLockupSeconds(1000, sender=w.s.admin)
    start = w.chain.now
    w.mint(w.alice, 4 * TOKEN)  # tranche A, ends start + 1001
    w.chain.backend.advance_time(start + 100)
    w.mint(w.alice, 6 * TOKEN)  # tranche B, ends start + 1101
    t.forcedTransfer(w.alice, w.bob, 5 * TOKEN, sender=w.s.agent)  # no free tokens: A goes, then 1 of B
    assert tranches(m, w.alice) == [(5 * TOKEN, start + 1101)]
    assert m.lockedAmount(w.bob) == 0  # received by transfer: free
    t.transfer(w.carol, TOKEN, sender=w.bob)


def test_lockup_tranche_list_is_bounded(w):
    m, t = w.s.modules["lockup"], w.s.token
    cap = m.MAX_TRANCHES()
    m.setLockupSeconds(10_000, sender=w.s.admin)
    t.batchMint([w.alice, w.alice], [TOKEN, TOKEN], sender=w.s.agent)  # same block: one tranche
    assert len(tranches(m, w.alice)) == 1 and tranches(m, w.alice)[0][0] == 2 * TOKEN
    for _ in range(cap - 1):
        w.mint(w.alice, TOKEN)  # one block each: a tranche each
    full = tranches(m, w.alice)
    assert len(full) == cap and m.lockedAmount(w.alice) == (cap + 1) * TOKEN
    r = w.mint(w.alice, TOKEN)  # full: joins the latest tranche, whose end moves to the new end
    ext = event(r, "TrancheExtended", wallet=w.alice, amount=TOKEN, fromUntil=full[-1][1])
    after = tranches(m, w.alice)
    assert len(after) == cap and after[:-1] == full[:-1] and after[-1] == (2 * TOKEN, ext.args["toUntil"])
    w.chain.backend.advance_time(full[0][1] - 1)  # the next block ends the oldest tranche (2 tokens): room again
    w.mint(w.alice, TOKEN)
    assert len(tranches(m, w.alice)) == cap and m.lockedAmount(w.alice) == (cap + 1) * TOKEN  # 18 - 2 + 1


def test_recovery_moves_tranches_onto_those_of_the_new_wallet(w):
    m, t = w.s.modules["lockup"], w.s.token
    m.setLockupSeconds(1000, sender=w.s.admin)
    w.mint(w.alice, 10 * TOKEN)
    w.mint(w.carol, 3 * TOKEN)
    w.mint(w.alice, 2 * TOKEN)
    t.transfer(w.bob, 0, sender=w.carol)
    locked_alice, locked_carol = tranches(m, w.alice), tranches(m, w.carol)
    r = w.recover(w.alice, w.carol)
    event(r, "LocksMoved", lostWallet=w.alice, newWallet=w.carol, amount=12 * TOKEN)
    assert tranches(m, w.carol) == locked_carol + locked_alice and tranches(m, w.alice) == []
    assert m.lockedAmount(w.carol) == 15 * TOKEN == t.balanceOf(w.carol)


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


def test_stateful_modules_bind_once_and_retire_when_removed_in_use(w):
    c, t, admin = w.s.compliance, w.s.token, w.s.admin
    holders, lockup = w.s.modules["max_holders"], w.s.modules["lockup"]
    assert c.needsHistory() and not c.inUse()
    # before any balance change: removing and re-adding a stateful module is harmless, and allowed
    c.removeModule(holders.address, sender=admin)
    assert not c.isModuleRetired(holders.address)
    c.addModule(holders.address, sender=admin)
    r = w.mint(w.alice, TOKEN)
    event(r, "InUseChanged", inUse=True)
    assert c.inUse()
    t.burn(w.alice, TOKEN, sender=w.s.agent)  # supply back to zero: the modules' state is still theirs
    c.unbindToken(t.address, sender=admin)
    reverts("StatefulModulesInUse", c.bindToken, t.address, sender=admin)
    # removing a stateful module now retires it; the last one out clears inUse
    r = c.removeModule(holders.address, sender=admin)
    event(r, "StatefulModuleRetired", module=holders.address)
    assert c.isModuleRetired(holders.address) and c.inUse()
    r = c.removeModule(lockup.address, sender=admin)
    event(r, "InUseChanged", inUse=False)
    assert not c.needsHistory() and not c.inUse()
    event(c.bindToken(t.address, sender=admin), "TokenBound", token=t.address)
    reverts("ModuleRetired", c.addModule, holders.address, sender=admin, module=holders.address)
    fresh = w.chain.deploy("MaxHoldersModule", c.address, admin, 5, sender=admin)
    event(c.addModule(fresh.address, sender=admin), "ModuleAdded", module=fresh.address)


def test_token_switches_only_to_a_compliance_that_can_see_everything(w):
    t, admin = w.s.token, w.s.admin
    other = w.chain.deploy("ModularCompliance", admin, sender=admin)
    holders = w.chain.deploy("MaxHoldersModule", other.address, admin, 5, sender=admin)
    other.addModule(holders.address, sender=admin)
    other.bindToken(t.address, sender=admin)  # empty token: allowed
    event(t.setCompliance(other.address, sender=admin), "ComplianceAdded", compliance=other.address)
    w.mint(w.alice, TOKEN)
    assert holders.holderCount() == 1
    stateless = w.chain.deploy("ModularCompliance", admin, sender=admin)
    stateless.bindToken(t.address, sender=admin)
    t.setCompliance(stateless.address, sender=admin)  # no stateful module: allowed with a supply
    reverts("ComplianceNeedsEmptyToken", t.setCompliance, other.address, sender=admin, compliance=other.address)
