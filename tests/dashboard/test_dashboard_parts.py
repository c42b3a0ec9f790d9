"""The dashboard's parts that do not draw: the form built from the schema, values put and parsed, problems
placed by field, runs in worker processes, results found on disk, the server's refusals."""

from __future__ import annotations

import datetime as dt
import json
import socket
import tomllib

import pytest

from simulator.dashboard import form, results
from simulator.dashboard.jobs import RunJob, fresh_dir
from simulator.scenario import json_schema
from tests.dashboard.conftest import SMALL


def _leaves(section: form.Section) -> list[form.FieldSpec]:
    return [*section.fields, *(f for sub in section.sections for f in _leaves(sub))]


def _schema_leaf_paths(node: dict, defs: dict, path: tuple = ()) -> set[str]:
    """Every scalar path of the schema's fixed tables (lists and maps have no items to walk without data)."""
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    if "properties" in node:
        return {p for name, child in node["properties"].items() for p in _schema_leaf_paths(child, defs, (*path, name))}
    if node.get("type") == "object" or (node.get("type") == "array" and "$ref" in node.get("items", {})):
        return set()
    return {".".join(path)}


def test_the_form_has_a_field_for_every_value_of_the_schema():
    schema = json.loads(json_schema())
    expected = _schema_leaf_paths(schema, schema["$defs"])
    built = {spec.dotted for spec in _leaves(form.build({}))}
    assert expected == built
    assert len(built) > 100


def test_list_items_and_investor_classes_get_sections_of_their_own():
    data = tomllib.loads(SMALL.read_text())
    root = form.build(data)
    dotted = {spec.dotted: spec for spec in _leaves(root)}
    assert dotted["platforms.1.name"].kind == "string"
    assert dotted["investors.esg_fund.count"].kind == "integer"
    assert dotted["policy.cwm.product_eligible"].kind == "boolean"
    assert dotted["offering.allocation"].choices == ("pro-rata", "first-come")
    assert dotted["start_date"].kind == "date"
    assert dotted["asset.benchmark_price_fen_per_mwh"].nullable
    assert "Bounds: >= 0" in dotted["policy.cwm.individual_quota_cny"].description
    investors = next(s for s in root.sections if s.path == ("investors",))
    assert [s.title for s in investors.sections] == ["mainland_gba", "hk_retail", "hk_professional", "esg_fund"]
    assert investors.addable == ()  # every class is there already


def test_put_get_add_and_remove_leave_the_original_alone():
    data = tomllib.loads(SMALL.read_text())
    changed = form.put(data, ("policy", "cwm", "individual_quota_cny"), 2_000_000)
    assert form.get(changed, ("policy", "cwm", "individual_quota_cny")) == 2_000_000
    assert form.get(data, ("policy", "cwm", "individual_quota_cny")) is None
    assert form.get(form.put(changed, ("policy", "cwm", "individual_quota_cny"), None),
                    ("policy", "cwm", "individual_quota_cny")) is None
    added = form.add_item(data, ("platforms",))
    assert len(added["platforms"]) == 3 and added["platforms"][2] == {}
    assert form.problems(added)["platforms.2.name"] == "required field missing"
    assert len(form.remove_item(added, ("platforms", 2))["platforms"]) == 2
    without = form.remove_item(data, ("investors", "hk_retail"))
    assert "hk_retail" not in without["investors"]
    assert form.add_item(without, ("investors",), "hk_retail")["investors"]["hk_retail"] == {}
    assert form.put(data, ("platforms", 0, "weight"), 3.5)["platforms"][0]["weight"] == 3.5


@pytest.mark.parametrize(("kind", "text", "value"), [
    ("integer", "3,000,000", 3_000_000), ("integer", "1_000", 1_000), ("number", "0.25", 0.25),
    ("date", "2027-03-01", dt.date(2027, 3, 1)), ("list", '["alpha", "beta"]', ["alpha", "beta"]),
    ("integer", "", None), ("string", "", ""),
])
def test_typed_text_becomes_a_toml_value(kind, text, value):
    assert form.parse(form.FieldSpec(("x",), kind), text) == value


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("integer", "3.5", "whole number"), ("number", "lots", "a number"), ("date", "March", "YYYY-MM-DD"),
    ("list", "alpha", "a list"), ("list", "5", "in brackets")])
def test_text_that_is_not_the_fields_kind_says_what_was_expected(kind, text, expected):
    with pytest.raises(ValueError, match=expected):
        form.parse(form.FieldSpec(("x",), kind), text)


def test_a_field_shows_its_value_or_its_default():
    spec = form.FieldSpec(("asset", "monthly_share"), "list", default=None, nullable=True)
    assert form.show(spec, None) == ""
    assert form.show(spec, [0.5, 0.5]) == "[0.5, 0.5]"
    assert form.parse(spec, form.show(spec, ["alpha", "beta"])) == ["alpha", "beta"]
    assert form.show(form.FieldSpec(("d",), "date"), dt.date(2026, 1, 2)) == "2026-01-02"
    assert form.show(form.FieldSpec(("n",), "integer", default=60), None) == "60"


def test_problems_are_placed_by_the_field_they_name():
    data = tomllib.loads(SMALL.read_text())
    assert form.problems(data) == {}
    bad = form.put(form.put(data, ("horizon_days",), 0), ("policy", "cwm", "nope"), 1)
    found = form.problems(bad)
    assert set(found) == {"horizon_days", "policy.cwm.nope"}
    assert "greater than or equal to 1" in found["horizon_days"] and found["policy.cwm.nope"] == "unknown key"


def test_a_run_job_writes_the_cli_files_then_a_cancel_leaves_nothing(tmp_path):
    text = SMALL.read_text().replace("horizon_days = 300", "horizon_days = 60")
    job = RunJob.start("small", text, 60, 3, tmp_path)
    assert job.wait(120) == "done", job.error()
    assert job.progress() == 1.0
    assert {p.name for p in job.out_dir.iterdir()} == {*results.RUN_FILES, "scenario.toml"}
    assert [f.path for f in results.runs(tmp_path)] == [job.out_dir]
    long = RunJob.start("small", SMALL.read_text().replace("horizon_days = 300", "horizon_days = 14600"), 14600, 3,
                        tmp_path)
    assert long.status == "running"
    long.cancel()
    assert long.status == "cancelled" and not long.out_dir.exists()
    assert [f.path for f in results.runs(tmp_path)] == [job.out_dir]


def test_a_failed_run_keeps_only_its_scenario_and_the_error(tmp_path):
    job = RunJob.start("bad", "horizon_days = 0\n[scenario]\nname = 'bad'\n", 1, 0, tmp_path)
    assert job.wait(120) == "failed"
    assert "horizon_days" in job.error()
    assert {p.name for p in job.out_dir.iterdir()} == {"scenario.toml", "error.txt"}
    assert results.runs(tmp_path) == []


def test_a_seed_is_held_to_what_the_cli_accepts():
    from simulator.dashboard.jobs import parse_seed
    from simulator.limits import MAX_SEED

    assert parse_seed(" 7 ") == 7 and parse_seed(str(MAX_SEED)) == MAX_SEED
    for bad, why in (("-1", "from 0 to"), (str(MAX_SEED + 1), "from 0 to"), ("seven", "whole number")):
        with pytest.raises(ValueError, match=why):
            parse_seed(bad)


def test_an_upload_that_is_not_a_scenario_is_refused_by_name():
    from simulator.dashboard import state

    state.load_upload("big.toml", state.MAX_UPLOAD_BYTES + 1, b"")
    assert "big.toml: 1,000,001 bytes is not a scenario file" in state.load_error.value
    state.load_upload("photo.toml", 3, b"\xff\xfe\x00")
    assert state.load_error.value == "photo.toml: not UTF-8 text, so not a scenario file"
    state.load_upload("small.toml", 10, SMALL.read_bytes())
    assert state.load_error.value == "" and state.source.value == "small.toml"
    assert state.data.value["scenario"]["name"] == "small"


def test_fresh_dirs_never_collide(tmp_path):
    assert [fresh_dir(tmp_path, "x").name for _ in range(3)] == ["x-1", "x-2", "x-3"]


def test_sweeps_and_calibrations_are_found_by_their_files(tmp_path):
    sweep = tmp_path / "a" / "sweep1"
    (sweep / "analysis").mkdir(parents=True)
    (sweep / "sweep.json").write_text("{}")
    (sweep / "sweep.csv").write_text("point\n0\n")
    (sweep / "analysis" / "sobol-x.csv").write_text("f\n")
    (sweep / "analysis" / "sobol-x.png").write_bytes(b"png")
    cal = tmp_path / "b" / "c" / "fit"
    cal.mkdir(parents=True)
    (cal / "calibration.json").write_text("{}")
    (cal / "history.csv").write_text("trial\n")
    half = tmp_path / "half"
    half.mkdir()
    (half / "sweep.json").write_text("{}")  # a sweep that never wrote its table is not offered
    found = results.batch_results(tmp_path)
    assert [(f.kind, f.path) for f in found] == [("sweep", sweep), ("calibration", cal)]
    assert results.analyses(sweep) == [(sweep / "analysis" / "sobol-x.csv", sweep / "analysis" / "sobol-x.png")]


def test_the_command_refuses_a_port_in_use_and_a_missing_folder(tmp_path, capsys):
    from simulator.cli import main

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert main(["dashboard", "--port", str(port), "--workspace", str(tmp_path / "ws")]) == 1
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err
    assert main(["dashboard", "--scenarios", str(tmp_path / "none")]) == 2
    assert "not a folder" in capsys.readouterr().err
