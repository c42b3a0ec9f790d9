"""The scenario's CWM market: the products on the shelf (`[[products]]`) and how investors choose among them
(`[portfolio]`). A scenario without products is the single-token world; with them, every CWM-eligible mainland
investor allocates its investable wealth across the products it may hold (simulator/model/cwm_market.py).

Every product is one of the catalogue's (simulator/model/products.py), whose figures cite FACTS.md or are
sensitivity parameters; a scenario may override any of them here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from simulator.model.config_tables import _Strict
from simulator.model.portfolio import MIN_NEST
from simulator.units import BPS

ProductName = Literal["hk_deposit", "hk_fund", "hk_bond", "solar_token", "ev_charging_token", "green_bond_token",
                      "mmf_token"]


def _override(description: str, le: int) -> int | None:
    return Field(None, ge=0, le=le, description=f"{description} (unset: the catalogue's figure)")


class ProductConfig(_Strict):
    """A product on the CWM market's shelf. The solar token is the world's own revenue-rights token (its offering,
    distributions and secondary market); its place on the southbound list is `policy.cwm.product_eligible`."""

    name: ProductName = Field(description=(
        "a catalogue product: hk_deposit, hk_fund, hk_bond (today's southbound products, off-chain), solar_token "
        "(the world's token), ev_charging_token, green_bond_token, mmf_token (each its own contract suite)"))
    cwm_listed: bool | None = Field(None, description=(
        "on the southbound product list at the start (unset: as today: deposits, funds and bonds yes, tokenised "
        "products no, HKMA Feb 2024, FACTS \"CWM Connect\", H). Not for solar_token: "
        "policy.cwm.product_eligible lists it"))
    yield_bps: int | None = _override("expected yield a year, bps, before fees", BPS)
    fee_bps: int | None = _override("fees a year, bps", BPS)
    volatility_bps: int | None = _override("standard deviation of the annual return, bps", 10 * BPS)
    liquidity_days: int | None = _override("days from a sale decision to cash", 365)
    risk_rating: int | None = Field(None, ge=1, le=5, description=(
        "risk rating, 1-5; above policy.cwm.max_risk_rating_allowed it is off the southbound shelf (unset: the "
        "catalogue's)"))


class PortfolioConfig(_Strict):
    """How a CWM investor splits its wealth across the products (a nested logit, simulator/model/portfolio.py)
    and when it rebalances. Every figure is a sensitivity parameter (issue #19 calibrates them)."""

    invested_share: float = Field(0.3, gt=0, lt=1, description=(
        "share of its wealth the median investor puts southbound with today's products (sensitivity)"))
    yield_per_pct: float = Field(0.5, ge=0, le=10, description=(
        "utility per percentage point of net yield (sensitivity)"))
    risk_per_pct2: float = Field(0.005, ge=0, le=1, description=(
        "utility lost per (percent)^2 of annual variance, times the investor's risk aversion (sensitivity)"))
    liquidity_per_day: float = Field(0.05, ge=0, le=1, description=(
        "utility lost per day a sale takes to cash (sensitivity)"))
    nest: float = Field(0.5, ge=MIN_NEST, le=1, description=(
        "the invest nest's dissimilarity: 1 a new product draws from home as much as from the other products "
        "(multinomial logit), lower mostly from the other products; at least 0.01, where the products are "
        "already perfect substitutes and smaller values overflow exp(U / nest) (sensitivity)"))
    token_shift: float = Field(0.0, ge=-10, le=10, description=(
        "taste for (+) or against (-) a tokenised product over its conventional analogue: novelty, custody, an "
        "unproven market (sensitivity)"))
    fear_penalty: float = Field(2.0, ge=0, le=10, description=(
        "utility a tokenised product loses at full fear (a ban rumour's sentiment -1), fading with it; a rumour "
        "makes every investor in the market look at its portfolio again (sensitivity)"))
    risk_aversion_sigma: float = Field(0.5, ge=0, le=3, description=(
        "log-sd of investors' risk aversion around the median of 1 (lognormal; sensitivity)"))
    rebalance_band_bps: int = Field(1_000, ge=0, le=BPS, description=(
        "a position is traded only when it is this far from its target, bps of the target (sensitivity)"))
    review_days: int = Field(365, ge=0, le=3_650, description=(
        "days between an investor's own reviews of its portfolio, when prices and yields have moved (0: only "
        "when the list or the quotas change; sensitivity)"))
    sell_delisted: bool = Field(True, description=(
        "a product taken off the southbound list is sold and its proceeds go home through the closed loop (false: "
        "held, but nothing more bought; sensitivity)"))
    cnh_settlement: bool = Field(True, description=(
        "CWM investors pay tokenised products (other than the solar token's HKD offering) in the CNH stablecoin "
        "through the product's CNH DvP: their RMB is never converted to HKD (the seed's RMB-internationalisation "
        "point; a policy lever)"))

