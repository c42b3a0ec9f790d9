"""What a scenario's numbers may be: the bounds the schema checks fields against, each with its reason, and
`FieldProblem`, a validator's problem that names its own field.

A bound is either what the model can run on the machine it is built for (2 cores, 24 GiB) or what keeps its
arithmetic exact and finite; none is a fact about the world. Each field's description in `rwa-sim schema`
states its bounds.
"""

from __future__ import annotations

import datetime as dt

# The longest horizon, 40 years: a 25-year revenue right with its run-up and years to spare. Every duration,
# delay and start day is bounded by it too (a later one could never happen within a run).
MAX_DAYS = 40 * 365

# Memory: about 58 KB of model state per investor (reference_10k, 10,000 investors: 663 MiB peak). 250,000
# investors in all is ~14 GiB, inside a 24 GiB machine with room for the chain and the OS; the real CWM
# Connect population, 164.6 k investors at end-Jul 2025 (FACTS "CWM Connect", usage, H/M), fits.
KB_PER_INVESTOR = 58
MAX_INVESTORS = 250_000

# Money in major units (HKD, CNY, USD): 10 trillion, far above any deal (GCL's raise: ~HK$217 m, FACTS "Real
# new-energy RWA deals") or quota (CWM aggregate: RMB 150 bn, FACTS "CWM Connect"). Keeps every amount in minor
# units (x 100) below 2**63 and every on-chain amount (HKDS: 10**4 units a cent; tokens: 10**18 a token) far
# inside uint256, the revenue distributor's 2**128-magnified points included.
MAX_MONEY = 10**13
MAX_PRICE_CENTS = 10**8  # HK$1 m a token (the offering price, a buy-back price)
MAX_COINS = 21_000_000  # every bitcoin there will ever be
MAX_WEIGHT = 1_000.0  # relative choice weights: 1,000 to 1 is already all-or-nothing
MAX_SELL_FACTOR = 100.0  # sell-pressure multipliers (the daily sell chance is capped at 1 anyway)
MAX_PLATFORMS = 50  # 12 licensed VATPs by Feb 2026 (FACTS "Hong Kong", H)
MAX_CHANNELS = 200  # 67 CWM banks by end-2023 (FACTS "CWM Connect", H), plus brokers
MAX_SHOCKS = 1_000

# Names of platforms and CWM channels: they label accounts, events and CSV columns, where `;`, `=` and `+`
# separate fields; words of letters, digits, `_`, `.` or `-`, single spaces between, at most 64 characters.
NAME_PATTERN = r"^[\w.-]+( [\w.-]+)*$"
MAX_NAME_LENGTH = 64

# Start dates: the rules and figures are those of the 2020s; a start 75 years either side means nothing, and
# this range keeps start + horizon + term a valid date.
START_DATE_MIN = dt.date(2000, 1, 1)
START_DATE_MAX = dt.date(2100, 12, 31)


class FieldProblem(ValueError):
    """Problems a model validator finds, each with the field it names, relative to the model raising it
    (`("shocks", 2, "day")` from WorldConfig). simulator.scenario reports each as its own line, its loc
    appended to the model's; anywhere else it is a plain ValueError."""

    def __init__(self, *problems: tuple[tuple[str | int, ...], str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, msg in problems))

MAX_SEED = 2**63 - 1  # seeds feed numpy's SeedSequence and int64 columns
MAX_SWEEP_RUNS = 100_000  # a sweep plans, validates and records every run up front (about 1 KB each in memory)
