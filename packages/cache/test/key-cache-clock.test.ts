/**
 * The key cache's timing rules as properties, on the memory store with a controlled clock (the
 * cache's `now`, the store's `now` and the factory timeouts' `timers` are one manual clock;
 * factories finish on timers of the same clock): soft and hard timeouts, fail-safe within grace,
 * eager refresh, sliding expiration.
 */
import { type CacheError, type CacheTimers, keyCache, memoryStore } from '@mystira/cache';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A clock whose time moves only when told, firing due timers in order (ties: first set first). */
class ManualClock implements CacheTimers {
  time = 1_000_000;
  #seq = 0;
  #timers: { at: number; seq: number; fn: () => void }[] = [];

  readonly now = () => this.time;

  setTimeout(fn: () => void, ms: number): unknown {
    const seq = ++this.#seq;
    this.#timers.push({ at: this.time + Math.max(0, ms), seq, fn });
    return seq;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.seq !== handle);
  }

  /** Moves time forward by `ms`, running each due timer and letting promises settle after it. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const due = this.#timers
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** Lets every promise chain that waits on no real timer run to its end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(graceMs: number) {
  const clock = new ManualClock();
  const errors: CacheError[] = [];
  const cache = keyCache({
    store: memoryStore({ now: clock.now }),
    now: clock.now,
    timers: clock,
    ttlMs: 1000,
    jitter: 0,
    graceMs,
    lock: false,
    secondDeleteMs: 0,
    flushRetryMs: 0,
    onError: (e) => errors.push(e),
  });
  /** A factory that settles `ms` later on the clock, with `value` or by throwing `error`. */
  const timed =
    <V>(ms: number, value: V, error?: Error) =>
    () =>
      new Promise<V>((resolve, reject) => {
        clock.setTimeout(() => (error ? reject(error) : resolve(value)), ms);
      });
  return { clock, cache, errors, timed };
}

type Outcome = { value: unknown } | { error: unknown };
const outcomeOf = (p: Promise<unknown>) => {
  const box: { outcome?: Outcome } = {};
  p.then(
    (value) => {
      box.outcome = { value };
    },
    (error) => {
      box.outcome = { error };
    },
  );
  return box;
};

describe('soft and hard timeouts, fail-safe', () => {
  it('each call answers with the first of: the factory, the soft timeout (stale), the hard timeout', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          grace: fc.constantFrom(0, 5000),
          haveOld: fc.boolean(),
          factoryMs: fc.integer({ min: 0, max: 300 }),
          ok: fc.boolean(),
          soft: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
          hard: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
        }),
        async ({ grace, haveOld, factoryMs, ok, soft, hard }) => {
          const { clock, cache, errors, timed } = setup(grace);
          if (haveOld) {
            await cache.set('k', 'old');
            await clock.advance(1500); // past the TTL, within a grace of 5000
          }
          const stale = haveOld && grace > 0;
          const boom = new Error('boom');
          const box = outcomeOf(
            cache.getOrSet('k', timed(factoryMs, 'new', ok ? undefined : boom), {
              softTimeoutMs: soft,
              hardTimeoutMs: hard,
            }),
          );
          await clock.advance(400); // past every timer, before the new value's TTL

          // The model: candidates in time order; at a tie the factory (set first) wins, then soft.
          const candidates: [number, 'factory' | 'soft' | 'hard'][] = [[factoryMs, 'factory']];
          if (stale && soft !== undefined) candidates.push([soft, 'soft']);
          if (hard !== undefined) candidates.push([hard, 'hard']);
          const order = { factory: 0, soft: 1, hard: 2 };
          candidates.sort((a, b) => a[0] - b[0] || order[a[1]] - order[b[1]]);
          const first = candidates[0]![1];
          let expected: Outcome;
          if (first === 'factory')
            expected = ok ? { value: 'new' } : stale ? { value: 'old' } : { error: boom };
          else if (first === 'soft' || stale) expected = { value: 'old' };
          else expected = { error: 'timeout' };

          expect(box.outcome).toBeDefined();
          if ('error' in expected && expected.error === 'timeout') {
            expect((box.outcome as { error: CacheError }).error.code).toBe('TIMEOUT');
          } else {
            expect(box.outcome).toEqual(expected);
          }
          // The factory always ran to its end: its value fills the cache even when nobody
          // waited for it any more; its failure reached the caller or onError.
          expect(await cache.get('k')).toBe(ok ? 'new' : undefined);
          const reported = errors.some((e) => e.code === 'FACTORY');
          const callerGotIt =
            'error' in box.outcome! && (box.outcome as { error: unknown }).error === boom;
          expect(reported).toBe(!ok && !callerGotIt);
          await cache.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a failing factory is answered with the expired value exactly while it is within grace', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 6000 }),
        async (grace, past) => {
          fc.pre(past !== grace);
          const { clock, cache, timed } = setup(grace);
          await cache.set('k', 'old');
          await clock.advance(1000 + past);
          const boom = new Error('boom');
          const box = outcomeOf(cache.getOrSet('k', timed(10, 'new', boom)));
          await clock.advance(20);
          expect(box.outcome).toEqual(past < grace ? { value: 'old' } : { error: boom });
          expect(cache.metrics().graceHits).toBe(past < grace ? 1 : 0);
          await cache.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('eager refresh', () => {
  it('a hit past the threshold answers at once and refreshes once in the background; before it, nothing runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0.5, 0.75),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 1, max: 4 }),
        async (threshold, age, hits) => {
          const { clock, cache, timed } = setup(0);
          await cache.getOrSet('k', async () => 'v1');
          await clock.advance(age);
          let runs = 0;
          const refresh = timed(10, 'v2');
          const factory = () => {
            runs++;
            return refresh();
          };
          const answers = await Promise.all(
            Array.from({ length: hits }, () =>
              cache.getOrSet('k', factory, { eagerRefresh: threshold }),
            ),
          );
          expect(answers).toEqual(Array(hits).fill('v1'));
          await clock.advance(20);
          const due = age >= 1000 * threshold;
          expect(runs).toBe(due ? 1 : 0);
          expect(cache.metrics().refreshes).toBe(due ? 1 : 0);
          expect(await cache.get('k')).toBe(due ? 'v2' : 'v1');
          await cache.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('eager refresh that fails', () => {
  it('keeps the value, reports CacheFactoryError to onError, and tries again on a later hit', async () => {
    const { clock, cache, errors, timed } = setup(0);
    await cache.getOrSet('k', async () => 'v1');
    await clock.advance(900);
    const failing = timed(10, 'never', new Error('down'));
    expect(await cache.getOrSet('k', failing, { eagerRefresh: 0.5 })).toBe('v1');
    await clock.advance(20);
    expect(errors.map((e) => e.code)).toEqual(['FACTORY']);
    expect(await cache.getOrSet('k', timed(10, 'v2'), { eagerRefresh: 0.5 })).toBe('v1');
    await clock.advance(20);
    expect(await cache.get('k')).toBe('v2');
    expect(cache.metrics().refreshes).toBe(2);
    await cache.close();
  });
});

describe('hard timeout without a stale value', () => {
  it('rejects with CacheTimeoutError naming the key and the timeout; the late value still fills', async () => {
    const { clock, cache, timed } = setup(0);
    const box = outcomeOf(cache.getOrSet('slow', timed(500, 'late'), { hardTimeoutMs: 100 }));
    await clock.advance(150);
    expect((box.outcome as { error: unknown }).error).toMatchObject({
      name: 'CacheTimeoutError',
      code: 'TIMEOUT',
      key: 'slow',
      timeoutMs: 100,
    });
    await clock.advance(400);
    expect(await cache.get('slow')).toBe('late');
    await cache.close();
  });
});

describe('sliding expiration', () => {
  it('a read past half the TTL renews it; without sliding the value expires', async () => {
    for (const sliding of [true, false]) {
      const { clock, cache } = setup(0);
      await cache.set('k', 'v');
      await clock.advance(400);
      expect(await cache.get('k', { sliding })).toBe('v'); // before half: nothing renewed
      await clock.advance(200);
      expect(await cache.get('k', { sliding })).toBe('v'); // past half: renewed when sliding
      await clock.advance(600); // 1200 ms after the set
      expect(await cache.get('k')).toBe(sliding ? 'v' : undefined);
      await cache.close();
    }
  });
});
