/**
 * The license terms fields that the contract's `LicenseTerms` and the port's `LicenseTermsInput`
 * carry under the same name and type, so a conversion either way copies them as they are. The
 * rest (royalty policy, minting fee, expiration, currency) differ in form and are converted or
 * checked where they cross.
 */
import type { LicenseTermsInput } from './ip-ledger.js';

/** The names of the fields both forms share unchanged. */
type SharedTermsField =
  | 'transferable'
  | 'commercialUse'
  | 'commercialAttribution'
  | 'commercialRevShareMicroPercent'
  | 'derivativesAllowed'
  | 'derivativesAttribution'
  | 'derivativesApproval'
  | 'derivativesReciprocal'
  | 'termsUri';

/** The fields of `t` that cross between the wire and the port unchanged, and no others. */
export function sharedTermsFields(
  t: Pick<LicenseTermsInput, SharedTermsField>,
): Pick<LicenseTermsInput, SharedTermsField> {
  return {
    transferable: t.transferable,
    commercialUse: t.commercialUse,
    commercialAttribution: t.commercialAttribution,
    commercialRevShareMicroPercent: t.commercialRevShareMicroPercent,
    derivativesAllowed: t.derivativesAllowed,
    derivativesAttribution: t.derivativesAttribution,
    derivativesApproval: t.derivativesApproval,
    derivativesReciprocal: t.derivativesReciprocal,
    termsUri: t.termsUri,
  };
}
