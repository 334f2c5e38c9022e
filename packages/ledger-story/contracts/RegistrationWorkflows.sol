// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {SPGNFT} from "./SPGNFT.sol";
import {StoryAddresses} from "./StoryAddresses.sol";
import {IERC721Min, IIPAssetRegistryMin} from "./Interfaces.sol";

interface ICoreMetadataModuleMin {
    function setAll(address ipId, string calldata metadataURI, bytes32 metadataHash, bytes32 nftMetadataHash)
        external;
}

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Story's periphery entry points for collections and registration: createCollection deploys an
// SPGNFT (a plain contract, not a beacon proxy); mintAndRegisterIp mints to itself, registers,
// stores metadata and hands the NFT to the recipient, in one transaction, like Story's.
// registerIp checks that the caller is the signer and owns the NFT instead of verifying the
// EIP-712 signature the SDK sends.
contract RegistrationWorkflows {
    struct IPMetadata {
        string ipMetadataURI;
        bytes32 ipMetadataHash;
        string nftMetadataURI;
        bytes32 nftMetadataHash;
    }

    struct SignatureData {
        address signer;
        uint256 deadline;
        bytes signature;
    }

    error RegistrationWorkflows__CallerNotSigner(address caller, address signer);
    error Workflow__CallerNotAuthorizedToMint();

    event CollectionCreated(address indexed spgNftContract);

    function createCollection(SPGNFT.InitParams calldata spgNftInitParams) external returns (address spgNftContract) {
        SPGNFT collection = new SPGNFT();
        collection.initialize(spgNftInitParams);
        spgNftContract = address(collection);
        emit CollectionCreated(spgNftContract);
    }

    function mintAndRegisterIp(
        address spgNftContract,
        address recipient,
        IPMetadata calldata ipMetadata,
        bool allowDuplicates
    ) external returns (address ipId, uint256 tokenId) {
        SPGNFT collection = SPGNFT(spgNftContract);
        if (!collection.publicMinting() && !collection.hasRole(bytes32(uint256(1)), msg.sender)) {
            revert Workflow__CallerNotAuthorizedToMint();
        }
        tokenId = collection.mintByPeriphery(
            address(this), msg.sender, ipMetadata.nftMetadataURI, ipMetadata.nftMetadataHash, allowDuplicates
        );
        ipId = IIPAssetRegistryMin(StoryAddresses.IP_ASSET_REGISTRY).register(block.chainid, spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        collection.safeTransferFrom(address(this), recipient, tokenId, "");
    }

    function registerIp(address nftContract, uint256 tokenId, IPMetadata calldata ipMetadata, SignatureData calldata sigMetadata)
        external
        returns (address ipId)
    {
        if (msg.sender != sigMetadata.signer) revert RegistrationWorkflows__CallerNotSigner(msg.sender, sigMetadata.signer);
        address owner = IERC721Min(nftContract).ownerOf(tokenId);
        if (owner != sigMetadata.signer) revert RegistrationWorkflows__CallerNotSigner(msg.sender, owner);
        ipId = IIPAssetRegistryMin(StoryAddresses.IP_ASSET_REGISTRY).register(block.chainid, nftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
    }

    // Lets the SDK's batch helpers send several workflow calls in one transaction.
    function multicall(bytes[] calldata data) external returns (bytes[] memory results) {
        results = new bytes[](data.length);
        for (uint256 i = 0; i < data.length; i++) {
            (bool ok, bytes memory result) = address(this).delegatecall(data[i]);
            if (!ok) {
                assembly {
                    revert(add(result, 32), mload(result))
                }
            }
            results[i] = result;
        }
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }

    // Story skips the metadata module when every field is empty; an NFT URI alone only sets
    // the token URI (already done by the mint).
    function _setMetadata(address ipId, IPMetadata calldata m) private {
        if (bytes(m.ipMetadataURI).length == 0 && m.ipMetadataHash == bytes32(0) && m.nftMetadataHash == bytes32(0)) {
            return;
        }
        ICoreMetadataModuleMin(StoryAddresses.CORE_METADATA_MODULE).setAll(
            ipId, m.ipMetadataURI, m.ipMetadataHash, m.nftMetadataHash
        );
    }
}
