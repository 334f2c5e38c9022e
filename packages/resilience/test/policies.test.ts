import {
  type BreakerState,
  BrokenCircuitError,
  BulkheadRejectedError,
  breakerState,
  bulkhead,
  circuitBreaker,
  fallback,
  pipeline,
  ResilienceEvents,
  TaskCancelledError,
  TimeoutError,
  timeout,
} from '@mystira/resilience';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const unavailable = () =>
  Object.assign(new Error('unavailable'), { name: 'ConnectError', code: 14, rawMessage: 'u' });
const invalid = () =>
  Object.assign(new Error('invalid'), { name: 'ConnectError', code: 3, rawMessage: 'i' });
const fail = (err: Error) => () => {
  throw err;
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('circuitBreaker', () => {
  it('opens after consecutive failures, half-opens after the delay, closes on a good probe', async () => {
    const events = new ResilienceEvents();
    const states: BreakerState[] = [];
    events.onBreakerStateChange((e) => states.push(e.state));
    const breaker = circuitBreaker({ breaker: { consecutive: 3 }, halfOpenAfterMs: 1000, events });

    for (let i = 0; i < 3; i++)
      await expect(breaker.execute(fail(unavailable()))).rejects.toThrow('unavailable');
    expect(breakerState(breaker)).toBe('open');
    const calls = vi.fn(() => 'ok');
    await expect(breaker.execute(calls)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(calls).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(1000);
    // The first call after the delay is the half-open probe; it fails, so the breaker re-opens.
    await expect(breaker.execute(fail(unavailable()))).rejects.toThrow('unavailable');
    expect(breakerState(breaker)).toBe('open');

    await vi.advanceTimersByTimeAsync(1000);
    await expect(breaker.execute(calls)).resolves.toBe('ok');
    expect(breakerState(breaker)).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('does not count caller mistakes (INVALID_ARGUMENT) as failures', async () => {
    const breaker = circuitBreaker({ breaker: { consecutive: 2 } });
    for (let i = 0; i < 5; i++)
      await expect(breaker.execute(fail(invalid()))).rejects.toThrow('invalid');
    expect(breakerState(breaker)).toBe('closed');
  });

  it('opens a sampling breaker when the failure ratio over the window passes the threshold', async () => {
    const breaker = circuitBreaker({
      breaker: { sampling: { threshold: 0.5, durationMs: 10_000, minimumRps: 1 } },
      halfOpenAfterMs: 5000,
    });
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(100);
      await breaker.execute(i % 3 === 0 ? fail(unavailable()) : () => 'ok').catch(() => {});
    }
    expect(breakerState(breaker)).toBe('closed');
    for (let i = 0; i < 30 && breakerState(breaker) === 'closed'; i++) {
      await vi.advanceTimersByTimeAsync(100);
      await breaker.execute(fail(unavailable())).catch(() => {});
    }
    expect(breakerState(breaker)).toBe('open');
  });

  it('probes with several calls when halfOpenSampling asks for it', async () => {
    const breaker = circuitBreaker({
      breaker: { consecutive: 1 },
      halfOpenAfterMs: 100,
      halfOpenSampling: { calls: 2, threshold: 0 },
    });
    await breaker.execute(fail(unavailable())).catch(() => {});
    await vi.advanceTimersByTimeAsync(100);
    await breaker.execute(() => 1);
    expect(breakerState(breaker)).toBe('half-open');
    await breaker.execute(() => 2);
    expect(breakerState(breaker)).toBe('closed');
  });
});

describe('bulkhead', () => {
  it('runs up to limit, queues up to queue, and rejects the rest', async () => {
    const events = new ResilienceEvents();
    let rejected = 0;
    events.onBulkheadRejected(() => rejected++);
    const policy = bulkhead({ limit: 2, queue: 1, events });
    const gates: Array<() => void> = [];
    const slow = () => new Promise<void>((resolve) => gates.push(resolve));
    const running = [policy.execute(slow), policy.execute(slow), policy.execute(slow)];
    await expect(policy.execute(slow)).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(rejected).toBe(1);
    expect(gates).toHaveLength(2);
    gates.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(gates).toHaveLength(2); // the queued call got the freed slot
    for (const g of gates.splice(0)) g();
    await Promise.all(running);
  });
});

describe('timeout', () => {
  it('cooperative: aborts the signal, and the call ends with TimeoutError carrying its own error', async () => {
    const events = new ResilienceEvents();
    const seen: number[] = [];
    events.onTimeout((e) => seen.push(e.timeoutMs));
    const policy = timeout({ ms: 500, events });
    const promise = policy.execute(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('driver aborted'))),
        ),
    );
    const settled = promise.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    const err = await settled;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toBeInstanceOf(TaskCancelledError);
    expect((err as TimeoutError).cause).toMatchObject({ message: 'driver aborted' });
    expect(seen).toEqual([500]);
  });

  it('aggressive: rejects at the deadline even if the call ignores the signal', async () => {
    const policy = timeout({ ms: 200, strategy: 'aggressive' });
    const settled = policy.execute(() => new Promise(() => {})).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(200);
    expect(await settled).toBeInstanceOf(TimeoutError);
  });

  it('passes results and errors of fast calls through, and the caller abort as itself', async () => {
    const policy = timeout(1000);
    await expect(policy.execute(() => 42)).resolves.toBe(42);
    await expect(policy.execute(fail(invalid()))).rejects.toThrow('invalid');
    const controller = new AbortController();
    const settled = policy
      .execute(
        ({ signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        controller.signal,
      )
      .catch((e: unknown) => e);
    controller.abort(new Error('caller'));
    expect(await settled).not.toBeInstanceOf(TimeoutError);
  });
});

describe('fallback', () => {
  it('returns the fallback value (or factory result) on failure', async () => {
    await expect(fallback('stale').execute(fail(unavailable()))).resolves.toBe('stale');
    await expect(
      fallback(() => Promise.resolve('cached')).execute(fail(unavailable())),
    ).resolves.toBe('cached');
    await expect(
      fallback('x', { shouldHandle: () => false }).execute(fail(invalid())),
    ).rejects.toThrow('invalid');
  });
});

describe('pipeline', () => {
  it('with no stage just calls the function', async () => {
    const p = pipeline();
    expect(p.policies).toHaveLength(0);
    await expect(p.execute(() => 7)).resolves.toBe(7);
  });

  it('composes in the documented order: fallback → timeout → retry → hedge → breaker → bulkhead → attemptTimeout', async () => {
    const breaker = circuitBreaker({ breaker: { consecutive: 2 }, halfOpenAfterMs: 60_000 });
    const p = pipeline({
      fallback: { value: 'fallback' },
      timeout: 10_000,
      retry: { idempotent: true, maxAttempts: 5, initialDelayMs: 10 },
      hedge: { delay: 5_000 },
      circuitBreaker: breaker,
      bulkhead: { limit: 4 },
      attemptTimeout: 1000,
    });
    expect(p.policies.map((x) => x.constructor.name)).toEqual([
      'FallbackPolicy',
      'TimeoutPolicy',
      'RetryPolicy',
      'HedgePolicy',
      'CircuitBreakerPolicy',
      'BulkheadPolicy',
      'TimeoutPolicy',
    ]);
    // Two real attempts fail and open the shared breaker; the third retry meets the open breaker,
    // which the retry classifier does not retry, so the fallback answers.
    let calls = 0;
    const settled = p.execute(() => {
      calls++;
      throw unavailable();
    });
    await vi.runAllTimersAsync();
    await expect(settled).resolves.toBe('fallback');
    expect(calls).toBe(2);
    expect(breakerState(breaker)).toBe('open');
  });

  it('retries an attempt that hit the attempt timeout, inside the total timeout', async () => {
    const p = pipeline({
      timeout: 5000,
      retry: {
        idempotent: true,
        maxAttempts: 3,
        initialDelayMs: 10,
        shouldRetry: (e) => e instanceof TimeoutError,
      },
      attemptTimeout: { ms: 100, strategy: 'aggressive' },
    });
    const contexts: Array<number | undefined> = [];
    const settled = p.execute(({ attempt }) => {
      contexts.push(attempt);
      return attempt === 2 ? 'third time lucky' : new Promise(() => {});
    });
    await vi.runAllTimersAsync();
    await expect(settled).resolves.toBe('third time lucky');
    expect(contexts).toEqual([0, 1, 2]);
  });
});
