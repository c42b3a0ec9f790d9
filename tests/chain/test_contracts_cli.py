"""`rwa-sim contracts gas` and `rwa-sim contracts deploy` (to a real anvil node)."""

from __future__ import annotations

import csv
import io
import json

from eth_utils import keccak
from web3 import HTTPProvider, Web3

from simulator.chain import Chain
from simulator.chain.anvil import AnvilNode
from simulator.chain.artifacts import ARTIFACTS
from simulator.chain.gas_report import gas_table
from simulator.cli import main


def test_gas_report_covers_the_suite_and_matches_a_node(tmp_path, capsys):
    out = tmp_path / "gas.csv"
    assert main(["contracts", "gas", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    by_fn = {(r["contract"], r["function"]): r for r in rows}
    for key in [("RWAToken", "transfer"), ("RWAToken", "forcedTransfer"), ("RWAToken", "recoveryAddress"),
                ("PrimaryOffering", "subscribe"), ("PrimaryOffering", "close"), ("DvPSettlement", "settle"),
                ("RevenueDistributor", "distribute"), ("RevenueDistributor", "claim"),
                ("ProductionOracle", "report"), ("IdentityRegistry", "batchRegisterIdentity"),
                *[("IdentityRegistry", f) for f in ("registerIdentity", "updateIdentity", "updateCountry",
                                                     "deleteIdentity")],
                ("Identity", "addClaim"), ("Identity", "addKey"), ("ClaimIssuer", "revokeClaimBySignature"),
                ("TrustedIssuersRegistry", "addTrustedIssuer"), ("TrustedIssuersRegistry", "removeTrustedIssuer")]:
        row = by_fn[key]
        assert 21_000 < int(row["gas_min"]) <= int(row["gas_mean"]) <= int(row["gas_max"]) < 25_000_000
    # the default backend charges exactly what eth-tester (a mined chain) charges
    assert gas_table(Chain("web3")) == [
        {k: (int(v) if k not in ("contract", "function") else v) for k, v in r.items()} for r in rows
    ]


def test_deploy_to_anvil_writes_addresses_and_roles_usable_from_other_tools(tmp_path):
    out = tmp_path / "addresses.json"
    with AnvilNode() as node:
        assert main(["contracts", "deploy", "--rpc-url", node.url, "--out", str(out), "--with-keys"]) == 0
        data = json.loads(out.read_text())
        w3 = Web3(HTTPProvider(node.url))  # an independent client, as cast or a wallet would be
        token = data["contracts"]["token"]
        assert token["contract"] == "RWAToken"
        assert bytes(w3.eth.get_code(token["address"])) == ARTIFACTS.load("RWAToken").deployed_bytecode
        agent = data["accounts"]["agent"]["address"]
        role = keccak(text="AGENT_ROLE")
        has_role = w3.eth.contract(address=token["address"], abi=ARTIFACTS.load("RWAToken").abi).functions.hasRole
        assert has_role(role, agent).call() is True
    assert data["roles"]["token"]["AGENT_ROLE"] == ["agent", "offering"]
    assert data["roles"]["distributor"]["DISTRIBUTOR_ROLE"] == ["paying-agent"]
    assert data["roles"]["dvp"]["PLATFORM_ROLE"] == ["platform"]
    assert data["roles"]["module:lockup"]["owner"] == ["admin"]
    assert data["roles"]["registry"]["AGENT_ROLE"] == ["agent", "token"]  # the token registers recovered wallets
    for owned in ("identity_storage", "topics_registry", "issuers_registry", "identity_authority"):
        assert data["roles"][owned]["owner"] == ["admin"], owned
    assert data["contracts"]["claim_issuer:platform"]["contract"] == "ClaimIssuer"
    assert data["accounts"]["agent"]["private_key"].startswith("0x") and data["chain_id"] == 31337
    assert len(data["contracts"]) == 24  # 13 + 8 modules + the identities' authority + 2 claim issuers


def test_deploy_to_unreachable_node_is_a_clear_error(tmp_path, capsys):
    from simulator.chain.anvil import free_port

    out = tmp_path / "a.json"
    assert main(["contracts", "deploy", "--rpc-url", f"http://127.0.0.1:{free_port()}", "--out", str(out)]) == 1
    assert "is unreachable" in capsys.readouterr().err and not out.exists()
