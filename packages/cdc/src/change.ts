/**
 * The shape every change source and sink agrees on. A source (PostgreSQL logical replication
 * today; a Cosmos DB change feed could be another) yields committed changes in batches; a sink
 * handles a batch; the consumer acknowledges a batch's position only after the sink handled it,
 * so a restart resumes from the last handled change and never skips one (at-least-once: a sink
 * may see a change twice, so sinks are idempotent, as invalidation is).
 */

/** What happened to a row. `truncate` carries no key: the whole table changed. */
export type ChangeOperation = 'insert' | 'update' | 'delete' | 'truncate';

/** One committed change to one row (or, for `truncate`, to one whole table). */
export interface ChangeEvent {
  /** The table (container, collection) as `schema.name`, e.g. `public.accounts`. */
  readonly table: string;
  /** What happened. */
  readonly operation: ChangeOperation;
  /**
   * The row's key columns and their values (the primary key, or the replica identity):
   * `{ id: 'a1' }`. Empty for `truncate`.
   */
  readonly key: Readonly<Record<string, unknown>>;
  /**
   * For an update that changed the key: the key the row had before. A cache keyed by id must
   * forget both.
   */
  readonly previousKey?: Readonly<Record<string, unknown>>;
  /** The row after an insert or update, as the source decoded it (absent for deletes). */
  readonly row?: Readonly<Record<string, unknown>>;
  /** Where the change is in the source's log (the LSN of the change for PostgreSQL). */
  readonly position: string;
  /** When its transaction committed, when the source knows. */
  readonly committedAt?: Date;
}

/**
 * Changes in commit order. A large transaction arrives as several batches; only the last one
 * carries `position`, the point to acknowledge once it (and every batch before it) is handled.
 */
export interface ChangeBatch {
  /** The changes, in the order they were made. */
  readonly events: readonly ChangeEvent[];
  /**
   * Set when the batch ends a transaction: acknowledging it tells the source that everything up
   * to here is handled, so a restart resumes after it.
   */
  readonly position?: string;
}

/**
 * Where changes come from. `changes()` reads from the last acknowledged position and pauses
 * reading while its small buffer is full (so a slow consumer slows the stream down instead of
 * growing memory); `acknowledge()` moves the durable position forward.
 */
export interface ChangeSource {
  /** A name for logs and health checks, e.g. `postgres:cache_invalidation`. */
  readonly name: string;
  /**
   * Reads changes from the last acknowledged position until `signal` aborts, the iteration is
   * left, or the stream fails (a `CdcError`). One reader at a time; after a failure call it
   * again to resume.
   */
  changes(signal?: AbortSignal): AsyncIterable<ChangeBatch>;
  /** Everything up to `position` (a batch's `position`) is handled. */
  acknowledge(position: string): Promise<void>;
  /**
   * Stops reading. With `drop: true` the durable position is removed too (the PostgreSQL
   * replication slot), for a consumer group that is going away for good: the server stops
   * keeping WAL for it.
   */
  close(options?: { drop?: boolean }): Promise<void>;
}

/** Where changes go. It must be idempotent: after a restart it may see a change again. */
export interface ChangeSink {
  /**
   * Handles one batch. Resolves once the batch's effect is durable (for a cache: delivered to the
   * store); rejects to have the same batch handled again later.
   */
  handle(batch: ChangeBatch, signal: AbortSignal): Promise<void>;
}
