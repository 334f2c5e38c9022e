/**
 * The pool-saturation readiness rule on a pool whose counters and clock the test sets by hand:
 * unready only after `afterMs` with no free connection, not on one busy moment; ready again by
 * itself after `afterMs` with one; answered without a probe query while the pool is busy.
 */
import { describe, expect, it } from 'vitest';
import { type ObservedPool, PoolSaturation } from '../src/overload/pool-saturation.ts';

class FakePool implements ObservedPool {
  totalCount = 0;
  idleCount = 0;
  waitingCount = 0;
  queries = 0;
  async query(): Promise<unknown> {
    this.queries++;
    return { rows: [{ '?column?': 1 }] };
  }
  /** All `max` connections checked out, `waiting` callers queued. */
  busy(max: number, waiting: number): void {
    this.totalCount = max;
    this.idleCount = 0;
    this.waitingCount = waiting;
  }
  free(max: number): void {
    this.totalCount = max;
    this.idleCount = 3;
    this.waitingCount = 0;
  }
}

function setup() {
  const pool = new FakePool();
  let now = 0;
  const saturation = new PoolSaturation(pool, { max: 10, afterMs: 1_000, now: () => now });
  const at = (ms: number) => {
    now = ms;
    return saturation.sample();
  };
  return { pool, saturation, at };
}

describe('PoolSaturation', () => {
  it('turns saturated only after afterMs of busy samples', () => {
    const { pool, at } = setup();
    pool.busy(10, 30);
    expect(at(0)).toBe(false);
    expect(at(500)).toBe(false);
    expect(at(999)).toBe(false);
    expect(at(1_000)).toBe(true);
  });

  it('does not flap on busy moments separated by a free one', () => {
    const { pool, at } = setup();
    for (let t = 0; t < 5_000; t += 100) {
      // Busy for 900 ms, then one free sample: never 1 s in a row.
      if (t % 1_000 === 900) pool.free(10);
      else pool.busy(10, 5);
      expect(at(t), `t=${t}`).toBe(false);
    }
  });

  it('counts a fully checked-out pool as busy even with nobody queued yet', () => {
    const { pool, at } = setup();
    pool.busy(10, 0);
    at(0);
    expect(at(1_000)).toBe(true);
    // Not at capacity (a connection still being opened): not busy.
    const other = setup();
    other.pool.totalCount = 7;
    other.pool.idleCount = 0;
    other.at(0);
    expect(other.at(5_000)).toBe(false);
  });

  it('recovers by itself after afterMs of free samples, and not before', () => {
    const { pool, at } = setup();
    pool.busy(10, 3);
    at(0);
    expect(at(1_000)).toBe(true);
    pool.free(10);
    expect(at(1_100)).toBe(true);
    expect(at(1_500)).toBe(true);
    // A busy sample restarts the recovery.
    pool.busy(10, 1);
    expect(at(1_600)).toBe(true);
    pool.free(10);
    expect(at(1_700)).toBe(true);
    expect(at(2_600)).toBe(true);
    expect(at(2_700)).toBe(false);
  });

  it('as a readiness check: unhealthy at once while saturated, degraded while busy, else SELECT 1', async () => {
    const { pool, saturation, at } = setup();
    const check = saturation.healthCheck('postgresql');
    expect(check.name).toBe('postgresql');
    expect(check.tags).toEqual(['ready']); // never part of liveness
    const run = () => check.check({ signal: new AbortController().signal });

    pool.free(10);
    expect(await run()).toBeUndefined();
    expect(pool.queries).toBe(1);

    pool.busy(10, 4);
    at(0);
    expect(await run()).toMatchObject({
      status: 'degraded',
      detail: { saturated: false, busy: true },
    });
    at(1_000);
    expect(await run()).toMatchObject({
      status: 'unhealthy',
      detail: { saturated: true, busy: true, waiting: 4, total: 10, idle: 0, max: 10 },
    });
    // Neither asked PostgreSQL: a probe query would only queue behind the requests.
    expect(pool.queries).toBe(1);
  });
});
