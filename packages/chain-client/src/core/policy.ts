/**
 * The call policy: every facade call runs through `execute`, which applies, from the outside in,
 * the overall deadline, retries (exponential backoff with full jitter), opt-in hedging for reads,
 * and the endpoint's circuit breaker around each attempt.
 *
 * This module is the seam between the facade and the resilience machinery: the facade only knows
 * `CallPolicy.execute`. The rules that make retries safe live here and are tested on their own:
 * - only transient codes are retried (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED, and
 *   DEADLINE_EXCEEDED of a single attempt while the call's own deadline still has time left);
 * - only calls marked `retryable` (reads, or writes carrying an idempotency key) are retried;
 * - the caller's AbortSignal stops everything at once, including a backoff in progress;
 * - a server's google.rpc.RetryInfo delay is honoured; a delay past the deadline ends the call.
 */
import { Code } from '@connectrpc/connect';
import { abortReason, sleep as defaultSleep, linkedController } from './abort.js';
import { ChainCircuitOpenError, type ChainError, chainError, toChainError } from './errors.js';

export interface RetryOptions {
  /** Attempts in total, the first included. Default 4. */
  maxAttempts?: number;
  /** Backoff ceiling of the first retry in ms (full jitter: the delay is uniform in [0, ceiling]). Default 50. */
  initialDelayMs?: number;
  /** Largest backoff ceiling in ms. Default 2000. */
  maxDelayMs?: number;
  /** Growth of the ceiling per retry. Default 2. */
  multiplier?: number;
  /** Codes worth retrying. Default UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED, DEADLINE_EXCEEDED. */
  retryableCodes?: readonly Code[];
}

export interface BreakerOptions {
  /** Consecutive failures (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, ...) that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe call may pass (half-open). Default 5000 ms. */
  halfOpenAfterMs?: number;
}

export interface HedgingOptions {
  /** Send another copy of a read when the previous one has not answered after this long. Default 100 ms. */
  delayMs?: number;
  /** Copies in flight at most, the first included. Default 2. */
  maxAttempts?: number;
}

export interface PolicyOptions {
  retry?: RetryOptions | false;
  breaker?: BreakerOptions | false;
  hedging?: HedgingOptions | false;
  /** Cap on a single attempt's deadline, so a hung attempt is retried within the call's budget. */
  attemptTimeoutMs?: number;
  /** Monotonic clock (ms); injectable for tests. */
  now?: () => number;
  /** Uniform random in [0, 1); injectable for tests. */
  random?: () => number;
  /** Backoff sleep; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry, e.g. for logging or metrics. */
  onRetry?: (event: { rpc: string; attempt: number; delayMs: number; error: ChainError }) => void;
}

/** One logical call. */
export interface CallSpec {
  rpc: string;
  signal?: AbortSignal | undefined;
  /** The call's whole budget in ms, retries included; undefined for no deadline. */
  timeoutMs?: number | undefined;
  /** Reads, and writes carrying an idempotency key. */
  retryable: boolean;
  /** Hedge this call (reads only; the facade decides). */
  hedge: boolean;
}

export interface AttemptContext {
  /** Pass to the transport: aborts with the caller, or when another hedge won. */
  signal: AbortSignal | undefined;
  /** Deadline of this attempt in ms, sent to the server as grpc-timeout / connect-timeout-ms. */
  timeoutMs: number | undefined;
  /** 1 for the first attempt. */
  attempt: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CallPolicy {
  execute<T>(spec: CallSpec, attempt: (ctx: AttemptContext) => Promise<T>): Promise<T>;
  /** The endpoint's circuit, for health reporting. */
  circuitState(): CircuitState;
}

const DEFAULT_RETRYABLE: readonly Code[] = [
  Code.Unavailable,
  Code.ResourceExhausted,
  Code.Aborted,
  Code.DeadlineExceeded,
];
const BREAKER_FAILURES = new Set<Code>([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.Internal,
  Code.Unknown,
  Code.ResourceExhausted,
  Code.DataLoss,
]);

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

/** A consecutive-failure circuit breaker for one endpoint. */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  constructor(
    private readonly endpoint: string,
    private readonly threshold: number,
    private readonly halfOpenAfterMs: number,
    private readonly now: () => number,
  ) {}

  current(): CircuitState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.halfOpenAfterMs)
      return 'half-open';
    return this.state;
  }

  /** Throws {@link ChainCircuitOpenError} when the call must not be sent; returns whether it is the probe. */
  enter(rpc: string): boolean {
    if (this.state === 'closed') return false;
    if (this.current() === 'half-open' && !this.probing) {
      this.state = 'half-open';
      this.probing = true;
      return true;
    }
    throw new ChainCircuitOpenError({
      code: Code.Unavailable,
      message: `circuit open for ${this.endpoint} after ${this.failures} consecutive failures`,
      rpc,
    });
  }

  record(error: ChainError | undefined, probe: boolean): void {
    if (probe) this.probing = false;
    if (error?.code === Code.Canceled) {
      // A cancelled call says nothing about the endpoint; a cancelled probe lets the next call probe.
      if (probe) this.state = 'open';
      return;
    }
    if (!error || !BREAKER_FAILURES.has(error.code)) {
      // Success, or an answer that proves the endpoint is up (e.g. INVALID_ARGUMENT).
      this.state = 'closed';
      this.failures = 0;
      return;
    }
    this.failures++;
    if (probe || this.failures >= this.threshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}

/** Builds the policy for one endpoint (one client). */
export function createCallPolicy(endpoint: string, options: PolicyOptions = {}): CallPolicy {
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const retry = options.retry === false ? undefined : (options.retry ?? {});
  const maxAttempts = retry ? Math.max(1, retry.maxAttempts ?? 4) : 1;
  const initialDelayMs = retry?.initialDelayMs ?? 50;
  const maxDelayMs = retry?.maxDelayMs ?? 2000;
  const multiplier = retry?.multiplier ?? 2;
  const retryable = new Set(retry?.retryableCodes ?? DEFAULT_RETRYABLE);
  const breaker =
    options.breaker === false
      ? undefined
      : new CircuitBreaker(
          endpoint,
          options.breaker?.failureThreshold ?? 5,
          options.breaker?.halfOpenAfterMs ?? 5000,
          now,
        );
  // Whether a call is hedged is the facade's decision (spec.hedge); these are only the knobs.
  const hedging = options.hedging || {};
  const hedgeDelayMs = hedging.delayMs ?? 100;
  const hedgeMax = Math.max(1, hedging.maxAttempts ?? 2);

  async function guarded<T>(rpc: string, run: () => Promise<T>): Promise<T> {
    if (!breaker) return run();
    const probe = breaker.enter(rpc);
    try {
      const value = await run();
      breaker.record(undefined, probe);
      return value;
    } catch (err) {
      const ce = toChainError(err, rpc);
      breaker.record(ce, probe);
      throw ce;
    }
  }

  function hedged<T>(
    spec: CallSpec,
    ctx: AttemptContext,
    attempt: (ctx: AttemptContext) => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const controllers: AbortController[] = [];
      let launched = 0;
      let pending = 0;
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (winner: AbortController | undefined) => {
        done = true;
        clearTimeout(timer);
        for (const c of controllers)
          if (c !== winner) c.abort(new DOMException('another hedge answered first', 'AbortError'));
      };
      const schedule = () => {
        if (launched < hedgeMax) timer = setTimeout(launch, hedgeDelayMs);
      };
      function launch() {
        if (done || launched >= hedgeMax) return;
        launched++;
        pending++;
        const { controller, dispose } = linkedController(spec.signal);
        controllers.push(controller);
        guarded(spec.rpc, () => attempt({ ...ctx, signal: controller.signal })).then(
          (value) => {
            pending--;
            dispose();
            if (done) return;
            finish(controller);
            resolve(value);
          },
          (err) => {
            pending--;
            dispose();
            if (done) return;
            const ce = spec.signal?.aborted
              ? toChainError(err, spec.rpc)
              : connectionReset(toChainError(err, spec.rpc));
            if (!retryable.has(ce.code) || spec.signal?.aborted) {
              finish(undefined);
              reject(ce);
            } else if (launched < hedgeMax) {
              clearTimeout(timer);
              launch();
            } else if (pending === 0) {
              finish(undefined);
              reject(ce);
            }
          },
        );
        schedule();
      }
      launch();
    });
  }

  return {
    circuitState: () => breaker?.current() ?? 'closed',
    async execute<T>(spec: CallSpec, attempt: (ctx: AttemptContext) => Promise<T>): Promise<T> {
      const signal = spec.signal;
      const deadline = spec.timeoutMs === undefined ? undefined : now() + spec.timeoutMs;
      const attempts = spec.retryable ? maxAttempts : 1;
      for (let n = 1; ; n++) {
        if (signal?.aborted) throw toChainError(abortReason(signal), spec.rpc);
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
        const ctx: AttemptContext = { signal, timeoutMs, attempt: n };
        try {
          if (spec.hedge && hedgeMax > 1) return await hedged(spec, ctx, attempt);
          return await guarded(spec.rpc, () => attempt(ctx));
        } catch (err) {
          if (signal?.aborted) throw toChainError(abortReason(signal), spec.rpc);
          const ce = connectionReset(toChainError(err, spec.rpc));
          if (n >= attempts || !retryable.has(ce.code) || ce instanceof ChainCircuitOpenError)
            throw ce;
          const ceiling = Math.min(maxDelayMs, initialDelayMs * multiplier ** (n - 1));
          const delayMs = Math.max(Math.floor(random() * ceiling), ce.retryAfterMs ?? 0);
          if (deadline !== undefined && now() + delayMs >= deadline) throw ce;
          options.onRetry?.({ rpc: spec.rpc, attempt: n, delayMs, error: ce });
          try {
            await sleep(delayMs, signal);
          } catch (abort) {
            throw toChainError(abort, spec.rpc);
          }
        }
      }
    },
  };
}
