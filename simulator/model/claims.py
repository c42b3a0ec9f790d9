"""Investors' on-chain identities and the claims that verify them (ONCHAINID under ERC-3643).

Each licensed platform is a claim issuer for KYC and investor category, each CWM bank or broker for CWM
eligibility: at onboarding they sign claims on the investor's new identity, valid for
`identity.claim_validity_days`. Only the signed statement goes on-chain: the mainland bank vouches for its
client's eligibility to the HK token without the client's data crossing the border. Then:
- a periodic review re-signs the claims one day before they expire, unless the investor does not complete it
  (`identity.review_lapse_share`): the claims expire and the investor may sell but no longer buy;
- when ongoing AML monitoring catches a bad actor, its platform revokes its KYC claim (and the agent freezes it);
- when a platform's licence is revoked the token's issuer stops trusting its claims
  (`identity.distrust_revoked_platform`): none of its clients verifies any more.
`problem(inv)` mirrors what the registry would say, so the model does not send orders the chain would refuse.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from simulator.chain import Receipt
from simulator.chain.identities import CWM_ELIGIBILITY, INVESTOR_CATEGORY, KYC, Issuer, investor_claims
from simulator.identity import HK, INSTITUTIONAL
from simulator.model.investor import Investor
from simulator.units import DAY

if TYPE_CHECKING:
    from simulator.model.config import WorldConfig
    from simulator.model.world import World

REVIEW_LEAD_S = DAY  # a review is due this long before the claims expire
TRADE_BLOCKS_S = 60  # chain seconds a trade's own transactions may take after its claims are checked (a block each)


def platform_issuer(name: str) -> str:
    return f"platform:{name}"


def channel_issuer(name: str) -> str:
    return f"cwm:{name}"


def claim_issuers(cfg: WorldConfig) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The claim issuers a world's suite trusts from the start: every platform, every CWM channel."""
    return (tuple((platform_issuer(p.name), (KYC, INVESTOR_CATEGORY)) for p in cfg.platforms)
            + tuple((channel_issuer(c.name), (CWM_ELIGIBILITY,)) for c in cfg.cwm_channels))


@dataclass(slots=True)
class ClaimStats:
    issued: int = 0  # claims signed and added to identities (onboarding and reviews)
    reviews_completed: int = 0
    lapsed: int = 0  # investors whose claims expired because a review was not completed
    revoked: int = 0  # KYC claims revoked by their platform (AML)
    issuers_distrusted: int = 0


class Claims:
    def __init__(self, world: World) -> None:
        self.world = world
        self.stats = ClaimStats()
        self.distrusted: set[str] = set()  # platform names whose claims no longer count
        self.rng = world.streams.get("identity:reviews")

    # ------------------------------------------------------------------ issuing
    def _issuer(self, name: str) -> Issuer:
        return self.world.suite.identities.issuers[name]

    def _claims(self, inv: Investor, until: int) -> list[tuple[Issuer, int, int, int]]:
        # a mainland investor's (first) CWM channel vouches for its eligibility
        cwm = self._issuer(channel_issuer(inv.channels[0])) if inv.channels else None
        return investor_claims(self._issuer(platform_issuer(inv.platform)), inv.kind.category(inv.professional),
                               cwm, until)

    def onboard(self, inv: Investor) -> Receipt:
        """A new identity for the investor's wallet with its platform's (and CWM channel's) claims; its reviews
        start."""
        w = self.world
        until = w.chain.now + w.cfg.identity.claim_validity_days * DAY
        claims = self._claims(inv, until)
        r = w.suite.identities.onboard(inv.wallet, inv.kind.country, claims)
        self.stats.issued += len(claims)
        inv.claims_until = until
        w.env.process(self._reviews(inv))
        return r

    def onboard_institution(self, wallet: str, platform: str) -> Receipt:
        """An HK institution (the court's receiver) onboarded by `platform`, its claims lasting the run."""
        w = self.world
        until = w.chain.timestamp_at((w.cfg.horizon_days + 1) * DAY)
        issuer = self._issuer(platform_issuer(platform))
        self.stats.issued += 2
        return w.suite.identities.onboard(wallet, HK, [(issuer, KYC, until, 0),
                                                       (issuer, INVESTOR_CATEGORY, until, INSTITUTIONAL)])

    def _reviews(self, inv: Investor) -> Generator[simpy.Event, Any, None]:
        w = self.world
        share = w.cfg.identity.review_lapse_share
        while True:
            yield w.env.timeout(max(0.0, self._sim_time(inv.claims_until) - REVIEW_LEAD_S - w.env.now))
            # revoked, or its platform no longer trusted (a revoked licence): nobody reviews it, and the claims
            # run out at their date (`problem` then says kyc_expired, should the platform be trusted again)
            if inv.claims_revoked or inv.platform in self.distrusted:
                return
            if float(self.rng.random()) < share:
                yield w.env.timeout(max(0.0, self._sim_time(inv.claims_until) + 1 - w.env.now))
                inv.claims_lapsed = True
                self.stats.lapsed += 1
                w.event(inv.wallet, "claims_expired", "review_not_completed", investor_class=inv.cls)
                return
            until = inv.claims_until + w.cfg.identity.claim_validity_days * DAY
            identity = w.suite.identities.identity_of[inv.wallet.lower()]
            r = None
            for issuer, topic, valid_until, value in self._claims(inv, until):
                r = w.suite.identities.issue(identity, issuer, topic, valid_until, value)
                self.stats.issued += 1
            inv.claims_until = until
            self.stats.reviews_completed += 1
            w.event(inv.wallet, "claims_renewed", "", receipt=r, investor_class=inv.cls)

    def _sim_time(self, chain_time: int) -> float:
        """The simulated second at which the chain's clock reads `chain_time`."""
        w = self.world
        return float(chain_time - w.chain.timestamp_at(0))

    # ------------------------------------------------------------------ losing verification
    def revoke_kyc(self, inv: Investor) -> Receipt:
        """The investor's platform revokes its KYC claim (AML monitoring caught it)."""
        r = self.world.suite.identities.revoke(inv.wallet, KYC)
        inv.claims_revoked = True
        self.stats.revoked += 1
        return r

    def distrust_platform(self, name: str) -> Receipt | None:
        """The token's issuer stops trusting `name`'s claims (its licence was revoked)."""
        if name in self.distrusted or not self.world.cfg.identity.distrust_revoked_platform:
            return None
        self.distrusted.add(name)
        self.stats.issuers_distrusted += 1
        return self.world.suite.identities.distrust(self._issuer(platform_issuer(name)))

    def trust_platform(self, name: str) -> Receipt | None:
        """The token's issuer trusts `name`'s claims again (its licence was restored); claims that ran out
        meanwhile stay expired."""
        if name not in self.distrusted:
            return None
        self.distrusted.discard(name)
        return self.world.suite.identities.trust(self._issuer(platform_issuer(name)), [KYC, INVESTOR_CATEGORY])

    def problem(self, inv: Investor) -> str:
        """Why the registry would not verify the investor's wallet now ("" when it would)."""
        if inv.claims_revoked:
            return "kyc_revoked"
        if inv.platform in self.distrusted:
            return "claim_issuer_untrusted"
        # lapsed, or not reviewed. Judged by the chain's clock, which runs ahead of the simulation's in a busy
        # instant (a block a second: about 3 minutes ahead at the whole market's scale), with room for the
        # transactions the trade itself makes after this check
        if self.world.chain.next_block_time(self.world.env.now) + TRADE_BLOCKS_S > inv.claims_until:
            return "kyc_expired"
        return ""
