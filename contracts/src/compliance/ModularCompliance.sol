// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ICompliance} from "./ICompliance.sol";
import {IComplianceModule} from "./IComplianceModule.sol";

/// @title ModularCompliance
/// @notice ERC-3643 compliance built from independent rule modules. `canTransfer` is the AND of
/// every module's check; the hooks forward to every module so stateful rules (holder count,
/// lock-ups) stay right. The owner (the issuer) binds the token, adds or removes modules and configures
/// them through `callModuleFunction`. The ERC-3643 (T-REX `IModularCompliance`) surface: `bindToken`,
/// `unbindToken`, `getTokenBound`, `addModule`, `removeModule`, `getModules`, `isModuleBound`,
/// `callModuleFunction`, `canTransfer` and the three hooks, with its events; what this contract adds beyond
/// it (`beforeRecovery`, `needsHistory`, `inUse`, retired modules, `refusingModule`) keeps stateful modules right.
/// @dev Stateful modules (`needsHistory`) are right only if they see every balance change of their
/// token from a zero supply on. The compliance enforces it on its side:
/// - a stateful module joins only while the bound token (if any) has no supply;
/// - a compliance holding stateful modules binds only a token without supply, and never once they
///   have seen balance changes (`inUse`): their state belongs to the binding they watched, so
///   rebinding (even the same token after an unbind, during which the token could have moved
///   balances under another compliance) would carry it over stale;
/// - a stateful module removed while in use is retired: it can never be added again (deploy a
///   fresh one), since while out of the list it misses balance changes. Chosen over resetting the
///   module on re-add because a module cannot reset per-wallet state (locks) in bounded gas, and
///   over forbidding the removal because an issuer must be able to drop a rule mid-life.
/// `inUse` clears when the last stateful module leaves. The token enforces the other side: it
/// refuses `setCompliance` to a compliance that needs history unless the supply is zero and the
/// compliance is not in use.
/// Unlike T-REX, only the owner binds and unbinds (the token's `setCompliance` requires a compliance already
/// bound to it), and `callModuleFunction` refuses the module hooks, which only the bound token may drive.
contract ModularCompliance is Ownable, ICompliance {
    /// @notice Bound on the module list so that every transfer has a bounded gas cost.
    uint256 public constant MAX_MODULES = 25;

    /// @inheritdoc ICompliance
    address public token;
    /// @inheritdoc ICompliance
    bool public inUse;
    uint8 private _statefulModules; // packed with token and inUse: the hooks read one slot
    address[] private _modules;
    mapping(address module => bool) private _isModule;
    mapping(address module => bool) private _isStateful;
    mapping(address module => bool) private _retired;

    /// @notice Emitted when the compliance is bound to `token` (not indexed, as in ERC-3643).
    event TokenBound(address token);
    /// @notice Emitted when the compliance is unbound from `token` (not indexed, as in ERC-3643).
    event TokenUnbound(address token);
    /// @notice Emitted when `module` is added.
    event ModuleAdded(address indexed module);
    /// @notice Emitted when `module` is removed.
    event ModuleRemoved(address indexed module);
    /// @notice Emitted when the owner called function `selector` of module `target` through `callModuleFunction`.
    event ModuleInteraction(address indexed target, bytes4 selector);
    /// @notice Emitted when a stateful `module` removed while in use is retired (it cannot be added again).
    event StatefulModuleRetired(address indexed module);
    /// @notice Emitted when `inUse` changes (the stateful modules saw their first balance change, or the
    /// last stateful module left).
    event InUseChanged(bool inUse);

    /// @notice The caller is not the bound token.
    error OnlyBoundToken(address caller);
    /// @notice The zero address was given.
    error ZeroAddress();
    /// @notice The module is already in the list.
    error ModuleAlreadyAdded(address module);
    /// @notice The module is not in the list.
    error ModuleNotFound(address module);
    /// @notice The module serves another compliance.
    error ModuleNotBound(address module);
    /// @notice MAX_MODULES reached.
    error TooManyModules();
    /// @notice A module that keeps state from the hooks cannot join (or be bound to) a token that has a supply.
    error ModuleNeedsEmptyToken(address module);
    /// @notice A stateful module removed after seeing balance changes cannot be added again.
    error ModuleRetired(address module);
    /// @notice The stateful modules have seen balance changes: the compliance cannot be bound again.
    error StatefulModulesInUse(address module);
    /// @notice `token` is not the bound token (or no token is bound).
    error TokenNotBound(address token);
    /// @notice `callModuleFunction` cannot call a module hook (`selector`): only the bound token drives them.
    error ModuleHookCall(bytes4 selector);

    modifier onlyToken() {
        if (msg.sender != token || msg.sender == address(0)) revert OnlyBoundToken(msg.sender);
        _;
    }

    /// @param owner_ The issuer, who manages the modules.
    constructor(address owner_) Ownable(owner_) {}

    /// @notice Bind the compliance to `token_` (replacing any previous binding). With stateful modules,
    /// only a token without supply, and only while they have seen no balance change.
    /// @param token_ The RWA token.
    function bindToken(address token_) external onlyOwner {
        if (token_ == address(0)) revert ZeroAddress();
        if (_statefulModules != 0) {
            if (IERC20(token_).totalSupply() != 0) revert ModuleNeedsEmptyToken(_firstStateful());
            if (inUse) revert StatefulModulesInUse(_firstStateful());
        }
        token = token_;
        emit TokenBound(token_);
    }

    /// @notice Unbind the bound token: hooks are refused, and `canTransfer` is false, until a token is bound again.
    /// @param token_ The bound token (anything else is refused).
    function unbindToken(address token_) external onlyOwner {
        if (token_ == address(0)) revert ZeroAddress();
        if (token_ != token) revert TokenNotBound(token_);
        token = address(0);
        emit TokenUnbound(token_);
    }

    /// @notice The token this compliance is bound to, or zero (ERC-3643 name of `token()`).
    function getTokenBound() external view returns (address) {
        return token;
    }

    /// @notice Call a function of a bound module as the compliance: how the owner configures the modules
    /// (their setters accept the compliance as well as their own owner), e.g.
    /// `callModuleFunction(abi.encodeCall(MaxBalanceModule.setMaxBalance, (limit)), module)`.
    /// The module's revert is bubbled up. The hooks (`module*Action`) are refused: a stateful module's state
    /// must come from the bound token's balance changes only.
    /// @param callData The call: the module function's selector and its ABI-encoded arguments.
    /// @param module A module in the list.
    function callModuleFunction(bytes calldata callData, address module) external onlyOwner {
        if (!_isModule[module]) revert ModuleNotFound(module);
        bytes4 selector = bytes4(callData); // zero-padded when shorter than 4 bytes: the call then fails
        if (
            selector == IComplianceModule.moduleTransferAction.selector
                || selector == IComplianceModule.moduleMintAction.selector
                || selector == IComplianceModule.moduleBurnAction.selector
                || selector == IComplianceModule.moduleRecoveryAction.selector
        ) revert ModuleHookCall(selector);
        // slither-disable-next-line unused-return
        Address.functionCall(module, callData); // reverts with the module's error; the return data is not used
        emit ModuleInteraction(module, selector);
    }

    /// @notice Add a rule module; it must have been deployed for this compliance. A stateful module
    /// only while the bound token has no supply, and never one retired.
    /// @param module The module.
    function addModule(address module) external onlyOwner {
        if (module == address(0)) revert ZeroAddress();
        if (_isModule[module]) revert ModuleAlreadyAdded(module);
        if (_modules.length >= MAX_MODULES) revert TooManyModules();
        if (IComplianceModule(module).compliance() != address(this)) revert ModuleNotBound(module);
        bool stateful = IComplianceModule(module).needsHistory();
        if (stateful) {
            // A stateful rule added after issuance would start from a wrong state (e.g. a holder count of 0).
            if (token != address(0) && IERC20(token).totalSupply() != 0) revert ModuleNeedsEmptyToken(module);
            // ... and one that missed balance changes while out of the list holds a stale state.
            if (_retired[module]) revert ModuleRetired(module);
            _isStateful[module] = true;
            ++_statefulModules;
        }
        _isModule[module] = true;
        _modules.push(module);
        emit ModuleAdded(module);
    }

    /// @notice Remove a rule module. A stateful module removed while in use is retired for good.
    /// @param module The module.
    function removeModule(address module) external onlyOwner {
        if (!_isModule[module]) revert ModuleNotFound(module);
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_modules[i] == module) {
                _modules[i] = _modules[n - 1];
                _modules.pop();
                break;
            }
        }
        _isModule[module] = false;
        emit ModuleRemoved(module);
        if (_isStateful[module]) {
            _isStateful[module] = false;
            uint8 left = --_statefulModules;
            if (inUse) {
                _retired[module] = true;
                emit StatefulModuleRetired(module);
                if (left == 0) _setInUse(false);
            }
        }
    }

    /// @notice The modules in check order.
    function getModules() external view returns (address[] memory) {
        return _modules;
    }

    /// @notice True when `module` is in the list.
    /// @param module The module.
    function isModuleBound(address module) external view returns (bool) {
        return _isModule[module];
    }

    /// @notice True when `module` was retired (a stateful module removed while in use).
    /// @param module The module.
    function isModuleRetired(address module) external view returns (bool) {
        return _retired[module];
    }

    /// @inheritdoc ICompliance
    function needsHistory() external view returns (bool) {
        return _statefulModules != 0;
    }

    /// @inheritdoc ICompliance
    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        if (token == address(0)) return false; // unbound: modules cannot read balances
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            if (!IComplianceModule(_modules[i]).moduleCheck(from, to, amount)) return false;
        }
        return true;
    }

    /// @notice The first module refusing the transfer, or the zero address when all allow it
    /// (a diagnostic for the simulator and for investor-facing error messages).
    /// @param from Sender (zero for a mint).
    /// @param to Receiver (zero for a burn).
    /// @param amount Token amount.
    function refusingModule(address from, address to, uint256 amount) external view returns (address) {
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            if (!IComplianceModule(_modules[i]).moduleCheck(from, to, amount)) return _modules[i];
        }
        return address(0);
    }

    /// @inheritdoc ICompliance
    function transferred(address from, address to, uint256 amount) external onlyToken {
        _markInUse();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleTransferAction(from, to, amount);
        }
    }

    /// @inheritdoc ICompliance
    function created(address to, uint256 amount) external onlyToken {
        _markInUse();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleMintAction(to, amount);
        }
    }

    /// @inheritdoc ICompliance
    function destroyed(address from, uint256 amount) external onlyToken {
        _markInUse();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleBurnAction(from, amount);
        }
    }

    /// @inheritdoc ICompliance
    function beforeRecovery(address lostWallet, address newWallet) external onlyToken {
        _markInUse();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleRecoveryAction(lostWallet, newWallet);
        }
    }

    function _markInUse() private {
        if (!inUse && _statefulModules != 0) _setInUse(true);
    }

    function _setInUse(bool value) private {
        inUse = value;
        emit InUseChanged(value);
    }

    function _firstStateful() private view returns (address) {
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_isStateful[_modules[i]]) return _modules[i];
        }
        return address(0);
    }
}
