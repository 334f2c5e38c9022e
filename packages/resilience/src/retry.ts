import {
  retry as cockatielRetry,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IPolicy,
  type IRetryContext,
} from 'cockatiel';
import { raceAbort } from '../../../shared/waiting.js';
import { neverAborted } from './abort.js';
import { type CallContext, isTransient, retryAfterMs } from './classify/index.js';
import type { ResilienceEvents } from './events.js';
import { PolicyEvents } from './policy-events.js';

/** What `shouldRetry` gets besides the error. */
export interface RetryDecisionContext extends CallContext {
  /** The attempt that failed (0 = the first try). */
  attempt: number;
}

export interface RetryOptions extends CallContext {
  /** Total tries, the first included. Default 3. */
  maxAttempts?: number;
  /** Median of the first backoff delay. Default 100 ms. */
  initialDelayMs?: number;
  /** Upper bound of one backoff delay (server hints are capped by `maxServerDelayMs`). Default 10 s. */
  maxDelayMs?: number;
  /**
   * Total time budget in ms, measured from the first try: a retry whose delay would end past it
   * is not scheduled and the last error goes to the caller. Default 30 s.
   */
  budgetMs?: number;
  /**
   * Decides whether an error is worth another try. Default {@link isTransient} with this policy's
   * `idempotent` / `idempotencyKey`, i.e. only transient errors of calls that are safe to repeat
   * (or that certainly did not run).
   */
  shouldRetry?: (error: unknown, ctx: RetryDecisionContext) => boolean;
  /** Wait what the server asked for (Retry-After, x-ms-retry-after-ms, grpc-retry-pushback-ms). Default true. */
  honourServerHints?: boolean;
  /** A server hint longer than this gives up instead of waiting. Default 60 s. */
  maxServerDelayMs?: number;
  /**
   * The backoff between tries. Default: cockatiel's `ExponentialBackoff` with its decorrelated
   * jitter generator (exponent 2), from `initialDelayMs` up to `maxDelayMs`.
   */
  backoff?: IBackoffFactory<unknown>;
  /** Monotonic clock in ms for the budget. Default `performance.now`. */
  now?: () => number;
  /** Receives `onAttempt`, `onRetryScheduled` and `onGiveUp`. */
  events?: ResilienceEvents;
  /** Name used in events. Default `retry`. */
  name?: string;
}

/** The context a retried function receives. */
export interface RetryContext {
  /** The caller's signal (never aborted when it passed none): pass it to the I/O. */
  signal: AbortSignal;
  /** 0 for the first try. */
  attempt: number;
}

/**
 * A retry policy (see {@link retry}). It implements cockatiel's `IPolicy`, so it composes with
 * every cockatiel policy through `pipeline()` or cockatiel's `wrap()`.
 */
export class RetryPolicy extends PolicyEvents implements IPolicy<IRetryContext> {
  readonly #options: RetryOptions;
  readonly #maxAttempts: number;
  readonly #budgetMs: number;
  readonly #maxServerDelayMs: number;
  readonly #backoff: IBackoffFactory<unknown>;
  readonly #now: () => number;
  readonly #name: string;

  constructor(options: RetryOptions = {}) {
    super();
    const maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError('retry: maxAttempts must be an integer >= 1');
    }
    this.#options = options;
    this.#maxAttempts = maxAttempts;
    this.#budgetMs = options.budgetMs ?? 30_000;
    this.#maxServerDelayMs = options.maxServerDelayMs ?? 60_000;
    this.#backoff =
      options.backoff ??
      new ExponentialBackoff({
        initialDelay: options.initialDelayMs ?? 100,
        maxDelay: options.maxDelayMs ?? 10_000,
      });
    this.#now = options.now ?? (() => performance.now());
    this.#name = options.name ?? 'retry';
  }

  /**
   * Runs `fn`, retrying it per the options. Aborting `signal` rejects at once with its reason,
   * also during a backoff delay, and no further try starts. When retrying stops, the last error
   * is rethrown unchanged.
   */
  async execute<T>(
    fn: (context: IRetryContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    const started = this.#now();
    signal?.throwIfAborted();
    this.#options.events?.emitAttempt({ policy: this.#name, attempt: 0 });
    // The first try runs here, outside cockatiel, so the common case (it succeeds) costs one
    // await; cockatiel's loop only takes over from the first failure on.
    try {
      const pending = fn({ signal: signal ?? neverAborted, attempt: 0 });
      const value = await (signal ? raceAbort(Promise.resolve(pending), signal) : pending);
      this.emitSuccess(() => this.#now() - started);
      return value;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return this.#retryAfter(error, fn, signal, started);
    }
  }

  async #retryAfter<T>(
    firstError: unknown,
    fn: (context: IRetryContext) => PromiseLike<T> | T,
    signal: AbortSignal | undefined,
    started: number,
  ): Promise<T> {
    const options = this.#options;
    const events = options.events;
    const name = this.#name;
    const shouldRetry =
      options.shouldRetry ??
      ((error: unknown, ctx: RetryDecisionContext) => isTransient(error, ctx));
    let attempt = 0;
    let nextDelay = 0;
    let backoffState: IBackoff<unknown> | undefined;
    let replaying = false;

    // Decides per failure (with the attempt, the budget and the server hint, which cockatiel's
    // retry does not know about) and precomputes the delay the backoff below hands to cockatiel.
    const decide = (error: unknown): boolean => {
      const giveUp = (reason: 'not-transient' | 'max-attempts' | 'budget' | 'aborted') => {
        events?.emitGiveUp({ policy: name, attempts: attempt + 1, reason, error });
        return false;
      };
      if (signal?.aborted) return giveUp('aborted');
      const decision: RetryDecisionContext = { attempt };
      if (options.idempotent !== undefined) decision.idempotent = options.idempotent;
      if (options.idempotencyKey !== undefined) decision.idempotencyKey = options.idempotencyKey;
      if (!shouldRetry(error, decision)) return giveUp('not-transient');
      if (attempt + 1 >= this.#maxAttempts) return giveUp('max-attempts');
      backoffState = backoffState ? backoffState.next(decision) : this.#backoff.next(decision);
      let delay = backoffState.duration;
      const hint = options.honourServerHints === false ? undefined : retryAfterMs(error);
      if (hint !== undefined) {
        if (hint > this.#maxServerDelayMs) return giveUp('budget');
        delay = hint;
      }
      if (this.#now() - started + delay > this.#budgetMs) return giveUp('budget');
      nextDelay = delay;
      events?.emitRetryScheduled({
        policy: name,
        attempt: attempt + 1,
        delayMs: delay,
        fromServerHint: hint !== undefined,
        error,
      });
      return true;
    };
    const fail = (error: unknown): never => {
      this.emitFailure(() => this.#now() - started, error);
      throw error;
    };

    if (!decide(firstError)) return fail(firstError);
    // cockatiel's first iteration replays the failure we already judged (without calling `fn`
    // again), so its loop then waits our delay and runs the retries with its own attempt count.
    replaying = true;
    const filter = (error: unknown) => {
      if (replaying && error === firstError) {
        replaying = false;
        return true;
      }
      return decide(error);
    };
    const handOver: IBackoffFactory<unknown> = {
      next: () => ({ duration: nextDelay, next: handOver.next }) as IBackoff<unknown>,
    };
    const inner = cockatielRetry(handleWhen(filter), {
      maxAttempts: this.#maxAttempts - 1,
      backoff: handOver,
    });
    const run = inner.execute((ctx) => {
      if (ctx.attempt === 0) throw firstError;
      // cockatiel's backoff sleep ignores the signal; make sure nothing starts after an abort.
      signal?.throwIfAborted();
      attempt = ctx.attempt;
      events?.emitAttempt({ policy: name, attempt });
      return fn({ signal: ctx.signal, attempt: ctx.attempt });
    }, signal);
    try {
      const value = await raceAbort(run, signal);
      this.emitSuccess(() => this.#now() - started);
      return value;
    } catch (error) {
      return fail(error);
    }
  }
}

/**
 * Retry with exponential backoff and decorrelated jitter (cockatiel's), bounded by
 * `maxAttempts` and a total `budgetMs`, honouring server hints, and retrying only what the
 * classifier calls transient for this call's idempotency.
 */
export function retry(options: RetryOptions = {}): RetryPolicy {
  return new RetryPolicy(options);
}
