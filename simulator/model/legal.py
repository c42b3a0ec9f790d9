"""The token's legal tools where the real world would use them: ongoing AML monitoring that catches a bad
actor after onboarding (the wallet is frozen), and a court order on the frozen tokens some months later.

Whether the order can be executed on-chain depends on the law recognising the token register
(`legal.onchain_recognition`): then the agent executes it by forced transfer to a court-appointed receiver;
without recognition the on-chain register is not the legal record, the order must be given effect off-chain
first, and the tokens stay frozen (stranded) for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from simulator.model.investor import Investor
from simulator.units import DAY, YEAR

if TYPE_CHECKING:
    from simulator.model.world import World


@dataclass(slots=True)
class LegalStats:
    detected: int = 0  # bad actors caught by ongoing monitoring
    frozen: int = 0  # wallets frozen
    forced_transfers: int = 0  # court orders executed on-chain
    unenforced: int = 0  # court orders the on-chain register could not give effect to
    tokens_seized: int = 0  # moved to the receiver
    keys_lost: int = 0
    recoveries: int = 0  # lost wallets whose tokens the agent moved to the holder's new wallet


class Legal:
    def __init__(self, world: World) -> None:
        self.world = world
        self.stats = LegalStats()
        self.receiver = ""  # the court-appointed receiver's wallet, created with the first order
        self.retired_wallets: list[str] = []  # lost wallets whose tokens were recovered (reconciled too)

    def run(self) -> Generator[simpy.Event, Any, None]:
        """Each day some holders lose their keys (Poisson at `key_loss_per_year` per holder)."""
        w = self.world
        rate = w.cfg.legal.key_loss_per_year
        rng = w.streams.get("legal:keys")
        while rate > 0:
            yield w.env.timeout(DAY)
            able = [w.investors[i] for i in sorted(w.holdings.holders)]
            able = [i for i in able if not (i.frozen or i.key_lost or i.selling or i.bidding)]
            lost = min(len(able), int(rng.poisson(len(able) * rate / 365)))
            for k in sorted(rng.choice(len(able), size=lost, replace=False)) if lost else ():
                w.env.process(self._lose_key(able[int(k)]))

    def _lose_key(self, inv: Investor) -> Generator[simpy.Event, Any, None]:
        w = self.world
        cfg = w.cfg.legal
        inv.key_lost = True
        self.stats.keys_lost += 1
        w.event(inv.wallet, "key_lost", "", inv.tokens, "RWA")
        if not cfg.onchain_recognition:
            return  # the on-chain register is not the legal record: nobody may move the tokens for the holder
        yield w.env.timeout(cfg.recovery_days * DAY)
        if inv.frozen or not inv.tokens:
            return
        s = w.suite
        old = inv.wallet
        new = w.chain.new_account(f"{inv.cls}-{inv.class_index}-recovered-{self.stats.recoveries}")
        # the new wallet becomes a key of the investor's identity; the token registers it with that identity and
        # moves the balance, frozen tokens, lock-up and unclaimed revenue (ERC-3643 recoveryAddress)
        r = s.identities.recover(s.token, old, new)
        w.chain_move(old, new, inv.tokens, "RWA", "recovery")
        self.retired_wallets.append(old)
        inv.wallet = new
        w.by_wallet[new] = inv
        inv.key_lost = False
        self.stats.recoveries += 1
        w.event(new, "recovered", "", inv.tokens, "RWA", r, counterparty=old)

    def monitor(self, inv: Investor) -> None:
        """An onboarded bad actor (AML missed it): ongoing monitoring catches it after an exponential time."""
        rate = self.world.cfg.legal.aml_detection_per_year
        if rate > 0:
            self.world.env.process(self._catch(inv, rate))

    def _catch(self, inv: Investor, rate: float) -> Generator[simpy.Event, Any, None]:
        w = self.world
        cfg = w.cfg.legal
        delay = float(w.streams.own(f"legal:{inv.cls}:{inv.class_index}").exponential(YEAR / rate))
        yield w.env.timeout(delay)
        self.stats.detected += 1
        s = w.suite
        r = s.token.setAddressFrozen(inv.wallet, True, sender=s.agent)
        w.claims.revoke_kyc(inv)  # its platform withdraws the KYC it attested
        inv.frozen = True
        self.stats.frozen += 1
        for platform in w.platforms.values():  # its resting orders go: a frozen wallet cannot deliver
            for order in list(platform.resting):
                if order.investor == inv.wallet and platform.book.cancel(order.order_id) is not None:
                    w.market.order_gone(order)
        w.event(inv.wallet, "frozen", "aml_monitoring", inv.tokens, "RWA", r)
        yield w.env.timeout(cfg.court_order_days * DAY)
        if not inv.tokens:
            return
        if not cfg.onchain_recognition:
            self.stats.unenforced += 1
            w.event(inv.wallet, "court_order", "not_enforceable_onchain", inv.tokens, "RWA")
            return
        receiver = self._receiver()
        tokens = inv.tokens
        r = s.token.forcedTransfer(inv.wallet, receiver, tokens, sender=s.agent)
        w.chain_move(inv.wallet, receiver, tokens, "RWA", "court order")
        w.holdings.accrue(inv, w.now_s)
        inv.tokens = 0
        inv.cost_basis_cents = 0
        w.holdings.drop_if_empty(inv)
        self.stats.forced_transfers += 1
        self.stats.tokens_seized += tokens
        w.event(inv.wallet, "court_order", "forced_transfer", tokens, "RWA", r, counterparty=receiver)

    def _receiver(self) -> str:
        if not self.receiver:
            w = self.world
            self.receiver = w.chain.new_account("court-receiver")
            w.claims.onboard_institution(self.receiver, next(iter(w.platforms)))
        return self.receiver
