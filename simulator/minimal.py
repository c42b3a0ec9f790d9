"""The minimal scenario: deploy the HKD settlement token, fund investors, move tokens, reconcile.

A stand-in for the full world model (issue #4, [3/7]): it exercises the chain layer end to end the way the model
will: every token movement on-chain, an integer off-chain ledger beside it, randomness from a numpy
Generator seeded by the run seed, and outputs written atomically.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import tempfile
import time
import tomllib
from importlib import metadata
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator import __version__
from simulator.chain import Chain
from simulator.chain.artifacts import artifact_hashes
from simulator.errors import InputError, UserError

HKD_DECIMALS = 6  # token units per HKD = 10**6; one cent = 10**4 units
UNITS_PER_CENT = 10 ** (HKD_DECIMALS - 2)
DAY = 86_400


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioMeta(_Strict):
    name: str
    description: str = ""
    seed: int = Field(0, ge=0)


class TransferWorkload(_Strict):
    investors: int = Field(20, ge=2, le=100_000)
    initial_balance_hkd: int = Field(100_000, ge=1)
    transfers: int = Field(200, ge=0)
    horizon_days: int = Field(30, ge=1)


class MinimalScenario(_Strict):
    scenario: ScenarioMeta
    workload: TransferWorkload = TransferWorkload()


def load_scenario(path: Path) -> MinimalScenario:
    if not path.is_file():
        raise InputError(f"scenario file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    try:
        return MinimalScenario.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise InputError("\n".join(lines)) from None


def run_minimal(scenario: MinimalScenario, chain: Chain, out_dir: Path | None) -> dict:
    """Run the workload; return the summary row (and write outputs when `out_dir` is given)."""
    started = time.perf_counter()
    w = scenario.workload
    rng = np.random.default_rng(scenario.scenario.seed)
    issuer = chain.new_account("stablecoin-issuer")
    investors = [chain.new_account(f"investor-{i}") for i in range(w.investors)]
    hkd = chain.deploy("SettlementToken", "HKD Stablecoin", "HKDS", "HKD", HKD_DECIMALS, issuer, sender=issuer)

    ledger = {a: 0 for a in investors}  # off-chain record of what each investor should hold, in cents
    events: list[dict] = []
    initial_cents = w.initial_balance_hkd * 100
    for investor in investors:
        receipt = hkd.mint(investor, initial_cents * UNITS_PER_CENT, sender=issuer)
        ledger[investor] += initial_cents
        events.append(_event(chain, "issuer", "mint", investor, initial_cents, receipt))

    times = np.sort(rng.uniform(0, w.horizon_days * DAY, size=w.transfers))
    refused = 0
    for t in times:
        chain.advance_to(float(t))
        i, j = rng.choice(w.investors, size=2, replace=False)
        sender, receiver = investors[int(i)], investors[int(j)]
        # Occasionally try to overspend: the token must refuse it and nothing may move.
        overspend = rng.random() < 0.05
        cents = ledger[sender] + 1 if overspend else int(rng.integers(1, max(2, ledger[sender] // 4 + 1)))
        if cents > ledger[sender]:
            from simulator.chain import ContractRevert

            try:
                hkd.transfer(receiver, cents * UNITS_PER_CENT, sender=sender)
            except ContractRevert as exc:
                refused += 1
                events.append({"time_s": int(t), "actor": sender, "kind": "transfer_refused", "reason": exc.error,
                               "amount": cents, "currency": "HKD", "counterparty": receiver, "block": "",
                               "tx_hash": ""})
                continue
            raise UserError("an overspending transfer was not refused")  # would be a contract bug
        receipt = hkd.transfer(receiver, cents * UNITS_PER_CENT, sender=sender)
        ledger[sender] -= cents
        ledger[receiver] += cents
        events.append(_event(chain, sender, "transfer", receiver, cents, receipt, time_s=int(t)))

    chain.advance_to(w.horizon_days * DAY)
    onchain = {a: hkd.balanceOf(a) for a in investors}
    diff = sum(abs(onchain[a] - ledger[a] * UNITS_PER_CENT) for a in investors)
    supply_diff = abs(hkd.totalSupply() - sum(ledger.values()) * UNITS_PER_CENT)
    reconciliation = diff + supply_diff
    if reconciliation != 0:
        raise UserError(f"reconciliation failed: off-chain ledger and on-chain balances differ by {reconciliation}")
    summary = {
        "scenario": scenario.scenario.name,
        "seed": scenario.scenario.seed,
        "backend": chain.backend.name,
        "horizon_days": w.horizon_days,
        "investors": w.investors,
        "transfers_settled": w.transfers - refused,
        "transfers_refused": refused,
        "volume_hkd_cents": sum(e["amount"] for e in events if e["kind"] == "transfer"),
        "supply_hkd_cents": sum(ledger.values()),
        "tx_count": chain.tx_count,
        "gas_used_total": chain.gas_used_total,
        "reconciliation_diff_minor": reconciliation,
        "wall_seconds": round(time.perf_counter() - started, 3),
    }
    if out_dir is not None:
        write_outputs(out_dir, scenario, chain, summary, events)
    return summary


def _event(chain: Chain, actor: str, kind: str, counterparty: str, cents: int, receipt, time_s: int = 0) -> dict:
    return {"time_s": time_s, "actor": actor, "kind": kind, "reason": "", "amount": cents, "currency": "HKD",
            "counterparty": counterparty, "block": receipt.block_number,
            # only a node gives transactions a hash; one transaction per block makes `block` the reference
            "tx_hash": receipt.tx_hash or ""}


def write_outputs(out_dir: Path, scenario: MinimalScenario, chain: Chain, summary: dict, events: list[dict]) -> None:
    """Write every file to a temporary name first, then rename: a killed run leaves no complete-looking file."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output directory {out_dir}: {exc.strerror}") from None
    manifest = {
        "scenario": scenario.model_dump(),
        "seed": scenario.scenario.seed,
        "backend": chain.backend.describe(),
        "gas_model": "session" if chain.backend.name == "revm" else "per-transaction",
        "package_version": __version__,
        "python": platform.python_version(),
        "dependencies": {d: _version(d) for d in ("web3", "eth-tester", "py-evm", "pyrevm", "simpy", "numpy")},
        "artifacts": artifact_hashes(),
        "wall_seconds": summary["wall_seconds"],
    }
    _atomic_csv(out_dir / "events.csv", list(events[0].keys()) if events else ["time_s"], events)
    _atomic_csv(out_dir / "summary.csv", list(summary.keys()), [summary])
    _atomic_write(out_dir / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _atomic_write(path: Path, text: str) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None


def _atomic_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _atomic_write(path, buf.getvalue())
