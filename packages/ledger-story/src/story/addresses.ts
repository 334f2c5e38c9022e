import type { Address } from 'viem';

/**
 * Where `@story-protocol/core-sdk` 1.4.4 expects Story Protocol's contracts on Aeneid (chain id
 * 1315), copied from the SDK's address tables (the SDK does not export them). The contracts the
 * embedded chain provides test doubles for are listed; on mainnet (1514) these addresses are the
 * same.
 */
export const STORY_ADDRESSES = {
  /** `IPAssetRegistry`: registers NFTs as IP Assets and derives their ipId. */
  ipAssetRegistry: '0x77319B4031e6eF1250907aa00018B8B1c67a244b',
  /** `CoreMetadataModule`: the namespace of an IP's metadata in its IP account. */
  coreMetadataModule: '0x6E81a25C99C6e8430aeC7353325EB138aFE5DC16',
  /** `RegistrationWorkflows`: `createCollection`, `mintAndRegisterIp`, `registerIp`. */
  registrationWorkflows: '0xbe39E1C756e921BD25DF86e7AAa31106d1eb0424',
  /** `RoyaltyModule`: royalty vaults and `payRoyaltyOnBehalf`. */
  royaltyModule: '0xD2f60c40fEbccf6311f8B47c4f2Ec6b040400086',
  /** `PILicenseTemplate`: Programmable IP License terms and their ids. */
  piLicenseTemplate: '0x2E896b0b2Fdb7457499B56AAaA4AE55BCB4Cd316',
  /** `LicenseRegistry`: license terms attached to IPs and the derivative graph. */
  licenseRegistry: '0x529a750E02d8E2f15649c13D69a465286a780e24',
  /** `LicensingModule`: `attachLicenseTerms`, `mintLicenseTokens`, `registerDerivative…`. */
  licensingModule: '0x04fbd8a2e56dd85CFD5500A4A4DfA955B9f1dE6f',
  /** `LicenseToken`: the ERC-721 of license tokens. */
  licenseToken: '0xFe3838BFb30B34170F00030B52eA4893d8aAC6bC',
  /** `RoyaltyPolicyLAP`: holds derivatives' royalties until `transferToVault` moves them to ancestors. */
  royaltyPolicyLap: '0xBe54FB168b3c982b7AaE60dB6CF75Bd8447b390E',
  /** `RoyaltyPolicyLRP`: as LAP, for relative percentages (shares of what a parent is owed). */
  royaltyPolicyLrp: '0x9156e603C949481883B1d3355c6f1132D191fC41',
  /** `RoyaltyWorkflows`: `claimAllRevenue`. */
  royaltyWorkflows: '0x9515faE61E0c0447C6AC6dEe5628A2097aFE1890',
  /** `WrappedIP` (WIP): the ERC-20 wrapper of the native IP token, Story's royalty currency. */
  wrappedIp: '0x1514000000000000000000000000000000000000',
  /** `Multicall3`: the SDK wraps IP, approves and pays through it in one transaction. */
  multicall3: '0xcA11bde05977b3631167028862bE2a173976CA11',
} as const satisfies Record<string, Address>;

/** The name of one contract in {@link STORY_ADDRESSES}. */
export type StoryContractName = keyof typeof STORY_ADDRESSES;
