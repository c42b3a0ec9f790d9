"""`rwa-sim analyze` (simulator/analysis.py) checked on functions whose answers are known, through the same path
a sweep takes: a design's points written as a sweep directory (sweep.json with the design, sweep.csv with the
outcome), then the command. Ishigami's Sobol' indices, a linear function's Morris effects, a box PRIM must find,
and the noise between seeds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.cli import main
from simulator.designs import Design, Factor

PI = float(np.pi)


def write_sweep(directory: Path, design: Design, outcomes: dict[str, np.ndarray], seeds: int = 1) -> Path:
    """A sweep directory as `rwa-sim sweep --design` leaves it: sweep.json (the design) and sweep.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    points = design.points()
    (directory / "sweep.json").write_text(json.dumps({"design": design.to_json(),
                                                      "points": [json.dumps(p) for p in points]}))
    rows = []
    for seed in range(seeds):
        for index, row in enumerate(points):
            rows.append({"point": index, **dict(row), "status": "ok", "error": "", "seed": seed,
                         **{name: values[seed * len(points) + index] for name, values in outcomes.items()}})
    pd.DataFrame(rows).to_csv(directory / "sweep.csv", index=False)
    return directory


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _x(design: Design, seeds: int = 1) -> np.ndarray:
    return np.tile(np.array([[v for _, v in row] for row in design.points()], dtype=float), (seeds, 1))


def test_sobol_indices_of_the_ishigami_function_are_its_known_ones(tmp_path):
    # a = 7, b = 0.1 (Ishigami & Homma 1990): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    design = Design("sobol", tuple(Factor(f"x{i}", -PI, PI) for i in (1, 2, 3)), 1024, seed=11)
    out = write_sweep(tmp_path / "ishigami", design, {"y": ishigami(_x(design))})
    assert main(["analyze", "sobol", str(out), "--outcome", "y"]) == 0
    table = pd.read_csv(out / "analysis" / "sobol-y.csv").set_index("factor")
    for factor, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert table.loc[factor, "S1"] == pytest.approx(s1, abs=0.05)
        assert table.loc[factor, "ST"] == pytest.approx(st, abs=0.05)
        assert 0 < table.loc[factor, "ST_conf"] < 0.1
    assert (out / "analysis" / "sobol-y.png").read_bytes()[:4] == b"\x89PNG"
    meta = json.loads((out / "analysis" / "sobol-y.json").read_text())
    assert meta["outcome"] == "y" and meta["design"]["samples"] == 1024


def test_seeds_are_replications_and_their_noise_is_reported(tmp_path):
    design = Design("sobol", tuple(Factor(f"x{i}", -PI, PI) for i in (1, 2, 3)), 512, seed=5)
    x = _x(design, seeds=4)
    rng = np.random.default_rng(0)
    clean = ishigami(x)
    noisy = clean + rng.normal(0, 1.0, len(clean))  # noise variance 1 against Ishigami's ~13.8
    out = write_sweep(tmp_path / "noisy", design, {"y": noisy}, seeds=4)
    assert main(["analyze", "sobol", str(out), "--outcome", "y"]) == 0
    meta = json.loads((out / "analysis" / "sobol-y.json").read_text())
    assert meta["seeds_per_point"] == 4
    assert meta["noise_share"] == pytest.approx(1.0 / np.var(noisy, ddof=1), rel=0.15)
    table = pd.read_csv(out / "analysis" / "sobol-y.csv").set_index("factor")
    assert table.loc["x2", "S1"] == pytest.approx(0.4424, abs=0.07)  # the mean over seeds averages noise out


def test_morris_ranks_the_factors_of_a_known_function(tmp_path):
    # y = 10 x1 + 2 x2 + 0 x3 + 5 x1 x2 on [0, 1]^3: x1 matters most and interacts, x3 not at all
    design = Design("morris", tuple(Factor(f"x{i}", 0, 1) for i in (1, 2, 3)), 50, seed=3)
    x = _x(design)
    out = write_sweep(tmp_path / "morris", design, {"y": 10 * x[:, 0] + 2 * x[:, 1] + 5 * x[:, 0] * x[:, 1]})
    assert main(["analyze", "morris", str(out), "--outcome", "y"]) == 0
    table = pd.read_csv(out / "analysis" / "morris-y.csv").set_index("factor")
    assert table.loc["x1", "mu_star"] > table.loc["x2", "mu_star"] > table.loc["x3", "mu_star"] == 0
    assert table.loc["x1", "mu_star"] == pytest.approx(12.5, rel=0.1)  # 10 + 5 x E[x2]
    assert table.loc["x1", "sigma"] > 0 and table.loc["x3", "sigma"] == 0


def test_prim_finds_a_known_box(tmp_path):
    # the cases: x1 > 0.6 and x2 < 0.3 (x3 irrelevant), with 3 % of labels flipped
    design = Design("lhs", tuple(Factor(f"x{i}", 0, 1) for i in (1, 2, 3)), 2000, seed=2)
    x = _x(design)
    hit = (x[:, 0] > 0.6) & (x[:, 1] < 0.3)
    flip = np.random.default_rng(1).random(len(hit)) < 0.03
    out = write_sweep(tmp_path / "prim", design, {"hit": hit ^ flip})
    # the box reported is the widest (most coverage) whose density reaches --density: at 0.9, the true one
    assert main(["analyze", "discover", str(out), "--where", "hit", "--name", "box", "--density", "0.9"]) == 0
    box = pd.read_csv(out / "analysis" / "discover-box.csv").set_index("factor")
    assert box.loc["x1", "low"] == pytest.approx(0.6, abs=0.04)
    assert box.loc["x2", "high"] == pytest.approx(0.3, abs=0.04)
    assert list(box["restricted"]) == [True, True, False] and list(box["significant"]) == [True, True, False]
    assert box.loc["x1", "qp_low"] < 1e-6 and box.loc["x2", "qp_high"] < 1e-6
    meta = json.loads((out / "analysis" / "discover-box.json").read_text())
    # 3 % flipped labels put ~50 false cases outside the box: its coverage can be at most ~0.85
    assert meta["density"] >= 0.9 and meta["coverage"] >= 0.75
    # asking for less density gives a wider box that still holds most of the cases
    assert main(["analyze", "discover", str(out), "--where", "hit", "--name", "wide", "--density", "0.6"]) == 0
    wide = json.loads((out / "analysis" / "discover-wide.json").read_text())
    assert wide["coverage"] >= meta["coverage"] and 0.6 <= wide["density"] <= meta["density"]
    assert (out / "analysis" / "discover-box.png").is_file()


@pytest.mark.parametrize(("method", "args", "words"), [
    ("sobol", ["--outcome", "nope"], "not a column"),
    ("sobol", ["--outcome", "na"], "not applicable in 1 run"),
    ("sobol", ["--outcome", "flat"], "no variance"),
    ("sobol", ["--outcome", "word"], "not numeric"),
    ("morris", ["--outcome", "y"], "needs a sweep made with --design morris"),
    ("discover", ["--where", "y +"], "--where"),
    ("discover", ["--where", "y * 2"], "not a condition"),
    ("discover", ["--where", "y > 1e9"], "holds in 0 of"),
    ("sobol", ["--where", "y > 0"], "--outcome"),
    ("discover", ["--where", "y > 0", "--density", "2"], "--density")])

def test_an_analysis_that_cannot_be_made_is_refused_by_name(tmp_path, capsys, method, args, words):
    design = Design("sobol", (Factor("x1", 0, 1), Factor("x2", 0, 1)), 8, seed=1)
    x = _x(design)
    na = np.where(np.arange(len(x)) == 3, np.nan, x[:, 0])
    out = write_sweep(tmp_path / "s", design, {"y": x[:, 0] + x[:, 1], "na": na, "flat": np.ones(len(x)),
                                               "word": np.array(["a"] * len(x))})
    assert main(["analyze", method, str(out), *args]) == 2
    assert words in capsys.readouterr().err
    assert not (out / "analysis").exists() or not any((out / "analysis").iterdir())


def test_a_design_with_points_missing_is_refused_until_the_sweep_is_complete(tmp_path, capsys):
    design = Design("sobol", (Factor("x1", 0, 1), Factor("x2", 0, 1)), 8, seed=1)
    out = write_sweep(tmp_path / "s", design, {"y": _x(design).sum(axis=1)})
    frame = pd.read_csv(out / "sweep.csv")
    frame.loc[frame["point"] == 5, "status"] = "failed"
    frame.to_csv(out / "sweep.csv", index=False)
    assert main(["analyze", "sobol", str(out), "--outcome", "y"]) == 1
    assert "--resume" in capsys.readouterr().err


def test_no_box_reaching_the_density_is_said_not_reported_as_the_whole_space(tmp_path, capsys):
    # a condition that holds at random in 5 % of the runs: no box of the inputs can be 80 % dense
    design = Design("lhs", (Factor("x1", 0, 1), Factor("x2", 0, 1)), 400, seed=4)
    hit = np.random.default_rng(2).random(400) < 0.05
    out = write_sweep(tmp_path / "r", design, {"hit": hit})
    assert main(["analyze", "discover", str(out), "--where", "hit"]) == 1
    assert "no box of the inputs reaches density 0.8" in capsys.readouterr().err
    assert not (out / "analysis").exists() or not any((out / "analysis").iterdir())


def test_without_the_analysis_extra_the_command_says_what_to_install(tmp_path, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_salib(name, *args, **kwargs):
        if name == "SALib" or name.startswith("SALib."):
            raise ImportError("No module named 'SALib'", name="SALib")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_salib)
    assert main(["analyze", "sobol", str(tmp_path), "--outcome", "y"]) == 1
    assert "pip install 'gba-rwa-sim[analysis]'" in capsys.readouterr().err


def test_discover_on_a_grid_of_words_is_refused_by_name(tmp_path, capsys):
    out = tmp_path / "grid"
    out.mkdir()
    points = [[["offering.allocation", a], ["horizon_days", h]] for a in ("pro-rata", "first-come") for h in (30, 60)]
    (out / "sweep.json").write_text(json.dumps({"design": None, "points": [json.dumps(p) for p in points]}))
    rows = [{"point": i, "offering.allocation": p[0][1], "horizon_days": p[1][1], "status": "ok", "error": "",
             "seed": 0, "y": i} for i, p in enumerate(points)]
    pd.DataFrame(rows).to_csv(out / "sweep.csv", index=False)
    assert main(["analyze", "discover", str(out), "--where", "y > 1"]) == 2
    assert "offering.allocation are not" in capsys.readouterr().err
