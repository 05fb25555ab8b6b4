// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";

/// @title One NFT collection of unique items on Assetport, on chain.
/// @notice Items live in custody on the platform; an item withdrawn to its holder's wallet is
/// minted here, once, by the platform's custody (MINTER_ROLE), and comes back by a plain
/// transfer to the holder's deposit address. It is never burned: withdrawn again, it moves by
/// transfer. The admin (DEFAULT_ADMIN_ROLE) holds no other role unless it is also the minter.
/// @dev EIP-2981 knows one receiver: the collection's royalty address given at deployment,
/// which the platform owns and pays the collection's split receivers from, off chain.
/// `royaltyInfo` rounds down (OpenZeppelin's mulDiv).
contract CollectionItems721 is ERC721, ERC2981, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice A collection's royalty is at most 10 % of the price (1,000 basis points).
    uint96 public constant MAX_ROYALTY_BPS = 1000;

    string private _baseTokenURI;

    error RoyaltyTooHigh(uint96 bps, uint96 maximum);

    constructor(
        string memory name_,
        string memory symbol_,
        string memory baseTokenURI_,
        address royaltyReceiver,
        uint96 royaltyBps,
        address admin,
        address minter
    ) ERC721(name_, symbol_) {
        _baseTokenURI = baseTokenURI_;
        _setRoyalty(royaltyReceiver, royaltyBps);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, minter);
    }

    /// @notice Mints item `tokenId` to `to`; a contract wallet must accept ERC-721 tokens.
    function mint(address to, uint256 tokenId) external onlyRole(MINTER_ROLE) {
        _safeMint(to, tokenId);
    }

    /// @notice The collection's new default royalty, for every item, minted or not.
    function setDefaultRoyalty(address receiver, uint96 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRoyalty(receiver, bps);
    }

    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721, ERC2981, AccessControl)
        returns (bool)
    {
        return super.supportsInterface(interfaceId);
    }

    function _baseURI() internal view override returns (string memory) {
        return _baseTokenURI;
    }

    function _setRoyalty(address receiver, uint96 bps) private {
        if (bps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(bps, MAX_ROYALTY_BPS);
        _setDefaultRoyalty(receiver, bps);
    }
}
