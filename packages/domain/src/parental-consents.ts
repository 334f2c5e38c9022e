/**
 * `ParentalConsent` — container `ParentalConsents`, partition `/ChildProfileId` (reference
 * 1.2.15): a parent's COPPA consent for a child profile. Workspace only, so there is one
 * generation. The parent's e-mail and IP address are stored only as hashes; `IsActive` and
 * `IsTokenExpired` are computed by the App and never stored.
 */
import { dateField, entityCodec, enumField, stringField } from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import { codecOf } from './base.js';
import {
  ConsentStatus,
  type ConsentStatusName,
  ConsentVerificationMethod,
  type ConsentVerificationMethodName,
} from './enums.js';
import { specOf } from './specifications.js';

/** A parental consent (reference 1.2.15); dates are instants in `toISOString()` form. */
export interface ParentalConsent {
  /** The id (a 36-character GUID). */
  id: string;
  /** A hash of the parent's e-mail (never the address). */
  parentEmailHash: string;
  /** The child profile: the partition key. */
  childProfileId: string;
  /** The child's display name. */
  childDisplayName: string;
  /** Status (stored as its integer). */
  status: ConsentStatusName;
  /** How it was verified (stored as its integer). */
  verificationMethod: ConsentVerificationMethodName;
  /** When it was requested. */
  requestedAt: string;
  /** When consent was given, or null. */
  consentedAt: string | null;
  /** When it was verified, or null. */
  verifiedAt: string | null;
  /** When it was revoked, or null. */
  revokedAt: string | null;
  /** A hash of the IP address, or null. */
  ipAddressHash: string | null;
  /** The verification token, or null. */
  verificationToken: string | null;
  /** When the token expires, or null. */
  verificationTokenExpiresAt: string | null;
  /** The privacy policy version consented to (default `"1.0"`). */
  privacyPolicyVersion: string;
  /** Created. */
  createdAt: string;
  /** Updated. */
  updatedAt: string;
}

const parentalConsentCodec = entityCodec({
  container: 'ParentalConsents',
  type: 'ParentalConsent',
  partitionKey: 'childProfileId',
  fields: {
    id: stringField('id'),
    parentEmailHash: stringField('ParentEmailHash'),
    childProfileId: stringField('ChildProfileId'),
    childDisplayName: stringField('ChildDisplayName'),
    status: enumField('Status', ConsentStatus),
    verificationMethod: enumField('VerificationMethod', ConsentVerificationMethod),
    requestedAt: dateField('RequestedAt'),
    consentedAt: dateField('ConsentedAt').nullable(),
    verifiedAt: dateField('VerifiedAt').nullable(),
    revokedAt: dateField('RevokedAt').nullable(),
    ipAddressHash: stringField('IpAddressHash').nullable(),
    verificationToken: stringField('VerificationToken').nullable(),
    verificationTokenExpiresAt: dateField('VerificationTokenExpiresAt').nullable(),
    privacyPolicyVersion: stringField('PrivacyPolicyVersion', { default: '1.0' }),
    createdAt: dateField('CreatedAt'),
    updatedAt: dateField('UpdatedAt'),
  },
});

/** The codec of `ParentalConsents` documents: use it with `mapped()`. */
export const parentalConsents = codecOf<ParentalConsent>()(parentalConsentCodec);

// --- The repository's queries (reference 4.3; there are no specifications) --------------------

/**
 * `ParentalConsentRepository.GetByChildProfileIdAsync`: one partition, newest first (the App
 * takes the first).
 */
export function consentsByChildProfile(childProfileId: string): Specification<ParentalConsent> {
  return specOf(parentalConsents)
    .where((w) => w.eq('childProfileId', childProfileId))
    .orderByDescending('createdAt');
}

/** `ParentalConsentRepository.GetByVerificationTokenAsync` (cross-partition). */
export function consentByVerificationToken(token: string): Specification<ParentalConsent> {
  return specOf(parentalConsents).where((w) => w.eq('verificationToken', token));
}
