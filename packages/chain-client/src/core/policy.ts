/**
 * The call policy: every facade call runs through `execute`. The resilience machinery is
 * `@mystira/resilience` (cockatiel underneath): its retry (exponential backoff with decorrelated
 * jitter, a time budget, server pushback hints), its circuit breaker and its hedge, composed by
 * its `pipeline()` in the order `retry → hedge → circuitBreaker → attempt`. This module adds what
 * is specific to a Chain call:
 * - the call's deadline: each attempt is sent with the time left as its gRPC deadline, and the
 *   retry budget is that same deadline, so no retry starts that could not finish in time;
 * - which calls may be retried: reads and writes carrying an idempotency key (the facade always
 *   gives writes one), never a call marked `retryable: false`;
 * - CANCELED that the caller did not ask for (the peer reset the stream) counts as UNAVAILABLE;
 * - every failure leaves as a typed {@link ChainError}; an open breaker as {@link ChainCircuitOpenError}.
 */
import { Code } from '@connectrpc/connect';
import {
  BrokenCircuitError,
  breakerState,
  type CircuitBreakerPolicy,
  circuitBreaker,
  HedgeLostError,
  hedge,
  isDependencyFailure,
  isTransient,
  type Pipeline,
  pipeline,
  ResilienceEvents,
  retry,
} from '@mystira/resilience';
import { abortReason } from './abort.js';
import { ChainCircuitOpenError, type ChainError, chainError, toChainError } from './errors.js';

/** Retries of transient failures (reads, and writes carrying an idempotency key). */
export interface RetryOptions {
  /** Attempts in total, the first included. Default 4. */
  maxAttempts?: number;
  /** Median of the first backoff delay in ms. Default 50. */
  initialDelayMs?: number;
  /** Largest backoff delay in ms. Default 2000. */
  maxDelayMs?: number;
}

/** The endpoint's circuit breaker. */
export interface BreakerOptions {
  /** Consecutive dependency failures (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, ...) that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe call may pass (half-open). Default 5000 ms. */
  halfOpenAfterMs?: number;
}

/** Hedging of reads: another copy of a slow read, the first answer wins. */
export interface HedgingOptions {
  /** Send another copy of a read when the previous one has not answered after this long. Default 100 ms. */
  delayMs?: number;
  /** Copies in flight at most, the first included. Default 2. */
  maxAttempts?: number;
}

/** Options of {@link createCallPolicy}. */
export interface PolicyOptions {
  /** Retries; `false` turns them off. */
  retry?: RetryOptions | false;
  /** The circuit breaker; `false` turns it off. */
  breaker?: BreakerOptions | false;
  /** Hedging of reads; off unless given. */
  hedging?: HedgingOptions | false;
  /** Cap on a single attempt's deadline, so a hung attempt is retried within the call's budget. */
  attemptTimeoutMs?: number;
  /** Monotonic clock (ms) for deadlines; injectable for tests. */
  now?: () => number;
  /** Called when a retry is scheduled, e.g. for logging or metrics. */
  onRetry?: (event: { rpc: string; attempt: number; delayMs: number; error: ChainError }) => void;
  /** Receives every retry/breaker/hedge event of this endpoint (see `@mystira/resilience`). */
  events?: ResilienceEvents;
}

/** One logical call. */
export interface CallSpec {
  /** The RPC's name, for errors and events. */
  rpc: string;
  /** Cancels the call, retries and backoff included. */
  signal?: AbortSignal | undefined;
  /** The call's whole budget in ms, retries included; undefined for no deadline. */
  timeoutMs?: number | undefined;
  /** Reads, and writes carrying an idempotency key. */
  retryable: boolean;
  /** Hedge this call (reads only; the facade decides). */
  hedge: boolean;
}

/** What one attempt of a call gets. */
export interface AttemptContext {
  /** Pass to the transport: aborts with the caller, or when another hedge won. */
  signal: AbortSignal | undefined;
  /** Deadline of this attempt in ms, sent to the server as grpc-timeout / connect-timeout-ms. */
  timeoutMs: number | undefined;
  /** 1 for the first attempt. */
  attempt: number;
}

/** The state of the endpoint's circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Runs calls with the deadline, retries, hedging and breaker of one endpoint. */
export interface CallPolicy {
  /**
   * Runs `attempt` as often as the policy allows; resolves with the first success, or rejects with
   * a {@link ChainError}.
   */
  execute<T>(spec: CallSpec, attempt: (ctx: AttemptContext) => Promise<T>): Promise<T>;
  /** The endpoint's circuit, for health reporting. */
  circuitState(): CircuitState;
}

/**
 * CANCELED that the caller did not ask for is the peer resetting the stream (RST_STREAM CANCEL,
 * e.g. a server shutting down mid-call): a connection failure, so treat it as UNAVAILABLE.
 */
export function connectionReset(err: ChainError): ChainError {
  if (err.code !== Code.Canceled) return err;
  return chainError({
    code: Code.Unavailable,
    message: `connection reset: ${err.message}`,
    rpc: err.rpc,
    metadata: err.metadata,
    cause: err,
  });
}

/** Pipelines kept per policy (they differ by retry budget and hedging). */
const MAX_PIPELINES = 64;

/** No budget given: retries are bounded by attempts only. */
const NO_DEADLINE = 24 * 3600_000;

/** Builds the policy for one endpoint (one client): one breaker, shared by every call to it. */
export function createCallPolicy(endpoint: string, options: PolicyOptions = {}): CallPolicy {
  const now = options.now ?? (() => performance.now());
  const retryOptions = options.retry === false ? undefined : (options.retry ?? {});
  const events = options.events ?? (options.onRetry ? new ResilienceEvents() : undefined);
  const breaker: CircuitBreakerPolicy | undefined =
    options.breaker === false
      ? undefined
      : circuitBreaker({
          breaker: { consecutive: options.breaker?.failureThreshold ?? 5 },
          halfOpenAfterMs: options.breaker?.halfOpenAfterMs ?? 5000,
          // Caller mistakes (INVALID_ARGUMENT, NOT_FOUND, ...) and cancellations say nothing about the endpoint.
          shouldCount: (e) => isDependencyFailure(e) && (e as ChainError).code !== Code.Canceled,
          name: `chain:${endpoint}`,
          ...(events ? { events } : {}),
        });
  const hedging = options.hedging || {};
  const hedgeMax = Math.max(1, hedging.maxAttempts ?? 2);

  // Pipelines differ by retry budget (the call's deadline) and by hedging; most clients use a
  // few timeouts, so they are built once and cached (bounded, see below).
  const pipelines = new Map<string, Pipeline>();
  function pipelineFor(
    retryable: boolean,
    hedged: boolean,
    budgetMs: number | undefined,
  ): Pipeline {
    const key = `${retryable ? 'r' : '-'}${hedged ? 'h' : '-'}${budgetMs ?? ''}`;
    let p = pipelines.get(key);
    if (!p) {
      p = pipeline({
        ...(retryable && retryOptions && (retryOptions.maxAttempts ?? 4) > 1
          ? {
              retry: retry({
                maxAttempts: retryOptions.maxAttempts ?? 4,
                initialDelayMs: retryOptions.initialDelayMs ?? 50,
                maxDelayMs: retryOptions.maxDelayMs ?? 2000,
                budgetMs: budgetMs ?? NO_DEADLINE,
                idempotent: true,
                // Our errors are ChainErrors (gRPC-shaped); resilience's gRPC rules decide.
                shouldRetry: (e, ctx) =>
                  !(e instanceof ChainCircuitOpenError) && isTransient(e, ctx),
                now,
                name: `chain:${endpoint}`,
                ...(events ? { events } : {}),
              }),
            }
          : {}),
        ...(hedged && hedgeMax > 1
          ? {
              hedge: hedge({
                delay: hedging.delayMs ?? 100,
                maxHedges: hedgeMax - 1,
                shouldHedgeOnError: (e) => isTransient(e, { idempotent: true }),
                ...(events ? { events } : {}),
              }),
            }
          : {}),
        ...(breaker ? { circuitBreaker: breaker } : {}),
      });
      // Callers that propagate an upstream deadline pass a different timeout on every call:
      // keep the cache bounded (oldest first out; the breaker is shared, so nothing is lost).
      if (pipelines.size >= MAX_PIPELINES)
        pipelines.delete(pipelines.keys().next().value as string);
      pipelines.set(key, p);
    }
    return p;
  }

  if (options.onRetry && events) {
    const onRetry = options.onRetry;
    events.onRetryScheduled((e) => {
      const error = e.error as ChainError;
      onRetry({ rpc: error.rpc ?? '', attempt: e.attempt, delayMs: e.delayMs, error });
    });
  }

  return {
    circuitState: () => (breaker ? breakerState(breaker) : 'closed'),
    async execute<T>(spec: CallSpec, attempt: (ctx: AttemptContext) => Promise<T>): Promise<T> {
      const signal = spec.signal;
      if (signal?.aborted) throw toChainError(abortReason(signal), spec.rpc);
      const deadline = spec.timeoutMs === undefined ? undefined : now() + spec.timeoutMs;
      const p = pipelineFor(spec.retryable, spec.hedge, spec.timeoutMs);
      let n = 0;
      try {
        return await p.execute(async (pctx) => {
          n++;
          let timeoutMs: number | undefined;
          if (deadline !== undefined) {
            timeoutMs = Math.ceil(deadline - now());
            if (timeoutMs <= 0) {
              throw chainError({
                code: Code.DeadlineExceeded,
                message: `${spec.rpc}: deadline exceeded`,
                rpc: spec.rpc,
              });
            }
          }
          if (options.attemptTimeoutMs !== undefined) {
            timeoutMs =
              timeoutMs === undefined
                ? options.attemptTimeoutMs
                : Math.min(timeoutMs, options.attemptTimeoutMs);
          }
          // Only a hedge needs the pipeline's own signal (to cancel the losers); otherwise the
          // caller's signal (or none) spares the transport a listener on a derived one.
          const attemptSignal = spec.hedge ? pctx.signal : signal;
          try {
            return await attempt({ signal: attemptSignal, timeoutMs, attempt: n });
          } catch (err) {
            if (signal?.aborted || pctx.signal.reason instanceof HedgeLostError) throw err;
            throw connectionReset(toChainError(err, spec.rpc));
          }
        }, signal);
      } catch (err) {
        if (signal?.aborted) throw toChainError(abortReason(signal), spec.rpc);
        if (err instanceof BrokenCircuitError) {
          throw new ChainCircuitOpenError({
            code: Code.Unavailable,
            message: `circuit open for ${endpoint}: ${err.message}`,
            rpc: spec.rpc,
            cause: err,
          });
        }
        throw toChainError(err, spec.rpc);
      }
    },
  };
}
