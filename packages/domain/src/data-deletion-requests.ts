/**
 * `DataDeletionRequest` — container `DataDeletionRequests`, partition `/ChildProfileId`
 * (reference 1.2.15): a COPPA request to delete a child's data, retried while `RetryCount < 5`.
 * Workspace only, so there is one generation. `DeletionScope` is comma-joined; the audit trail
 * is an owned array.
 */
import {
  booleanField,
  commaListField,
  dateField,
  entityCodec,
  enumField,
  numberField,
  objectsField,
  stringField,
} from '@mystira/repository';
import type { Specification } from '@mystira/specification';
import { codecOf } from './base.js';
import {
  DeletionRequestSource,
  type DeletionRequestSourceName,
  DeletionStatus,
  type DeletionStatusName,
} from './enums.js';
import { specOf } from './specifications.js';

/** The App's retry limit (`MaxRetries`, a constant, not stored). */
export const DATA_DELETION_MAX_RETRIES = 5;

/** One step of a deletion (`DeletionAuditEntry`). */
export interface DeletionAuditEntry {
  /** What was done. */
  action: string;
  /** Who did it (a hash), or null. */
  performedByHash: string | null;
  /** When. */
  timestamp: string;
}

/** A data-deletion request (reference 1.2.15); dates are instants in `toISOString()` form. */
export interface DataDeletionRequest {
  /** The id (a 36-character GUID). */
  id: string;
  /** The child profile: the partition key. */
  childProfileId: string;
  /** Who asked (stored as its integer). */
  requestedBy: DeletionRequestSourceName;
  /** Status (stored as its integer). */
  status: DeletionStatusName;
  /** When it was asked for. */
  requestedAt: string;
  /** When the deletion is due. */
  scheduledDeletionAt: string;
  /** When it completed, or null. */
  completedAt: string | null;
  /** What to delete (stored comma-joined; default `CosmosDB,BlobStorage,Logs`). */
  deletionScope: string[];
  /** Whether the confirmation e-mail went out. */
  confirmationEmailSent: boolean;
  /** Failed attempts so far. */
  retryCount: number;
  /** When to retry, or null. */
  nextRetryAt: string | null;
  /** The steps taken. */
  auditTrail: DeletionAuditEntry[];
  /** Created. */
  createdAt: string;
  /** Updated. */
  updatedAt: string;
}

const dataDeletionRequestCodec = entityCodec({
  container: 'DataDeletionRequests',
  type: 'DataDeletionRequest',
  partitionKey: 'childProfileId',
  fields: {
    id: stringField('id'),
    childProfileId: stringField('ChildProfileId'),
    requestedBy: enumField('RequestedBy', DeletionRequestSource),
    status: enumField('Status', DeletionStatus),
    requestedAt: dateField('RequestedAt'),
    scheduledDeletionAt: dateField('ScheduledDeletionAt'),
    completedAt: dateField('CompletedAt').nullable(),
    deletionScope: commaListField('DeletionScope'),
    confirmationEmailSent: booleanField('ConfirmationEmailSent'),
    retryCount: numberField('RetryCount'),
    nextRetryAt: dateField('NextRetryAt').nullable(),
    auditTrail: objectsField('AuditTrail', {
      action: stringField('Action'),
      performedByHash: stringField('PerformedByHash').nullable(),
      timestamp: dateField('Timestamp'),
    }),
    createdAt: dateField('CreatedAt'),
    updatedAt: dateField('UpdatedAt'),
  },
});

/** The codec of `DataDeletionRequests` documents: use it with `mapped()`. */
export const dataDeletionRequests = codecOf<DataDeletionRequest>()(dataDeletionRequestCodec);

// --- Specifications (core `DataDeletionSpecifications.cs`, reference 4.2) ----------------------

/** `DataDeletionByChildProfileSpec`: one partition, latest request first. */
export function dataDeletionsByChildProfile(
  childProfileId: string,
): Specification<DataDeletionRequest> {
  return specOf(dataDeletionRequests)
    .where((w) => w.eq('childProfileId', childProfileId))
    .orderByDescending('requestedAt');
}

/**
 * `PendingDataDeletionsSpec`: pending or soft-deleted, or failed with retries left; and due
 * (`ScheduledDeletionAt <= now`) or due for a retry; earliest first. `now` (an ISO instant) is
 * fixed when the specification is built, as in the App. (The App's repository method
 * `GetPendingDeletionsAsync` is narrower: pending and due, or failed with retries left and due
 * for a retry.)
 */
export function pendingDataDeletions(
  now: string = new Date().toISOString(),
): Specification<DataDeletionRequest> {
  return specOf(dataDeletionRequests)
    .where((w) =>
      w.and(
        w.or(
          w.in('status', ['Pending', 'SoftDeleted']),
          w.and(w.eq('status', 'Failed'), w.lt('retryCount', DATA_DELETION_MAX_RETRIES)),
        ),
        w.or(w.lte('scheduledDeletionAt', now), w.lte('nextRetryAt', now)),
      ),
    )
    .orderBy('scheduledDeletionAt');
}
