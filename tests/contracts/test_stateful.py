"""Hypothesis stateful test of the token + distributor + lock-up (revm backend).

Mints are locked for LOCKUP seconds (one tranche per mint) while a rule has the lock-up on; a rule moves time.

Invariants (after every step):
- sum of balances of every address that can hold == totalSupply;
- frozen tokens <= balance for every wallet;
- a wallet that was unverified or frozen before a step never has a higher balance after it;
- while paused, a plain transfer moves nothing (agent actions may);
- a plain transfer succeeds exactly when the model says it should (locked tokens included);
- lockedAmount <= balance for every wallet, and equals the sum of its tranches;
- a mint locks exactly the minted amount more; an agent burn or forced transfer leaves
  lockedAmount == min(locked before, balance after); a recovery gives the new wallet exactly the
  locked amount the lost wallet had (plus its own), and leaves the lost wallet none;
- distributor cash == totalDistributed - totalClaimed - dustRecovered (exact), and with
  W = sum(withdrawableOf) and D = undistributedDust():  0 <= cash - W - D <= H, where H is the number
  of addresses that ever held shares (each holder strands < 1 unit of sub-unit fraction; the magnified
  distribution remainder strands < 1 more, so strictly cash - W - D < H + 1). Hence
  totalClaimed + W + D + dustRecovered + r == totalDistributed with the same 0 <= r <= H.
"""

from __future__ import annotations

from conftest import build_world
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from simulator.chain import ContractRevert
from simulator.chain.identities import ECDSA_SCHEME, KYC, MANAGEMENT_PURPOSE, key_hash
from simulator.chain.suite import CN, CWM_SOUTHBOUND, DIRECT, HK, INSTITUTIONAL, NOMINEE, PROFESSIONAL, TOKEN, YEAR

_WORLD = None
N_WALLETS = 5
LOCKUP = 300  # seconds


def world():
    global _WORLD  # noqa: PLW0603 - one deployed world shared by every hypothesis example (built once)
    if _WORLD is None:
        w = build_world("revm")
        wallets = [w.chain.new_account(f"h{i}") for i in range(N_WALLETS)]
        until = w.chain.now + 10 * YEAR
        for wallet, country, category, channel in zip(
                wallets, [HK, CN] * 2 + [HK], [PROFESSIONAL, INSTITUTIONAL] * 2 + [PROFESSIONAL],
                [DIRECT, CWM_SOUTHBOUND, NOMINEE, CWM_SOUTHBOUND, DIRECT], strict=True):
            w.s.onboard(wallet, country, category, channel, until)
        w.s.oracle.report(1, 1, 1, "HKD", b"\x01" * 32, sender=w.s.attestor)
        w.s.modules["lockup"].setLockupSeconds(LOCKUP, sender=w.s.admin)
        _WORLD = [w, wallets, w.chain.snapshot()]
    return _WORLD


wallet_ix = st.integers(0, N_WALLETS)  # N_WALLETS -> the never-registered wallet
amounts = st.one_of(st.integers(0, 50).map(lambda n: n * TOKEN), st.integers(1, 10**20))


class TokenMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        state = world()
        self.w, wallets, snap = state
        # a revm checkpoint can be reverted to only once: take a fresh one after each revert
        self.w.chain.revert(snap)
        state[2] = self.w.chain.snapshot()
        self.s = self.w.s
        self.wallets = [*wallets, self.w.frank]
        self.ever_held: set[str] = set()

    def teardown(self):
        pass

    # ------------------------------------------------------------------ helpers
    def locked_next_block(self, wallet):
        """What lockedAmount(wallet) will be in the next block (the one a transaction sent now is mined in)."""
        t = self.w.chain.now + 1
        return sum(amount for amount, until in self.s.modules["lockup"].tranchesOf(wallet) if t < until)

    def view(self):
        t, reg = self.s.token, self.s.registry
        return {a: (t.balanceOf(a), reg.isVerified(a), t.isFrozen(a), t.getFrozenTokens(a)) for a in self.wallets}

    def act(self, fn, *args, sender, agent, registers=None):
        """Run `fn`; `registers`: a wallet the action may register, with an identity that verifies."""
        before, paused = self.view(), self.s.token.paused()
        try:
            fn(*args, sender=sender)
            ok = True
        except ContractRevert:
            ok = False
        after = self.view()
        for a in self.wallets:
            if after[a][0] > before[a][0]:
                verified = before[a][1] or (a == registers and after[a][1])
                assert verified and not before[a][2], f"{a} received while unverified/frozen"
                self.ever_held.add(a)
        if paused and not agent:
            assert all(after[a][0] == before[a][0] for a in self.wallets)
        return ok, before

    # ------------------------------------------------------------------ rules
    @rule(to=wallet_ix, amount=amounts)
    def mint(self, to, amount):
        a = self.wallets[to]
        locked = self.locked_next_block(a)
        ok, _ = self.act(self.s.token.mint, a, amount, sender=self.s.agent, agent=True)
        m = self.s.modules["lockup"]
        assert m.lockedAmount(a) == locked + (amount if ok and m.lockupSeconds() else 0)

    @rule(on=st.booleans())
    def set_lockup(self, on):
        self.s.modules["lockup"].setLockupSeconds(LOCKUP if on else 0, sender=self.s.admin)

    @rule(seconds=st.integers(1, 2 * LOCKUP))
    def advance(self, seconds):
        self.w.chain.backend.advance_time(self.w.chain.now + seconds)

    @rule(src=wallet_ix, dst=wallet_ix, amount=amounts)
    def transfer(self, src, dst, amount):
        a, b = self.wallets[src], self.wallets[dst]
        locked = self.locked_next_block(a)
        ok, pre = self.act(self.s.token.transfer, b, amount, sender=a, agent=False)
        bal, _, frozen_a, frozen_tokens = pre[a]
        expected = (not self.s.token.paused() and not frozen_a and not pre[b][2] and pre[b][1]
                    and amount <= bal - frozen_tokens and bal - amount >= locked)
        assert ok == expected, (ok, expected, pre[a], pre[b], amount)
        event(f"transfer ok={ok}")

    @rule(src=wallet_ix, dst=wallet_ix, amount=amounts)
    def forced_transfer(self, src, dst, amount):
        a, b = self.wallets[src], self.wallets[dst]
        locked_a, locked_b = self.locked_next_block(a), self.locked_next_block(b)
        self.act(self.s.token.forcedTransfer, a, b, amount, sender=self.s.agent, agent=True)
        m = self.s.modules["lockup"]
        if a != b:  # takes free tokens first, then locked ones; what the receiver gets is free
            assert m.lockedAmount(a) == min(locked_a, self.s.token.balanceOf(a))
            assert m.lockedAmount(b) == locked_b

    @rule(who=wallet_ix, freeze=st.booleans())
    def set_frozen(self, who, freeze):
        self.s.token.setAddressFrozen(self.wallets[who], freeze, sender=self.s.agent)

    @rule(who=wallet_ix, amount=amounts)
    def freeze_partial(self, who, amount):
        self.act(self.s.token.freezePartialTokens, self.wallets[who], amount, sender=self.s.agent, agent=True)

    @rule(who=wallet_ix, amount=amounts)
    def unfreeze_partial(self, who, amount):
        self.act(self.s.token.unfreezePartialTokens, self.wallets[who], amount, sender=self.s.agent, agent=True)

    @rule(who=wallet_ix, amount=amounts)
    def burn(self, who, amount):
        a = self.wallets[who]
        locked = self.locked_next_block(a)
        self.act(self.s.token.burn, a, amount, sender=self.s.agent, agent=True)
        assert self.s.modules["lockup"].lockedAmount(a) == min(locked, self.s.token.balanceOf(a))

    @rule(pause=st.booleans())
    def toggle_pause(self, pause):
        fn = self.s.token.pause if pause else self.s.token.unpause
        self.act(fn, sender=self.s.agent, agent=True)

    @rule(lost=wallet_ix, new=wallet_ix, link=st.booleans())
    def recovery(self, lost, new, link):
        d = self.s.distributor
        a, b = self.wallets[lost], self.wallets[new]
        owed_a, owed_b = d.withdrawableOf(a), d.withdrawableOf(b)
        locked_a, locked_b = self.locked_next_block(a), self.locked_next_block(b)
        reg, identity = self.s.registry, self.s.registry.identity(a)
        if link and int(identity, 16) and a != b:  # b made a wallet of a's identity, as a recovery needs
            onchain_id = self.w.chain.at("Identity", identity)
            if not onchain_id.keyHasPurpose(key_hash(b), MANAGEMENT_PURPOSE):
                onchain_id.addKey(key_hash(b), MANAGEMENT_PURPOSE, ECDSA_SCHEME, sender=self.s.agent)
            if reg.contains(b) and reg.identity(b) != identity:  # the same investor: its identity and country
                reg.updateIdentity(b, identity, sender=self.s.agent)
                reg.updateCountry(b, reg.investorCountry(a), sender=self.s.agent)
        registered_b = reg.contains(b)
        eligible = bool(int(identity, 16)) and self.w.chain.at("Identity", identity).keyHasPurpose(
            key_hash(b), MANAGEMENT_PURPOSE) and (not registered_b or reg.identity(b) == identity)
        ok, _ = self.act(self.s.token.recoveryAddress, a, b, identity, sender=self.s.agent, agent=True,
                         registers=None if registered_b else b)
        event(f"recovery ok={ok} eligible={eligible} locked={locked_a > 0}")
        assert eligible or not ok, "a recovery to a wallet that is not the identity's succeeded"
        if ok:
            assert reg.identity(b) == identity and not reg.contains(a)
            assert d.withdrawableOf(a) == 0 and d.withdrawableOf(b) == owed_a + owed_b
            assert self.s.token.balanceOf(a) == 0
            m = self.s.modules["lockup"]  # the lock-up moves with the tokens
            assert m.lockedAmount(b) == locked_a + locked_b and m.lockedAmount(a) == 0

    @rule(who=wallet_ix)
    def revoke(self, who):
        """The platform revokes the KYC claim of the identity `who` is registered with (if any, and not yet)."""
        identity = self.s.registry.identity(self.wallets[who])
        claim = self.s.identities.claims.get((identity.lower(), KYC))
        if claim is not None and not claim.issuer.contract.isClaimRevoked(claim.signature):
            claim.issuer.contract.revokeClaimBySignature(claim.signature, sender=claim.issuer.signer)
            assert not self.s.registry.isVerified(self.wallets[who])

    @rule(amount=st.integers(1, 10**10))
    def distribute(self, amount):
        self.s.hkd.mint(self.s.paying_agent, amount, sender=self.s.hkd_issuer)
        self.s.hkd.approve(self.s.distributor.address, amount, sender=self.s.paying_agent)
        try:
            self.s.distributor.distribute(amount, 1, sender=self.s.paying_agent)
        except ContractRevert as e:
            assert e.error == "NoShares" and self.s.distributor.totalShares() == 0

    @rule(who=wallet_ix, custodial=st.booleans())
    def claim(self, who, custodial):
        d, a = self.s.distributor, self.wallets[who]
        due = d.withdrawableOf(a)
        before = self.s.hkd.balanceOf(a)
        try:
            if custodial:
                d.claimFor(a, sender=self.s.agent)
            else:
                d.claim(sender=a)
            assert due > 0 and self.s.hkd.balanceOf(a) == before + due
            event("claim paid")
        except ContractRevert as e:
            assert e.error == "NothingToClaim" and due == 0

    @precondition(lambda self: self.s.distributor.undistributedDust() > 0)
    @rule()
    def recover_dust(self):
        self.s.distributor.recoverDust(self.s.treasury, sender=self.s.admin)

    # ------------------------------------------------------------------ invariants
    @invariant()
    def supply_and_frozen(self):
        t = self.s.token
        total = 0
        for a in self.wallets:
            bal = t.balanceOf(a)
            total += bal
            assert t.getFrozenTokens(a) <= bal
        assert total == t.totalSupply()
        d = self.s.distributor
        assert d.totalShares() == total  # no excluded wallet holds tokens here

    @invariant()
    def locks_within_balances(self):
        m, t = self.s.modules["lockup"], self.s.token
        for a in self.wallets:
            tranches = m.tranchesOf(a)
            locked = m.lockedAmount(a)
            assert locked == sum(amount for amount, _ in tranches) <= t.balanceOf(a)
            assert len(tranches) <= m.MAX_TRANCHES()

    @invariant()
    def distributor_accounting(self):
        d = self.s.distributor
        cash = self.s.hkd.balanceOf(d.address)
        assert cash == d.totalDistributed() - d.totalClaimed() - d.dustRecovered()
        owed = sum(d.withdrawableOf(a) for a in self.wallets)
        slack = cash - owed - d.undistributedDust()
        assert 0 <= slack <= max(1, len(self.ever_held)), slack


TokenMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestTokenStateful = TokenMachine.TestCase
