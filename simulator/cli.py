"""`rwa-sim`: the command line. Every user-facing failure is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from simulator import __version__
from simulator.cli_contracts import add_contracts_parser, cmd_contracts
from simulator.designs import METHODS, Design, parse_vary
from simulator.errors import InputError, UserError
from simulator.limits import MAX_SEED

EXAMPLES = """\
examples:
  rwa-sim list                                          the scenarios and what each asks
  rwa-sim run scenarios/solar_gba_baseline.toml         run one; files go to out/solar_gba_baseline/
  rwa-sim run scenarios/solar_gba_baseline.toml --set policy.cwm.product_eligible=true --out out/cwm
  rwa-sim validate my.toml                              exit 0, or 2 with one line per problem
  rwa-sim sweep scenarios/settlement_t5_vs_dvp.toml --grid market.settlement_t_plus=0,1,5 --seeds 3 --out out/tplus
  rwa-sim schema > scenario.schema.json                 the scenario format, every field described
"""
RUN_EXAMPLES = """\
examples:
  rwa-sim run scenarios/solar_gba_baseline.toml
  rwa-sim run scenarios/solar_gba_baseline.toml --seed 7 --out out/seed7 --quiet
  rwa-sim run scenarios/cwm_inclusion.toml --set policy.cwm.individual_quota_cny=1000000
  rwa-sim run scenarios/solar_gba_baseline.toml --backend web3 --rpc-url http://127.0.0.1:8545
"""
SWEEP_EXAMPLES = """\
examples:
  rwa-sim sweep scenarios/settlement_t5_vs_dvp.toml --grid market.settlement_t_plus=0,1,5 --seeds 3 --out out/tplus
  rwa-sim sweep scenarios/cwm_inclusion.toml --grid policy.cwm.individual_quota_cny=1000000,3000000 \\
      --grid platforms.0.kyc_capacity_per_day=100,200 --seeds 2 --workers 2 --out out/quota
  rwa-sim sweep scenarios/cwm_inclusion.toml ... --out out/quota --resume    continue an interrupted sweep
  rwa-sim sweep scenarios/solar_gba_baseline.toml --design sobol --samples 64 --seeds 2 --workers 2 \
      --vary offering.soft_cap_hkd=50000000:200000000:int --vary market.discount_rate_bps=400:1000:int \
      --vary investors.hk_professional.wealth_sigma=0.5:1.5 --out out/sobol
"""
ANALYZE_EXAMPLES = """\
examples:
  rwa-sim analyze sobol out/sobol --outcome capital_raised_hkd --outcome irr_pct_all
  rwa-sim analyze morris out/morris --outcome capital_raised_hkd
  rwa-sim analyze discover out/sobol --where "offering_outcome == 'failed'"
"""
CALIBRATE_EXAMPLES = """\
examples:
  rwa-sim calibrate scenarios/cwm_launch.toml --targets scenarios/targets/cwm_connect.toml --out out/cwm-fit \\
      --fit investors.mainland_gba.count=1500:4000:int --fit investors.mainland_gba.wealth_median_hkd=1e6:8e6:log \\
      --trials 40 --seeds 2 --workers 2
  rwa-sim calibrate ... --out out/cwm-fit --resume                   continue an interrupted calibration
  rwa-sim calibrate out/cwm-fit/fitted.toml --targets scenarios/targets/cwm_connect.toml --seeds 4 --out out/check
                                                   no --fit: the scenario as it is against every target
"""


class ArgumentsError(InputError):
    """A command line argparse refused; `prog` is the (sub)command it was given to."""

    def __init__(self, prog: str, message: str) -> None:
        self.prog = prog
        super().__init__(message)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 with usage; keep the code, shorten the noise
        self.print_usage(sys.stderr)
        raise ArgumentsError(self.prog, message)


def _build_parser() -> argparse.ArgumentParser:
    from simulator.evm.backends import BACKENDS, DEFAULT_BACKEND

    parser = _Parser(prog="rwa-sim", description="Simulate real-world-asset tokenisation across the mainland "
                     "China / Hong Kong border: Solidity contracts on an in-memory EVM driven by a SimPy world.",
                     epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"rwa-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario: summary.csv, timeseries.csv, events.csv, manifest.json",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=RUN_EXAMPLES)
    run.add_argument("scenario", type=Path, help="scenario file (TOML), e.g. scenarios/solar_gba_baseline.toml")
    run.add_argument("--out", type=Path, default=None, help="output directory (default: out/<scenario name>)")
    run.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    run.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS,
                     help=f"EVM backend (default {DEFAULT_BACKEND}); outputs are byte-identical on each")
    run.add_argument("--rpc-url", default=None, help="JSON-RPC node for the web3 backend (e.g. anvil)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a scenario field, e.g. policy.cwm.individual_quota_cny=1000000")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv",
                     help="tables as CSV (default) or Parquet (needs pyarrow)")

    validate = sub.add_parser("validate", help="check a scenario file: exit 0, or 2 with one line per problem")
    validate.add_argument("scenario", type=Path, help="scenario file (TOML)")
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                          help="override a field before validating, as for run")

    sub.add_parser("schema", help="print the JSON Schema of scenario files")
    sub.add_parser("list", help="list the scenarios in scenarios/ with their descriptions")
    analyze = sub.add_parser("analyze", help="Sobol' or Morris sensitivity, or PRIM scenario discovery, of a sweep",
                             formatter_class=argparse.RawDescriptionHelpFormatter, epilog=ANALYZE_EXAMPLES)
    analyze.add_argument("method", choices=("sobol", "morris", "discover"),
                         help="sobol or morris: sensitivity indices; discover: the boxes where --where holds")
    analyze.add_argument("sweep_dir", type=Path, help="a sweep's --out directory (sweep.json, sweep.csv)")
    analyze.add_argument("--outcome", action="append", default=[], metavar="COLUMN",
                         help="sobol, morris: a numeric column of sweep.csv (repeat for several)")
    analyze.add_argument("--where", default=None, metavar="EXPR",
                         help="discover: a condition on sweep.csv's columns, e.g. \"offering_outcome == 'failed'\"")
    analyze.add_argument("--density", type=float, default=0.8,
                         help="discover: the least share of a box's runs that must meet the condition (default 0.8)")
    analyze.add_argument("--name", default=None, help="discover: the name of the files (default: from --where)")
    analyze.add_argument("--resamples", type=int, default=1000, help="sobol, morris: bootstrap resamples")

    gallery = sub.add_parser("gallery", help="run each scenario small and save its headline plot as PNG")
    gallery.add_argument("--out", type=Path, default=Path("docs/gallery"),
                         help="directory of the PNGs (default %(default)s)")

    sweep = sub.add_parser("sweep", help="grids x seeds; one summary row per (point, seed) in DIR/sweep.csv",
                           formatter_class=argparse.RawDescriptionHelpFormatter, epilog=SWEEP_EXAMPLES)
    sweep.add_argument("scenario", type=Path, help="scenario file (TOML) every point starts from")
    sweep.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                       help="a field and its values (TOML literals); repeat for a cartesian product")
    sweep.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="change a field of the scenario for every point (TOML literal), as for run")
    sweep.add_argument("--design", choices=METHODS, default=None,
                       help="a sampled design over --vary ranges instead of --grid: lhs, sobol (Saltelli) or morris")
    sweep.add_argument("--vary", action="append", default=[], metavar="KEY=LO:HI[:log|:int]",
                       help="a design factor's range (repeat per factor); :log samples in log, :int whole numbers")
    sweep.add_argument("--samples", type=int, default=None,
                       help="lhs: points; sobol: N, a power of 2 (N x (D+2) points); morris: trajectories (N x (D+1))")
    sweep.add_argument("--design-seed", type=int, default=None, help="the design's seed (default: the scenario's)")
    sweep.add_argument("--levels", type=int, default=4, help="morris: grid levels (default 4)")
    sweep.add_argument("--second-order", action="store_true", help="sobol: also second-order indices (N x (2D+2))")
    sweep.add_argument("--seeds", type=int, default=1, help="seeds per point: the scenario's seed, +1, +2, ...")
    sweep.add_argument("--out", type=Path, required=True, help="sweep directory: sweep.csv, sweep.json, runs/")
    sweep.add_argument("--workers", type=int, default=1, help="local process pool size (one EVM per worker)")
    sweep.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    sweep.add_argument("--resume", action="store_true", help="skip finished (point, seed) runs in --out")
    sweep.add_argument("--backend", default=DEFAULT_BACKEND, choices=("revm", "pyevm"),
                       help="in-process EVM of every run (default %(default)s)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv",
                       help="sweep and timeseries tables as CSV (default) or Parquet (needs pyarrow)")

    cal = sub.add_parser("calibrate", help="fit parameters to published figures (Optuna TPE); holdouts compared",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=CALIBRATE_EXAMPLES)
    cal.add_argument("scenario", type=Path, help="scenario file (TOML) every trial starts from")
    cal.add_argument("--targets", type=Path, required=True, help="targets file (TOML): the published figures")
    cal.add_argument("--fit", action="append", default=[], metavar="KEY=LO:HI[:log|:int]",
                     help="a free parameter and its range (repeat; none: evaluate the scenario as it is)")
    cal.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="a fixed change to the scenario before fitting")
    cal.add_argument("--trials", type=int, default=40, help="trials (parameter proposals), default 40")
    cal.add_argument("--seeds", type=int, default=2, help="seeds per trial: the scenario's seed, +1, ... (default 2)")
    cal.add_argument("--batch", type=int, default=None, help="trials proposed and run at once (default: --workers)")
    cal.add_argument("--sampler-seed", type=int, default=0, help="the sampler's seed (default 0)")
    cal.add_argument("--out", type=Path, required=True,
                     help="directory: fitted.toml, targets.csv, history.csv, model_vs_data.png, runs/")
    cal.add_argument("--workers", type=int, default=1, help="local process pool size (one EVM per worker)")
    cal.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    cal.add_argument("--resume", action="store_true", help="continue the calibration in --out, reusing its runs")
    cal.add_argument("--backend", default=DEFAULT_BACKEND, choices=("revm", "pyevm"),
                     help=f"EVM backend (default {DEFAULT_BACKEND})")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")

    add_contracts_parser(sub, _Parser)

    dash = sub.add_parser("dashboard", help="serve the browser dashboard: edit, run and compare scenarios; browse "
                          "sweeps, analyses and calibrations")
    dash.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    dash.add_argument("--host", default="127.0.0.1",
                      help="interface to listen on (default 127.0.0.1: this machine only)")
    dash.add_argument("--workspace", type=Path, default=Path("out/dashboard"),
                      help="directory the page's runs are written to, one folder each (default out/dashboard)")
    dash.add_argument("--scenarios", type=Path, default=None,
                      help="folder of scenario files the page offers (default the project's scenarios/)")
    return parser


def _progress(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


def _cmd_run(args: argparse.Namespace) -> int:
    from simulator.evm.backends import BACKENDS
    from simulator.runner import run_scenario
    from simulator.scenario import load_scenario

    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise InputError(f"--seed must be an integer from 0 to {MAX_SEED}")
    if args.rpc_url is not None and args.backend != "web3":
        raise InputError(f"--rpc-url needs the web3 backend, not {args.backend!r}")
    if args.backend not in BACKENDS:
        raise InputError(f"unknown backend {args.backend!r}: choose one of {', '.join(BACKENDS)}")
    scenario = load_scenario(args.scenario, args.overrides)
    out = args.out or Path("out") / scenario.scenario.name
    result = run_scenario(scenario, args.seed, args.backend, rpc_url=args.rpc_url, out_dir=out,
                          progress=_progress(args), fmt=args.fmt)
    width = max(len(k) for k in result.summary)
    for key, value in result.summary.items():
        print(f"{key:<{width}}  {'' if value is None else value}")
    print(f"wrote {out}/summary.{args.fmt}, timeseries.{args.fmt}, events.{args.fmt}, manifest.json")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from simulator.scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    print(f"{args.scenario}: valid ({scenario.scenario.name}, {scenario.horizon_days} days)")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from simulator.scenario import json_schema

    print(json_schema())
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from simulator.scenario import list_scenarios

    rows = list_scenarios()
    if not rows:
        print("no scenarios found")
        return 0
    width = max(len(name) for name, _, _ in rows)
    for name, description, path in rows:
        print(f"{name:<{width}}  {description}  ({path.name})")
    return 0


def _cmd_gallery(args: argparse.Namespace) -> int:
    try:
        from simulator.report import gallery
    except ImportError as exc:
        raise UserError(f"the gallery needs matplotlib and pandas ({exc.name} missing): "
                        "pip install 'gba-rwa-sim[notebooks]'") from None
    from simulator.scenario import scenario_dir

    for path in gallery(scenario_dir(), args.out):
        print(f"wrote {path}")
    return 0


def _design(args: argparse.Namespace) -> Design | None:
    """The sampled design the sweep's options ask for (None: a grid sweep)."""
    if args.design is None:
        if args.vary or args.samples is not None or args.design_seed is not None or args.second_order:
            raise InputError("--vary, --samples, --design-seed and --second-order need --design lhs|sobol|morris")
        return None
    if args.samples is None:
        raise InputError(f"--design {args.design} needs --samples")
    if args.design_seed is not None and not 0 <= args.design_seed <= MAX_SEED:
        raise InputError(f"--design-seed must be between 0 and {MAX_SEED}")
    from simulator.scenario import apply_overrides, parse_override, read_toml, validate

    data = apply_overrides(read_toml(args.scenario), [parse_override(o) for o in args.overrides])
    seed = args.design_seed if args.design_seed is not None else validate(data, str(args.scenario)).scenario.seed
    return Design(args.design, tuple(parse_vary(v) for v in args.vary), args.samples, seed, levels=args.levels,
                  second_order=args.second_order)


def _cmd_analyze(args: argparse.Namespace) -> int:
    try:  # the analysis extra, checked before anything runs
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
        import SALib  # noqa: F401

        if args.method == "discover":
            import warnings

            with warnings.catch_warnings():  # the workbench warns about parallel back-ends it does not need here
                warnings.simplefilter("ignore")
                import ema_workbench  # noqa: F401

        from simulator import analysis
    except ImportError as exc:
        raise UserError(f"rwa-sim analyze needs the analysis extra ({exc.name} missing): "
                        "pip install 'gba-rwa-sim[analysis]'") from None
    if args.method == "discover":
        if not args.where or args.outcome:
            raise InputError("analyze discover takes --where EXPR (and no --outcome)")
        if not 0 < args.density <= 1:
            raise InputError("--density must be in (0, 1]")
        written = analysis.discover(args.sweep_dir, args.where, args.density, args.name)
    else:
        if not args.outcome or args.where:
            raise InputError(f"analyze {args.method} takes --outcome COLUMN (and no --where)")
        if not 10 <= args.resamples <= 100_000:
            raise InputError("--resamples must be between 10 and 100,000")
        method = analysis.sobol if args.method == "sobol" else analysis.morris
        written = method(args.sweep_dir, args.outcome, args.resamples)
    for path in written:
        print(f"wrote {path}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from simulator.batch import Sweep

    sweep = Sweep(args.scenario, args.grid, args.seeds, args.out, workers=args.workers, scheduler=args.scheduler,
                  resume=args.resume, backend=args.backend, progress=_progress(args), fmt=args.fmt,
                  design=_design(args), overrides=args.overrides)
    target = sweep.run()
    print(f"wrote {target} and timeseries.{args.fmt}: {sweep.rows_written} run(s), {sweep.failed} failed")
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from simulator.calibration import Calibration

    calibration = Calibration(args.scenario, args.targets, args.fit, args.out, trials=args.trials, seeds=args.seeds,
                              batch=args.batch, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                              backend=args.backend, sampler_seed=args.sampler_seed, overrides=args.overrides,
                              progress=_progress(args))
    print(calibration.run().report())
    return 0


def _cmd_dashboard(args: argparse.Namespace) -> int:
    try:
        from simulator.dashboard.server import serve
    except ImportError as exc:
        raise UserError(f"the dashboard needs its extra: pip install 'gba-rwa-sim[dashboard]' ({exc})") from None
    return serve(args.host, args.port, args.workspace, args.scenarios)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _build_parser().parse_args(argv)
        commands = {"run": _cmd_run, "validate": _cmd_validate, "schema": _cmd_schema, "list": _cmd_list,
                    "sweep": _cmd_sweep, "calibrate": _cmd_calibrate, "analyze": _cmd_analyze, "gallery": _cmd_gallery,
                    "contracts": cmd_contracts, "dashboard": _cmd_dashboard}
        return commands[args.command](args)
    except UserError as exc:
        problems = getattr(exc, "problems", None)  # a scenario's problems: one line each, naming the field
        prog = exc.prog if isinstance(exc, ArgumentsError) else "rwa-sim"
        for line in problems or [f"{prog}: error: {exc}"]:  # the one place the prefix is added
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rwa-sim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
