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


def cents_to_units(cents: int) -> int:
    """HKD cents -> HKD stablecoin units (exact)."""
    return cents * UNITS_PER_CENT


def units_to_cents(units: int) -> int:
    """HKD stablecoin units -> whole cents, floored (sub-cent dust stays on-chain)."""
    return units // UNITS_PER_CENT


def major_to_minor(amount: int) -> int:
    """Whole HKD (CNY, USD) -> cents (fen)."""
    return amount * MINOR_PER_MAJOR
