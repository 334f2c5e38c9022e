/**
 * The PIL presets of mystira.chain.ip.v1, expanded into full terms exactly as Story's SDK
 * (`@story-protocol/core-sdk` 1.4.4, `PILFlavor`) expands them: its common defaults, each flavor's
 * flags, and the legal text URI it points at. Terms are identified on chain by their content, so
 * the same expansion as the SDK's means a preset registered here and one registered through the
 * SDK get the same license terms id.
 */
import { ZERO_ADDRESS } from './ip-fields.js';
import type { LicenseTermsInput, RoyaltyPolicy } from './ip-ledger.js';

/** The legal texts of the presets (the SDK's `PIL_URIS`, pinned commits of piplabs/pil-document). */
export const PIL_PRESET_URIS = {
  /** Non-Commercial Social Remixing. */
  nonCommercialSocialRemixing:
    'https://github.com/piplabs/pil-document/blob/998c13e6ee1d04eb817aefd1fe16dfe8be3cd7a2/off-chain-terms/NCSR.json',
  /** Commercial Use. */
  commercialUse:
    'https://github.com/piplabs/pil-document/blob/9a1f803fcf8101a8a78f1dcc929e6014e144ab56/off-chain-terms/CommercialUse.json',
  /** Commercial Remix. */
  commercialRemix:
    'https://github.com/piplabs/pil-document/blob/ad67bb632a310d2557f8abcccd428e4c9c798db1/off-chain-terms/CommercialRemix.json',
} as const;

/** The SDK's COMMON_DEFAULTS, in the port's units (the checker and ceilings are always none). */
const COMMON: Omit<
  LicenseTermsInput,
  | 'commercialUse'
  | 'commercialAttribution'
  | 'derivativesAllowed'
  | 'derivativesAttribution'
  | 'derivativesApproval'
  | 'derivativesReciprocal'
  | 'termsUri'
> = {
  transferable: true,
  royaltyPolicy: 'none',
  mintingFeeWei: 0n,
  expirationSeconds: 0n,
  commercialRevShareMicroPercent: 0,
  currencyToken: ZERO_ADDRESS,
};

/** Non-Commercial Social Remixing: free remixing with credit, under the same terms. */
export function nonCommercialSocialRemixingTerms(): LicenseTermsInput {
  return {
    ...COMMON,
    commercialUse: false,
    commercialAttribution: false,
    derivativesAllowed: true,
    derivativesAttribution: true,
    derivativesApproval: false,
    derivativesReciprocal: true,
    termsUri: PIL_PRESET_URIS.nonCommercialSocialRemixing,
  };
}

/** What the commercial presets take (validated: a currency, a commercial royalty policy). */
export interface CommercialPresetInput {
  /** The fee per license token, in the smallest unit of `currencyToken`. */
  mintingFeeWei: bigint;
  /** The currency of fees and royalties, lower case. */
  currencyToken: string;
  /** LAP or LRP. */
  royaltyPolicy: Exclude<RoyaltyPolicy, 'none'>;
}

/** Commercial Use: commercial use with credit for a fee; no derivatives. */
export function commercialUseTerms(input: CommercialPresetInput): LicenseTermsInput {
  return {
    ...COMMON,
    ...input,
    commercialUse: true,
    commercialAttribution: true,
    derivativesAllowed: false,
    derivativesAttribution: false,
    derivativesApproval: false,
    derivativesReciprocal: false,
    termsUri: PIL_PRESET_URIS.commercialUse,
  };
}

/** Commercial Remix: commercial use and derivatives with credit, for a share of their revenue. */
export function commercialRemixTerms(
  input: CommercialPresetInput & {
    /** The licensor's share of a derivative's revenue, in millionths of a percent. */
    commercialRevShareMicroPercent: number;
  },
): LicenseTermsInput {
  return {
    ...COMMON,
    ...input,
    commercialUse: true,
    commercialAttribution: true,
    derivativesAllowed: true,
    derivativesAttribution: true,
    derivativesApproval: false,
    derivativesReciprocal: true,
    termsUri: PIL_PRESET_URIS.commercialRemix,
  };
}
