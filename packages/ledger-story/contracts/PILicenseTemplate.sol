// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {StoryAddresses} from "./StoryAddresses.sol";

interface IRoyaltyWhitelistMin {
    function isWhitelistedRoyaltyPolicy(address royaltyPolicy) external view returns (bool);
    function isWhitelistedRoyaltyToken(address token) external view returns (bool);
}

// Test contract, not Story's code; implements the subset of the interface the SDK calls.
// The Programmable IP License template: registers PIL terms and numbers them. Identical terms
// get the same id (keyed by the hash of their ABI encoding), as on Story. Id 1 is built in: the
// Non-Commercial Social Remixing terms Story registers first (with empty commercializerCheckerData;
// the SDK's preset sends 20 zero bytes there, so it gets an id of its own, see the README). Terms
// are stored as their ABI encoding, which sidesteps copying a struct with a bytes field from
// calldata to storage. The structural rules of PIL terms are enforced with Story's error names;
// commercializer checkers (hook modules), derivative approvals and expirations are not offered.
contract PILicenseTemplate {
    struct PILTerms {
        bool transferable;
        address royaltyPolicy;
        uint256 defaultMintingFee;
        uint256 expiration;
        bool commercialUse;
        bool commercialAttribution;
        address commercializerChecker;
        bytes commercializerCheckerData;
        uint32 commercialRevShare;
        uint256 commercialRevCeiling;
        bool derivativesAllowed;
        bool derivativesAttribution;
        bool derivativesApproval;
        bool derivativesReciprocal;
        uint256 derivativeRevCeiling;
        address currency;
        string uri;
    }

    uint256 private constant DEFAULT_TERMS_ID = 1;

    error PILicenseTemplate__CommercialDisabled_CantAddAttribution();
    error PILicenseTemplate__CommercialDisabled_CantAddCommercializers();
    error PILicenseTemplate__CommercialDisabled_CantAddDerivativeRevCeiling();
    error PILicenseTemplate__CommercialDisabled_CantAddRevCeiling();
    error PILicenseTemplate__CommercialDisabled_CantAddRevShare();
    error PILicenseTemplate__CommercialDisabled_CantAddRoyaltyPolicy();
    error PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired();
    error PILicenseTemplate__CommercializerCheckerNotRegistered(address commercializerChecker);
    error PILicenseTemplate__CurrencyTokenNotWhitelisted();
    error PILicenseTemplate__DerivativesDisabled_CantAddApproval();
    error PILicenseTemplate__DerivativesDisabled_CantAddAttribution();
    error PILicenseTemplate__DerivativesDisabled_CantAddDerivativeRevCeiling();
    error PILicenseTemplate__DerivativesDisabled_CantAddReciprocal();
    error PILicenseTemplate__MintingFeeRequiresRoyaltyPolicy();
    error PILicenseTemplate__RoyaltyPolicyNotWhitelisted();
    error PILicenseTemplate__RoyaltyPolicyRequiresCurrencyToken();

    event LicenseTermsRegistered(uint256 indexed licenseTermsId, address indexed licenseTemplate, bytes licenseTerms);

    // Terms registered through registerLicenseTerms; their ids start at 2 (1 is built in).
    uint256 private registeredCount;
    mapping(uint256 => bytes) private encodedTerms;
    mapping(bytes32 => uint256) private idByHash;

    function name() external pure returns (string memory) {
        return "pil";
    }

    function registerLicenseTerms(PILTerms calldata terms) external returns (uint256 id) {
        id = getLicenseTermsId(terms);
        if (id != 0) return id;
        _verify(terms);
        bytes memory encoded = abi.encode(terms);
        id = ++registeredCount + DEFAULT_TERMS_ID;
        encodedTerms[id] = encoded;
        idByHash[keccak256(encoded)] = id;
        emit LicenseTermsRegistered(id, address(this), encoded);
    }

    // 0 when these exact terms were never registered (the SDK then registers them).
    function getLicenseTermsId(PILTerms calldata terms) public view returns (uint256 selectedLicenseTermsId) {
        bytes32 hash = keccak256(abi.encode(terms));
        if (hash == keccak256(abi.encode(_defaultTerms()))) return DEFAULT_TERMS_ID;
        return idByHash[hash];
    }

    function exists(uint256 licenseTermsId) public view returns (bool) {
        return licenseTermsId >= DEFAULT_TERMS_ID && licenseTermsId <= totalRegisteredLicenseTerms();
    }

    function totalRegisteredLicenseTerms() public view returns (uint256) {
        return registeredCount + DEFAULT_TERMS_ID;
    }

    // All fields zero for an id that does not exist, as Story's template answers.
    function getLicenseTerms(uint256 selectedLicenseTermsId) public view returns (PILTerms memory terms) {
        if (selectedLicenseTermsId == DEFAULT_TERMS_ID) return _defaultTerms();
        bytes memory encoded = encodedTerms[selectedLicenseTermsId];
        if (encoded.length > 0) terms = abi.decode(encoded, (PILTerms));
    }

    function getRoyaltyPolicy(uint256 licenseTermsId)
        external
        view
        returns (address royaltyPolicy, uint32 royaltyPercent, uint256 mintingFee, address currency)
    {
        PILTerms memory terms = getLicenseTerms(licenseTermsId);
        return (terms.royaltyPolicy, terms.commercialRevShare, terms.defaultMintingFee, terms.currency);
    }

    function isLicenseTransferable(uint256 licenseTermsId) external view returns (bool) {
        return getLicenseTerms(licenseTermsId).transferable;
    }

    // Whether a child may be linked to a parent under these terms. Story also lets terms demand
    // the licensor's approval of each child (setApproval); no approval can be given here, so such
    // terms refuse every child, which is what Story does until the licensor approves.
    function verifyRegisterDerivative(address, address, uint256 licenseTermsId, address) external view returns (bool) {
        PILTerms memory terms = getLicenseTerms(licenseTermsId);
        return terms.derivativesAllowed && !terms.derivativesApproval;
    }

    function getLicenseTermsURI(uint256 licenseTermsId) external view returns (string memory) {
        return getLicenseTerms(licenseTermsId).uri;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7;
    }

    function _defaultTerms() private pure returns (PILTerms memory terms) {
        terms.transferable = true;
        terms.derivativesAllowed = true;
        terms.derivativesAttribution = true;
        terms.derivativesReciprocal = true;
        terms.uri =
            "https://github.com/piplabs/pil-document/blob/998c13e6ee1d04eb817aefd1fe16dfe8be3cd7a2/off-chain-terms/NCSR.json";
    }

    // The rules of section "Validation rules" in the reference: commercial fields need commercial
    // use, derivative fields need derivatives, a policy needs a currency and both must be
    // whitelisted in the RoyaltyModule (there, WIP and LAP only). As on Story, a share above
    // 100 % is refused only where it is used (the RoyaltyModule's hooks).
    function _verify(PILTerms calldata t) private view {
        IRoyaltyWhitelistMin royalty = IRoyaltyWhitelistMin(StoryAddresses.ROYALTY_MODULE);
        if (t.royaltyPolicy != address(0)) {
            if (!royalty.isWhitelistedRoyaltyPolicy(t.royaltyPolicy)) revert PILicenseTemplate__RoyaltyPolicyNotWhitelisted();
            if (t.currency == address(0)) revert PILicenseTemplate__RoyaltyPolicyRequiresCurrencyToken();
        }
        if (t.currency != address(0) && !royalty.isWhitelistedRoyaltyToken(t.currency)) {
            revert PILicenseTemplate__CurrencyTokenNotWhitelisted();
        }
        if (t.defaultMintingFee > 0 && t.royaltyPolicy == address(0)) revert PILicenseTemplate__MintingFeeRequiresRoyaltyPolicy();
        if (!t.commercialUse) {
            if (t.commercialAttribution) revert PILicenseTemplate__CommercialDisabled_CantAddAttribution();
            if (t.commercializerChecker != address(0)) revert PILicenseTemplate__CommercialDisabled_CantAddCommercializers();
            if (t.commercialRevShare > 0) revert PILicenseTemplate__CommercialDisabled_CantAddRevShare();
            if (t.commercialRevCeiling > 0) revert PILicenseTemplate__CommercialDisabled_CantAddRevCeiling();
            if (t.derivativeRevCeiling > 0) revert PILicenseTemplate__CommercialDisabled_CantAddDerivativeRevCeiling();
            if (t.royaltyPolicy != address(0)) revert PILicenseTemplate__CommercialDisabled_CantAddRoyaltyPolicy();
        } else if (t.royaltyPolicy == address(0)) {
            revert PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired();
        }
        // Story accepts only checkers registered as hook modules; there are none here.
        if (t.commercializerChecker != address(0)) {
            revert PILicenseTemplate__CommercializerCheckerNotRegistered(t.commercializerChecker);
        }
        if (!t.derivativesAllowed) {
            if (t.derivativesAttribution) revert PILicenseTemplate__DerivativesDisabled_CantAddAttribution();
            if (t.derivativesApproval) revert PILicenseTemplate__DerivativesDisabled_CantAddApproval();
            if (t.derivativesReciprocal) revert PILicenseTemplate__DerivativesDisabled_CantAddReciprocal();
            if (t.derivativeRevCeiling > 0) revert PILicenseTemplate__DerivativesDisabled_CantAddDerivativeRevCeiling();
        }
    }
}
