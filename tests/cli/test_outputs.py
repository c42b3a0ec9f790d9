"""Issue #14, the outputs: units in every column name, token quantities exact in int64, integer columns that
read as integers, no column a backend leaves empty, one not-applicable convention with typed values, files
the umask governs, Parquet beside CSV, and the timeseries' moment of the day. Each test fails on the
behaviour it replaced."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import simulator
from simulator import columns
from simulator.cli import main
from simulator.errors import InputError
from simulator.model.classes import CLASS_NAMES
from simulator.model.policy import REASONS
from simulator.model.products import CATALOGUE, PRODUCT_CLASSES
from simulator.runner import run_scenario
from simulator.scenario import load_scenario
from simulator.units import InexactUnitError, tokens_e9

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
TABLES = {"events": columns.EVENTS, "timeseries": columns.timeseries_schema(), "summary": columns.summary_schema()}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """One small run written as CSV and as Parquet, and the same run in memory."""
    out = tmp_path_factory.mktemp("outputs")
    scenario = load_scenario(SMALL)
    run_scenario(scenario, out_dir=out / "csv")
    run_scenario(scenario, out_dir=out / "parquet", fmt="parquet")
    return out, run_scenario(scenario)


def header(path: Path) -> list[str]:
    with path.open(newline="") as fh:
        return next(csv.reader(fh))


def test_every_column_name_is_lowercase_and_carries_its_unit(small):
    out, _ = small
    for table, schema in TABLES.items():
        names = header(out / "csv" / f"{table}.csv")
        assert names == list(schema), table
        assert not [n for n in names if not re.fullmatch(r"[a-z0-9_]+", n)], table
    ts = header(out / "csv" / "timeseries.csv")
    assert {"fx_hkd_per_usd_e8", "fx_cny_per_usd_e8", "fx_cnh_per_usd_e8", "tokens_outstanding_e9"} <= set(ts)
    assert "amount_minor" in header(out / "csv" / "events.csv")


def test_token_quantities_are_exact_int64_in_billionths_of_a_token(small):
    """tokens_outstanding was in 10**-18 token: 2.2e24 overflowed int64 and pyarrow read it as a lossy double."""
    out, result = small
    supply = result.world.suite.token.totalSupply()
    assert supply > 2**63  # the old unit could not hold it
    assert result.summary["tokens_outstanding_e9"] * 10**9 == supply
    assert result.timeseries[-1]["tokens_outstanding_e9"] * 10**9 == result.world.holdings.tokens_outstanding
    allocated = sum(e["tokens_e9"] for e in result.events if e["kind"] == "allocated")
    assert allocated * 10**9 == result.world.holdings.tokens_outstanding
    table = pacsv.read_csv(out / "csv" / "summary.csv")
    assert table.schema.field("tokens_outstanding_e9").type == pa.int64()
    assert table.column("tokens_outstanding_e9")[0].as_py() * 10**9 == supply


def test_a_token_quantity_is_never_rounded():
    assert tokens_e9(5 * 10**18) == 5 * 10**9 and tokens_e9(10**9) == 1
    with pytest.raises(InexactUnitError, match="not a whole number"):
        tokens_e9(10**9 + 1)
    with pytest.raises(InexactUnitError, match="overflows int64"):
        tokens_e9(2**63 * 10**9)


def test_a_price_that_would_make_token_quantities_inexact_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    assert main(["validate", str(SMALL), "--set", "offering.price_hkd_cents=12345"]) == 2
    assert "offering.price_hkd_cents: price_hkd_cents = 12345" in capsys.readouterr().err
    assert main(["run", str(SMALL), "--out", str(tmp_path / "a"), "--quiet",
                 "--set", "offering.price_hkd_cents=12345"]) == 2
    assert not (tmp_path / "a" / "summary.csv").exists()
    scenario = load_scenario(SMALL, ["horizon_days=120"])
    valid, seed = scenario.world(), scenario.scenario.seed
    unvalidated = valid.model_copy(update={"offering": valid.offering.model_copy(update={"price_hkd_cents": 12345})})
    with pytest.raises(InputError, match=r"offering\.price_hkd_cents = 12345"):  # the runner guards it too
        simulator.run(unvalidated, seed)
    # without either check the run itself raises at the first inexact quantity: nothing is rounded
    import simulator.runner as runner

    monkeypatch.setattr(runner, "token_unit_problem", lambda price, cap: None)
    with pytest.raises(InexactUnitError):
        simulator.run(unvalidated, seed)
    monkeypatch.undo()
    assert main(["run", str(SMALL), "--out", str(tmp_path / "b"), "--quiet",  # HK$1,000 divides 10**5 cents
                 "--set", "offering.price_hkd_cents=100000", "--set", "horizon_days=120"]) == 0


def test_integer_columns_read_as_integers_by_pandas_and_pyarrow(small):
    """`block` was empty for off-chain events, so every reader took it for a float."""
    out, _ = small
    assert pd.read_csv(out / "csv" / "events.csv")["block"].dtype == "int64"
    for table, schema in TABLES.items():
        read = pacsv.read_csv(out / "csv" / f"{table}.csv")
        for name, kind in schema.items():
            if kind.startswith("int") and read.column(name).null_count < len(read):
                assert read.schema.field(name).type == pa.int64(), (table, name)
        arrow = columns.arrow_schema(schema)
        typed = pacsv.read_csv(out / "csv" / f"{table}.csv", convert_options=pacsv.ConvertOptions(
            column_types=arrow, strings_can_be_null=True)).cast(arrow)
        if table == "summary":  # the wall time is the one value two runs differ in
            typed = typed.drop_columns("wall_seconds")
        parquet = pq.read_table(out / "parquet" / f"{table}.parquet")
        assert typed.equals(parquet.drop_columns("wall_seconds") if table == "summary" else parquet), table


def test_block_is_the_chain_height_when_recorded_and_no_backend_only_column(small):
    _, result = small
    assert "tx_hash" not in columns.EVENTS  # revm and pyevm sign nothing: a column empty on them is not claimed
    blocks = [e["block"] for e in result.events]
    assert all(isinstance(b, int) for b in blocks) and blocks == sorted(blocks)
    assert any(not e["onchain"] for e in result.events) and any(e["onchain"] for e in result.events)
    assert max(blocks) <= result.world.chain.block_number


def test_not_applicable_is_none_in_python_and_an_empty_cell_in_csv(small):
    """N/A was 0.0000 for some metrics (no ETF volatility, a class with no holders) and blank for others."""
    out, result = small
    s = result.summary
    for table, schema in TABLES.items():
        for row in {"events": result.events, "timeseries": result.timeseries, "summary": [s]}[table]:
            columns.check_row(row, schema, table)  # every value of its type, or None where it may be N/A
    assert type(s["offering_filled"]) is bool and type(s["seed"]) is int and type(s["wall_seconds"]) is float
    assert type(s["cash_yield_pct_hk_professional"]) is float and s["cash_yield_pct_hk_professional"] > 0
    assert type(s["irr_pct_all"]) is float and type(s["offering_outcome"]) is str
    assert s["investors_by_class_hk_retail"] > 0 and s["cash_yield_pct_hk_retail"] is None  # onboarded, never held
    assert s["etf_investors"] == 0 and s["etf_daily_vol_pct"] is None and s["etf_max_drawdown_pct"] is None
    assert s["disposal_mean_impact_bps"] is None and s["disposal_days_to_finish"] is None
    assert s["gas_used_chain"] is None and s["gas_used_revm_session"] > 0
    (row,) = csv.DictReader((out / "csv" / "summary.csv").open(newline=""))
    for name, value in s.items():
        if name != "wall_seconds":
            assert row[name] == ("" if value is None else str(value)), name
    for table in TABLES:
        text = (out / "csv" / f"{table}.csv").read_text()
        assert ",None," not in text and ",None\n" not in text
    refusal = next(e for e in result.events if e["kind"] == "refused")
    other = next(e for e in result.events if e["kind"] == "onboarded")
    assert refusal["reason"] and other["reason"] is None and other["amount_minor"] is None


def test_parquet_and_csv_of_a_run_read_as_the_same_typed_frames(small):
    out, result = small
    for table, schema in TABLES.items():
        from_csv = columns.read(out / "csv" / f"{table}.csv")
        from_parquet = pd.read_parquet(out / "parquet" / f"{table}.parquet", dtype_backend="numpy_nullable")
        if table == "summary":  # the wall time is the one value two runs differ in
            from_csv, from_parquet = from_csv.drop(columns="wall_seconds"), from_parquet.drop(columns="wall_seconds")
        pd.testing.assert_frame_equal(from_csv, from_parquet)
        by_hand = pd.read_csv(out / "csv" / f"{table}.csv", dtype=columns.pandas_dtypes(schema),  # the README's recipe
                              keep_default_na=False, na_values=[""])
        pd.testing.assert_frame_equal(by_hand.drop(columns="wall_seconds") if table == "summary" else by_hand,
                                      from_parquet)
        assert dict(from_csv.dtypes.astype(str)) == {c: str(pd.api.types.pandas_dtype(d)) for c, d in
                                                      columns.pandas_dtypes(schema).items() if c in from_csv}
        assert pq.read_schema(out / "parquet" / f"{table}.parquet").equals(columns.arrow_schema(schema))
    pd.testing.assert_frame_equal(columns.read(out / "csv" / "events.csv"),
                                  columns.frame(result.events, columns.EVENTS))
    names = sorted(p.name for p in (out / "parquet").iterdir())
    assert names == ["events.parquet", "manifest.json", "summary.parquet", "timeseries.parquet"]  # nothing partial
    assert '"format": "parquet"' in (out / "parquet" / "manifest.json").read_text()


def test_parquet_is_byte_identical_across_backends(tmp_path):
    scenario = load_scenario(SMALL, ["horizon_days=120"])
    run_scenario(scenario, out_dir=tmp_path / "revm", fmt="parquet")
    run_scenario(scenario, out_dir=tmp_path / "pyevm", fmt="parquet", backend="pyevm")
    for table in ("events", "timeseries"):
        assert (tmp_path / "revm" / f"{table}.parquet").read_bytes() == \
            (tmp_path / "pyevm" / f"{table}.parquet").read_bytes()


def test_a_run_in_another_format_clears_the_older_runs_files(tmp_path):
    out = tmp_path / "o"
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", "--set", "horizon_days=40"]) == 0
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", "--set", "horizon_days=40",
                 "--format", "parquet"]) == 0
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".parquet", ".parquet", ".parquet"]


def test_a_failed_parquet_run_leaves_no_complete_looking_file(tmp_path, monkeypatch):
    import simulator.model.world as world

    def broken(self):
        self.event("issuer", "about_to_fail")  # an event already streamed to the temporary Parquet file
        raise RuntimeError("interrupted")

    monkeypatch.setattr(world.World, "run", broken)
    with pytest.raises(RuntimeError, match="interrupted"):
        main(["run", str(SMALL), "--out", str(tmp_path / "o"), "--quiet", "--format", "parquet"])
    assert not list((tmp_path / "o").iterdir())  # neither a table nor a temporary file nor a manifest


def test_parquet_without_pyarrow_is_one_clear_error_before_the_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as if not installed
    assert main(["run", str(SMALL), "--out", str(tmp_path / "o"), "--quiet", "--format", "parquet"]) == 1
    assert "pip install 'gba-rwa-sim[parquet]'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask022", "umask077"])
def test_output_files_have_the_mode_the_umask_gives(tmp_path, umask):
    """Every output file was created 0600 (tempfile.mkstemp) whatever the umask."""
    out = tmp_path / "run"
    script = (f"umask {umask:03o} && {sys.executable} -m simulator run {SMALL} --out {out} --quiet "
              f"--set horizon_days=30 && {sys.executable} -m simulator run {SMALL} --out {out}-pq --quiet "
              f"--set horizon_days=30 --format parquet && {sys.executable} -m simulator sweep {SMALL} "
              f"--grid horizon_days=30 --out {tmp_path / 'sweep'} --quiet")
    proc = subprocess.run(["sh", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    files = [p for d in (out, Path(f"{out}-pq"), tmp_path / "sweep") for p in d.rglob("*") if p.is_file()]
    assert len(files) >= 4 + 4 + 4
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {p.name: oct(0o666 & ~umask) for p in files}


def test_timeseries_rows_are_the_state_at_the_start_of_their_day(small):
    _, result = small
    trades = [e["day"] for e in result.events if e["kind"] == "trade_settled"]
    paid = [(e["day"], e["amount_minor"]) for e in result.events if e["kind"] == "distribution"]
    assert trades and paid
    for row in result.timeseries:
        assert row["trades_cum"] == sum(1 for d in trades if d < row["day"])
        assert row["distributions_hkd_cents_cum"] == sum(a for d, a in paid if d < row["day"])


def test_the_readme_names_every_column():
    readme = (ROOT / "README.md").read_text()
    missing = []
    for schema in TABLES.values():
        for name in schema:
            generic = re.sub(rf"^refused_({'|'.join(REASONS)})$", "refused_<reason>", name)
            generic = re.sub(rf"_({'|'.join(CLASS_NAMES)})$", "_<class>", generic)
            generic = re.sub(rf"^market_({'|'.join(CATALOGUE)})_", "market_<product>_", generic)
            generic = re.sub(rf"^market_share_({'|'.join(PRODUCT_CLASSES)})_pct$", "market_share_<product_class>_pct",
                             generic)
            if f"`{generic}`" not in readme:
                missing.append(generic)
    assert not missing, missing
