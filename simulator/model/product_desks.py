"""Where a CWM investor buys and sells the market's products other than the world's own token: a desk per product.

- `OffchainDesk`: a conventional product (an HK deposit, an SFC-authorised fund, a bond) kept by the HK bank or
  broker off-chain. Holdings are units in the ledger (currency `U:<product>`); the unit's value (NAV) moves each
  day by the product's net yield and, for funds and bonds, a draw of its volatility.
- `TokenDesk`: a tokenised product (an EV-charging revenue right, a tokenised green bond, a tokenised money-market
  fund), its own contract suite on the world's chain sharing the cash tokens and the identity layer
  (`deploy_suite(market=...)`): own token, compliance, offering, distributor and DvP. The issuer's dealer issues
  and redeems at NAV: a purchase mints the tokens to the issuer's treasury and delivers them by DvP against the
  buyer's stablecoin, in HKD or, for a CWM investor, in the CNH stablecoin (the suite's CNH DvP); a redemption is
  the same DvP the other way, then the tokens are burned. The product accumulates: its yield is in the NAV, so no
  per-holder distribution transactions are needed (a tokenised money-market fund's accumulating class).

Money stays integer: NAVs are integers (`OffchainDesk`: HKD cents per 10**9 units; `TokenDesk`: HKDS base units per
whole token), amounts are floored, and every movement is a ledger posting or mirrors one on-chain.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simulator.chain import Contract
from simulator.chain.identities import INVESTOR_CATEGORY, KYC, investor_claims
from simulator.chain.suite import SuiteConfig, deploy_suite
from simulator.identity import CN, HK, INSTITUTIONAL
from simulator.model.classes import FUND_COUNTRIES
from simulator.model.investor import Investor
from simulator.model.products import Product
from simulator.units import BPS, TOKEN, UNITS_PER_CENT, YEAR

if TYPE_CHECKING:
    from simulator.model.world import World

NAV_ONE = 10**9  # an off-chain unit's NAV scale: a new product's unit is worth one cent
TOKEN_NAV_START = 100 * UNITS_PER_CENT  # HK$1.00 a token, in HKDS base units
UNLIMITED = 2**255  # the dealer's standing approvals; the compliance caps that do not bind a dealer
MAX_HOLDERS = 1_000_000
DEALER_REGISTER = "dealer-register"  # the claim issuer vouching for the products' dealers
SYMBOLS = {"ev_charging_token": "GBAEV", "green_bond_token": "GBAGB", "mmf_token": "GBAMMF"}
TITLES = {"ev_charging_token": "GBA EV-Charging Revenue Token", "green_bond_token": "HK Tokenised Green Bond",
          "mmf_token": "HKD Tokenised Money Market Fund"}


def _daily_growth(product: Product, rng: np.random.Generator) -> float:
    """One day's return: the net yield's daily share, plus a normal draw of the daily volatility (none for a
    product without volatility, which draws nothing)."""
    t = product.terms
    drift = t.net_yield_bps / BPS / 365
    if not t.volatility_bps:
        return drift
    return drift + t.volatility_bps / BPS / math.sqrt(365) * float(rng.standard_normal())


class NavDesk:
    """What every desk has: its product, and a NAV that moves each day by the product's yield and volatility."""

    def __init__(self, world: World, product: Product, nav: int) -> None:
        self.world = world
        self.product = product
        self.name = product.name
        self.nav = nav
        self.rng = world.streams.get(f"product:{product.name}")

    def step_day(self) -> None:
        self.nav = max(1, self.nav + int(self.nav * _daily_growth(self.product, self.rng)))


class OffchainDesk(NavDesk):
    def __init__(self, world: World, product: Product) -> None:
        super().__init__(world, product, NAV_ONE)
        self.currency = f"U:{product.name}"  # the ledger's currency of its units

    def value_cents(self, units: int) -> int:
        return units * self.nav // NAV_ONE

    def buy(self, inv: Investor, cents: int) -> int:
        """`cents` from the investor's HK account for units at today's NAV; the units bought."""
        w = self.world
        units = cents * NAV_ONE // self.nav
        w.ledger.post(w.now_s, f"bank:{inv.key}", f"external:product:{self.name}", cents, "HKD", "product purchase")
        w.ledger.post(w.now_s, f"external:units:{self.name}", f"product:{self.name}:{inv.key}", units, self.currency,
                      "product units")
        return units

    def sell(self, inv: Investor, units: int) -> int:
        """Redeem `units` at today's NAV into the investor's HK account; the cents paid."""
        w = self.world
        cents = self.value_cents(units)
        w.ledger.post(w.now_s, f"product:{self.name}:{inv.key}", f"external:units:{self.name}", units, self.currency,
                      "product units redeemed")
        w.ledger.post(w.now_s, f"external:product:{self.name}", f"bank:{inv.key}", cents, "HKD", "product redemption")
        return cents


class TokenDesk(NavDesk):
    def __init__(self, world: World, product: Product) -> None:
        super().__init__(world, product, TOKEN_NAV_START)
        self.symbol = SYMBOLS[product.name]
        self.serial = 0
        cfg = SuiteConfig(token_name=TITLES[product.name], token_symbol=self.symbol,
                          allowed_countries=(CN, HK, *FUND_COUNTRIES), retail_authorised=True, max_balance=UNLIMITED,
                          max_holders=MAX_HOLDERS, supply_cap=UNLIMITED, use_oracle_check=False)
        s = self.suite = deploy_suite(world.chain, cfg, market=world.suite)
        for platform in world.platforms.values():
            s.dvp.grantRole(s.roles["PLATFORM_ROLE"], platform.signer, sender=s.admin)
            s.dvp_cnh.grantRole(s.roles["PLATFORM_ROLE"], platform.signer, sender=s.admin)
        # the dealer (the issuer's treasury) is a registered institution, vouched for by the HK regulator's
        # register of licensed dealers rather than by a platform (a platform losing its licence must not stop
        # the dealer from redeeming), and stands ready on both DvPs
        ids = s.identities
        register = ids.issuers.get(DEALER_REGISTER) or ids.add_issuer(DEALER_REGISTER, [KYC, INVESTOR_CATEGORY])
        ids.onboard(s.treasury, HK, investor_claims(register, INSTITUTIONAL, None, world.chain.now + 40 * YEAR))
        for dvp in (s.dvp, s.dvp_cnh):
            s.token.approve(dvp.address, UNLIMITED, sender=s.treasury)
        s.hkd.approve(s.dvp.address, UNLIMITED, sender=s.treasury)
        s.cnh.approve(s.dvp_cnh.address, UNLIMITED, sender=s.treasury)

    def value_cents(self, tokens: int) -> int:
        return tokens * self.nav // TOKEN // UNITS_PER_CENT

    def _cash_leg(self, currency: str) -> tuple[Contract, Contract, str]:
        """The stablecoin, the DvP contract and the ledger symbol of a leg in `currency` (HKD or CNH)."""
        s = self.suite
        return (s.hkd, s.dvp, "HKDS") if currency == "HKD" else (s.cnh, s.dvp_cnh, "CNHT")

    def _trade_id(self) -> bytes:
        self.serial += 1
        return f"{self.symbol}-{self.serial}".encode().ljust(32, b"\x00")[:32]

    def _cents_of(self, cash_units: int, currency: str) -> int:
        """HKD cents a stablecoin amount is worth today (CNH converted at today's rate, floored)."""
        cents = cash_units // UNITS_PER_CENT
        return cents if currency == "HKD" else self.world.fx.convert(cents, "CNH", "HKD")

    def buy(self, inv: Investor, cash_units: int, currency: str, platform_signer: str) -> tuple[int, int]:
        """Deliver tokens worth `cash_units` of the investor's stablecoin (HKDS, or CNHT when `currency` is "CNH")
        at today's NAV, by DvP from the dealer; (tokens bought, their HKD cents). No tokens: too little for one
        base unit."""
        w = self.world
        s = self.suite
        cents = self._cents_of(cash_units, currency)
        tokens = cents * UNITS_PER_CENT * TOKEN // self.nav
        if tokens == 0:
            return 0, 0
        cash, dvp, symbol = self._cash_leg(currency)
        s.token.mint(s.treasury, tokens, sender=s.agent)
        w.ledger.post(w.now_s, f"external:{self.symbol}", f"chain:{s.treasury}", tokens, self.symbol, "dealer issue")
        cash.approve(dvp.address, cash_units, sender=inv.wallet)
        dvp.settle(self._trade_id(), s.treasury, inv.wallet, tokens, cash_units, 0, sender=platform_signer)
        w.chain_move(s.treasury, inv.wallet, tokens, self.symbol, "dealer DvP token leg")
        w.chain_move(inv.wallet, s.treasury, cash_units, symbol, "dealer DvP cash leg")
        return tokens, cents

    def sell(self, inv: Investor, tokens: int, currency: str, platform_signer: str) -> tuple[int, int]:
        """Redeem `tokens` at today's NAV by DvP to the dealer, paid in the investor's stablecoin; the tokens are
        burned. The dealer's cash comes first from what it took in; a shortfall (the NAV grew) is the issuer's,
        minted to the treasury against its bank. Returns (stablecoin base units paid, their HKD cents)."""
        w = self.world
        s = self.suite
        cents = self.value_cents(tokens)
        cash, dvp, symbol = self._cash_leg(currency)
        cash_units = (cents if currency == "HKD" else w.fx.convert(cents, "HKD", "CNH")) * UNITS_PER_CENT
        if cash_units == 0:  # worth less than a cent (or a fen): written off, burned by the agent
            s.token.burn(inv.wallet, tokens, sender=s.agent)
            w.ledger.post(w.now_s, f"chain:{inv.wallet}", f"external:{self.symbol}", tokens, self.symbol, "dust")
            return 0, 0
        short = cash_units - cash.balanceOf(s.treasury)
        if short > 0:
            fund = w.funding.mint_hkds if currency == "HKD" else w.funding.mint_cnht
            fund(s.treasury, f"external:issuer:{self.name}", -(-short // UNITS_PER_CENT), "dealer funding")
        s.token.approve(dvp.address, tokens, sender=inv.wallet)
        dvp.settle(self._trade_id(), inv.wallet, s.treasury, tokens, cash_units, 0, sender=platform_signer)
        w.chain_move(inv.wallet, s.treasury, tokens, self.symbol, "dealer DvP token leg")
        w.chain_move(s.treasury, inv.wallet, cash_units, symbol, "dealer DvP cash leg")
        s.token.burn(s.treasury, tokens, sender=s.agent)
        w.ledger.post(w.now_s, f"chain:{s.treasury}", f"external:{self.symbol}", tokens, self.symbol, "dealer redeem")
        return cash_units, self._cents_of(cash_units, currency)

    def onchain_balances(self, wallets: list[str]) -> dict[tuple[str, str], int]:
        """(wallet, symbol) -> on-chain balance of this product's token for `wallets`, its treasury and its DvPs."""
        s = self.suite
        return {(wl, self.symbol): s.token.balanceOf(wl)
                for wl in [*wallets, s.treasury, s.dvp.address, s.dvp_cnh.address, s.offering.address]}
