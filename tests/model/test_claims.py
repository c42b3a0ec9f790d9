"""The world's use of on-chain identities: claims issued at onboarding, renewed by reviews, expired when a review
lapses, revoked when AML monitoring catches a bad actor, and distrusted with a platform whose licence is revoked.
In every case the model's view (`Claims.problem`) is what the identity registry says on-chain."""

from __future__ import annotations

from simulator.chain import Chain
from simulator.chain.identities import CWM_ELIGIBILITY, KYC
from simulator.model.config import IdentityConfig, LegalConfig, ShockConfig
from simulator.model.world import World
from tests.model.test_world import small_world


def _run(**changes) -> World:
    world = World(small_world(**changes), 5, Chain("revm", seed=5))
    world.run()
    assert world.reconciliation_diff() == 0
    return world


def _mirror_matches_chain(world: World) -> None:
    registry = world.suite.registry
    for inv in world.investors:
        if inv.onboarded:
            assert registry.isVerified(inv.wallet) == (world.claims.problem(inv) == ""), (inv.wallet, inv.cls)


def _kinds(world: World) -> list[str]:
    return [e["kind"] for e in world.events]


def test_onboarding_issues_the_platforms_and_the_cwm_channels_claims_and_reviews_renew_them():
    world = _run(identity=IdentityConfig(claim_validity_days=90, review_lapse_share=0.0))
    onboarded = [i for i in world.investors if i.onboarded]
    mainland = [i for i in onboarded if i.kind.southbound]
    assert mainland and len(mainland) < len(onboarded)
    stats = world.claims.stats
    # 400 days at 90-day claims: four reviews each for the investors who arrived early
    assert stats.reviews_completed > 3 * len(onboarded) // 2 and stats.lapsed == 0
    renewals = {i.wallet: 0 for i in onboarded}
    for e in world.events:
        if e["kind"] == "claims_renewed":
            renewals[e["actor"]] += 1
    receiver = 2 if world.legal.receiver else 0  # the court's receiver, onboarded with two claims
    assert stats.issued == receiver + sum((2 + bool(i.channels)) * (1 + renewals[i.wallet]) for i in onboarded)
    ids = world.suite.identities
    for inv in onboarded:
        assert inv.claims_until > world.chain.now  # renewed ahead of expiry: still current at the end
        identity = ids.identity_of[inv.wallet.lower()]
        assert world.suite.registry.identity(inv.wallet) == identity
        issuer = ids.issuers[f"platform:{inv.platform}"]
        assert ids.claims[(identity.lower(), KYC)].issuer == issuer
        assert world.suite.registry.hasValidClaim(inv.wallet, CWM_ELIGIBILITY) == bool(inv.channels)
    _mirror_matches_chain(world)
    assert all(world.suite.registry.isVerified(i.wallet) for i in onboarded if not i.frozen)


def test_lapsed_reviews_expire_the_claims_and_the_investor_can_no_longer_buy():
    world = _run(identity=IdentityConfig(claim_validity_days=60, review_lapse_share=1.0))
    onboarded = [i for i in world.investors if i.onboarded]
    assert world.claims.stats.lapsed == len(onboarded) and world.claims.stats.reviews_completed == 0
    assert not any(world.suite.registry.isVerified(i.wallet) for i in onboarded)
    _mirror_matches_chain(world)
    refused = [e for e in world.events if e["kind"] == "refused" and e["reason"] == "kyc_expired"]
    assert refused  # bids after the expiry are refused by the model, not sent to fail on-chain
    expired_at = {e["actor"]: e["time_s"] for e in world.events if e["kind"] == "claims_expired"}
    buyers = [(e["time_s"], e["buyer"]) for e in world.events if e["kind"] == "trade_settled"]
    assert buyers and all(t < expired_at[buyer] for t, buyer in buyers)  # none received tokens after its expiry


def test_aml_monitoring_revokes_the_kyc_claim_of_the_bad_actor_it_catches():
    changes = {"legal": LegalConfig(aml_detection_per_year=20.0)}
    config = small_world(**changes)
    investors = {name: c.model_copy(update={"bad_actor_share": 0.3}) for name, c in config.investors.items()}
    world = World(small_world(investors=investors, **changes), 5, Chain("revm", seed=5))
    world.run()
    assert world.reconciliation_diff() == 0
    caught = [i for i in world.investors if i.claims_revoked]
    assert caught and world.claims.stats.revoked == len(caught) == world.legal.stats.frozen
    assert all(i.bad_actor and i.frozen for i in caught)
    assert not any(world.suite.registry.isVerified(i.wallet) for i in caught)
    _mirror_matches_chain(world)


def test_a_revoked_licence_makes_the_platforms_claims_stop_counting():
    shock = ShockConfig(day=200, kind="licence_revocation", platform="beta")
    world = _run(shocks=[shock])
    beta = [i for i in world.investors if i.onboarded and i.platform == "beta"]
    alpha = [i for i in world.investors if i.onboarded and i.platform == "alpha" and not i.frozen]
    assert beta and alpha
    assert "claim_issuer_distrusted" in _kinds(world) and world.claims.stats.issuers_distrusted == 1
    assert not any(world.suite.registry.isVerified(i.wallet) for i in beta)
    assert all(world.suite.registry.isVerified(i.wallet) for i in alpha if not i.claims_lapsed)
    assert not world.suite.issuers_registry.isTrustedIssuer(world.suite.identities.issuers["platform:beta"].address)
    _mirror_matches_chain(world)


def test_without_distrust_a_revoked_platforms_clients_still_verify():
    shock = ShockConfig(day=200, kind="licence_revocation", platform="beta")
    world = _run(shocks=[shock], identity=IdentityConfig(distrust_revoked_platform=False, review_lapse_share=0.0))
    beta = [i for i in world.investors if i.onboarded and i.platform == "beta" and not i.frozen]
    assert beta and all(world.suite.registry.isVerified(i.wallet) for i in beta)
    assert "claim_issuer_distrusted" not in _kinds(world)


def test_a_restored_licence_trusts_the_platform_again_and_claims_that_ran_out_stay_expired():
    """Revoked on day 200, restored on day 350 with 120-day claims: while distrusted nobody reviews the clients,
    so their claims run out; trusted again, they would verify only once re-onboarded, which this model does not
    do."""
    shocks = [ShockConfig(day=200, kind="licence_revocation", platform="beta"),
              ShockConfig(day=350, kind="licence_restored", platform="beta")]
    world = _run(shocks=shocks, identity=IdentityConfig(claim_validity_days=120, review_lapse_share=0.0))
    kinds = _kinds(world)
    assert "claim_issuer_distrusted" in kinds and "claim_issuer_trusted" in kinds
    assert world.suite.issuers_registry.isTrustedIssuer(world.suite.identities.issuers["platform:beta"].address)
    beta = [i for i in world.investors if i.onboarded and i.platform == "beta" and not i.frozen]
    assert beta and all(world.claims.problem(i) == "kyc_expired" for i in beta)
    _mirror_matches_chain(world)


def test_the_mirror_holds_on_every_day_of_a_run_with_reviews_lapses_and_a_distrusted_platform():
    """Checked daily, not only at the end: the model never believes a wallet verified that the chain refuses."""
    shocks = [ShockConfig(day=150, kind="licence_revocation", platform="beta"),
              ShockConfig(day=300, kind="licence_restored", platform="beta")]
    world = World(small_world(shocks=shocks, identity=IdentityConfig(claim_validity_days=60, review_lapse_share=0.3)),
                  5, Chain("revm", seed=5))

    def check_daily():
        while True:
            yield world.env.timeout(86_400 * 7)
            _mirror_matches_chain(world)

    world.env.process(check_daily())
    world.run()
    assert world.reconciliation_diff() == 0 and world.claims.stats.lapsed > 0


def test_claims_are_judged_by_the_chains_clock_which_runs_ahead_in_a_busy_instant():
    """Every transaction is a block a second later, so many in one simulated instant put the chain minutes ahead
    (about 3 at the whole market's scale, where a purchase then reverted with ReceiverNotVerified): an investor
    whose claims run out on the chain before its trade lands is refused, not sent to a revert."""
    world = World(small_world(horizon_days=200), 5, Chain("revm", seed=5))
    world.run()
    sim_now = world.chain.timestamp_at(world.env.now)
    inv = next(i for i in world.investors if i.onboarded and i.claims_until > sim_now + 120)
    assert world.claims.problem(inv) == ""
    world.chain.backend.advance_time(inv.claims_until - 30)  # the chain's clock ahead of the simulation's
    assert world.chain.timestamp_at(world.env.now) == sim_now
    assert world.claims.problem(inv) == "kyc_expired"
