/**
 * Translating `pg` driver errors into the repository's typed errors, in ONE place, so every
 * call site agrees on what a SQLSTATE means. The retry decision ("is it safe and useful to try
 * again") is `@mystira/resilience`'s; this module only decides the error family and keeps the
 * driver error on `cause`, where resilience's classifiers look for the SQLSTATE.
 */
import {
  AbortedError,
  AlreadyExistsError,
  RepositoryError,
  UnavailableError,
  ValidationError,
} from '@mystira/repository';
import {
  isTransient,
  isTransientNetwork,
  isTransientPostgres,
  networkHadNoEffect,
  postgresHadNoEffect,
  sqlState,
} from '@mystira/resilience';
import { brandErrors } from '../../../shared/error-brand.js';

export { sqlState };

// Node socket errors that mean "the server could not be reached or the link broke".
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * Whether an error means the store is (perhaps briefly) unavailable rather than that the request
 * is wrong: connection failures (class 08, socket errors, pool acquisition timeouts, "Connection
 * terminated"), server shutdown or start-up (57P01-57P03), resource exhaustion (class 53),
 * serialization failures and deadlocks (40001, 40P01: the server rolled back), lock timeouts
 * (55P03), statement timeouts (57014 without a caller abort), and writes that reached a read-only
 * server (25006, e.g. during a failover).
 */
export function isUnavailable(err: unknown): boolean {
  // What @mystira/resilience would retry for a call that is safe to repeat is, by definition,
  // "the store is unavailable for now"; the rest are states it leaves alone because a retry may
  // not help (timeouts, lock waits, a read-only server during failover) but that still say
  // nothing about the request itself.
  const safe = { idempotent: true };
  if (isTransientPostgres(err, safe) || isTransientNetwork(err, safe)) return true;
  const state = sqlState(err);
  if (state !== undefined) {
    return state.startsWith('53') || state === '57014' || state === '55P03' || state === '25006';
  }
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return true;
  return connectionLost(err);
}

/** pg's own messages for a dead connection or an exhausted pool (no code is set on these). */
function connectionLost(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    msg,
  );
}

/** What {@link classifyPgError} knows about the call whose error it translates. */
export interface ClassifyContext {
  /** The entity, for the error's details. */
  entity?: string;
  /** The item id, for the error's details. */
  id?: string | number;
  /** The call's signal: once it fired, any error is an `AbortedError`. */
  signal?: AbortSignal;
  /** The call can be repeated safely (a read). Decides `UnavailableError.transient`. */
  idempotent?: boolean;
  /** The error came while acquiring a connection: no statement ran, so a retry is always safe. */
  connecting?: boolean;
}

/**
 * Maps any error from a pg call to a `RepositoryError` (already-typed errors pass through):
 * caller abort -> `AbortedError`; 23505 unique violation -> `AlreadyExistsError`; other class 23
 * (constraint) and class 22 (data exception, e.g. U+0000 in text) -> `ValidationError`;
 * unavailable (see `isUnavailable`) -> `UnavailableError`, `transient` when `@mystira/resilience`
 * says a retry is safe for this call (reads; writes only when they certainly had no effect). Anything else (a bug: syntax error,
 * missing table, permissions) is returned unchanged so it is not mistaken for bad input.
 */
export function classifyPgError(err: unknown, ctx: ClassifyContext = {}): unknown {
  if (err instanceof RepositoryError) return err;
  const details = { entity: ctx.entity, id: ctx.id, cause: err };
  if (ctx.signal?.aborted) return new AbortedError('the operation was aborted', details);
  const state = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  if (state === '23505')
    return new AlreadyExistsError(`${ctx.entity ?? 'item'} already exists: ${message}`, details);
  if (state?.startsWith('23') || state?.startsWith('22')) {
    return new ValidationError(`rejected by PostgreSQL: ${message}`, {
      ...details,
      issues: [{ field: '', message }],
    });
  }
  if (isUnavailable(err)) {
    const idempotent = ctx.idempotent === true;
    const transient =
      ctx.connecting === true ||
      postgresHadNoEffect(err) ||
      networkHadNoEffect(err) ||
      isTransient(err, { idempotent }) ||
      (idempotent && connectionLost(err));
    return new UnavailableError(`PostgreSQL unavailable: ${message}`, { ...details, transient });
  }
  return err;
}

/** A migration problem: checksum drift, a missing down step, a failed statement. Never transient. */
export class MigrationError extends Error {
  /** Id of the migration concerned, if any. */
  readonly migration: string | undefined;
  constructor(message: string, options: { migration?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationError';
    this.migration = options.migration;
  }
}

/** An entity definition the chosen storage layout cannot represent faithfully. */
export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

brandErrors('@mystira/repository-postgres', { MigrationError, LayoutError });
