"""Malformed scenarios: exit 2, one line per problem naming the dotted field path, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small.toml"
BASE = tomllib.loads(SMALL.read_text())


def write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(data if isinstance(data, str) else tomli_w.dumps(data))
    return path


def mutate(**changes) -> dict:
    import copy

    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = data
        *parents, leaf = dotted.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return data


CASES = [
    ("wrong type", mutate(horizon_days="long"), "horizon_days: Input should be a valid integer"),
    ("unknown key", mutate(offering__fee_hkd=3), "offering.fee_hkd: unknown key"),
    ("unknown top-level key", mutate(colour="red"), "colour: unknown key"),
    ("negative quota", mutate(policy__cwm__individual_quota_cny=-1), "policy.cwm.individual_quota_cny: Input should be "
                                                                      "greater than or equal to 0"),
    ("bad enum", mutate(offering__allocation="lottery"), "offering.allocation: Input should be pro-rata or"),
    ("missing name", mutate(scenario={"seed": 1}), "scenario.name: required field missing"),
    ("nested list item", mutate(platforms=[{"name": "a", "fee_bps": -5}]), "platforms.0.fee_bps: Input should be"),
    ("cross-field", mutate(offering__soft_cap_hkd=10**12), "offering.soft_cap_hkd: soft_cap_hkd 1000000000000 must not "
                                                           "exceed hard_cap_hkd 40000000"),
]


@pytest.mark.parametrize("label, data, fragment", CASES, ids=[c[0] for c in CASES])
def test_malformed_scenarios_name_the_field(tmp_path, capsys, label, data, fragment):
    assert main(["validate", str(write(tmp_path, data))]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_missing_file_and_bad_toml(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none.toml")]) == 2
    assert "scenario file not found" in capsys.readouterr().err
    assert main(["validate", str(write(tmp_path, "horizon_days = = 3"))]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_every_problem_is_one_line(tmp_path, capsys):
    data = mutate(horizon_days=-5, offering__fee=1, policy__cwm__aggregate_quota_cny="x")
    assert main(["validate", str(write(tmp_path, data))]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 3
    assert {line.split(": ")[1] for line in lines} == {"horizon_days", "offering.fee", "policy.cwm.aggregate_quota_cny"}


def test_bad_set_overrides(capsys):
    assert main(["validate", str(SMALL), "--set", "policy.cwm.nope=1"]) == 2
    assert "policy.cwm.nope: unknown key" in capsys.readouterr().err
    assert main(["validate", str(SMALL), "--set", "horizon_days"]) == 2
    assert "expected dotted.key=value" in capsys.readouterr().err
    assert main(["validate", str(SMALL), "--set", "horizon_days.x=1"]) == 2
    assert "horizon_days is not a table" in capsys.readouterr().err
    # list items are addressed by index; a wrong index names the list and its range
    assert main(["validate", str(SMALL), "--set", "platforms.5.kyc_capacity_per_day=1"]) == 2
    assert "platforms has 2 item(s); '5' is not one of their indexes (0-1)" in capsys.readouterr().err
    assert main(["validate", str(SMALL), "--set", "platforms.0.kyc_capacity_per_day=-1"]) == 2
    assert "platforms.0.kyc_capacity_per_day" in capsys.readouterr().err


def test_set_reaches_an_item_of_a_list_of_tables():
    scenario = load_scenario(SMALL, ["platforms.0.kyc_capacity_per_day=7"])
    assert scenario.platforms[0].kyc_capacity_per_day == 7
    assert scenario.platforms[1].kyc_capacity_per_day != 7  # the other item is untouched


values = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False), st.text(max_size=8), st.booleans(),
                   st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))
paths = st.sampled_from(["horizon_days", "offering__hard_cap_hkd", "offering__allocation",
                         "policy__cwm__product_eligible",
                         "investors__hk_retail__count", "market__settlement_t_plus", "platforms", "scenario__seed",
                         "asset__tariff_model", "shocks", "start_date", "issuer__approval_bound_days", "extra_key"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(paths, values), min_size=1, max_size=3))
def test_mutated_scenarios_never_print_a_traceback(tmp_path, changes):
    path = write(tmp_path, mutate(**dict(changes)))
    proc = subprocess.run([sys.executable, "-m", "simulator", "validate", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode in (0, 2), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    if proc.returncode == 2:
        assert all(line.startswith(str(path)) for line in proc.stderr.splitlines() if line.strip()), proc.stderr


# ------------------------------------------------------------------ the file itself


def test_a_directory_is_not_a_scenario_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}: is a directory, not a scenario file\n"


def test_a_byte_order_mark_is_read_as_utf8(tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.read_bytes())  # what Windows Notepad saves
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err


def test_a_file_that_is_not_utf8_says_so_in_one_line(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes(SMALL.read_text().replace('"small test world"', '"caf\xe9"').encode("latin-1"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{path}: not UTF-8 text (byte 0xe9 at offset "), err


def test_a_toml_syntax_error_gives_its_line_and_column_in_one_line(tmp_path, capsys):
    path = write(tmp_path, "horizon_days = 30\n[scenario]\nname = = 'x'\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == f"{path}: not valid TOML: Invalid value (at line 3, column 8)\n"


# ------------------------------------------------------------------ --set values are TOML literals, strictly typed


@pytest.mark.parametrize("assignment, line", [
    ("policy.retail_authorised=no", "policy.retail_authorised: Input should be a valid boolean (a TOML boolean: "
                                    "true or false, unquoted) (got 'no')"),
    ("policy.retail_authorised=False", "policy.retail_authorised: Input should be a valid boolean (a TOML boolean: "
                                       "true or false, unquoted) (got 'False')"),  # Python's spelling
    ('offering.hard_cap_hkd="217000000"', "offering.hard_cap_hkd: Input should be a valid integer (got '217000000')"),
    ("horizon_days=lots", "horizon_days: Input should be a valid integer (got 'lots')"),
    ("horizon_days=2e2", "horizon_days: Input should be a valid integer (got 200.0)"),
    ('start_date="2026-03-01"', "start_date: Input should be a valid date (a TOML date, unquoted: 2026-01-01) "
                                "(got '2026-03-01')"),
    ("investors.hk_retail.count=1000000000000", "investors.hk_retail.count: Input should be less than or equal to "
                                                "250000 (got 1000000000000)"),
    ("asset.weather_sigma=1e308", "asset.weather_sigma: Input should be less than or equal to 2 (got 1e+308)"),
    ("asset.weather_sigma=inf", "asset.weather_sigma: Input should be a finite number"),
    ('shocks=[{day=300, kind="ban_rumour", sentiment=0.5}]', "shocks.0.day: day 300 is past the horizon"),
])
def test_set_values_are_strictly_typed(tmp_path, capsys, assignment, line):
    out = tmp_path / "out"
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", "--set", assignment]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"{SMALL}: {line}" in err, err
    assert not out.exists()  # refused before anything ran


def test_set_values_of_the_field_type_are_accepted():
    scenario = load_scenario(SMALL, ["start_date=2026-03-01", "asset.capacity_mwp=82", "policy.retail_authorised=true",
                                     "offering.hard_cap_hkd=217_000_000"])
    assert str(scenario.start_date) == "2026-03-01" and scenario.asset.capacity_mwp == 82.0
    assert scenario.policy.retail_authorised is True and scenario.offering.hard_cap_hkd == 217_000_000
