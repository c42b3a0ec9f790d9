"""Dated shocks: licence suspension, revocation and restoration, platform outages, a ban rumour, changes of
the CWM quotas or product list, and retail authorisation. Each is applied on its day and recorded."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import simpy

from simulator.model.config import PLATFORM_SHOCKS, ShockConfig
from simulator.model.errors import ModelError
from simulator.model.platform import Platform
from simulator.units import DAY, major_to_minor

if TYPE_CHECKING:
    from simulator.model.world import World


# what makes the CWM market's investors look at their portfolios: eligibility, quotas, news
MARKET_MOVING = ("cwm_product_list", "cwm_quota_change", "ban_rumour")


class Shocks:
    def __init__(self, world: World) -> None:
        self.world = world

    def run(self) -> Generator[simpy.Event, Any, None]:
        w = self.world
        shocks = sorted(w.cfg.shocks, key=lambda s: s.day)
        for i, shock in enumerate(shocks):
            yield w.env.timeout(max(0, shock.day * DAY - w.env.now))
            self.apply(shock)
            last_of_day = i + 1 == len(shocks) or shocks[i + 1].day != shock.day
            moving = sorted({s.kind for s in shocks if s.day == shock.day and s.kind in MARKET_MOVING})
            if w.cwm_market is not None and last_of_day and moving:
                # the CWM market's investors look at their portfolios once the day's changes are all in force
                w.cwm_market.rebalance_all("+".join(moving))

    def apply(self, shock: ShockConfig) -> None:
        w = self.world
        policy = w.policy
        if shock.kind in PLATFORM_SHOCKS:
            p = w.platforms[shock.platform]  # the config refuses shocks naming unknown platforms
            if shock.kind == "licence_restored":
                p.licence = "licensed"
                if (r := w.claims.trust_platform(p.name)) is not None:
                    w.event("issuer", "claim_issuer_trusted", "licence_restored", receipt=r, platform=p.name)
            elif shock.kind == "platform_outage":
                p.outage_until = w.env.now + max(1, shock.duration_days) * DAY
            else:
                p.licence = "suspended" if shock.kind == "licence_suspension" else "revoked"
                if shock.kind == "licence_revocation" and (r := w.claims.distrust_platform(p.name)) is not None:
                    w.event("issuer", "claim_issuer_distrusted", "licence_revocation", receipt=r, platform=p.name)
                for order in p.book.clear():
                    w.market.order_gone(order)
                if shock.kind == "licence_suspension" and shock.duration_days:
                    w.env.process(self._restore(p, shock.duration_days))
        elif shock.kind == "ban_rumour":
            w.market.sentiment = -abs(shock.sentiment)
            w.market.sentiment_recovery_per_day = abs(shock.sentiment) / max(1, shock.duration_days)
        elif shock.kind == "cwm_quota_change":
            c = policy.rules.cwm
            individual = major_to_minor(shock.individual_quota_cny) if shock.individual_quota_cny is not None \
                else c.individual_quota_fen
            aggregate = major_to_minor(shock.aggregate_quota_cny) if shock.aggregate_quota_cny is not None \
                else c.aggregate_quota_fen
            policy.rules = replace(policy.rules, cwm=replace(c, individual_quota_fen=individual,
                                                             aggregate_quota_fen=aggregate))
        elif shock.kind == "cwm_eligibility_change":
            c = policy.rules.cwm
            years = shock.min_gba_social_security_years
            experience = shock.min_experience_years
            assets = shock.min_net_financial_assets_cny
            policy.rules = replace(policy.rules, cwm=replace(
                c, min_gba_social_security_years=c.min_gba_social_security_years if years is None else years,
                min_experience_years=c.min_experience_years if experience is None else experience,
                min_net_financial_assets_fen=c.min_net_financial_assets_fen if assets is None
                else major_to_minor(assets)))
            w.investor_flow.reapply()
        elif shock.kind == "cwm_product_list" and shock.product not in ("", "solar_token"):
            if w.cwm_market is None:  # the config refuses a product the scenario does not have
                raise ModelError(f"a shock lists {shock.product!r} in a world without a CWM market")
            w.cwm_market.listed[shock.product] = shock.enabled
        elif shock.kind == "cwm_product_list":
            policy.rules = replace(policy.rules, cwm=replace(policy.rules.cwm, product_eligible=shock.enabled))
            if shock.enabled:  # the southbound list admits only SFC-authorised products: open the token to them
                self._set_retail_authorised(True)
        elif shock.kind == "retail_authorisation":
            policy.rules = replace(policy.rules, retail_authorised=shock.enabled)
            self._set_retail_authorised(shock.enabled)
        if shock.product:
            w.event("authority", "shock", shock.kind, product=shock.product)
        else:
            w.event("authority", "shock", shock.kind, platform=shock.platform, sentiment=shock.sentiment)


    def _set_retail_authorised(self, enabled: bool) -> None:
        w = self.world
        w.suite.modules["investor_category"].setRetailAuthorised(enabled, sender=w.suite.admin)

    def _restore(self, platform: Platform, days: int) -> Generator[simpy.Event, Any, None]:
        w = self.world
        yield w.env.timeout(days * DAY)
        platform.licence = "licensed"
        w.event("authority", "shock", "licence_restored", platform=platform.name)
