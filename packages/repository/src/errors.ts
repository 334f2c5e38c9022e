/**
 * Every error a repository throws is a `RepositoryError`, so a caller (an HTTP handler mapping
 * to 404/409/412/400/503, a retry policy, a dual-write outbox) can switch on `code` instead of on
 * messages or on one backend's driver errors. Adapters translate their driver's errors into
 * these; the original error stays on `cause`.
 */

import { brandErrors } from '../../../shared/error-brand.js';

/** Machine-readable reason, stable across releases and identical for every adapter. */
export type RepositoryErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONCURRENCY'
  | 'VALIDATION'
  | 'UNAVAILABLE'
  | 'ABORTED';

/** What a {@link RepositoryError} carries besides its message. */
export interface RepositoryErrorDetails {
  /** Entity (table/container) name the operation was on. */
  entity?: string;
  /** Id of the item concerned, when there is one. */
  id?: string | number;
  /** The error it translates (the driver's), kept on `cause`. */
  cause?: unknown;
  /** `UnavailableError` only: false when a retry would not be safe (default true). */
  transient?: boolean;
}

/** The base of every error a repository throws: switch on `code`, whatever the backend. */
export class RepositoryError extends Error {
  /** The kind of failure, the same for every adapter. */
  readonly code: RepositoryErrorCode;
  /** The entity (table or container) the operation was on, when known. */
  readonly entity: string | undefined;
  /** The id of the item concerned, when there is one. */
  readonly id: string | number | undefined;
  /**
   * True when retrying the same call later may succeed AND is safe. Only `UnavailableError` can
   * be transient; adapters decide per call with `@mystira/resilience`'s classifiers (a read is
   * safe to repeat; a write only when it certainly had no effect).
   */
  readonly transient: boolean;

  constructor(code: RepositoryErrorCode, message: string, details: RepositoryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.entity = details.entity;
    this.id = details.id;
    this.transient = code === 'UNAVAILABLE' && details.transient !== false;
  }
}

/** `update`/`delete` (or a `get` that requires the item) found no item with that id. */
export class NotFoundError extends RepositoryError {
  constructor(message: string, details?: RepositoryErrorDetails) {
    super('NOT_FOUND', message, details);
  }
}

/**
 * `add`/`addMany` hit an item that already exists (a unique-key conflict). Also known as a
 * conflict; `ConflictError` is an alias.
 */
export class AlreadyExistsError extends RepositoryError {
  constructor(message: string, details?: RepositoryErrorDetails) {
    super('ALREADY_EXISTS', message, details);
  }
}

/** Alias: some callers speak of conflicts (HTTP 409) rather than of existing items. */
export const ConflictError = AlreadyExistsError;
export type ConflictError = AlreadyExistsError;

/**
 * Optimistic concurrency: the caller passed back a version (etag) that is no longer current, so
 * somebody else wrote the item in between. Reload, reapply, retry; never retried automatically.
 */
export class ConcurrencyError extends RepositoryError {
  /** The version the caller expected. */
  readonly expectedVersion: number;
  /** The current version, when the adapter knows it (undefined when the item is gone). */
  readonly actualVersion: number | undefined;
  constructor(
    message: string,
    details: RepositoryErrorDetails & { expectedVersion: number; actualVersion?: number },
  ) {
    super('CONCURRENCY', message, details);
    this.expectedVersion = details.expectedVersion;
    this.actualVersion = details.actualVersion;
  }
}

/** One problem with an input item or specification. */
export interface ValidationIssue {
  /** Dotted field path ('' for the whole item). */
  readonly field: string;
  /** What is wrong with it. */
  readonly message: string;
}

/**
 * The item does not match the entity schema, the specification is invalid for this entity
 * (unknown field, wrong operand type), or a value cannot be stored by this backend (e.g. U+0000
 * in PostgreSQL text). Never transient: retrying the same input fails the same way.
 */
export class ValidationError extends RepositoryError {
  /** The problems found, one per field (empty when the message says it all). */
  readonly issues: readonly ValidationIssue[];
  constructor(
    message: string,
    details: RepositoryErrorDetails & { issues?: readonly ValidationIssue[] } = {},
  ) {
    super('VALIDATION', message, details);
    this.issues = Object.freeze([...(details.issues ?? [])]);
  }
}

/**
 * The store could not be reached or refused for a reason that may pass (connection lost, pool
 * exhausted, failover, serialization failure, statement timeout). `transient` says whether this
 * call may be retried as is: true unless the adapter knows a repeat could apply a write twice
 * (e.g. the connection broke mid-write). `@mystira/resilience`'s classifiers read the driver
 * error on `cause` and agree.
 */
export class UnavailableError extends RepositoryError {
  constructor(message: string, details?: RepositoryErrorDetails) {
    super('UNAVAILABLE', message, details);
  }
}

/**
 * The caller's `AbortSignal` fired. `cause` is the signal's reason. Whether a write that was
 * aborted mid-flight took effect is unknown unless it ran in a transaction that was rolled back.
 */
export class AbortedError extends RepositoryError {
  constructor(message = 'the operation was aborted', details?: RepositoryErrorDetails) {
    super('ABORTED', message, details);
  }
}

brandErrors('@mystira/repository', {
  RepositoryError,
  NotFoundError,
  AlreadyExistsError,
  ConcurrencyError,
  ValidationError,
  UnavailableError,
  AbortedError,
});

/** Throws `AbortedError` when the signal has fired; call before starting any work. */
export function throwIfAborted(signal: AbortSignal | undefined, entity?: string): void {
  if (signal?.aborted)
    throw new AbortedError('the operation was aborted', { entity, cause: signal.reason });
}

/**
 * Whether `err` is a `RepositoryError`, from this copy of the package or another one (its ESM and
 * CJS builds, or another version); `instanceof` answers the same.
 */
export function isRepositoryError(err: unknown): err is RepositoryError {
  return err instanceof RepositoryError;
}
