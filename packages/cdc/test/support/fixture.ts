/**
 * The world the integration tests run in: a throw-away PostgreSQL with logical replication, a
 * `notes` table in the columns layout, a cached repository of it on the shared Redis (a fresh key
 * prefix per test file, its keys deleted at the end), and a plain `pg` pool standing for "someone
 * outside the SDK" (the .NET App, a migration, psql).
 */
import { randomBytes } from 'node:crypto';
import { type CachedRepository, cached, redisStore } from '@mystira/cache';
import {
  type PostgresChangeSource,
  type PostgresChangeSourceOptions,
  postgresChangeSource,
} from '@mystira/cdc';
import {
  createDatabase,
  createTableStatements,
  type PgDatabase,
  postgresRepository,
  tableMapping,
} from '@mystira/repository-postgres';
import { entity, field, type Infer } from '@mystira/specification';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { deletePrefix } from '../../../../test-support/delete-prefix.js';
import { until as pollUntil } from '../../../../test-support/until.js';
import { ThrowawayPostgres } from './throwaway-postgres.js';

export const Note = entity(
  'cdc_notes',
  { id: field.string(), version: field.number(), title: field.string(), n: field.number() },
  { id: 'id', version: 'version' },
);
export type NoteT = Infer<typeof Note>;

export const TABLE = 'cdc_notes';

export async function startServer(settings?: Record<string, string>): Promise<ThrowawayPostgres> {
  const server = new ThrowawayPostgres();
  await server.start(settings);
  return server;
}

/** What {@link useNotesServer} gives a test file. */
export interface NotesServer {
  /** The throw-away server, with the notes table. */
  readonly server: ThrowawayPostgres;
  /** A plain pool on it, standing for "someone outside the SDK". */
  readonly outside: pg.Pool;
  /** A change source of the notes table on this server, reading through its own `slot`. */
  source(slot: string, options?: Partial<PostgresChangeSourceOptions>): PostgresChangeSource;
}

/**
 * For the test file (or the describe block) it is called in: before the tests, a throw-away
 * server (with `settings`) holding the notes table of `rows` rows, and a plain pool of
 * `outsideMax` connections on it; after them, both gone. Read them off the returned object in
 * tests and later hooks.
 */
export function useNotesServer(options: {
  rows: number;
  outsideMax: number;
  settings?: Record<string, string>;
}): NotesServer {
  const world = {
    source: (slot: string, extra?: Partial<PostgresChangeSourceOptions>) =>
      postgresChangeSource({ connection: world.server.url, slot, tables: [TABLE], ...extra }),
  } as { server: ThrowawayPostgres; outside: pg.Pool; source: NotesServer['source'] };
  beforeAll(async () => {
    world.server = await startServer(options.settings);
    await createNotes(world.server.url, options.rows);
    world.outside = new pg.Pool({ connectionString: world.server.url, max: options.outsideMax });
  }, 60_000);
  afterAll(async () => {
    await world.outside?.end();
    await world.server?.stop();
  }, 30_000);
  return world;
}

/** Creates the notes table with `count` rows n0..n{count-1} (version 1, n 0). */
export async function createNotes(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of createTableStatements(
      tableMapping(Note, { table: TABLE, layout: 'columns' }),
    )) {
      await client.query(s);
    }
    await client.query(
      `insert into ${TABLE} (id, version, title, n)
         select 'n' || i, 1, 'note ' || i, 0 from generate_series(0, $1 - 1) i
       on conflict do nothing`,
      [count],
    );
  } finally {
    await client.end();
  }
}

export interface CacheWorld {
  db: PgDatabase;
  redis: Redis;
  notes: CachedRepository<NoteT>;
  close(): Promise<void>;
}

/** A cached repository of the notes table on the shared Redis, under a fresh prefix. */
export async function cacheWorld(url: string, options: { l1?: boolean } = {}): Promise<CacheWorld> {
  const prefix = `test:cdc:${randomBytes(4).toString('hex')}`;
  const db = createDatabase({ primary: url, max: 8 });
  const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  const store = redisStore(redis);
  const notes = cached<NoteT>(
    postgresRepository<NoteT>(db, Note, { table: TABLE, layout: 'columns' }),
    {
      store,
      keyPrefix: prefix,
      ttlMs: 600_000,
      // The machine running the tests is shared and busy: the default 100 ms store timeout can
      // pass on a healthy Redis, and the breaker then holds invalidations back for a second.
      storeTimeoutMs: 1_000,
      ...(options.l1 ? { l1: { ttlMs: 60_000 } } : {}),
    },
  );
  await notes.ready();
  return {
    db,
    redis,
    notes,
    async close() {
      await notes.close();
      await store.close();
      await deletePrefix(redis, prefix);
      redis.disconnect();
      await db.close();
    },
  };
}

/** The shared `until`, with more patience (15 s) and a finer step (5 ms) for change streams. */
export function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  stepMs = 5,
): Promise<void> {
  return pollUntil(cond, timeoutMs, stepMs);
}

/** Percentile (0..1) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}
