"""`rwa-sim contracts deploy`: the configured suite on any JSON-RPC node, written down for other tools."""

from __future__ import annotations

from simulator.chain.suite import Suite
from simulator.evm.contract import Contract


def _handles(suite: Suite) -> dict[str, Contract]:
    names = ("hkd", "cnh", "registry", "identity_storage", "topics_registry", "issuers_registry", "compliance", "token",
             "oracle", "distributor", "offering", "dvp", "dvp_cnh")
    handles = {n: getattr(suite, n) for n in names}
    handles.update({f"module:{k}": m for k, m in suite.modules.items()})
    handles["identity_authority"] = suite.identities.authority  # ONCHAINID: the identities' implementation
    handles.update({f"claim_issuer:{k}": i.contract for k, i in suite.identities.issuers.items()})
    return handles


def describe_deployment(suite: Suite, with_keys: bool = False) -> dict:
    """Addresses, the holders of every role (read back from the chain, not assumed) and owners."""
    chain = suite.chain
    handles = _handles(suite)
    candidates = dict(chain.accounts.labels)
    candidates.update({name: h.address for name, h in handles.items()})
    contracts, roles = {}, {}
    for name, handle in handles.items():
        contracts[name] = {"contract": handle.contract_name, "address": handle.address}
        fns = handle.abi.functions
        if "hasRole" in fns:
            role_ids = {"DEFAULT_ADMIN_ROLE": b"\x00" * 32}
            for fname, overloads in fns.items():
                if fname.endswith("_ROLE") and not overloads[0].input_types:
                    role_ids[fname] = handle.fn(fname)()
            roles[name] = {
                role: sorted(label for label, addr in candidates.items() if handle.hasRole(role_id, addr))
                for role, role_id in sorted(role_ids.items())
            }
        if "owner" in fns:
            owner = handle.owner()
            roles.setdefault(name, {})["owner"] = sorted(k for k, a in candidates.items() if a == owner) or [owner]
    accounts = {label: {"address": addr} for label, addr in chain.accounts.labels.items()}
    if with_keys:
        for i, addr in enumerate(chain.accounts.addresses):
            for label, a in chain.accounts.labels.items():
                if a == addr:
                    accounts[label]["private_key"] = "0x" + chain.accounts.keys[i].hex()
    return {
        "chain_id": getattr(chain.backend, "chain_id", None),
        "node": chain.backend.describe(),
        "block_number": chain.backend.block_number,
        "seed": chain.accounts.seed,
        "contracts": contracts,
        "roles": roles,
        "accounts": accounts,
    }
