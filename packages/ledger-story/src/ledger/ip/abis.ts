/**
 * The Story Protocol functions the IP ledger encodes and reads itself, as small human-readable
 * ABIs (the Story SDK does not export its ABIs, and its license helpers take percentages where
 * the port has Story's own units, see terms.ts). Signatures are Story's (reference 3.3–3.7).
 */
import { parseAbi } from 'viem';

const PIL_TERMS =
  'struct PILTerms { bool transferable; address royaltyPolicy; uint256 defaultMintingFee; uint256 expiration; bool commercialUse; bool commercialAttribution; address commercializerChecker; bytes commercializerCheckerData; uint32 commercialRevShare; uint256 commercialRevCeiling; bool derivativesAllowed; bool derivativesAttribution; bool derivativesApproval; bool derivativesReciprocal; uint256 derivativeRevCeiling; address currency; string uri; }';

/** `PILicenseTemplate`: registers PIL terms, numbers them, and finds identical ones. */
export const piLicenseTemplateAbi = parseAbi([
  PIL_TERMS,
  'function registerLicenseTerms(PILTerms terms) returns (uint256 id)',
  'function getLicenseTermsId(PILTerms terms) view returns (uint256 selectedLicenseTermsId)',
  'function getLicenseTerms(uint256 selectedLicenseTermsId) view returns (PILTerms terms)',
  'function exists(uint256 licenseTermsId) view returns (bool)',
  'event LicenseTermsRegistered(uint256 indexed licenseTermsId, address indexed licenseTemplate, bytes licenseTerms)',
]);

/** `LicenseRegistry`: the terms attached to IPs and the derivative graph. */
export const licenseRegistryAbi = parseAbi([
  'function hasIpAttachedLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId) view returns (bool)',
  'function isDerivativeIp(address childIpId) view returns (bool)',
  'function getAttachedLicenseTermsCount(address ipId) view returns (uint256)',
  'function getAttachedLicenseTerms(address ipId, uint256 index) view returns (address licenseTemplate, uint256 licenseTermsId)',
  'function getParentIpCount(address childIpId) view returns (uint256)',
  'function getParentIp(address childIpId, uint256 index) view returns (address parentIpId)',
  'function getDerivativeIpCount(address parentIpId) view returns (uint256)',
  'function getDerivativeIp(address parentIpId, uint256 index) view returns (address childIpId)',
  'function getParentLicenseTerms(address childIpId, address parentIpId) view returns (address licenseTemplate, uint256 licenseTermsId)',
]);

/** `LicensingModule`: attaching terms (called by the IP's owner). */
export const licensingModuleAbi = parseAbi([
  'function attachLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId)',
]);

/** `IPAssetRegistry`: whether an address is a registered IP. */
export const ipAssetRegistryReadAbi = parseAbi([
  'function isRegistered(address id) view returns (bool)',
]);

/** An SPG NFT collection's views (Story's SPGNFT has no getter of its owner or maxSupply). */
export const spgNftAbi = parseAbi([
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function baseURI() view returns (string)',
  'function contractURI() view returns (string)',
  'function totalSupply() view returns (uint256)',
  'function mintOpen() view returns (bool)',
  'function publicMinting() view returns (bool)',
  'function mintFee() view returns (uint256)',
  'function mintFeeToken() view returns (address)',
]);
