/** License terms in words, the same wherever the page lists them. */
import type { LicenseTerms } from '@mystira/chain-protos';
import { formatUnits } from '../units.js';

/** PIL counts revenue shares in millionths of a percent. */
export const MICRO_PERCENT = 1_000_000;

export const percentOf = (microPercent: number) => `${microPercent / MICRO_PERCENT} %`;

/** "commercial use, derivatives allowed, derivatives owe 10 % of their revenue", and the fee. */
export function describeTerms(terms: LicenseTerms | undefined): string {
  if (!terms) return 'unknown terms';
  const parts = [
    terms.commercialUse ? 'commercial use' : 'non-commercial',
    terms.derivativesAllowed ? 'derivatives allowed' : 'no derivatives',
  ];
  if (terms.commercialUse && terms.derivativesAllowed)
    parts.push(
      `derivatives owe ${percentOf(terms.commercialRevShareMicroPercent)} of their revenue`,
    );
  const fee = BigInt(terms.mintingFeeWei || '0');
  if (fee > 0n) parts.push(`minting fee ${formatUnits(fee)} per license`);
  return parts.join(', ');
}
