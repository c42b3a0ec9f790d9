"""Sampled designs (simulator/designs.py) and design sweeps: the libraries' samplers mapped to each factor's
range, reproducible from the seed, validated before anything runs, resumable and the same on a Dask cluster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.cli import main
from simulator.columns import read
from simulator.designs import Design, Factor, parse_vary
from simulator.errors import InputError

TINY = """
horizon_days = 60
[scenario]
name = "tiny"
seed = 3
[issuer]
approval_min_days = 2
approval_bound_days = 4
[offering]
hard_cap_hkd = 20000000
soft_cap_hkd = 10000000
min_ticket_hkd = 100000
duration_days = 20
[[platforms]]
name = "hk-vatp-1"
[investors.hk_professional]
count = 6
arrival_days = 10
wealth_median_hkd = 30000000
[investors.esg_fund]
count = 0
"""
FACTORS = ["offering.soft_cap_hkd=5000000:20000000", "investors.hk_professional.wealth_median_hkd=5000000:50000000:log",
           "investors.hk_professional.wealth_sigma=0.2:1.5"]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def test_factors_map_the_unit_interval_onto_their_ranges():
    linear, log, whole = parse_vary("a.b=2:4"), parse_vary("a.c=1:100:log"), parse_vary("a.d=1:3:int")
    assert (linear.value(0.0), linear.value(0.5), linear.value(1.0)) == (2.0, 3.0, 4.0)
    assert log.value(0.5) == pytest.approx(10.0)
    assert [whole.value(u) for u in (0.0, 0.33, 0.34, 0.67, 0.999999)] == [1, 1, 2, 3, 3]
    # an integer field is rounded, whatever the scale
    assert parse_vary("investors.hk_professional.count=1:100:log").value(0.5) == 10
    assert parse_vary("market.discount_rate_bps=400:1000").value(0.5) == 700
    assert isinstance(parse_vary("market.fear_discount=0:1").value(0.25), float)


@pytest.mark.parametrize(("spec", "words"), [
    ("a=1", "expected"), ("=1:2", "expected"), ("a=2:1", "below"), ("a=0:1:log", "positive"),
    ("a=1:2:cube", "scale"), ("a=x:2", "finite numbers"), ("a=1.5:2:int", "whole"),
    ("market.discount_rate_bps=400.5:900", "whole numbers"), ("a=nan:1", "finite")])
def test_a_bad_factor_is_refused_by_name(spec, words):
    with pytest.raises(InputError, match=words):
        parse_vary(spec)


def test_designs_have_their_sizes_and_are_reproducible_from_their_seed():
    factors = tuple(parse_vary(f) for f in FACTORS)
    sobol = Design("sobol", factors, 16, seed=7)
    assert len(sobol.points()) == sobol.size() == 16 * 5
    assert Design("sobol", factors, 16, seed=7, second_order=True).size() == 16 * 8
    morris = Design("morris", factors, 5, seed=7)
    assert len(morris.points()) == 5 * 4
    lhs = Design("lhs", factors, 30, seed=7)
    unit = lhs.unit()
    # a Latin hypercube: one point in each of the 30 strata of every factor
    assert all(sorted(np.floor(unit[:, j] * 30).astype(int)) == list(range(30)) for j in range(3))
    for d in (sobol, morris, lhs):
        again = Design.from_json(d.to_json())
        assert again == d and again.points() == d.points()
    assert Design("lhs", factors, 30, seed=8).points() != lhs.points()
    for row in sobol.points():
        for (key, value), factor in zip(row, factors, strict=True):
            assert key == factor.key and factor.low <= value <= factor.high


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"method": "sobol", "samples": 12}, "power of 2"), ({"method": "grid", "samples": 4}, "lhs, sobol, morris"),
    ({"method": "lhs", "samples": 0}, "at least 1"), ({"method": "morris", "samples": 4, "levels": 1}, "levels"),
    ({"method": "lhs", "samples": 4, "factors": ()}, "at least one")])
def test_a_design_the_samplers_cannot_draw_is_refused(kwargs, words):
    factors = kwargs.pop("factors", (Factor("a", 0, 1), Factor("b", 0, 1)))
    with pytest.raises(InputError, match=words):
        Design(kwargs.pop("method"), factors, kwargs.pop("samples"), seed=1, **kwargs)


def _sweep(tiny: Path, out: Path, *extra: str) -> int:
    args = ["sweep", str(tiny), "--design", "sobol", "--samples", "4", "--seeds", "2", "--out", str(out), "--quiet"]
    return main([*args, *[a for f in FACTORS for a in ("--vary", f)], *extra])


def test_a_design_sweep_runs_every_point_in_order_and_resumes(tiny, tmp_path):
    out = tmp_path / "sob"
    assert _sweep(tiny, out) == 0
    sweep = read(out / "sweep.csv")
    design = Design("sobol", tuple(parse_vary(f) for f in FACTORS), 4, seed=3)
    assert len(sweep) == design.size() * 2 and set(sweep["status"]) == {"ok"}
    for point, row in enumerate(design.points()):  # point numbers are the design's rows, in order
        got = sweep[sweep["point"] == point].iloc[0]
        for key, value in row:
            assert got[key] == value
    first = (out / "sweep.csv").read_bytes()
    # an interrupted sweep: two runs lost, completed by --resume to the same bytes
    for lost in sorted((out / "runs").glob("*.json"))[:2]:
        lost.unlink()
    assert _sweep(tiny, out, "--resume") == 0
    assert (out / "sweep.csv").read_bytes() == first
    # another design is another sweep: refused by name, nothing rewritten
    assert _sweep(tiny, out, "--resume", "--design-seed", "4") == 2
    assert (out / "sweep.csv").read_bytes() == first


@pytest.mark.parametrize(("args", "words"), [
    (["--vary", "offering.soft_cap_hkd=1:2"], "need --design"),
    (["--design", "sobol", "--vary", "offering.soft_cap_hkd=1:2"], "needs --samples"),
    (["--design", "sobol", "--samples", "3", "--vary", "offering.soft_cap_hkd=1:2"], "power of 2"),
    (["--design", "lhs", "--samples", "3", "--vary", "offering.soft_cap_hkd=1:2", "--grid", "horizon_days=30,40"],
     "cannot be combined"),
    (["--design", "lhs", "--samples", "3", "--vary", "offering.no_such_field=1:2"], "no_such_field"),
    (["--design", "lhs", "--samples", "3", "--vary", "offering.soft_cap_hkd=-5:2"], "soft_cap_hkd"),
    (["--design", "lhs", "--samples", "60000", "--seeds", "2", "--vary", "offering.soft_cap_hkd=1:2"], "100,000")])
def test_a_bad_design_sweep_is_refused_before_anything_runs(tiny, tmp_path, capsys, args, words):
    out = tmp_path / "bad"
    assert main(["sweep", str(tiny), "--out", str(out), "--quiet", *args]) == 2
    assert words in capsys.readouterr().err
    assert not (out / "sweep.csv").exists()


def test_a_sobol_design_of_512_points_gives_the_same_sweep_on_the_process_pool_and_on_dask(tiny, tmp_path):
    import distributed

    factors = ["offering.soft_cap_hkd=5000000:20000000", "investors.hk_professional.wealth_sigma=0.2:1.5"]
    vary = [a for f in factors for a in ("--vary", f)]
    base = ["sweep", str(tiny), "--design", "sobol", "--samples", "128", "--quiet", *vary]  # 128 x (2 + 2) = 512
    assert main([*base, "--workers", "2", "--out", str(tmp_path / "pool")]) == 0
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        assert main([*base, "--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "dask")]) == 0
    finally:
        cluster.close()
    pool, dask = (tmp_path / "pool" / "sweep.csv").read_bytes(), (tmp_path / "dask" / "sweep.csv").read_bytes()
    assert pool == dask
    assert len(read(tmp_path / "pool" / "sweep.csv")) == 512


def test_set_changes_the_scenario_of_every_point_and_is_part_of_the_sweep(tiny, tmp_path):
    out = tmp_path / "set"
    assert _sweep(tiny, out, "--set", "horizon_days=40") == 0
    sweep = read(out / "sweep.csv")
    assert set(sweep["horizon_days"]) == {40}
    first = (out / "sweep.csv").read_bytes()
    assert _sweep(tiny, out, "--resume", "--set", "horizon_days=50") == 2  # another scenario: refused
    assert (out / "sweep.csv").read_bytes() == first
    assert _sweep(tiny, out, "--resume", "--set", "horizon_days=40") == 0
    assert (out / "sweep.csv").read_bytes() == first


def test_a_design_whose_points_fail_validation_alike_names_the_first_few_and_counts_the_rest(tiny, tmp_path, capsys):
    # soft caps above the hard cap (HK$20 m) in most points of the design
    args = ["sweep", str(tiny), "--design", "lhs", "--samples", "50", "--vary", "offering.soft_cap_hkd=1:90000000",
            "--out", str(tmp_path / "x"), "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("must not exceed hard_cap_hkd") == 10 and "more problem(s) in the same sweep" in err
