// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IdentityRegistry} from "../src/identity/IdentityRegistry.sol";
import {IIdentityRegistry} from "../src/identity/IIdentityRegistry.sol";
import {IdentityRegistryStorage} from "../src/identity/IdentityRegistryStorage.sol";
import {ClaimTopicsRegistry} from "../src/identity/ClaimTopicsRegistry.sol";
import {TrustedIssuersRegistry} from "../src/identity/TrustedIssuersRegistry.sol";
import {IIdentity, IClaimIssuer} from "../src/identity/IOnchainId.sol";
import {CountryClaimModule} from "../src/compliance/modules/CountryClaimModule.sol";
import {RWAToken} from "../src/token/RWAToken.sol";
import {Fixture} from "./utils/Fixture.sol";
import {IOnchainIdentity} from "./utils/OnchainId.sol";

/// An identity that is not ONCHAINID: it returns whatever claim it was given (ONCHAINID's addClaim would
/// have refused a signature no issuer key made), or reverts. The registry must check each claim with its
/// issuer, and count an identity that reverts as holding no claim.
contract ForgedIdentity is IIdentity {
    struct Stored {
        uint256 topic;
        address issuer;
        bytes signature;
        bytes data;
    }

    mapping(bytes32 claimId => Stored) internal _claims;
    bool public broken;

    /// Store a claim under `claimId` (ONCHAINID's id of the claim is keccak256(abi.encode(issuer, topic))).
    function setClaim(bytes32 claimId, uint256 topic, address issuer, bytes calldata signature, bytes calldata data)
        external
    {
        _claims[claimId] = Stored(topic, issuer, signature, data);
    }

    function breakIt() external {
        broken = true;
    }

    function keyHasPurpose(bytes32, uint256) external pure returns (bool) {
        return false;
    }

    function getClaim(bytes32 claimId)
        external
        view
        returns (uint256, uint256, address, bytes memory, bytes memory, string memory)
    {
        require(!broken, "broken");
        Stored storage c = _claims[claimId];
        return (c.topic, 1, c.issuer, c.signature, c.data, "");
    }
}

interface IImplementationAuthority {
    function getImplementation() external view returns (address);
}

/// The ERC-3643 identity layer (T-REX 4.1.6 with ONCHAINID 2.2.1 identities): the registry's records and
/// their events, who may write them, the identity storage the registries must be bound to, verification by
/// claims (current, valid, from an issuer trusted for the topic: expired, revoked, distrusted, wrongly
/// signed or malformed claims do not count), the claim topics and trusted issuers registries, the
/// investor category read from its claim, and the CountryClaimModule (mainland receivers need the CWM
/// bank's eligibility claim). Recoveries through the registry are in RWAToken.t.sol.
contract IdentityRegistryTest is Fixture {
    address internal grace = makeAddr("grace");

    /// `wallet` registered with a new identity holding no claim.
    function _registerBare(address wallet, uint16 country) internal returns (IOnchainIdentity id) {
        id = _newIdentity();
        vm.prank(agent);
        registry.registerIdentity(wallet, id, country);
    }

    // ------------------------------------------------------------------ the suite's wiring

    function test_SuiteWiring() public view {
        assertEq(registry.identityStorage(), address(identityStorage));
        assertEq(registry.topicsRegistry(), address(topicsRegistry));
        assertEq(registry.issuersRegistry(), address(issuersRegistry));
        address[] memory linked = identityStorage.linkedIdentityRegistries();
        assertEq(linked.length, 1);
        assertEq(linked[0], address(registry));
        uint256[] memory topics = topicsRegistry.getClaimTopics();
        assertEq(topics.length, 1);
        assertEq(topics[0], KYC);
        IClaimIssuer[] memory issuers = issuersRegistry.getTrustedIssuers();
        assertEq(issuers.length, 2);
        assertEq(address(issuers[0]), address(platformIssuer.issuer));
        assertEq(address(issuers[1]), address(cwmBank.issuer));
        assertEq(issuersRegistry.getTrustedIssuerClaimTopics(platformIssuer.issuer), _topics(KYC, INVESTOR_CATEGORY));
        assertEq(issuersRegistry.getTrustedIssuerClaimTopics(cwmBank.issuer), _topics(CWM_ELIGIBILITY));
        assertTrue(registry.hasRole(registry.AGENT_ROLE(), agent));
        assertTrue(registry.hasRole(registry.AGENT_ROLE(), address(token))); // recoveries register
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(identityStorage.owner(), admin);
        assertEq(IImplementationAuthority(identityAuthority).getImplementation(), identityImplementation);
        assertEq(countryClaim.requiredTopic(CN), CWM_ELIGIBILITY);
        assertEq(countryClaim.requiredTopic(HK), 0);
        assertTrue(compliance.isModuleBound(address(countryClaim)));
        // every investor's identity: the agent its management key, the platform's claims, bob's CWM claim
        IOnchainIdentity id = _identityOf(alice);
        assertTrue(id.keyHasPurpose(_keyOf(agent), MANAGEMENT_PURPOSE));
        assertFalse(id.keyHasPurpose(_keyOf(alice), MANAGEMENT_PURPOSE));
        (uint256 topic,, address claimIssuer,, bytes memory data,) =
            id.getClaim(_claimId(address(platformIssuer.issuer), INVESTOR_CATEGORY));
        assertEq(topic, INVESTOR_CATEGORY);
        assertEq(claimIssuer, address(platformIssuer.issuer));
        assertEq(data, _claimData(START + 10 * YEAR, PROFESSIONAL));
        assertTrue(registry.hasValidClaim(bob, CWM_ELIGIBILITY));
        assertFalse(registry.hasValidClaim(alice, CWM_ELIGIBILITY));
        assertTrue(registry.isVerified(alice) && registry.isVerified(bob) && registry.isVerified(eve));
        assertEq(registry.investorCountry(bob), CN);
        assertEq(registry.investorCategory(bob), INSTITUTIONAL);
        assertEq(registry.investorCategory(dave), RETAIL);
    }

    // ------------------------------------------------------------------ records and their events

    function test_RegisterUpdateCountryDelete() public {
        IOnchainIdentity id = _newIdentity();
        _issueClaim(id, platformIssuer, KYC, block.timestamp + YEAR, 0);
        _issueClaim(id, platformIssuer, INVESTOR_CATEGORY, block.timestamp + YEAR, PROFESSIONAL);
        vm.startPrank(agent);
        vm.expectEmit(address(identityStorage));
        emit IdentityRegistryStorage.IdentityStored(frank, id);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityRegistered(frank, id);
        registry.registerIdentity(frank, id, HK);
        assertTrue(registry.contains(frank));
        assertTrue(registry.isVerified(frank));
        assertEq(address(registry.identity(frank)), address(id));
        assertEq(identityStorage.storedInvestorCountry(frank), HK);
        assertEq(registry.investorCountry(frank), HK);
        assertEq(registry.investorCategory(frank), PROFESSIONAL);

        vm.expectEmit(address(identityStorage));
        emit IdentityRegistryStorage.CountryModified(frank, CN);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.CountryUpdated(frank, CN);
        registry.updateCountry(frank, CN);
        assertEq(registry.investorCountry(frank), CN);

        // another identity, holding no claim: the wallet is registered but not verified
        IOnchainIdentity other = _newIdentity();
        vm.expectEmit(address(identityStorage));
        emit IdentityRegistryStorage.IdentityModified(id, other);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityUpdated(id, other);
        registry.updateIdentity(frank, other);
        assertEq(address(registry.identity(frank)), address(other));
        assertTrue(registry.contains(frank));
        assertFalse(registry.isVerified(frank));
        assertEq(registry.investorCategory(frank), 0);
        assertEq(registry.investorCountry(frank), CN); // the country stays
        registry.updateIdentity(frank, id);
        assertTrue(registry.isVerified(frank));

        vm.expectEmit(address(identityStorage));
        emit IdentityRegistryStorage.IdentityUnstored(frank, id);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityRemoved(frank, id);
        registry.deleteIdentity(frank);
        assertFalse(registry.contains(frank));
        assertFalse(registry.isVerified(frank));
        assertEq(address(registry.identity(frank)), address(0));
        assertEq(registry.investorCountry(frank), 0);
        assertEq(registry.investorCategory(frank), 0);
        assertFalse(registry.hasValidClaim(frank, KYC));
        // a deleted wallet can be registered afresh; one identity may hold several wallets
        registry.registerIdentity(frank, id, HK);
        registry.registerIdentity(grace, id, CN);
        vm.stopPrank();
        assertTrue(registry.isVerified(frank) && registry.isVerified(grace));
        assertEq(registry.investorCountry(grace), CN);
    }

    function test_BatchRegister() public {
        address[] memory wallets = new address[](2);
        (wallets[0], wallets[1]) = (frank, grace);
        IIdentity[] memory ids = new IIdentity[](2);
        IOnchainIdentity first = _newIdentity();
        _issueClaim(first, platformIssuer, KYC, block.timestamp + YEAR, 0);
        (ids[0], ids[1]) = (first, _newIdentity());
        uint16[] memory countries = new uint16[](2);
        (countries[0], countries[1]) = (HK, CN);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityRegistered(frank, ids[0]);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityRegistered(grace, ids[1]);
        vm.prank(agent);
        registry.batchRegisterIdentity(wallets, ids, countries);
        assertTrue(registry.isVerified(frank));
        assertTrue(registry.contains(grace));
        assertFalse(registry.isVerified(grace)); // its identity holds no claim
        assertEq(address(registry.identity(grace)), address(ids[1]));
        assertEq(registry.investorCountry(grace), CN);

        // all or nothing: a wallet already registered undoes the batch
        address henry = makeAddr("henry");
        (wallets[0], wallets[1]) = (henry, frank);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.IdentityAlreadyStored.selector, frank));
        registry.batchRegisterIdentity(wallets, ids, countries);
        assertFalse(registry.contains(henry));
        vm.startPrank(agent);
        vm.expectRevert(IdentityRegistry.LengthMismatch.selector);
        registry.batchRegisterIdentity(wallets, new IIdentity[](1), countries);
        vm.expectRevert(IdentityRegistry.LengthMismatch.selector);
        registry.batchRegisterIdentity(wallets, ids, new uint16[](3));
        vm.stopPrank();
    }

    function test_RecordErrors() public {
        IOnchainIdentity id = _newIdentity();
        vm.startPrank(agent);
        vm.expectRevert(IdentityRegistryStorage.ZeroAddress.selector);
        registry.registerIdentity(address(0), id, HK);
        vm.expectRevert(IdentityRegistryStorage.ZeroAddress.selector);
        registry.registerIdentity(frank, IIdentity(address(0)), HK);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.IdentityAlreadyStored.selector, alice));
        registry.registerIdentity(alice, id, HK);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.IdentityNotFound.selector, frank));
        registry.updateIdentity(frank, id);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.IdentityNotFound.selector, frank));
        registry.updateCountry(frank, HK);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.IdentityNotFound.selector, frank));
        registry.deleteIdentity(frank);
        vm.expectRevert(IdentityRegistryStorage.ZeroAddress.selector);
        registry.updateIdentity(alice, IIdentity(address(0)));
        vm.stopPrank();
    }

    /// AGENT_ROLE writes the records; DEFAULT_ADMIN_ROLE (the issuer) sets the storage and the registries.
    function test_AgentOnlyAndAdminOnly() public {
        IOnchainIdentity id = _newIdentity();
        bytes32 agentRole = registry.AGENT_ROLE();
        vm.startPrank(admin); // the admin is no agent
        vm.expectRevert(accessError(admin, agentRole));
        registry.registerIdentity(frank, id, HK);
        vm.expectRevert(accessError(admin, agentRole));
        registry.batchRegisterIdentity(new address[](0), new IIdentity[](0), new uint16[](0));
        vm.expectRevert(accessError(admin, agentRole));
        registry.updateIdentity(alice, id);
        vm.expectRevert(accessError(admin, agentRole));
        registry.updateCountry(alice, CN);
        vm.expectRevert(accessError(admin, agentRole));
        registry.deleteIdentity(alice);
        vm.stopPrank();

        vm.startPrank(agent);
        vm.expectRevert(accessError(agent, bytes32(0)));
        registry.setIdentityRegistryStorage(address(identityStorage));
        vm.expectRevert(accessError(agent, bytes32(0)));
        registry.setClaimTopicsRegistry(address(topicsRegistry));
        vm.expectRevert(accessError(agent, bytes32(0)));
        registry.setTrustedIssuersRegistry(address(issuersRegistry));
        vm.stopPrank();

        vm.startPrank(admin);
        vm.expectRevert(IdentityRegistry.ZeroAddress.selector);
        registry.setIdentityRegistryStorage(address(0));
        vm.expectRevert(IdentityRegistry.ZeroAddress.selector);
        registry.setClaimTopicsRegistry(address(0));
        vm.expectRevert(IdentityRegistry.ZeroAddress.selector);
        registry.setTrustedIssuersRegistry(address(0));
        // a topics registry requiring nothing: every registered wallet verifies
        ClaimTopicsRegistry noTopics = new ClaimTopicsRegistry(admin);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.ClaimTopicsRegistrySet(address(noTopics));
        registry.setClaimTopicsRegistry(address(noTopics));
        // an issuers registry trusting nobody: no claim counts
        TrustedIssuersRegistry nobody = new TrustedIssuersRegistry(admin);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.TrustedIssuersRegistrySet(address(nobody));
        registry.setTrustedIssuersRegistry(address(nobody));
        vm.stopPrank();
        assertEq(registry.topicsRegistry(), address(noTopics));
        assertEq(registry.issuersRegistry(), address(nobody));
        assertTrue(registry.isVerified(alice));
        assertEq(registry.investorCategory(alice), 0);
        assertFalse(registry.hasValidClaim(bob, CWM_ELIGIBILITY));
        vm.prank(admin);
        registry.setClaimTopicsRegistry(address(topicsRegistry));
        assertFalse(registry.isVerified(alice));
    }

    // ------------------------------------------------------------------ the identity storage

    /// A registry writes the storage only while bound to it; several bound registries share its records
    /// (one onboarding for several tokens).
    function test_StorageMustBeBound() public {
        vm.prank(admin);
        IdentityRegistry second = new IdentityRegistry(
            admin, agent, address(identityStorage), address(topicsRegistry), address(issuersRegistry)
        );
        IOnchainIdentity id = _newIdentity();
        _issueClaim(id, platformIssuer, KYC, block.timestamp + YEAR, 0);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.OnlyBoundRegistry.selector, address(second)));
        second.registerIdentity(frank, id, HK);
        assertTrue(second.isVerified(alice)); // reads need no binding

        vm.expectEmit(address(identityStorage));
        emit IdentityRegistryStorage.IdentityRegistryBound(address(second));
        vm.prank(admin);
        identityStorage.bindIdentityRegistry(address(second));
        assertEq(identityStorage.linkedIdentityRegistries().length, 2);
        vm.prank(agent);
        second.registerIdentity(frank, id, HK);
        assertTrue(registry.isVerified(frank)); // shared records

        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.RegistryAlreadyBound.selector, address(second)));
        identityStorage.bindIdentityRegistry(address(second));
        vm.expectRevert(IdentityRegistryStorage.ZeroAddress.selector);
        identityStorage.bindIdentityRegistry(address(0));
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.RegistryNotBound.selector, alice));
        identityStorage.unbindIdentityRegistry(alice);
        vm.expectEmit(address(identityStorage));
        emit IdentityRegistryStorage.IdentityRegistryUnbound(address(second));
        identityStorage.unbindIdentityRegistry(address(second));
        vm.stopPrank();
        address[] memory linked = identityStorage.linkedIdentityRegistries();
        assertEq(linked.length, 1);
        assertEq(linked[0], address(registry));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.OnlyBoundRegistry.selector, address(second)));
        second.deleteIdentity(frank);

        // nobody else writes the storage, nor binds registries
        vm.startPrank(agent);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.OnlyBoundRegistry.selector, agent));
        identityStorage.addIdentityToStorage(grace, id, HK);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.OnlyBoundRegistry.selector, agent));
        identityStorage.removeIdentityFromStorage(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        identityStorage.bindIdentityRegistry(agent);
        vm.stopPrank();

        // a registry moved to a storage it is not bound to reads that storage's (empty) records and
        // cannot write them
        vm.startPrank(admin);
        IdentityRegistryStorage fresh = new IdentityRegistryStorage(admin);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityStorageSet(address(fresh));
        registry.setIdentityRegistryStorage(address(fresh));
        vm.stopPrank();
        assertFalse(registry.contains(alice));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistryStorage.OnlyBoundRegistry.selector, address(registry)));
        registry.registerIdentity(alice, id, HK);
    }

    function test_AtMostMaxRegistriesBound() public {
        vm.startPrank(admin);
        uint256 max = identityStorage.MAX_REGISTRIES();
        for (uint256 i = 1; i < max; ++i) {
            identityStorage.bindIdentityRegistry(address(uint160(0x10000 + i)));
        }
        vm.expectRevert(IdentityRegistryStorage.TooManyRegistries.selector);
        identityStorage.bindIdentityRegistry(grace);
        identityStorage.unbindIdentityRegistry(address(0x10001)); // room again
        identityStorage.bindIdentityRegistry(grace);
        vm.stopPrank();
        assertEq(identityStorage.linkedIdentityRegistries().length, max);
    }

    // ------------------------------------------------------------------ verification by claims

    /// Verified only with a current, valid KYC claim from an issuer trusted for KYC; an unregistered
    /// wallet never.
    function test_VerifiedOnlyWithAKycClaim() public {
        assertFalse(registry.isVerified(frank)); // not registered
        IOnchainIdentity id = _registerBare(frank, HK);
        assertFalse(registry.isVerified(frank)); // no claim
        _issueClaim(id, platformIssuer, INVESTOR_CATEGORY, block.timestamp + YEAR, PROFESSIONAL);
        assertFalse(registry.isVerified(frank)); // a claim of another topic
        _issueClaim(id, platformIssuer, KYC, block.timestamp + YEAR, 0);
        assertTrue(registry.isVerified(frank));
        assertTrue(registry.hasValidClaim(frank, KYC));
        // the identity removes the claim: no longer verified
        vm.prank(agent);
        id.removeClaim(_claimId(address(platformIssuer.issuer), KYC));
        assertFalse(registry.isVerified(frank));
    }

    /// A claim counts up to and including its validUntil, then no more; a new claim with a later date
    /// counts again.
    function test_ExpiredClaimDoesNotCount() public {
        uint256 until = block.timestamp + 100;
        IOnchainIdentity id = _onboard(frank, HK, PROFESSIONAL, DIRECT, until);
        vm.warp(until);
        assertTrue(registry.isVerified(frank));
        assertEq(registry.investorCategory(frank), PROFESSIONAL);
        vm.warp(until + 1);
        assertFalse(registry.isVerified(frank));
        assertEq(registry.investorCategory(frank), 0); // the category claim lapsed too
        _issueClaim(id, platformIssuer, KYC, block.timestamp + YEAR, 0);
        assertTrue(registry.isVerified(frank));
    }

    /// The issuer revokes the claim (by its signature): the wallet stops verifying at once. The same claim
    /// (same data, so the same deterministic signature) cannot be added again; a new one counts.
    function test_RevokedClaimDoesNotCount() public {
        IOnchainIdentity id = _identityOf(alice);
        bytes memory sig = _revokeClaim(id, platformIssuer, KYC);
        assertTrue(platformIssuer.issuer.isClaimRevoked(sig));
        assertFalse(registry.isVerified(alice));
        assertTrue(registry.isVerified(carol)); // other claims of the issuer still count
        vm.prank(platformIssuer.signer);
        vm.expectRevert(bytes("Conflict: Claim already revoked"));
        platformIssuer.issuer.revokeClaimBySignature(sig);
        // only the issuer's key revokes
        bytes memory carolSig = _storedSig(_identityOf(carol), platformIssuer, KYC);
        vm.prank(agent);
        vm.expectRevert(bytes("Permissions: Sender does not have management key"));
        platformIssuer.issuer.revokeClaimBySignature(carolSig);

        bytes memory data = _claimData(START + 10 * YEAR, 0);
        assertEq(_signClaim(platformIssuer.key, address(id), KYC, data), sig);
        vm.prank(agent);
        vm.expectRevert(bytes("invalid claim"));
        id.addClaim(KYC, ECDSA_SCHEME, address(platformIssuer.issuer), sig, data, "");
        _issueClaim(id, platformIssuer, KYC, START + 10 * YEAR + 1, 0);
        assertTrue(registry.isVerified(alice));
    }

    /// The signature of the `topic` claim by `s` that `id` holds.
    function _storedSig(IOnchainIdentity id, ClaimSigner memory s, uint256 topic)
        internal
        view
        returns (bytes memory sig)
    {
        (,,, sig,,) = id.getClaim(_claimId(address(s.issuer), topic));
    }

    /// The token's issuer stops trusting the platform: none of its claims counts (KYC, category); trusted
    /// again, they count again.
    function test_DistrustedIssuerClaimsDoNotCount() public {
        vm.expectEmit(address(issuersRegistry));
        emit TrustedIssuersRegistry.TrustedIssuerRemoved(platformIssuer.issuer);
        vm.prank(admin);
        issuersRegistry.removeTrustedIssuer(platformIssuer.issuer);
        assertFalse(registry.isVerified(alice));
        assertFalse(registry.isVerified(bob));
        assertEq(registry.investorCategory(bob), 0);
        assertTrue(registry.hasValidClaim(bob, CWM_ELIGIBILITY)); // the CWM bank is still trusted
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, alice));
        token.mint(alice, TOKEN);

        vm.prank(admin);
        issuersRegistry.addTrustedIssuer(platformIssuer.issuer, _topics(KYC, INVESTOR_CATEGORY));
        assertTrue(registry.isVerified(alice));
        assertEq(registry.investorCategory(bob), INSTITUTIONAL);
        mint(alice, TOKEN);
    }

    /// A claim counts only from an issuer trusted for its topic: the CWM bank's KYC claim does not, until
    /// the bank is trusted for KYC too; the platform trusted for the category only no longer verifies.
    function test_IssuerTrustedForAnotherTopicDoesNotCount() public {
        IOnchainIdentity id = _registerBare(frank, HK);
        _issueClaim(id, cwmBank, KYC, block.timestamp + YEAR, 0);
        assertFalse(registry.isVerified(frank));
        vm.expectEmit(address(issuersRegistry));
        emit TrustedIssuersRegistry.ClaimTopicsUpdated(cwmBank.issuer, _topics(CWM_ELIGIBILITY, KYC));
        vm.prank(admin);
        issuersRegistry.updateIssuerClaimTopics(cwmBank.issuer, _topics(CWM_ELIGIBILITY, KYC));
        assertTrue(registry.isVerified(frank));
        assertTrue(issuersRegistry.hasClaimTopic(address(cwmBank.issuer), KYC));

        vm.prank(admin);
        issuersRegistry.updateIssuerClaimTopics(platformIssuer.issuer, _topics(INVESTOR_CATEGORY));
        assertFalse(registry.isVerified(alice));
        assertEq(registry.investorCategory(alice), PROFESSIONAL);
        assertEq(issuersRegistry.getTrustedIssuersForClaimTopic(KYC).length, 1);
    }

    /// A claim from an issuer nobody trusts does not count, however well signed.
    function test_UntrustedIssuerClaimDoesNotCount() public {
        ClaimSigner memory rogue = _deployClaimIssuer("rogue");
        IOnchainIdentity id = _registerBare(frank, HK);
        bytes memory sig = _issueClaim(id, rogue, KYC, block.timestamp + YEAR, 0);
        assertTrue(rogue.issuer.isClaimValid(id, KYC, sig, _claimData(block.timestamp + YEAR, 0)));
        assertFalse(registry.isVerified(frank));
        vm.prank(admin);
        issuersRegistry.addTrustedIssuer(rogue.issuer, _topics(KYC));
        assertTrue(registry.isVerified(frank));
    }

    /// A claim naming the platform but signed by a key the platform does not hold: ONCHAINID refuses to
    /// store it, and an identity that stores it anyway (not ONCHAINID) is not verified, since the registry
    /// asks the issuer; an identity whose getClaim reverts counts as holding nothing.
    function test_ClaimSignedByANonIssuerKeyDoesNotCount() public {
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        bytes memory data = _claimData(block.timestamp + YEAR, 0);
        IOnchainIdentity id = _registerBare(frank, HK);
        bytes memory forgedSig = _signClaim(malloryKey, address(id), KYC, data);
        vm.prank(agent);
        vm.expectRevert(bytes("invalid claim"));
        id.addClaim(KYC, ECDSA_SCHEME, address(platformIssuer.issuer), forgedSig, data, "");

        ForgedIdentity forged = new ForgedIdentity();
        vm.prank(agent);
        registry.registerIdentity(grace, forged, HK);
        address platformContract = address(platformIssuer.issuer);
        bytes32 platformKyc = _claimId(platformContract, KYC);
        forged.setClaim(platformKyc, KYC, platformContract, _signClaim(malloryKey, address(forged), KYC, data), data);
        assertFalse(registry.isVerified(grace));
        // the platform's own signature on the same claim: verified (the forged identity answers as ONCHAINID)
        bytes memory platformSig = _signClaim(platformIssuer.key, address(forged), KYC, data);
        forged.setClaim(platformKyc, KYC, platformContract, platformSig, data);
        assertTrue(registry.isVerified(grace));
        // under the platform's claim id, a claim naming another issuer (validly signed by it) or of another
        // topic does not count
        bytes memory bankSig = _signClaim(cwmBank.key, address(forged), KYC, data);
        forged.setClaim(platformKyc, KYC, address(cwmBank.issuer), bankSig, data);
        assertFalse(registry.isVerified(grace));
        forged.setClaim(platformKyc, INVESTOR_CATEGORY, platformContract, platformSig, data);
        assertFalse(registry.isVerified(grace));
        forged.setClaim(platformKyc, KYC, platformContract, platformSig, data);
        assertTrue(registry.isVerified(grace));
        forged.breakIt();
        assertFalse(registry.isVerified(grace));
        assertEq(registry.investorCategory(grace), 0);
        assertTrue(registry.isVerified(alice)); // one broken identity blocks nobody else
    }

    /// Claims signed by a claim key the platform later removes stop counting (a compromised key rotated).
    function test_ClaimOfARemovedIssuerKeyDoesNotCount() public {
        (address desk, uint256 deskKey) = makeAddrAndKey("platform-desk");
        vm.prank(platformIssuer.signer);
        platformIssuer.issuer.addKey(_keyOf(desk), CLAIM_PURPOSE, ECDSA_KEY);
        IOnchainIdentity id = _registerBare(frank, HK);
        ClaimSigner memory deskSigner = ClaimSigner(platformIssuer.issuer, desk, deskKey);
        _issueClaim(id, deskSigner, KYC, block.timestamp + YEAR, 0);
        assertTrue(registry.isVerified(frank));
        vm.prank(platformIssuer.signer);
        platformIssuer.issuer.removeKey(_keyOf(desk), CLAIM_PURPOSE);
        assertFalse(registry.isVerified(frank));
        assertTrue(registry.isVerified(alice)); // signed by the management key, still held
    }

    /// Claim data shorter than abi.encode(validUntil, value) does not count, though validly signed.
    function test_MalformedClaimDataDoesNotCount() public {
        IOnchainIdentity id = _registerBare(frank, HK);
        _addClaimAs(agent, id, platformIssuer, KYC, abi.encode(block.timestamp + YEAR)); // 32 bytes
        assertFalse(registry.isVerified(frank));
        _addClaimAs(agent, id, platformIssuer, KYC, abi.encodePacked(block.timestamp + YEAR, bytes31(0))); // 63
        assertFalse(registry.isVerified(frank));
        _addClaimAs(agent, id, platformIssuer, KYC, "");
        assertFalse(registry.isVerified(frank));
        _addClaimAs(agent, id, platformIssuer, INVESTOR_CATEGORY, abi.encode(block.timestamp + YEAR));
        assertEq(registry.investorCategory(frank), 0);
        _addClaimAs(agent, id, platformIssuer, KYC, _claimData(block.timestamp + YEAR, 0)); // 64 bytes
        assertTrue(registry.isVerified(frank));
    }

    // ------------------------------------------------------------------ the claim topics registry

    /// With no topic required every registered wallet verifies (an unregistered one still not); each
    /// added topic is required of everyone.
    function test_RequiredTopics() public {
        IOnchainIdentity id = _registerBare(frank, HK);
        vm.expectEmit(address(topicsRegistry));
        emit ClaimTopicsRegistry.ClaimTopicRemoved(KYC);
        vm.prank(admin);
        topicsRegistry.removeClaimTopic(KYC);
        assertEq(topicsRegistry.getClaimTopics().length, 0);
        assertTrue(registry.isVerified(frank));
        assertFalse(registry.isVerified(grace));

        vm.expectEmit(address(topicsRegistry));
        emit ClaimTopicsRegistry.ClaimTopicAdded(CWM_ELIGIBILITY);
        vm.prank(admin);
        topicsRegistry.addClaimTopic(CWM_ELIGIBILITY);
        assertFalse(registry.isVerified(alice));
        assertTrue(registry.isVerified(bob));
        assertFalse(registry.isVerified(frank));
        vm.prank(admin);
        topicsRegistry.addClaimTopic(KYC);
        assertTrue(registry.isVerified(bob));
        _issueClaim(id, cwmBank, CWM_ELIGIBILITY, block.timestamp + YEAR, 1);
        assertFalse(registry.isVerified(frank)); // no KYC
        _issueClaim(id, platformIssuer, KYC, block.timestamp + YEAR, 0);
        assertTrue(registry.isVerified(frank));
    }

    function test_ClaimTopicsRegistryErrors() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(ClaimTopicsRegistry.TopicAlreadyAdded.selector, KYC));
        topicsRegistry.addClaimTopic(KYC);
        vm.expectRevert(abi.encodeWithSelector(ClaimTopicsRegistry.TopicNotFound.selector, 99));
        topicsRegistry.removeClaimTopic(99);
        uint256 max = topicsRegistry.MAX_TOPICS();
        for (uint256 t = 100; t < 100 + max - 1; ++t) {
            topicsRegistry.addClaimTopic(t);
        }
        assertEq(topicsRegistry.getClaimTopics().length, max);
        vm.expectRevert(ClaimTopicsRegistry.TooManyTopics.selector);
        topicsRegistry.addClaimTopic(999);
        topicsRegistry.removeClaimTopic(KYC);
        topicsRegistry.addClaimTopic(999);
        vm.stopPrank();
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        topicsRegistry.addClaimTopic(7);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        topicsRegistry.removeClaimTopic(999);
    }

    // ------------------------------------------------------------------ the trusted issuers registry

    function test_TrustedIssuersRegistry() public {
        IClaimIssuer rogue = IClaimIssuer(makeAddr("rogue-issuer"));
        assertTrue(issuersRegistry.isTrustedIssuer(address(platformIssuer.issuer)));
        assertFalse(issuersRegistry.isTrustedIssuer(address(rogue)));
        assertTrue(issuersRegistry.hasClaimTopic(address(platformIssuer.issuer), KYC));
        assertFalse(issuersRegistry.hasClaimTopic(address(platformIssuer.issuer), CWM_ELIGIBILITY));
        IClaimIssuer[] memory forKyc = issuersRegistry.getTrustedIssuersForClaimTopic(KYC);
        assertEq(forKyc.length, 1);
        assertEq(address(forKyc[0]), address(platformIssuer.issuer));

        uint256[] memory topics = _topics(KYC, CWM_ELIGIBILITY);
        vm.expectEmit(address(issuersRegistry));
        emit TrustedIssuersRegistry.TrustedIssuerAdded(rogue, topics);
        vm.prank(admin);
        issuersRegistry.addTrustedIssuer(rogue, topics);
        assertEq(issuersRegistry.getTrustedIssuersForClaimTopic(KYC).length, 2);
        assertEq(issuersRegistry.getTrustedIssuersForClaimTopic(CWM_ELIGIBILITY).length, 2);
        assertEq(issuersRegistry.getTrustedIssuers().length, 3);
        vm.prank(admin);
        issuersRegistry.updateIssuerClaimTopics(rogue, _topics(INVESTOR_CATEGORY));
        assertEq(issuersRegistry.getTrustedIssuersForClaimTopic(KYC).length, 1);
        assertEq(issuersRegistry.getTrustedIssuersForClaimTopic(INVESTOR_CATEGORY).length, 2);
        vm.prank(admin);
        issuersRegistry.removeTrustedIssuer(rogue);
        assertEq(issuersRegistry.getTrustedIssuers().length, 2);
        assertEq(issuersRegistry.getTrustedIssuersForClaimTopic(INVESTOR_CATEGORY).length, 1);
        assertFalse(issuersRegistry.isTrustedIssuer(address(rogue)));
        // an "issuer" with no contract behind it, trusted by mistake, blocks nobody's verification: the
        // registry reads each identity's claim by its id, and asks an issuer only about a claim it signed
        vm.prank(admin);
        issuersRegistry.addTrustedIssuer(rogue, _topics(KYC));
        assertTrue(registry.isVerified(alice));
        _registerBare(frank, HK);
        assertFalse(registry.isVerified(frank));
    }

    function test_TrustedIssuersRegistryErrors() public {
        IClaimIssuer platformContract = platformIssuer.issuer;
        IClaimIssuer unknown = IClaimIssuer(makeAddr("unknown-issuer"));
        vm.startPrank(admin);
        vm.expectRevert(TrustedIssuersRegistry.ZeroAddress.selector);
        issuersRegistry.addTrustedIssuer(IClaimIssuer(address(0)), _topics(KYC));
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.IssuerAlreadyTrusted.selector, platformContract));
        issuersRegistry.addTrustedIssuer(platformContract, _topics(KYC));
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.InvalidTopics.selector, 0));
        issuersRegistry.addTrustedIssuer(unknown, new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.InvalidTopics.selector, 2));
        issuersRegistry.addTrustedIssuer(unknown, _topics(KYC, KYC)); // duplicates
        uint256 maxTopics = issuersRegistry.MAX_TOPICS();
        uint256[] memory tooMany = new uint256[](maxTopics + 1);
        for (uint256 i = 0; i < tooMany.length; ++i) {
            tooMany[i] = i + 1;
        }
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.InvalidTopics.selector, maxTopics + 1));
        issuersRegistry.addTrustedIssuer(unknown, tooMany);
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.IssuerNotTrusted.selector, unknown));
        issuersRegistry.removeTrustedIssuer(unknown);
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.IssuerNotTrusted.selector, unknown));
        issuersRegistry.updateIssuerClaimTopics(unknown, _topics(KYC));
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.InvalidTopics.selector, 0));
        issuersRegistry.updateIssuerClaimTopics(platformContract, new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.InvalidTopics.selector, 2));
        issuersRegistry.updateIssuerClaimTopics(platformContract, _topics(KYC, KYC));
        vm.expectRevert(abi.encodeWithSelector(TrustedIssuersRegistry.IssuerNotTrusted.selector, unknown));
        issuersRegistry.getTrustedIssuerClaimTopics(unknown);
        // at most MAX_ISSUERS
        uint256 maxIssuers = issuersRegistry.MAX_ISSUERS();
        for (uint256 i = issuersRegistry.getTrustedIssuers().length; i < maxIssuers; ++i) {
            issuersRegistry.addTrustedIssuer(IClaimIssuer(address(uint160(0x20000 + i))), _topics(99));
        }
        vm.expectRevert(TrustedIssuersRegistry.TooManyIssuers.selector);
        issuersRegistry.addTrustedIssuer(unknown, _topics(KYC));
        assertEq(issuersRegistry.getTrustedIssuersForClaimTopic(99).length, maxIssuers - 2);
        assertTrue(registry.isVerified(alice)); // verification walks only the issuers of its topic
        vm.stopPrank();

        vm.startPrank(agent);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        issuersRegistry.addTrustedIssuer(unknown, _topics(KYC));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        issuersRegistry.removeTrustedIssuer(platformContract);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        issuersRegistry.updateIssuerClaimTopics(platformContract, _topics(KYC));
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ the investor category

    /// The category is the value of a current, valid INVESTOR_CATEGORY claim from a trusted issuer: 0
    /// (retail) when there is none, or when its value is out of range; a new claim replaces the old.
    function test_InvestorCategoryFromTheClaim() public {
        assertEq(registry.investorCategory(alice), PROFESSIONAL);
        assertEq(registry.investorCategory(bob), INSTITUTIONAL);
        assertEq(registry.investorCategory(dave), RETAIL);
        assertEq(registry.investorCategory(frank), 0); // not registered
        IOnchainIdentity id = _registerBare(frank, HK);
        assertEq(registry.investorCategory(frank), 0); // no claim
        _issueClaim(id, platformIssuer, INVESTOR_CATEGORY, block.timestamp + YEAR, INSTITUTIONAL);
        assertEq(registry.investorCategory(frank), INSTITUTIONAL);
        _issueClaim(id, platformIssuer, INVESTOR_CATEGORY, block.timestamp + YEAR, 3); // out of range
        assertEq(registry.investorCategory(frank), 0);
        _issueClaim(id, platformIssuer, INVESTOR_CATEGORY, block.timestamp + YEAR, type(uint256).max);
        assertEq(registry.investorCategory(frank), 0);
        _issueClaim(id, cwmBank, INVESTOR_CATEGORY, block.timestamp + YEAR, PROFESSIONAL); // not trusted for it
        assertEq(registry.investorCategory(frank), 0);
        // the platform re-attests alice as retail: the compliance refuses her from then on
        _issueClaim(_identityOf(alice), platformIssuer, INVESTOR_CATEGORY, block.timestamp + YEAR, RETAIL);
        assertEq(registry.investorCategory(alice), RETAIL);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), alice, TOKEN));
        token.mint(alice, TOKEN);
        _revokeClaim(_identityOf(bob), platformIssuer, INVESTOR_CATEGORY);
        assertEq(registry.investorCategory(bob), 0);
        assertTrue(registry.isVerified(bob)); // the category is not a required topic
    }

    // ------------------------------------------------------------------ the CountryClaimModule

    /// A mainland receiver needs the CWM bank's eligibility claim (bob has it); an HK one does not; burns
    /// always pass.
    function test_MainlandReceiverNeedsCwmEligibility() public {
        register(grace, CN, INSTITUTIONAL, DIRECT); // verified, but no CWM eligibility
        assertTrue(registry.isVerified(grace));
        assertFalse(countryClaim.moduleCheck(alice, grace, 1));
        assertTrue(countryClaim.moduleCheck(alice, bob, 1));
        assertTrue(countryClaim.moduleCheck(alice, carol, 1)); // HK, nominee: nothing required
        assertTrue(countryClaim.moduleCheck(grace, address(0), 1));
        assertEq(compliance.refusingModule(address(0), grace, TOKEN), address(countryClaim));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), grace, TOKEN));
        token.mint(grace, TOKEN);
        mint(bob, TOKEN);
        mint(carol, TOKEN);
        mint(alice, 10 * TOKEN);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, grace, TOKEN));
        token.transfer(grace, TOKEN);

        // the platform's CWM claim does not count: only the CWM bank is trusted for it
        IOnchainIdentity id = _identityOf(grace);
        _issueClaim(id, platformIssuer, CWM_ELIGIBILITY, block.timestamp + YEAR, 1);
        assertFalse(countryClaim.moduleCheck(alice, grace, 1));
        // the CWM bank's claim, valid a day
        _issueClaim(id, cwmBank, CWM_ELIGIBILITY, block.timestamp + DAY, 1);
        vm.prank(alice);
        token.transfer(grace, TOKEN);
        vm.warp(block.timestamp + DAY + 1);
        assertFalse(token.canTransfer(alice, grace, TOKEN));
        assertTrue(token.canTransfer(alice, carol, TOKEN));

        // the CWM bank revokes bob's eligibility: he may no longer receive, but may still send
        _revokeClaim(_identityOf(bob), cwmBank, CWM_ELIGIBILITY);
        assertTrue(registry.isVerified(bob));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, bob, TOKEN));
        token.transfer(bob, TOKEN);
        vm.prank(bob);
        token.transfer(alice, TOKEN);
        vm.prank(agent);
        token.burn(grace, TOKEN);
    }

    /// The owner lifts the mainland requirement (topic 0) or sets one for another country.
    function test_ClaimRequirementSetAndLifted() public {
        register(grace, CN, INSTITUTIONAL, DIRECT);
        vm.expectEmit(address(countryClaim));
        emit CountryClaimModule.ClaimRequirementSet(CN, 0);
        vm.prank(admin);
        countryClaim.setRequiredClaim(CN, 0);
        assertEq(countryClaim.requiredTopic(CN), 0);
        assertTrue(countryClaim.moduleCheck(alice, grace, 1));
        mint(grace, TOKEN);

        vm.prank(admin);
        countryClaim.setRequiredClaim(HK, CWM_ELIGIBILITY);
        assertFalse(countryClaim.moduleCheck(grace, alice, 1));
        assertTrue(countryClaim.moduleCheck(grace, frank, 1)); // unregistered: country 0 (the token refuses it)
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), alice, TOKEN));
        token.mint(alice, TOKEN);
        assertEq(countryClaim.name(), "CountryClaimModule");
        assertFalse(countryClaim.needsHistory());

        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        countryClaim.setRequiredClaim(CN, CWM_ELIGIBILITY);
    }

    // ------------------------------------------------------------------ fuzz

    /// isVerified == registered with a KYC claim whose date has not passed, not revoked, from an issuer
    /// still trusted; the category is the claim's value while current, trusted and in range (else 0); the
    /// country is the registered one; for any date, time, country and category.
    function testFuzz_IsVerifiedFollowsTheClaims(
        uint256 validUntil,
        uint256 later,
        uint16 country,
        uint8 category,
        bool revoke,
        bool distrust
    ) public {
        validUntil = bound(validUntil, block.timestamp - 10 * DAY, block.timestamp + 20 * YEAR);
        _onboard(frank, country, category, DIRECT, validUntil);
        if (revoke) _revokeClaim(_identityOf(frank), platformIssuer, KYC);
        if (distrust) {
            vm.prank(admin);
            issuersRegistry.removeTrustedIssuer(platformIssuer.issuer);
        }
        vm.warp(block.timestamp + bound(later, 0, 25 * YEAR));
        bool current = block.timestamp <= validUntil;
        assertEq(registry.isVerified(frank), current && !revoke && !distrust);
        assertEq(registry.hasValidClaim(frank, KYC), current && !revoke && !distrust);
        assertEq(registry.investorCategory(frank), current && !distrust && category <= 2 ? category : 0);
        assertEq(registry.investorCountry(frank), country);
        assertTrue(registry.contains(frank));
    }
}
