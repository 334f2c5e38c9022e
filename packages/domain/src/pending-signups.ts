/**
 * `PendingSignup` — container `PendingSignups`, partition `/Email` (reference 1.2.15): a sign-up
 * waiting for its e-mail to be verified. Workspace only, so there is one generation. The
 * partition path is the EF mapping's `/Email`; Terraform creates the container with `/email`
 * (section 7), which cannot hold these documents as written: check the container first. The
 * verification token is stored only as a hash.
 */
import { dateField, entityCodec, enumField, stringField } from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import { codecOf } from './base.js';
import { PendingSignupStatus, type PendingSignupStatusName } from './enums.js';
import { specOf } from './specifications.js';

/** A pending sign-up (reference 1.2.15); dates are instants in `toISOString()` form. */
export interface PendingSignup {
  /** The id (a 36-character GUID). */
  id: string;
  /** The e-mail: the partition key. */
  email: string;
  /** Display name, or null. */
  displayName: string | null;
  /** A hash of the verification token, or null. */
  verificationTokenHash: string | null;
  /** When the token expires, or null. */
  verificationTokenExpiresAt: string | null;
  /** When it was verified, or null. */
  verifiedAt: string | null;
  /** Until when the verification holds, or null. */
  verifiedUntil: string | null;
  /** When it was used, or null. */
  consumedAt: string | null;
  /** Status (stored as its integer). */
  status: PendingSignupStatusName;
  /** Created. */
  createdAt: string;
  /** Updated. */
  updatedAt: string;
}

const pendingSignupCodec = entityCodec({
  container: 'PendingSignups',
  type: 'PendingSignup',
  partitionKey: 'email',
  fields: {
    id: stringField('id'),
    email: stringField('Email'),
    displayName: stringField('DisplayName').nullable(),
    verificationTokenHash: stringField('VerificationTokenHash').nullable(),
    verificationTokenExpiresAt: dateField('VerificationTokenExpiresAt').nullable(),
    verifiedAt: dateField('VerifiedAt').nullable(),
    verifiedUntil: dateField('VerifiedUntil').nullable(),
    consumedAt: dateField('ConsumedAt').nullable(),
    status: enumField('Status', PendingSignupStatus),
    createdAt: dateField('CreatedAt'),
    updatedAt: dateField('UpdatedAt'),
  },
});

/** The codec of `PendingSignups` documents: use it with `mapped()`. */
export const pendingSignups = codecOf<PendingSignup>()(pendingSignupCodec);

// --- The repository's queries (reference 4.3; there are no specifications) --------------------

/**
 * `PendingSignupRepository.GetByEmailAsync`: `Email.ToLower() == normalized` (ASCII case
 * folded), most recently updated first (the App takes the first).
 */
export function pendingSignupsByEmail(email: string): Specification<PendingSignup> {
  return specOf(pendingSignups)
    .where((w) => w.eq('email', email, { ignoreCase: true }))
    .orderByDescending('updatedAt');
}

/** `PendingSignupRepository.GetByVerificationTokenHashAsync` (cross-partition). */
export function pendingSignupByVerificationTokenHash(hash: string): Specification<PendingSignup> {
  return specOf(pendingSignups).where((w) => w.eq('verificationTokenHash', hash));
}
