"""ERC-3643 conformance: every function and event of the reference interfaces (T-REX 4.1.6) is in the project's ABI.

The reference is the compiled ABI in the pinned npm package `@tokenysolutions/t-rex` (a dev dependency of
contracts/, `npm ci`): IToken against RWAToken, IModularCompliance against ModularCompliance, AgentRole's agent
management against RWAToken and IdentityRegistry, IIdentityRegistry against IdentityRegistry, and the
registry's three registries (IIdentityRegistryStorage, IClaimTopicsRegistry, ITrustedIssuersRegistry) against
the project's own. The ABIs are only read here; nothing of
T-REX is copied or imported (its licence is not the project's). For every member: a function must exist with
the same selector (canonical types, tuples included), input and output types and mutability class (view or
pure / state-changing); an event with the same topic and the same indexed flags (topics of indexed dynamic
values are hashes, so the layout is part of the interface).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_utils import event_abi_to_log_topic, function_abi_to_4byte_selector
from eth_utils.abi import collapse_if_tuple

from simulator.chain.artifacts import ARTIFACT_DIR

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "contracts" / "node_modules" / "@tokenysolutions" / "t-rex"
PINNED_VERSION = "4.1.6"
REFERENCE_ARTIFACTS = PACKAGE / "artifacts" / "contracts"

# reference interface -> (its artifact in the package, the project contract that implements it)
INTERFACES = {
    "IToken": ("token/IToken.sol/IToken.json", "RWAToken"),
    "IModularCompliance": ("compliance/modular/IModularCompliance.sol/IModularCompliance.json", "ModularCompliance"),
    "AgentRole": ("roles/AgentRole.sol/AgentRole.json", "RWAToken"),
    "IIdentityRegistry": ("registry/interface/IIdentityRegistry.sol/IIdentityRegistry.json", "IdentityRegistry"),
    "AgentRole of the registry": ("roles/AgentRole.sol/AgentRole.json", "IdentityRegistry"),
    "IIdentityRegistryStorage": ("registry/interface/IIdentityRegistryStorage.sol/IIdentityRegistryStorage.json",
                                 "IdentityRegistryStorage"),
    "IClaimTopicsRegistry": ("registry/interface/IClaimTopicsRegistry.sol/IClaimTopicsRegistry.json",
                             "ClaimTopicsRegistry"),
    "ITrustedIssuersRegistry": ("registry/interface/ITrustedIssuersRegistry.sol/ITrustedIssuersRegistry.json",
                                "TrustedIssuersRegistry"),
}

# T-REX's AgentRole is Ownable; here the ERC-3643 owner is AccessControl's DEFAULT_ADMIN_ROLE, so its
# Ownable members are not part of the agent management checked here.
OWNABLE = {
    "owner": "ownership is DEFAULT_ADMIN_ROLE (AccessControl)",
    "transferOwnership": "ownership is DEFAULT_ADMIN_ROLE (AccessControl): grantRole/revokeRole",
    "renounceOwnership": "ownership is DEFAULT_ADMIN_ROLE (AccessControl): renounceRole",
    "OwnershipTransferred": "ownership is DEFAULT_ADMIN_ROLE (AccessControl): RoleGranted/Revoked",
}
NOT_APPLICABLE = {(interface, name): why for interface in ("AgentRole", "AgentRole of the registry")
                  for name, why in OWNABLE.items()}

Entry = dict[str, Any]


def _reference_abi(interface: str) -> list[Entry]:
    path = REFERENCE_ARTIFACTS / INTERFACES[interface][0]
    if not path.is_file():
        raise FileNotFoundError(f"{path}: run `npm ci` in contracts/ (dev dependency @tokenysolutions/t-rex)")
    abi: list[Entry] = json.loads(path.read_text())["abi"]
    return abi


def _project_abi(contract: str) -> list[Entry]:
    abi: list[Entry] = json.loads((ARTIFACT_DIR / f"{contract}.json").read_text())["abi"]
    return abi


def _types(params: list[Entry]) -> list[str]:
    return [collapse_if_tuple(p) for p in params]


def _signature(entry: Entry) -> str:
    return f"{entry['name']}({','.join(_types(entry['inputs']))})"


def _is_view(entry: Entry) -> bool:
    return entry["stateMutability"] in ("view", "pure")


def _cases() -> list[Any]:
    cases = []
    for interface in INTERFACES:
        for entry in _reference_abi(interface):
            if entry["type"] not in ("function", "event"):
                continue
            key = (interface, entry["name"])
            if key in NOT_APPLICABLE:
                continue
            cases.append(pytest.param(interface, entry, id=f"{interface}.{_signature(entry)}"))
    return cases


def _function_problem(ref: Entry, ours: list[Entry]) -> str | None:
    selector = function_abi_to_4byte_selector(ref)
    same = [e for e in ours if e["type"] == "function" and function_abi_to_4byte_selector(e) == selector]
    if not same:
        named = [_signature(e) for e in ours if e["type"] == "function" and e["name"] == ref["name"]]
        return f"no function {_signature(ref)} (0x{selector.hex()}); by that name: {named or 'none'}"
    fn = same[0]
    if _types(fn["inputs"]) != _types(ref["inputs"]):
        return f"inputs {_types(fn['inputs'])} != {_types(ref['inputs'])}"
    if _types(fn["outputs"]) != _types(ref["outputs"]):
        return f"outputs {_types(fn['outputs'])} != {_types(ref['outputs'])}"
    if _is_view(fn) != _is_view(ref):
        return f"mutability {fn['stateMutability']} where the reference is {ref['stateMutability']}"
    return None


def _event_problem(ref: Entry, ours: list[Entry]) -> str | None:
    topic = event_abi_to_log_topic(ref)
    same = [e for e in ours if e["type"] == "event" and event_abi_to_log_topic(e) == topic]
    if not same:
        named = [_signature(e) for e in ours if e["type"] == "event" and e["name"] == ref["name"]]
        return f"no event {_signature(ref)}; by that name: {named or 'none'}"
    indexed, expected = [p["indexed"] for p in same[0]["inputs"]], [p["indexed"] for p in ref["inputs"]]
    if indexed != expected:
        return f"indexed flags {indexed} != {expected}"
    return None


def conformance_problem(interface: str, ref: Entry) -> str | None:
    """Why the project's contract does not have the reference member `ref`, or None when it does."""
    ours = _project_abi(INTERFACES[interface][1])
    return _function_problem(ref, ours) if ref["type"] == "function" else _event_problem(ref, ours)


@pytest.mark.parametrize(("interface", "ref"), _cases())
def test_member_conforms_to_the_reference(interface, ref):
    problem = conformance_problem(interface, ref)
    assert problem is None, f"{INTERFACES[interface][1]} vs {interface}.{ref['name']}: {problem}"


def test_the_reference_is_the_pinned_t_rex_release():
    package = json.loads((PACKAGE / "package.json").read_text())
    assert (package["name"], package["version"]) == ("@tokenysolutions/t-rex", PINNED_VERSION)
    contracts = ROOT / "contracts"
    assert json.loads((contracts / "package.json").read_text())["devDependencies"]["@tokenysolutions/t-rex"] \
        == PINNED_VERSION
    lock = json.loads((contracts / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@tokenysolutions/t-rex"]["version"] == PINNED_VERSION


def test_every_interface_is_checked_whole_and_the_lists_name_real_members():
    members = {(i, e["name"]) for i in INTERFACES for e in _reference_abi(i) if e["type"] in ("function", "event")}
    counts = {i: sum(1 for m in members if m[0] == i) for i in INTERFACES}
    assert counts == {"IToken": 48, "IModularCompliance": 17, "AgentRole": 9, "IIdentityRegistry": 22,
                      "AgentRole of the registry": 9, "IIdentityRegistryStorage": 15, "IClaimTopicsRegistry": 5,
                      "ITrustedIssuersRegistry": 11}
    assert set(NOT_APPLICABLE) <= members


def test_the_check_itself_catches_a_wrong_indexed_layout_and_a_wrong_mutability():
    """The comparison is not vacuous: a reference member altered in each checked property is refused."""
    token = {e["name"]: e for e in _reference_abi("IToken")}
    flipped = dict(token["UpdatedTokenInformation"], inputs=[
        dict(p, indexed=not p["indexed"]) for p in token["UpdatedTokenInformation"]["inputs"]])
    assert "indexed flags" in (conformance_problem("IToken", flipped) or "")
    assert "mutability" in (conformance_problem("IToken", dict(token["version"], stateMutability="nonpayable")) or "")
    assert "outputs" in (conformance_problem("IToken", dict(token["version"], outputs=[{"type": "bytes32"}])) or "")
    assert "no function" in (conformance_problem("IToken", dict(token["setName"], name="setTitle")) or "")
