import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  createTableStatements,
  type PgDatabase,
  type PgDatabaseOptions,
  PostgresRepository,
  type PostgresRepositoryOptions,
} from '@mystira/repository-postgres';
import type { EntityDef } from '@mystira/specification';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** The shared test server (trust auth). */
export const connection: pg.PoolConfig = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

export const connectionString = `postgres://${connection.user}@${connection.host}:${connection.port}/${connection.database}`;

/** A random schema name for one test file, so files never see each other's tables. */
export function randomSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export interface TestDb {
  db: PgDatabase;
  schema: string;
  /** Drops the schema and closes the pools. */
  cleanup(): Promise<void>;
}

export async function testDatabase(
  options: Partial<PgDatabaseOptions> = {},
  prefix = 't',
): Promise<TestDb> {
  const schema = randomSchema(prefix);
  const db = createDatabase({
    primary: { ...connection, application_name: 'primary' },
    max: 6,
    ...options,
  });
  await db.query(`CREATE SCHEMA "${schema}"`);
  return {
    db,
    schema,
    async cleanup() {
      try {
        await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

/**
 * For the test file it is called in: a {@link testDatabase} (schema named after `prefix`) made
 * before its tests and cleaned up after them. Read its fields in tests and later hooks, not while
 * the file is collected.
 */
export function useTestDatabase(prefix: string): TestDb {
  const t = {} as TestDb;
  beforeAll(async () => {
    Object.assign(t, await testDatabase({}, prefix));
  });
  afterAll(async () => {
    await t.cleanup?.();
  });
  return t;
}

/**
 * A repository over a new table in the test schema, its CREATE statements run, so a case that
 * needs rows of its own gets a table of its own. `db` is the pool the repository uses (default
 * the test's own); the tables are always created through the test's own.
 */
export async function repositoryWithTable<T extends object>(
  t: TestDb,
  entity: EntityDef,
  options: Omit<PostgresRepositoryOptions, 'schema'>,
  db: PgDatabase = t.db,
): Promise<PostgresRepository<T>> {
  const repo = new PostgresRepository<T>(db, entity, { ...options, schema: t.schema });
  for (const stmt of createTableStatements(repo.mapping)) await t.db.query(stmt);
  return repo;
}
