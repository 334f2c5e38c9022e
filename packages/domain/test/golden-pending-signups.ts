/**
 * A golden `PendingSignups` document, written from the data-model reference (1.2.15): the token
 * only as a hash, the status as an integer, the EF mapping's `Email` partition key. Workspace
 * only: one generation.
 */
import type { StoredDocument } from '@mystira/repository';

/** A `PendingSignups` document: every mapped property written. */
export const signupCurrent: StoredDocument = {
  id: '5e5e5e5e-0000-4000-8000-0000000000ss',
  Email: 'kai@example.com',
  DisplayName: 'Kai',
  VerificationTokenHash: 'sha256:9a9a',
  VerificationTokenExpiresAt: '2026-02-01T10:15:00Z',
  VerifiedAt: null,
  VerifiedUntil: null,
  ConsumedAt: null,
  Status: 1,
  CreatedAt: '2026-02-01T10:00:00Z',
  UpdatedAt: '2026-02-01T10:00:00.1234567Z',
  $type: 'PendingSignup',
};
