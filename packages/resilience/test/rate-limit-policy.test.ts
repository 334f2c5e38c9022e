/**
 * `rateLimit()`: the limiter as a policy (runs the call or throws RateLimitExceededError), how the
 * classifiers treat that error, and the limiter's events through the OpenTelemetry bridge.
 */
import {
  circuitBreaker,
  isDependencyFailure,
  isTransient,
  memoryRateLimiter,
  RateLimitExceededError,
  ResilienceEvents,
  rateLimit,
  retryAfterMs,
  wrap,
} from '@mystira/resilience';
import { bridgeToOpenTelemetry } from '@mystira/resilience/otel';
import type { Attributes, Counter, Meter } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

const limiterAt = (clock: { now: number }, capacity = 2) =>
  memoryRateLimiter({ capacity, refillPerSecond: 1, now: () => clock.now });

describe('rateLimit()', () => {
  it('runs the call while there are tokens, then throws RateLimitExceededError', async () => {
    const clock = { now: 0 };
    const policy = rateLimit(limiterAt(clock), { key: 'payments-api' });
    const remaining: number[] = [];
    for (let i = 0; i < 2; i++)
      await policy.execute(({ decision }) => remaining.push(decision.remaining));
    expect(remaining).toEqual([1, 0]);
    let ran = false;
    const error = await policy
      .execute(() => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(RateLimitExceededError);
    expect(error).toMatchObject({ key: 'payments-api', retryAfterMs: 1000, limit: 2 });
    expect((error as Error).message).not.toContain('payments-api');
    clock.now += 1000;
    await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
  });

  it('limits each caller on its own with executeFor', async () => {
    const policy = rateLimit(limiterAt({ now: 0 }, 1));
    await expect(policy.executeFor('alice', () => 1)).resolves.toBe(1);
    await expect(policy.executeFor('alice', () => 1)).rejects.toMatchObject({ key: 'alice' });
    await expect(policy.executeFor('bob', () => 2)).resolves.toBe(2);
  });

  it('passes the call its signal and lets its errors through; composes with wrap()', async () => {
    const policy = rateLimit(limiterAt({ now: 0 }, 5), { cost: 2 });
    const failures: boolean[] = [];
    policy.onFailure((e) => failures.push(e.handled));
    const controller = new AbortController();
    await expect(
      policy.execute(({ signal }) => signal === controller.signal, controller.signal),
    ).resolves.toBe(true);
    const boom = new Error('boom');
    await expect(
      policy.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(policy.execute(() => 0)).rejects.toBeInstanceOf(RateLimitExceededError);
    expect(failures).toEqual([false, true]);

    // A refusal is the caller's excess, not a sick dependency: the breaker does not count it.
    const breaker = circuitBreaker({ breaker: { consecutive: 1 } });
    const guarded = wrap(breaker, rateLimit(limiterAt({ now: 0 }, 1)));
    await guarded.execute(() => 1);
    await expect(guarded.execute(() => 1)).rejects.toBeInstanceOf(RateLimitExceededError);
    await expect(guarded.execute(() => 1)).rejects.toBeInstanceOf(RateLimitExceededError);
  });

  it('is never transient, never a dependency failure, and carries its retry hint', () => {
    const error = new RateLimitExceededError('k', 250, 10);
    expect(isTransient(error, { idempotent: true })).toBe(false);
    expect(isDependencyFailure(error)).toBe(false);
    expect(retryAfterMs(error)).toBe(250);
  });
});

describe('rate-limit events through the OpenTelemetry bridge', () => {
  it('counts refusals and store errors without the key', async () => {
    const counts: Attributes[] = [];
    const meter = {
      createCounter: () =>
        ({ add: (_n: number, a?: Attributes) => counts.push(a ?? {}) }) as Counter,
      createObservableGauge: () => ({ addCallback: () => {}, removeCallback: () => {} }),
    } as unknown as Meter;
    const events = new ResilienceEvents();
    const bridge = bridgeToOpenTelemetry(events, { meter, activeSpan: () => undefined });
    const limiter = memoryRateLimiter({ capacity: 1, refillPerSecond: 1, events, name: 'api' });
    await limiter.take('alice@example.com');
    await limiter.take('alice@example.com');
    events.emitRateLimitStoreError({
      policy: 'api',
      key: 'x',
      error: new Error('down'),
      outcome: 'allowed',
    });
    bridge.dispose();
    expect(counts).toEqual([
      { 'resilience.event': 'rate_limited', 'resilience.policy': 'api' },
      { 'resilience.event': 'rate_limit_store_error', 'resilience.policy': 'api' },
    ]);
    expect(JSON.stringify(counts)).not.toContain('alice');
  });
});
