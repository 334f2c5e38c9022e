import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  type PgDatabase,
  type PgDatabaseOptions,
} from '@mystira/repository-postgres';
import type pg from 'pg';

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
