// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {ERC721Core} from "./ERC721Core.sol";
import {IERC20Min} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// An SPG NFT collection: the ERC-721 that RegistrationWorkflows.createCollection deploys and that
// the periphery workflows mint from. Token ids start at 1; roles are bytes32(0) (admin) and
// bytes32(1) (minter), as in Story's SPGNFT. No beacon proxy: each collection is a plain contract.
contract SPGNFT is ERC721Core {
    struct InitParams {
        string name;
        string symbol;
        string baseURI;
        string contractURI;
        uint32 maxSupply;
        uint256 mintFee;
        address mintFeeToken;
        address mintFeeRecipient;
        address owner;
        bool mintOpen;
        bool isPublicMinting;
    }

    bytes32 public constant DEFAULT_ADMIN_ROLE = bytes32(0);
    bytes32 internal constant MINTER_ROLE = bytes32(uint256(1));

    error InvalidInitialization();
    error SPGNFT__CallerNotPeripheryContract();
    error SPGNFT__DuplicatedNFTMetadataHash(address spgNftContract, uint256 tokenId, bytes32 nftMetadataHash);
    error SPGNFT__MaxSupplyReached();
    error SPGNFT__MintingClosed();
    error SPGNFT__MintingDenied();
    error SPGNFT__ZeroAddressParam();
    error SPGNFT__ZeroMaxSupply();
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);

    bool private initialized;
    string public name;
    string public symbol;
    string public baseURI;
    string public contractURI;
    uint32 private maxSupply;
    uint256 public mintFee;
    address public mintFeeToken;
    address public mintFeeRecipient;
    bool public mintOpen;
    bool public publicMinting;
    uint256 public totalSupply;

    mapping(bytes32 => mapping(address => bool)) private roles;
    mapping(uint256 => string) private tokenURIs;
    mapping(bytes32 => uint256) private tokenIdByMetadataHash;

    function initialize(InitParams calldata p) external {
        if (initialized) revert InvalidInitialization();
        if (p.owner == address(0)) revert SPGNFT__ZeroAddressParam();
        if (p.maxSupply == 0) revert SPGNFT__ZeroMaxSupply();
        initialized = true;
        name = p.name;
        symbol = p.symbol;
        baseURI = p.baseURI;
        contractURI = p.contractURI;
        maxSupply = p.maxSupply;
        mintFee = p.mintFee;
        mintFeeToken = p.mintFeeToken;
        mintFeeRecipient = p.mintFeeRecipient;
        mintOpen = p.mintOpen;
        publicMinting = p.isPublicMinting;
        _grantRole(DEFAULT_ADMIN_ROLE, p.owner);
        _grantRole(MINTER_ROLE, p.owner);
    }

    function hasRole(bytes32 role, address account) public view returns (bool) {
        return roles[role][account];
    }

    function grantRole(bytes32 role, address account) external {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, DEFAULT_ADMIN_ROLE);
        }
        _grantRole(role, account);
    }

    // Minting by a wallet: public collections let anyone mint, others need the minter role.
    function mint(address to, string calldata nftMetadataURI, bytes32 nftMetadataHash, bool allowDuplicates)
        external
        returns (uint256)
    {
        if (!publicMinting && !hasRole(MINTER_ROLE, msg.sender)) revert SPGNFT__MintingDenied();
        return _mint(to, msg.sender, nftMetadataURI, nftMetadataHash, allowDuplicates);
    }

    // Minting by Story's periphery workflows, which check the caller's rights themselves.
    function mintByPeriphery(
        address to,
        address payer,
        string calldata nftMetadataURI,
        bytes32 nftMetadataHash,
        bool allowDuplicates
    ) external returns (uint256) {
        if (
            msg.sender != StoryAddresses.REGISTRATION_WORKFLOWS && msg.sender != StoryAddresses.DERIVATIVE_WORKFLOWS
                && msg.sender != StoryAddresses.LICENSE_ATTACHMENT_WORKFLOWS
                && msg.sender != StoryAddresses.ROYALTY_TOKEN_DISTRIBUTION_WORKFLOWS
                && msg.sender != StoryAddresses.GROUPING_WORKFLOWS
        ) revert SPGNFT__CallerNotPeripheryContract();
        return _mint(to, payer, nftMetadataURI, nftMetadataHash, allowDuplicates);
    }

    function getTokenIdByMetadataHash(bytes32 nftMetadataHash) external view returns (uint256) {
        return tokenIdByMetadataHash[nftMetadataHash];
    }

    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        if (bytes(baseURI).length == 0) return tokenURIs[tokenId];
        return string.concat(baseURI, tokenURIs[tokenId]);
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        // ERC-165, ERC-721, ERC-721 metadata: what IPAssetRegistry and wallets check.
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd || interfaceId == 0x5b5e139f;
    }

    function _mint(address to, address payer, string calldata uri, bytes32 hash, bool allowDuplicates)
        private
        returns (uint256 tokenId)
    {
        if (!mintOpen) revert SPGNFT__MintingClosed();
        if (totalSupply >= maxSupply) revert SPGNFT__MaxSupplyReached();
        if (hash != bytes32(0) && tokenIdByMetadataHash[hash] != 0) {
            if (!allowDuplicates) revert SPGNFT__DuplicatedNFTMetadataHash(address(this), tokenIdByMetadataHash[hash], hash);
        }
        if (mintFee > 0 && mintFeeToken != address(0)) {
            IERC20Min(mintFeeToken).transferFrom(payer, address(this), mintFee);
        }
        tokenId = ++totalSupply;
        if (hash != bytes32(0) && tokenIdByMetadataHash[hash] == 0) tokenIdByMetadataHash[hash] = tokenId;
        owners[tokenId] = to;
        balances[to] += 1;
        if (bytes(uri).length > 0) tokenURIs[tokenId] = uri;
        emit Transfer(address(0), to, tokenId);
    }

    function _grantRole(bytes32 role, address account) private {
        if (roles[role][account]) return;
        roles[role][account] = true;
        emit RoleGranted(role, account, msg.sender);
    }
}
