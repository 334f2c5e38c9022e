import { type CallContext, isSafeToRepeat } from './context.js';
import { cosmosHadNoEffect, isTransientCosmos } from './cosmos.js';
import { grpcCode, isTransientGrpc } from './grpc.js';
import { isTransientPostgres, postgresHadNoEffect, sqlState } from './postgres.js';
import {
  isTransientNetwork,
  isTransientRedis,
  networkHadNoEffect,
  redisHadNoEffect,
} from './redis.js';

/** The errors our own policies throw that must not be retried by an outer policy. */
function isPolicyRejection(err: unknown): boolean {
  const e = err as Record<string, unknown> | null;
  // cockatiel marks its errors with these flags (BrokenCircuitError, IsolatedCircuitError,
  // BulkheadRejectedError); retrying into an open breaker or a full bulkhead only adds load. Our
  // RateLimitExceededError likewise: retrying at once would only be refused again.
  return (
    typeof e === 'object' &&
    e !== null &&
    (e.isBrokenCircuitError === true ||
      e.isBulkheadRejectedError === true ||
      e.isIsolatedCircuitError === true ||
      e.isRateLimitExceededError === true)
  );
}

/**
 * The default retry classifier: one answer for every dependency of the SDK. A gRPC error
 * (recognised by its shape) is judged by {@link isTransientGrpc} only, a PostgreSQL error (a
 * SQLSTATE) by {@link isTransientPostgres} only; otherwise Cosmos DB, Redis and network rules.
 * Our own attempt timeouts count like DEADLINE_EXCEEDED. Open breakers and full bulkheads are
 * never transient. A call that is not safe to repeat (neither idempotent nor carrying an
 * idempotency key) is never transient: retries are safe or absent (see {@link hadNoEffect}).
 */
export function isTransient(err: unknown, ctx: CallContext = {}): boolean {
  if (isPolicyRejection(err)) return false;
  // An attempt cut off by our own timeout (TimeoutError / cockatiel's TaskCancelledError) is
  // like DEADLINE_EXCEEDED: it may have run, so only a call that is safe to repeat is retried.
  if (
    typeof err === 'object' &&
    err !== null &&
    (err as { isTaskCancelledError?: unknown }).isTaskCancelledError === true
  ) {
    return isSafeToRepeat(ctx);
  }
  if (grpcCode(err) !== undefined) return isTransientGrpc(err, ctx);
  if (sqlState(err) !== undefined) return isTransientPostgres(err, ctx);
  return isTransientCosmos(err, ctx) || isTransientRedis(err, ctx) || isTransientNetwork(err, ctx);
}

export { type CallContext, isSafeToRepeat } from './context.js';
export { cosmosHadNoEffect, cosmosStatus, isTransientCosmos } from './cosmos.js';
export { isDependencyFailure } from './dependency.js';
export { GrpcCode, grpcCode, isTransientGrpc } from './grpc.js';
export { grpcPushback, readHeader, retryAfterMs } from './hints.js';
export { isTransientPostgres, postgresHadNoEffect, sqlState } from './postgres.js';
export {
  isTransientNetwork,
  isTransientRedis,
  networkHadNoEffect,
  redisHadNoEffect,
} from './redis.js';

/**
 * Whether the failed request certainly had no effect on the server: a refused/unresolved
 * connection, a Redis rejection (LOADING, TRYAGAIN, CLUSTERDOWN, READONLY, MASTERDOWN) or a
 * command ioredis never sent, Cosmos 429/449, a PostgreSQL transaction rolled back (40001, 40P01)
 * or a connection that never started (08001, 08004, 57P03, 53300). {@link isTransient} never
 * retries a call that is not safe to repeat; opt in for such calls with
 * `retry({ shouldRetry: (e, ctx) => isTransient(e, ctx) || hadNoEffect(e) })`.
 */
export function hadNoEffect(err: unknown): boolean {
  if (grpcCode(err) !== undefined) return false; // a gRPC status does not say whether it ran
  return (
    postgresHadNoEffect(err) ||
    cosmosHadNoEffect(err) ||
    redisHadNoEffect(err) ||
    networkHadNoEffect(err)
  );
}
