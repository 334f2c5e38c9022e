// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {ERC721Core} from "./ERC721Core.sol";
import {ILicenseTemplateMin} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// License tokens: an ERC-721 whose tokens each carry a licence (licensor IP, template, terms id)
// and are minted and burned only by the LicensingModule. Ids count up from 0 across all
// licensors, as on Story. Tokens of non-transferable terms cannot be transferred. No
// enumeration, token URIs, revocation (disputes) or upgradeability.
contract LicenseToken is ERC721Core {
    struct LicenseTokenMetadata {
        address licensorIpId;
        address licenseTemplate;
        uint256 licenseTermsId;
        bool transferable;
        uint32 commercialRevShare;
    }

    error LicenseToken__AllLicenseTokensMustFromSameLicenseTemplate(address licenseTemplate, address anotherLicenseTemplate);
    error LicenseToken__CallerAndChildIPNotTokenOwner(uint256 tokenId, address caller, address childIpIp, address actualTokenOwner);
    error LicenseToken__CallerNotLicensingModule();
    error LicenseToken__CommercialRevenueShareExceedMaxRevenueShare(
        uint32 commercialRevenueShare, uint32 maxRevenueShare, address ipId, address licenseTemplate, uint256 licenseTermsId
    );
    error LicenseToken__NotTransferable();

    event LicenseTokenMinted(address indexed minter, address indexed receiver, uint256 indexed tokenId);

    uint256 public totalMintedTokens;
    uint256 public totalSupply;
    mapping(uint256 => LicenseTokenMetadata) private metadata;
    mapping(address => uint256) private mintedByLicensor;

    modifier onlyLicensingModule() {
        if (msg.sender != StoryAddresses.LICENSING_MODULE) revert LicenseToken__CallerNotLicensingModule();
        _;
    }

    function name() external pure returns (string memory) {
        return "Programmable IP License Token";
    }

    function symbol() external pure returns (string memory) {
        return "PILicenseToken";
    }

    function mintLicenseTokens(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address minter,
        address receiver,
        uint32 maxRevenueShare
    ) external onlyLicensingModule returns (uint256 startLicenseTokenId) {
        (, uint32 revShare,,) = ILicenseTemplateMin(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
        if (maxRevenueShare != 0 && revShare > maxRevenueShare) {
            revert LicenseToken__CommercialRevenueShareExceedMaxRevenueShare(
                revShare, maxRevenueShare, licensorIpId, licenseTemplate, licenseTermsId
            );
        }
        if (receiver == address(0)) revert ERC721InvalidReceiver(receiver);
        LicenseTokenMetadata memory data = LicenseTokenMetadata({
            licensorIpId: licensorIpId,
            licenseTemplate: licenseTemplate,
            licenseTermsId: licenseTermsId,
            transferable: ILicenseTemplateMin(licenseTemplate).isLicenseTransferable(licenseTermsId),
            commercialRevShare: revShare
        });
        startLicenseTokenId = totalMintedTokens;
        totalMintedTokens += amount;
        totalSupply += amount;
        mintedByLicensor[licensorIpId] += amount;
        balances[receiver] += amount;
        for (uint256 tokenId = startLicenseTokenId; tokenId < startLicenseTokenId + amount; tokenId++) {
            metadata[tokenId] = data;
            owners[tokenId] = receiver;
            emit Transfer(address(0), receiver, tokenId);
            emit LicenseTokenMinted(minter, receiver, tokenId);
        }
    }

    // Called by the LicensingModule after validateLicenseTokensForDerivative has checked who
    // holds the tokens (the caller or the child IP), so each is burned from its holder.
    function burnLicenseTokens(address, uint256[] calldata tokenIds) external onlyLicensingModule {
        for (uint256 i = 0; i < tokenIds.length; i++) {
            address owner = ownerOf(tokenIds[i]);
            delete owners[tokenIds[i]];
            delete approvals[tokenIds[i]];
            balances[owner] -= 1;
            totalSupply -= 1;
            emit Transfer(owner, address(0), tokenIds[i]);
        }
    }

    // What a derivative registered with these tokens is licensed under: every token must be held
    // by the caller or by the child IP and come from the same template.
    function validateLicenseTokensForDerivative(address caller, address childIpId, uint256[] calldata tokenIds)
        external
        view
        returns (
            address licenseTemplate,
            address[] memory licensorIpIds,
            uint256[] memory licenseTermsIds,
            uint32[] memory commercialRevShares
        )
    {
        licensorIpIds = new address[](tokenIds.length);
        licenseTermsIds = new uint256[](tokenIds.length);
        commercialRevShares = new uint32[](tokenIds.length);
        for (uint256 i = 0; i < tokenIds.length; i++) {
            address owner = ownerOf(tokenIds[i]);
            if (owner != caller && owner != childIpId) {
                revert LicenseToken__CallerAndChildIPNotTokenOwner(tokenIds[i], caller, childIpId, owner);
            }
            LicenseTokenMetadata storage data = metadata[tokenIds[i]];
            if (i == 0) licenseTemplate = data.licenseTemplate;
            else if (data.licenseTemplate != licenseTemplate) {
                revert LicenseToken__AllLicenseTokensMustFromSameLicenseTemplate(licenseTemplate, data.licenseTemplate);
            }
            licensorIpIds[i] = data.licensorIpId;
            licenseTermsIds[i] = data.licenseTermsId;
            commercialRevShares[i] = data.commercialRevShare;
        }
    }

    function getLicenseTokenMetadata(uint256 tokenId) external view returns (LicenseTokenMetadata memory) {
        return metadata[tokenId];
    }

    function getLicensorIpId(uint256 tokenId) external view returns (address) {
        return metadata[tokenId].licensorIpId;
    }

    function getLicenseTemplate(uint256 tokenId) external view returns (address) {
        return metadata[tokenId].licenseTemplate;
    }

    function getLicenseTermsId(uint256 tokenId) external view returns (uint256) {
        return metadata[tokenId].licenseTermsId;
    }

    function getTotalTokensByLicensor(address licensorIpId) external view returns (uint256) {
        return mintedByLicensor[licensorIpId];
    }

    // Tokens of non-transferable terms stay with their holder.
    function _checkTransferable(uint256 tokenId) internal view override {
        if (!metadata[tokenId].transferable) revert LicenseToken__NotTransferable();
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        // ERC-165 and ERC-721 (no metadata extension: these tokens have no URI here).
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd;
    }
}
