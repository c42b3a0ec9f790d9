"""The scenario library: all eight listed, each runs as written on the default backend and reconciles to 0."""

from __future__ import annotations

import pytest

from simulator.cli import main
from simulator.runner import run_scenario
from simulator.scenario import list_scenarios, load_scenario

LIBRARY = ["solar_gba_baseline", "cwm_inclusion", "retail_authorisation", "settlement_t5_vs_dvp",
           "regulatory_divergence_shock", "ftz_opening", "seized_asset_disposal", "va_etf_cwm", "legal_recognition",
           "cwm_market", "cwm_tokens_admitted", "cwm_quota_binds"]


def test_list_shows_the_whole_library_with_descriptions(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in LIBRARY:
        assert name in out
    assert all(desc and desc != "(no description)" for _, desc, _ in list_scenarios())


@pytest.mark.parametrize("name", LIBRARY)
def test_scenario_runs_as_written_and_reconciles(name):
    path = list_scenarios()[0][2].parent / f"{name}.toml"
    text = path.read_text()
    assert text.startswith("# Question:") and "FACTS" in text  # the header says what it answers and rests on
    result = run_scenario(load_scenario(path))
    assert result.summary["reconciliation_diff_minor"] == 0
    assert result.summary["offering_outcome"] == "closed"


def test_gallery_command_writes_one_png_per_scenario(tmp_path):
    assert main(["gallery", "--out", str(tmp_path)]) == 0
    pngs = sorted(p.stem for p in tmp_path.glob("*.png"))
    assert pngs == sorted(LIBRARY)
    assert all((tmp_path / f"{n}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for n in LIBRARY)
