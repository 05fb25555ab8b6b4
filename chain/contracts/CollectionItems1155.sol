// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";

/// @title One NFT collection of semi-fungible items (game items with supplies) on Assetport,
/// on chain.
/// @notice As CollectionItems721: items withdrawn from custody are minted here by the
/// platform's custody (MINTER_ROLE), come back by plain transfers to deposit addresses, and
/// are never burned. The metadata URI is one template for every id, with `{id}` replaced by
/// clients with the id as 64 lowercase hex digits (ERC-1155's metadata rule).
/// @dev EIP-2981 knows one receiver: the collection's royalty address given at deployment,
/// which the platform owns and pays the collection's split receivers from, off chain.
/// `royaltyInfo` rounds down (OpenZeppelin's mulDiv).
contract CollectionItems1155 is ERC1155, ERC2981, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice A collection's royalty is at most 10 % of the price (1,000 basis points).
    uint96 public constant MAX_ROYALTY_BPS = 1000;

    error RoyaltyTooHigh(uint96 bps, uint96 maximum);

    constructor(
        string memory uri_,
        address royaltyReceiver,
        uint96 royaltyBps,
        address admin,
        address minter
    ) ERC1155(uri_) {
        _setRoyalty(royaltyReceiver, royaltyBps);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, minter);
    }

    /// @notice Mints `amount` of item `id` to `to`; a contract wallet must accept ERC-1155 tokens.
    function mint(address to, uint256 id, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, id, amount, "");
    }

    /// @notice Mints `amounts[i]` of item `ids[i]` to `to`, in one transaction.
    function mintBatch(address to, uint256[] calldata ids, uint256[] calldata amounts)
        external
        onlyRole(MINTER_ROLE)
    {
        _mintBatch(to, ids, amounts, "");
    }

    /// @notice The collection's new default royalty, for every item, minted or not.
    function setDefaultRoyalty(address receiver, uint96 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRoyalty(receiver, bps);
    }

    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC1155, ERC2981, AccessControl)
        returns (bool)
    {
        return super.supportsInterface(interfaceId);
    }

    function _setRoyalty(address receiver, uint96 bps) private {
        if (bps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(bps, MAX_ROYALTY_BPS);
        _setDefaultRoyalty(receiver, bps);
    }
}
