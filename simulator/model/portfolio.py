"""Portfolio choice: how an investor splits its investable wealth across the products it may hold.

A fractional nested logit (McFadden 1978; Train, "Discrete Choice Methods with Simulation", 2009, ch. 4; as a
share of wealth, a fractional response model: Papke & Wooldridge 1996). Two nests: staying home (the home
account: mainland deposits for a mainland resident, cash for the others, utility 0) and investing, which holds
the products of the investor's choice set. The share of wealth in product j is

    s_j = P(invest) * P(j | invest),   P(j | invest) = exp(U_j / lam) / sum_k exp(U_k / lam),
    P(invest) = exp(IV) / (1 + exp(IV)),   IV = lam * log sum_k exp(U_k / lam),
    U_j = asc_j + b_yield * net_yield_j - gamma * b_risk * vol_j**2 - b_liquidity * liquidity_days_j

`lam` in (0, 1] (the nest's dissimilarity) says how much closer the products are substitutes for one another than
for staying home: at 1 the model is the multinomial logit (a new product draws from home and every product in
proportion); lower, a new product draws mostly from the other products and little more money leaves home.
`gamma` is the investor's own risk aversion (drawn per investor),
so a more risk-averse investor puts more in low-volatility products (deposits) and less in the rest. The
alternative-specific constants `asc_j` are what makes the mix match an observed one: `calibrated_asc` solves them
in closed form so that the investor with the median risk aversion holds `target_mix` of the invested part and
invests `invested_share` of its wealth. Eligibility (the CWM product list, the risk-rating cap, professional-only
products) removes products from the choice set; the shares of the others are what the logit gives without them.
A quota caps the products the quota covers (every southbound product of a mainland investor) together: when
their amounts exceed the room left, all of them are scaled down by the same factor and the rest stays home.

Money stays integer: amounts are floors of wealth x share, the remainder stays home.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The smallest nest parameter: utilities are divided by it, so a tiny one (a valid positive double such as 1e-308)
# turns them into infinities whose differences are NaN; at 0.01 the nest is already a choice of the best product.
MIN_NEST = 0.01


@dataclass(frozen=True, slots=True)
class ProductTerms:
    """What the choice model sees of a product."""

    name: str
    net_yield_bps: int  # expected yield less fees, a year
    volatility_bps: int  # standard deviation of the annual return
    liquidity_days: int  # days from a sale decision to cash
    quota_bound: bool = True  # counts against the investor's cross-border quota (southbound products)


@dataclass(frozen=True, slots=True)
class Coefficients:
    """The logit's taste coefficients (per unit: yield in percentage points, variance in (percent)^2, days)."""

    yield_per_pct: float = 0.5
    risk_per_pct2: float = 0.005
    liquidity_per_day: float = 0.05
    nest: float = 0.5  # lam, the invest nest's dissimilarity in (0, 1]; 1: multinomial logit


def utility(terms: ProductTerms, coefficients: Coefficients, risk_aversion: float, asc: float) -> float:
    vol_pct = terms.volatility_bps / 100
    return (asc + coefficients.yield_per_pct * terms.net_yield_bps / 100
            - risk_aversion * coefficients.risk_per_pct2 * vol_pct * vol_pct
            - coefficients.liquidity_per_day * terms.liquidity_days)


def shares(products: Sequence[ProductTerms], coefficients: Coefficients, risk_aversion: float,
           asc: Mapping[str, float]) -> dict[str, float]:
    """Share of wealth in each product of the choice set (`products`); 1 - their sum stays home."""
    if risk_aversion < 0:
        raise ValueError("risk aversion must be >= 0")
    lam = _nest(coefficients)
    if not products:
        return {}
    scaled = {p.name: utility(p, coefficients, risk_aversion, asc[p.name]) / lam for p in products}
    top = max(scaled.values())  # for numerical stability
    weights = {name: math.exp(u - top) for name, u in scaled.items()}
    within = sum(weights.values())
    inclusive = lam * (top + math.log(within))
    invest = 1.0 / (1.0 + math.exp(-inclusive)) if inclusive > -700 else 0.0
    return {name: invest * w / within for name, w in weights.items()}


def _nest(coefficients: Coefficients) -> float:
    if not MIN_NEST <= coefficients.nest <= 1:
        raise ValueError(f"the nest parameter must be in [{MIN_NEST}, 1]")
    return coefficients.nest


def calibrated_asc(products: Sequence[ProductTerms], coefficients: Coefficients, risk_aversion: float,
                   target_mix: Mapping[str, float], invested_share: float) -> dict[str, float]:
    """Constants that make an investor of `risk_aversion` invest `invested_share` of its wealth, split as
    `target_mix` (shares of the invested part, summing to 1) over `products`."""
    if not 0 < invested_share < 1:
        raise ValueError("invested_share must be in (0, 1)")
    if abs(sum(target_mix.values()) - 1) > 1e-9 or any(v <= 0 for v in target_mix.values()):
        raise ValueError("target_mix must be positive shares summing to 1")
    if {p.name for p in products} != set(target_mix):
        raise ValueError("target_mix must name exactly the products")
    lam = _nest(coefficients)
    log_odds = math.log(invested_share / (1 - invested_share))
    # U_j = lam * log m_j + log odds gives P(j | invest) = m_j and IV = log odds, so P(invest) = invested_share
    return {p.name: lam * math.log(target_mix[p.name]) + log_odds - utility(p, coefficients, risk_aversion, 0.0)
            for p in products}


@dataclass(frozen=True, slots=True)
class Allocation:
    amounts: dict[str, int]  # minor units per product
    home: int  # what stays in the home account
    quota_scaled: bool  # the quota bound the quota-bound products


def allocate(wealth: int, products: Sequence[ProductTerms], coefficients: Coefficients, risk_aversion: float,
             asc: Mapping[str, float], quota_room: int | None = None) -> Allocation:
    """Amounts in minor units: wealth x each product's share (floored), quota-bound products scaled down together
    to fit `quota_room` (None: no quota)."""
    if wealth < 0:
        raise ValueError("wealth must be >= 0")
    share = shares(products, coefficients, risk_aversion, asc)
    amounts = {name: int(wealth * s) for name, s in share.items()}
    scaled = False
    if quota_room is not None:
        bound = [p.name for p in products if p.quota_bound]
        total = sum(amounts[n] for n in bound)
        room = max(0, quota_room)
        if total > room:
            scaled = True
            for n in bound:
                amounts[n] = amounts[n] * room // total
    return Allocation(amounts, wealth - sum(amounts.values()), scaled)
