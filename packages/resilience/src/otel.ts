import { type Attributes, type Meter, metrics, type Span, trace } from '@opentelemetry/api';
import type { IDisposable } from 'cockatiel';
import type { ResilienceEvents } from './events.js';

export interface OpenTelemetryBridgeOptions {
  /** Where counters go. Default `metrics.getMeter('@mystira/resilience')`. */
  meter?: Meter;
  /** The span that gets events. Default the active span (`trace.getActiveSpan()`). */
  activeSpan?: () => Span | undefined;
}

/**
 * Forwards resilience events to OpenTelemetry: each event becomes a span event on the active span
 * (`resilience.retry`, `resilience.breaker`, ...) and a count on the
 * `resilience.events` counter with `resilience.event` and `resilience.policy` attributes. With no
 * OpenTelemetry SDK registered, the API is a no-op. Returns a disposable that unsubscribes.
 */
export function bridgeToOpenTelemetry(
  events: ResilienceEvents,
  options: OpenTelemetryBridgeOptions = {},
): IDisposable {
  const meter = options.meter ?? metrics.getMeter('@mystira/resilience');
  const activeSpan = options.activeSpan ?? (() => trace.getActiveSpan());
  const counter = meter.createCounter('resilience.events', {
    description: 'Retries, breaker state changes, timeouts, hedges and bulkhead rejections',
  });
  const record = (event: string, policy: string, attributes: Attributes = {}) => {
    counter.add(1, { 'resilience.event': event, 'resilience.policy': policy });
    activeSpan()?.addEvent(`resilience.${event}`, { 'resilience.policy': policy, ...attributes });
  };
  const errorName = (error: unknown) => (error instanceof Error ? error.name : typeof error);
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
    events.onBreakerStateChange((e) =>
      record('breaker', e.policy, { 'resilience.state': e.state }),
    ),
    events.onTimeout((e) => record('timeout', e.policy, { 'resilience.timeout_ms': e.timeoutMs })),
    events.onHedgeFired((e) =>
      record('hedge', e.policy, {
        'resilience.attempt': e.attempt,
        'resilience.delay_ms': e.delayMs,
      }),
    ),
    events.onBulkheadRejected((e) => record('bulkhead_rejected', e.policy)),
  ];
  return {
    dispose() {
      for (const s of subscriptions) s.dispose();
    },
  };
}
