import {
  PgCheckpointStore,
  PgPhaseStore,
  postgresMirror,
  postgresOutbox,
} from '@mystira/polyglot/postgres';
import {
  type PgDatabase,
  PostgresRepository,
  type TableReport,
} from '@mystira/repository-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { Account, type AccountT, database, randomSchema } from './helpers.js';

// The polyglot stores' migrate(), which `mystira-polyglot migrate` runs: it creates what is
// missing (the schema too), says what it found, changes nothing the second time, and is safe
// when several processes run it at once (each table, and the schema, under an advisory lock).
// Two pools stand for two processes.
const dbs = [database(), database()] as const;
const schema = randomSchema('pgm'); // not created here: migrate() must create it
const q = (table: string) => `"${schema}"."${table}"`;

function stores(db: PgDatabase) {
  return [
    postgresOutbox(db, { schema }),
    new PgPhaseStore(db, { schema }),
    new PgCheckpointStore(db, { schema }),
    postgresMirror(db, new PostgresRepository<AccountT>(db, Account, { schema })),
  ];
}

/** Everything in the schema: tables, indexes, sequences. */
async function catalog(): Promise<string[]> {
  const res = await dbs[0].query<{ name: string }>(
    `SELECT relkind::text || ' ' || relname AS name FROM pg_class
      WHERE relnamespace = to_regnamespace($1) ORDER BY relname`,
    [`"${schema}"`],
  );
  return res.rows.map((r) => r.name);
}

afterAll(async () => {
  await dbs[0].query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await Promise.all(dbs.map((db) => db.close()));
});

describe('migrate() of the polyglot stores', () => {
  it('creates the schema and every table exactly once when two processes migrate at once', async () => {
    // Every store of both "processes" at the same moment: 8 transactions racing for 5 tables
    // and one schema.
    const reports: TableReport[] = (
      await Promise.all(dbs.flatMap((db) => stores(db).map((s) => s.migrate())))
    ).flat();
    const tables = [
      q('polyglot_outbox'),
      q('polyglot_phases'),
      q('polyglot_checkpoints'),
      q('accounts'),
      q('polyglot_tombstones'),
    ];
    const created = reports.filter((r) => r.created).map((r) => r.name);
    expect(created.sort()).toEqual([`"${schema}"`, ...tables].sort());
    // Both processes report every table (created by one, found by the other).
    expect(reports.filter((r) => r.kind === 'table')).toHaveLength(2 * tables.length);
    expect(stores(dbs[0]).flatMap((s) => s.tables())).toEqual(tables);
    expect(await catalog()).toContain('r polyglot_outbox');
  });

  it('a second run changes nothing and reports every table as existing', async () => {
    const before = await catalog();
    const reports = (await Promise.all(stores(dbs[1]).map((s) => s.migrate()))).flat();
    expect(reports.map((r) => [r.kind, r.created])).toEqual(
      Array.from({ length: 5 }, () => ['table', false]),
    );
    expect(await catalog()).toEqual(before);
  });

  it('leaves an existing mirrored table as it is (no index added to a table that holds data)', async () => {
    const withIndex = new PostgresRepository<AccountT>(dbs[0], Account, {
      schema,
      indexes: ['name'],
    });
    const before = await catalog();
    const reports = await postgresMirror(dbs[0], withIndex).migrate();
    expect(reports[0]).toEqual({ kind: 'table', name: q('accounts'), created: false });
    expect(await catalog()).toEqual(before);
  });
});
