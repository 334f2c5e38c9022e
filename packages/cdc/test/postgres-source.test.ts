/**
 * The PostgreSQL source on a real server with `wal_level = logical`: what it decodes (operations,
 * keys, a changed key, truncate, transactions split into batches), that a position is resumed
 * only from what was acknowledged, backpressure, and the slot dropped on request.
 */
import { type ChangeBatch, postgresChangeSource } from '@mystira/cdc';
import { describe, expect, it } from 'vitest';
import { TABLE, until, useNotesServer } from './support/fixture.js';

const notesDb = useNotesServer({ rows: 10, outsideMax: 4 });

/** Reads batches into `into` until aborted. */
function reader(source: ReturnType<typeof postgresChangeSource>, into: ChangeBatch[]) {
  const controller = new AbortController();
  const done = (async () => {
    for await (const batch of source.changes(controller.signal)) {
      into.push(batch);
      if (batch.position) await source.acknowledge(batch.position);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}

const events = (batches: ChangeBatch[]) => batches.flatMap((b) => b.events);

describe('postgresChangeSource', () => {
  it('decodes inserts, updates (with a changed key), deletes and truncates, in commit order', async () => {
    const source = notesDb.source('decode');
    const seen: ChangeBatch[] = [];
    // The slot is created by the first read: changes before it are not in it.
    const r = reader(source, seen);
    await until(async () => (await source.status()) !== undefined);
    await notesDb.outside.query(`insert into ${TABLE} values ('a', 1, 'a', 1)`);
    await notesDb.outside.query(`update ${TABLE} set n = 2, version = 2 where id = 'a'`);
    await notesDb.outside.query(`update ${TABLE} set id = 'b' where id = 'a'`);
    await notesDb.outside.query(`delete from ${TABLE} where id = 'b'`);
    await notesDb.outside.query(`create table other_t (k int primary key)`);
    await notesDb.outside.query(`truncate other_t`); // not in the publication
    await until(() => events(seen).length >= 4);
    const got = events(seen).map((e) => ({
      table: e.table,
      op: e.operation,
      key: e.key,
      previousKey: e.previousKey,
    }));
    expect(got).toEqual([
      { table: `public.${TABLE}`, op: 'insert', key: { id: 'a' }, previousKey: undefined },
      { table: `public.${TABLE}`, op: 'update', key: { id: 'a' }, previousKey: undefined },
      { table: `public.${TABLE}`, op: 'update', key: { id: 'b' }, previousKey: { id: 'a' } },
      { table: `public.${TABLE}`, op: 'delete', key: { id: 'b' }, previousKey: undefined },
    ]);
    const insert = events(seen)[0];
    expect(insert?.row).toMatchObject({ id: 'a', n: 1, version: 1 });
    expect(insert?.committedAt).toBeInstanceOf(Date);
    // Every transaction ends with a batch that carries its position.
    expect(seen.filter((b) => b.position).length).toBeGreaterThanOrEqual(4);
    await r.stop();
    await source.close({ drop: true });
  }, 30_000);

  it('truncate of a published table is one event without a key', async () => {
    await notesDb.outside.query('create table trunc_t (k int primary key)');
    await notesDb.outside.query('insert into trunc_t values (1)');
    const source = postgresChangeSource({
      connection: notesDb.server.url,
      slot: 'truncate',
      publication: 'trunc_pub',
      tables: ['trunc_t'],
    });
    const seen: ChangeBatch[] = [];
    const r = reader(source, seen);
    await until(async () => (await source.status()) !== undefined);
    await notesDb.outside.query('truncate trunc_t');
    await until(() => events(seen).length >= 1);
    expect(events(seen)[0]).toMatchObject({
      table: 'public.trunc_t',
      operation: 'truncate',
      key: {},
    });
    await r.stop();
    await source.close({ drop: true });
  }, 30_000);

  it('splits a large transaction into batches; only the last one carries the position', async () => {
    const source = notesDb.source('split', { maxBatchSize: 100 });
    const seen: ChangeBatch[] = [];
    const r = reader(source, seen);
    await until(async () => (await source.status()) !== undefined);
    await notesDb.outside.query(
      `insert into ${TABLE} select 'big' || i, 1, 't', i from generate_series(1, 350) i`,
    );
    await until(() => seen.some((b) => b.position && events(seen).length >= 350));
    expect(seen.map((b) => [b.events.length, b.position !== undefined])).toEqual([
      [100, false],
      [100, false],
      [100, false],
      [50, true],
    ]);
    await r.stop();
    await notesDb.outside.query(`delete from ${TABLE} where id like 'big%'`);
    await source.close({ drop: true });
  }, 30_000);

  it('resumes after the last acknowledged position: unacknowledged changes come again', async () => {
    const source = notesDb.source('resume');
    const first: string[] = [];
    const controller = new AbortController();
    await source.status().catch(() => {});
    const reading = (async () => {
      for await (const batch of source.changes(controller.signal)) {
        for (const e of batch.events) first.push(String(e.key.id));
        // Acknowledge only the transaction that wrote r1.
        if (batch.position && batch.events.some((e) => e.key.id === 'r1')) {
          await source.acknowledge(batch.position);
        }
      }
    })();
    await until(async () => (await source.status()) !== undefined);
    for (const id of ['r1', 'r2', 'r3']) {
      await notesDb.outside.query(`insert into ${TABLE} values ($1, 1, 't', 0)`, [id]);
    }
    await until(() => first.length >= 3);
    controller.abort();
    await reading;
    await source.close();

    const again = notesDb.source('resume');
    const second: ChangeBatch[] = [];
    const r = reader(again, second);
    await until(() => events(second).length >= 2);
    expect(events(second).map((e) => e.key.id)).toEqual(['r2', 'r3']);
    await r.stop();
    await again.close({ drop: true });
    expect(
      (await notesDb.outside.query(`select 1 from pg_replication_slots where slot_name = 'resume'`))
        .rowCount,
    ).toBe(0);
  }, 30_000);

  it('pauses reading while the consumer is behind: the server stops sending (bounded memory)', async () => {
    const source = notesDb.source('slow', { maxBufferedChanges: 50, maxBatchSize: 50 });
    const controller = new AbortController();
    const iterator = source.changes(controller.signal)[Symbol.asyncIterator]();
    // The first pull starts the stream; then the consumer stalls.
    const firstPull = iterator.next();
    await until(async () => (await source.status())?.active === true);
    await notesDb.outside.query(
      `insert into ${TABLE} select 'slow' || i, 1, repeat('x', 2000), i from generate_series(1, 20000) i`,
    );
    await firstPull;
    // The walsender blocks writing to the paused socket (wait event WalSenderWriteData) and
    // stays blocked: the changes wait on the server, not in this process.
    const waitEvent = async () =>
      (
        await notesDb.outside.query<{ wait_event: string | null }>(
          `select a.wait_event from pg_stat_activity a
             join pg_replication_slots s on s.active_pid = a.pid where s.slot_name = 'slow'`,
        )
      ).rows[0]?.wait_event;
    await until(async () => (await waitEvent()) === 'WalSenderWriteData', 20_000, 50);
    const heapBefore = process.memoryUsage().heapUsed;
    await new Promise((r) => setTimeout(r, 1000));
    expect(await waitEvent()).toBe('WalSenderWriteData');
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024);
    controller.abort();
    await iterator.return?.();
    await source.close({ drop: true });
    await notesDb.outside.query(`delete from ${TABLE} where id like 'slow%'`);
  }, 60_000);
});
