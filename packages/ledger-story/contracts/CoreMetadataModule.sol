// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC721Min, IIPAccountMin, IIPAssetRegistryMin} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Writes an IP's metadata (METADATA_URI, METADATA_HASH, NFT_TOKEN_URI, NFT_METADATA_HASH) into
// its IP account under this module's namespace, where adapters read it with getBytes/getBytes32.
// Permission is simplified: the IP account itself, its owner, or RegistrationWorkflows (standing
// in for the signed transient permission Story's registerIp obtains) may write.
contract CoreMetadataModule {
    error AccessControlled__NotIpAccount(address ipAccount);
    error AccessController__PermissionDenied(address ipAccount, address signer, address to, bytes4 func);
    error CoreMetadataModule__MetadataAlreadyFrozen();

    event MetadataURISet(address indexed ipId, string metadataURI, bytes32 metadataHash);
    event NFTTokenURISet(address indexed ipId, string nftTokenURI, bytes32 nftMetadataHash);
    event MetadataFrozen(address indexed ipId);

    function name() external pure returns (string memory) {
        return "CORE_METADATA_MODULE";
    }

    function setAll(address ipId, string calldata metadataURI, bytes32 metadataHash, bytes32 nftMetadataHash) external {
        _authorize(ipId, this.setAll.selector);
        _setMetadataURI(ipId, metadataURI, metadataHash);
        _updateNftTokenURI(ipId, nftMetadataHash);
    }

    function setMetadataURI(address ipId, string calldata metadataURI, bytes32 metadataHash) external {
        _authorize(ipId, this.setMetadataURI.selector);
        _setMetadataURI(ipId, metadataURI, metadataHash);
    }

    function updateNftTokenURI(address ipId, bytes32 nftMetadataHash) external {
        _authorize(ipId, this.updateNftTokenURI.selector);
        _updateNftTokenURI(ipId, nftMetadataHash);
    }

    function freezeMetadata(address ipId) external {
        _authorize(ipId, this.freezeMetadata.selector);
        IIPAccountMin(ipId).setBytes32("IS_METADATA_FROZEN", bytes32(uint256(1)));
        emit MetadataFrozen(ipId);
    }

    function isMetadataFrozen(address ipId) public view returns (bool) {
        bytes32 ns = bytes32(uint256(uint160(address(this))));
        return IIPAccountMin(ipId).getBytes32(ns, "IS_METADATA_FROZEN") != bytes32(0);
    }

    function _setMetadataURI(address ipId, string calldata metadataURI, bytes32 metadataHash) private {
        IIPAccountMin(ipId).setBytes("METADATA_URI", bytes(metadataURI));
        IIPAccountMin(ipId).setBytes32("METADATA_HASH", metadataHash);
        emit MetadataURISet(ipId, metadataURI, metadataHash);
    }

    // Copies the NFT's current tokenURI into the IP account, as Story's module does.
    function _updateNftTokenURI(address ipId, bytes32 nftMetadataHash) private {
        (, address tokenContract, uint256 tokenId) = IIPAccountMin(ipId).token();
        string memory uri = IERC721Min(tokenContract).tokenURI(tokenId);
        IIPAccountMin(ipId).setBytes("NFT_TOKEN_URI", bytes(uri));
        IIPAccountMin(ipId).setBytes32("NFT_METADATA_HASH", nftMetadataHash);
        emit NFTTokenURISet(ipId, uri, nftMetadataHash);
    }

    function _authorize(address ipId, bytes4 func) private view {
        if (!IIPAssetRegistryMin(StoryAddresses.IP_ASSET_REGISTRY).isRegistered(ipId)) {
            revert AccessControlled__NotIpAccount(ipId);
        }
        if (isMetadataFrozen(ipId)) revert CoreMetadataModule__MetadataAlreadyFrozen();
        if (
            msg.sender != ipId && msg.sender != IIPAccountMin(ipId).owner()
                && msg.sender != StoryAddresses.REGISTRATION_WORKFLOWS
        ) revert AccessController__PermissionDenied(ipId, msg.sender, address(this), func);
    }
}
