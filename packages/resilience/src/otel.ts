/**
 * @mystira/resilience/otel: the resilience events in OpenTelemetry. A separate entry because
 * `@opentelemetry/api` is an optional peer dependency: the main entry never imports it.
 * `bridgeToOpenTelemetry(events)` turns every event into a span event and a count, and reports the
 * breakers' states as a gauge.
 *
 * @packageDocumentation
 */
import {
  type Attributes,
  type Meter,
  metrics,
  type ObservableResult,
  type Span,
  trace,
} from '@opentelemetry/api';
import { type CircuitBreakerPolicy, CircuitState, type IDisposable } from 'cockatiel';
import type { BreakerState, ResilienceEvents } from './events.js';

/** Options of {@link bridgeToOpenTelemetry}. */
export interface OpenTelemetryBridgeOptions {
  /** Where counters go. Default `metrics.getMeter('@mystira/resilience')`. */
  meter?: Meter;
  /** The span that gets events. Default the active span (`trace.getActiveSpan()`). */
  activeSpan?: () => Span | undefined;
  /**
   * Breakers whose state the `resilience.breaker.state` gauge reports from the start, by policy
   * name (the `name` option they were built with). Without this, a breaker appears in the gauge
   * at its first state change.
   */
  breakers?: Record<string, CircuitBreakerPolicy>;
}

/** `resilience.breaker.state` values: 0 closed, 1 half-open, 2 open (isolated counts as open). */
const gaugeValue: Record<BreakerState, number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
  isolated: 2,
};
const cockatielStates: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * Forwards resilience events to OpenTelemetry: each event becomes a span event on the active span
 * (`resilience.retry`, `resilience.breaker`, `resilience.rate_limited` ...) and a count on the
 * `resilience.events` counter with `resilience.event` and `resilience.policy` attributes; the
 * observable gauge `resilience.breaker.state` reports each breaker's state (0 closed, 1 half-open,
 * 2 open) by `resilience.policy`, read at collection time, so it costs nothing between exports.
 * With no OpenTelemetry SDK registered, the API is a no-op. Returns a disposable that
 * unsubscribes.
 */
export function bridgeToOpenTelemetry(
  events: ResilienceEvents,
  options: OpenTelemetryBridgeOptions = {},
): IDisposable {
  const meter = options.meter ?? metrics.getMeter('@mystira/resilience');
  const activeSpan = options.activeSpan ?? (() => trace.getActiveSpan());
  const counter = meter.createCounter('resilience.events', {
    description:
      'Retries, breaker state changes, timeouts, hedges, bulkhead rejections and rate limiting',
  });
  const record = (event: string, policy: string, attributes: Attributes = {}) => {
    counter.add(1, { 'resilience.event': event, 'resilience.policy': policy });
    activeSpan()?.addEvent(`resilience.${event}`, { 'resilience.policy': policy, ...attributes });
  };
  const errorName = (error: unknown) => (error instanceof Error ? error.name : typeof error);
  // Last state heard per policy; breakers passed in `options.breakers` are read live instead.
  const heard = new Map<string, BreakerState>();
  const known = options.breakers ?? {};
  const breakerGauge = meter.createObservableGauge('resilience.breaker.state', {
    description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
  });
  const observeBreakers = (result: ObservableResult) => {
    for (const [policy, breaker] of Object.entries(known))
      result.observe(gaugeValue[cockatielStates[breaker.state]], { 'resilience.policy': policy });
    for (const [policy, state] of heard)
      if (!(policy in known)) result.observe(gaugeValue[state], { 'resilience.policy': policy });
  };
  breakerGauge.addCallback(observeBreakers);
  const subscriptions = [
    events.onRetryScheduled((e) =>
      record('retry', e.policy, {
        'resilience.attempt': e.attempt,
        'resilience.delay_ms': e.delayMs,
        'resilience.server_hint': e.fromServerHint,
        'error.type': errorName(e.error),
      }),
    ),
    events.onGiveUp((e) =>
      record('give_up', e.policy, {
        'resilience.attempts': e.attempts,
        'resilience.reason': e.reason,
      }),
    ),
    events.onBreakerStateChange((e) => {
      heard.set(e.policy, e.state);
      record('breaker', e.policy, { 'resilience.state': e.state });
    }),
    events.onTimeout((e) => record('timeout', e.policy, { 'resilience.timeout_ms': e.timeoutMs })),
    events.onHedgeFired((e) =>
      record('hedge', e.policy, {
        'resilience.attempt': e.attempt,
        'resilience.delay_ms': e.delayMs,
      }),
    ),
    events.onBulkheadRejected((e) => record('bulkhead_rejected', e.policy)),
    // The bucket's key (a caller id, an IP) stays out: unbounded cardinality, and personal data.
    events.onRateLimited((e) =>
      record('rate_limited', e.policy, { 'resilience.retry_after_ms': e.retryAfterMs }),
    ),
    events.onRateLimitStoreError((e) =>
      record('rate_limit_store_error', e.policy, {
        'resilience.outcome': e.outcome,
        'error.type': errorName(e.error),
      }),
    ),
  ];
  return {
    dispose() {
      for (const s of subscriptions) s.dispose();
      breakerGauge.removeCallback(observeBreakers);
    },
  };
}
