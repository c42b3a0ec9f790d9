// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IdentityRegistry} from "../src/identity/IdentityRegistry.sol";
import {IIdentityRegistry} from "../src/identity/IIdentityRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";

contract IdentityRegistryTest is Fixture {
    function test_RegisterUpdateRevokeDelete() public {
        uint64 until = uint64(block.timestamp + YEAR);
        vm.startPrank(agent);
        vm.expectEmit(address(registry));
        emit IdentityRegistry.IdentityRegistered(frank, HK, PROFESSIONAL, DIRECT, until, agent);
        registry.registerIdentity(frank, HK, PROFESSIONAL, DIRECT, until);
        assertTrue(registry.isVerified(frank));
        assertTrue(registry.contains(frank));
        IIdentityRegistry.Identity memory id = registry.identity(frank);
        assertEq(id.country, HK);
        assertEq(id.category, PROFESSIONAL);
        assertEq(id.kycValidUntil, until);

        registry.updateIdentity(frank, CN, INSTITUTIONAL, CWM_SOUTHBOUND, until);
        assertEq(registry.investorCountry(frank), CN);
        assertEq(registry.investorCategory(frank), INSTITUTIONAL);

        registry.revoke(frank);
        assertFalse(registry.isVerified(frank));
        assertTrue(registry.contains(frank));
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.AlreadyRevoked.selector, frank));
        registry.revoke(frank);
        // an update keeps the revocation
        registry.updateIdentity(frank, HK, PROFESSIONAL, DIRECT, until);
        assertFalse(registry.isVerified(frank));

        registry.deleteIdentity(frank);
        assertFalse(registry.contains(frank));
        assertEq(registry.investorCountry(frank), 0);
        // a deleted wallet can be registered afresh
        registry.registerIdentity(frank, HK, PROFESSIONAL, DIRECT, until);
        assertTrue(registry.isVerified(frank));
        vm.stopPrank();
    }

    function test_KycExpiry() public {
        uint64 until = uint64(block.timestamp + 100);
        vm.prank(agent);
        registry.registerIdentity(frank, HK, PROFESSIONAL, DIRECT, until);
        vm.warp(until);
        assertTrue(registry.isVerified(frank));
        vm.warp(until + 1);
        assertFalse(registry.isVerified(frank));
    }

    function test_Errors() public {
        vm.startPrank(agent);
        vm.expectRevert(IdentityRegistry.ZeroAddress.selector);
        registry.registerIdentity(address(0), HK, 1, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.IdentityAlreadyExists.selector, alice));
        registry.registerIdentity(alice, HK, 1, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.InvalidCategory.selector, 3));
        registry.registerIdentity(frank, HK, 3, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.InvalidChannel.selector, 3));
        registry.registerIdentity(frank, HK, 1, 3, 1);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.IdentityNotFound.selector, frank));
        registry.updateIdentity(frank, HK, 1, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.IdentityNotFound.selector, frank));
        registry.deleteIdentity(frank);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.IdentityNotFound.selector, frank));
        registry.revoke(frank);
        address[] memory wallets = new address[](1);
        vm.expectRevert(IdentityRegistry.LengthMismatch.selector);
        registry.batchRegisterIdentity(wallets, new uint16[](2), new uint8[](1), new uint8[](1), new uint64[](1));
        vm.stopPrank();
        bytes32 agentRole = registry.AGENT_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, agentRole));
        registry.registerIdentity(frank, HK, 1, 0, 1);
    }

    function test_BatchRegister() public {
        address[] memory wallets = new address[](2);
        wallets[0] = frank;
        wallets[1] = makeAddr("grace");
        uint16[] memory countries = new uint16[](2);
        countries[0] = HK;
        countries[1] = CN;
        uint8[] memory categories = new uint8[](2);
        uint8[] memory channels = new uint8[](2);
        uint64[] memory untils = new uint64[](2);
        untils[0] = untils[1] = uint64(block.timestamp + 1);
        vm.prank(agent);
        registry.batchRegisterIdentity(wallets, countries, categories, channels, untils);
        assertTrue(registry.isVerified(frank));
        assertEq(registry.investorCountry(wallets[1]), CN);
    }

    /// isVerified == registered && not revoked && now <= kycValidUntil, for any record and any time.
    function testFuzz_IsVerifiedFollowsTheRecord(
        address wallet,
        uint16 country,
        uint8 category,
        uint8 channel,
        uint64 until,
        uint64 later,
        bool revoke
    ) public {
        vm.assume(wallet != address(0) && !registry.contains(wallet));
        category = uint8(bound(category, 0, 2));
        channel = uint8(bound(channel, 0, 2));
        vm.startPrank(agent);
        registry.registerIdentity(wallet, country, category, channel, until);
        if (revoke) registry.revoke(wallet);
        vm.stopPrank();
        vm.warp(block.timestamp + bound(later, 0, 20 * YEAR));
        assertEq(registry.isVerified(wallet), !revoke && block.timestamp <= until);
        assertEq(registry.investorCountry(wallet), country);
        assertEq(registry.investorCategory(wallet), category);
    }
}
