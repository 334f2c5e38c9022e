/**
 * License terms in a RegisterLicenseTermsRequest, checked against the PIL rules written on
 * `LicenseTerms` in license_terms.proto (Story's own rules: `PILFlavor.validateLicenseTerms` and
 * the PIL template) and turned into the port's full `LicenseTermsInput`: a preset is expanded as
 * Story's SDK expands it, custom terms are taken field by field. Every broken rule is reported on
 * the field that breaks it, under the oneof member's name (`custom.currency_token`).
 */
import {
  type CommercialRemixPreset,
  type CommercialUsePreset,
  type LicenseTerms,
  type RegisterLicenseTermsRequest,
  RoyaltyPolicy as WirePolicy,
} from '@mystira/chain-protos';
import { IP_LIMITS, type Violations, ZERO_ADDRESS } from './ip-fields.js';
import type { LicenseTermsInput, RoyaltyPolicy } from './ip-ledger.js';
import {
  commercialRemixTerms,
  commercialUseTerms,
  nonCommercialSocialRemixingTerms,
} from './ip-presets.js';
import { sharedTermsFields } from './ip-terms-fields.js';

/** The wire policy as the port names it; undefined for UNSPECIFIED or a number with no name. */
function policyOf(value: WirePolicy): RoyaltyPolicy | undefined {
  switch (value) {
    case WirePolicy.NONE:
      return 'none';
    case WirePolicy.LAP:
      return 'lap';
    case WirePolicy.LRP:
      return 'lrp';
    default:
      return undefined;
  }
}

/** Unknown numbers arrive intact in proto3 open enums; only the named values count. */
function knownPolicy(v: Violations, field: string, value: WirePolicy): boolean {
  if (WirePolicy[value] !== undefined) return true;
  v.add(field, 'must be one of UNSPECIFIED, NONE, LAP, LRP', 'INVALID_ENUM');
  return false;
}

/** A commercial policy: UNSPECIFIED means LAP (Story's SDK default); NONE is not commercial. */
function commercialPolicy(v: Violations, field: string, value: WirePolicy): 'lap' | 'lrp' {
  if (!knownPolicy(v, field, value)) return 'lap';
  const policy = policyOf(value) ?? 'lap';
  if (policy === 'none') {
    v.add(
      field,
      'commercial terms need LAP or LRP (or unset for LAP)',
      'REQUIRED_FOR_COMMERCIAL_USE',
    );
    return 'lap';
  }
  return policy;
}

/** The currency of commercial terms: a real token, never the zero address. */
function commercialCurrency(v: Violations, field: string, value: string): string {
  const currency = v.address(field, value);
  if (currency === ZERO_ADDRESS)
    v.add(
      field,
      'commercial terms need a currency, not the zero address',
      'REQUIRED_FOR_COMMERCIAL_USE',
    );
  return currency;
}

function commercialUsePreset(v: Violations, p: CommercialUsePreset): LicenseTermsInput {
  return commercialUseTerms({
    mintingFeeWei: v.wei('commercial_use.minting_fee_wei', p.mintingFeeWei, true),
    currencyToken: commercialCurrency(v, 'commercial_use.currency_token', p.currencyToken),
    royaltyPolicy: commercialPolicy(v, 'commercial_use.royalty_policy', p.royaltyPolicy),
  });
}

function commercialRemixPreset(v: Violations, p: CommercialRemixPreset): LicenseTermsInput {
  v.revShare(
    'commercial_remix.commercial_rev_share_micro_percent',
    p.commercialRevShareMicroPercent,
  );
  return commercialRemixTerms({
    mintingFeeWei: v.wei('commercial_remix.minting_fee_wei', p.mintingFeeWei, true),
    currencyToken: commercialCurrency(v, 'commercial_remix.currency_token', p.currencyToken),
    royaltyPolicy: commercialPolicy(v, 'commercial_remix.royalty_policy', p.royaltyPolicy),
    commercialRevShareMicroPercent: p.commercialRevShareMicroPercent,
  });
}

function customTerms(v: Violations, t: LicenseTerms): LicenseTermsInput {
  const at = (name: string) => `custom.${name}`;
  const mintingFeeWei = v.wei(at('minting_fee_wei'), t.mintingFeeWei, true);
  v.revShare(at('commercial_rev_share_micro_percent'), t.commercialRevShareMicroPercent);
  v.maxLength(at('terms_uri'), t.termsUri, IP_LIMITS.uri);
  let royaltyPolicy: RoyaltyPolicy = 'none';
  let currencyToken = ZERO_ADDRESS;
  if (t.commercialUse) {
    royaltyPolicy = commercialPolicy(v, at('royalty_policy'), t.royaltyPolicy);
    currencyToken = commercialCurrency(v, at('currency_token'), t.currencyToken);
  } else {
    // Non-commercial terms owe nothing: no attribution duty, share, fee or royalty policy.
    const requires = (field: string, what: string) =>
      v.add(at(field), `${what} needs commercial_use`, 'REQUIRES_COMMERCIAL_USE');
    if (t.commercialAttribution) requires('commercial_attribution', 'commercial attribution');
    if (t.commercialRevShareMicroPercent !== 0)
      requires('commercial_rev_share_micro_percent', 'a revenue share');
    if (mintingFeeWei !== 0n) requires('minting_fee_wei', 'a minting fee');
    if (knownPolicy(v, at('royalty_policy'), t.royaltyPolicy)) {
      const policy = policyOf(t.royaltyPolicy);
      if (policy === 'lap' || policy === 'lrp') requires('royalty_policy', 'a royalty policy');
    }
    // A currency without a policy is allowed by Story; empty means none (the zero address).
    if (t.currencyToken !== '') currencyToken = v.address(at('currency_token'), t.currencyToken);
  }
  if (!t.derivativesAllowed) {
    const requires = (field: string, what: string) =>
      v.add(at(field), `${what} needs derivatives_allowed`, 'REQUIRES_DERIVATIVES_ALLOWED');
    if (t.derivativesAttribution) requires('derivatives_attribution', 'derivative attribution');
    if (t.derivativesApproval) requires('derivatives_approval', 'derivative approval');
    if (t.derivativesReciprocal) requires('derivatives_reciprocal', 'reciprocal derivatives');
  }
  return {
    ...sharedTermsFields(t),
    royaltyPolicy,
    mintingFeeWei,
    expirationSeconds: t.expirationSeconds,
    currencyToken,
  };
}

/** The terms a RegisterLicenseTermsRequest asks for, in full; violations go to `v`. */
export function licenseTermsOf(
  v: Violations,
  terms: RegisterLicenseTermsRequest['terms'],
): LicenseTermsInput {
  switch (terms.case) {
    case 'nonCommercialSocialRemixing':
      return nonCommercialSocialRemixingTerms();
    case 'commercialUse':
      return commercialUsePreset(v, terms.value);
    case 'commercialRemix':
      return commercialRemixPreset(v, terms.value);
    case 'custom':
      return customTerms(v, terms.value);
    default:
      v.add(
        'terms',
        'one of non_commercial_social_remixing, commercial_use, commercial_remix or custom is required',
        'REQUIRED',
      );
      return nonCommercialSocialRemixingTerms();
  }
}
