/**
 * The devnet's PIL license template: terms numbered from 1 and identified by their content, as
 * Story's PILicenseTemplate numbers and de-duplicates them, with id 1 the Non-Commercial Social
 * Remixing terms that Story registers at launch.
 */
import type { LicenseTermsInput } from '../ip-ledger.js';
import { nonCommercialSocialRemixingTerms } from '../ip-presets.js';

/**
 * Non-Commercial Social Remixing, as the server expands the preset (exactly as Story's SDK does),
 * so the preset registered through the server resolves to id 1 here.
 */
export const NON_COMMERCIAL_SOCIAL_REMIXING: Readonly<LicenseTermsInput> = Object.freeze(
  nonCommercialSocialRemixingTerms(),
);

/** The terms as stored: a copy, the currency in lower case. */
function normalized(terms: LicenseTermsInput): LicenseTermsInput {
  return { ...terms, currencyToken: terms.currencyToken.toLowerCase() };
}

/** The identity of terms: every field, in a fixed order (Story hashes the whole struct). */
function keyOf(terms: LicenseTermsInput): string {
  const t = normalized(terms);
  return JSON.stringify([
    t.transferable,
    t.royaltyPolicy,
    t.mintingFeeWei.toString(),
    t.expirationSeconds.toString(),
    t.commercialUse,
    t.commercialAttribution,
    t.commercialRevShareMicroPercent,
    t.derivativesAllowed,
    t.derivativesAttribution,
    t.derivativesApproval,
    t.derivativesReciprocal,
    t.currencyToken,
    t.termsUri,
  ]);
}

export class LicenseTermsBook {
  private readonly byId = new Map<bigint, LicenseTermsInput>();
  private readonly idByKey = new Map<string, bigint>();

  constructor() {
    this.add(NON_COMMERCIAL_SOCIAL_REMIXING);
  }

  /** The id of terms identical to `terms`, if registered. */
  idOf(terms: LicenseTermsInput): bigint | undefined {
    return this.idByKey.get(keyOf(terms));
  }

  /** Registers `terms` (in a block): a new id, or the id of identical terms registered meanwhile. */
  add(terms: LicenseTermsInput): bigint {
    const key = keyOf(terms);
    const existing = this.idByKey.get(key);
    if (existing !== undefined) return existing;
    const id = BigInt(this.byId.size + 1);
    this.byId.set(id, normalized(terms));
    this.idByKey.set(key, id);
    return id;
  }

  /** The terms of `id` (a copy), if registered. */
  get(id: bigint): LicenseTermsInput | undefined {
    const terms = this.byId.get(id);
    return terms && { ...terms };
  }
}
