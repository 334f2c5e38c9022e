// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";
import {IIPAssetRegistryMin, ILicenseTemplateMin} from "./Interfaces.sol";

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// Records which license terms are attached to which IP and the derivative graph (parents,
// children, the terms each link was made under). Only the LicensingModule writes; everything
// else is views for the SDK's pre-checks and for readers. One template per IP (the PIL template,
// the only one here); terms are attached explicitly, the default terms (id 1) included. No IP
// Graph precompile, licensing configs (getLicensingConfig answers "not set"), expirations,
// disputes or groups.
contract LicenseRegistry {
    struct LicensingConfig {
        bool isSet;
        uint256 mintingFee;
        address licensingHook;
        bytes hookData;
        uint32 commercialRevShare;
        bool disabled;
        uint32 expectMinimumGroupRewardShare;
        address expectGroupRewardPool;
    }

    // Story's limit on parents per derivative.
    uint256 public constant MAX_PARENTS = 16;

    error LicenseRegistry__CallerNotLicensingModule();
    error LicenseRegistry__DerivativeAlreadyRegistered(address childIpId);
    error LicenseRegistry__DerivativeIpAlreadyHasChild(address childIpId);
    error LicenseRegistry__DerivativeIpAlreadyHasLicense(address childIpId);
    error LicenseRegistry__DerivativeIsParent(address ipId);
    error LicenseRegistry__DuplicateParentIp(address ipId, address parentIpId);
    error LicenseRegistry__IndexOutOfBounds(address ipId, uint256 index, uint256 length);
    error LicenseRegistry__LicenseTermsAlreadyAttached(address ipId, address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__LicenseTermsNotExists(address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__LicensorIpHasNoLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__ParentIpHasNoLicenseTerms(address ipId, uint256 licenseTermsId);
    error LicenseRegistry__ParentIpNotRegistered(address parentIpId);
    error LicenseRegistry__ParentIpUnmatchedLicenseTemplate(address ipId, address licenseTemplate);
    error LicenseRegistry__TooManyParents(address ipId, uint256 parents, uint256 maxParents);
    error LicenseRegistry__UnmatchedLicenseTemplate(address ipId, address licenseTemplate, address newLicenseTemplate);
    error LicenseRegistry__UnregisteredLicenseTemplate(address licenseTemplate);
    error LicensingModule__DerivativesCannotAddLicenseTerms();

    mapping(address => address) private templateOf;
    mapping(address => uint256[]) private attachedTerms;
    mapping(address => mapping(uint256 => bool)) private isAttached;
    mapping(address => address[]) private parentsOf;
    mapping(address => address[]) private childrenOf;
    mapping(address => mapping(address => uint256)) private linkTerms; // child => parent => terms id

    modifier onlyLicensingModule() {
        if (msg.sender != StoryAddresses.LICENSING_MODULE) revert LicenseRegistry__CallerNotLicensingModule();
        _;
    }

    function attachLicenseTermsToIp(address ipId, address licenseTemplate, uint256 licenseTermsId)
        external
        onlyLicensingModule
    {
        _checkTerms(licenseTemplate, licenseTermsId);
        if (isDerivativeIp(ipId)) revert LicensingModule__DerivativesCannotAddLicenseTerms();
        if (isAttached[ipId][licenseTermsId]) {
            revert LicenseRegistry__LicenseTermsAlreadyAttached(ipId, licenseTemplate, licenseTermsId);
        }
        _attach(ipId, licenseTemplate, licenseTermsId);
    }

    // Links a child to its parents under the given terms and attaches those terms to the child
    // (so it can license its own children under them). A child is linked once, before it has
    // terms of its own or children; with license tokens the parents' terms need not be attached
    // any more (the tokens were minted under them).
    function registerDerivativeIp(
        address childIpId,
        address[] calldata parentIpIds,
        address licenseTemplate,
        uint256[] calldata licenseTermsIds,
        bool isUsingLicenseToken
    ) external onlyLicensingModule {
        if (parentIpIds.length > MAX_PARENTS) {
            revert LicenseRegistry__TooManyParents(childIpId, parentIpIds.length, MAX_PARENTS);
        }
        if (parentsOf[childIpId].length > 0) revert LicenseRegistry__DerivativeAlreadyRegistered(childIpId);
        if (childrenOf[childIpId].length > 0) revert LicenseRegistry__DerivativeIpAlreadyHasChild(childIpId);
        if (attachedTerms[childIpId].length > 0) revert LicenseRegistry__DerivativeIpAlreadyHasLicense(childIpId);
        for (uint256 i = 0; i < parentIpIds.length; i++) {
            address parent = parentIpIds[i];
            uint256 termsId = licenseTermsIds[i];
            _checkTerms(licenseTemplate, termsId);
            if (!IIPAssetRegistryMin(StoryAddresses.IP_ASSET_REGISTRY).isRegistered(parent)) {
                revert LicenseRegistry__ParentIpNotRegistered(parent);
            }
            if (parent == childIpId) revert LicenseRegistry__DerivativeIsParent(parent);
            if (isParentIp(parent, childIpId)) revert LicenseRegistry__DuplicateParentIp(childIpId, parent);
            if (templateOf[parent] != address(0) && templateOf[parent] != licenseTemplate) {
                revert LicenseRegistry__ParentIpUnmatchedLicenseTemplate(parent, licenseTemplate);
            }
            if (!isUsingLicenseToken && !isAttached[parent][termsId]) {
                revert LicenseRegistry__ParentIpHasNoLicenseTerms(parent, termsId);
            }
            parentsOf[childIpId].push(parent);
            childrenOf[parent].push(childIpId);
            linkTerms[childIpId][parent] = termsId;
            if (!isAttached[childIpId][termsId]) _attach(childIpId, licenseTemplate, termsId);
        }
    }

    // Tokens of terms not attached to the licensor may be minted only by its owner.
    function verifyMintLicenseToken(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        bool isMintedByIpOwner
    ) external view returns (LicensingConfig memory config) {
        if (!isMintedByIpOwner && !hasIpAttachedLicenseTerms(licensorIpId, licenseTemplate, licenseTermsId)) {
            revert LicenseRegistry__LicensorIpHasNoLicenseTerms(licensorIpId, licenseTemplate, licenseTermsId);
        }
        return config;
    }

    function hasIpAttachedLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId)
        public
        view
        returns (bool)
    {
        return templateOf[ipId] == licenseTemplate && isAttached[ipId][licenseTermsId];
    }

    function getAttachedLicenseTermsCount(address ipId) external view returns (uint256) {
        return attachedTerms[ipId].length;
    }

    function getAttachedLicenseTerms(address ipId, uint256 index)
        external
        view
        returns (address licenseTemplate, uint256 licenseTermsId)
    {
        uint256 length = attachedTerms[ipId].length;
        if (index >= length) revert LicenseRegistry__IndexOutOfBounds(ipId, index, length);
        return (templateOf[ipId], attachedTerms[ipId][index]);
    }

    // The terms' commercial revenue share (no licensing config can override it here).
    function getRoyaltyPercent(address, address licenseTemplate, uint256 licenseTermsId)
        external
        view
        returns (uint32 royaltyPercent)
    {
        _checkTerms(licenseTemplate, licenseTermsId);
        (, royaltyPercent,,) = ILicenseTemplateMin(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
    }

    function getLicensingConfig(address, address, uint256) external pure returns (LicensingConfig memory config) {
        return config;
    }

    function getDefaultLicenseTerms() external pure returns (address licenseTemplate, uint256 licenseTermsId) {
        return (StoryAddresses.PIL_TEMPLATE, 1);
    }

    function exists(address licenseTemplate, uint256 licenseTermsId) external view returns (bool) {
        return licenseTemplate == StoryAddresses.PIL_TEMPLATE && ILicenseTemplateMin(licenseTemplate).exists(licenseTermsId);
    }

    function isRegisteredLicenseTemplate(address licenseTemplate) external pure returns (bool) {
        return licenseTemplate == StoryAddresses.PIL_TEMPLATE;
    }

    function isDerivativeIp(address childIpId) public view returns (bool) {
        return parentsOf[childIpId].length > 0;
    }

    function hasDerivativeIps(address parentIpId) external view returns (bool) {
        return childrenOf[parentIpId].length > 0;
    }

    function isParentIp(address parentIpId, address childIpId) public view returns (bool) {
        return linkTerms[childIpId][parentIpId] != 0;
    }

    function getParentIpCount(address childIpId) external view returns (uint256) {
        return parentsOf[childIpId].length;
    }

    function getParentIp(address childIpId, uint256 index) external view returns (address parentIpId) {
        return _at(parentsOf[childIpId], childIpId, index);
    }

    function getDerivativeIpCount(address parentIpId) external view returns (uint256) {
        return childrenOf[parentIpId].length;
    }

    function getDerivativeIp(address parentIpId, uint256 index) external view returns (address childIpId) {
        return _at(childrenOf[parentIpId], parentIpId, index);
    }

    function getParentLicenseTerms(address childIpId, address parentIpId)
        external
        view
        returns (address licenseTemplate, uint256 licenseTermsId)
    {
        licenseTermsId = linkTerms[childIpId][parentIpId];
        if (licenseTermsId != 0) licenseTemplate = templateOf[childIpId];
    }

    function _attach(address ipId, address licenseTemplate, uint256 licenseTermsId) private {
        address current = templateOf[ipId];
        if (current == address(0)) templateOf[ipId] = licenseTemplate;
        else if (current != licenseTemplate) revert LicenseRegistry__UnmatchedLicenseTemplate(ipId, current, licenseTemplate);
        isAttached[ipId][licenseTermsId] = true;
        attachedTerms[ipId].push(licenseTermsId);
    }

    // The `index`th IP of `ipId`'s list (its parents or its children), or Story's out-of-bounds error.
    function _at(address[] storage ips, address ipId, uint256 index) private view returns (address) {
        if (index >= ips.length) revert LicenseRegistry__IndexOutOfBounds(ipId, index, ips.length);
        return ips[index];
    }

    function _checkTerms(address licenseTemplate, uint256 licenseTermsId) private view {
        if (licenseTemplate != StoryAddresses.PIL_TEMPLATE) revert LicenseRegistry__UnregisteredLicenseTemplate(licenseTemplate);
        if (!ILicenseTemplateMin(licenseTemplate).exists(licenseTermsId)) {
            revert LicenseRegistry__LicenseTermsNotExists(licenseTemplate, licenseTermsId);
        }
    }
}
