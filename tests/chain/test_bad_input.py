"""Bad input gets one clear error and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.chain import Chain
from simulator.chain.anvil import free_port
from simulator.chain.artifacts import ARTIFACTS
from simulator.errors import InputError, UserError
from simulator.evm.abi import AbiArgumentError

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "data" / "small.toml"


def rwa_sim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def assert_clean_failure(proc: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


def test_unknown_backend_is_refused_by_name(tmp_path):
    proc = rwa_sim("run", str(SCENARIO), "--backend", "geth", "--out", str(tmp_path))
    assert_clean_failure(proc, 2, "rwa-sim run: error: argument --backend: invalid choice: 'geth'",
                         "'revm', 'pyevm', 'web3'")


def test_unreachable_rpc_url_names_the_node(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    proc = rwa_sim("run", str(SCENARIO), "--backend", "web3", "--rpc-url", url, "--out", str(tmp_path / "o"))
    assert_clean_failure(proc, 1, f"RPC node at {url} is unreachable")
    assert not (tmp_path / "o").exists()


def test_rpc_url_needs_web3_backend(tmp_path):
    proc = rwa_sim("run", str(SCENARIO), "--rpc-url", "http://127.0.0.1:1", "--out", str(tmp_path))
    assert_clean_failure(proc, 2, "--rpc-url needs the web3 backend")


def test_missing_scenario_file(tmp_path):
    proc = rwa_sim("run", str(tmp_path / "nope.toml"))
    assert_clean_failure(proc, 2, "scenario file not found")


def test_unknown_key_in_scenario_names_the_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.read_text().replace("duration_days = 30", "duration_days = 30\ntransfer_fee = 3"))
    proc = rwa_sim("run", str(bad), "--out", str(tmp_path / "o"))
    assert_clean_failure(proc, 2, "offering.transfer_fee: unknown key")
    assert not (tmp_path / "o").exists()


def test_negative_seed_is_refused(tmp_path):
    proc = rwa_sim("run", str(SCENARIO), "--seed", "-1", "--out", str(tmp_path))
    assert_clean_failure(proc, 2, "--seed")


def test_unknown_command_exits_2():
    assert_clean_failure(rwa_sim("frobnicate"), 2, "invalid choice")


def test_missing_artifact_is_a_clear_error():
    with pytest.raises(UserError, match=r"missing artifact for contract 'NoSuchContract'.*SettlementToken"):
        ARTIFACTS.load("NoSuchContract")
    with pytest.raises(UserError, match="missing artifact"):
        Chain("revm").deploy("NoSuchContract")


def test_wrong_argument_types_name_the_argument():
    chain = Chain("revm")
    admin = chain.new_account()
    token = chain.deploy("SettlementToken", "H", "H", "HKD", 6, admin, sender=admin)
    with pytest.raises(AbiArgumentError, match=r"mint\(address,uint256\): argument amount expects uint256, got str"):
        token.mint(admin, "lots", sender=admin)
    with pytest.raises(AbiArgumentError, match="expected 2 argument"):
        token.mint(admin, sender=admin)
    with pytest.raises(AbiArgumentError, match="constructor: argument #4 expects uint8"):
        chain.deploy("SettlementToken", "H", "H", "HKD", 600, admin, sender=admin)
    with pytest.raises(AttributeError, match="has no function 'steal'"):
        _ = token.steal


def test_unknown_backend_in_python_api():
    with pytest.raises(InputError, match="unknown backend"):
        Chain("evmone")
