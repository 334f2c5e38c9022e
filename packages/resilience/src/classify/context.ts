/**
 * What a classifier needs to know about the call besides the error. "Transient" here means
 * "retrying may succeed AND retrying is safe": a call that may already have taken effect on the
 * server is only retried when repeating it cannot do harm.
 */
export interface CallContext {
  /** The operation can be repeated without changing the outcome (a read, a PUT-like upsert). */
  idempotent?: boolean;
  /**
   * The call carries an idempotency key the server de-duplicates on, so a repeat is harmless
   * even though the operation itself is not idempotent.
   */
  idempotencyKey?: boolean | string;
}

/** True when repeating the call is harmless. */
export function isSafeToRepeat(ctx: CallContext | undefined): boolean {
  return (
    ctx?.idempotent === true ||
    (ctx?.idempotencyKey !== undefined && ctx.idempotencyKey !== false && ctx.idempotencyKey !== '')
  );
}

/** Reads a property of an unknown value without trusting its shape. */
export function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The error and the errors it wraps (`cause`, AggregateError `errors`), breadth-first and
 * bounded, so a driver error wrapped by a client library is still recognised.
 */
export function errorChain(err: unknown, limit = 8): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < limit) {
    const next = queue.shift();
    if (next === undefined || next === null || out.includes(next)) continue;
    out.push(next);
    const cause = prop(next, 'cause');
    if (cause !== undefined) queue.push(cause);
    const errors = prop(next, 'errors');
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return out;
}
