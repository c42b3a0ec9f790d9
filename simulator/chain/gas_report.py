"""Gas per contract function, measured on a scripted exercise of the whole suite.

Runs on `pyevm` by default: its gas is what a chain charges (equal to eth-tester and anvil to the unit);
`revm` under-charges (see README, "Known limitation: gas on revm").
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from simulator.chain.chain import Chain
from simulator.chain.identities import CWM_ELIGIBILITY, INVESTOR_CATEGORY, KYC
from simulator.chain.suite import (
    CN,
    DAY,
    HK,
    HKD,
    INSTITUTIONAL,
    NOMINEE,
    PROFESSIONAL,
    TOKEN,
    YEAR,
    SuiteConfig,
    deploy_suite,
)

FIELDS = ["contract", "function", "calls", "gas_min", "gas_mean", "gas_max"]


def exercise(chain: Chain) -> None:
    """Every common path once or more: onboarding (identities, claims, registry), offering, distributions,
    claims, DvP, freezes, recovery, and the ERC-3643 administration (token information, agents, module
    configuration)."""
    s = deploy_suite(chain, SuiteConfig(lockup_seconds=0))
    ids = s.identities
    platform, bank = ids.issuers["platform"], ids.issuers["cwm-bank"]
    investors = [chain.new_account(f"investor-{i}") for i in range(6)]
    until = chain.now + 5 * YEAR
    identities = [ids.create() for _ in investors]  # each with the platform's KYC and category claims
    for identity, category in zip(identities, [PROFESSIONAL, INSTITUTIONAL] + [PROFESSIONAL] * 4, strict=True):
        ids.issue(identity, platform, KYC, until)
        ids.issue(identity, platform, INVESTOR_CATEGORY, until, category)
    ids.issue(identities[1], bank, CWM_ELIGIBILITY, until, 1)  # the mainland investor, by CWM southbound
    ids.register_batch(investors[:3], identities[:3], [HK, CN, HK])
    for who, identity in zip(investors[3:], identities[3:], strict=True):
        ids.register(who, identity, HK)
    upgraded = ids.create()  # investor 5 turns institutional: a new identity with new claims
    ids.issue(upgraded, platform, KYC, until)
    ids.issue(upgraded, platform, INVESTOR_CATEGORY, until, INSTITUTIONAL)
    ids.update(investors[5], upgraded)
    s.registry.updateCountry(investors[4], CN, sender=s.agent)  # a move, corrected
    s.registry.updateCountry(investors[4], HK, sender=s.agent)
    leaver = chain.new_account("leaver")  # onboarded, KYC revoked, removed
    s.onboard(leaver, HK, PROFESSIONAL, NOMINEE, until)
    ids.revoke(leaver, KYC)
    s.registry.deleteIdentity(leaver, sender=s.agent)
    ids.distrust(bank)  # the CWM bank loses trust, then regains it
    ids.trust(bank, [CWM_ELIGIBILITY])
    for who in investors:  # primary offering
        s.hkd.mint(who, 50_000 * HKD, sender=s.hkd_issuer)
        s.hkd.approve(s.offering.address, 50_000 * HKD, sender=who)
        s.offering.subscribe(20_000 * HKD, sender=who)
    s.offering.close(sender=s.issuer)
    for period in (1, 2, 3):  # revenue: report, distribute, claim
        chain.advance_to(period * 30 * DAY)
        s.oracle.report(period, 1_000_000 * period, 80_000 * HKD, "HKD", bytes([period]) * 32, sender=s.attestor)
        s.hkd.mint(s.paying_agent, 10_000 * HKD, sender=s.hkd_issuer)
        s.hkd.approve(s.distributor.address, 10_000 * HKD, sender=s.paying_agent)
        s.distributor.distribute(10_000 * HKD, period, sender=s.paying_agent)
        s.distributor.claim(sender=investors[period - 1])
        s.distributor.claimFor(investors[period + 2], sender=s.agent)
    a, b, c = investors[:3]
    s.token.transfer(b, 10 * TOKEN, sender=a)
    s.token.approve(s.dvp.address, 50 * TOKEN, sender=a)  # secondary trades by DvP
    s.hkd.approve(s.dvp.address, 10_000 * HKD, sender=b)
    for i in range(3):
        s.dvp.settle(bytes([i + 1]) * 32, a, b, 10 * TOKEN, 1_000 * HKD, 5 * HKD, sender=s.platform)
    s.token.freezePartialTokens(a, 5 * TOKEN, sender=s.agent)
    s.token.unfreezePartialTokens(a, 5 * TOKEN, sender=s.agent)
    s.token.setAddressFrozen(c, True, sender=s.agent)
    s.token.setAddressFrozen(c, False, sender=s.agent)
    s.token.forcedTransfer(a, c, 5 * TOKEN, sender=s.agent)
    s.token.burn(c, 1 * TOKEN, sender=s.agent)
    s.token.pause(sender=s.agent)
    s.token.unpause(sender=s.agent)
    lost_to = chain.new_account("recovered-wallet")  # a management key of the investor's identity
    ids.recover(s.token, c, lost_to)  # registers it, deletes c
    s.token.batchTransfer([a, lost_to], [TOKEN, TOKEN], sender=b)
    # ERC-3643 administration: token information, agents, a module configured through the compliance
    s.token.setName("GBA Solar Revenue Token A", sender=s.admin)
    s.token.setSymbol("GBASOLAR-A", sender=s.admin)
    s.token.setOnchainID(chain.new_account("token-onchainid"), sender=s.admin)
    second_agent = chain.new_account("second-agent")
    s.token.addAgent(second_agent, sender=s.admin)
    s.token.removeAgent(second_agent, sender=s.admin)
    limit = (2_000_000 * TOKEN,)
    max_balance = s.modules["max_balance"]
    call = max_balance.abi.function("setMaxBalance", limit).encode(limit)
    s.compliance.callModuleFunction(call, max_balance.address, sender=s.admin)


def gas_table(chain: Chain) -> list[dict]:
    chain.gas_log = []
    exercise(chain)
    grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
    for contract, function, gas in chain.gas_log:
        grouped[(contract, function)].append(gas)
    return [
        {"contract": c, "function": f, "calls": len(g), "gas_min": min(g), "gas_mean": sum(g) // len(g),
         "gas_max": max(g)}
        for (c, f), g in sorted(grouped.items())
    ]


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
