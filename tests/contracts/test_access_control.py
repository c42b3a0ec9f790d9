"""Every privileged function refused for an account without the role (revm and web3)."""

import pytest
from conftest import TOKEN

ONE = b"\x01" * 32


def matrix(w):
    s, x, a = w.s, w.outsider, w.alice
    t, reg, d, o, dvp, orc, c = s.token, s.registry, s.distributor, s.offering, s.dvp, s.oracle, s.compliance
    m = s.modules
    role = s.roles
    ac = "AccessControlUnauthorizedAccount"
    own = "OwnableUnauthorizedAccount"
    rows = [
        # token: owner (DEFAULT_ADMIN_ROLE)
        (t.setIdentityRegistry, (reg.address,), ac, role["DEFAULT_ADMIN_ROLE"]),
        (t.setCompliance, (c.address,), ac, role["DEFAULT_ADMIN_ROLE"]),
        (t.setBalanceObserver, (d.address,), ac, role["DEFAULT_ADMIN_ROLE"]),
        (t.setAssetInfo, (ONE, ONE, "x"), ac, role["DEFAULT_ADMIN_ROLE"]),
        # token: agent
        (t.mint, (a, 1), ac, role["AGENT_ROLE"]),
        (t.burn, (a, 1), ac, role["AGENT_ROLE"]),
        (t.forcedTransfer, (a, w.bob, 1), ac, role["AGENT_ROLE"]),
        (t.recoveryAddress, (a, w.bob), ac, role["AGENT_ROLE"]),
        (t.setAddressFrozen, (a, True), ac, role["AGENT_ROLE"]),
        (t.freezePartialTokens, (a, 1), ac, role["AGENT_ROLE"]),
        (t.unfreezePartialTokens, (a, 1), ac, role["AGENT_ROLE"]),
        (t.pause, (), ac, role["AGENT_ROLE"]),
        (t.unpause, (), ac, role["AGENT_ROLE"]),
        (t.batchMint, ([a], [1]), ac, role["AGENT_ROLE"]),
        (t.batchBurn, ([a], [1]), ac, role["AGENT_ROLE"]),
        (t.batchForcedTransfer, ([a], [w.bob], [1]), ac, role["AGENT_ROLE"]),
        (t.batchSetAddressFrozen, ([a], [True]), ac, role["AGENT_ROLE"]),
        (t.batchFreezePartialTokens, ([a], [1]), ac, role["AGENT_ROLE"]),
        (t.batchUnfreezePartialTokens, ([a], [1]), ac, role["AGENT_ROLE"]),
        (t.grantRole, (role["AGENT_ROLE"], x), ac, role["DEFAULT_ADMIN_ROLE"]),
        # registry
        (reg.registerIdentity, (x, 344, 1, 0, 2**40), ac, role["AGENT_ROLE"]),
        (reg.batchRegisterIdentity, ([x], [344], [1], [0], [2**40]), ac, role["AGENT_ROLE"]),
        (reg.updateIdentity, (a, 344, 1, 0, 2**40), ac, role["AGENT_ROLE"]),
        (reg.deleteIdentity, (a,), ac, role["AGENT_ROLE"]),
        (reg.revoke, (a,), ac, role["AGENT_ROLE"]),
        # compliance and modules (Ownable)
        (c.bindToken, (t.address,), own, None),
        (c.unbindToken, (), own, None),
        (c.addModule, (m["supply_cap"].address,), own, None),
        (c.removeModule, (m["supply_cap"].address,), own, None),
        (m["country_allow"].allowCountry, (1,), own, None),
        (m["country_allow"].disallowCountry, (344,), own, None),
        (m["country_deny"].denyCountry, (1,), own, None),
        (m["country_deny"].undenyCountry, (408,), own, None),
        (m["investor_category"].setRetailAuthorised, (True,), own, None),
        (m["max_balance"].setMaxBalance, (1,), own, None),
        (m["max_holders"].setMaxHolders, (1,), own, None),
        (m["lockup"].setLockupSeconds, (1,), own, None),
        (m["supply_cap"].setCap, (1,), own, None),
        # distributor
        (d.distribute, (1, 1), ac, role["DISTRIBUTOR_ROLE"]),
        (d.claimFor, (a,), ac, role["AGENT_ROLE"]),
        (d.batchClaimFor, ([a],), ac, role["AGENT_ROLE"]),
        (d.setExcluded, (a, True), ac, role["DEFAULT_ADMIN_ROLE"]),
        (d.recoverDust, (a,), ac, role["DEFAULT_ADMIN_ROLE"]),
        # offering
        (o.close, (), ac, role["ISSUER_ROLE"]),
        (o.closeBatch, (1,), ac, role["ISSUER_ROLE"]),
        (o.cancel, (), ac, role["ISSUER_ROLE"]),
        # DvP
        (dvp.settle, (ONE, a, w.bob, 1, 1, 0), ac, role["PLATFORM_ROLE"]),
        (dvp.setFeeAccount, (a,), ac, role["DEFAULT_ADMIN_ROLE"]),
        # oracle
        (orc.report, (1, 1, 1, "HKD", ONE), ac, role["ATTESTOR_ROLE"]),
        # settlement tokens
        (s.hkd.mint, (a, 1), ac, s.hkd.ISSUER_ROLE()),
        (s.cnh.burnFrom, (a, 1), ac, s.cnh.ISSUER_ROLE()),
    ]
    return rows


def test_every_privileged_function_refused(w):
    from conftest import error_args

    w.mint(w.alice, TOKEN)
    rows = matrix(w)
    for fn, args, error, role in rows:
        for caller in (w.outsider, w.alice):
            with pytest.raises(Exception) as e:
                fn(*args, sender=caller)
            exc = e.value
            assert getattr(exc, "error", None) == error, f"{exc}"
            decoded = error_args(exc)
            assert decoded["account"] == caller
            if role is not None:
                assert decoded["neededRole"] == role
    assert len(rows) >= 45
