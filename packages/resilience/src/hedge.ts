import type { IPolicy } from 'cockatiel';
import { isTransient } from './classify/index.js';
import { HedgeLostError } from './errors.js';
import type { ResilienceEvents } from './events.js';
import { PolicyEvents } from './policy-events.js';

/** Hedge after the given percentile of the latencies observed so far. */
export interface PercentileDelay {
  /** 0 < percentile < 1, e.g. 0.95: hedge calls slower than 95% of recent successes. */
  percentile: number;
  /** Delay used until `minSamples` successes were seen. Default 100 ms. */
  initialDelayMs?: number;
  /** Successes needed before the percentile is trusted. Default 20. */
  minSamples?: number;
  /** How many recent successes are kept. Default 200. */
  window?: number;
  /** Lower bound of the computed delay. Default 1 ms. */
  minDelayMs?: number;
  /** Upper bound of the computed delay. Default 10 s. */
  maxDelayMs?: number;
}

/** Options of {@link hedge}. */
export interface HedgeOptions {
  /** When to start the next attempt: a fixed delay in ms (default 100) or a {@link PercentileDelay}. */
  delay?: number | PercentileDelay;
  /** Extra attempts on top of the first. Default 1. */
  maxHedges?: number;
  /**
   * Errors that start the next attempt at once instead of ending the call. Default
   * `isTransient(error, { idempotent: true })`: hedging is for idempotent calls only. Any other
   * error is the answer: it rejects the call and aborts the attempts still running.
   */
  shouldHedgeOnError?: (error: unknown) => boolean;
  /** Monotonic clock in ms for latency samples. Default `performance.now`. */
  now?: () => number;
  /** Receives `onHedgeFired`. */
  events?: ResilienceEvents;
  /** Name used in events. Default `hedge`. */
  name?: string;
}

/** The context a hedged function receives. */
export interface HedgeContext {
  /** This attempt's signal: aborted (with {@link HedgeLostError}) when another attempt won. */
  signal: AbortSignal;
  /** 0 for the first attempt, 1 for the first hedge, ... */
  hedge: number;
}

/**
 * Hedging for idempotent reads (cockatiel has none): if the first attempt has not answered after
 * the delay, start another; the first success wins and the others are aborted. Implements
 * cockatiel's `IPolicy`, so it composes in `pipeline()`/`wrap()`.
 */
export class HedgePolicy extends PolicyEvents implements IPolicy<HedgeContext> {
  readonly #options: HedgeOptions;
  readonly #maxHedges: number;
  readonly #now: () => number;
  readonly #samples: number[] = [];
  #next = 0;

  constructor(options: HedgeOptions = {}) {
    super();
    const maxHedges = options.maxHedges ?? 1;
    if (!Number.isInteger(maxHedges) || maxHedges < 0) {
      throw new RangeError('hedge: maxHedges must be an integer >= 0');
    }
    const delay = options.delay;
    if (typeof delay === 'object' && !(delay.percentile > 0 && delay.percentile < 1)) {
      throw new RangeError('hedge: percentile must be between 0 and 1');
    }
    this.#options = options;
    this.#maxHedges = maxHedges;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The delay the next call will wait before hedging. */
  currentDelayMs(): number {
    const delay = this.#options.delay ?? 100;
    if (typeof delay === 'number') return delay;
    const samples = this.#samples;
    if (samples.length < (delay.minSamples ?? 20)) return delay.initialDelayMs ?? 100;
    const sorted = [...samples].sort((a, b) => a - b);
    const index = Math.min(
      sorted.length - 1,
      Math.max(0, Math.ceil(delay.percentile * sorted.length) - 1),
    );
    const value = sorted[index] ?? 0;
    return Math.min(delay.maxDelayMs ?? 10_000, Math.max(delay.minDelayMs ?? 1, value));
  }

  #record(latency: number): void {
    const delay = this.#options.delay;
    if (typeof delay !== 'object') return;
    const window = delay.window ?? 200;
    if (this.#samples.length < window) this.#samples.push(latency);
    else {
      this.#samples[this.#next] = latency;
      this.#next = (this.#next + 1) % window;
    }
  }

  /**
   * Runs `fn` and up to `maxHedges` hedges. Resolves with the first success; rejects with the
   * first error that is not hedgeable, or the last error when every attempt failed, or the
   * signal's reason when `signal` aborts (every attempt is aborted too).
   */
  execute<T>(fn: (context: HedgeContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    const options = this.#options;
    const events = options.events;
    const name = options.name ?? 'hedge';
    const shouldHedge =
      options.shouldHedgeOnError ?? ((e: unknown) => isTransient(e, { idempotent: true }));
    const begin = this.#now();
    return new Promise<T>((resolve, reject) => {
      const controllers: AbortController[] = [];
      let launched = 0;
      let inFlight = 0;
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let lastLaunch = begin;

      const finish = (outcome: () => void, error?: unknown, winner?: AbortController) => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        // The winner keeps its signal un-aborted: its result (e.g. a stream) may still use it.
        for (const c of controllers)
          if (c !== winner && !c.signal.aborted) c.abort(new HedgeLostError());
        const duration = this.#now() - begin;
        if (error === undefined) {
          this.emitSuccess(() => duration);
        } else this.emitFailure(() => duration, error);
        outcome();
      };
      const onAbort = () => {
        if (!settled) finish(() => reject(signal?.reason), signal?.reason);
      };
      const schedule = () => {
        clearTimeout(timer);
        if (launched > this.#maxHedges) return;
        timer = setTimeout(() => {
          if (!settled) launch();
        }, this.currentDelayMs());
      };
      const launch = () => {
        const index = launched++;
        const controller = new AbortController();
        controllers.push(controller);
        const started = this.#now();
        if (index > 0)
          events?.emitHedgeFired({ policy: name, attempt: index, delayMs: started - lastLaunch });
        lastLaunch = started;
        inFlight++;
        schedule();
        Promise.resolve()
          .then(() => fn({ signal: controller.signal, hedge: index }))
          .then(
            (value) => {
              inFlight--;
              if (settled) return;
              this.#record(this.#now() - started);
              finish(() => resolve(value), undefined, controller);
            },
            (error: unknown) => {
              inFlight--;
              if (settled) return;
              if (!shouldHedge(error)) return finish(() => reject(error), error);
              // A hedgeable failure starts the next attempt now rather than after the delay.
              if (launched <= this.#maxHedges) return launch();
              if (inFlight === 0) finish(() => reject(error), error);
            },
          );
      };

      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      launch();
    });
  }
}

/** A hedging policy; see {@link HedgePolicy}. Use it only for idempotent calls. */
export function hedge(options: HedgeOptions = {}): HedgePolicy {
  return new HedgePolicy(options);
}
