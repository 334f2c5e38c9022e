/**
 * Errors of the polyglot layer. Store errors (`NotFoundError`, `ConcurrencyError`, ...) of the
 * primary pass through unchanged: the polyglot repository is a `Repository<T>` like any other.
 * These are the failures that only exist because there are two stores.
 */

import { brandErrors } from '../../../shared/error-brand.js';

/** The kind of a {@link PolyglotError}. */
export type PolyglotErrorCode =
  /** The registry or a binding is misconfigured (unknown entity, missing secondary, no version field). */
  | 'CONFIG'
  /** A phase change was refused (unknown phase, or its precondition does not hold). */
  | 'PHASE'
  /** The outbox could not record a pending secondary write (see `PolyglotEvents['outbox-unavailable']`). */
  | 'OUTBOX_UNAVAILABLE'
  /** A backfill checkpoint belongs to another run (different entity or options). */
  | 'CHECKPOINT';

/** The base of the errors that exist only because an entity has two stores; `code` says which. */
export class PolyglotError extends Error {
  /** The kind of failure. */
  readonly code: PolyglotErrorCode;
  /** The entity concerned, when there is one. */
  readonly entity: string | undefined;
  constructor(
    code: PolyglotErrorCode,
    message: string,
    details: { entity?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.entity = details.entity;
  }
}

/** Misconfiguration: thrown synchronously when the registry is built or an entity is looked up. */
export class PolyglotConfigError extends PolyglotError {
  constructor(message: string, details?: { entity?: string; cause?: unknown }) {
    super('CONFIG', message, details);
  }
}

/**
 * A phase change was refused: the target phase needs a secondary the binding does not have, or
 * (for `SecondaryOnly`) the outbox still holds entries for the entity and `force` was not set.
 */
export class PhaseChangeError extends PolyglotError {
  constructor(message: string, details?: { entity?: string; cause?: unknown }) {
    super('PHASE', message, details);
  }
}

/** A backfill was resumed with a checkpoint written by a different run. */
export class CheckpointMismatchError extends PolyglotError {
  constructor(message: string, details?: { entity?: string; cause?: unknown }) {
    super('CHECKPOINT', message, details);
  }
}

brandErrors('@mystira/polyglot', {
  PolyglotError,
  PolyglotConfigError,
  PhaseChangeError,
  CheckpointMismatchError,
});
