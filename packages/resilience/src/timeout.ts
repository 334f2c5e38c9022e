import {
  type TimeoutPolicy as CockatielTimeoutPolicy,
  timeout as cockatielTimeout,
  type Event,
  type ICancellationContext,
  type IPolicy,
  TaskCancelledError,
  TimeoutStrategy,
} from 'cockatiel';
import { TimeoutError } from './errors.js';
import type { ResilienceEvents } from './events.js';

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /** The timeout in ms. */
  ms: number;
  /**
   * `cooperative` (default): abort the call's `signal` and wait for the call to give up (it must
   * honour the signal; then it settles at once). `aggressive`: also reject right away, leaving
   * a call that ignores the signal running in the background.
   */
  strategy?: 'cooperative' | 'aggressive';
  /** Receives `onTimeout`. */
  events?: ResilienceEvents;
  /** Name used in events. Default `timeout`. */
  name?: string;
}

/**
 * A timeout on cockatiel's `TimeoutPolicy` that always rejects with our {@link TimeoutError}
 * (the error the cancelled call threw becomes its `cause`), so callers and retry classifiers
 * see one error type whatever the driver throws on abort.
 */
export class TimeoutPolicy implements IPolicy<ICancellationContext> {
  declare readonly _altReturn: never;
  readonly #inner: CockatielTimeoutPolicy;
  readonly #ms: number;
  readonly onSuccess: IPolicy['onSuccess'];
  readonly onFailure: IPolicy['onFailure'];
  /** Fires when a call times out. */
  readonly onTimeout: Event<void>;

  constructor(options: TimeoutOptions) {
    if (!(options.ms > 0)) throw new RangeError('timeout: ms must be > 0');
    this.#ms = options.ms;
    this.#inner = cockatielTimeout(options.ms, {
      strategy:
        options.strategy === 'aggressive'
          ? TimeoutStrategy.Aggressive
          : TimeoutStrategy.Cooperative,
      // Aborting the signal after every successful return would cost a DOMException with a
      // stack trace per call (~20 µs); a call that returned has no work left to cancel.
      abortOnReturn: false,
    });
    this.onSuccess = this.#inner.onSuccess;
    this.onFailure = this.#inner.onFailure;
    this.onTimeout = this.#inner.onTimeout;
    const events = options.events;
    if (events) {
      const name = options.name ?? 'timeout';
      this.#inner.onTimeout(() => events.emitTimeout({ policy: name, timeoutMs: options.ms }));
    }
  }

  async execute<T>(
    fn: (context: ICancellationContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    let inner: AbortSignal | undefined;
    try {
      return await this.#inner.execute((ctx) => {
        inner = ctx.signal;
        return fn(ctx);
      }, signal);
    } catch (error) {
      // With abortOnReturn off, the inner signal aborts only on our deadline or when the outer
      // signal aborts; the latter is the caller's cancellation and passes through unchanged.
      const timedOut = inner?.aborted === true && !signal?.aborted;
      if (timedOut || (error instanceof TaskCancelledError && !signal?.aborted)) {
        throw new TimeoutError(this.#ms, { cause: error });
      }
      throw error;
    }
  }
}

/** A timeout policy: `timeout(2000)` or `timeout({ ms: 2000, strategy: 'aggressive' })`. */
export function timeout(msOrOptions: number | TimeoutOptions): TimeoutPolicy {
  return new TimeoutPolicy(typeof msOrOptions === 'number' ? { ms: msOrOptions } : msOrOptions);
}
