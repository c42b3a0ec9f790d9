"""1,050 distinct generated malformed scenario files, paths and argument sets: each one exit 2, a clear message
naming the problem in one line per problem (never the whole scenario), no traceback."""

from __future__ import annotations

import copy
import io
import tomllib
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import tomli_w

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
SMALL_TEXT = SMALL.read_text()
BASE = tomllib.loads(SMALL_TEXT)
DISTINCT_CASES = 1_050  # the figure the README states
LONGEST_LINE = 300  # a problem line quotes at most a 60-character value, never a table

# (dotted path, a value that must be refused)
BAD_VALUES = [
    ("horizon_days", -1), ("horizon_days", 0), ("horizon_days", "many"), ("horizon_days", 1.5), ("horizon_days", [1]),
    ("scenario.seed", -3), ("scenario.name", ""), ("scenario.name", "has space"), ("scenario.name", 7),
    ("offering.hard_cap_hkd", 0), ("offering.price_hkd_cents", -5), ("offering.allocation", "lottery"),
    ("offering.duration_days", "x"), ("offering.close_batch_size", 1000), ("offering.soft_cap_hkd", 10**15),
    ("policy.cwm.individual_quota_cny", -1), ("policy.cwm.aggregate_quota_cny", -100), ("policy.cwm", 3),
    ("policy.retail_authorised", "perhaps"), ("market.settlement_t_plus", 11), ("market.settlement_t_plus", -1),
    ("asset.capacity_mwp", 0), ("asset.tariff_model", "spot"), ("asset.revenue_share_bps", 10_001),
    ("issuer.approval_bound_days", -1), ("issuer.repatriation_cap_bps", 20_000), ("start_date", "yesterday"),
    ("platforms", []), ("platforms", "alpha"), ("investors.martians", {"count": 1}), ("investors.hk_retail.count", -1),
    ("shocks", [{"day": 1, "kind": "meteor"}]), ("shocks", [{"day": -1, "kind": "ban_rumour"}]),
    ("shocks", [{"day": 5, "kind": "licence_suspension", "platform": "nowhere"}]),
    ("disposal.quantity_coins", -1), ("va_etf.interest_share", 2.0), ("market.counterparty_fail_rate_per_day", -0.1),
    ("fx.usd_hkd_mean", 7.9), ("va_market.p_stressed_to_calm", -0.1), ("asset.monthly_share", [0.5, 0.5]),
    ("policy.safe_fx_quota_usd", -1), ("policy.cwm.min_experience_years", "two"),
    # what the model cannot run: memory (investors), overflow (huge or non-finite floats, money), dates
    ("investors.hk_retail.count", 10**12), ("investors.mainland_gba.count", 250_001),
    ("investors", {"hk_retail": {"count": 200_000}, "mainland_gba": {"count": 100_000}}),
    ("asset.weather_sigma", 1e308), ("asset.weather_sigma", float("inf")), ("fx.usd_cny_daily_vol", float("nan")),
    ("offering.hard_cap_hkd", 10**14), ("offering.price_hkd_cents", 10**12), ("va_market.calm_daily_drift", 0.5),
    ("va_market.stressed_depth_factor", 1e-300), ("asset.outage_mean_days", 1e17), ("start_date", "2026-01-01"),
    ("investors.esg_fund.wealth_sigma", 50.0), ("platforms", [{"name": "alpha", "weight": 1e308}]),
    # strict types: no string -> number or boolean, no float -> int
    ("offering.hard_cap_hkd", "217000000"), ("policy.retail_authorised", "no"), ("policy.retail_authorised", 1),
    ("horizon_days", 365.0), ("asset.capacity_mwp", "82"), ("policy.cwm.product_eligible", "true"),
    # dated after the horizon (small.toml: 300 days), names, fields a choice makes irrelevant
    ("shocks", [{"day": 300, "kind": "ban_rumour", "sentiment": 0.5}]),
    ("disposal", {"quantity_coins": 5, "start_day": 5_000}),
    ("platforms", [{"name": ""}]), ("platforms", [{"name": " alpha"}]), ("platforms", [{"name": "a;b"}]),
    ("cwm_channels", [{"name": "", "kind": "bank"}]), ("platforms", [{"name": "alpha"}, {"name": "alpha"}]),
    ("shocks", [{"day": 5, "kind": "ban_rumour", "platform": "alpha", "sentiment": 0.5}]),
    ("shocks", [{"day": 5, "kind": "retail_authorisation", "individual_quota_cny": 5}]),
    ("shocks", [{"day": 5, "kind": "cwm_quota_change"}]), ("shocks", [{"day": 5, "kind": "platform_outage"}]),
    ("investors.hk_retail.gba_hukou_share", 0.5),
    # a table given as a scalar, a scalar as a table
    ("offering", 5), ("asset", "big"), ("horizon_days", {"days": 3}),
]
UNKNOWN_KEYS = ["colour", "offering.fee", "policy.cwm.quota", "market.tick", "asset.panels", "scenario.author",
                "issuer.ceo", "va_etf.ticker", "disposal.speed", "fx.usd_eur", "va_market.coin"]
BAD_TOML = ["horizon_days = = 1", "[scenario\nname='x'", "x = 'unterminated", "horizon_days = 1\nhorizon_days = 2",
            "\x00", "[[platforms]]\nname = 'a'\n[platforms]\n"]
NOT_UTF8 = [b"\xff\xfe", b"\x80", b"name = '\xe9'\n", b"\xc3\x28"]
BAD_ARGS = [["--set", "horizon_days=-1"], ["--set", "nope.x=1"], ["--set", "=3"], ["--set", "a.b"],
            ["--seed", "-2"], ["--seed", "x"], ["--backend", "geth"], ["--rpc-url", "http://x"],
            ["--frobnicate"], ["--set", "policy.cwm.individual_quota_cny=-5"], ["--set", "platforms=3"],
            ["--set", 'offering.hard_cap_hkd="217000000"'], ["--set", "policy.retail_authorised=no"],
            ["--set", "horizon_days=lots"], ["--set", "investors.hk_retail.count=1000000000000"],
            ["--set", "asset.weather_sigma=1e308"], ["--set", 'shocks=[{day=1000, kind="ban_rumour", sentiment=0.5}]'],
            ["--set", "start_date=\"2026-01-01\""], ["--set", "platforms.0.name=\" a\""]]


def set_path(data: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {}) if isinstance(node.get(p, {}), dict) else node
    node[leaf] = value


def _case(i: int, rng: np.random.Generator) -> tuple[str, str | bytes, tuple[str, ...]]:
    kind = i % 6
    if kind in (0, 1):  # one or more refused values
        data = copy.deepcopy(BASE)
        for j in rng.choice(len(BAD_VALUES), size=1 + kind + int(rng.integers(0, 2)), replace=False):
            set_path(data, *BAD_VALUES[int(j)])
        return "file", tomli_w.dumps(data), ()
    if kind == 2:  # an unknown key somewhere, plus maybe a refused value
        data = copy.deepcopy(BASE)
        set_path(data, UNKNOWN_KEYS[int(rng.integers(len(UNKNOWN_KEYS)))], int(rng.integers(0, 9)))
        if rng.random() < 0.5:
            set_path(data, *BAD_VALUES[int(rng.integers(len(BAD_VALUES)))])
        return "file", tomli_w.dumps(data), ()
    if kind == 3:  # broken TOML, or bytes that are not UTF-8
        tail = SMALL_TEXT[: int(rng.integers(0, 400))]
        if rng.random() < 0.25:
            return "file", tail.encode() + NOT_UTF8[int(rng.integers(len(NOT_UTF8)))], ()
        return "file", BAD_TOML[int(rng.integers(len(BAD_TOML)))] + "\n" + tail, ()
    if kind == 4:  # bad argument sets on a valid file, after a valid override
        valid = ["--set", f"horizon_days={int(rng.integers(30, 1_000))}"]
        return "args", SMALL_TEXT, (*valid, *BAD_ARGS[int(rng.integers(len(BAD_ARGS)))])
    # --set overrides that must be refused, on a file with a refused value or an unknown key of its own
    data = copy.deepcopy(BASE)
    set_path(data, *BAD_VALUES[int(rng.integers(len(BAD_VALUES)))])
    return "validate-args", tomli_w.dumps(data), tuple(BAD_ARGS[int(rng.integers(len(BAD_ARGS)))])


def cases(n: int = DISTINCT_CASES) -> list[tuple[str, str | bytes, tuple[str, ...]]]:
    """`n` distinct cases (a repeat of an earlier one is drawn again)."""
    rng = np.random.default_rng(2026)
    found: dict[tuple, None] = {}
    i = 0
    while len(found) < n:
        found.setdefault(_case(i, rng))
        i += 1
        if i > 20 * n:
            raise AssertionError(f"only {len(found)} distinct cases in {i} draws")
    return list(found)


def test_the_cases_are_distinct_and_cover_every_kind():
    generated = cases()
    assert len(generated) == len(set(generated)) == DISTINCT_CASES
    kinds = Counter(kind for kind, _, _ in generated)
    assert set(kinds) == {"file", "args", "validate-args"} and min(kinds.values()) >= 100, kinds


def test_every_malformed_input_gets_exit_2_and_a_clear_message(tmp_path):
    for kind, text, extra in cases():
        path = tmp_path / "s.toml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        if kind == "args":
            command = ["run", str(path), "--out", str(tmp_path / "o"), "--quiet", *extra]
        else:
            command = ["validate", str(path), *(extra if kind == "validate-args" else ())]
        err, out = io.StringIO(), io.StringIO()
        with redirect_stderr(err), redirect_stdout(out):
            try:
                code = main(command)
            except SystemExit as exc:  # argparse --help/--version only
                code = exc.code
        message = err.getvalue()
        assert code == 2, (command, text[:300], message)
        assert message.strip() and "Traceback" not in message, (command, message)
        if kind == "file":
            for line in message.splitlines():
                assert line.startswith(f"{path}: ") and len(line) <= LONGEST_LINE, line
    assert not (tmp_path / "o").exists()  # no run got far enough to write anything


def test_a_directory_is_not_a_scenario(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}: is a directory, not a scenario file\n"
