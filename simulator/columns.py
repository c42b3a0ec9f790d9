"""The columns of every output table, in order, with their types: one declaration the model's rows, the CSV
and Parquet writers, the readers and the README follow.

Types: `int` (int64), `float` (float64), `bool`, `str`; a trailing `?` means the value may be not applicable,
which is `None` in Python, an empty cell in CSV and null in Parquet (never 0 or "" standing in for it).
Units are in the names: `_hkd`, `_cny` (whole units, floored), `_hkd_cents`, `_usd_cents`, `_fen`, `_bps`,
`_pct` (percent), `_days`, `_s` (seconds), `_kwh`, `_e9` (10**-9 token), `_e8` (10**-8 coin; FX rates x 10**8);
a numeric column without a unit is a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.model.classes import CLASS_NAMES
from simulator.model.policy import REASONS
from simulator.model.products import CATALOGUE, PRODUCT_CLASSES
from simulator.units import INT64_MAX

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Schema = dict[str, str]  # column -> "int" | "float" | "bool" | "str", with "?" when it may be not applicable

# events.csv: one row per thing that happened; the fields an event kind has are filled, the others empty
EVENTS: Schema = {
    "time_s": "int", "day": "int", "actor": "str", "kind": "str", "reason": "str?",
    "amount_minor": "int?",  # in minor units of `currency`: HKD cents, CNY fen, RWA 10**-9 token, SVA 10**-8 coin
    "currency": "str?",
    "block": "int",  # the chain's block height when recorded (the transaction's own block when `onchain`)
    "onchain": "bool",  # the event is a transaction's (its block holds it)
    "investor_class": "str?", "platform": "str?",
    "channel": "str?",  # CWM channel(s): the one refusing, or the ones an onboarded client holds accounts at ("+")
    "product": "str?",  # va_etf for ETF refusals
    "buyer": "str?", "seller": "str?",  # a settled trade's wallets (tokens seller -> buyer)
    "counterparty": "str?",  # recovered: the lost wallet; court_order: the receiver
    "tokens_e9": "int?",  # allocated tokens, traded quantity
    "coins_e8": "int?",  # va_sale: coins sold; etf_bought: the position's coin exposure
    "price_hkd_cents": "int?",  # per whole token (trade_settled)
    "price_usd_cents": "int?",  # per coin (va_sale, average)
    "impact_bps": "int?",  # va_sale
    "latency_s": "int?",  # trade_settled: from match to settlement
    "match_id": "str?",  # a settlement failure's match
    "period_yyyymm": "int?",  # oracle_report, repatriated, distribution
    "energy_kwh": "int?",  # oracle_report
    "holders": "int?",  # claimed, term_ended: holders in the batch
    "cause": "str?",  # remittance_northbound: sale, refund, ...
    "rail": "str?",  # remittance
    "detail": "str?",  # the rare rest, k=v;k=v (approval_days, hard_cap_hkd, sentiment, error, quota_fen, ...)
}


def timeseries_schema() -> Schema:
    """timeseries.csv: one row per day, the state at 00:00 of the day (README: "Timeseries rows")."""
    return {
        "day": "int", "date": "str", "investors_onboarded": "int", "holders": "int",
        **{f"holders_{cls}": "int" for cls in CLASS_NAMES},
        "tokens_outstanding_e9": "int", "capital_idle_hkd_days_cum": "int", "settlement_failures_cum": "int",
        "price_hkd_cents": "int", "trades_cum": "int", "volume_hkd_cents_cum": "int",
        "distributions_hkd_cents_cum": "int", "cwm_aggregate_quota_used_fen": "int",
        "cwm_aggregate_quota_fen": "int", "cwm_investors": "int", "cwm_remitted_cny_cum": "int", "refused_cum": "int",
        "sentiment": "float", "offering_state": "str", "platforms_licensed": "int", "va_price_usd_cents": "int",
        "va_sold_coins_e8_cum": "int", "etf_value_hkd": "int",
        "fx_cnh_per_usd_e8": "int", "fx_cny_per_usd_e8": "int", "fx_hkd_per_usd_e8": "int",
        # the CWM market (scenarios with [[products]]; 0 otherwise): its investors' holdings of each product
        **{f"market_{p}_hkd": "int" for p in CATALOGUE},
    }


def summary_schema() -> Schema:
    """summary.csv: one row per run."""
    return {
        "scenario": "str", "seed": "int", "backend": "str", "horizon_days": "int", "investors_onboarded": "int",
        **{f"investors_by_class_{cls}": "int" for cls in CLASS_NAMES},
        "capital_raised_hkd": "int", "offering_fill_days": "int?", "offering_outcome": "str",
        "offering_filled": "bool", "approval_days": "int", "first_distribution_day": "int?",
        "tokens_outstanding_e9": "int", "holders_end": "int", "distributions_paid_hkd": "int",
        "payouts_gross_cny": "int", "withholding_tax_cny": "int",
        **{f"cash_yield_pct_{cls}": "float?" for cls in CLASS_NAMES},
        **{f"irr_pct_{cls}": "float?" for cls in CLASS_NAMES},
        "irr_pct_all": "float?", "exit_value_hkd": "int", "value_stranded_hkd": "int",
        "value_per_token_at_close_hkd_cents": "int?", "term_end_day": "int?",
        "secondary_trades": "int", "secondary_volume_hkd": "int", "settlement_failures": "int",
        "cwm_individual_quota_max_used_cny": "int", "cwm_individual_quota_total_used_cny": "int",
        "cwm_aggregate_quota_used_cny": "int", "cwm_aggregate_quota_bound_day": "int?", "cwm_clients_bank": "int",
        "cwm_clients_broker": "int",
        "cwm_clients_bank_and_broker": "int",
        **{f"refused_{r}": "int" for r in REASONS},
        "aml_missed": "int", "aml_detected_later": "int", "wallets_frozen": "int", "court_orders_executed": "int",
        "court_orders_unenforced": "int", "tokens_seized_e9": "int", "tokens_frozen_end_e9": "int",
        "claims_issued": "int", "claim_reviews_completed": "int", "claims_lapsed": "int", "claims_revoked": "int",
        "claim_issuers_distrusted": "int", "keys_lost": "int", "wallets_recovered": "int",
        "tokens_key_lost_end_e9": "int",
        "capital_idle_hkd_days": "int", "counterparty_failures": "int", "platform_outage_days": "int",
        "disposal_sold_coins_e8": "int", "disposal_proceeds_cny": "int", "disposal_days_to_finish": "int?",
        "disposal_mean_impact_bps": "int?", "etf_investors": "int", "etf_subscribed_hkd": "int",
        "etf_value_end_hkd": "int", "etf_realized_pnl_hkd": "int", "etf_panic_sellers": "int",
        "etf_daily_vol_pct": "float?", "etf_max_drawdown_pct": "float?", "settlement_latency_days_mean": "float?",
        # the CWM market (scenarios with [[products]]): per product, what its investors hold at the end, bought,
        # sold and earned (IRR, holdings valued at the end); per class, its share of their southbound holdings
        "market_investors": "int", "market_rebalances": "int", "market_southbound_hkd": "int",
        **{f"market_{p}_{m}": k for p in CATALOGUE for m, k in (("hkd", "int"), ("holders", "int"),
                                                                 ("bought_hkd", "int"), ("sold_hkd", "int"),
                                                                 ("irr_pct", "float?"), ("refused", "int"))},
        **{f"market_share_{c}_pct": "float?" for c in PRODUCT_CLASSES},
        "market_held_bank_hkd": "int", "market_held_broker_hkd": "int",
        "market_cnh_settled_pct": "float?",
        "tx_count": "int", "gas_used_chain": "int?", "gas_used_revm_session": "int?",
        "reconciliation_diff_minor": "int", "wall_seconds": "float",
    }


TABLES = {"events": lambda: EVENTS, "timeseries": timeseries_schema, "summary": summary_schema}

_PY = {"int": int, "float": float, "bool": bool, "str": str}


def nullable(schema: Schema) -> Schema:
    return {name: kind.rstrip("?") + "?" for name, kind in schema.items()}


def check_row(row: Mapping[str, Any], schema: Schema, table: str) -> None:
    """Raise unless the row has exactly the schema's columns, in order, each value of its type (ints within
    int64, None only where a column may be not applicable)."""
    if list(row) != list(schema):
        missing, extra = [c for c in schema if c not in row], [c for c in row if c not in schema]
        raise ValueError(f"{table}: columns differ from the declared ones (missing {missing}, extra {extra}, "
                         "or out of order)")
    for name, kind in schema.items():
        value = row[name]
        if value is None:
            if not kind.endswith("?"):
                raise ValueError(f"{table}.{name}: None in a column that is always applicable")
        elif type(value) is not _PY[kind.rstrip("?")]:
            raise ValueError(f"{table}.{name}: {value!r} is not {kind.rstrip('?')}")
        elif type(value) is int and not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise ValueError(f"{table}.{name}: {value} overflows int64")


def column_kind(values: Iterable[object]) -> str:
    """The type of a column of plain values (a sweep's grid): bool, int, float (ints and floats) or str."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "bool?"
    if kinds == {int}:
        return "int?"
    if kinds and kinds <= {int, float}:
        return "float?"
    return "str?"


def arrow_schema(schema: Schema) -> pa.Schema:
    import pyarrow as pa

    types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema([pa.field(name, types[kind.rstrip("?")], nullable=kind.endswith("?"))
                      for name, kind in schema.items()])


PANDAS = {"int": "Int64", "float": "Float64", "bool": "boolean", "str": "string"}


def pandas_dtypes(schema: Schema) -> dict[str, str]:
    """The pandas dtypes of a table (nullable ones: N/A is pd.NA), as `pd.read_parquet(path,
    dtype_backend="numpy_nullable")` gives them."""
    return {name: PANDAS[kind.rstrip("?")] for name, kind in schema.items()}


SWEEP_OWN: Schema = {"point": "int", "status": "str", "error": "str?"}  # a sweep's columns before the run's


def known_columns() -> Schema:
    """Every column any output table declares (a name has one type wherever it appears)."""
    return {**EVENTS, **timeseries_schema(), **summary_schema(), **SWEEP_OWN}


def read(path: Path | str) -> pd.DataFrame:
    """An output table (CSV or Parquet, a run's or a sweep's) as a pandas DataFrame with the documented dtypes:
    the nullable ones (N/A is pd.NA); a column no table declares (a sweep's grid) is inferred."""
    import pandas as pd

    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path, dtype_backend="numpy_nullable")
    known = known_columns()
    header = pd.read_csv(path, nrows=0).columns.tolist()
    dtypes = {c: PANDAS[known[c].rstrip("?")] for c in header if c in known}
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""], dtype_backend="numpy_nullable")


def frame(rows: list[dict], schema: Schema) -> pd.DataFrame:
    """In-memory rows (a RunResult's) as the DataFrame `read` gives for the same table."""
    import pandas as pd

    data = {name: pd.array([r[name] for r in rows], dtype=PANDAS[kind.rstrip("?")]) for name, kind in schema.items()}
    return pd.DataFrame(data)
