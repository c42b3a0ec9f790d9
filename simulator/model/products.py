"""The products a CWM Connect southbound investor chooses among: today's conventional ones (off-chain) and the
tokenised ones the "what if" scenarios add (each to be its own contract suite on the chain), with the terms the
portfolio-choice model reads (simulator/model/portfolio.py) and the constants that make it hold today's mix.

A scenario's `[[products]]` picks from the catalogue and may override any figure (`shelf`).
Every figure says its source (a FACTS.md row) or that it is a sensitivity parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from simulator.model.portfolio import Coefficients, ProductTerms, calibrated_asc


@dataclass(frozen=True, slots=True)
class Product:
    terms: ProductTerms
    kind: str  # deposit | fund | bond | revenue_token | bond_token | mmf_token
    risk_rating: int  # 1-5, the banks' scale; southbound admits at most 4 (medium-high: FACTS, H)
    cwm_listed: bool  # on the southbound product list today
    tokenised: bool
    settlement_days: int  # T+n from a trade to cash
    analogue: str  # the conventional product whose constant a tokenised one starts from
    source: str
    yield_bps: int  # before fees
    fee_bps: int

    @property
    def name(self) -> str:
        return self.terms.name


def _p(name: str, kind: str, yield_bps: int, fee_bps: int, vol_bps: int, liquidity_days: int, rating: int,
       listed: bool, settlement_days: int, source: str, analogue: str = "") -> Product:
    terms = ProductTerms(name, yield_bps - fee_bps, vol_bps, liquidity_days)
    return Product(terms, kind, rating, listed, kind.endswith("_token"), settlement_days, analogue or name, source,
                   yield_bps, fee_bps)


# Today's southbound products: deposits, bonds, SFC-authorised funds up to medium-high risk (FACTS, H). Their
# yields, fees and volatilities are sensitivity parameters (FACTS has no rate sheet).
CONVENTIONAL: tuple[Product, ...] = (
    _p("hk_deposit", "deposit", 350, 0, 0, 0, 1, True, 0, "yield: sensitivity (HKD time deposits)"),
    _p("hk_fund", "fund", 650, 150, 1_000, 3, 3, True, 3, "SFC-authorised fund, medium risk: sensitivity"),
    _p("hk_bond", "bond", 420, 20, 400, 2, 2, True, 2, "yield: sensitivity"),
)
# What the scenarios add. None is on the southbound list today: tokenised revenue rights are not eligible
# (HKMA Feb 2024, FACTS, H); the others are labelled so until a scenario lists them.
TOKENISED: tuple[Product, ...] = (
    # a revenue right is one asset's cash flows with a thin secondary market: more volatile than a diversified
    # fund, and a month to find a buyer (both sensitivity)
    _p("solar_token", "revenue_token", 700, 50, 1_500, 30, 4, False, 5,
       "the GCL/Ant Digital solar deal priced at about 7 % (FACTS, H/M); volatility: sensitivity", "hk_fund"),
    _p("ev_charging_token", "revenue_token", 800, 50, 1_800, 30, 4, False, 5,
       "Langxin/Ant Digital EV-charging deal, RMB 100 m (FACTS, H); yield and volatility: sensitivity",
       "hk_fund"),
    _p("green_bond_token", "bond_token", 380, 0, 300, 1, 2, False, 1,
       "HK government tokenised green bond, Feb 2024: HKD 3.80 %, settled T+1 (FACTS, H)", "hk_bond"),
    _p("mmf_token", "mmf_token", 380, 30, 50, 1, 1, False, 1, "tokenised money-market fund: sensitivity",
       "hk_deposit"),
)
CATALOGUE: dict[str, Product] = {p.terms.name: p for p in CONVENTIONAL + TOKENISED}
PRODUCT_CLASSES = ("deposit", "fund", "bond", "token")  # what the market's mix is reported by


def product_class(kind: str) -> str:
    """deposit | fund | bond | token (every tokenised product)."""
    return "token" if kind.endswith("_token") else kind

# Southbound holdings mid-2025: 59 % deposits, 36 % funds, 5 % bonds (Caixin Sep 2025: FACTS, H/M)
TODAY_MIX: dict[str, float] = {"hk_deposit": 0.59, "hk_fund": 0.36, "hk_bond": 0.05}
INVESTED_SHARE = 0.3  # of an eligible investor's wealth put southbound: sensitivity (#19 calibrates it)
MEDIAN_RISK_AVERSION = 1.0  # the investor the constants are solved for: sensitivity


DEFAULT_COEFFICIENTS = Coefficients()


def constants(coefficients: Coefficients = DEFAULT_COEFFICIENTS, invested_share: float = INVESTED_SHARE,
              token_shift: float = 0.0) -> dict[str, float]:
    """Alternative-specific constants: today's products solved so the median investor holds TODAY_MIX of what
    it invests; a tokenised product gets its analogue's constant plus `token_shift` (a taste for or against
    tokens, sensitivity), so it competes on its own yield, risk and liquidity."""
    today = [p.terms for p in CONVENTIONAL]
    asc = calibrated_asc(today, coefficients, MEDIAN_RISK_AVERSION, TODAY_MIX, invested_share)
    for p in TOKENISED:
        asc[p.terms.name] = asc[p.analogue] + token_shift
    return asc


def choice_set(listed: Mapping[str, bool], max_risk_rating: int = 4) -> Sequence[ProductTerms]:
    """The products a southbound investor may choose: on the list (`listed` overrides a product's status
    today) and within the risk-rating cap."""
    return [p.terms for name, p in CATALOGUE.items()
            if listed.get(name, p.cwm_listed) and p.risk_rating <= max_risk_rating]


class ProductOverrides(Protocol):
    """What a scenario may change of a catalogue product (simulator.model.config_market.ProductConfig)."""

    @property
    def name(self) -> str: ...
    @property
    def cwm_listed(self) -> bool | None: ...
    @property
    def yield_bps(self) -> int | None: ...
    @property
    def fee_bps(self) -> int | None: ...
    @property
    def volatility_bps(self) -> int | None: ...
    @property
    def liquidity_days(self) -> int | None: ...
    @property
    def risk_rating(self) -> int | None: ...


def shelf(declared: Sequence[ProductOverrides]) -> dict[str, Product]:
    """The scenario's products, in catalogue order, each with the scenario's overrides applied."""
    by_name = {d.name: d for d in declared}
    out: dict[str, Product] = {}
    for name, p in CATALOGUE.items():
        d = by_name.get(name)
        if d is None:
            continue
        yield_bps = p.yield_bps if d.yield_bps is None else d.yield_bps
        fee_bps = p.fee_bps if d.fee_bps is None else d.fee_bps
        terms = replace(p.terms, net_yield_bps=yield_bps - fee_bps,
                        volatility_bps=p.terms.volatility_bps if d.volatility_bps is None else d.volatility_bps,
                        liquidity_days=p.terms.liquidity_days if d.liquidity_days is None else d.liquidity_days)
        out[name] = replace(p, terms=terms, yield_bps=yield_bps, fee_bps=fee_bps,
                            risk_rating=p.risk_rating if d.risk_rating is None else d.risk_rating,
                            cwm_listed=p.cwm_listed if d.cwm_listed is None else d.cwm_listed)
    return out
