// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";
import {IIdentity} from "../identity/IOnchainId.sol";
import {ICompliance} from "../compliance/ICompliance.sol";
import {IBalanceObserver} from "../distribution/IBalanceObserver.sol";
import {AgentRoles} from "../access/AgentRoles.sol";

/// @title RWAToken
/// @notice A permissioned security token for a tokenized real-world asset (a share of a solar
/// portfolio's revenue), implementing the ERC-3643 surface on OpenZeppelin's ERC20: receivers
/// must be verified in the IdentityRegistry and every plain transfer must pass the
/// ModularCompliance. Agents (AGENT_ROLE: the transfer agent) mint, burn, force transfers,
/// recover lost wallets, freeze wallets or part of a balance, and pause. The owner (DEFAULT_ADMIN_ROLE)
/// appoints the agents (`addAgent`/`removeAgent`, or `grantRole`/`revokeRole` of AGENT_ROLE) and sets the
/// token information of ERC-3643: name, symbol and the token's ONCHAINID (`setName`, `setSymbol`,
/// `setOnchainID`, each emitting `UpdatedTokenInformation`).
/// @dev Rules:
/// - Plain transfers (`transfer`, `transferFrom`, `batchTransfer`): not paused, neither wallet
///   frozen, amount <= balance - frozen tokens, receiver verified, `compliance.canTransfer`.
/// - Agent actions (mint, burn, forcedTransfer, recoveryAddress): bypass the pause and the frozen
///   status of the *sending* wallet, but the receiver must be verified and not frozen (so no
///   unverified or frozen wallet ever receives). Mint also passes `compliance.canTransfer`.
///   Burn and forced transfer may eat into frozen tokens; the frozen amount is reduced.
/// - Every balance change goes through OZ v5 `_update`, which then calls the compliance hook
///   (`created`/`transferred`/`destroyed`) and the optional balance observer. A recovery also calls
///   the compliance's `beforeRecovery` first, so rules attached to the holder (the lock-up) move
///   to the new wallet with the tokens.
/// - The compliance can be replaced, but not by one whose stateful modules (holder count, locks)
///   would start from a wrong state: refused unless the supply is zero and its modules have never
///   seen a balance change (`ICompliance.inUse`).
/// The balance observer is the RevenueDistributor, kept as a separate contract (not folded into
/// the token) because: the token stays an ERC-3643 token whose size stays under EIP-170; the
/// distributor holds settlement cash and has its own roles and reentrancy guard, so a bug or an
/// upgrade there never touches the register of holders; and the observer can be replaced
/// before the first mint. Calling it from `_update` keeps its per-holder corrections exact for
/// every path that moves tokens, including forced transfers and recoveries.
contract RWAToken is ERC20, AgentRoles, Pausable {
    /// @dev ERC-3643 `version()`: the T-REX release whose IToken interface this token implements (4.1.6,
    /// checked member by member against its ABI in tests/contracts/test_erc3643_conformance.py), then this
    /// implementation's own revision (`-gba.N`), since this is not T-REX's code and must not claim to be.
    string private constant _VERSION = "4.1.6-gba.1";
    /// @notice ONCHAINID key purpose of a management key (ERC-734).
    uint256 public constant MANAGEMENT_PURPOSE = 1;

    IIdentityRegistry private _identityRegistry;
    ICompliance private _compliance;
    /// @notice The contract told about every balance change (the RevenueDistributor), or zero.
    IBalanceObserver public balanceObserver;

    /// @notice Identifier of the underlying asset (e.g. keccak of the asset register entry).
    bytes32 public assetId;
    /// @notice Hash of the offering document.
    bytes32 public documentHash;
    /// @notice Where the offering document can be read.
    string public documentURI;

    mapping(address wallet => bool) private _frozen;
    mapping(address wallet => uint256) private _frozenTokens;
    // After the older state: Pausable's `_paused` stays packed with `_identityRegistry` (one slot read by
    // every transfer, and never zero, so a pause writes a dirty slot).
    string private _tokenName;
    string private _tokenSymbol;
    address private _onchainID;

    /// @notice Emitted when the identity registry is set.
    event IdentityRegistryAdded(address indexed identityRegistry);
    /// @notice Emitted when the compliance is set.
    event ComplianceAdded(address indexed compliance);
    /// @notice Emitted when the balance observer is set.
    event BalanceObserverSet(address indexed observer);
    /// @notice Emitted when the asset metadata changes.
    event AssetInfoUpdated(bytes32 indexed assetId, bytes32 documentHash, string documentURI);
    /// @notice Emitted when the name, the symbol or the ONCHAINID changes (ERC-3643), and at deployment.
    /// The name and symbol are indexed as in ERC-3643 (so their topics are hashes).
    event UpdatedTokenInformation(
        string indexed newName,
        string indexed newSymbol,
        uint8 newDecimals,
        string newVersion,
        address indexed newOnchainID
    );
    /// @notice Emitted when a wallet is frozen or unfrozen.
    event AddressFrozen(address indexed wallet, bool indexed isFrozen, address indexed agent);
    /// @notice Emitted when `amount` more tokens of `wallet` are frozen.
    event TokensFrozen(address indexed wallet, uint256 amount);
    /// @notice Emitted when `amount` tokens of `wallet` are unfrozen.
    event TokensUnfrozen(address indexed wallet, uint256 amount);
    /// @notice Emitted when an agent moved tokens without the holder's consent.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount, address indexed agent);
    /// @notice Emitted when the balance of a lost wallet was recovered to a new wallet.
    event RecoverySuccess(address indexed lostWallet, address indexed newWallet, address indexed investorOnchainID);

    /// @notice The receiver is not verified in the identity registry.
    error ReceiverNotVerified(address wallet);
    /// @notice The wallet is frozen.
    error WalletFrozen(address wallet);
    /// @notice The transfer exceeds the unfrozen balance.
    error InsufficientUnfrozenBalance(address wallet, uint256 available, uint256 needed);
    /// @notice The compliance refused the transfer.
    error TransferNotCompliant(address from, address to, uint256 amount);
    /// @notice A forced transfer or recovery names the same wallet twice.
    error SameAddress(address wallet);
    /// @notice The new wallet is not a management key of the investor's ONCHAINID.
    error RecoveryNotPossible(address newWallet, address investorOnchainID);
    /// @notice A wallet of the recovery is registered with another identity.
    error IdentityMismatch(address wallet, address investorOnchainID);
    /// @notice The lost wallet holds nothing.
    error NothingToRecover(address wallet);
    /// @notice Freezing more than the balance.
    error FreezeExceedsBalance(address wallet, uint256 balance, uint256 frozenAfter);
    /// @notice Unfreezing more than is frozen.
    error UnfreezeExceedsFrozen(address wallet, uint256 frozen, uint256 amount);
    /// @notice Batch arrays of different lengths.
    error LengthMismatch();
    /// @notice The zero address was given.
    error ZeroAddress();
    /// @notice The token name cannot be empty.
    error EmptyName();
    /// @notice The token symbol cannot be empty.
    error EmptySymbol();
    /// @notice The balance observer can only change while no token exists.
    error ObserverChangeWithSupply(uint256 totalSupply);
    /// @notice The compliance has stateful modules, and the token has a supply or the modules have
    /// already watched balance changes (their state would be wrong for this token).
    error ComplianceNeedsEmptyToken(address compliance);

    /// @param name_ ERC-20 name (not empty; `setName` changes it).
    /// @param symbol_ ERC-20 symbol (not empty; `setSymbol` changes it).
    /// @param identityRegistry_ The identity registry.
    /// @param compliance_ The compliance (bind it to this token afterwards).
    /// @param admin Holder of DEFAULT_ADMIN_ROLE (the issuer, the ERC-3643 "owner").
    /// @param agent First holder of AGENT_ROLE.
    constructor(
        string memory name_,
        string memory symbol_,
        address identityRegistry_,
        address compliance_,
        address admin,
        address agent
    ) ERC20("", "") {
        // the name and symbol live here, not in ERC20, so that the owner can change them (ERC-3643)
        if (bytes(name_).length == 0) revert EmptyName();
        if (bytes(symbol_).length == 0) revert EmptySymbol();
        _tokenName = name_;
        _tokenSymbol = symbol_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(AGENT_ROLE, agent);
        _setIdentityRegistry(identityRegistry_);
        _setCompliance(compliance_);
        _emitTokenInformation();
    }

    // ------------------------------------------------------------------ token information (ERC-3643)

    /// @notice The token's name (ERC-20), changeable by the owner.
    function name() public view override returns (string memory) {
        return _tokenName;
    }

    /// @notice The token's symbol (ERC-20), changeable by the owner.
    function symbol() public view override returns (string memory) {
        return _tokenSymbol;
    }

    /// @notice The token's ONCHAINID: the identity contract of the token itself (ERC-3643), or zero for none.
    function onchainID() external view returns (address) {
        return _onchainID;
    }

    /// @notice The version of the token: the ERC-3643 (T-REX) release whose interface it implements, then
    /// this implementation's revision ("4.1.6-gba.1").
    function version() external pure returns (string memory) {
        return _VERSION;
    }

    /// @notice Change the token's name. Only the owner (DEFAULT_ADMIN_ROLE); emits `UpdatedTokenInformation`.
    /// @param name_ The new name, not empty.
    function setName(string calldata name_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bytes(name_).length == 0) revert EmptyName();
        _tokenName = name_;
        _emitTokenInformation();
    }

    /// @notice Change the token's symbol. Only the owner (DEFAULT_ADMIN_ROLE); emits `UpdatedTokenInformation`.
    /// @param symbol_ The new symbol, not empty.
    function setSymbol(string calldata symbol_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bytes(symbol_).length == 0) revert EmptySymbol();
        _tokenSymbol = symbol_;
        _emitTokenInformation();
    }

    /// @notice Set the token's ONCHAINID. Only the owner (DEFAULT_ADMIN_ROLE); emits `UpdatedTokenInformation`.
    /// @param onchainID_ The token's identity contract, or zero for none.
    function setOnchainID(address onchainID_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _onchainID = onchainID_;
        _emitTokenInformation();
    }

    // ------------------------------------------------------------------ configuration (owner)

    /// @notice The identity registry that decides who may receive.
    function identityRegistry() external view returns (IIdentityRegistry) {
        return _identityRegistry;
    }

    /// @notice The compliance consulted on every plain transfer and mint.
    function compliance() external view returns (ICompliance) {
        return _compliance;
    }

    /// @notice Replace the identity registry.
    /// @param identityRegistry_ The new registry.
    function setIdentityRegistry(address identityRegistry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setIdentityRegistry(identityRegistry_);
    }

    /// @notice Replace the compliance (it must be bound to this token). A compliance with stateful
    /// modules only while the supply is zero and its modules have not been in use.
    /// @param compliance_ The new compliance.
    function setCompliance(address compliance_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCompliance(compliance_);
    }

    /// @notice Set the balance observer (the RevenueDistributor); only while the supply is zero,
    /// because the observer must have seen every balance from the start.
    /// @param observer The observer, or zero for none.
    function setBalanceObserver(address observer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 supply = totalSupply();
        if (supply != 0) revert ObserverChangeWithSupply(supply);
        balanceObserver = IBalanceObserver(observer);
        emit BalanceObserverSet(observer);
    }

    /// @notice Set the asset metadata.
    /// @param assetId_ Identifier of the underlying asset.
    /// @param documentHash_ Hash of the offering document.
    /// @param documentURI_ Where the document can be read.
    function setAssetInfo(bytes32 assetId_, bytes32 documentHash_, string calldata documentURI_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        assetId = assetId_;
        documentHash = documentHash_;
        documentURI = documentURI_;
        emit AssetInfoUpdated(assetId_, documentHash_, documentURI_);
    }

    /// @notice Token decimals: 18 (fractional ownership of the asset).
    function decimals() public pure override returns (uint8) {
        return 18;
    }

    // ------------------------------------------------------------------ pause

    /// @notice Stop all plain transfers (agent actions continue).
    function pause() external onlyRole(AGENT_ROLE) {
        _pause();
    }

    /// @notice Resume plain transfers.
    function unpause() external onlyRole(AGENT_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ plain transfers

    /// @notice ERC-20 transfer, subject to the pause, freezes, identity and compliance.
    /// @param to Receiver.
    /// @param amount Token amount.
    function transfer(address to, uint256 amount) public override returns (bool) {
        _checkTransfer(msg.sender, to, amount);
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice ERC-20 transferFrom, subject to the same rules as `transfer`.
    /// @param from Holder.
    /// @param to Receiver.
    /// @param amount Token amount.
    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        _checkTransfer(from, to, amount);
        _spendAllowance(from, msg.sender, amount);
        _transfer(from, to, amount);
        return true;
    }

    /// @notice Several plain transfers from the caller.
    /// @param tos Receivers.
    /// @param amounts Token amounts.
    function batchTransfer(address[] calldata tos, uint256[] calldata amounts) external {
        if (tos.length != amounts.length) revert LengthMismatch();
        for (uint256 i = 0; i < tos.length; ++i) {
            _checkTransfer(msg.sender, tos[i], amounts[i]);
            _transfer(msg.sender, tos[i], amounts[i]);
        }
    }

    // ------------------------------------------------------------------ agent actions

    /// @notice Mint to a verified, unfrozen receiver, subject to the compliance (supply cap...).
    /// @param to Receiver.
    /// @param amount Token amount.
    function mint(address to, uint256 amount) public onlyRole(AGENT_ROLE) {
        _checkReceiver(to);
        if (!_compliance.canTransfer(address(0), to, amount)) revert TransferNotCompliant(address(0), to, amount);
        _mint(to, amount);
    }

    /// @notice Burn from a holder; may eat into frozen tokens.
    /// @param from Holder.
    /// @param amount Token amount.
    function burn(address from, uint256 amount) public onlyRole(AGENT_ROLE) {
        _eatFrozen(from, amount);
        _burn(from, amount);
    }

    /// @notice Move tokens without the holder's consent (court order, error correction); may eat
    /// into frozen tokens; ignores the pause and the sender's frozen status.
    /// @param from Holder.
    /// @param to Verified, unfrozen receiver.
    /// @param amount Token amount.
    function forcedTransfer(address from, address to, uint256 amount) public onlyRole(AGENT_ROLE) returns (bool) {
        if (from == to) revert SameAddress(from);
        _checkReceiver(to);
        _eatFrozen(from, amount);
        _transfer(from, to, amount);
        emit ForcedTransfer(from, to, amount, msg.sender);
        return true;
    }

    /// @notice Move the whole balance of a lost wallet to the investor's new wallet, with its frozen tokens,
    /// its frozen status, (through the compliance) its lock-up and (through the observer) its unclaimed
    /// revenue (ERC-3643). The new wallet must be a management key of the investor's ONCHAINID, which must
    /// be the lost wallet's registered identity (an unregistered lost wallet cannot be recovered); the new wallet is registered with it (when it is not yet)
    /// and the lost wallet removed from the registry, so this token needs the registry's AGENT_ROLE.
    /// @param lostWallet The wallet the investor lost.
    /// @param newWallet The investor's new wallet.
    /// @param investorOnchainID The investor's ONCHAINID.
    function recoveryAddress(address lostWallet, address newWallet, address investorOnchainID)
        external
        onlyRole(AGENT_ROLE)
        returns (bool)
    {
        if (lostWallet == newWallet) revert SameAddress(lostWallet);
        uint256 amount = balanceOf(lostWallet);
        if (amount == 0) revert NothingToRecover(lostWallet);
        IIdentity id = IIdentity(investorOnchainID);
        if (!id.keyHasPurpose(keccak256(abi.encode(newWallet)), MANAGEMENT_PURPOSE)) {
            revert RecoveryNotPossible(newWallet, investorOnchainID);
        }
        IIdentityRegistry registry = _identityRegistry;
        // The lost wallet must still be registered with that identity: its country is what the new wallet gets,
        // and an unregistered one would let any identity claim the tokens (registered with country 0).
        if (address(registry.identity(lostWallet)) != investorOnchainID) {
            revert IdentityMismatch(lostWallet, investorOnchainID);
        }
        if (!registry.contains(newWallet)) {
            registry.registerIdentity(newWallet, id, registry.investorCountry(lostWallet));
        } else if (address(registry.identity(newWallet)) != investorOnchainID) {
            revert IdentityMismatch(newWallet, investorOnchainID);
        }
        _checkReceiver(newWallet);
        uint256 frozenTokens = _frozenTokens[lostWallet];
        if (frozenTokens != 0) {
            _frozenTokens[lostWallet] = 0;
            _frozenTokens[newWallet] += frozenTokens; // adds to what is already frozen there
            emit TokensUnfrozen(lostWallet, frozenTokens);
            emit TokensFrozen(newWallet, frozenTokens);
        }
        // Effects before the transfer, whose hooks call the compliance and the observer.
        if (_frozen[lostWallet]) {
            _frozen[newWallet] = true;
            emit AddressFrozen(newWallet, true, msg.sender);
        }
        // Before the transfer, whose hook would otherwise release the lost wallet's locks with its balance.
        _compliance.beforeRecovery(lostWallet, newWallet);
        _transfer(lostWallet, newWallet, amount);
        IBalanceObserver observer = balanceObserver;
        if (address(observer) != address(0)) observer.walletRecovered(lostWallet, newWallet);
        registry.deleteIdentity(lostWallet);
        emit RecoverySuccess(lostWallet, newWallet, investorOnchainID);
        return true;
    }

    /// @notice Freeze or unfreeze a wallet (it can neither send nor receive plain transfers).
    /// @param wallet Holder.
    /// @param freeze New status.
    function setAddressFrozen(address wallet, bool freeze) public onlyRole(AGENT_ROLE) {
        _frozen[wallet] = freeze;
        emit AddressFrozen(wallet, freeze, msg.sender);
    }

    /// @notice Freeze `amount` more tokens of `wallet`.
    /// @param wallet Holder.
    /// @param amount Token amount.
    function freezePartialTokens(address wallet, uint256 amount) public onlyRole(AGENT_ROLE) {
        uint256 balance = balanceOf(wallet);
        uint256 after_ = _frozenTokens[wallet] + amount;
        if (after_ > balance) revert FreezeExceedsBalance(wallet, balance, after_);
        _frozenTokens[wallet] = after_;
        emit TokensFrozen(wallet, amount);
    }

    /// @notice Unfreeze `amount` tokens of `wallet`.
    /// @param wallet Holder.
    /// @param amount Token amount.
    function unfreezePartialTokens(address wallet, uint256 amount) public onlyRole(AGENT_ROLE) {
        uint256 frozenTokens = _frozenTokens[wallet];
        if (amount > frozenTokens) revert UnfreezeExceedsFrozen(wallet, frozenTokens, amount);
        _frozenTokens[wallet] = frozenTokens - amount;
        emit TokensUnfrozen(wallet, amount);
    }

    /// @notice Several mints.
    /// @param tos Receivers.
    /// @param amounts Token amounts.
    function batchMint(address[] calldata tos, uint256[] calldata amounts) external {
        if (tos.length != amounts.length) revert LengthMismatch();
        for (uint256 i = 0; i < tos.length; ++i) mint(tos[i], amounts[i]);
    }

    /// @notice Several burns.
    /// @param froms Holders.
    /// @param amounts Token amounts.
    function batchBurn(address[] calldata froms, uint256[] calldata amounts) external {
        if (froms.length != amounts.length) revert LengthMismatch();
        for (uint256 i = 0; i < froms.length; ++i) burn(froms[i], amounts[i]);
    }

    /// @notice Several forced transfers.
    /// @param froms Holders.
    /// @param tos Receivers.
    /// @param amounts Token amounts.
    function batchForcedTransfer(address[] calldata froms, address[] calldata tos, uint256[] calldata amounts)
        external
    {
        if (froms.length != tos.length || froms.length != amounts.length) revert LengthMismatch();
        for (uint256 i = 0; i < froms.length; ++i) forcedTransfer(froms[i], tos[i], amounts[i]);
    }

    /// @notice Freeze or unfreeze several wallets.
    /// @param wallets Holders.
    /// @param freezes New statuses.
    function batchSetAddressFrozen(address[] calldata wallets, bool[] calldata freezes) external {
        if (wallets.length != freezes.length) revert LengthMismatch();
        for (uint256 i = 0; i < wallets.length; ++i) setAddressFrozen(wallets[i], freezes[i]);
    }

    /// @notice Freeze part of several balances.
    /// @param wallets Holders.
    /// @param amounts Token amounts.
    function batchFreezePartialTokens(address[] calldata wallets, uint256[] calldata amounts) external {
        if (wallets.length != amounts.length) revert LengthMismatch();
        for (uint256 i = 0; i < wallets.length; ++i) freezePartialTokens(wallets[i], amounts[i]);
    }

    /// @notice Unfreeze part of several balances.
    /// @param wallets Holders.
    /// @param amounts Token amounts.
    function batchUnfreezePartialTokens(address[] calldata wallets, uint256[] calldata amounts) external {
        if (wallets.length != amounts.length) revert LengthMismatch();
        for (uint256 i = 0; i < wallets.length; ++i) unfreezePartialTokens(wallets[i], amounts[i]);
    }

    // ------------------------------------------------------------------ views

    /// @notice True when `wallet` is frozen.
    /// @param wallet Holder.
    function isFrozen(address wallet) external view returns (bool) {
        return _frozen[wallet];
    }

    /// @notice Tokens of `wallet` that are frozen.
    /// @param wallet Holder.
    function getFrozenTokens(address wallet) external view returns (uint256) {
        return _frozenTokens[wallet];
    }

    /// @notice Whether a plain transfer would pass every rule now (a pre-trade check that
    /// does not revert); balance sufficiency included.
    /// @param from Holder.
    /// @param to Receiver.
    /// @param amount Token amount.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        if (paused() || _frozen[from] || _frozen[to]) return false;
        if (amount > balanceOf(from) - _frozenTokens[from]) return false;
        if (!_identityRegistry.isVerified(to)) return false;
        return _compliance.canTransfer(from, to, amount);
    }

    // ------------------------------------------------------------------ internals

    function _checkTransfer(address from, address to, uint256 amount) private view {
        _requireNotPaused();
        if (_frozen[from]) revert WalletFrozen(from);
        if (_frozen[to]) revert WalletFrozen(to);
        uint256 frozenTokens = _frozenTokens[from];
        if (frozenTokens != 0) {
            uint256 available = balanceOf(from) - frozenTokens;
            if (amount > available) revert InsufficientUnfrozenBalance(from, available, amount);
        }
        if (!_identityRegistry.isVerified(to)) revert ReceiverNotVerified(to);
        if (!_compliance.canTransfer(from, to, amount)) revert TransferNotCompliant(from, to, amount);
    }

    function _checkReceiver(address to) private view {
        if (!_identityRegistry.isVerified(to)) revert ReceiverNotVerified(to);
        if (_frozen[to]) revert WalletFrozen(to);
    }

    /// @dev Before an agent burn or forced transfer: unfreeze what the amount takes beyond the
    /// free balance (ERC-3643). An amount above the balance is left to ERC20's own error.
    function _eatFrozen(address from, uint256 amount) private {
        uint256 frozenTokens = _frozenTokens[from];
        if (frozenTokens == 0) return;
        uint256 balance = balanceOf(from);
        if (amount > balance) return;
        uint256 free = balance - frozenTokens;
        if (amount > free) {
            uint256 unfreeze = amount - free;
            _frozenTokens[from] = frozenTokens - unfreeze;
            emit TokensUnfrozen(from, unfreeze);
        }
    }

    /// @dev Every balance change: ERC20 bookkeeping, then the compliance hook, then the observer.
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == address(0)) {
            _compliance.created(to, value);
        } else if (to == address(0)) {
            _compliance.destroyed(from, value);
        } else {
            _compliance.transferred(from, to, value);
        }
        IBalanceObserver observer = balanceObserver;
        if (address(observer) != address(0)) observer.balanceChanged(from, to, value);
    }

    function _emitTokenInformation() private {
        emit UpdatedTokenInformation(_tokenName, _tokenSymbol, decimals(), _VERSION, _onchainID);
    }

    function _setIdentityRegistry(address registry) private {
        if (registry == address(0)) revert ZeroAddress();
        _identityRegistry = IIdentityRegistry(registry);
        emit IdentityRegistryAdded(registry);
    }

    function _setCompliance(address compliance_) private {
        if (compliance_ == address(0)) revert ZeroAddress();
        ICompliance c = ICompliance(compliance_);
        if (c.needsHistory() && (totalSupply() != 0 || c.inUse())) revert ComplianceNeedsEmptyToken(compliance_);
        _compliance = ICompliance(compliance_);
        emit ComplianceAdded(compliance_);
    }
}
