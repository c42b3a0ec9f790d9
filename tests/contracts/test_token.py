import pytest
from conftest import HK, KYC, TOKEN, ZERO, event, reverts
from eth_utils import keccak

from simulator.chain import ContractRevert


def test_metadata_and_wiring(w):
    t = w.s.token
    assert t.decimals() == 18
    assert t.identityRegistry() == w.s.registry.address
    assert t.compliance() == w.s.compliance.address
    assert t.balanceObserver() == w.s.distributor.address
    r = t.setAssetInfo(b"\x11" * 32, b"\x22" * 32, "ipfs://doc", sender=w.s.admin)
    event(r, "AssetInfoUpdated", assetId=b"\x11" * 32, documentHash=b"\x22" * 32, documentURI="ipfs://doc")
    assert (t.assetId(), t.documentHash(), t.documentURI()) == (b"\x11" * 32, b"\x22" * 32, "ipfs://doc")


def test_set_registry_compliance_observer(w):
    t, admin = w.s.token, w.s.admin
    event(t.setIdentityRegistry(w.s.registry.address, sender=admin), "IdentityRegistryAdded")
    event(t.setCompliance(w.s.compliance.address, sender=admin), "ComplianceAdded")
    reverts("ZeroAddress", t.setIdentityRegistry, ZERO, sender=admin)
    reverts("ZeroAddress", t.setCompliance, ZERO, sender=admin)
    event(t.setBalanceObserver(w.s.distributor.address, sender=admin), "BalanceObserverSet")
    w.mint(w.alice, TOKEN)
    reverts("ObserverChangeWithSupply", t.setBalanceObserver, ZERO, sender=admin, totalSupply=TOKEN)


def test_mint_and_transfer(w):
    t = w.s.token
    r = w.mint(w.alice, 100 * TOKEN)
    event(r, "Transfer", **{"from": ZERO, "to": w.alice, "value": 100 * TOKEN})
    r = t.transfer(w.bob, 30 * TOKEN, sender=w.alice)
    event(r, "Transfer", **{"from": w.alice, "to": w.bob, "value": 30 * TOKEN})
    assert t.balanceOf(w.alice) == 70 * TOKEN and t.balanceOf(w.bob) == 30 * TOKEN
    t.approve(w.carol, 10 * TOKEN, sender=w.alice)
    t.transferFrom(w.alice, w.carol, 10 * TOKEN, sender=w.carol)
    assert t.balanceOf(w.carol) == 10 * TOKEN
    assert t.canTransfer(w.alice, w.bob, TOKEN)
    r = t.batchTransfer([w.bob, w.carol], [TOKEN, 2 * TOKEN], sender=w.alice)
    assert len(r.events_named("Transfer")) == 2
    assert t.balanceOf(w.alice) == 57 * TOKEN


def test_transfer_refusals(w):
    t, agent = w.s.token, w.s.agent
    w.mint(w.alice, 100 * TOKEN)
    reverts("ReceiverNotVerified", t.transfer, w.frank, TOKEN, sender=w.alice, wallet=w.frank)
    reverts("TransferNotCompliant", t.transfer, w.dave, TOKEN, sender=w.alice)  # retail
    reverts("TransferNotCompliant", t.transfer, w.eve, TOKEN, sender=w.alice)  # denied country
    assert not t.canTransfer(w.alice, w.eve, TOKEN)
    t.setAddressFrozen(w.bob, True, sender=agent)
    reverts("WalletFrozen", t.transfer, w.bob, TOKEN, sender=w.alice, wallet=w.bob)
    t.setAddressFrozen(w.alice, True, sender=agent)
    reverts("WalletFrozen", t.transfer, w.carol, TOKEN, sender=w.alice, wallet=w.alice)
    t.setAddressFrozen(w.alice, False, sender=agent)
    t.freezePartialTokens(w.alice, 95 * TOKEN, sender=agent)
    reverts("InsufficientUnfrozenBalance", t.transfer, w.carol, 6 * TOKEN, sender=w.alice,
            wallet=w.alice, available=5 * TOKEN, needed=6 * TOKEN)
    assert not t.canTransfer(w.alice, w.carol, 6 * TOKEN)
    t.transfer(w.carol, 5 * TOKEN, sender=w.alice)
    reverts("ERC20InsufficientBalance", t.transfer, w.alice, 6 * TOKEN, sender=w.carol)
    reverts("ERC20InsufficientAllowance", t.transferFrom, w.carol, w.alice, 1, sender=w.alice)
    reverts("LengthMismatch", t.batchTransfer, [w.bob], [1, 2], sender=w.alice)


def test_pause(w):
    t, agent = w.s.token, w.s.agent
    w.mint(w.alice, 10 * TOKEN)
    event(t.pause(sender=agent), "Paused", account=agent)
    assert t.paused()
    reverts("EnforcedPause", t.transfer, w.bob, TOKEN, sender=w.alice)
    reverts("EnforcedPause", t.pause, sender=agent)
    assert not t.canTransfer(w.alice, w.bob, TOKEN)
    # agent actions bypass the pause
    w.mint(w.bob, TOKEN)
    t.forcedTransfer(w.alice, w.carol, TOKEN, sender=agent)
    t.burn(w.alice, TOKEN, sender=agent)
    event(t.unpause(sender=agent), "Unpaused", account=agent)
    reverts("ExpectedPause", t.unpause, sender=agent)
    t.transfer(w.bob, TOKEN, sender=w.alice)


def test_mint_refusals(w):
    t, agent = w.s.token, w.s.agent
    reverts("ReceiverNotVerified", t.mint, w.frank, TOKEN, sender=agent)
    reverts("TransferNotCompliant", t.mint, w.dave, TOKEN, sender=agent, **{"from": ZERO, "to": w.dave})
    t.setAddressFrozen(w.alice, True, sender=agent)
    reverts("WalletFrozen", t.mint, w.alice, TOKEN, sender=agent)
    reverts("TransferNotCompliant", t.mint, w.bob, 10_000_001 * TOKEN, sender=agent)  # supply cap / max balance


def test_burn_eats_frozen(w):
    t, agent = w.s.token, w.s.agent
    w.mint(w.alice, 10 * TOKEN)
    event(t.freezePartialTokens(w.alice, 8 * TOKEN, sender=agent), "TokensFrozen", wallet=w.alice, amount=8 * TOKEN)
    r = t.burn(w.alice, 5 * TOKEN, sender=agent)
    event(r, "TokensUnfrozen", wallet=w.alice, amount=3 * TOKEN)
    event(r, "Transfer", **{"from": w.alice, "to": ZERO, "value": 5 * TOKEN})
    assert t.getFrozenTokens(w.alice) == 5 * TOKEN and t.balanceOf(w.alice) == 5 * TOKEN
    reverts("ERC20InsufficientBalance", t.burn, w.alice, 6 * TOKEN, sender=agent)
    r = t.batchBurn([w.alice, w.alice], [TOKEN, TOKEN], sender=agent)
    assert t.totalSupply() == 3 * TOKEN and t.getFrozenTokens(w.alice) == 3 * TOKEN
    reverts("LengthMismatch", t.batchBurn, [w.alice], [], sender=agent)


def test_forced_transfer(w):
    t, agent = w.s.token, w.s.agent
    w.mint(w.alice, 10 * TOKEN)
    t.setAddressFrozen(w.alice, True, sender=agent)
    t.freezePartialTokens(w.alice, 10 * TOKEN, sender=agent)
    r = t.forcedTransfer(w.alice, w.bob, 4 * TOKEN, sender=agent)
    event(r, "ForcedTransfer", **{"from": w.alice, "to": w.bob, "amount": 4 * TOKEN, "agent": agent})
    event(r, "TokensUnfrozen", wallet=w.alice, amount=4 * TOKEN)
    assert t.balanceOf(w.bob) == 4 * TOKEN and t.getFrozenTokens(w.alice) == 6 * TOKEN
    reverts("SameAddress", t.forcedTransfer, w.alice, w.alice, TOKEN, sender=agent, wallet=w.alice)
    reverts("ReceiverNotVerified", t.forcedTransfer, w.alice, w.frank, TOKEN, sender=agent)
    t.setAddressFrozen(w.carol, True, sender=agent)
    reverts("WalletFrozen", t.forcedTransfer, w.alice, w.carol, TOKEN, sender=agent, wallet=w.carol)
    t.batchForcedTransfer([w.alice, w.alice], [w.bob, w.bob], [TOKEN, TOKEN], sender=agent)
    assert t.balanceOf(w.bob) == 6 * TOKEN
    reverts("LengthMismatch", t.batchForcedTransfer, [w.alice], [w.bob], [1, 2], sender=agent)


def test_recovery(w):
    t, agent, reg = w.s.token, w.s.agent, w.s.registry
    new = w.chain.new_account("alice-new")
    w.mint(w.alice, 10 * TOKEN)
    t.freezePartialTokens(w.alice, 3 * TOKEN, sender=agent)
    t.setAddressFrozen(w.alice, True, sender=agent)
    alice_id = w.identity(w.alice)
    reverts("SameAddress", t.recoveryAddress, w.alice, w.alice, alice_id, sender=agent)
    reverts("NothingToRecover", t.recoveryAddress, w.bob, new, w.identity(w.bob), sender=agent, wallet=w.bob)
    # the new wallet must be a management key of the investor's identity
    reverts("RecoveryNotPossible", t.recoveryAddress, w.alice, new, alice_id, sender=agent,
            newWallet=new, investorOnchainID=alice_id)
    w.s.identities.add_wallet_key(w.alice, new)
    r = t.recoveryAddress(w.alice, new, alice_id, sender=agent)
    event(r, "RecoverySuccess", lostWallet=w.alice, newWallet=new, investorOnchainID=alice_id)
    event(r, "IdentityRegistered", investorAddress=new, identity=alice_id)
    event(r, "IdentityRemoved", investorAddress=w.alice, identity=alice_id)
    event(r, "TokensFrozen", wallet=new, amount=3 * TOKEN)
    event(r, "AddressFrozen", wallet=new, isFrozen=True)
    assert t.balanceOf(new) == 10 * TOKEN and t.balanceOf(w.alice) == 0
    assert t.getFrozenTokens(new) == 3 * TOKEN and t.getFrozenTokens(w.alice) == 0
    assert t.isFrozen(new)
    # the new wallet holds the investor's identity and country; the lost one is gone from the registry
    assert reg.identity(new) == alice_id and reg.investorCountry(new) == HK and reg.isVerified(new)
    assert not reg.contains(w.alice) and not reg.isVerified(w.alice)
    # a registered new wallet that is frozen is refused as a recovery target
    spare = w.chain.new_account("bob-spare")
    w.mint(w.bob, TOKEN)
    w.prepare_recovery(w.bob, spare)
    t.setAddressFrozen(spare, True, sender=agent)
    reverts("WalletFrozen", t.recoveryAddress, w.bob, spare, w.identity(w.bob), sender=agent, wallet=spare)


def test_recovery_refuses_an_identity_that_is_not_the_wallets(w):
    t, agent, reg = w.s.token, w.s.agent, w.s.registry
    w.mint(w.alice, 10 * TOKEN)
    alice_id, carol_id = w.identity(w.alice), w.identity(w.carol)
    # a key of carol's identity cannot take alice's tokens: alice is registered with another identity
    new = w.chain.new_account("impostor")
    w.s.identities.add_wallet_key(w.carol, new)
    reverts("IdentityMismatch", t.recoveryAddress, w.alice, new, carol_id, sender=agent,
            wallet=w.alice, investorOnchainID=carol_id)
    # carol's wallet is a key of alice's identity but registered with carol's: refused too
    w.s.identities.add_wallet_key(w.alice, w.carol)
    reverts("IdentityMismatch", t.recoveryAddress, w.alice, w.carol, alice_id, sender=agent,
            wallet=w.carol, investorOnchainID=alice_id)
    assert t.balanceOf(w.alice) == 10 * TOKEN and reg.identity(w.carol) == carol_id and not reg.contains(new)
    # a lost wallet no longer registered cannot be recovered at all: its new wallet would be registered with
    # country 0, outside the country rules (found in review: any identity holding the new key was accepted)
    reg.deleteIdentity(w.alice, sender=agent)
    w.s.identities.add_wallet_key(w.alice, new)  # even a key of alice's own identity
    reverts("IdentityMismatch", t.recoveryAddress, w.alice, new, alice_id, sender=agent,
            wallet=w.alice, investorOnchainID=alice_id)
    assert t.balanceOf(w.alice) == 10 * TOKEN and not reg.contains(new)


def test_recovery_to_a_wallet_whose_identity_does_not_verify_is_undone(w):
    t, reg = w.s.token, w.s.registry
    w.mint(w.alice, 10 * TOKEN)
    new = w.chain.new_account("alice-new")
    w.s.identities.add_wallet_key(w.alice, new)
    w.s.identities.revoke(w.alice, KYC)  # the platform revokes the investor's KYC
    reverts("ReceiverNotVerified", t.recoveryAddress, w.alice, new, w.identity(w.alice), sender=w.s.agent,
            wallet=new)
    assert not reg.contains(new) and reg.contains(w.alice) and t.balanceOf(w.alice) == 10 * TOKEN


def test_freeze_errors_and_batches(w):
    t, agent = w.s.token, w.s.agent
    w.mint(w.alice, 10 * TOKEN)
    reverts("FreezeExceedsBalance", t.freezePartialTokens, w.alice, 11 * TOKEN, sender=agent,
            wallet=w.alice, balance=10 * TOKEN, frozenAfter=11 * TOKEN)
    reverts("UnfreezeExceedsFrozen", t.unfreezePartialTokens, w.alice, 1, sender=agent, frozen=0, amount=1)
    t.batchFreezePartialTokens([w.alice, w.alice], [TOKEN, 2 * TOKEN], sender=agent)
    assert t.getFrozenTokens(w.alice) == 3 * TOKEN
    r = t.batchUnfreezePartialTokens([w.alice], [TOKEN], sender=agent)
    event(r, "TokensUnfrozen", wallet=w.alice, amount=TOKEN)
    assert t.getFrozenTokens(w.alice) == 2 * TOKEN
    r = t.batchSetAddressFrozen([w.alice, w.bob], [True, True], sender=agent)
    assert len(r.events_named("AddressFrozen")) == 2 and t.isFrozen(w.bob)
    for fn in (t.batchFreezePartialTokens, t.batchUnfreezePartialTokens, t.batchSetAddressFrozen, t.batchMint):
        with pytest.raises(Exception) as e:
            fn([w.alice], [], sender=agent)
        assert e.value.error == "LengthMismatch"
    t.batchMint([w.carol, w.carol], [TOKEN, TOKEN], sender=agent)
    assert t.totalSupply() == 12 * TOKEN


def test_unverified_after_kyc_expiry_cannot_receive(w):
    t = w.s.token
    w.mint(w.alice, 10 * TOKEN)
    ids = w.s.identities
    ids.issue(w.identity(w.bob), ids.issuers["platform"], KYC, w.chain.now + 5)  # a KYC valid 5 s more
    assert w.s.registry.isVerified(w.bob)
    w.chain.backend.advance_time(w.chain.now + 10)
    reverts("ReceiverNotVerified", t.transfer, w.bob, TOKEN, sender=w.alice)


def test_recovery_adds_to_tokens_already_frozen_on_the_new_wallet(w):
    t, agent = w.s.token, w.s.agent
    w.mint(w.alice, 10 * TOKEN)
    w.mint(w.carol, 4 * TOKEN)
    t.freezePartialTokens(w.alice, 3 * TOKEN, sender=agent)
    t.freezePartialTokens(w.carol, 2 * TOKEN, sender=agent)
    w.recover(w.alice, w.carol)  # carol's wallet: another wallet of alice's identity
    assert t.balanceOf(w.carol) == 14 * TOKEN
    assert t.getFrozenTokens(w.carol) == 5 * TOKEN  # 2 already frozen + 3 moved, not overwritten


def test_token_information_name_symbol_onchain_id_version(w):
    t, admin = w.s.token, w.s.admin
    assert (t.name(), t.symbol(), t.onchainID(), t.version()) == ("GBA Solar Revenue Token", "GBASOLAR", ZERO,
                                                                  "4.1.6-gba.1")
    r = t.setName("GBA Solar Revenue Token II", sender=admin)
    info = event(r, "UpdatedTokenInformation", newName=keccak(text="GBA Solar Revenue Token II"),
                 newSymbol=keccak(text="GBASOLAR"), newDecimals=18, newVersion="4.1.6-gba.1", newOnchainID=ZERO)
    assert info.args["newName"] == keccak(text=t.name())  # indexed strings: their topic is the hash
    event(t.setSymbol("GBAS2", sender=admin), "UpdatedTokenInformation", newSymbol=keccak(text="GBAS2"))
    identity = w.chain.new_account("token-onchainid")
    event(t.setOnchainID(identity, sender=admin), "UpdatedTokenInformation", newOnchainID=identity,
          newName=keccak(text="GBA Solar Revenue Token II"))
    assert (t.name(), t.symbol(), t.onchainID()) == ("GBA Solar Revenue Token II", "GBAS2", identity)
    reverts("EmptyName", t.setName, "", sender=admin)
    reverts("EmptySymbol", t.setSymbol, "", sender=admin)
    event(t.setOnchainID(ZERO, sender=admin), "UpdatedTokenInformation", newOnchainID=ZERO)
    for fn, arg in ((t.setName, "x"), (t.setSymbol, "x"), (t.setOnchainID, identity)):
        reverts("AccessControlUnauthorizedAccount", fn, arg, sender=w.s.agent, account=w.s.agent)


def test_token_information_at_deployment(w):
    s = w.s
    args = (s.registry.address, s.compliance.address, s.admin, s.agent)
    for name, symbol, error in (("", "S", "EmptyName"), ("N", "", "EmptySymbol")):
        with pytest.raises(ContractRevert) as e:
            w.chain.deploy("RWAToken", name, symbol, *args, sender=s.admin)
        assert e.value.error == error
    t = w.chain.deploy("RWAToken", "N", "S", *args, sender=s.admin)
    info = [e.args for e in t.deploy_events if e.name == "UpdatedTokenInformation"]
    assert info == [{"newName": keccak(text="N"), "newSymbol": keccak(text="S"), "newDecimals": 18,
                     "newVersion": "4.1.6-gba.1", "newOnchainID": ZERO}]
    assert [e.args["agent"] for e in t.deploy_events if e.name == "AgentAdded"] == [s.agent]


def test_agents_added_and_removed(w):
    t, admin, agent = w.s.token, w.s.admin, w.s.agent
    new = w.chain.new_account("second-agent")
    assert t.isAgent(agent) and t.isAgent(w.s.offering.address) and not t.isAgent(new)
    r = t.addAgent(new, sender=admin)
    event(r, "AgentAdded", agent=new)
    event(r, "RoleGranted", role=w.s.roles["AGENT_ROLE"], account=new)
    assert t.isAgent(new) and t.hasRole(w.s.roles["AGENT_ROLE"], new)
    w.s.token.mint(w.alice, TOKEN, sender=new)  # an agent's powers
    reverts("AgentRolesAlreadyAgent", t.addAgent, new, sender=admin, agent=new)
    reverts("AgentRolesInvalidAgent", t.addAgent, ZERO, sender=admin, agent=ZERO)
    r = t.removeAgent(new, sender=admin)
    event(r, "AgentRemoved", agent=new)
    assert not t.isAgent(new)
    reverts("AgentRolesNotAgent", t.removeAgent, new, sender=admin, agent=new)
    reverts("AccessControlUnauthorizedAccount", t.mint, w.alice, TOKEN, sender=new)
    for fn in (t.addAgent, t.removeAgent):  # the owner's (DEFAULT_ADMIN_ROLE), not an agent's
        reverts("AccessControlUnauthorizedAccount", fn, agent, sender=agent, account=agent)
    # AGENT_ROLE through AccessControl is the same thing, with the same ERC-3643 events
    event(t.grantRole(w.s.roles["AGENT_ROLE"], new, sender=admin), "AgentAdded", agent=new)
    assert t.isAgent(new)
    event(t.revokeRole(w.s.roles["AGENT_ROLE"], new, sender=admin), "AgentRemoved", agent=new)
    assert t.revokeRole(w.s.roles["AGENT_ROLE"], new, sender=admin).events_named("AgentRemoved") == []
    event(t.renounceRole(w.s.roles["AGENT_ROLE"], agent, sender=agent), "AgentRemoved", agent=agent)
    assert not t.isAgent(agent)
    # other roles emit no agent event
    assert t.grantRole(b"\x00" * 32, new, sender=admin).events_named("AgentAdded") == []
