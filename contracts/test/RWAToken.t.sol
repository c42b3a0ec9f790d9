// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {RWAToken} from "../src/token/RWAToken.sol";
import {AgentRoles} from "../src/access/AgentRoles.sol";
import {IIdentityRegistry} from "../src/identity/IIdentityRegistry.sol";
import {LockupModule} from "../src/compliance/modules/LockupModule.sol";
import {RevenueDistributor} from "../src/distribution/RevenueDistributor.sol";
import {Fixture} from "./utils/Fixture.sol";
import {IOnchainIdentity} from "./utils/OnchainId.sol";

/// Unit and fuzz tests of the permissioned token under its full compliance (identity, pause, freezes,
/// the eight modules), its ERC-3643 token information and agent management, and wallet recovery: to a
/// management key of the investor's ONCHAINID, which the token registers with that identity while it deletes
/// the lost wallet; the balance moves with its frozen tokens, frozen status, lock-up tranches and revenue
/// entitlement, and the holder count stays right.
contract RWATokenTest is Fixture {
    // ------------------------------------------------------------------ unit

    function test_MetadataAndWiring() public view {
        assertEq(token.name(), "GBA Solar Revenue Token");
        assertEq(token.symbol(), "GBASOLAR");
        assertEq(token.decimals(), 18);
        assertEq(address(token.identityRegistry()), address(registry));
        assertEq(address(token.compliance()), address(compliance));
        assertEq(address(token.balanceObserver()), address(distributor));
        assertEq(compliance.token(), address(token));
        assertTrue(token.hasRole(token.AGENT_ROLE(), agent));
        assertTrue(token.hasRole(token.AGENT_ROLE(), address(offering)));
        assertTrue(token.hasRole(token.DEFAULT_ADMIN_ROLE(), admin));
    }

    function test_MintAndTransfer() public {
        mint(alice, 10 * TOKEN);
        assertEq(token.balanceOf(alice), 10 * TOKEN);
        assertEq(token.totalSupply(), 10 * TOKEN);
        vm.prank(alice);
        assertTrue(token.transfer(bob, 3 * TOKEN));
        assertEq(token.balanceOf(alice), 7 * TOKEN);
        assertEq(token.balanceOf(bob), 3 * TOKEN);
        vm.prank(alice);
        token.approve(carol, 2 * TOKEN);
        vm.prank(carol);
        token.transferFrom(alice, carol, 2 * TOKEN);
        assertEq(token.balanceOf(carol), 2 * TOKEN);
        assertEq(token.allowance(alice, carol), 0);
        assertEq(maxHolders.holderCount(), 3);
        assertEq(token.totalSupply(), 10 * TOKEN);
    }

    function test_TransferRefusals() public {
        mint(alice, 10 * TOKEN);
        // unregistered receiver
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, frank));
        token.transfer(frank, TOKEN);
        // denied country (KP), retail without authorisation: the compliance refuses
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, eve, TOKEN));
        token.transfer(eve, TOKEN);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, dave, TOKEN));
        token.transfer(dave, TOKEN);
        // frozen sender, frozen receiver
        vm.prank(agent);
        token.setAddressFrozen(bob, true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.WalletFrozen.selector, bob));
        token.transfer(bob, TOKEN);
        vm.prank(agent);
        token.setAddressFrozen(alice, true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.WalletFrozen.selector, alice));
        token.transfer(carol, TOKEN);
        vm.prank(agent);
        token.setAddressFrozen(alice, false);
        // partly frozen balance
        vm.prank(agent);
        token.freezePartialTokens(alice, 8 * TOKEN);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(RWAToken.InsufficientUnfrozenBalance.selector, alice, 2 * TOKEN, 3 * TOKEN)
        );
        token.transfer(carol, 3 * TOKEN);
        vm.prank(alice);
        token.transfer(carol, 2 * TOKEN);
        // KYC expired
        vm.warp(block.timestamp + 10 * YEAR + 1);
        assertFalse(registry.isVerified(carol));
        vm.prank(agent);
        token.unfreezePartialTokens(alice, 8 * TOKEN);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, carol));
        token.transfer(carol, TOKEN);
        assertEq(token.balanceOf(alice), 8 * TOKEN);
    }

    function test_PauseStopsPlainTransfersNotAgentActions() public {
        mint(alice, 10 * TOKEN);
        vm.prank(agent);
        token.pause();
        assertFalse(token.canTransfer(alice, bob, TOKEN));
        vm.prank(alice);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        token.transfer(bob, TOKEN);
        vm.startPrank(agent);
        token.mint(bob, TOKEN);
        token.forcedTransfer(alice, carol, TOKEN);
        token.burn(alice, TOKEN);
        token.unpause();
        vm.stopPrank();
        vm.prank(alice);
        token.transfer(bob, TOKEN);
        assertEq(token.balanceOf(alice), 7 * TOKEN);
        assertEq(token.balanceOf(bob), 2 * TOKEN);
        assertEq(token.balanceOf(carol), TOKEN);
    }

    function test_MintRefusals() public {
        vm.startPrank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, frank));
        token.mint(frank, TOKEN);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), eve, TOKEN));
        token.mint(eve, TOKEN);
        token.setAddressFrozen(alice, true);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.WalletFrozen.selector, alice));
        token.mint(alice, TOKEN);
        vm.stopPrank();
        bytes32 agentRole = token.AGENT_ROLE();
        vm.prank(alice);
        vm.expectRevert(accessError(alice, agentRole));
        token.mint(alice, TOKEN);
    }

    function test_BurnEatsFrozenTokens() public {
        mint(alice, 10 * TOKEN);
        vm.startPrank(agent);
        token.freezePartialTokens(alice, 6 * TOKEN);
        token.burn(alice, 7 * TOKEN); // 4 free + 3 frozen
        assertEq(token.balanceOf(alice), 3 * TOKEN);
        assertEq(token.getFrozenTokens(alice), 3 * TOKEN);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 3 * TOKEN, 4 * TOKEN)
        );
        token.burn(alice, 4 * TOKEN);
        token.burn(alice, 3 * TOKEN);
        vm.stopPrank();
        assertEq(token.getFrozenTokens(alice), 0);
        assertEq(token.totalSupply(), 0);
        assertEq(maxHolders.holderCount(), 0);
    }

    function test_ForcedTransfer() public {
        mint(alice, 10 * TOKEN);
        vm.startPrank(agent);
        token.setAddressFrozen(alice, true);
        token.freezePartialTokens(alice, 9 * TOKEN);
        vm.expectEmit(address(token));
        emit RWAToken.ForcedTransfer(alice, bob, 5 * TOKEN, agent);
        token.forcedTransfer(alice, bob, 5 * TOKEN); // 1 free + 4 frozen
        assertEq(token.getFrozenTokens(alice), 5 * TOKEN);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.SameAddress.selector, bob));
        token.forcedTransfer(bob, bob, TOKEN);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, frank));
        token.forcedTransfer(alice, frank, TOKEN);
        token.setAddressFrozen(carol, true);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.WalletFrozen.selector, carol));
        token.forcedTransfer(alice, carol, TOKEN);
        vm.stopPrank();
        assertEq(token.balanceOf(alice), 5 * TOKEN);
        assertEq(token.balanceOf(bob), 5 * TOKEN);
    }

    function test_FreezeErrorsAndBatches() public {
        mint(alice, 10 * TOKEN);
        mint(bob, 5 * TOKEN);
        vm.startPrank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.FreezeExceedsBalance.selector, alice, 10 * TOKEN, 11 * TOKEN));
        token.freezePartialTokens(alice, 11 * TOKEN);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.UnfreezeExceedsFrozen.selector, alice, 0, 1));
        token.unfreezePartialTokens(alice, 1);

        address[] memory wallets = new address[](2);
        wallets[0] = alice;
        wallets[1] = bob;
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = 4 * TOKEN;
        amounts[1] = 5 * TOKEN;
        token.batchFreezePartialTokens(wallets, amounts);
        assertEq(token.getFrozenTokens(alice), 4 * TOKEN);
        assertEq(token.getFrozenTokens(bob), 5 * TOKEN);
        token.batchUnfreezePartialTokens(wallets, amounts);
        assertEq(token.getFrozenTokens(bob), 0);
        bool[] memory flags = new bool[](2);
        flags[0] = true;
        token.batchSetAddressFrozen(wallets, flags);
        assertTrue(token.isFrozen(alice));
        assertFalse(token.isFrozen(bob));
        token.setAddressFrozen(alice, false);
        token.batchMint(wallets, amounts);
        assertEq(token.balanceOf(bob), 10 * TOKEN);
        token.batchBurn(wallets, amounts);
        address[] memory tos = new address[](2);
        tos[0] = carol;
        tos[1] = carol;
        token.batchForcedTransfer(wallets, tos, amounts);
        assertEq(token.balanceOf(carol), 9 * TOKEN);
        uint256[] memory one = new uint256[](1);
        vm.expectRevert(RWAToken.LengthMismatch.selector);
        token.batchMint(wallets, one);
        vm.expectRevert(RWAToken.LengthMismatch.selector);
        token.batchForcedTransfer(wallets, tos, one);
        vm.stopPrank();

        vm.prank(bob);
        vm.expectRevert(RWAToken.LengthMismatch.selector);
        token.batchTransfer(wallets, one);
        assertEq(token.totalSupply(), 15 * TOKEN);
    }

    function test_BatchTransfer() public {
        mint(alice, 10 * TOKEN);
        address[] memory tos = new address[](2);
        tos[0] = bob;
        tos[1] = carol;
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = TOKEN;
        amounts[1] = 2 * TOKEN;
        vm.prank(alice);
        token.batchTransfer(tos, amounts);
        assertEq(token.balanceOf(bob), TOKEN);
        assertEq(token.balanceOf(carol), 2 * TOKEN);
        // one refused leg undoes the whole batch
        tos[1] = eve;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, eve, 2 * TOKEN));
        token.batchTransfer(tos, amounts);
        assertEq(token.balanceOf(alice), 7 * TOKEN);
    }

    function test_AdminConfiguration() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ZeroAddress.selector));
        token.setIdentityRegistry(address(0));
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ZeroAddress.selector));
        token.setCompliance(address(0));
        token.setAssetInfo(bytes32(uint256(1)), bytes32(uint256(2)), "ipfs://doc");
        vm.stopPrank();
        assertEq(token.assetId(), bytes32(uint256(1)));
        assertEq(token.documentURI(), "ipfs://doc");
        mint(alice, 1);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ObserverChangeWithSupply.selector, 1));
        token.setBalanceObserver(address(0));
        vm.prank(agent);
        vm.expectRevert(accessError(agent, bytes32(0)));
        token.setCompliance(address(compliance));
    }

    // ------------------------------------------------------------------ token information and agents (ERC-3643)

    function test_TokenInformation() public {
        assertEq(token.version(), "4.1.6-gba.1");
        assertEq(token.onchainID(), address(0));
        address identity = makeAddr("token-onchainid");
        vm.startPrank(admin);
        vm.expectEmit(address(token));
        emit RWAToken.UpdatedTokenInformation("GBA Solar II", "GBASOLAR", 18, "4.1.6-gba.1", address(0));
        token.setName("GBA Solar II");
        vm.expectEmit(address(token));
        emit RWAToken.UpdatedTokenInformation("GBA Solar II", "GBAS2", 18, "4.1.6-gba.1", address(0));
        token.setSymbol("GBAS2");
        vm.expectEmit(address(token));
        emit RWAToken.UpdatedTokenInformation("GBA Solar II", "GBAS2", 18, "4.1.6-gba.1", identity);
        token.setOnchainID(identity);
        vm.stopPrank();
        assertEq(token.name(), "GBA Solar II");
        assertEq(token.symbol(), "GBAS2");
        assertEq(token.onchainID(), identity);
        assertEq(token.decimals(), 18);
    }

    function test_TokenInformationErrorsAndAccess() public {
        vm.startPrank(admin);
        vm.expectRevert(RWAToken.EmptyName.selector);
        token.setName("");
        vm.expectRevert(RWAToken.EmptySymbol.selector);
        token.setSymbol("");
        vm.expectRevert(RWAToken.EmptyName.selector);
        new RWAToken("", "S", address(registry), address(compliance), admin, agent);
        vm.expectRevert(RWAToken.EmptySymbol.selector);
        new RWAToken("N", "", address(registry), address(compliance), admin, agent);
        vm.stopPrank();
        // the owner's (DEFAULT_ADMIN_ROLE), not an agent's
        vm.startPrank(agent);
        vm.expectRevert(accessError(agent, bytes32(0)));
        token.setName("x");
        vm.expectRevert(accessError(agent, bytes32(0)));
        token.setSymbol("x");
        vm.expectRevert(accessError(agent, bytes32(0)));
        token.setOnchainID(agent);
        vm.stopPrank();
        assertEq(token.name(), "GBA Solar Revenue Token");
        assertEq(token.symbol(), "GBASOLAR");
    }

    function test_AgentsAddedAndRemoved() public {
        address second = makeAddr("second-agent");
        assertTrue(token.isAgent(agent));
        assertTrue(token.isAgent(address(offering)));
        assertFalse(token.isAgent(second));
        vm.startPrank(admin);
        vm.expectEmit(address(token));
        emit AgentRoles.AgentAdded(second);
        token.addAgent(second);
        assertTrue(token.isAgent(second));
        assertTrue(token.hasRole(token.AGENT_ROLE(), second));
        vm.expectRevert(abi.encodeWithSelector(AgentRoles.AgentRolesAlreadyAgent.selector, second));
        token.addAgent(second);
        vm.expectRevert(abi.encodeWithSelector(AgentRoles.AgentRolesInvalidAgent.selector, address(0)));
        token.addAgent(address(0));
        vm.stopPrank();
        vm.prank(second);
        token.mint(alice, TOKEN); // an agent's powers
        vm.startPrank(admin);
        vm.expectEmit(address(token));
        emit AgentRoles.AgentRemoved(second);
        token.removeAgent(second);
        assertFalse(token.isAgent(second));
        vm.expectRevert(abi.encodeWithSelector(AgentRoles.AgentRolesNotAgent.selector, second));
        token.removeAgent(second);
        vm.stopPrank();
        bytes memory notAgent = accessError(second, token.AGENT_ROLE());
        vm.prank(second);
        vm.expectRevert(notAgent);
        token.mint(alice, TOKEN);
        // appointing agents is the owner's (DEFAULT_ADMIN_ROLE)
        vm.startPrank(agent);
        vm.expectRevert(accessError(agent, bytes32(0)));
        token.addAgent(second);
        vm.expectRevert(accessError(agent, bytes32(0)));
        token.removeAgent(agent);
        vm.stopPrank();
    }

    /// AGENT_ROLE through AccessControl is the same as addAgent/removeAgent, with the same ERC-3643 events.
    function test_GrantAndRevokeOfTheAgentRoleEmitTheAgentEvents() public {
        address second = makeAddr("second-agent");
        bytes32 role = token.AGENT_ROLE();
        vm.startPrank(admin);
        vm.expectEmit(address(token));
        emit AgentRoles.AgentAdded(second);
        token.grantRole(role, second);
        assertTrue(token.isAgent(second));
        vm.expectEmit(address(token));
        emit AgentRoles.AgentRemoved(second);
        token.revokeRole(role, second);
        assertFalse(token.isAgent(second));
        vm.stopPrank();
        vm.expectEmit(address(token));
        emit AgentRoles.AgentRemoved(agent);
        vm.prank(agent);
        token.renounceRole(role, agent);
        assertFalse(token.isAgent(agent));
    }

    function testFuzz_SetNameAndSymbol(string calldata newName, string calldata newSymbol) public {
        vm.startPrank(admin);
        if (bytes(newName).length == 0) vm.expectRevert(RWAToken.EmptyName.selector);
        token.setName(newName);
        if (bytes(newSymbol).length == 0) vm.expectRevert(RWAToken.EmptySymbol.selector);
        token.setSymbol(newSymbol);
        vm.stopPrank();
        assertEq(token.name(), bytes(newName).length == 0 ? "GBA Solar Revenue Token" : newName);
        assertEq(token.symbol(), bytes(newSymbol).length == 0 ? "GBASOLAR" : newSymbol);
    }

    // ------------------------------------------------------------------ wallet recovery

    function recover(address lost, address newWallet) internal {
        _recover(lost, newWallet);
    }

    /// The whole balance moves, with the frozen tokens and the frozen status of the lost wallet; the
    /// holder count swaps one holder for the other.
    function test_RecoveryMovesBalanceFrozenTokensAndStatus() public {
        address second = _registerSecondWallet(alice, "alice-second"); // alice's other wallet, her identity
        mint(alice, 10 * TOKEN);
        mint(second, 5 * TOKEN);
        vm.startPrank(agent);
        token.freezePartialTokens(alice, 4 * TOKEN);
        token.setAddressFrozen(alice, true);
        vm.stopPrank();
        address recovered = makeAddr("alice-recovered");
        IOnchainIdentity id = _identityOf(alice);
        _addManagementKeyAs(agent, id, recovered);
        vm.expectEmit(address(token));
        emit RWAToken.TokensUnfrozen(alice, 4 * TOKEN);
        vm.expectEmit(address(token));
        emit RWAToken.TokensFrozen(recovered, 4 * TOKEN);
        vm.expectEmit(address(token));
        emit RWAToken.AddressFrozen(recovered, true, agent);
        vm.expectEmit(address(token));
        emit RWAToken.RecoverySuccess(alice, recovered, address(id));
        vm.prank(agent);
        token.recoveryAddress(alice, recovered, address(id));
        assertEq(token.balanceOf(alice), 0);
        assertEq(token.balanceOf(recovered), 10 * TOKEN);
        assertEq(token.getFrozenTokens(alice), 0);
        assertEq(token.getFrozenTokens(recovered), 4 * TOKEN);
        assertTrue(token.isFrozen(recovered));
        assertEq(maxHolders.holderCount(), 2);
        assertEq(distributor.sharesOf(recovered), 10 * TOKEN);
        assertEq(distributor.sharesOf(alice), 0);
        assertEq(token.totalSupply(), 15 * TOKEN);

        // into a wallet of the same identity that already holds: frozen tokens add up, one holder fewer
        vm.startPrank(agent);
        token.setAddressFrozen(recovered, false);
        token.freezePartialTokens(second, TOKEN);
        vm.stopPrank();
        recover(recovered, second);
        assertEq(token.balanceOf(second), 15 * TOKEN);
        assertEq(token.getFrozenTokens(second), 5 * TOKEN);
        assertFalse(token.isFrozen(second));
        assertEq(maxHolders.holderCount(), 1);
    }

    /// The new wallet is registered with the investor's identity and the lost wallet's country, the lost
    /// wallet is deleted from the registry (the token is a registry agent), and the new wallet verifies
    /// through the identity's claims; a wallet the identity already had stays registered as it was.
    function test_RecoveryRegistersTheNewWalletAndDeletesTheLostOne() public {
        mint(bob, 10 * TOKEN);
        IOnchainIdentity id = _identityOf(bob);
        address recovered = makeAddr("bob-recovered");
        assertFalse(registry.contains(recovered));
        _addManagementKeyAs(agent, id, recovered);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityRegistered(recovered, id);
        vm.expectEmit(address(registry));
        emit IIdentityRegistry.IdentityRemoved(bob, id);
        vm.expectEmit(address(token));
        emit RWAToken.RecoverySuccess(bob, recovered, address(id));
        vm.prank(agent);
        assertTrue(token.recoveryAddress(bob, recovered, address(id)));
        assertEq(address(registry.identity(recovered)), address(id));
        assertEq(registry.investorCountry(recovered), CN);
        assertEq(registry.investorCategory(recovered), INSTITUTIONAL);
        assertTrue(registry.isVerified(recovered));
        assertTrue(registry.hasValidClaim(recovered, CWM_ELIGIBILITY));
        assertFalse(registry.contains(bob));
        assertFalse(registry.isVerified(bob));
        assertEq(token.balanceOf(recovered), 10 * TOKEN);
        // the lost wallet can no longer receive
        vm.prank(recovered);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, bob));
        token.transfer(bob, TOKEN);
        vm.prank(recovered);
        token.transfer(alice, TOKEN);
    }

    function test_RecoveryErrors() public {
        mint(alice, TOKEN);
        IOnchainIdentity id = _identityOf(alice);
        address aliceId = address(id);
        address carolId = address(_identityOf(carol));
        address recovered = makeAddr("alice-recovered");
        vm.startPrank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.SameAddress.selector, alice));
        token.recoveryAddress(alice, alice, aliceId);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.NothingToRecover.selector, carol));
        token.recoveryAddress(carol, recovered, carolId);
        // the new wallet is not (yet) a management key of the identity
        vm.expectRevert(abi.encodeWithSelector(RWAToken.RecoveryNotPossible.selector, recovered, aliceId));
        token.recoveryAddress(alice, recovered, aliceId);
        vm.stopPrank();
        _addManagementKeyAs(agent, id, recovered);
        // an identity the lost wallet is not registered with, though the new wallet is its key
        IOnchainIdentity bobId = _identityOf(bob);
        _addManagementKeyAs(agent, bobId, recovered);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.IdentityMismatch.selector, alice, address(bobId)));
        token.recoveryAddress(alice, recovered, address(bobId));
        // a new wallet registered with another identity (carol's), though a key of alice's
        _addManagementKeyAs(agent, id, carol);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.IdentityMismatch.selector, carol, aliceId));
        token.recoveryAddress(alice, carol, aliceId);
        // the identity no longer verifies (its KYC revoked): the new wallet would not be verified
        _revokeClaim(id, platformIssuer, KYC);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ReceiverNotVerified.selector, recovered));
        token.recoveryAddress(alice, recovered, aliceId);
        _issueClaim(id, platformIssuer, KYC, block.timestamp + YEAR, 0); // a new claim: other data, signature
        vm.startPrank(agent);
        token.setAddressFrozen(recovered, true);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.WalletFrozen.selector, recovered));
        token.recoveryAddress(alice, recovered, aliceId);
        assertFalse(registry.contains(recovered)); // every refusal left the registry as it was
        token.pause(); // an agent action: the pause does not stop it
        token.setAddressFrozen(recovered, false);
        token.recoveryAddress(alice, recovered, aliceId);
        vm.stopPrank();
        bytes32 agentRole = token.AGENT_ROLE();
        vm.prank(recovered);
        vm.expectRevert(accessError(recovered, agentRole));
        token.recoveryAddress(recovered, alice, aliceId);
        assertEq(token.balanceOf(recovered), TOKEN);
    }

    /// Every unexpired tranche moves to the new wallet with its own end, next to the tranches the new
    /// wallet already has; expired ones are dropped; nothing is freed.
    function test_RecoveryMovesTheLockupTranches() public {
        vm.prank(admin);
        lockup.setLockupSeconds(1_000);
        address second = _registerSecondWallet(alice, "alice-second"); // alice's other wallet, her identity
        uint64 t0 = uint64(block.timestamp);
        mint(alice, 10 * TOKEN); // until t0 + 1,000
        vm.warp(t0 + 200);
        mint(alice, 5 * TOKEN); // until t0 + 1,200
        mint(second, 3 * TOKEN); // the second wallet's own tranche, until t0 + 1,200
        vm.warp(t0 + 500);
        _addManagementKeyAs(agent, _identityOf(alice), second); // before the expected event's call
        vm.expectEmit(address(lockup));
        emit LockupModule.LocksMoved(alice, second, 15 * TOKEN);
        recover(alice, second);
        assertEq(lockup.lockedAmount(alice), 0);
        assertEq(lockup.tranchesOf(alice).length, 0);
        assertEq(lockup.lockedAmount(second), 18 * TOKEN);
        LockupModule.Tranche[] memory ts = lockup.tranchesOf(second);
        assertEq(ts.length, 2);
        assertEq(ts[0].amount, 8 * TOKEN); // the second wallet's 3 and alice's 5 end together
        assertEq(ts[0].until, t0 + 1_200);
        assertEq(ts[1].amount, 10 * TOKEN);
        assertEq(ts[1].until, t0 + 1_000);
        assertFalse(token.canTransfer(second, carol, 1));
        vm.warp(t0 + 1_000);
        assertEq(lockup.lockedAmount(second), 8 * TOKEN);
        vm.prank(second);
        token.transfer(carol, 10 * TOKEN);

        // a tranche expired before the recovery stays behind; the rest moves
        vm.warp(t0 + 1_100);
        address recovered = makeAddr("alice-recovered");
        recover(second, recovered);
        assertEq(lockup.lockedAmount(recovered), 8 * TOKEN);
        vm.warp(t0 + 1_200);
        assertEq(lockup.lockedAmount(recovered), 0);
    }

    // ------------------------------------------------------------------ fuzz

    /// A plain transfer moves exactly `amount` between the two wallets or reverts and moves nothing;
    /// the supply never changes.
    function testFuzz_TransferConservesSupply(uint256 minted, uint256 amount, uint8 toIx) public {
        minted = bound(minted, 0, 1_000_000 * TOKEN);
        amount = bound(amount, 0, 2 * minted + 1);
        address[5] memory wallets = [bob, carol, dave, eve, frank];
        address to = wallets[toIx % 5];
        mint(alice, minted);
        uint256 supply = token.totalSupply();
        uint256 toBefore = token.balanceOf(to);
        bool predicted = token.canTransfer(alice, to, amount);
        vm.prank(alice);
        try token.transfer(to, amount) {
            assertTrue(predicted, "canTransfer said no");
            assertEq(token.balanceOf(alice), minted - amount);
            assertEq(token.balanceOf(to), toBefore + amount);
        } catch {
            assertFalse(predicted, "canTransfer said yes");
            assertEq(token.balanceOf(alice), minted);
            assertEq(token.balanceOf(to), toBefore);
        }
        assertEq(token.totalSupply(), supply);
        assertEq(token.balanceOf(alice) + token.balanceOf(to), minted);
        assertEq(distributor.totalShares(), minted);
    }

    /// `canTransfer` (the pre-trade view) says yes exactly when `transfer` succeeds, whatever the
    /// freezes, partial freezes and pause.
    function testFuzz_CanTransferPredictsTransfer(
        uint256 balance,
        uint256 frozenTokens,
        uint256 amount,
        bool fromFrozen,
        bool toFrozen,
        bool paused
    ) public {
        balance = bound(balance, 0, 1_000 * TOKEN);
        frozenTokens = bound(frozenTokens, 0, balance);
        amount = bound(amount, 0, 1_100 * TOKEN);
        mint(alice, balance);
        vm.startPrank(agent);
        token.freezePartialTokens(alice, frozenTokens);
        token.setAddressFrozen(alice, fromFrozen);
        token.setAddressFrozen(bob, toFrozen);
        if (paused) token.pause();
        vm.stopPrank();
        bool predicted = token.canTransfer(alice, bob, amount);
        assertEq(predicted, !paused && !fromFrozen && !toFrozen && amount <= balance - frozenTokens);
        vm.prank(alice);
        (bool ok,) = address(token).call(abi.encodeCall(token.transfer, (bob, amount)));
        assertEq(ok, predicted);
        assertEq(token.balanceOf(bob), ok ? amount : 0);
    }

    /// transferFrom spends exactly the allowance used and obeys the same rules as transfer.
    function testFuzz_TransferFromSpendsAllowance(uint256 allowance_, uint256 amount) public {
        mint(alice, 100 * TOKEN);
        allowance_ = bound(allowance_, 0, 200 * TOKEN);
        amount = bound(amount, 0, 200 * TOKEN);
        vm.prank(alice);
        token.approve(carol, allowance_);
        vm.prank(carol);
        (bool ok,) = address(token).call(abi.encodeCall(token.transferFrom, (alice, bob, amount)));
        assertEq(ok, amount <= allowance_ && amount <= 100 * TOKEN);
        assertEq(
            token.allowance(alice, carol), ok && allowance_ != type(uint256).max ? allowance_ - amount : allowance_
        );
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), 100 * TOKEN);
    }

    /// Agent burns and forced transfers keep frozen <= balance and the supply equal to the sum of balances.
    function testFuzz_AgentActionsKeepFrozenWithinBalance(
        uint256 balance,
        uint256 frozenTokens,
        uint256 amount,
        bool burn
    ) public {
        balance = bound(balance, 1, 1_000 * TOKEN);
        frozenTokens = bound(frozenTokens, 0, balance);
        amount = bound(amount, 0, balance);
        mint(alice, balance);
        vm.startPrank(agent);
        token.freezePartialTokens(alice, frozenTokens);
        if (burn) token.burn(alice, amount);
        else token.forcedTransfer(alice, bob, amount);
        vm.stopPrank();
        uint256 left = balance - amount;
        assertEq(token.balanceOf(alice), left);
        // free tokens go first; frozen ones only for the rest
        assertEq(token.getFrozenTokens(alice), frozenTokens < left ? frozenTokens : left);
        assertEq(token.totalSupply(), burn ? left : balance);
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), token.totalSupply());
    }

    /// A recovery of a wallet with random free, frozen and locked tokens (and revenue to claim) into another
    /// wallet of the investor's identity, empty or already holding: everything of the lost wallet moves and
    /// adds to what the new wallet had, the lost wallet keeps nothing, the supply, holder count and shares
    /// stay right.
    function testFuzz_RecoveryMovesEverything(
        uint256 lostBalance,
        uint256 lostFrozen,
        uint256 newBalance,
        uint256 revenue,
        uint256 lockSeconds,
        bool walletFrozen
    ) public {
        lostBalance = bound(lostBalance, 1, 100_000 * TOKEN);
        newBalance = bound(newBalance, 0, 100_000 * TOKEN);
        lostFrozen = bound(lostFrozen, 0, lostBalance);
        address second = _registerSecondWallet(alice, "alice-second");
        vm.prank(admin);
        lockup.setLockupSeconds(uint64(bound(lockSeconds, 0, YEAR)));
        mint(alice, lostBalance / 2);
        vm.warp(block.timestamp + 1 days);
        mint(alice, lostBalance - lostBalance / 2);
        mint(second, newBalance);
        mint(carol, TOKEN);
        vm.startPrank(agent);
        token.freezePartialTokens(alice, lostFrozen);
        token.setAddressFrozen(alice, walletFrozen);
        vm.stopPrank();
        revenue = bound(revenue, 0, 1_000_000 * HKD);
        if (revenue != 0) distribute(revenue, 1);

        uint256 lockedLost = lockup.lockedAmount(alice);
        uint256 lockedNew = lockup.lockedAmount(second);
        uint256 dueLost = distributor.withdrawableOf(alice);
        uint256 dueNew = distributor.withdrawableOf(second);
        uint256 supply = token.totalSupply();
        recover(alice, second);

        assertEq(token.balanceOf(alice), 0);
        assertEq(token.balanceOf(second), lostBalance + newBalance);
        assertEq(token.getFrozenTokens(alice), 0);
        assertEq(token.getFrozenTokens(second), lostFrozen);
        assertEq(token.isFrozen(second), walletFrozen);
        assertEq(lockup.lockedAmount(alice), 0);
        assertEq(lockup.lockedAmount(second), lockedLost + lockedNew);
        assertLe(lockup.lockedAmount(second), token.balanceOf(second));
        assertEq(distributor.withdrawableOf(alice), 0);
        assertEq(distributor.withdrawableOf(second), dueLost + dueNew);
        assertEq(token.totalSupply(), supply);
        assertEq(maxHolders.holderCount(), 2); // the second wallet and carol
        assertEq(distributor.sharesOf(alice), 0);
        assertEq(distributor.sharesOf(second), token.balanceOf(second));
        assertEq(distributor.totalShares(), supply);
    }
}
