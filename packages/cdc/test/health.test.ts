/**
 * The slot's health as `@mystira/health` reports it: healthy while the consumer keeps up,
 * degraded while it lags (WAL bytes behind, or a change held unacknowledged too long, or no
 * consumer), unhealthy once the slot is dropped or lost (the server removed WAL it needed).
 */
import { replicationSlotHealthCheck } from '@mystira/cdc';
import { createHealthRegistry } from '@mystira/health';
import { describe, expect, it } from 'vitest';
import { TABLE, until, useNotesServer } from './support/fixture.js';

const notesDb = useNotesServer({
  rows: 10,
  outsideMax: 2,
  // A small max_slot_wal_keep_size, so a slot left behind is lost quickly.
  settings: { max_slot_wal_keep_size: '32MB', max_wal_size: '32MB' },
});

const check = async (c: ReturnType<typeof replicationSlotHealthCheck>) => {
  const registry = createHealthRegistry();
  registry.register(c);
  const report = await registry.run();
  return report.checks[0]!;
};

describe('replicationSlotHealthCheck', () => {
  it('healthy while caught up, degraded while behind, healthy again once caught up', async () => {
    const source = notesDb.source('health');
    const health = replicationSlotHealthCheck(source, { maxLagBytes: 64 * 1024, maxLagMs: 500 });
    let hold = false;
    const controller = new AbortController();
    const reading = (async () => {
      for await (const batch of source.changes(controller.signal)) {
        while (hold) await new Promise((r) => setTimeout(r, 20));
        if (batch.position) await source.acknowledge(batch.position);
      }
    })();
    try {
      await until(async () => (await source.status())?.active === true);
      await notesDb.outside.query(`update ${TABLE} set version = version + 1 where id = 'n1'`);
      await until(async () => (await check(health)).status === 'healthy');

      hold = true; // the consumer stalls
      await notesDb.outside.query(
        `insert into ${TABLE} select 'lag' || i, 1, repeat('x', 500), i from generate_series(1, 2000) i`,
      );
      // Degraded by bytes at once, and by age once the held change is older than maxLagMs.
      await until(
        async () => {
          const entry = await check(health);
          return (
            entry.status === 'degraded' &&
            (entry.detail as { unacknowledgedMs: number }).unacknowledgedMs > 500
          );
        },
        10_000,
        50,
      );
      const lagging = await check(health);
      expect(lagging.detail).toMatchObject({ active: true });
      expect((lagging.detail as { lagBytes: number }).lagBytes).toBeGreaterThan(64 * 1024);
      expect((lagging.detail as { unacknowledgedMs: number }).unacknowledgedMs).toBeGreaterThan(
        500,
      );

      hold = false;
      await until(async () => (await check(health)).status === 'healthy', 10_000, 50);
      controller.abort();
      await reading;
      // No consumer connected: degraded.
      await until(async () => (await check(health)).status === 'degraded', 10_000, 50);
      expect((await check(health)).detail).toMatchObject({ active: false });
      // Dropped on the explicit shutdown option: the check reports it missing.
      await source.close({ drop: true });
      expect(await check(health)).toMatchObject({
        status: 'unhealthy',
        detail: { error: 'slot missing' },
      });
    } finally {
      hold = false;
      controller.abort();
      await reading;
      await source.close({ drop: true }).catch(() => {});
    }
  }, 60_000);

  it('unhealthy when the slot is left behind and the server removes the WAL it needed', async () => {
    const source = notesDb.source('behind');
    const health = replicationSlotHealthCheck(source);
    // Create the slot, then never read it.
    const controller = new AbortController();
    const reading = (async () => {
      for await (const _ of source.changes(controller.signal)) break;
    })();
    await until(async () => (await source.status()) !== undefined);
    controller.abort();
    await reading;
    // ~48 MB of WAL past the slot, over several segments, then a checkpoint removes them.
    for (let i = 0; i < 6; i++) {
      await notesDb.outside.query(
        `insert into ${TABLE} select 'wal${i}_' || g, 1, repeat('y', 1000), g from generate_series(1, 8000) g`,
      );
      await notesDb.outside.query(`delete from ${TABLE} where id like 'wal${i}_%'`);
      await notesDb.outside.query('select pg_switch_wal()');
    }
    await notesDb.outside.query('checkpoint');
    await until(async () => (await source.status())?.walStatus === 'lost', 20_000, 100);
    expect(await check(health)).toMatchObject({
      status: 'unhealthy',
      detail: { walStatus: 'lost', error: 'slot lost: changes skipped' },
    });
    await source.close({ drop: true });
  }, 90_000);
});
