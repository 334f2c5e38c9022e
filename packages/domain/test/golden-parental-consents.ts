/**
 * A golden `ParentalConsents` document, written from the data-model reference (1.2.15): hashes
 * instead of the e-mail and IP address, the enums as integers. Workspace only: one generation.
 */
import type { StoredDocument } from '@mystira/repository';

/** A `ParentalConsents` document: every mapped property written. */
export const consentCurrent: StoredDocument = {
  id: 'c0c0c0c0-0000-4000-8000-0000000000cc',
  ParentEmailHash: 'sha256:0f1e',
  ChildProfileId: '3f2b9c1e-0000-4000-8000-000000000001',
  ChildDisplayName: 'Robin',
  Status: 2,
  VerificationMethod: 1,
  RequestedAt: '2026-01-20T08:00:00Z',
  ConsentedAt: '2026-01-20T08:10:00Z',
  VerifiedAt: '2026-01-20T08:10:00Z',
  RevokedAt: null,
  IpAddressHash: null,
  VerificationToken: null,
  VerificationTokenExpiresAt: null,
  PrivacyPolicyVersion: '1.0',
  CreatedAt: '2026-01-20T08:00:00Z',
  UpdatedAt: '2026-01-20T08:10:00.5Z',
  $type: 'ParentalConsent',
};
