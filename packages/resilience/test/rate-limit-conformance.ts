/**
 * What every RateLimiter must do, as fast-check properties over any sequence of takes at any
 * times. Run against the memory limiter and the Redis one (rate-limit.test.ts), so the two agree
 * by construction. A limiter under test reads its clock from `clock.now` (ms).
 */
import type { RateLimitDecision, RateLimiter, TokenBucketOptions } from '@mystira/resilience';
import fc from 'fast-check';
import { expect, it } from 'vitest';

export interface Clock {
  now: number;
}

/**
 * Simulated clocks start at a Unix time in ms, so µs values have the 16 digits Redis TIME gives
 * (a script that stored them with Lua's 14-digit tostring() would fail here).
 */
export const epoch = 1_760_000_000_000;

/** Builds a fresh limiter (its own keys) that reads the time from `clock.now`. */
export type LimiterFactory = (options: TokenBucketOptions, clock: Clock) => RateLimiter;

export const bucketOptions: fc.Arbitrary<TokenBucketOptions> = fc.record({
  capacity: fc.integer({ min: 1, max: 12 }),
  refillPerSecond: fc.oneof(
    fc.constantFrom(0.5, 1, 3, 7, 10, 1000),
    fc.double({ min: 0.01, max: 5000, noNaN: true }),
  ),
});

export interface Step {
  /** ms since the previous take. */
  dt: number;
  key: number;
  /** Fraction of the capacity to take; 0 and fractional costs included. */
  share: number;
}

export const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.record({
    dt: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 50 }),
      fc.integer({ min: 0, max: 5000 }),
    ),
    key: fc.integer({ min: 0, max: 2 }),
    share: fc.oneof(fc.constant(1 / 12), fc.double({ min: 0, max: 1, noNaN: true })),
  }),
  { minLength: 1, maxLength: 40 },
);

/** The cost a step takes: whole tokens mostly, fractions sometimes. */
export const costOf = (step: Step, capacity: number) =>
  step.share < 0.5 ? Math.max(1, Math.round(step.share * capacity)) : step.share * capacity;

export interface Taken {
  t: number;
  key: number;
  cost: number;
  decision: RateLimitDecision;
}

export async function replay(limiter: RateLimiter, clock: Clock, capacity: number, seq: Step[]) {
  const taken: Taken[] = [];
  for (const step of seq) {
    clock.now += step.dt;
    const cost = costOf(step, capacity);
    taken.push({
      t: clock.now,
      key: step.key,
      cost,
      decision: await limiter.take(`k${step.key}`, cost),
    });
  }
  return taken;
}

export function rateLimiterConformance(make: LimiterFactory, numRuns: number) {
  it('never lets more through in any window than capacity + refill × elapsed', async () => {
    await fc.assert(
      fc.asyncProperty(bucketOptions, steps, async (options, seq) => {
        const clock = { now: epoch };
        const taken = await replay(make(options, clock), clock, options.capacity, seq);
        for (let i = 0; i < taken.length; i++) {
          const first = taken[i] as Taken;
          let sum = 0;
          for (let j = i; j < taken.length; j++) {
            const last = taken[j] as Taken;
            if (last.key !== first.key || !last.decision.allowed) continue;
            sum += last.cost;
            const bound = options.capacity + (options.refillPerSecond * (last.t - first.t)) / 1000;
            expect(sum).toBeLessThanOrEqual(bound + 1e-9);
          }
        }
      }),
      { numRuns },
    );
  });

  it('answers refusals with an exact retryAfterMs: one ms earlier is refused, then it is allowed', async () => {
    await fc.assert(
      fc.asyncProperty(
        bucketOptions,
        steps,
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        async (options, seq, share) => {
          const clock = { now: epoch };
          const limiter = make(options, clock);
          await replay(limiter, clock, options.capacity, seq);
          const cost = Math.max(1, Math.floor(share * options.capacity));
          let refusal: RateLimitDecision | undefined;
          for (let i = 0; i <= options.capacity + 1 && !refusal; i++) {
            const d = await limiter.take('k0', cost);
            if (!d.allowed) refusal = d;
          }
          expect(refusal).toBeDefined();
          const wait = refusal?.retryAfterMs ?? 0;
          expect(refusal).toMatchObject({ allowed: false, remaining: 0, limit: options.capacity });
          expect(wait).toBeGreaterThan(0);
          const start = clock.now;
          clock.now = start + wait - 1;
          expect((await limiter.take('k0', cost)).allowed).toBe(false);
          clock.now = start + wait;
          expect(await limiter.take('k0', cost)).toMatchObject({ allowed: true, retryAfterMs: 0 });
        },
      ),
      { numRuns },
    );
  });

  it('reports remaining exactly: that many more takes of 1 now succeed, the next does not', async () => {
    await fc.assert(
      fc.asyncProperty(bucketOptions, steps, async (options, seq) => {
        const clock = { now: epoch };
        const limiter = make(options, clock);
        const taken = await replay(limiter, clock, options.capacity, seq);
        const last = taken.at(-1) as Taken;
        if (!last.decision.allowed) return;
        const key = `k${last.key}`;
        for (let i = 0; i < last.decision.remaining; i++) {
          expect(await limiter.take(key)).toMatchObject({
            allowed: true,
            remaining: last.decision.remaining - i - 1,
          });
        }
        expect((await limiter.take(key)).allowed).toBe(false);
      }),
      { numRuns },
    );
  });

  it('refills: a key left alone for capacity / refillPerSecond has a full bucket again', async () => {
    await fc.assert(
      fc.asyncProperty(bucketOptions, steps, async (options, seq) => {
        const clock = { now: epoch };
        const limiter = make(options, clock);
        await replay(limiter, clock, options.capacity, seq);
        clock.now += Math.ceil((options.capacity / options.refillPerSecond) * 1000) + 1;
        expect(await limiter.take('k1', options.capacity)).toEqual({
          allowed: true,
          remaining: 0,
          retryAfterMs: 0,
          limit: options.capacity,
        });
      }),
      { numRuns },
    );
  });

  it('keeps keys apart, and a clock that steps back refills nothing', async () => {
    const clock = { now: epoch };
    const limiter = make({ capacity: 2, refillPerSecond: 1 }, clock);
    await limiter.take('a', 2);
    expect((await limiter.take('b', 2)).allowed).toBe(true);
    expect(await limiter.take('a')).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 1000,
      limit: 2,
    });
    clock.now -= 60_000;
    expect(await limiter.take('a')).toMatchObject({ allowed: false, retryAfterMs: 61_000 });
  });

  it('handles fractional refills and costs', async () => {
    const clock = { now: epoch };
    const limiter = make({ capacity: 1, refillPerSecond: 0.5 }, clock); // a token every 2 s
    expect((await limiter.take('a')).allowed).toBe(true);
    clock.now += 1000; // half a token back
    expect(await limiter.take('a')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect(await limiter.take('a', 0.5)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.take('a', 0.25)).toMatchObject({ allowed: false, retryAfterMs: 500 });
    expect(await limiter.take('a', 0)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('rejects a cost no bucket can hold (RangeError), a key that is no string (TypeError) and an aborted signal (its reason)', async () => {
    const clock = { now: epoch };
    const limiter = make({ capacity: 3, refillPerSecond: 1 }, clock);
    await expect(limiter.take('a', 4)).rejects.toBeInstanceOf(RangeError);
    await expect(limiter.take('a', -1)).rejects.toBeInstanceOf(RangeError);
    await expect(limiter.take('a', Number.NaN)).rejects.toBeInstanceOf(RangeError);
    await expect(limiter.take(undefined as unknown as string)).rejects.toBeInstanceOf(TypeError);
    const reason = new Error('caller gone');
    await expect(limiter.take('a', 1, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect((await limiter.take('a', 3)).allowed).toBe(true); // none of the above took anything
  });
}
