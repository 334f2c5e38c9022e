import {
  ExponentialBackoff,
  type GiveUpEvent,
  ResilienceEvents,
  type RetryScheduledEvent,
  retry,
} from '@mystira/resilience';
import { noJitterGenerator } from 'cockatiel';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const unavailable = () =>
  Object.assign(new Error('unavailable'), {
    name: 'ConnectError',
    code: 14,
    rawMessage: 'u',
    metadata: new Headers(),
  });
const withPushback = (ms: number) =>
  Object.assign(new Error('exhausted'), {
    name: 'ConnectError',
    code: 8,
    rawMessage: 'e',
    metadata: new Headers({ 'grpc-retry-pushback-ms': String(ms) }),
  });

function recorder() {
  const events = new ResilienceEvents();
  const scheduled: RetryScheduledEvent[] = [];
  const gaveUp: GiveUpEvent[] = [];
  const attempts: number[] = [];
  events.onRetryScheduled((e) => scheduled.push(e));
  events.onGiveUp((e) => gaveUp.push(e));
  events.onAttempt((e) => attempts.push(e.attempt));
  return { events, scheduled, gaveUp, attempts };
}

/** Runs `fn` through the policy with fake timers, returning the outcome and the call times. */
async function runFaked<T>(execute: (fn: () => T) => Promise<T>, fn: () => T) {
  const start = Date.now();
  const times: number[] = [];
  const promise = execute(() => {
    times.push(Date.now() - start);
    return fn();
  });
  const settled = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return { ...(await settled), times };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('retry', () => {
  it('follows the backoff sequence exactly (no-jitter generator) and stops at maxAttempts', async () => {
    const r = recorder();
    const policy = retry({
      maxAttempts: 4,
      idempotent: true,
      backoff: new ExponentialBackoff({
        generator: noJitterGenerator,
        initialDelay: 100,
        maxDelay: 250,
      }),
      now: () => Date.now(),
      events: r.events,
    });
    const out = await runFaked(
      (fn) => policy.execute(fn),
      () => {
        throw unavailable();
      },
    );
    expect(out).toMatchObject({ error: { message: 'unavailable' } });
    expect(r.scheduled.map((e) => e.delayMs)).toEqual([100, 200, 250]);
    expect(out.times).toEqual([0, 100, 300, 550]);
    expect(r.attempts).toEqual([0, 1, 2, 3]);
    expect(r.gaveUp).toMatchObject([{ reason: 'max-attempts', attempts: 4 }]);
  });

  it('keeps decorrelated-jitter delays within their bounds for any random draw', async () => {
    // cockatiel's decorrelated jitter (Polly's V2): with t = attempt + random, the curve is
    // f(t) = 2^t * tanh(sqrt(4t)) and the delay is the increase over the previous point, scaled
    // by initialDelay / 1.4 and capped by maxDelay. So retry i waits between 0 and
    // (f(i + 1) - f(i - 1)) * initialDelay / 1.4 (f(-1) = 0).
    const f = (t: number) => (t <= 0 ? 0 : 2 ** t * Math.tanh(Math.sqrt(4 * t)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 5, maxLength: 5 }),
        async (draws) => {
          let i = 0;
          vi.spyOn(Math, 'random').mockImplementation(() => draws[i++ % draws.length] ?? 0);
          const r = recorder();
          const policy = retry({
            maxAttempts: 6,
            idempotent: true,
            initialDelayMs: 100,
            maxDelayMs: 5000,
            budgetMs: 1e9,
            events: r.events,
          });
          await runFaked(
            (fn) => policy.execute(fn),
            () => {
              throw unavailable();
            },
          );
          expect(r.scheduled).toHaveLength(5);
          r.scheduled.forEach((e, k) => {
            const upper = Math.min(5000, ((f(k + 1) - f(k - 1)) * 100) / 1.4);
            expect(e.delayMs).toBeGreaterThanOrEqual(0);
            expect(e.delayMs).toBeLessThanOrEqual(upper + 1e-9);
          });
          vi.restoreAllMocks();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('returns the first success', async () => {
    let calls = 0;
    const policy = retry({ idempotent: true, initialDelayMs: 10 });
    const out = await runFaked(
      (fn) => policy.execute(fn),
      () => {
        if (++calls < 3) throw unavailable();
        return 'ok';
      },
    );
    expect(out).toMatchObject({ value: 'ok' });
    expect(calls).toBe(3);
  });

  it('waits exactly what the server hint says (gRPC pushback) instead of its own backoff', async () => {
    const r = recorder();
    const policy = retry({
      idempotent: true,
      maxAttempts: 3,
      now: () => Date.now(),
      events: r.events,
    });
    const out = await runFaked(
      (fn) => policy.execute(fn),
      () => {
        throw withPushback(700);
      },
    );
    expect(out.times).toEqual([0, 700, 1400]);
    expect(r.scheduled.every((e) => e.fromServerHint && e.delayMs === 700)).toBe(true);
  });

  it('honours Cosmos retry-after on 429', async () => {
    const throttled = () =>
      Object.assign(new Error('throttled'), { code: 429, retryAfterInMs: 320 });
    const policy = retry({ maxAttempts: 2, idempotencyKey: 'create-42', now: () => Date.now() });
    const out = await runFaked(
      (fn) => policy.execute(fn),
      () => {
        throw throttled();
      },
    );
    expect(out.times).toEqual([0, 320]);
  });

  it('gives up when the next delay would overrun the time budget', async () => {
    const r = recorder();
    const policy = retry({
      idempotent: true,
      maxAttempts: 10,
      budgetMs: 1000,
      now: () => Date.now(),
      events: r.events,
    });
    const out = await runFaked(
      (fn) => policy.execute(fn),
      () => {
        throw withPushback(600);
      },
    );
    expect(out.times).toEqual([0, 600]);
    expect(r.gaveUp).toMatchObject([{ reason: 'budget', attempts: 2 }]);
    expect(out).toMatchObject({ error: { message: 'exhausted' } });
  });

  it('gives up at once when a server hint exceeds maxServerDelayMs', async () => {
    const policy = retry({ idempotent: true, maxServerDelayMs: 1000 });
    const out = await runFaked(
      (fn) => policy.execute(fn),
      () => {
        throw withPushback(5000);
      },
    );
    expect(out.times).toEqual([0]);
  });

  it('does not retry non-transient errors or non-idempotent calls', async () => {
    const r = recorder();
    const invalid = Object.assign(new Error('bad'), {
      name: 'ConnectError',
      code: 3,
      rawMessage: 'bad',
    });
    const a = await runFaked(
      (fn) => retry({ idempotent: true, events: r.events }).execute(fn),
      () => {
        throw invalid;
      },
    );
    expect(a.times).toEqual([0]);
    expect(a).toMatchObject({ error: invalid });
    const b = await runFaked(
      (fn) => retry({ idempotent: false }).execute(fn),
      () => {
        throw unavailable();
      },
    );
    expect(b.times).toEqual([0]);
    expect(r.gaveUp).toMatchObject([{ reason: 'not-transient' }]);
  });

  it('retries what a custom shouldRetry says, with the attempt number', async () => {
    const seen: number[] = [];
    const policy = retry({
      maxAttempts: 5,
      initialDelayMs: 1,
      shouldRetry: (_e, ctx) => {
        seen.push(ctx.attempt);
        return ctx.attempt < 2;
      },
    });
    const out = await runFaked(
      (fn) => policy.execute(fn),
      () => {
        throw new Error('custom');
      },
    );
    expect(out.times).toHaveLength(3);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('rejects at once when aborted during a backoff delay, and starts no further try', async () => {
    const controller = new AbortController();
    let calls = 0;
    const policy = retry({ idempotent: true, maxAttempts: 5 });
    const promise = policy.execute(() => {
      calls++;
      throw withPushback(10_000);
    }, controller.signal);
    const settled = promise.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('caller gave up'));
    expect(await settled).toMatchObject({ message: 'caller gave up' });
    await vi.runAllTimersAsync();
    expect(calls).toBe(1);
  });

  it('rejects at once when aborted during the first try, even if the call ignores the signal', async () => {
    const controller = new AbortController();
    const policy = retry({ idempotent: true });
    const settled = policy
      .execute(() => new Promise(() => {}), controller.signal)
      .catch((e: unknown) => e);
    controller.abort(new Error('stop'));
    expect(await settled).toMatchObject({ message: 'stop' });
  });

  it('passes the signal and the attempt number to the function', async () => {
    const seen: Array<[number, boolean]> = [];
    const policy = retry({ idempotent: true, initialDelayMs: 1 });
    await runFaked(
      (fn) => policy.execute(fn),
      () => {
        throw unavailable();
      },
    );
    const controller = new AbortController();
    const out = policy.execute(({ signal, attempt }) => {
      seen.push([attempt, signal instanceof AbortSignal]);
      if (attempt === 0) throw unavailable();
      return attempt;
    }, controller.signal);
    await vi.runAllTimersAsync();
    expect(await out).toBe(1);
    expect(seen).toEqual([
      [0, true],
      [1, true],
    ]);
  });

  it('rejects invalid options', () => {
    expect(() => retry({ maxAttempts: 0 })).toThrow(RangeError);
  });
});
