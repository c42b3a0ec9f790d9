"""Units: every fixed scale the project counts money, tokens and time in, defined once.

Money is integers in minor units (HKD cents, CNY fen, USD cents); on-chain amounts are token base units.
"""

from __future__ import annotations

# --- time (simulation seconds) -------------------------------------------------------------------------
HOUR = 3_600
DAY = 86_400
YEAR = 365 * DAY  # a calendar-free year of seconds (on-chain durations)

# --- ratios ----------------------------------------------------------------------------------------------
BPS = 10_000  # basis points in one

# --- fiat ------------------------------------------------------------------------------------------------
MINOR_PER_MAJOR = 100  # cents per HKD (USD), fen per CNY

# --- on-chain --------------------------------------------------------------------------------------------
TOKEN_DECIMALS = 18  # the revenue-rights token
TOKEN = 10**TOKEN_DECIMALS  # one whole token in base units
LOT = TOKEN // 100  # 0.01 token: the order book's lot size
CASH_DECIMALS = 6  # the settlement tokens (HKD stablecoin, CNH token)
CASH_UNIT = 10**CASH_DECIMALS  # one HKD (or CNH) in settlement-token units
UNITS_PER_CENT = CASH_UNIT // MINOR_PER_MAJOR  # one cent in settlement-token units: exact, never rounded
COIN = 10**8  # one virtual-asset coin in base units (satoshi-like)

# --- outputs ---------------------------------------------------------------------------------------------
# Token quantities are reported in 10**-9 token (`_e9` columns): 10**-18 overflows int64 above 9.2 tokens.
TOKEN_E9 = 10**9  # output units per whole token
TOKEN_BASE_PER_E9 = TOKEN // TOKEN_E9  # token base units per output unit
INT64_MAX = 2**63 - 1


class InexactUnitError(ValueError):
    """A quantity that the unit it is reported in cannot hold exactly (never rounded)."""


def tokens_e9(base_units: int) -> int:
    """Token base units (10**-18) -> 10**-9 token, exactly; raises rather than round or overflow."""
    whole, rest = divmod(base_units, TOKEN_BASE_PER_E9)
    if rest:
        raise InexactUnitError(f"{base_units} token base units is not a whole number of 10**-9 token")
    if abs(whole) > INT64_MAX:
        raise InexactUnitError(f"{base_units} token base units overflows int64 in 10**-9 token")
    return whole


def token_unit_problem(price_hkd_cents: int, hard_cap_hkd: int) -> tuple[str, str] | None:
    """The offering field that keeps its token quantities from being reported exactly in 10**-9 token, and
    why; or None.

    An allocation is cash * 10**14 // price_hkd_cents base units for any cash in stablecoin units (pro-rata
    scaling leaves any), a whole number of 10**-9 token whenever the price divides 10**5 cents; the supply
    cap bounds every quantity."""
    if 10**5 % price_hkd_cents:
        return ("price_hkd_cents", f"price_hkd_cents = {price_hkd_cents}: token quantities are reported in "
                "10**-9 token, exact only when the price in cents divides 100000 (HK$1000, 500, 250, 200, 100, 50, "
                "..., 0.01)")
    if major_to_minor(hard_cap_hkd) * TOKEN_E9 // price_hkd_cents > INT64_MAX:
        return ("hard_cap_hkd", f"hard_cap_hkd = {hard_cap_hkd}: at {price_hkd_cents} cents a token the supply "
                "cap overflows int64 in 10**-9 token")
    return None


def cents_to_units(cents: int) -> int:
    """HKD cents -> HKD stablecoin units (exact)."""
    return cents * UNITS_PER_CENT


def units_to_cents(units: int) -> int:
    """HKD stablecoin units -> whole cents, floored (sub-cent dust stays on-chain)."""
    return units // UNITS_PER_CENT


def major_to_minor(amount: int) -> int:
    """Whole HKD (CNY, USD) -> cents (fen)."""
    return amount * MINOR_PER_MAJOR
