"""The identity layer speaks the standards' ABIs: the project's IIdentity / IClaimIssuer (IOnchainId.sol, declared
rather than imported) have ONCHAINID 2.2.1's selectors, and the registries have every function and event of
T-REX 4.1.6's interfaces (same selectors, outputs, event parameters and indexing). And ONCHAINID's contracts,
deployed as the suite deploys them, give the powers the suite relies on to the right keys only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import KYC, reverts
from eth_utils import keccak

from simulator.chain.artifacts import ARTIFACT_DIR, ARTIFACTS
from simulator.chain.identities import ECDSA_SCHEME, MANAGEMENT_PURPOSE, claim_id, key_hash

NODE_MODULES = Path(__file__).resolve().parents[2] / "contracts" / "node_modules"
ONCHAINID_INTERFACES = NODE_MODULES / "@onchain-id" / "solidity" / "artifacts" / "contracts" / "interface"
TREX_INTERFACES = NODE_MODULES / "@tokenysolutions" / "t-rex" / "artifacts" / "contracts" / "registry" / "interface"
needs_packages = pytest.mark.skipif(not (ONCHAINID_INTERFACES.is_dir() and TREX_INTERFACES.is_dir()),
                                    reason="contracts/node_modules not installed (npm ci)")


def canonical(entry: dict) -> str:
    """`name(type,...)` of an ABI entry, tuples spelt out: what its selector or topic hashes."""

    def kind(param: dict) -> str:
        if param["type"].startswith("tuple"):
            return "(" + ",".join(kind(c) for c in param["components"]) + ")" + param["type"][len("tuple"):]
        return param["type"]

    return f"{entry['name']}({','.join(kind(p) for p in entry['inputs'])})"


def entries(abi_file: Path, kind: str) -> dict[str, dict]:
    abi = json.loads(abi_file.read_text())["abi"]
    return {canonical(e): e for e in abi if e["type"] == kind}


def package_abi(directory: Path, name: str) -> Path:
    return directory / f"{name}.sol" / f"{name}.json"


def test_canonical_signatures_give_the_known_selectors():
    fns = entries(ARTIFACT_DIR / "IIdentity.json", "function")
    assert {keccak(text=s)[:4].hex() for s in fns} == {"c9100bcb", "d202158d"}  # getClaim, keyHasPurpose
    events = entries(ARTIFACT_DIR / "IIdentityRegistry.json", "event")
    assert "IdentityRegistered(address,address)" in events and "CountryUpdated(address,uint16)" in events


@needs_packages
@pytest.mark.parametrize("name", ["IIdentity", "IClaimIssuer"])
def test_the_projects_onchainid_interfaces_have_onchainids_selectors(name):
    ours = entries(ARTIFACT_DIR / f"{name}.json", "function")
    theirs = entries(package_abi(ONCHAINID_INTERFACES, name), "function")
    assert ours, name
    for signature, fn in ours.items():
        assert signature in theirs, f"{name}.{signature} is not ONCHAINID's"
        ref = theirs[signature]
        assert [o["type"] for o in fn["outputs"]] == [o["type"] for o in ref["outputs"]], signature
        assert fn["stateMutability"] == ref["stateMutability"], signature
    # and the deployed ONCHAINID contracts answer them: each selector is in their ABI
    deployed = {"IIdentity": "Identity", "IClaimIssuer": "ClaimIssuer"}[name]
    assert set(ours) <= set(entries(ARTIFACT_DIR / "onchainid" / f"{deployed}.json", "function"))


@needs_packages
@pytest.mark.parametrize(("reference", "ours"), [
    ("IIdentityRegistry", "IdentityRegistry"), ("IIdentityRegistry", "IIdentityRegistry"),
    ("IIdentityRegistryStorage", "IdentityRegistryStorage"), ("IClaimTopicsRegistry", "ClaimTopicsRegistry"),
    ("ITrustedIssuersRegistry", "TrustedIssuersRegistry"),
])
def test_the_registries_have_every_function_and_event_of_trex(reference, ours):
    ref_file, our_file = package_abi(TREX_INTERFACES, reference), ARTIFACT_DIR / f"{ours}.json"
    ref_fns, our_fns = entries(ref_file, "function"), entries(our_file, "function")
    assert ref_fns
    for signature, ref in ref_fns.items():
        assert signature in our_fns, f"{ours} lacks T-REX's {signature}"
        fn = our_fns[signature]
        assert [o["type"] for o in fn["outputs"]] == [o["type"] for o in ref["outputs"]], signature
        assert fn["stateMutability"] == ref["stateMutability"], signature
    ref_events, our_events = entries(ref_file, "event"), entries(our_file, "event")
    for signature, ref in ref_events.items():  # same topic, same parameter names and indexing: same decoding
        assert signature in our_events, f"{ours} lacks T-REX's event {signature}"
        layout = [(p["name"], p["indexed"]) for p in our_events[signature]["inputs"]]
        assert layout == [(p["name"], p["indexed"]) for p in ref["inputs"]], signature


# ------------------------------------------------------------------ ONCHAINID's powers, as the suite deploys it

NO_MANAGEMENT_KEY = "Permissions: Sender does not have management key"
NO_CLAIM_KEY = "Permissions: Sender does not have claim signer key"


def refused(message: str, fn, *args, sender: str) -> None:
    exc = reverts("Error", fn, *args, sender=sender)
    assert exc.error_args["message"] == message, exc


def test_only_the_agent_manages_an_investors_identity(w):
    s, ids = w.s, w.s.identities
    identity = w.chain.at("Identity", w.identity(w.alice))
    platform = ids.issuers["platform"]
    claim = ids.claims[(identity.address.lower(), KYC)]
    assert identity.keyHasPurpose(key_hash(s.agent), MANAGEMENT_PURPOSE)
    assert not identity.keyHasPurpose(key_hash(w.alice), MANAGEMENT_PURPOSE)  # the platform holds the keys
    for caller in (w.alice, w.outsider, platform.signer, s.admin):
        refused(NO_MANAGEMENT_KEY, identity.addKey, key_hash(caller), MANAGEMENT_PURPOSE, ECDSA_SCHEME, sender=caller)
        refused(NO_MANAGEMENT_KEY, identity.removeKey, key_hash(s.agent), MANAGEMENT_PURPOSE, sender=caller)
        refused(NO_CLAIM_KEY, identity.addClaim, KYC, ECDSA_SCHEME, platform.address, claim.signature, claim.data, "",
                sender=caller)
        refused(NO_CLAIM_KEY, identity.removeClaim, claim_id(platform.address, KYC), sender=caller)
    # anyone may ask for an execution; on the identity itself only a management key approves it
    call = ARTIFACTS.abi("Identity").function("addKey", (key_hash(w.outsider), 1, 1))
    r = identity.execute(identity.address, 0, call.encode((key_hash(w.outsider), 1, 1)), sender=w.outsider)
    request = r.events_named("ExecutionRequested")[0].args["executionId"]
    assert not r.events_named("Executed") and not identity.keyHasPurpose(key_hash(w.outsider), MANAGEMENT_PURPOSE)
    refused("Sender does not have management key", identity.approve, request, True, sender=w.outsider)
    refused("Initial key was already setup.", identity.initialize, w.outsider, sender=w.outsider)
    assert s.registry.isVerified(w.alice) and identity.keyHasPurpose(key_hash(s.agent), MANAGEMENT_PURPOSE)
    # the agent's own request is approved at once
    identity.execute(identity.address, 0, call.encode((key_hash(w.outsider), 1, 1)), sender=s.agent)
    assert identity.keyHasPurpose(key_hash(w.outsider), MANAGEMENT_PURPOSE)


def test_only_the_issuers_key_revokes_its_claims(w):
    s, ids = w.s, w.s.identities
    platform, alice_id = ids.issuers["platform"], w.identity(w.alice)
    claim = ids.claims[(alice_id.lower(), KYC)]
    for caller in (s.agent, s.admin, w.alice, w.outsider, ids.issuers["cwm-bank"].signer):
        refused(NO_MANAGEMENT_KEY, platform.contract.revokeClaimBySignature, claim.signature, sender=caller)
        refused(NO_MANAGEMENT_KEY, platform.contract.revokeClaim, claim_id(platform.address, KYC), alice_id,
                sender=caller)
        refused(NO_MANAGEMENT_KEY, platform.contract.addKey, key_hash(caller), 3, ECDSA_SCHEME, sender=caller)
    assert not platform.contract.isClaimRevoked(claim.signature) and s.registry.isVerified(w.alice)
    platform.contract.revokeClaim(claim_id(platform.address, KYC), alice_id, sender=platform.signer)
    assert platform.contract.isClaimRevoked(claim.signature) and not s.registry.isVerified(w.alice)


def test_only_the_admin_upgrades_the_identities_and_the_implementation_is_sealed(w):
    s, ids = w.s, w.s.identities
    authority = ids.authority
    implementation = authority.getImplementation()
    assert authority.owner() == s.admin
    for caller in (s.agent, w.outsider):
        refused("Ownable: caller is not the owner", authority.updateImplementation, w.outsider, sender=caller)
    assert authority.getImplementation() == implementation
    library = w.chain.at("Identity", implementation)
    refused("Interacting with the library contract is forbidden.", library.addKey, key_hash(w.outsider),
            MANAGEMENT_PURPOSE, ECDSA_SCHEME, sender=s.agent)
