// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Pausable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Pausable.sol";

/// @title A token listed on Assetport (KGLD, KSLV, KCU, KOIL and others).
/// @notice The issuer mints against reserves and burns on redemption; operators can pause all
/// transfers, and freeze an address (a court order, a stolen-key report): a frozen address can
/// neither send nor receive, and its balance can be wiped, as Paxos does for PAXG.
/// The admin (DEFAULT_ADMIN_ROLE) holds no other role until it grants one.
contract AssetToken is ERC20, ERC20Pausable, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant BURNER_ROLE = keccak256("BURNER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant FREEZER_ROLE = keccak256("FREEZER_ROLE");

    uint8 private immutable _decimals;
    mapping(address account => bool) public isFrozen;

    event AddressFrozen(address indexed account);
    event AddressUnfrozen(address indexed account);
    event FrozenAddressWiped(address indexed account, uint256 amount);

    error AddressIsFrozen(address account);
    error AddressNotFrozen(address account);

    constructor(string memory name_, string memory symbol_, uint8 decimals_, address admin)
        ERC20(name_, symbol_)
    {
        _decimals = decimals_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Burns from the burner's own balance: redemptions are first sent to the burner.
    function burn(uint256 amount) external onlyRole(BURNER_ROLE) {
        _burn(msg.sender, amount);
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    function freeze(address account) external onlyRole(FREEZER_ROLE) {
        if (isFrozen[account]) revert AddressIsFrozen(account);
        isFrozen[account] = true;
        emit AddressFrozen(account);
    }

    function unfreeze(address account) external onlyRole(FREEZER_ROLE) {
        if (!isFrozen[account]) revert AddressNotFrozen(account);
        isFrozen[account] = false;
        emit AddressUnfrozen(account);
    }

    /// @notice Burns a frozen address's whole balance; the address stays frozen.
    function wipeFrozenAddress(address account) external onlyRole(FREEZER_ROLE) {
        if (!isFrozen[account]) revert AddressNotFrozen(account);
        uint256 amount = balanceOf(account);
        _burn(account, amount);
        emit FrozenAddressWiped(account, amount);
    }

    function _update(address from, address to, uint256 value)
        internal
        override(ERC20, ERC20Pausable)
    {
        // A frozen address's tokens can leave only by a burn (wipeFrozenAddress).
        if (to != address(0) && isFrozen[from]) revert AddressIsFrozen(from);
        if (isFrozen[to]) revert AddressIsFrozen(to);
        super._update(from, to, value);
    }
}
