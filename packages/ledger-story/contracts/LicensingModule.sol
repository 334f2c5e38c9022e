// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IIPAccountMin, IIPAssetRegistryMin, ILicenseTemplateMin} from "./Interfaces.sol";

interface ILicenseRegistryMin {
    function attachLicenseTermsToIp(address ipId, address licenseTemplate, uint256 licenseTermsId) external;
    function registerDerivativeIp(
        address childIpId,
        address[] calldata parentIpIds,
        address licenseTemplate,
        uint256[] calldata licenseTermsIds,
        bool isUsingLicenseToken
    ) external;
    function verifyMintLicenseToken(address licensorIpId, address licenseTemplate, uint256 licenseTermsId, bool isMintedByIpOwner)
        external
        view;
}

interface ILicenseTokenMin {
    function mintLicenseTokens(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address minter,
        address receiver,
        uint32 maxRevenueShare
    ) external returns (uint256);
    function burnLicenseTokens(address holder, uint256[] calldata tokenIds) external;
    function getTotalTokensByLicensor(address licensorIpId) external view returns (uint256);
    function validateLicenseTokensForDerivative(address caller, address childIpId, uint256[] calldata tokenIds)
        external
        view
        returns (address, address[] memory, uint256[] memory, uint32[] memory);
}

interface IRoyaltyModuleHooks {
    function onLicenseMinting(address ipId, address royaltyPolicy, uint32 licensePercent, bytes calldata externalData)
        external;
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata externalData,
        uint32 maxRts
    ) external;
    function payLicenseMintingFee(address receiverIpId, address payerAddress, address token, uint256 amount) external;
}

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Attaches license terms to IPs, mints license tokens and links derivatives to their parents.
// A call about an IP is allowed from the IP account itself or from its owner (no access
// controller). Minting fees (the terms' defaultMintingFee per token, no licensing configs or
// hooks) are paid by the caller through the RoyaltyModule into the licensor's vault. Linking a
// child records the graph in the LicenseRegistry and, for parents whose terms carry a royalty
// policy, sets up the child's royalty vault and its LAP royalty stack through the RoyaltyModule.
// No disputes, expirations, groups or pausing.
contract LicensingModule {
    error AccessControlled__NotIpAccount(address ipAccount);
    error AccessController__PermissionDenied(address ipAccount, address signer, address to, bytes4 func);
    error LicenseRegistry__UnregisteredLicenseTemplate(address licenseTemplate);
    error LicensingModule__DerivativeAlreadyHasBeenMintedLicenseTokens(address childIpId);
    error LicensingModule__ExceedMaxRevenueShare(
        address ipId, address licenseTemplate, uint256 licenseTermsId, uint32 revenueShare, uint32 maxRevenueShare
    );
    error LicensingModule__InvalidLicenseTermsId(address licenseTemplate, uint256 licenseTermsId);
    error LicensingModule__LicenseNotCompatibleForDerivative(address childIpId);
    error LicensingModule__LicenseTermsLengthMismatch(uint256 ipLength, uint256 licenseTermsLength);
    error LicensingModule__LicenseTokenNotCompatibleForDerivative(address childIpId, uint256[] licenseTokenIds);
    error LicensingModule__LicensorIpNotRegistered();
    error LicensingModule__MintAmountZero();
    error LicensingModule__MintingFeeExceedMaxMintingFee(uint256 mintingFee, uint256 maxMintingFee);
    error LicensingModule__NoLicenseToken();
    error LicensingModule__NoParentIp();
    error LicensingModule__ReceiverZeroAddress();

    event LicenseTermsAttached(address indexed caller, address indexed ipId, address licenseTemplate, uint256 licenseTermsId);
    event LicenseTokensMinted(
        address indexed caller,
        address indexed licensorIpId,
        address licenseTemplate,
        uint256 indexed licenseTermsId,
        uint256 amount,
        address receiver,
        uint256 startLicenseTokenId
    );
    event DerivativeRegistered(
        address indexed caller,
        address indexed childIpId,
        uint256[] licenseTokenIds,
        address[] parentIpIds,
        uint256[] licenseTermsIds,
        address licenseTemplate
    );

    ILicenseRegistryMin private constant REGISTRY = ILicenseRegistryMin(StoryAddresses.LICENSE_REGISTRY);
    ILicenseTokenMin private constant LICENSE_TOKEN = ILicenseTokenMin(StoryAddresses.LICENSE_TOKEN);
    IRoyaltyModuleHooks private constant ROYALTY_MODULE = IRoyaltyModuleHooks(StoryAddresses.ROYALTY_MODULE);

    function name() external pure returns (string memory) {
        return "LICENSING_MODULE";
    }

    function attachLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId) external {
        _authorize(ipId, this.attachLicenseTerms.selector);
        REGISTRY.attachLicenseTermsToIp(ipId, licenseTemplate, licenseTermsId);
        emit LicenseTermsAttached(msg.sender, ipId, licenseTemplate, licenseTermsId);
    }

    // The fee a mint of `amount` tokens costs: the terms' currency and defaultMintingFee × amount.
    function predictMintingLicenseFee(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address,
        bytes calldata
    ) public view returns (address currencyToken, uint256 tokenAmount) {
        if (amount == 0) revert LicensingModule__MintAmountZero();
        if (!_isRegistered(licensorIpId)) revert LicensingModule__LicensorIpNotRegistered();
        _checkTerms(licenseTemplate, licenseTermsId);
        (,, uint256 mintingFee, address currency) = ILicenseTemplateMin(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
        return (currency, mintingFee * amount);
    }

    // Anyone may mint tokens of terms attached to the licensor; its owner (or the IP account) may
    // mint tokens of any terms. The caller pays the minting fee.
    function mintLicenseTokens(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address receiver,
        bytes calldata royaltyContext,
        uint256 maxMintingFee,
        uint32 maxRevenueShare
    ) external returns (uint256 startLicenseTokenId) {
        if (receiver == address(0)) revert LicensingModule__ReceiverZeroAddress();
        _chargeForMint(licensorIpId, licenseTemplate, licenseTermsId, amount, maxMintingFee, royaltyContext);
        startLicenseTokenId = LICENSE_TOKEN.mintLicenseTokens(
            licensorIpId, licenseTemplate, licenseTermsId, amount, msg.sender, receiver, maxRevenueShare
        );
        emit LicenseTokensMinted(
            msg.sender, licensorIpId, licenseTemplate, licenseTermsId, amount, receiver, startLicenseTokenId
        );
    }

    // Links a child to parents under terms attached to them; the caller (the child's IP account,
    // as the SDK sends it, or its owner) pays each parent's minting fee for one token.
    function registerDerivative(
        address childIpId,
        address[] calldata parentIpIds,
        uint256[] calldata licenseTermsIds,
        address licenseTemplate,
        bytes calldata royaltyContext,
        uint256 maxMintingFee,
        uint32 maxRts,
        uint32 maxRevenueShare
    ) external {
        _checkChild(childIpId, this.registerDerivative.selector);
        if (parentIpIds.length != licenseTermsIds.length) {
            revert LicensingModule__LicenseTermsLengthMismatch(parentIpIds.length, licenseTermsIds.length);
        }
        if (parentIpIds.length == 0) revert LicensingModule__NoParentIp();
        if (licenseTemplate != StoryAddresses.PIL_TEMPLATE) revert LicenseRegistry__UnregisteredLicenseTemplate(licenseTemplate);
        REGISTRY.registerDerivativeIp(childIpId, parentIpIds, licenseTemplate, licenseTermsIds, false);
        for (uint256 i = 0; i < parentIpIds.length; i++) {
            if (!ILicenseTemplateMin(licenseTemplate).verifyRegisterDerivative(childIpId, parentIpIds[i], licenseTermsIds[i], msg.sender)) {
                revert LicensingModule__LicenseNotCompatibleForDerivative(childIpId);
            }
            _payParentFee(parentIpIds[i], licenseTemplate, licenseTermsIds[i], maxMintingFee, maxRevenueShare);
        }
        _linkRoyalties(childIpId, parentIpIds, licenseTemplate, licenseTermsIds, royaltyContext, maxRts);
        emit DerivativeRegistered(msg.sender, childIpId, new uint256[](0), parentIpIds, licenseTermsIds, licenseTemplate);
    }

    // Links a child to the licensors of license tokens held by the caller or the child; the fees
    // were paid when the tokens were minted, and the tokens are burned.
    function registerDerivativeWithLicenseTokens(
        address childIpId,
        uint256[] calldata licenseTokenIds,
        bytes calldata royaltyContext,
        uint32 maxRts
    ) external {
        _checkChild(childIpId, this.registerDerivativeWithLicenseTokens.selector);
        if (licenseTokenIds.length == 0) revert LicensingModule__NoLicenseToken();
        (address licenseTemplate, address[] memory parentIpIds, uint256[] memory licenseTermsIds,) =
            LICENSE_TOKEN.validateLicenseTokensForDerivative(msg.sender, childIpId, licenseTokenIds);
        REGISTRY.registerDerivativeIp(childIpId, parentIpIds, licenseTemplate, licenseTermsIds, true);
        for (uint256 i = 0; i < parentIpIds.length; i++) {
            if (!ILicenseTemplateMin(licenseTemplate).verifyRegisterDerivative(childIpId, parentIpIds[i], licenseTermsIds[i], msg.sender)) {
                revert LicensingModule__LicenseTokenNotCompatibleForDerivative(childIpId, licenseTokenIds);
            }
        }
        _linkRoyalties(childIpId, parentIpIds, licenseTemplate, licenseTermsIds, royaltyContext, maxRts);
        LICENSE_TOKEN.burnLicenseTokens(msg.sender, licenseTokenIds);
        emit DerivativeRegistered(msg.sender, childIpId, licenseTokenIds, parentIpIds, licenseTermsIds, licenseTemplate);
    }

    function _chargeForMint(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        uint256 maxMintingFee,
        bytes calldata royaltyContext
    ) private {
        (address currency, uint256 fee) =
            predictMintingLicenseFee(licensorIpId, licenseTemplate, licenseTermsId, amount, msg.sender, royaltyContext);
        if (maxMintingFee != 0 && fee > maxMintingFee) revert LicensingModule__MintingFeeExceedMaxMintingFee(fee, maxMintingFee);
        REGISTRY.verifyMintLicenseToken(licensorIpId, licenseTemplate, licenseTermsId, _isOwnerOrAccount(licensorIpId));
        (address policy, uint32 percent,,) = ILicenseTemplateMin(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
        // A licensor of royalty-bearing terms gets a vault (if it has none) before the fee lands.
        if (policy != address(0)) ROYALTY_MODULE.onLicenseMinting(licensorIpId, policy, percent, royaltyContext);
        if (fee > 0) ROYALTY_MODULE.payLicenseMintingFee(licensorIpId, msg.sender, currency, fee);
    }

    function _payParentFee(
        address parentIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 maxMintingFee,
        uint32 maxRevenueShare
    ) private {
        (address policy, uint32 percent, uint256 fee, address currency) =
            ILicenseTemplateMin(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
        if (maxRevenueShare != 0 && percent > maxRevenueShare) {
            revert LicensingModule__ExceedMaxRevenueShare(parentIpId, licenseTemplate, licenseTermsId, percent, maxRevenueShare);
        }
        if (maxMintingFee != 0 && fee > maxMintingFee) revert LicensingModule__MintingFeeExceedMaxMintingFee(fee, maxMintingFee);
        if (policy != address(0)) ROYALTY_MODULE.onLicenseMinting(parentIpId, policy, percent, "");
        if (fee > 0) ROYALTY_MODULE.payLicenseMintingFee(parentIpId, msg.sender, currency, fee);
    }

    // Hands the parents whose terms carry a royalty policy to the RoyaltyModule, which deploys
    // the child's vault and records what the child owes them; non-commercial links owe nothing.
    function _linkRoyalties(
        address childIpId,
        address[] memory parentIpIds,
        address licenseTemplate,
        uint256[] memory licenseTermsIds,
        bytes calldata royaltyContext,
        uint32 maxRts
    ) private {
        address[] memory parents = new address[](parentIpIds.length);
        address[] memory policies = new address[](parentIpIds.length);
        uint32[] memory percents = new uint32[](parentIpIds.length);
        uint256 count;
        for (uint256 i = 0; i < parentIpIds.length; i++) {
            (address policy, uint32 percent,,) = ILicenseTemplateMin(licenseTemplate).getRoyaltyPolicy(licenseTermsIds[i]);
            if (policy == address(0)) continue;
            (parents[count], policies[count], percents[count]) = (parentIpIds[i], policy, percent);
            count++;
        }
        if (count == 0) return;
        // Cut the arrays down to the parents found, without copying them.
        assembly {
            mstore(parents, count)
            mstore(policies, count)
            mstore(percents, count)
        }
        ROYALTY_MODULE.onLinkToParents(childIpId, parents, policies, percents, royaltyContext, maxRts);
    }

    function _checkChild(address childIpId, bytes4 func) private view {
        _authorize(childIpId, func);
        if (LICENSE_TOKEN.getTotalTokensByLicensor(childIpId) > 0) {
            revert LicensingModule__DerivativeAlreadyHasBeenMintedLicenseTokens(childIpId);
        }
    }

    function _authorize(address ipId, bytes4 func) private view {
        if (!_isRegistered(ipId)) revert AccessControlled__NotIpAccount(ipId);
        if (!_isOwnerOrAccount(ipId)) revert AccessController__PermissionDenied(ipId, msg.sender, address(this), func);
    }

    function _isOwnerOrAccount(address ipId) private view returns (bool) {
        return msg.sender == ipId || msg.sender == IIPAccountMin(ipId).owner();
    }

    function _isRegistered(address ipId) private view returns (bool) {
        return IIPAssetRegistryMin(StoryAddresses.IP_ASSET_REGISTRY).isRegistered(ipId);
    }

    function _checkTerms(address licenseTemplate, uint256 licenseTermsId) private view {
        if (licenseTemplate != StoryAddresses.PIL_TEMPLATE) revert LicenseRegistry__UnregisteredLicenseTemplate(licenseTemplate);
        if (!ILicenseTemplateMin(licenseTemplate).exists(licenseTermsId)) {
            revert LicensingModule__InvalidLicenseTermsId(licenseTemplate, licenseTermsId);
        }
    }
}
