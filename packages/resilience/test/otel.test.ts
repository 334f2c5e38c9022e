import { circuitBreaker, ResilienceEvents, retry } from '@mystira/resilience';
import { bridgeToOpenTelemetry } from '@mystira/resilience/otel';
import type { Attributes, Counter, Meter, Span } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { otelRecorder } from '../../../test-support/otel-recorder.js';

/** Records what the bridge sends, through the @opentelemetry/api interfaces. */
function recordingTelemetry() {
  const counts: Attributes[] = [];
  const spanEvents: Array<{ name: string; attributes?: Attributes }> = [];
  const counter = {
    add: (_n: number, attributes?: Attributes) => counts.push(attributes ?? {}),
  } as Counter;
  const gauge = { addCallback: () => {}, removeCallback: () => {} };
  const meter = {
    createCounter: () => counter,
    createObservableGauge: () => gauge,
  } as unknown as Meter;
  const span = {
    addEvent: (name: string, attributes?: Attributes) => {
      spanEvents.push({ name, attributes });
      return span;
    },
  } as unknown as Span;
  return { counts, spanEvents, meter, span };
}

describe('OpenTelemetry bridge', () => {
  it('turns retries and breaker changes into span events and counter increments', async () => {
    const events = new ResilienceEvents();
    const t = recordingTelemetry();
    const bridge = bridgeToOpenTelemetry(events, { meter: t.meter, activeSpan: () => t.span });

    const failing = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const policy = retry({
      maxAttempts: 2,
      initialDelayMs: 1,
      idempotent: true,
      events,
      name: 'orders-db',
    });
    await expect(policy.execute(() => Promise.reject(failing))).rejects.toBe(failing);
    const breaker = circuitBreaker({ breaker: { consecutive: 1 }, events, name: 'chain' });
    await breaker.execute(() => Promise.reject(failing)).catch(() => {});

    expect(t.spanEvents.map((e) => e.name)).toEqual([
      'resilience.retry',
      'resilience.give_up',
      'resilience.breaker',
    ]);
    expect(t.spanEvents[0]?.attributes).toMatchObject({
      'resilience.policy': 'orders-db',
      'resilience.attempt': 1,
      'resilience.server_hint': false,
      'error.type': 'Error',
    });
    expect(t.spanEvents[2]?.attributes).toMatchObject({
      'resilience.policy': 'chain',
      'resilience.state': 'open',
    });
    expect(t.counts).toEqual([
      { 'resilience.event': 'retry', 'resilience.policy': 'orders-db' },
      { 'resilience.event': 'give_up', 'resilience.policy': 'orders-db' },
      { 'resilience.event': 'breaker', 'resilience.policy': 'chain' },
    ]);

    bridge.dispose();
    await policy.execute(() => Promise.reject(failing)).catch(() => {});
    expect(t.counts).toHaveLength(3);
  });

  it('works with the no-op global API when no SDK is registered', async () => {
    const events = new ResilienceEvents();
    const bridge = bridgeToOpenTelemetry(events);
    const policy = retry({ maxAttempts: 2, initialDelayMs: 1, idempotent: true, events });
    await expect(
      policy.execute(({ attempt }) =>
        attempt === 0
          ? Promise.reject(Object.assign(new Error('x'), { code: 'ECONNRESET' }))
          : 'ok',
      ),
    ).resolves.toBe('ok');
    bridge.dispose();
  });

  it('reports breaker state as a gauge: 0 closed, 2 open, 1 half-open, back to 0', async () => {
    const otel = otelRecorder();
    const events = new ResilienceEvents();
    const failing = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const db = circuitBreaker({
      breaker: { consecutive: 2 },
      halfOpenAfterMs: 50,
      events,
      name: 'orders-db',
    });
    // `chain` is only heard through events; `orders-db` is also passed in, so it reports at once.
    const chain = circuitBreaker({ breaker: { consecutive: 1 }, events, name: 'chain' });
    const bridge = bridgeToOpenTelemetry(events, {
      meter: otel.meter,
      breakers: { 'orders-db': db },
    });
    const state = async () =>
      Object.fromEntries(
        (await otel.points('resilience.breaker.state')).map((p) => [
          p.attributes['resilience.policy'],
          p.value,
        ]),
      );
    expect(await state()).toEqual({ 'orders-db': 0 });
    for (let i = 0; i < 2; i++) await db.execute(() => Promise.reject(failing)).catch(() => {});
    await chain.execute(() => Promise.reject(failing)).catch(() => {});
    expect(await state()).toEqual({ 'orders-db': 2, chain: 2 });
    await new Promise((r) => setTimeout(r, 80));
    let probing!: () => void;
    const probe = db.execute(() => new Promise<void>((r) => (probing = r)));
    expect((await state())['orders-db']).toBe(1);
    probing();
    await probe;
    expect((await state())['orders-db']).toBe(0);
    bridge.dispose();
    await otel.shutdown();
  });
});
