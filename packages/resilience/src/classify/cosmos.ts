import { type CallContext, errorChain, isSafeToRepeat, prop } from './context.js';

/** The HTTP status of a Cosmos DB `ErrorResponse` (`code` or `statusCode`, a number >= 100). */
export function cosmosStatus(err: unknown): number | undefined {
  for (const e of errorChain(err)) {
    for (const key of ['statusCode', 'code']) {
      const value = prop(e, key);
      const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
      if (typeof n === 'number' && n >= 100 && n < 600) return n;
    }
  }
  return undefined;
}

/** A Cosmos DB error for a request that was not executed: 429 (throttled) and 449 (retry with). */
export function cosmosHadNoEffect(err: unknown): boolean {
  const status = cosmosStatus(err);
  return status === 429 || status === 449;
}

/**
 * Whether a Cosmos DB error is worth retrying, for calls that are safe to repeat: 408 (timeout),
 * 410 (gone: partition moved), 429 (throttled), 449 (retry with) and 503 (service unavailable).
 * Everything else (400, 401, 403, 404, 409 conflict, 412 precondition, 413) never.
 */
export function isTransientCosmos(err: unknown, ctx: CallContext = {}): boolean {
  if (!isSafeToRepeat(ctx)) return false;
  const status = cosmosStatus(err);
  return status === 408 || status === 410 || status === 429 || status === 449 || status === 503;
}
