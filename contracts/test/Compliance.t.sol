// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {ModularCompliance} from "../src/compliance/ModularCompliance.sol";
import {IComplianceModule} from "../src/compliance/IComplianceModule.sol";
import {AbstractModule} from "../src/compliance/modules/AbstractModule.sol";
import {CountryAllowModule} from "../src/compliance/modules/CountryAllowModule.sol";
import {CountryDenyModule} from "../src/compliance/modules/CountryDenyModule.sol";
import {LockupModule} from "../src/compliance/modules/LockupModule.sol";
import {MaxBalanceModule} from "../src/compliance/modules/MaxBalanceModule.sol";
import {MaxHoldersModule} from "../src/compliance/modules/MaxHoldersModule.sol";
import {SupplyCapModule} from "../src/compliance/modules/SupplyCapModule.sol";
import {RWAToken} from "../src/token/RWAToken.sol";
import {Fixture} from "./utils/Fixture.sol";

/// The ModularCompliance and each module's rule, checked against the rule written out here: binding,
/// unbinding and replacing the compliance, configuring modules through it (`callModuleFunction`),
/// stateful modules in use and retired, and the lock-up over
/// several tranches (at most 16 a wallet), eaten first-in-first-out by agent burns and forced transfers.
/// The lock-up through a wallet recovery is in RWAToken.t.sol.
contract ComplianceTest is Fixture {
    // ------------------------------------------------------------------ the compliance

    function test_ModulesListedAndManaged() public {
        address[] memory modules = compliance.getModules();
        assertEq(modules.length, 8);
        for (uint256 i = 0; i < modules.length; ++i) {
            assertTrue(compliance.isModuleBound(modules[i]));
            assertEq(IComplianceModule(modules[i]).compliance(), address(compliance));
        }
        assertEq(IComplianceModule(modules[6]).name(), "SupplyCapModule");
        assertEq(IComplianceModule(modules[7]).name(), "CountryClaimModule");
        vm.startPrank(admin);
        vm.expectRevert(ModularCompliance.ZeroAddress.selector);
        compliance.addModule(address(0));
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleAlreadyAdded.selector, address(lockup)));
        compliance.addModule(address(lockup));
        ModularCompliance other = new ModularCompliance(admin);
        SupplyCapModule foreign = new SupplyCapModule(address(other), admin, 1);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleNotBound.selector, address(foreign)));
        compliance.addModule(address(foreign));
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleNotFound.selector, address(foreign)));
        compliance.removeModule(address(foreign));
        // removing the supply cap lifts it
        supplyCap.setCap(0);
        assertFalse(compliance.canTransfer(address(0), alice, 1));
        compliance.removeModule(address(supplyCap));
        vm.stopPrank();
        assertFalse(compliance.isModuleBound(address(supplyCap)));
        assertEq(compliance.getModules().length, 7);
        mint(alice, 1);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        compliance.removeModule(address(lockup));
    }

    function test_AtMostMaxModules() public {
        vm.startPrank(admin);
        for (uint256 i = compliance.getModules().length; i < compliance.MAX_MODULES(); ++i) {
            compliance.addModule(address(new SupplyCapModule(address(compliance), admin, type(uint256).max)));
        }
        address extra = address(new SupplyCapModule(address(compliance), admin, type(uint256).max));
        vm.expectRevert(ModularCompliance.TooManyModules.selector);
        compliance.addModule(extra);
        vm.stopPrank();
        mint(alice, TOKEN); // every hook still runs within the bound
        vm.prank(alice);
        token.transfer(bob, 1);
    }

    function test_HooksOnlyFromTheBoundToken() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.OnlyBoundToken.selector, alice));
        compliance.created(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.OnlyBoundToken.selector, alice));
        compliance.transferred(alice, bob, 1);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.OnlyBoundToken.selector, alice));
        compliance.destroyed(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(AbstractModule.OnlyCompliance.selector, alice));
        maxHolders.moduleMintAction(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(AbstractModule.OnlyCompliance.selector, alice));
        lockup.moduleTransferAction(alice, bob, 1);
        vm.expectRevert(abi.encodeWithSelector(AbstractModule.OnlyCompliance.selector, alice));
        lockup.moduleBurnAction(alice, 1);
        vm.stopPrank();
    }

    function test_NewStatefulModuleCannotJoinAfterIssuance() public {
        assertTrue(maxHolders.needsHistory());
        assertTrue(lockup.needsHistory());
        assertFalse(supplyCap.needsHistory());
        mint(alice, TOKEN);
        vm.startPrank(admin);
        MaxHoldersModule late = new MaxHoldersModule(address(compliance), admin, 10);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleNeedsEmptyToken.selector, address(late)));
        compliance.addModule(address(late));
        // a stateless rule may join mid-life (e.g. a new deny-list)
        CountryDenyModule deny2 = new CountryDenyModule(address(compliance), admin);
        compliance.addModule(address(deny2));
        deny2.denyCountry(CN);
        vm.stopPrank();
        assertEq(compliance.refusingModule(alice, bob, 1), address(deny2));
    }

    /// canTransfer is the AND of every module's check; refusingModule names the first refusal.
    function testFuzz_CanTransferIsTheAndOfTheModules(uint8 fromIx, uint8 toIx, uint256 amount, uint256 cap) public {
        address[7] memory wallets = [address(0), alice, bob, carol, dave, eve, frank];
        address from = wallets[fromIx % 7];
        address to = wallets[toIx % 7];
        amount = bound(amount, 0, 2_000_000 * TOKEN);
        mint(alice, 600_000 * TOKEN);
        mint(bob, 300_000 * TOKEN);
        vm.prank(admin);
        supplyCap.setCap(bound(cap, 0, 2_000_000 * TOKEN));
        address[] memory modules = compliance.getModules();
        address firstRefusal;
        for (uint256 i = 0; i < modules.length; ++i) {
            if (!IComplianceModule(modules[i]).moduleCheck(from, to, amount)) {
                firstRefusal = modules[i];
                break;
            }
        }
        assertEq(compliance.canTransfer(from, to, amount), firstRefusal == address(0));
        assertEq(compliance.refusingModule(from, to, amount), firstRefusal);
    }

    // ------------------------------------------------------------------ each module's rule

    function test_CountryListErrors() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(CountryAllowModule.CountryAlreadyAllowed.selector, HK));
        countryAllow.allowCountry(HK);
        vm.expectRevert(abi.encodeWithSelector(CountryAllowModule.CountryNotAllowed.selector, KP));
        countryAllow.disallowCountry(KP);
        vm.expectRevert(abi.encodeWithSelector(CountryDenyModule.CountryAlreadyDenied.selector, KP));
        countryDeny.denyCountry(KP);
        vm.expectRevert(abi.encodeWithSelector(CountryDenyModule.CountryNotDenied.selector, HK));
        countryDeny.undenyCountry(HK);
        countryAllow.disallowCountry(CN);
        vm.stopPrank();
        mint(alice, TOKEN);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, bob, 1));
        token.transfer(bob, 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, bob));
        countryAllow.allowCountry(CN);
    }

    /// Allow-list: the receiver's country must be listed; deny-list: it must not be; burns always pass.
    function testFuzz_CountryModulesFollowTheirLists(uint16 country, uint16 listed, bool allowIt, bool denyIt) public {
        vm.assume(listed != HK && listed != CN && listed != KP);
        vm.startPrank(admin);
        if (allowIt) countryAllow.allowCountry(listed);
        if (denyIt) countryDeny.denyCountry(listed);
        vm.stopPrank();
        register(frank, country, PROFESSIONAL, DIRECT);
        bool allowed = country == HK || country == CN || (allowIt && country == listed);
        bool denied = country == KP || (denyIt && country == listed);
        assertEq(countryAllow.moduleCheck(alice, frank, 1), allowed);
        assertEq(countryDeny.moduleCheck(alice, frank, 1), !denied);
        assertTrue(countryAllow.moduleCheck(frank, address(0), 1));
        assertTrue(countryDeny.moduleCheck(frank, address(0), 1));
    }

    /// Only professional or institutional receivers, unless retail is authorised; burns always pass.
    function testFuzz_InvestorCategoryRule(uint8 category, bool retailAuthorised) public {
        category = uint8(bound(category, 0, 2));
        vm.prank(admin);
        investorCategory.setRetailAuthorised(retailAuthorised);
        register(frank, HK, category, DIRECT);
        assertEq(investorCategory.moduleCheck(alice, frank, 1), retailAuthorised || category >= 1);
        assertTrue(investorCategory.moduleCheck(frank, address(0), 1));
    }

    /// A receiver may not end above maxBalance; moves to self and burns always pass.
    function testFuzz_MaxBalanceRule(uint256 held, uint256 amount, uint256 limit) public {
        held = bound(held, 0, 1_000_000 * TOKEN);
        amount = bound(amount, 0, 2_000_000 * TOKEN);
        limit = bound(limit, 0, 2_000_000 * TOKEN);
        mint(bob, held);
        vm.prank(admin);
        maxBalance.setMaxBalance(limit);
        assertEq(maxBalance.moduleCheck(alice, bob, amount), held + amount <= limit);
        assertEq(maxBalance.moduleCheck(address(0), bob, amount), held + amount <= limit);
        assertTrue(maxBalance.moduleCheck(bob, bob, amount));
        assertTrue(maxBalance.moduleCheck(bob, address(0), amount));
    }

    /// Mints may not take the supply above the cap; transfers and burns are not capped.
    function testFuzz_SupplyCapRule(uint256 supply, uint256 amount, uint256 cap) public {
        supply = bound(supply, 0, 1_000_000 * TOKEN);
        amount = bound(amount, 0, 1_000_000 * TOKEN); // within the max balance
        cap = bound(cap, 0, 2_000_000 * TOKEN);
        mint(alice, supply);
        vm.prank(admin);
        supplyCap.setCap(cap);
        assertEq(supplyCap.moduleCheck(address(0), bob, amount), supply + amount <= cap);
        assertTrue(supplyCap.moduleCheck(alice, bob, amount));
        assertTrue(supplyCap.moduleCheck(alice, address(0), amount));
        vm.prank(agent);
        (bool ok,) = address(token).call(abi.encodeCall(token.mint, (bob, amount)));
        assertEq(ok, supply + amount <= cap);
    }

    function test_MaxHoldersCap() public {
        vm.prank(admin);
        maxHolders.setMaxHolders(2);
        mint(alice, 10 * TOKEN);
        mint(bob, 10 * TOKEN);
        assertEq(maxHolders.holderCount(), 2);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), carol, TOKEN));
        token.mint(carol, TOKEN);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, carol, TOKEN));
        token.transfer(carol, TOKEN);
        // the whole balance swaps one holder for another
        vm.prank(alice);
        token.transfer(carol, 10 * TOKEN);
        assertEq(maxHolders.holderCount(), 2);
        // an existing holder may always receive
        vm.prank(bob);
        token.transfer(carol, TOKEN);
        assertEq(maxHolders.holderCount(), 2);
    }

    /// Random mints, transfers and burns among four wallets under a holder cap: the count is always the
    /// number of non-zero balances, and a move is refused exactly when it would add a holder beyond the cap.
    function testFuzz_MaxHoldersCountsNonZeroHolders(uint256 seed, uint8 cap) public {
        cap = uint8(bound(cap, 1, 4));
        vm.prank(admin);
        maxHolders.setMaxHolders(cap);
        address[4] memory wallets = [alice, bob, carol, makeAddr("grace")];
        register(wallets[3], CN, INSTITUTIONAL, CWM_SOUTHBOUND);
        for (uint256 step = 0; step < 16; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            address from = wallets[r % 4];
            address to = wallets[(r >> 8) % 4];
            uint256 kind = (r >> 16) % 3;
            uint256 balance = token.balanceOf(from);
            uint256 amount = kind == 0 ? (r >> 24) % (100 * TOKEN) : (balance == 0 ? 0 : (r >> 24) % balance + 1);
            if ((r >> 120) % 4 == 0) amount = balance; // often the whole balance
            bool newHolder = amount != 0 && token.balanceOf(to) == 0 && (kind == 0 || to != from);
            bool leaves = kind == 1 && from != to && amount == balance;
            uint256 count = maxHolders.holderCount();
            if (kind == 0) {
                vm.prank(agent);
                (bool ok,) = address(token).call(abi.encodeCall(token.mint, (to, amount)));
                assertEq(ok, !newHolder || count < cap, "mint");
            } else if (kind == 1) {
                vm.prank(from);
                (bool ok,) = address(token).call(abi.encodeCall(token.transfer, (to, amount)));
                assertEq(ok, !newHolder || leaves || count < cap, "transfer");
            } else {
                vm.prank(agent);
                token.burn(from, amount);
            }
            uint256 nonZero = 0;
            for (uint256 i = 0; i < 4; ++i) {
                if (token.balanceOf(wallets[i]) != 0) ++nonZero;
            }
            assertEq(maxHolders.holderCount(), nonZero);
            assertLe(nonZero, cap);
        }
    }

    function test_LockupOfOneTranche() public {
        vm.prank(admin);
        lockup.setLockupSeconds(1_000);
        mint(alice, 10 * TOKEN);
        assertEq(lockup.lockedAmount(alice), 10 * TOKEN);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, alice, bob, TOKEN));
        token.transfer(bob, TOKEN);
        vm.warp(block.timestamp + 999);
        assertFalse(token.canTransfer(alice, bob, TOKEN));
        vm.warp(block.timestamp + 1);
        assertEq(lockup.lockedAmount(alice), 0);
        vm.prank(alice);
        token.transfer(bob, TOKEN);
        assertEq(lockup.lockedAmount(bob), 0); // received by transfer: free
    }

    /// One minted tranche under a lock-up, next to tokens received by transfer (always free): until the
    /// lock ends the holder can move only what exceeds the tranche, afterwards everything.
    function testFuzz_LockupOfOneTrancheRule(
        uint64 lockSeconds,
        uint256 minted,
        uint256 received,
        uint256 amount,
        uint256 elapsed
    ) public {
        lockSeconds = uint64(bound(lockSeconds, 0, 5 * YEAR));
        minted = bound(minted, 0, 1_000 * TOKEN);
        received = bound(received, 0, 1_000 * TOKEN);
        amount = bound(amount, 0, 2_100 * TOKEN);
        elapsed = bound(elapsed, 0, 6 * YEAR);
        mint(bob, received); // no lock-up yet
        if (received != 0) {
            vm.prank(bob);
            token.transfer(alice, received);
        }
        vm.prank(admin);
        lockup.setLockupSeconds(lockSeconds);
        uint256 mintedAt = block.timestamp;
        mint(alice, minted);
        vm.warp(block.timestamp + elapsed);
        bool running = block.timestamp < mintedAt + lockSeconds;
        uint256 locked = running ? minted : 0;
        uint256 balance = minted + received;
        assertEq(lockup.lockedAmount(alice), locked);
        assertEq(
            lockup.moduleCheck(alice, bob, amount), locked == 0 || (amount <= balance && balance - amount >= locked)
        );
        assertTrue(lockup.moduleCheck(address(0), alice, amount)); // mints are never locked out
        vm.prank(alice);
        (bool ok,) = address(token).call(abi.encodeCall(token.transfer, (bob, amount)));
        assertEq(ok, amount + locked <= balance);
    }

    // ------------------------------------------------------------------ binding and replacing the compliance

    function test_BindAndUnbind() public {
        vm.startPrank(admin);
        ModularCompliance c2 = new ModularCompliance(admin);
        vm.expectRevert(ModularCompliance.ZeroAddress.selector);
        c2.bindToken(address(0));
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.TokenNotBound.selector, address(token)));
        c2.unbindToken(address(token));
        assertFalse(c2.canTransfer(alice, bob, 1)); // unbound: refuses everything
        vm.expectEmit(address(c2));
        emit ModularCompliance.TokenBound(address(token));
        c2.bindToken(address(token)); // no stateful module: any token, any time
        vm.stopPrank();
        assertEq(c2.token(), address(token));
        assertTrue(c2.canTransfer(alice, bob, 1));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        c2.unbindToken(address(token));

        // the suite's compliance, unbound before any mint, binds again; unbound, the token cannot move
        assertFalse(compliance.inUse());
        vm.startPrank(admin);
        vm.expectEmit(address(compliance));
        emit ModularCompliance.TokenUnbound(address(token));
        compliance.unbindToken(address(token));
        vm.stopPrank();
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), alice, TOKEN));
        token.mint(alice, TOKEN);
        vm.prank(admin);
        compliance.bindToken(address(token));
        mint(alice, TOKEN);
        assertEq(maxHolders.holderCount(), 1);
    }

    /// `unbindToken` takes the token (ERC-3643) and refuses any other than the bound one.
    function test_UnbindTokenRefusesATokenNotBound() public {
        assertEq(compliance.getTokenBound(), address(token));
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.TokenNotBound.selector, address(registry)));
        compliance.unbindToken(address(registry));
        vm.expectRevert(ModularCompliance.ZeroAddress.selector);
        compliance.unbindToken(address(0));
        assertEq(compliance.getTokenBound(), address(token)); // still bound
        compliance.unbindToken(address(token));
        assertEq(compliance.getTokenBound(), address(0));
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.TokenNotBound.selector, address(token)));
        compliance.unbindToken(address(token));
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ configuring modules through the compliance

    /// The owner configures a module through the compliance (as ERC-3643 modules are): the call reaches the
    /// module as the compliance, its event and `ModuleInteraction` are emitted, and the rule applies at once.
    function test_CallModuleFunctionConfiguresABoundModule() public {
        bytes memory data = abi.encodeCall(MaxBalanceModule.setMaxBalance, (10 * TOKEN));
        vm.expectEmit(address(maxBalance));
        emit MaxBalanceModule.MaxBalanceSet(10 * TOKEN);
        vm.expectEmit(address(compliance));
        emit ModularCompliance.ModuleInteraction(address(maxBalance), MaxBalanceModule.setMaxBalance.selector);
        vm.prank(admin);
        compliance.callModuleFunction(data, address(maxBalance));
        assertEq(maxBalance.maxBalance(), 10 * TOKEN);
        mint(alice, 10 * TOKEN);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), alice, 1));
        token.mint(alice, 1);
    }

    /// Only the owner, only on a module in the list, never a module hook (only the bound token drives them,
    /// so a stateful module's state comes from balance changes alone).
    function test_CallModuleFunctionRefusals() public {
        bytes memory data = abi.encodeCall(MaxBalanceModule.setMaxBalance, (1));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        compliance.callModuleFunction(data, address(maxBalance));
        vm.startPrank(admin);
        MaxBalanceModule unbound = new MaxBalanceModule(address(compliance), admin, 1);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleNotFound.selector, address(unbound)));
        compliance.callModuleFunction(data, address(unbound));
        bytes memory hook = abi.encodeCall(IComplianceModule.moduleMintAction, (alice, TOKEN));
        vm.expectRevert(
            abi.encodeWithSelector(
                ModularCompliance.ModuleHookCall.selector, IComplianceModule.moduleMintAction.selector
            )
        );
        compliance.callModuleFunction(hook, address(maxHolders));
        hook = abi.encodeCall(IComplianceModule.moduleRecoveryAction, (alice, bob));
        vm.expectRevert(
            abi.encodeWithSelector(
                ModularCompliance.ModuleHookCall.selector, IComplianceModule.moduleRecoveryAction.selector
            )
        );
        compliance.callModuleFunction(hook, address(lockup));
        vm.stopPrank();
        assertEq(maxBalance.maxBalance(), config().maxBalance);
        assertEq(maxHolders.holderCount(), 0);
    }

    /// The module's own revert reaches the caller unchanged; a call to no function fails with `FailedCall`.
    function test_CallModuleFunctionBubblesTheModuleRevert() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(CountryAllowModule.CountryAlreadyAllowed.selector, HK));
        compliance.callModuleFunction(abi.encodeCall(CountryAllowModule.allowCountry, (HK)), address(countryAllow));
        // the compliance does not own the module: its Ownable functions stay the module owner's
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(compliance)));
        compliance.callModuleFunction(abi.encodeCall(Ownable.transferOwnership, (alice)), address(countryAllow));
        vm.expectRevert(Errors.FailedCall.selector);
        compliance.callModuleFunction("", address(countryAllow));
        vm.stopPrank();
        assertEq(countryAllow.owner(), admin);
    }

    /// Every module setter accepts the module's owner and the compliance it serves, and no one else.
    function test_ModuleSettersAcceptTheOwnerOrTheCompliance() public {
        address c = address(compliance);
        vm.startPrank(c);
        countryAllow.allowCountry(1);
        countryAllow.disallowCountry(1);
        countryDeny.denyCountry(1);
        countryDeny.undenyCountry(1);
        investorCategory.setRetailAuthorised(true);
        maxBalance.setMaxBalance(1);
        maxHolders.setMaxHolders(1);
        lockup.setLockupSeconds(1);
        supplyCap.setCap(1);
        vm.stopPrank();
        assertTrue(investorCategory.retailAuthorised());
        assertEq(maxBalance.maxBalance() + maxHolders.maxHolders() + lockup.lockupSeconds() + supplyCap.cap(), 4);
        vm.startPrank(alice);
        bytes memory refused = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice);
        vm.expectRevert(refused);
        countryAllow.allowCountry(1);
        vm.expectRevert(refused);
        countryDeny.denyCountry(1);
        vm.expectRevert(refused);
        investorCategory.setRetailAuthorised(false);
        vm.expectRevert(refused);
        maxBalance.setMaxBalance(2);
        vm.expectRevert(refused);
        maxHolders.setMaxHolders(2);
        vm.expectRevert(refused);
        lockup.setLockupSeconds(2);
        vm.expectRevert(refused);
        supplyCap.setCap(2);
        vm.stopPrank();
    }

    /// Setting the limit through the compliance is setting it directly: the rule follows the new limit.
    function testFuzz_CallModuleFunctionSetsTheLimit(uint256 limit, uint256 amount) public {
        amount = bound(amount, 1, config().supplyCap);
        vm.prank(admin);
        compliance.callModuleFunction(abi.encodeCall(MaxBalanceModule.setMaxBalance, (limit)), address(maxBalance));
        assertEq(maxBalance.maxBalance(), limit);
        assertEq(maxBalance.moduleCheck(address(0), alice, amount), amount <= limit);
    }

    /// The stateful modules mark the compliance in use at the first balance change they see; a stateful
    /// module removed before that can come back, one removed after is retired; `inUse` clears when the last
    /// stateful module leaves.
    function test_InUseAndRetiredModules() public {
        assertTrue(compliance.needsHistory());
        assertFalse(compliance.inUse());
        vm.startPrank(admin);
        compliance.removeModule(address(lockup)); // not in use: not retired
        assertFalse(compliance.isModuleRetired(address(lockup)));
        compliance.addModule(address(lockup));
        vm.stopPrank();

        vm.expectEmit(address(compliance));
        emit ModularCompliance.InUseChanged(true);
        mint(alice, TOKEN);
        assertTrue(compliance.inUse());

        vm.startPrank(admin);
        vm.expectEmit(address(compliance));
        emit ModularCompliance.StatefulModuleRetired(address(lockup));
        compliance.removeModule(address(lockup));
        assertTrue(compliance.isModuleRetired(address(lockup)));
        assertTrue(compliance.inUse()); // max holders still counts
        vm.expectEmit(address(compliance));
        emit ModularCompliance.StatefulModuleRetired(address(maxHolders));
        vm.expectEmit(address(compliance));
        emit ModularCompliance.InUseChanged(false);
        compliance.removeModule(address(maxHolders));
        assertFalse(compliance.inUse());
        assertFalse(compliance.needsHistory());
        // a fresh module joins only a token without supply, and counts from there; a retired one never
        MaxHoldersModule fresh = new MaxHoldersModule(address(compliance), admin, 10);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleNeedsEmptyToken.selector, address(fresh)));
        compliance.addModule(address(fresh));
        vm.stopPrank();
        vm.prank(agent);
        token.burn(alice, TOKEN);
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleRetired.selector, address(lockup)));
        compliance.addModule(address(lockup));
        compliance.addModule(address(fresh));
        vm.stopPrank();
        mint(alice, TOKEN);
        mint(bob, TOKEN);
        assertEq(fresh.holderCount(), 2);
        assertTrue(compliance.inUse());
    }

    /// The token may switch to a compliance without stateful modules at any time, to one with them only
    /// while its supply is zero and that compliance has not been in use; the new one's rules apply at once.
    function test_ReplaceTheCompliance() public {
        mint(alice, 10 * TOKEN);
        vm.startPrank(admin);
        ModularCompliance stateless = new ModularCompliance(admin);
        CountryDenyModule deny = new CountryDenyModule(address(stateless), admin);
        deny.denyCountry(CN);
        stateless.addModule(address(deny));
        stateless.bindToken(address(token));
        vm.expectEmit(address(token));
        emit RWAToken.ComplianceAdded(address(stateless));
        token.setCompliance(address(stateless));
        vm.stopPrank();
        assertEq(address(token.compliance()), address(stateless));
        assertFalse(token.canTransfer(alice, bob, TOKEN)); // bob is CN
        vm.prank(alice);
        token.transfer(dave, TOKEN); // retail: the old compliance refused it, this one does not

        vm.startPrank(admin);
        ModularCompliance stateful = new ModularCompliance(admin);
        MaxHoldersModule holders = new MaxHoldersModule(address(stateful), admin, 1);
        stateful.addModule(address(holders));
        vm.expectRevert(abi.encodeWithSelector(ModularCompliance.ModuleNeedsEmptyToken.selector, address(holders)));
        stateful.bindToken(address(token));
        vm.expectRevert(abi.encodeWithSelector(RWAToken.ComplianceNeedsEmptyToken.selector, address(stateful)));
        token.setCompliance(address(stateful));
        vm.stopPrank();
        vm.startPrank(agent);
        token.burn(alice, 9 * TOKEN);
        token.burn(dave, TOKEN);
        vm.stopPrank();
        vm.startPrank(admin);
        stateful.bindToken(address(token));
        token.setCompliance(address(stateful));
        vm.stopPrank();
        mint(alice, TOKEN);
        assertEq(holders.holderCount(), 1);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(RWAToken.TransferNotCompliant.selector, address(0), bob, TOKEN));
        token.mint(bob, TOKEN); // the new holder cap of one
    }

    // ------------------------------------------------------------------ the lock-up over several tranches

    function _assertTranche(LockupModule.Tranche memory t, uint256 amount, uint256 until) internal pure {
        assertEq(t.amount, amount);
        assertEq(t.until, until);
    }

    function _sumTranches(address wallet) internal view returns (uint256 sum, uint256 count) {
        LockupModule.Tranche[] memory ts = lockup.tranchesOf(wallet);
        for (uint256 i = 0; i < ts.length; ++i) {
            assertGt(ts[i].until, block.timestamp);
            assertGt(ts[i].amount, 0);
            sum += ts[i].amount;
        }
        count = ts.length;
    }

    /// Each mint is its own tranche ending lockupSeconds after it; mints in the same block share one; a new
    /// lock-up length applies to later mints only.
    function test_LockupTranchesEndEachOnItsOwn() public {
        vm.prank(admin);
        lockup.setLockupSeconds(1_000);
        uint64 t0 = uint64(block.timestamp);
        vm.expectEmit(address(lockup));
        emit LockupModule.TrancheLocked(alice, 10 * TOKEN, t0 + 1_000);
        mint(alice, 10 * TOKEN);
        mint(alice, 2 * TOKEN); // same block: same tranche
        vm.warp(t0 + 100);
        mint(alice, 5 * TOKEN);
        vm.prank(admin);
        lockup.setLockupSeconds(300);
        vm.warp(t0 + 200);
        mint(alice, 3 * TOKEN); // ends at t0 + 500, before the others
        LockupModule.Tranche[] memory ts = lockup.tranchesOf(alice);
        assertEq(ts.length, 3);
        _assertTranche(ts[0], 12 * TOKEN, t0 + 1_000);
        _assertTranche(ts[1], 5 * TOKEN, t0 + 1_100);
        _assertTranche(ts[2], 3 * TOKEN, t0 + 500);
        assertEq(lockup.lockedAmount(alice), 20 * TOKEN);
        vm.warp(t0 + 500);
        assertEq(lockup.lockedAmount(alice), 17 * TOKEN);
        vm.warp(t0 + 1_000);
        assertEq(lockup.lockedAmount(alice), 5 * TOKEN);
        assertEq(lockup.tranchesOf(alice).length, 1);
        vm.prank(alice);
        token.transfer(bob, 15 * TOKEN);
        assertFalse(token.canTransfer(alice, bob, 1));
        vm.warp(t0 + 1_100);
        assertEq(lockup.lockedAmount(alice), 0);
        assertTrue(token.canTransfer(alice, bob, 5 * TOKEN));
    }

    /// At most 16 unexpired tranches: a 17th mint ending after them all extends the latest-ending tranche
    /// to its end; one ending before some joins the tranche ending soonest after it. No lock ends early.
    function test_LockupKeepsAtMostSixteenTranches() public {
        vm.prank(admin);
        lockup.setLockupSeconds(1_000);
        uint64 t0 = uint64(block.timestamp);
        uint64 max = uint64(lockup.MAX_TRANCHES());
        for (uint256 i = 0; i < max; ++i) {
            vm.warp(t0 + 10 * i);
            mint(alice, TOKEN);
        }
        assertEq(lockup.tranchesOf(alice).length, max);
        vm.warp(t0 + 10 * max);
        vm.expectEmit(address(lockup));
        emit LockupModule.TrancheExtended(alice, TOKEN, t0 + 10 * (max - 1) + 1_000, t0 + 10 * max + 1_000);
        vm.expectEmit(address(lockup));
        emit LockupModule.TrancheLocked(alice, 5 * TOKEN, t0 + 10 * max + 1_000);
        mint(alice, 5 * TOKEN);
        LockupModule.Tranche[] memory ts = lockup.tranchesOf(alice);
        assertEq(ts.length, max);
        _assertTranche(ts[max - 1], 6 * TOKEN, t0 + 10 * max + 1_000);
        assertEq(lockup.lockedAmount(alice), (max + 5) * TOKEN);

        vm.prank(admin);
        lockup.setLockupSeconds(500);
        vm.expectEmit(address(lockup));
        emit LockupModule.TrancheLocked(alice, 2 * TOKEN, t0 + 1_000); // joins the soonest-ending after it
        mint(alice, 2 * TOKEN);
        assertEq(lockup.tranchesOf(alice)[0].amount, 3 * TOKEN);
        assertEq(lockup.lockedAmount(alice), (max + 7) * TOKEN);
        vm.warp(t0 + 1_000); // the first tranche ends; the list has room again
        assertEq(lockup.lockedAmount(alice), (max + 4) * TOKEN);
        (, uint256 count) = _sumTranches(alice);
        assertEq(count, max - 1);
    }

    /// Agent burns and forced transfers take free tokens first, then locked ones, first locked first out;
    /// tokens received by a forced transfer are free.
    function test_AgentActionsEatLocksFirstInFirstOut() public {
        mint(bob, 4 * TOKEN); // no lock-up yet
        vm.prank(bob);
        token.transfer(alice, 4 * TOKEN); // free tokens
        vm.prank(admin);
        lockup.setLockupSeconds(1_000);
        uint64 t0 = uint64(block.timestamp);
        mint(alice, 10 * TOKEN); // tranche A, until t0 + 1,000
        vm.warp(t0 + 100);
        mint(alice, 6 * TOKEN); // tranche B, until t0 + 1,100
        assertEq(lockup.lockedAmount(alice), 16 * TOKEN);

        vm.expectEmit(address(lockup));
        emit LockupModule.LockedTokensTaken(alice, 3 * TOKEN);
        vm.prank(agent);
        token.burn(alice, 7 * TOKEN); // 4 free, then 3 of A
        LockupModule.Tranche[] memory ts = lockup.tranchesOf(alice);
        assertEq(ts[0].amount, 7 * TOKEN);
        assertEq(ts[1].amount, 6 * TOKEN);
        assertEq(lockup.lockedAmount(alice), token.balanceOf(alice));

        vm.prank(agent);
        token.forcedTransfer(alice, bob, 9 * TOKEN); // the rest of A, then 2 of B
        ts = lockup.tranchesOf(alice);
        assertEq(ts.length, 1);
        _assertTranche(ts[0], 4 * TOKEN, t0 + 1_100);
        assertEq(token.balanceOf(alice), 4 * TOKEN);
        assertEq(lockup.lockedAmount(bob), 0);
        vm.prank(bob);
        token.transfer(carol, 9 * TOKEN);
        vm.warp(t0 + 1_000);
        assertEq(lockup.lockedAmount(alice), 4 * TOKEN);
        vm.warp(t0 + 1_100);
        assertEq(lockup.lockedAmount(alice), 0);
    }

    /// Random mints (up to 24, beyond the 16 tranches a wallet keeps) at random times under lock-ups of
    /// random lengths: a mint locks exactly what it mints; the locked amount is the sum of the unexpired
    /// tranches, at most 16, none ending after the latest mint's own end; no mint's tokens are freed before
    /// its own lock ends; with 16 mints or fewer, the locked amount is exactly the unexpired mints.
    function testFuzz_LockupTranchesSumUnderRandomMints(uint256 seed, uint256 count, uint256 lateBy) public {
        count = bound(count, 1, 24);
        uint256[] memory amounts = new uint256[](count);
        uint256[] memory ends = new uint256[](count);
        uint256 latest;
        for (uint256 i = 0; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (i == 0 || r % 4 == 0) {
                vm.prank(admin);
                // often longer than all the mints together: the 16 tranches fill up
                lockup.setLockupSeconds(uint64((r >> 8) % 10_000 + 1));
            }
            vm.warp(block.timestamp + (r >> 32) % 300);
            amounts[i] = (r >> 64) % (1_000 * TOKEN) + 1;
            ends[i] = block.timestamp + lockup.lockupSeconds();
            if (ends[i] > latest) latest = ends[i];
            uint256 before = lockup.lockedAmount(alice);
            mint(alice, amounts[i]);
            assertEq(lockup.lockedAmount(alice), before + amounts[i]);
            _checkTranches(amounts, ends, i + 1, latest);
        }
        vm.warp(block.timestamp + bound(lateBy, 0, 12_000));
        _checkTranches(amounts, ends, count, latest);
    }

    function _checkTranches(uint256[] memory amounts, uint256[] memory ends, uint256 n, uint256 latest) internal view {
        (uint256 sum, uint256 count) = _sumTranches(alice);
        uint256 locked = lockup.lockedAmount(alice);
        assertEq(locked, sum);
        assertLe(count, lockup.MAX_TRANCHES());
        LockupModule.Tranche[] memory ts = lockup.tranchesOf(alice);
        for (uint256 i = 0; i < ts.length; ++i) {
            assertLe(ts[i].until, latest);
        }
        uint256 unexpired;
        for (uint256 i = 0; i < n; ++i) {
            if (block.timestamp < ends[i]) unexpired += amounts[i];
        }
        assertGe(locked, unexpired);
        if (n <= lockup.MAX_TRANCHES()) assertEq(locked, unexpired);
        assertLe(locked, token.balanceOf(alice));
    }

    /// Tranches at random times next to free tokens, then an agent burn or forced transfer of a random
    /// amount: the tranches lose exactly the excess of the locked amount over the balance left, from the
    /// first locked on, so the locked amount is min(locked before, balance after).
    function testFuzz_AgentActionsKeepLockedWithinBalance(
        uint256 seed,
        uint256 tranches,
        uint256 free,
        uint256 amount,
        bool burn
    ) public {
        free = bound(free, 0, 1_000 * TOKEN);
        mint(bob, free);
        vm.prank(bob);
        token.transfer(alice, free);
        vm.prank(admin);
        lockup.setLockupSeconds(1_000);
        tranches = bound(tranches, 1, 16);
        for (uint256 i = 0; i < tranches; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            vm.warp(block.timestamp + r % 50 + 1);
            mint(alice, (r >> 64) % (1_000 * TOKEN) + 1);
        }
        LockupModule.Tranche[] memory expected = lockup.tranchesOf(alice);
        uint256 lockedBefore = lockup.lockedAmount(alice);
        uint256 balance = token.balanceOf(alice);
        amount = bound(amount, 0, balance);
        vm.startPrank(agent);
        if (burn) token.burn(alice, amount);
        else token.forcedTransfer(alice, carol, amount);
        vm.stopPrank();
        uint256 left = balance - amount;
        assertEq(lockup.lockedAmount(alice), lockedBefore < left ? lockedBefore : left);
        assertEq(lockup.lockedAmount(carol), 0);
        // first in, first out
        uint256 excess = lockedBefore > left ? lockedBefore - left : 0;
        uint256 j;
        LockupModule.Tranche[] memory ts = lockup.tranchesOf(alice);
        for (uint256 i = 0; i < expected.length; ++i) {
            uint256 take = expected[i].amount < excess ? expected[i].amount : excess;
            excess -= take;
            if (expected[i].amount == take) continue; // emptied: pruned
            assertEq(ts[j].amount, expected[i].amount - take);
            assertEq(ts[j].until, expected[i].until);
            ++j;
        }
        assertEq(ts.length, j);
    }
}
