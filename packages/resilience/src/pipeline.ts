import { type IPolicy, wrap } from 'cockatiel';
import { neverAborted } from './abort.js';
import { type CircuitBreakerOptions, circuitBreaker } from './breaker.js';
import { type BulkheadOptions, bulkhead } from './bulkhead.js';
import type { ResilienceEvents } from './events.js';
import { fallback } from './fallback.js';
import { type HedgeOptions, hedge } from './hedge.js';
import { type RetryOptions, retry } from './retry.js';
import { type TimeoutOptions, timeout } from './timeout.js';

/**
 * A ready cockatiel policy of any context and result type.
 *
 * @inline
 */
// biome-ignore lint/suspicious/noExplicitAny: cockatiel's own policy types vary in context and alt-return.
type AnyPolicy = IPolicy<any, any>;

/**
 * The stages of a pipeline, each either options for our factory or a ready policy (e.g. a shared
 * circuit breaker). Omitted stages are skipped.
 */
export interface PipelineOptions<R = never> {
  /** Outermost: the value (or factory) used when everything below failed. */
  fallback?:
    | {
        /** The value, or a function computing it, that the call answers instead of failing. */
        value: R | (() => R | Promise<R>);
        /** Which errors fall back. Default: every error except an abort by the caller. */
        shouldHandle?: (error: unknown) => boolean;
      }
    | AnyPolicy;
  /** Overall deadline for the call, retries and backoff included. */
  timeout?: number | TimeoutOptions | AnyPolicy;
  /** Retries transient failures (see {@link retry}). */
  retry?: RetryOptions | AnyPolicy;
  /** Starts extra attempts when the first is slow (see {@link hedge}; idempotent calls only). */
  hedge?: HedgeOptions | AnyPolicy;
  /** Share one breaker per dependency: pass the same `circuitBreaker()` to every pipeline. */
  circuitBreaker?: CircuitBreakerOptions | AnyPolicy;
  /** Limits the attempts in flight to the dependency (see {@link bulkhead}). */
  bulkhead?: BulkheadOptions | AnyPolicy;
  /** Innermost: deadline for one attempt. */
  attemptTimeout?: number | TimeoutOptions | AnyPolicy;
  /** Passed to every stage built from options (unless the stage has its own). */
  events?: ResilienceEvents;
}

/** What a function run through a pipeline receives (fields of stages that are present). */
export interface PipelineContext {
  /**
   * Aborted when the caller's signal aborts or a stage (timeout, hedge) gives up on this attempt:
   * pass it to the I/O.
   */
  signal: AbortSignal;
  /** Retry attempt (0 = first try), when the pipeline retries. */
  attempt?: number;
  /** Hedge index (0 = first attempt), when the pipeline hedges. */
  hedge?: number;
}

/** A composed policy: `execute(fn, signal?)`. */
export interface Pipeline<R = never> {
  /**
   * Runs `fn` through the stages: resolves with its result (or the fallback's value), or rejects
   * with the error the stages let through.
   */
  execute<T>(
    fn: (context: PipelineContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T | R>;
  /** The policies, outermost first. */
  readonly policies: readonly AnyPolicy[];
}

const isPolicy = (value: unknown): value is AnyPolicy =>
  typeof value === 'object' && value !== null && typeof (value as AnyPolicy).execute === 'function';

function withEvents<T extends object>(options: T, events: ResilienceEvents | undefined): T {
  return events && !('events' in options) ? { ...options, events } : options;
}

function timeoutStage(
  spec: number | TimeoutOptions | AnyPolicy,
  events: ResilienceEvents | undefined,
  name: string,
) {
  if (isPolicy(spec)) return spec;
  const options = typeof spec === 'number' ? { ms: spec } : spec;
  return timeout(withEvents({ name, ...options }, events));
}

/**
 * Composes the given stages in this fixed order, outermost first:
 *
 * `fallback → timeout (total) → retry → hedge → circuitBreaker → bulkhead → attemptTimeout → fn`
 *
 * Why this order: the fallback sees every failure; the total timeout bounds retries and their
 * backoff; each retry (and each hedge) passes the breaker, so an open breaker fails them fast and
 * every real attempt is counted; the bulkhead limits attempts in flight to the dependency; the
 * attempt timeout applies to one call. With no stage, `execute` just calls `fn`.
 */
export function pipeline<R = never>(options: PipelineOptions<R> = {}): Pipeline<R> {
  const events = options.events;
  const policies: AnyPolicy[] = [];
  if (options.fallback) {
    const spec = options.fallback;
    policies.push(
      isPolicy(spec)
        ? spec
        : fallback(spec.value, spec.shouldHandle ? { shouldHandle: spec.shouldHandle } : {}),
    );
  }
  if (options.timeout !== undefined)
    policies.push(timeoutStage(options.timeout, events, 'timeout'));
  if (options.retry)
    policies.push(
      isPolicy(options.retry) ? options.retry : retry(withEvents(options.retry, events)),
    );
  if (options.hedge)
    policies.push(
      isPolicy(options.hedge) ? options.hedge : hedge(withEvents(options.hedge, events)),
    );
  if (options.circuitBreaker) {
    const spec = options.circuitBreaker;
    policies.push(isPolicy(spec) ? spec : circuitBreaker(withEvents(spec, events)));
  }
  if (options.bulkhead) {
    const spec = options.bulkhead;
    policies.push(isPolicy(spec) ? spec : bulkhead(withEvents(spec, events)));
  }
  if (options.attemptTimeout !== undefined) {
    policies.push(timeoutStage(options.attemptTimeout, events, 'attempt-timeout'));
  }
  if (policies.length === 0) {
    // Nothing to apply: call through with as little as possible (see bench/resilience.bench.ts).
    return { policies, execute: async (fn, signal) => fn({ signal: signal ?? neverAborted }) };
  }
  const composed: AnyPolicy =
    policies.length === 1 ? (policies[0] as AnyPolicy) : wrap(...policies);
  return { policies, execute: (fn, signal) => composed.execute(fn, signal) };
}
