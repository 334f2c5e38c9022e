import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker as cockatielCircuitBreaker,
  handleWhen,
  type IBackoffFactory,
  type IBreaker,
  type IHalfOpenAfterBackoffContext,
  SamplingBreaker,
} from 'cockatiel';
import { isDependencyFailure } from './classify/dependency.js';
import type { BreakerState, ResilienceEvents } from './events.js';

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /**
   * When to open: `{ consecutive: n }` after n failures in a row (default 5), or
   * `{ sampling: { threshold, durationMs, minimumRps? } }` when the failure ratio over a
   * sliding window exceeds `threshold` (0-1) at a minimum call rate, or any cockatiel `IBreaker`.
   */
  breaker?:
    | {
        /** Open after this many failures in a row. */
        consecutive: number;
      }
    | {
        /** Open on the failure ratio over a sliding window. */
        sampling: {
          /** Failure ratio (0-1) above which the breaker opens. */
          threshold: number;
          /** Length of the sliding window in ms. */
          durationMs: number;
          /** Calls per second below which the ratio is not acted on (too few to judge). */
          minimumRps?: number;
        };
      }
    | IBreaker;
  /** How long the breaker stays open before letting a probe through (half-open). Default 10 s. */
  halfOpenAfterMs?: number | IBackoffFactory<IHalfOpenAfterBackoffContext>;
  /**
   * How many probe calls run while half-open and what share may fail before it re-opens.
   * Default one probe, no failure allowed.
   */
  halfOpenSampling?: {
    /** Probe calls let through while half-open. */
    calls: number;
    /** Share (0-1) of the probes that may fail without re-opening the breaker. */
    threshold: number;
  };
  /** Which errors count as failures. Default {@link isDependencyFailure}. */
  shouldCount?: (error: unknown) => boolean;
  /** State from a previous `toJSON()` (e.g. across serverless invocations). */
  initialState?: unknown;
  /** Receives `onBreakerStateChange`. */
  events?: ResilienceEvents;
  /** Name used in events. Default `circuit-breaker`. */
  name?: string;
}

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** The state of a cockatiel breaker by name. */
export function breakerState(policy: CircuitBreakerPolicy): BreakerState {
  return stateNames[policy.state];
}

function makeBreaker(spec: CircuitBreakerOptions['breaker']): IBreaker {
  if (spec === undefined) return new ConsecutiveBreaker(5);
  if ('consecutive' in spec) return new ConsecutiveBreaker(spec.consecutive);
  if ('sampling' in spec) {
    const { threshold, durationMs, minimumRps } = spec.sampling;
    const options: ConstructorParameters<typeof SamplingBreaker>[0] = {
      threshold,
      duration: durationMs,
    };
    if (minimumRps !== undefined) options.minimumRps = minimumRps;
    return new SamplingBreaker(options);
  }
  return spec;
}

/**
 * A circuit breaker (cockatiel's `CircuitBreakerPolicy`): while open, calls fail at once with
 * cockatiel's `BrokenCircuitError`; after `halfOpenAfterMs` probe calls decide between closing and
 * re-opening. Share one instance across all calls to the same dependency.
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreakerPolicy {
  const policy = cockatielCircuitBreaker(handleWhen(options.shouldCount ?? isDependencyFailure), {
    breaker: makeBreaker(options.breaker),
    halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
    ...(options.halfOpenSampling ? { halfOpenSampling: options.halfOpenSampling } : {}),
    ...(options.initialState !== undefined ? { initialState: options.initialState } : {}),
  });
  const events = options.events;
  if (events) {
    const name = options.name ?? 'circuit-breaker';
    policy.onStateChange((state) =>
      events.emitBreakerState({ policy: name, state: stateNames[state] }),
    );
  }
  return policy;
}

export {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  IsolatedCircuitError,
} from 'cockatiel';
