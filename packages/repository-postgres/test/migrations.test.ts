import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  createDatabase,
  entityDdl,
  entityMigration,
  type Migration,
  MigrationError,
  Migrator,
  type PgDatabase,
} from '@mystira/repository-postgres';
import { entity, field } from '@mystira/specification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, connectionString, useTestDatabase } from './helpers.js';

const run = promisify(execFile);
const Doc = entity(
  'docs',
  { id: field.string(), title: field.string(), n: field.number().optional() },
  { id: 'id' },
);

const t = useTestDatabase('mig');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mystira-pg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tables = async (db: PgDatabase, schema: string) =>
  (
    await db.query<{ t: string }>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    )
  ).rows.map((r) => r.t);

describe('Migrator', () => {
  it('applies pending migrations in id order, records checksums, and reverts with down', async () => {
    const schema = `${t.schema}_a`;
    const migrations: Migration[] = [
      {
        id: '0002_seed',
        up: `INSERT INTO "${schema}".docs (id, version, data) VALUES ('x', 1, '{"id":"x","title":"t"}')`,
        down: `DELETE FROM "${schema}".docs`,
      },
      entityMigration('0001_docs', Doc, { schema, indexes: ['title'] }),
    ];
    const m = new Migrator(t.db, migrations, { schema });
    expect((await m.status()).map((s) => s.state)).toEqual(['pending', 'pending']);
    expect(await m.up()).toEqual(['0001_docs', '0002_seed']);
    expect(await m.up()).toEqual([]);
    const status = await m.status();
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied']);
    expect(status[0]!.appliedAt).toBeInstanceOf(Date);
    expect(await tables(t.db, schema)).toEqual(['docs', 'mystira_migrations']);
    expect(await m.down()).toEqual(['0002_seed']);
    expect(await m.down({ steps: 5 })).toEqual(['0001_docs']);
    expect(await tables(t.db, schema)).toEqual(['mystira_migrations']);
    expect(await m.up({ to: '0001_docs' })).toEqual(['0001_docs']);
    await t.db.query(`DROP SCHEMA "${schema}" CASCADE`);
  });

  it('detects an edited applied migration (checksum drift)', async () => {
    const schema = `${t.schema}_b`;
    await new Migrator(t.db, [{ id: '0001', up: 'SELECT 1' }], { schema }).up();
    const edited = new Migrator(t.db, [{ id: '0001', up: 'SELECT 2' }], { schema });
    expect((await edited.status())[0]!.state).toBe('drifted');
    await expect(edited.up()).rejects.toBeInstanceOf(MigrationError);
    expect(
      await new Migrator(t.db, [{ id: '0001', up: 'SELECT 2' }], {
        schema,
        allowChecksumDrift: true,
      }).up(),
    ).toEqual([]);
    expect((await new Migrator(t.db, [], { schema }).status())[0]!.state).toBe('unknown');
    await t.db.query(`DROP SCHEMA "${schema}" CASCADE`);
  });

  it('a failing step rolls back with its bookkeeping and reports MigrationError', async () => {
    const schema = `${t.schema}_c`;
    const m = new Migrator(
      t.db,
      [
        { id: '0001', up: `CREATE TABLE "${schema}".ok (x int)` },
        { id: '0002', up: `CREATE TABLE "${schema}".half (x int); SELECT * FROM no_such_table` },
      ],
      { schema },
    );
    const err = await m.up().catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.migration).toBe('0002');
    expect(await tables(t.db, schema)).toEqual(['mystira_migrations', 'ok']);
    expect((await m.status()).map((s) => s.state)).toEqual(['applied', 'pending']);
    await expect(m.down({ steps: 1 })).rejects.toThrow(/no down step/);
    await t.db.query(`DROP SCHEMA "${schema}" CASCADE`);
  });

  it('two migrators started together apply each migration once (advisory lock)', async () => {
    const schema = `${t.schema}_d`;
    const migrations: Migration[] = [
      entityMigration('0001_docs', Doc, { schema }),
      // Slow, and it would fail if run twice (the second insert violates the primary key).
      {
        id: '0002_slow',
        up: `SELECT pg_sleep(0.3); INSERT INTO "${schema}".docs (id, version, data) VALUES ('once', 1, '{}')`,
      },
    ];
    const other = createDatabase({ primary: connection, max: 2 });
    try {
      const [a, b] = await Promise.all([
        new Migrator(t.db, migrations, { schema }).up(),
        new Migrator(other, migrations, { schema }).up(),
      ]);
      expect([...a, ...b].sort()).toEqual(['0001_docs', '0002_slow']);
      expect(a.length === 0 || b.length === 0).toBe(true);
      const rows = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".mystira_migrations`,
      );
      expect(rows.rows[0]!.n).toBe(2);
    } finally {
      await other.close();
      await t.db.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('runs without the pool statement timeout (long steps), and restores it afterwards', async () => {
    const schema = `${t.schema}_e`;
    const db = createDatabase({ primary: connection, statementTimeoutMs: 100, max: 1 });
    try {
      const m = new Migrator(db, [{ id: '0001_slow', up: 'SELECT pg_sleep(0.3)' }], { schema });
      expect(await m.up()).toEqual(['0001_slow']);
      // The same pooled connection is back at the pool's 100 ms.
      await expect(db.query('SELECT pg_sleep(0.3)')).rejects.toThrow(/unavailable|timeout|cancel/i);
      await expect(
        new Migrator(db, [{ id: '0002', up: 'SELECT pg_sleep(0.3)' }], {
          schema,
          statementTimeoutMs: 50,
        }).up(),
      ).rejects.toBeInstanceOf(MigrationError);
    } finally {
      await db.close();
      await t.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('rejects duplicate and malformed ids', () => {
    expect(
      () =>
        new Migrator(t.db, [
          { id: 'a', up: '' },
          { id: 'a', up: '' },
        ]),
    ).toThrow(MigrationError);
    expect(() => new Migrator(t.db, [{ id: 'a b;', up: '' }])).toThrow(MigrationError);
  });

  it('generates DDL for both layouts', () => {
    expect(entityDdl(Doc, { schema: 's', indexes: ['title'] })).toContain(
      `CREATE INDEX IF NOT EXISTS "docs_title_idx" ON "s"."docs" (((("data"->>'title') COLLATE "C")) NULLS FIRST, "id")`,
    );
    const columns = entityDdl(Doc, { schema: 's', layout: 'columns' });
    expect(columns).toContain('"title" text COLLATE "C" NOT NULL');
    expect(columns).toContain('"n" double precision,');
    expect(columns).toContain('"_version" integer NOT NULL');
  });
});

describe('mystira-pg CLI', () => {
  const bin = resolve(import.meta.dirname, '../dist/cli.js');
  const cli = (...args: string[]) =>
    run(process.execPath, [bin, ...args], {
      env: { ...process.env, DATABASE_URL: connectionString },
    }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e) => ({ code: e.code as number, out: e.stdout as string, err: e.stderr as string }),
    );

  it('migrate up | status | down from a directory of SQL files', async () => {
    const schema = `${t.schema}_cli`;
    await writeFile(
      join(dir, '0001_init.up.sql'),
      `CREATE TABLE "${schema}".things (id int primary key);`,
    );
    await writeFile(join(dir, '0001_init.down.sql'), `DROP TABLE "${schema}".things;`);
    await writeFile(
      join(dir, '0002_more.sql'),
      `ALTER TABLE "${schema}".things ADD COLUMN name text;`,
    );
    let r = await cli('migrate', 'status', '--dir', dir, '--schema', schema);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/pending\s+0001_init\npending\s+0002_more/);
    r = await cli('migrate', 'up', '--dir', dir, '--schema', schema, '--to', '0001_init');
    expect(r.out).toBe('applied  0001_init\n');
    r = await cli('migrate', 'up', '--dir', dir, '--schema', schema);
    expect(r.out).toBe('applied  0002_more\n');
    r = await cli('migrate', 'down', '--dir', dir, '--schema', schema);
    expect(r.code).toBe(1); // 0002 has no down file
    expect(r.err).toMatch(/no down step/);
    r = await cli('migrate', 'status', '--dir', dir, '--schema', schema);
    expect(r.out).toMatch(/applied\s+0001_init .*\napplied\s+0002_more/);
    await t.db.query(`DROP SCHEMA "${schema}" CASCADE`);
  });

  it('migrations from a module (generated DDL), and usage errors', async () => {
    const schema = `${t.schema}_mod`;
    const mod = join(dir, 'migrations.mjs');
    await writeFile(
      mod,
      `export const migrations = [{ id: '0001', up: 'CREATE TABLE "${schema}".m (x int)', down: 'DROP TABLE "${schema}".m' }];\n`,
    );
    expect((await cli('migrate', 'up', '--module', mod, '--schema', schema)).out).toBe(
      'applied  0001\n',
    );
    expect((await cli('migrate', 'down', '--module', mod, '--schema', schema)).out).toBe(
      'reverted 0001\n',
    );
    expect((await cli('migrate', 'sideways')).code).toBe(2);
    expect((await cli('migrate', 'down', '--steps', '0')).code).toBe(2);
    expect((await cli('--help')).code).toBe(0);
    await t.db.query(`DROP SCHEMA "${schema}" CASCADE`);
  });
});
