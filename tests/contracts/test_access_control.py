"""The access-control matrix: every privileged function of every deployed contract (both DvP contracts and
both settlement tokens included, and the inherited `grantRole`/`revokeRole`/`renounceRole`,
`transferOwnership`/`renounceOwnership`), refused for accounts without the right (revm and web3), and
accepted from the account (or contract) that holds it. A completeness test derives the state-changing
functions from each deployed contract's ABI, so a function added to a contract cannot be left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import HKD, TOKEN, ZERO, World, error_args

from simulator.chain import ContractRevert

ONE = b"\x01" * 32
AC = "AccessControlUnauthorizedAccount"
OWN = "OwnableUnauthorizedAccount"
SELF_ONLY = "AccessControlBadConfirmation"  # renounceRole(role, account) with account != caller
ADMIN = "DEFAULT_ADMIN_ROLE"

Fn = Callable[[World], object]


@dataclass(frozen=True)
class Row:
    contract: str  # a key of Suite.addresses(): "token", "dvp_cnh", "module:lockup", ...
    fn: str
    args: Callable[[World], tuple]
    error: str  # what a caller without the right gets
    role: str | None  # the role it needs (a name, or "ISSUER_ROLE@hkd" for a settlement token's), or None
    holder: Callable[[World], str] | None  # who may call it; None: a contract, reached by `via`
    setup: Fn | None = None  # state the authorised call needs (undone after it)
    via: Fn | None = None  # for hooks only a contract may call: the action that makes it call them
    check: Fn | None = None  # what the authorised call must have done


def contract(w: World, key: str):
    s = w.s
    return s.modules[key.split(":", 1)[1]] if key.startswith("module:") else getattr(s, key)


def role_id(w: World, name: str | None) -> bytes | None:
    if name is None:
        return None
    role, _, where = name.partition("@")
    return getattr(w.s, where).ISSUER_ROLE() if where else w.s.roles[role]


# ---------------------------------------------------------------- setups the authorised calls need
def _mint_alice(w: World, amount: int = 5 * TOKEN) -> None:
    w.mint(w.alice, amount)


def _frozen_alice(w: World) -> None:
    _mint_alice(w)
    w.s.token.freezePartialTokens(w.alice, 2, sender=w.s.agent)


def _paused(w: World) -> None:
    w.s.token.pause(sender=w.s.agent)


def _revenue(w: World) -> None:
    _mint_alice(w)
    w.distribute(1_000 * HKD)


def _report_and_cash(w: World) -> None:
    _mint_alice(w)
    w.post_report(1)
    w.fund_hkd(w.s.paying_agent, 100 * HKD, w.s.distributor.address)


def _dust(w: World) -> None:
    """A share base far above amount * 2**128 leaves whole units of remainder (see test_distributor_oracle)."""
    w.s.modules["max_balance"].setMaxBalance(2**255, sender=w.s.admin)
    w.s.modules["supply_cap"].setCap(2**255, sender=w.s.admin)
    w.mint(w.alice, 7 * 10**40 + 1)
    w.distribute(10**6)


def _subscribed(w: World) -> None:
    for who in (w.alice, w.carol):
        w.fund_hkd(who, 20_000 * HKD, w.s.offering.address)
        w.s.offering.subscribe(20_000 * HKD, sender=who)


def _trade(cash: str) -> Fn:
    """alice has approved her tokens to the DvP contract paying in `cash`, carol her cash."""

    def setup(w: World) -> None:
        dvp = w.s.dvp if cash == "hkd" else w.s.dvp_cnh
        _mint_alice(w)
        w.s.token.approve(dvp.address, TOKEN, sender=w.alice)
        token, issuer = (w.s.hkd, w.s.hkd_issuer) if cash == "hkd" else (w.s.cnh, w.s.cnh_issuer)
        token.mint(w.carol, 100 * HKD, sender=issuer)
        token.approve(dvp.address, 100 * HKD, sender=w.carol)

    return setup


def _module_removed(w: World) -> None:
    w.s.compliance.removeModule(w.s.modules["supply_cap"].address, sender=w.s.admin)


def _burn_approved(token: str) -> Fn:
    def setup(w: World) -> None:
        t, issuer = getattr(w.s, token), getattr(w.s, f"{token}_issuer")
        t.mint(w.alice, 10, sender=issuer)
        t.approve(issuer, 10, sender=w.alice)

    return setup


# ---------------------------------------------------------------- checks of what the authorised call did
def _has_role(key: str, role: str, who: Callable[[World], str], expected: bool) -> Fn:
    def check(w: World) -> None:
        assert contract(w, key).hasRole(role_id(w, role), who(w)) is expected

    return check


def _owner_is(key: str, who: Callable[[World], str]) -> Fn:
    def check(w: World) -> None:
        assert contract(w, key).owner() == who(w)

    return check


def _outsider(w: World) -> str:
    return w.outsider


def _zero(w: World) -> str:
    return ZERO


def _role_rows(key: str, role: str, holder: Callable[[World], str], admin: Callable[[World], str]) -> list[Row]:
    """grantRole, revokeRole and renounceRole of an AccessControl contract, for one of its roles."""
    return [  # every role here is administered by DEFAULT_ADMIN_ROLE
        Row(key, "grantRole", lambda w: (role_id(w, role), w.outsider), AC, ADMIN, admin,
            check=_has_role(key, role, _outsider, True)),
        Row(key, "revokeRole", lambda w: (role_id(w, role), holder(w)), AC, ADMIN, admin,
            check=_has_role(key, role, holder, False)),
        # only the holder itself may renounce its role: anyone else naming it is refused
        Row(key, "renounceRole", lambda w: (role_id(w, role), holder(w)), SELF_ONLY, None, holder,
            check=_has_role(key, role, holder, False)),
    ]


def _owner_rows(key: str) -> list[Row]:
    return [
        Row(key, "transferOwnership", lambda w: (w.outsider,), OWN, None, lambda w: w.s.admin,
            check=_owner_is(key, _outsider)),
        Row(key, "renounceOwnership", lambda w: (), OWN, None, lambda w: w.s.admin, check=_owner_is(key, _zero)),
    ]


def _module_hooks(key: str) -> list[Row]:
    """The compliance alone calls a module's hooks: on a mint, a transfer and a burn of the bound token."""
    return [
        Row(key, "moduleMintAction", lambda w: (w.alice, 1), "OnlyCompliance", None, None, via=_mint_alice),
        Row(key, "moduleTransferAction", lambda w: (w.alice, w.carol, 1), "OnlyCompliance", None, None,
            setup=_mint_alice, via=lambda w: w.s.token.transfer(w.carol, 1, sender=w.alice)),
        Row(key, "moduleBurnAction", lambda w: (w.alice, 1), "OnlyCompliance", None, None,
            setup=_mint_alice, via=lambda w: w.s.token.burn(w.alice, 1, sender=w.s.agent)),
        Row(key, "moduleRecoveryAction", lambda w: (w.alice, w.carol), "OnlyCompliance", None, None,
            setup=_mint_alice, via=_recover_alice),
    ]


def _recover_alice(w: World) -> None:
    w.recover(w.alice, w.carol)  # carol's wallet made another wallet of alice's identity


def _recovery_prepared(w: World) -> None:
    _mint_alice(w)
    w.prepare_recovery(w.alice, w.carol)


def _registry_call(fn: str, args: Callable[[World], tuple]) -> Fn:
    """The agent's registry call that makes the registry write the storage."""
    return lambda w: w.s.registry.fn(fn)(*args(w), sender=w.s.agent)


def _max_balance(w: World) -> str:
    return str(w.s.modules["max_balance"].address)


def _set_max_balance_call(w: World, limit: int) -> bytes:
    return bytes(w.s.modules["max_balance"].abi.function("setMaxBalance", (limit,)).encode((limit,)))


def _agent(w: World) -> str:
    return w.s.agent


def _admin(w: World) -> str:
    return w.s.admin


MODULE_SETTERS = {
    "country_allow": [("allowCountry", (1,)), ("disallowCountry", (344,))],
    "country_deny": [("denyCountry", (1,)), ("undenyCountry", (408,))],
    "investor_category": [("setRetailAuthorised", (True,))],
    "max_balance": [("setMaxBalance", (1,))],
    "max_holders": [("setMaxHolders", (1,))],
    "lockup": [("setLockupSeconds", (1,))],
    "supply_cap": [("setCap", (1,))],
    "country_claim": [("setRequiredClaim", (156, 0))],
}


def _identity_rows() -> list[Row]:
    """The identity layer: registry (agent; admin wiring), its storage (owner binds; only a bound registry
    writes), the claim topics and trusted issuers registries (owner: the token's issuer)."""
    agent, admin = _agent, _admin
    carol_id = lambda w: w.identity(w.carol)  # noqa: E731
    register = lambda w: (w.outsider, w.identity(w.alice), 344)  # noqa: E731
    storage_writes = [
        ("registerIdentity", "addIdentityToStorage", register),
        ("updateIdentity", "modifyStoredIdentity", lambda w: (w.alice, carol_id(w))),
        ("updateCountry", "modifyStoredInvestorCountry", lambda w: (w.alice, 156)),
        ("deleteIdentity", "removeIdentityFromStorage", lambda w: (w.alice,)),
    ]
    platform = lambda w: w.s.identities.issuers["platform"].address  # noqa: E731
    return [
        *[Row("registry", fn, args, AC, "AGENT_ROLE", agent) for fn, _, args in storage_writes],
        Row("registry", "batchRegisterIdentity", lambda w: ([w.outsider], [w.identity(w.alice)], [344]), AC,
            "AGENT_ROLE", agent, check=lambda w: w.s.registry.isVerified(w.outsider)),
        *[Row("registry", fn, lambda w, k=k: (getattr(w.s, k).address,), AC, ADMIN, admin)
          for fn, k in (("setIdentityRegistryStorage", "identity_storage"),
                        ("setClaimTopicsRegistry", "topics_registry"),
                        ("setTrustedIssuersRegistry", "issuers_registry"))],
        *[Row("identity_storage", hook, args, "OnlyBoundRegistry", None, None, via=_registry_call(fn, args))
          for fn, hook, args in storage_writes],
        Row("identity_storage", "bindIdentityRegistry", lambda w: (w.outsider,), OWN, None, admin),
        Row("identity_storage", "unbindIdentityRegistry", lambda w: (w.s.registry.address,), OWN, None, admin),
        *_owner_rows("identity_storage"),
        Row("topics_registry", "addClaimTopic", lambda w: (3,), OWN, None, admin),
        Row("topics_registry", "removeClaimTopic", lambda w: (1,), OWN, None, admin,
            check=lambda w: list(w.s.topics_registry.getClaimTopics()) == []),
        *_owner_rows("topics_registry"),
        Row("issuers_registry", "addTrustedIssuer", lambda w: (w.outsider, [1]), OWN, None, admin),
        Row("issuers_registry", "removeTrustedIssuer", lambda w: (platform(w),), OWN, None, admin),
        Row("issuers_registry", "updateIssuerClaimTopics", lambda w: (platform(w), [1]), OWN, None, admin),
        *_owner_rows("issuers_registry"),
    ]


def matrix() -> list[Row]:
    agent, admin = _agent, _admin
    rows = [
        # settlement tokens (HKD and CNH): the licensed issuer mints and burns
        *[r for t in ("hkd", "cnh") for r in (
            Row(t, "mint", lambda w: (w.alice, 1), AC, f"ISSUER_ROLE@{t}", lambda w, t=t: getattr(w.s, f"{t}_issuer")),
            Row(t, "burnFrom", lambda w: (w.alice, 1), AC, f"ISSUER_ROLE@{t}",
                lambda w, t=t: getattr(w.s, f"{t}_issuer"), setup=_burn_approved(t)),
            *_role_rows(t, f"ISSUER_ROLE@{t}", lambda w, t=t: getattr(w.s, f"{t}_issuer"),
                        lambda w, t=t: getattr(w.s, f"{t}_issuer")),
        )],
        # identity registry: the agent registers wallets with their ONCHAINID, the admin wires the registries
        *_identity_rows(),
        *_role_rows("registry", "AGENT_ROLE", agent, admin),
        # compliance (Ownable): the issuer manages the modules; only the bound token calls its hooks
        Row("compliance", "bindToken", lambda w: (w.s.token.address,), OWN, None, admin),
        Row("compliance", "unbindToken", lambda w: (w.s.token.address,), OWN, None, admin),
        Row("compliance", "callModuleFunction", lambda w: (_set_max_balance_call(w, 1), _max_balance(w)), OWN, None,
            admin, check=lambda w: w.s.modules["max_balance"].maxBalance() == 1),
        Row("compliance", "addModule", lambda w: (w.s.modules["supply_cap"].address,), OWN, None, admin,
            setup=_module_removed),
        Row("compliance", "removeModule", lambda w: (w.s.modules["supply_cap"].address,), OWN, None, admin),
        *_owner_rows("compliance"),
        Row("compliance", "created", lambda w: (w.alice, 1), "OnlyBoundToken", None, None, via=_mint_alice),
        Row("compliance", "transferred", lambda w: (w.alice, w.carol, 1), "OnlyBoundToken", None, None,
            setup=_mint_alice, via=lambda w: w.s.token.transfer(w.carol, 1, sender=w.alice)),
        Row("compliance", "destroyed", lambda w: (w.alice, 1), "OnlyBoundToken", None, None,
            setup=_mint_alice, via=lambda w: w.s.token.burn(w.alice, 1, sender=w.s.agent)),
        Row("compliance", "beforeRecovery", lambda w: (w.alice, w.carol), "OnlyBoundToken", None, None,
            setup=_mint_alice, via=_recover_alice),
        # compliance modules (Ownable)
        *[r for key, setters in MODULE_SETTERS.items() for r in (
            *[Row(f"module:{key}", fn, lambda w, a=args: a, OWN, None, admin) for fn, args in setters],
            *_owner_rows(f"module:{key}"),
            *_module_hooks(f"module:{key}"),
        )],
        # token: the admin sets it up
        Row("token", "setIdentityRegistry", lambda w: (w.s.registry.address,), AC, ADMIN, admin),
        Row("token", "setCompliance", lambda w: (w.s.compliance.address,), AC, ADMIN, admin),
        Row("token", "setBalanceObserver", lambda w: (w.s.distributor.address,), AC, ADMIN, admin),
        Row("token", "setAssetInfo", lambda w: (ONE, ONE, "x"), AC, ADMIN, admin),
        Row("token", "setName", lambda w: ("x",), AC, ADMIN, admin, check=lambda w: w.s.token.name() == "x"),
        Row("token", "setSymbol", lambda w: ("x",), AC, ADMIN, admin, check=lambda w: w.s.token.symbol() == "x"),
        Row("token", "setOnchainID", lambda w: (w.outsider,), AC, ADMIN, admin,
            check=lambda w: w.s.token.onchainID() == w.outsider),
        Row("token", "addAgent", lambda w: (w.outsider,), AC, ADMIN, admin,
            check=lambda w: w.s.token.isAgent(w.outsider)),
        Row("token", "removeAgent", lambda w: (w.s.agent,), AC, ADMIN, admin,
            check=lambda w: not w.s.token.isAgent(w.s.agent)),
        Row("registry", "addAgent", lambda w: (w.outsider,), AC, ADMIN, admin,
            check=lambda w: w.s.registry.isAgent(w.outsider)),
        Row("registry", "removeAgent", lambda w: (w.s.agent,), AC, ADMIN, admin,
            check=lambda w: not w.s.registry.isAgent(w.s.agent)),
        # token: the agent's powers
        Row("token", "mint", lambda w: (w.alice, 1), AC, "AGENT_ROLE", agent),
        Row("token", "burn", lambda w: (w.alice, 1), AC, "AGENT_ROLE", agent, setup=_mint_alice),
        Row("token", "forcedTransfer", lambda w: (w.alice, w.carol, 1), AC, "AGENT_ROLE", agent, setup=_mint_alice),
        Row("token", "recoveryAddress", lambda w: (w.alice, w.carol, w.identity(w.alice)), AC, "AGENT_ROLE", agent,
            setup=_recovery_prepared),
        Row("token", "setAddressFrozen", lambda w: (w.alice, True), AC, "AGENT_ROLE", agent),
        Row("token", "freezePartialTokens", lambda w: (w.alice, 1), AC, "AGENT_ROLE", agent, setup=_mint_alice),
        Row("token", "unfreezePartialTokens", lambda w: (w.alice, 1), AC, "AGENT_ROLE", agent, setup=_frozen_alice),
        Row("token", "pause", lambda w: (), AC, "AGENT_ROLE", agent),
        Row("token", "unpause", lambda w: (), AC, "AGENT_ROLE", agent, setup=_paused),
        Row("token", "batchMint", lambda w: ([w.alice], [1]), AC, "AGENT_ROLE", agent),
        Row("token", "batchBurn", lambda w: ([w.alice], [1]), AC, "AGENT_ROLE", agent, setup=_mint_alice),
        Row("token", "batchForcedTransfer", lambda w: ([w.alice], [w.carol], [1]), AC, "AGENT_ROLE", agent,
            setup=_mint_alice),
        Row("token", "batchSetAddressFrozen", lambda w: ([w.alice], [True]), AC, "AGENT_ROLE", agent),
        Row("token", "batchFreezePartialTokens", lambda w: ([w.alice], [1]), AC, "AGENT_ROLE", agent,
            setup=_mint_alice),
        Row("token", "batchUnfreezePartialTokens", lambda w: ([w.alice], [1]), AC, "AGENT_ROLE", agent,
            setup=_frozen_alice),
        *_role_rows("token", "AGENT_ROLE", agent, admin),
        # oracle
        Row("oracle", "report", lambda w: (1, 1, 1, "HKD", ONE), AC, "ATTESTOR_ROLE", lambda w: w.s.attestor),
        *_role_rows("oracle", "ATTESTOR_ROLE", lambda w: w.s.attestor, admin),
        # distributor: the paying agent distributes, the agent claims for custodial holders, the admin excludes
        Row("distributor", "distribute", lambda w: (100 * HKD, 1), AC, "DISTRIBUTOR_ROLE", lambda w: w.s.paying_agent,
            setup=_report_and_cash),
        Row("distributor", "claimFor", lambda w: (w.alice,), AC, "AGENT_ROLE", agent, setup=_revenue,
            check=lambda w: w.s.hkd.balanceOf(w.alice) > 0),
        Row("distributor", "batchClaimFor", lambda w: ([w.alice],), AC, "AGENT_ROLE", agent, setup=_revenue,
            check=lambda w: w.s.hkd.balanceOf(w.alice) > 0),
        Row("distributor", "setExcluded", lambda w: (w.alice, True), AC, ADMIN, admin),
        Row("distributor", "recoverDust", lambda w: (w.s.treasury,), AC, ADMIN, admin, setup=_dust,
            check=lambda w: w.s.hkd.balanceOf(w.s.treasury) > 0),
        Row("distributor", "balanceChanged", lambda w: (w.alice, w.bob, 1), "OnlyToken", None, None, via=_mint_alice),
        Row("distributor", "walletRecovered", lambda w: (w.alice, w.carol), "OnlyToken", None, None,
            setup=_mint_alice, via=_recover_alice),
        *_role_rows("distributor", "DISTRIBUTOR_ROLE", lambda w: w.s.paying_agent, admin),
        # offering: the issuer closes or cancels
        Row("offering", "close", lambda w: (), AC, "ISSUER_ROLE", lambda w: w.s.issuer, setup=_subscribed,
            check=lambda w: w.s.token.balanceOf(w.alice) > 0),
        Row("offering", "closeBatch", lambda w: (1,), AC, "ISSUER_ROLE", lambda w: w.s.issuer, setup=_subscribed,
            check=lambda w: w.s.token.balanceOf(w.alice) > 0),
        Row("offering", "cancel", lambda w: (), AC, "ISSUER_ROLE", lambda w: w.s.issuer),
        *_role_rows("offering", "ISSUER_ROLE", lambda w: w.s.issuer, admin),
    ]
    # both DvP contracts (HKD and CNH cash legs): only a platform settles, only the admin moves the fees
    for key, cash in (("dvp", "hkd"), ("dvp_cnh", "cnh")):
        rows += [
            Row(key, "settle", lambda w: (ONE, w.alice, w.carol, TOKEN, 10 * HKD, HKD), AC, "PLATFORM_ROLE",
                lambda w: w.s.platform, setup=_trade(cash),
                check=lambda w: w.s.token.balanceOf(w.carol) == TOKEN),
            Row(key, "setFeeAccount", lambda w: (w.alice,), AC, ADMIN, admin),
            *_role_rows(key, "PLATFORM_ROLE", lambda w: w.s.platform, admin),
        ]
    return rows


# Functions anyone may call, each acting only on the caller's own account (checked by the contract itself).
OPEN = {
    "SettlementToken": {"approve", "transfer", "transferFrom"},
    "RWAToken": {"approve", "transfer", "transferFrom", "batchTransfer"},
    "PrimaryOffering": {"subscribe", "refund", "settleAbandonedClose"},  # the last: only after the close window
    "RevenueDistributor": {"claim"},
}


def test_the_matrix_covers_every_state_changing_function_of_every_deployed_contract(world_base):
    s = world_base.s
    covered: dict[str, set[str]] = {}
    for row in matrix():
        covered.setdefault(row.contract, set()).add(row.fn)
    # ONCHAINID's own contracts (the identities' implementation authority, the claim issuers) are not the
    # suite's: the powers the suite relies on are checked in test_identity_registry.py
    keys = [k for k in s.addresses() if k != "identity_authority" and not k.startswith("claim_issuer:")]
    assert {"dvp", "dvp_cnh", "hkd", "cnh", "identity_storage", "topics_registry", "issuers_registry"} <= set(keys)
    for key in keys:
        handle = contract(world_base, key)
        changing = {name for name, fns in handle.abi.functions.items() if any(not f.is_view for f in fns)}
        assert covered.get(key, set()) == changing - OPEN.get(handle.contract_name, set()), key
    assert len(matrix()) >= 120


def _refused(fn, args, caller) -> ContractRevert:
    with pytest.raises(ContractRevert) as e:
        fn(*args, sender=caller)
    return e.value


def test_every_privileged_function_is_refused_without_the_right_and_works_with_it(w):
    for row in matrix():
        handle = contract(w, row.contract)
        fn, args, needed = handle.fn(row.fn), row.args(w), role_id(w, row.role)
        label = f"{row.contract}.{row.fn}"
        for caller in (w.outsider, w.alice):
            exc = _refused(fn, args, caller)
            assert exc.error == row.error, f"{label} by {caller}: {exc}"
            decoded = error_args(exc)
            if row.error in (AC, OWN):
                assert decoded["account"] == caller, label
            elif row.error != SELF_ONLY:
                assert decoded["caller"] == caller, label
            if needed is not None:
                assert decoded["neededRole"] == needed, label
        snap = w.chain.snapshot()
        try:
            if row.setup is not None:
                row.setup(w)
            if row.holder is not None:
                fn(*args, sender=row.holder(w))  # the holder of the right: accepted
            else:
                assert row.via is not None, label
                row.via(w)  # the one contract allowed to call it does, inside this action, which succeeds
            if row.check is not None:
                assert row.check(w) is not False, f"{label}: the authorised call did not do what it should"
        except ContractRevert as exc:
            pytest.fail(f"{label}: refused to the account holding the right: {exc}")
        finally:
            w.chain.revert(snap)


def test_no_other_account_of_the_suite_holds_a_right_it_was_not_given(rw):
    """Every role holder of the deployment, and the investors, tried on every privileged function it was not
    given: refused (revm: the same contracts, a few thousand calls)."""
    s = rw.s
    everyone = {s.admin, s.agent, s.issuer, s.treasury, s.paying_agent, s.platform, s.fee_account, s.attestor,
                s.hkd_issuer, s.cnh_issuer, rw.alice, rw.bob, rw.carol, rw.dave, rw.eve, rw.frank, rw.outsider}
    assert len(everyone) == 17
    for row in matrix():
        fn, args = contract(rw, row.contract).fn(row.fn), row.args(rw)
        allowed = {row.holder(rw)} if row.holder is not None else set()
        if row.contract == "offering" and row.role == "ISSUER_ROLE":
            allowed.add(s.admin)  # PrimaryOffering's constructor makes its admin an issuer too (by design)
        for caller in sorted(everyone - allowed):
            exc = _refused(fn, args, caller)
            assert exc.error == row.error, f"{row.contract}.{row.fn} by {caller}: {exc}"


def test_every_module_setter_is_open_to_its_compliance_owner_through_call_module_function(w):
    """A module's setters accept its compliance as well as its owner: the compliance's owner configures every
    module through `callModuleFunction` (as ERC-3643 modules are configured); anyone else is refused there."""
    c, admin = w.s.compliance, w.s.admin
    for key, setters in MODULE_SETTERS.items():
        module = w.s.modules[key]
        for fn, args in setters:
            data = module.abi.function(fn, args).encode(args)
            snap = w.chain.snapshot()
            try:
                r = c.callModuleFunction(data, module.address, sender=admin)
                assert [e.args for e in r.events_named("ModuleInteraction")] == [
                    {"target": module.address, "selector": data[:4]}], f"{key}.{fn}"
                assert len(r.events) >= 2, f"{key}.{fn}: the setter's own event"
                exc = _refused(c.callModuleFunction, (data, module.address), w.outsider)
                assert exc.error == OWN, f"{key}.{fn}"
            finally:
                w.chain.revert(snap)
