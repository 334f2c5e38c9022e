/**
 * Change data capture instead of dual writes: rows written with plain SQL (inserts, updates, a
 * changed key, deletes) reach a `@mystira/polyglot` mirror through `rowSyncSink` and polyglot's
 * `syncId`, and once the stream has caught up the mirror equals the table, versions included.
 * Plus the sink's rules without a server: unsettled syncs and truncates without a handler fail
 * the batch (so it is retried), ids are deduplicated per batch.
 */
import { consumeChanges, rowSyncSink } from '@mystira/cdc';
import { memoryMirror, syncId } from '@mystira/polyglot';
import { createDatabase, type PgDatabase, postgresRepository } from '@mystira/repository-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test-support/seeded-random.js';
import { Note, type NoteT, TABLE, until, useNotesServer } from './support/fixture.js';

describe('rowSyncSink into a polyglot mirror (real PostgreSQL)', () => {
  const notesDb = useNotesServer({ rows: 20, outsideMax: 2 });
  let db: PgDatabase;

  beforeAll(async () => {
    db = createDatabase({ primary: notesDb.server.url, max: 4 });
  }, 60_000);

  // Registered after useNotesServer's: hooks run in stack order, so this pool closes first.
  afterAll(async () => {
    await db?.close();
  }, 30_000);

  it('outside inserts, updates, key changes and deletes end with the mirror equal to the table', async () => {
    const primary = postgresRepository<NoteT>(db, Note, { table: TABLE, layout: 'columns' });
    const mirror = memoryMirror<NoteT>(Note);
    // The mirror starts as a copy (a backfill would do this).
    const start = await notesDb.outside.query<NoteT>(`select id, version, title, n from ${TABLE}`);
    for (const item of start.rows) await mirror.put(item, item.version);
    const source = notesDb.source('mirror');
    const stop = new AbortController();
    const errors: string[] = [];
    let handledBatches = 0;
    const running = consumeChanges(
      source,
      rowSyncSink({ [TABLE]: { sync: (id, signal) => syncId(primary, mirror, id, { signal }) } }),
      {
        signal: stop.signal,
        onError: (err) => void errors.push(err.message),
        onBatch: () => void handledBatches++,
      },
    );
    await until(async () => (await source.status())?.active === true);

    const random = seededRandom(99);
    for (let i = 0; i < 300; i++) {
      const id = `n${Math.floor(random() * 30)}`;
      const roll = random();
      if (roll < 0.5) {
        await notesDb.outside.query(
          `insert into ${TABLE} values ($1, 1, 'new', $2)
             on conflict (id) do update set version = ${TABLE}.version + 1, n = $2`,
          [id, i],
        );
      } else if (roll < 0.8) {
        await notesDb.outside.query(`delete from ${TABLE} where id = $1`, [id]);
      } else {
        const to = `n${Math.floor(random() * 30)}`;
        await notesDb.outside
          .query(`update ${TABLE} set id = $2, version = version + 1 where id = $1`, [id, to])
          .catch(() => {}); // the new key may exist: nothing changed
      }
    }
    const table = async () =>
      (await notesDb.outside.query<NoteT>(`select id, version, title, n from ${TABLE} order by id`))
        .rows;
    const mirrored = async () =>
      (await mirror.repository.getMany((await table()).map((r) => r.id)))
        .map(({ id, version, title, n }) => ({ id, version, title, n }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    const expected = await table();
    const live = new Set(expected.map((r) => r.id));
    const deleted = Array.from({ length: 30 }, (_, i) => `n${i}`).filter((id) => !live.has(id));
    // Caught up: the live rows are equal AND the deletes have arrived (the stream may still be
    // handing over deletes when the live rows already match).
    await until(
      async () =>
        JSON.stringify(await mirrored()) === JSON.stringify(expected) &&
        (await mirror.repository.getMany(deleted)).length === 0,
      20_000,
    ).catch(async (err) => {
      throw new Error(
        `mirror differs: ${JSON.stringify(await mirrored())} vs ${JSON.stringify(expected)}; retried: ${errors.slice(0, 3).join(' | ')}; batches ${handledBatches}; behind ${source.unacknowledgedForMs()} ms; slot ${JSON.stringify(await source.status())}`,
        { cause: err },
      );
    });
    // Nothing deleted in the table survives in the mirror.
    for (const id of deleted) expect(await mirror.repository.getById(id)).toBeUndefined();
    stop.abort();
    await running;
    await source.close({ drop: true });
  }, 60_000);
});

describe('rowSyncSink rules', () => {
  const signal = new AbortController().signal;
  const event = (id: string, operation: 'update' | 'truncate' = 'update') => ({
    table: 'public.notes',
    operation,
    key: operation === 'truncate' ? {} : { id },
    position: '0/1',
  });

  it('syncs each changed id once per batch, and fails the batch on an unsettled sync', async () => {
    const synced: (string | number)[] = [];
    let outcome = 'repaired';
    const sink = rowSyncSink({
      notes: {
        sync: async (id) => {
          synced.push(id);
          return outcome;
        },
      },
    });
    await sink.handle({ events: [event('a'), event('b'), event('a')] }, signal);
    expect(synced).toEqual(['a', 'b']);
    outcome = 'unsettled';
    await expect(sink.handle({ events: [event('c')] }, signal)).rejects.toMatchObject({
      code: 'SINK',
    });
  });

  it('a truncate needs a truncated() handler; with one, it replaces the row syncs of the batch', async () => {
    const synced: (string | number)[] = [];
    const without = rowSyncSink({ notes: { sync: async (id) => synced.push(id) } });
    await expect(without.handle({ events: [event('', 'truncate')] }, signal)).rejects.toMatchObject(
      {
        code: 'SINK',
      },
    );
    let resynced = 0;
    const withHandler = rowSyncSink({
      notes: {
        sync: async (id) => synced.push(id),
        truncated: async () => {
          resynced++;
        },
      },
    });
    await withHandler.handle({ events: [event('a'), event('', 'truncate')] }, signal);
    expect(resynced).toBe(1);
    expect(synced).toEqual([]);
  });
});
