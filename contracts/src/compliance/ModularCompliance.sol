// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICompliance} from "./ICompliance.sol";
import {IComplianceModule} from "./IComplianceModule.sol";

/// @title ModularCompliance
/// @notice ERC-3643 compliance built from independent rule modules. `canTransfer` is the AND of
/// every module's check; the hooks forward to every module so stateful rules (holder count,
/// lock-ups) stay right. The owner (the issuer) binds the token and adds or removes modules.
contract ModularCompliance is Ownable, ICompliance {
    /// @notice Bound on the module list so that every transfer has a bounded gas cost.
    uint256 public constant MAX_MODULES = 25;

    /// @inheritdoc ICompliance
    address public token;
    address[] private _modules;
    mapping(address module => bool) private _isModule;

    /// @notice Emitted when the compliance is bound to `token`.
    event TokenBound(address indexed token);
    /// @notice Emitted when the compliance is unbound from `token`.
    event TokenUnbound(address indexed token);
    /// @notice Emitted when `module` is added.
    event ModuleAdded(address indexed module);
    /// @notice Emitted when `module` is removed.
    event ModuleRemoved(address indexed module);

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
    /// @notice A module that keeps state from the hooks cannot be added once tokens exist.
    error ModuleNeedsEmptyToken(address module);
    /// @notice No token is bound.
    error TokenNotBound();

    modifier onlyToken() {
        if (msg.sender != token || msg.sender == address(0)) revert OnlyBoundToken(msg.sender);
        _;
    }

    /// @param owner_ The issuer, who manages the modules.
    constructor(address owner_) Ownable(owner_) {}

    /// @notice Bind the compliance to `token_` (replacing any previous binding).
    /// @param token_ The RWA token.
    function bindToken(address token_) external onlyOwner {
        if (token_ == address(0)) revert ZeroAddress();
        token = token_;
        emit TokenBound(token_);
    }

    /// @notice Unbind the current token: hooks are refused until a token is bound again.
    function unbindToken() external onlyOwner {
        address old = token;
        if (old == address(0)) revert TokenNotBound();
        token = address(0);
        emit TokenUnbound(old);
    }

    /// @notice Add a rule module; it must have been deployed for this compliance.
    /// @param module The module.
    function addModule(address module) external onlyOwner {
        if (module == address(0)) revert ZeroAddress();
        if (_isModule[module]) revert ModuleAlreadyAdded(module);
        if (_modules.length >= MAX_MODULES) revert TooManyModules();
        if (IComplianceModule(module).compliance() != address(this)) revert ModuleNotBound(module);
        // A stateful rule added after issuance would start from a wrong state (e.g. a holder count of 0).
        if (token != address(0) && IERC20(token).totalSupply() != 0 && IComplianceModule(module).needsHistory()) {
            revert ModuleNeedsEmptyToken(module);
        }
        _isModule[module] = true;
        _modules.push(module);
        emit ModuleAdded(module);
    }

    /// @notice Remove a rule module.
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
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleTransferAction(from, to, amount);
        }
    }

    /// @inheritdoc ICompliance
    function created(address to, uint256 amount) external onlyToken {
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleMintAction(to, amount);
        }
    }

    /// @inheritdoc ICompliance
    function destroyed(address from, uint256 amount) external onlyToken {
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleBurnAction(from, amount);
        }
    }

    /// @inheritdoc ICompliance
    function beforeRecovery(address lostWallet, address newWallet) external onlyToken {
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            IComplianceModule(_modules[i]).moduleRecoveryAction(lostWallet, newWallet);
        }
    }
}
