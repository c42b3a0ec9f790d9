"""1,000+ generated malformed scenario files and argument sets: each one exit 2, a clear message, no traceback."""

from __future__ import annotations

import copy
import io
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import tomli_w

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
BASE = tomllib.loads(SMALL.read_text())

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
]
UNKNOWN_KEYS = ["colour", "offering.fee", "policy.cwm.quota", "market.tick", "asset.panels", "scenario.author",
                "issuer.ceo", "va_etf.ticker", "disposal.speed", "fx.usd_eur", "va_market.coin"]
BAD_TOML = ["horizon_days = = 1", "[scenario\nname='x'", "x = 'unterminated", "horizon_days = 1\nhorizon_days = 2",
            "\x00", "[[platforms]]\nname = 'a'\n[platforms]\n"]


def set_path(data: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {}) if isinstance(node.get(p, {}), dict) else node
    node[leaf] = value


def cases(n: int = 1_050):
    rng = np.random.default_rng(2026)
    for i in range(n):
        kind = i % 5
        if kind in (0, 1):  # one or more refused values
            data = copy.deepcopy(BASE)
            for j in rng.choice(len(BAD_VALUES), size=1 + kind + int(rng.integers(0, 2)), replace=False):
                set_path(data, *BAD_VALUES[int(j)])
            yield "file", tomli_w.dumps(data), []
        elif kind == 2:  # an unknown key somewhere, plus maybe a refused value
            data = copy.deepcopy(BASE)
            set_path(data, UNKNOWN_KEYS[int(rng.integers(len(UNKNOWN_KEYS)))], int(rng.integers(0, 9)))
            if rng.random() < 0.5:
                set_path(data, *BAD_VALUES[int(rng.integers(len(BAD_VALUES)))])
            yield "file", tomli_w.dumps(data), []
        elif kind == 3:  # broken TOML
            yield "file", BAD_TOML[i % len(BAD_TOML)] + "\n" + SMALL.read_text()[: int(rng.integers(0, 200))], []
        else:  # bad argument sets on a valid file
            bad_args = [["--set", "horizon_days=-1"], ["--set", "nope.x=1"], ["--set", "=3"], ["--set", "a.b"],
                        ["--seed", "-2"], ["--seed", "x"], ["--backend", "geth"], ["--rpc-url", "http://x"],
                        ["--frobnicate"], ["--set", "policy.cwm.individual_quota_cny=-5"], ["--set", "platforms=3"]]
            yield "args", SMALL.read_text(), bad_args[i % len(bad_args)]


def test_every_malformed_input_gets_exit_2_and_a_clear_message(tmp_path):
    count = 0
    for kind, text, extra in cases():
        path = tmp_path / "s.toml"
        path.write_text(text)
        command = ["run", str(path), "--out", str(tmp_path / "o"), "--quiet", *extra] if kind == "args" \
            else ["validate", str(path)]
        err, out = io.StringIO(), io.StringIO()
        with redirect_stderr(err), redirect_stdout(out):
            try:
                code = main(command)
            except SystemExit as exc:  # argparse --help/--version only
                code = exc.code
        message = err.getvalue()
        assert code == 2, (command, text[:300], message)
        assert message.strip() and "Traceback" not in message, (command, message)
        count += 1
    assert count >= 1_000
    assert not (tmp_path / "o").exists()  # no run got far enough to write anything
