"""`rwa-sim contracts build|check|gas|deploy`: the Solidity artifacts, their gas and a deployment to a node."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.errors import InputError


def add_contracts_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """The `contracts` subcommand and its actions, on the CLI's subparsers (`parser_class`: the CLI's, which
    refuses cleanly)."""
    contracts = sub.add_parser("contracts", help="build and check the Solidity artifacts")
    csub = contracts.add_subparsers(dest="action", required=True, parser_class=parser_class)
    csub.add_parser("build", help="compile contracts/src with the pinned solc-js and write the artifacts")
    csub.add_parser("check", help="exit 1 naming every stale or missing artifact")
    gas = csub.add_parser("gas", help="gas per contract function on a scripted exercise of the suite, as CSV")
    gas.add_argument("--out", type=Path, default=None, help="CSV file (default: print to stdout)")
    gas.add_argument("--backend", default="pyevm", choices=("pyevm", "web3"),
                     help="pyevm (default) or web3: both charge what a chain charges (revm's session gas does not)")
    deploy = csub.add_parser("deploy", help="deploy the configured suite to a JSON-RPC node and write its addresses")
    deploy.add_argument("--rpc-url", required=True, help="JSON-RPC node, e.g. http://127.0.0.1:8545 (anvil)")
    deploy.add_argument("--out", type=Path, required=True, help="JSON file: addresses, roles, accounts")
    deploy.add_argument("--seed", type=int, default=0, help="seed of the deterministic role-holder accounts")
    deploy.add_argument("--with-keys", action="store_true", help="also write the role holders' private keys")


def cmd_contracts(args: argparse.Namespace) -> int:
    from simulator.chain.toolchain import Toolchain

    if args.action in ("gas", "deploy"):
        return _cmd_contracts_gas(args) if args.action == "gas" else _cmd_contracts_deploy(args)
    toolchain = Toolchain()
    if args.action == "build":
        written = toolchain.build()
        print(f"built {len(written)} artifact(s) with solc-js {toolchain.pinned_solc_version()}:")
        for path in written:
            print(f"  {path.name}")
        return 0
    problems = toolchain.check()
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print("run `rwa-sim contracts build` and commit the artifacts", file=sys.stderr)
        return 1
    print("artifacts up to date")
    return 0


def _cmd_contracts_gas(args: argparse.Namespace) -> int:
    from simulator.chain import Chain
    from simulator.chain.gas_report import gas_table, to_csv
    from simulator.outputs import atomic_write as _atomic_write

    text = to_csv(gas_table(Chain(args.backend)))
    if args.out is None:
        print(text, end="")
    else:
        _atomic_write(args.out, text)
        print(f"wrote {args.out}")
    return 0


def _cmd_contracts_deploy(args: argparse.Namespace) -> int:
    import json

    from simulator.chain import Chain
    from simulator.chain.deployment import describe_deployment
    from simulator.chain.suite import deploy_suite
    from simulator.outputs import atomic_write as _atomic_write

    if args.seed < 0:
        raise InputError("--seed must be a non-negative integer")
    chain = Chain("web3", rpc_url=args.rpc_url, seed=args.seed)
    suite = deploy_suite(chain)
    description = describe_deployment(suite, with_keys=args.with_keys)
    _atomic_write(args.out, json.dumps(description, indent=2, sort_keys=True) + "\n")
    print(f"deployed {len(description['contracts'])} contracts to {args.rpc_url}; wrote {args.out}")
    return 0
