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

/**
 * Whether a Cosmos DB error is worth retrying: 429 (throttled) and 449 (retry with) always, since
 * the request was not executed; 408 (timeout), 410 (gone: partition moved) and 503 (service
 * unavailable) only when safe to repeat, since a write may have been applied. Everything else
 * (400, 401, 403, 404, 409 conflict, 412 precondition, 413) never.
 */
export function isTransientCosmos(err: unknown, ctx: CallContext = {}): boolean {
  const status = cosmosStatus(err);
  switch (status) {
    case 429:
    case 449:
      return true;
    case 408:
    case 410:
    case 503:
      return isSafeToRepeat(ctx);
    default:
      return false;
  }
}
