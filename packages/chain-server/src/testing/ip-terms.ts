/**
 * License terms the `ip:` cases register: Story's presets expanded as its SDK (`PILFlavor`)
 * expands them, and commercial terms of the cases' own. Written out here rather than taken from
 * the server, so the kit checks a ledger against Story's definitions, not against itself.
 */
import type { LicenseTermsInput, RoyaltyPolicy } from '@mystira/chain-server';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** 1 % in PIL's unit for revenue shares (millionths of a percent). */
export const ONE_PERCENT = 1_000_000;
/** 100 % in PIL's unit. */
export const HUNDRED_PERCENT = 100 * ONE_PERCENT;

const PIL_DOCUMENTS = 'https://github.com/piplabs/pil-document/blob';

/** The fields every preset shares (the SDK's COMMON_DEFAULTS). */
const COMMON = {
  transferable: true,
  royaltyPolicy: 'none',
  mintingFeeWei: 0n,
  expirationSeconds: 0n,
  commercialRevShareMicroPercent: 0,
  currencyToken: ZERO_ADDRESS,
} as const;

/** Non-Commercial Social Remixing (Story registers it at launch, as id 1). */
export function nonCommercialSocialRemixing(): LicenseTermsInput {
  return {
    ...COMMON,
    commercialUse: false,
    commercialAttribution: false,
    derivativesAllowed: true,
    derivativesAttribution: true,
    derivativesApproval: false,
    derivativesReciprocal: true,
    termsUri: `${PIL_DOCUMENTS}/998c13e6ee1d04eb817aefd1fe16dfe8be3cd7a2/off-chain-terms/NCSR.json`,
  };
}

/** What commercial terms take: a fee in a currency, under a commercial royalty policy. */
interface CommercialInput {
  mintingFeeWei: bigint;
  currencyToken: string;
  royaltyPolicy: Exclude<RoyaltyPolicy, 'none'>;
}

/** Commercial Use: commercial use for a fee, no derivatives. */
export function commercialUse(input: CommercialInput): LicenseTermsInput {
  return {
    ...COMMON,
    ...input,
    commercialUse: true,
    commercialAttribution: true,
    derivativesAllowed: false,
    derivativesAttribution: false,
    derivativesApproval: false,
    derivativesReciprocal: false,
    termsUri: `${PIL_DOCUMENTS}/9a1f803fcf8101a8a78f1dcc929e6014e144ab56/off-chain-terms/CommercialUse.json`,
  };
}

/** Commercial Remix: Commercial Use, and derivatives too, for a share of their revenue. */
export function commercialRemix(
  input: CommercialInput & { commercialRevShareMicroPercent: number },
): LicenseTermsInput {
  const { commercialRevShareMicroPercent, ...use } = input;
  return {
    ...commercialUse(use),
    commercialRevShareMicroPercent,
    derivativesAllowed: true,
    derivativesAttribution: true,
    derivativesReciprocal: true,
    termsUri: `${PIL_DOCUMENTS}/ad67bb632a310d2557f8abcccd428e4c9c798db1/off-chain-terms/CommercialRemix.json`,
  };
}

/**
 * Commercial remix terms no other case registers (their URI names `label`), so they get a new
 * id: what a case attaches or derives under is its own.
 */
export function ownRemixTerms(
  label: string,
  input: {
    currencyToken: string;
    royaltyPolicy: Exclude<RoyaltyPolicy, 'none'>;
    commercialRevShareMicroPercent: number;
    mintingFeeWei?: bigint;
  },
): LicenseTermsInput {
  const { mintingFeeWei = 0n, ...rest } = input;
  return {
    ...commercialRemix({ ...rest, mintingFeeWei }),
    expirationSeconds: 0n,
    termsUri: `https://conformance.mystira.test/terms/${label}`,
  };
}
