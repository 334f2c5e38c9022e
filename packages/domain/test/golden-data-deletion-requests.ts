/**
 * A golden `DataDeletionRequests` document, written from the data-model reference (1.2.15): the
 * enums as integers, `DeletionScope` comma-joined, the owned audit trail. Workspace only: one
 * generation.
 */
import type { StoredDocument } from '@mystira/repository';

/** A `DataDeletionRequests` document: every mapped property written. */
export const deletionCurrent: StoredDocument = {
  id: 'd1e2f3a4-0000-4000-8000-0000000000dd',
  ChildProfileId: '3f2b9c1e-0000-4000-8000-000000000001',
  RequestedBy: 0,
  Status: 0,
  RequestedAt: '2026-02-01T10:00:00Z',
  ScheduledDeletionAt: '2026-02-08T10:00:00Z',
  CompletedAt: null,
  DeletionScope: 'CosmosDB,BlobStorage,Logs',
  ConfirmationEmailSent: true,
  RetryCount: 0,
  NextRetryAt: null,
  AuditTrail: [
    { Action: 'Requested', PerformedByHash: 'sha256:77aa', Timestamp: '2026-02-01T10:00:00Z' },
  ],
  CreatedAt: '2026-02-01T10:00:00Z',
  UpdatedAt: '2026-02-01T10:00:00Z',
  $type: 'DataDeletionRequest',
};
