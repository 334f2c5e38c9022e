/** The shared PostgreSQL of the tests, with a schema of its own per test file. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared server (trust auth, database `test`). */
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A pool and a fresh schema; `drop` removes the schema and ends the pool. */
export async function freshSchema(): Promise<{
  schema: string;
  pool: pg.Pool;
  newPool(): pg.Pool;
  drop(): Promise<void>;
}> {
  const schema = `tx_test_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  await pool.query(`CREATE SCHEMA ${schema}`);
  const extra: pg.Pool[] = [];
  return {
    schema,
    pool,
    newPool() {
      const p = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
      extra.push(p);
      return p;
    },
    async drop() {
      await Promise.all(extra.map((p) => p.end()));
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}
