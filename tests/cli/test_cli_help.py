"""The command line a newcomer reads first: help on every argument, examples, choices, one error prefix."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from simulator.cli import _build_parser, main
from simulator.evm.backends import BACKENDS


def _parsers(parser: argparse.ArgumentParser, name: str = "rwa-sim"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


BASELINE = str(Path(__file__).resolve().parents[2] / "scenarios" / "solar_gba_baseline.toml")
PARSERS = dict(_parsers(_build_parser()))


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_argument_has_help(name):
    parser = PARSERS[name]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help, f"{name}: subcommand {choice.dest} has no help"
            continue
        assert action.help and action.help != argparse.SUPPRESS, f"{name}: {action.dest} has no help"


def test_backend_arguments_offer_their_choices():
    backends = {name: next(a for a in p._actions if a.dest == "backend")
                for name, p in PARSERS.items() if any(a.dest == "backend" for a in p._actions)}
    assert set(backends) == {"rwa-sim run", "rwa-sim sweep", "rwa-sim calibrate", "rwa-sim contracts gas"}
    assert tuple(backends["rwa-sim calibrate"].choices) == ("revm", "pyevm")
    assert tuple(backends["rwa-sim run"].choices) == BACKENDS
    assert tuple(backends["rwa-sim sweep"].choices) == ("revm", "pyevm")  # in-process EVMs only
    assert tuple(backends["rwa-sim contracts gas"].choices) == ("pyevm", "web3")  # chain gas only


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["sweep", "--help"], ["calibrate", "--help"]])
def test_help_shows_usage_examples(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    out = capsys.readouterr().out
    examples = out[out.index("examples:"):]
    assert examples.count("rwa-sim ") >= 3


@pytest.mark.parametrize(("argv", "line"), [
    (["frob"], "rwa-sim: error: argument command: invalid choice: 'frob'"),
    (["run", "x.toml", "--backend", "geth"], "rwa-sim run: error: argument --backend: invalid choice: 'geth'"),
    (["sweep", "x.toml"], "rwa-sim sweep: error: the following arguments are required: --out"),
    (["contracts", "gas", "--backend", "revm"], "rwa-sim contracts gas: error: argument --backend: invalid choice"),
    (["run", "no-such.toml", "--seed", "-1"], f"rwa-sim: error: --seed must be an integer from 0 to {2**63 - 1}"),
    (["run", "no-such.toml", "--seed", str(2**63)], "rwa-sim: error: --seed must be an integer from 0 to"),
    (["sweep", BASELINE, "--out", "/nonexistent/x", "--seeds", "1000001"],
     "rwa-sim: error: the grids times --seeds make 1,000,001 runs, more than the 100,000"),
    (["sweep", BASELINE, "--out", "/nonexistent/x", "--grid", "horizon_days=" +
      ",".join(str(d) for d in range(30, 530)), "--grid", "market.settlement_t_plus=" + ",".join(map(str, range(11))),
      "--seeds", "20"], "rwa-sim: error: the grids times --seeds make 110,000 runs"),
])
def test_errors_carry_one_prefix(argv, line, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    message = err[-1]
    assert message.startswith(line)
    assert message.count("error:") == 1 and message.count("rwa-sim") == 1
