/**
 * One run of a `getOrSet` factory, shared by every caller of this process that missed the same
 * key under the same generation tokens (single flight), and how each caller waits for it: with
 * its own soft and hard timeouts, fail-safe and abort signal. A caller that stops waiting leaves
 * the run going (it fills the cache when it succeeds); if it then fails, only `onError` hears of
 * it (`CacheFactoryError`).
 */
import { AbortedError } from '@mystira/repository';
import type { SharedContext } from './context.js';
import { CacheFactoryError, CacheTimeoutError } from './errors.js';
import type { CacheTimers, KeyCallSettings } from './key-cache-options.js';

/** What a `getOrSet` factory is given. */
export interface FactoryContext<V> {
  /** The key being computed. */
  readonly key: string;
  /** The expired value still within grace (fail-safe), if there is one. */
  readonly stale: V | undefined;
  /**
   * Aborted when the cache is closed. Not by a caller's signal or timeout: the run is shared by
   * every caller of the key and fills the cache for the next ones.
   */
  readonly signal: AbortSignal;
}

/** Computes the value of a key on a miss. */
export type Factory<V> = (context: FactoryContext<V>) => V | Promise<V>;

export class FactoryFlight {
  readonly promise: Promise<unknown>;
  #reportsFailure = false;

  constructor(promise: Promise<unknown>) {
    this.promise = promise;
    // Failures reach the callers who wait, or onError once someone stopped waiting.
    promise.catch(() => {});
  }

  /** Nobody may hear of a failure any more: send it to `onError` (once). */
  reportFailure(ctx: SharedContext, key: string): void {
    if (this.#reportsFailure) return;
    this.#reportsFailure = true;
    this.promise.catch((err) => ctx.report(new CacheFactoryError(key, { cause: err })));
  }
}

/** What one caller waits with. */
export interface Wait {
  readonly key: string;
  readonly call: KeyCallSettings;
  /** The expired value this caller may answer with (fail-safe on), or null. */
  readonly stale: { value: unknown } | null;
  readonly signal: AbortSignal | undefined;
  /** Joiners get their own copy of the value (they must not share one object). */
  readonly copy: boolean;
}

/**
 * The value of `flight` for one caller: the factory's value; the stale value when the factory
 * fails, the soft timeout passes or the hard timeout passes; otherwise the factory's error, or
 * `CacheTimeoutError` at the hard timeout, or `AbortedError` when `signal` aborts.
 */
export function waitFor(
  ctx: SharedContext,
  timers: CacheTimers,
  flight: FactoryFlight,
  wait: Wait,
): Promise<unknown> {
  const { key, call, stale, signal } = wait;
  return new Promise((resolve, reject) => {
    let settled = false;
    const handles: unknown[] = [];
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      for (const h of handles) timers.clearTimeout(h);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const answerStale = () => {
      ctx.metrics.graceHits++;
      resolve(stale!.value);
    };
    const stopWaiting = (settle: () => void) =>
      finish(() => {
        flight.reportFailure(ctx, key);
        settle();
      });
    const onAbort = () =>
      stopWaiting(() =>
        reject(
          new AbortedError('the operation was aborted', {
            entity: ctx.name,
            cause: signal?.reason,
          }),
        ),
      );
    flight.promise.then(
      (value) =>
        finish(() => resolve(wait.copy && value !== undefined ? structuredClone(value) : value)),
      (err) =>
        finish(() => {
          if (!stale) return reject(err);
          ctx.report(new CacheFactoryError(key, { cause: err }));
          answerStale();
        }),
    );
    if (stale && call.softTimeoutMs < Number.POSITIVE_INFINITY)
      handles.push(timers.setTimeout(() => stopWaiting(answerStale), call.softTimeoutMs));
    if (call.hardTimeoutMs < Number.POSITIVE_INFINITY)
      handles.push(
        timers.setTimeout(
          () =>
            stopWaiting(() =>
              stale ? answerStale() : reject(new CacheTimeoutError(key, call.hardTimeoutMs)),
            ),
          call.hardTimeoutMs,
        ),
      );
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}
