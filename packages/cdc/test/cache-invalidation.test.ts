/**
 * Writes made outside the SDK (plain SQL on another connection, as the .NET App, a migration or
 * psql would) reach `@mystira/cache` through the PostgreSQL change stream:
 * - each update is invalidated within a bound, measured from the commit to the first cached read
 *   that returns the new row (the figures are printed);
 * - 10,000 random outside writes under a cached read load: no read ever returns a version older
 *   than one whose invalidation the sink had completed before the read began, and once the stream
 *   has caught up every cached read equals the table (a linearizability-style check, like the
 *   cache's own test for writes through the decorator).
 */
import {
  type ChangeBatch,
  type ChangeSink,
  cacheInvalidationSink,
  consumeChanges,
} from '@mystira/cdc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test-support/seeded-random.js';
import {
  type CacheWorld,
  cacheWorld,
  percentile,
  TABLE,
  until,
  useNotesServer,
} from './support/fixture.js';

const ROWS = 50;
const notesDb = useNotesServer({ rows: ROWS, outsideMax: 8 });
let world: CacheWorld;

beforeAll(async () => {
  world = await cacheWorld(notesDb.server.url);
}, 60_000);

// Registered after useNotesServer's: hooks run in stack order, so the world closes first.
afterAll(async () => {
  await world?.close();
}, 30_000);

/** Runs the cache sink (plus `after`, told of each handled batch) until the returned stop(). */
function startConsumer(slot: string, after?: (batch: ChangeBatch) => void) {
  const source = notesDb.source(slot);
  const inner = cacheInvalidationSink({ [TABLE]: world.notes });
  const sink: ChangeSink = {
    async handle(batch, signal) {
      await inner.handle(batch, signal);
      after?.(batch);
    },
  };
  const controller = new AbortController();
  const running = consumeChanges(source, sink, { signal: controller.signal });
  return {
    source,
    async stop() {
      controller.abort();
      await running;
      await source.close({ drop: true });
    },
  };
}

const versionInTable = async (id: string) =>
  Number(
    (
      await notesDb.outside.query<{ version: number }>(
        `select version from ${TABLE} where id = $1`,
        [id],
      )
    ).rows[0]?.version,
  );

describe('cache invalidation from outside writes', () => {
  it('an update made with plain SQL is invalidated in the cache within a measured bound', async () => {
    const consumer = startConsumer('lag');
    await until(async () => (await consumer.source.status())?.active === true);
    const lags: number[] = [];
    for (let i = 0; i < 200; i++) {
      const id = `n${i % ROWS}`;
      const before = await world.notes.getById(id); // cached now
      const next = (before?.version ?? 0) + 1;
      const committed = performance.now();
      await notesDb.outside.query(`update ${TABLE} set version = $2, n = $3 where id = $1`, [
        id,
        next,
        i,
      ]);
      await until(async () => (await world.notes.getById(id))?.version === next, 5_000, 1);
      lags.push(performance.now() - committed);
    }
    const p50 = percentile(lags, 0.5);
    const p99 = percentile(lags, 0.99);
    const max = Math.max(...lags);
    console.log(
      `outside write -> cache invalidated (200 updates): p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
    );
    expect(p99).toBeLessThan(1000);
    await consumer.stop();
  }, 60_000);

  it('10,000 random outside writes under cached reads: no stale read past the handled point, none once caught up', async () => {
    /** The highest version per id whose invalidation the sink completed. */
    const handled = new Map<string, number>();
    let batches = 0;
    const consumer = startConsumer('linear', (batch) => {
      batches++;
      for (const e of batch.events) {
        const v = Number(e.row?.version);
        const id = String(e.key.id);
        if (v > (handled.get(id) ?? 0)) handled.set(id, v);
      }
    });
    await until(async () => (await consumer.source.status())?.active === true);
    const ids = Array.from({ length: 20 }, (_, i) => `n${i}`);
    const start = new Map<string, number>();
    for (const id of ids) start.set(id, await versionInTable(id));
    // Versions read before the stream started are the floor (the first test left them cached).
    for (const [id, v] of start) if (v > (handled.get(id) ?? 0)) handled.set(id, v);

    const next = seededRandom(24);
    const rand = (n: number) => Math.floor(next() * n);
    let writing = true;
    let reads = 0;
    const violations: string[] = [];
    const readers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const id = ids[rand(ids.length)] as string;
        const floor = handled.get(id) ?? 0;
        const got = await world.notes.getById(id);
        reads++;
        if (!got || got.version < floor) {
          violations.push(`${id}: read v${got?.version} after v${floor} was invalidated`);
        }
      }
    });
    const WRITES = 10_000;
    let issued = 0;
    const writers = Array.from({ length: 4 }, async () => {
      while (issued < WRITES) {
        issued++;
        const id = ids[rand(ids.length)] as string;
        await notesDb.outside.query(
          `update ${TABLE} set version = version + 1, n = $2 where id = $1`,
          [id, issued],
        );
      }
    });
    await Promise.all(writers);
    writing = false;
    await Promise.all(readers);

    // Caught up: the sink has handled the last version of every id.
    const final = new Map<string, number>();
    for (const id of ids) final.set(id, await versionInTable(id));
    await until(
      () => ids.every((id) => (handled.get(id) ?? 0) >= (final.get(id) ?? 0)),
      30_000,
    ).catch((err) => {
      const behind = ids
        .filter((id) => (handled.get(id) ?? 0) < (final.get(id) ?? 0))
        .map((id) => `${id}: handled v${handled.get(id)}, table v${final.get(id)}`);
      throw new Error(`the stream did not catch up: ${behind.join(', ')}`, { cause: err });
    });
    const total = ids.reduce((n, id) => n + (final.get(id) ?? 0) - (start.get(id) ?? 0), 0);
    expect(total).toBe(WRITES);
    for (const id of ids) {
      const got = await world.notes.getById(id);
      if (got?.version !== final.get(id)) {
        violations.push(`${id}: after catch-up read v${got?.version}, table has v${final.get(id)}`);
      }
    }
    console.log(
      `linearizability: ${WRITES} outside writes in ${batches} batches, ${reads} cached reads, ${violations.length} violations`,
    );
    expect(violations).toEqual([]);
    expect(reads).toBeGreaterThan(1000);
    await consumer.stop();
  }, 180_000);
});
