/**
 * Creating tables that several processes may create at once: the one copy of that code, used by
 * every store that creates its own tables (the polyglot stores of `@mystira/polyglot/postgres`),
 * so their `migrate()`s agree on locking and on what they report.
 *
 * Each call is one transaction holding a transaction-scoped advisory lock on a key derived from
 * the table (`mystira:ddl:<"schema"."table">`, the key the polyglot stores have always used, so
 * an older version migrating at the same moment still takes turns with this one). `CREATE ... IF
 * NOT EXISTS` alone is not enough when two processes start together: both can pass the check
 * and one then fails on the catalog's unique index. Under the lock the second finds the table
 * and does nothing.
 */
import type { CallOptions } from '@mystira/repository';
import type { PgDatabase } from './database.js';
import { quoteIdent } from './sql.js';

/** What one `migrate()` found or did, one entry per schema or table it is responsible for. */
export interface TableReport {
  /** A schema or a table. */
  kind: 'schema' | 'table';
  /** Quoted name: `"schema"` or `"schema"."table"`. */
  name: string;
  /** `false`: it existed already. */
  created: boolean;
}

/** What {@link ensureTables} creates: tables of one schema and the idempotent DDL that makes them. */
export interface EnsureTablesSpec {
  /** Schema of the tables (unquoted); created first if missing. */
  schema: string;
  /**
   * The tables `statements` create (unquoted names in `schema`), reported in this order. The
   * first one names the lock.
   */
  tables: readonly string[];
  /** Idempotent DDL (`IF NOT EXISTS`), run in order. */
  statements: readonly string[];
  /**
   * Run nothing when every table exists: for a table that holds someone's data (a mirrored
   * table), where a later `CREATE INDEX` would lock a large table. The stores' own tables leave
   * this off, so an index added in a later version is created on the next `migrate()`.
   */
  onlyIfMissing?: boolean;
}

/**
 * Runs `spec.statements` in one transaction under an advisory lock keyed by the first table, after
 * creating the schema if it is missing (under a lock of its own), and says which tables and schema
 * it created and which existed. Safe to run from several processes at once: they take turns, and
 * the later ones find everything in place.
 */
export async function ensureTables(
  db: PgDatabase,
  spec: EnsureTablesSpec,
  options: CallOptions = {},
): Promise<TableReport[]> {
  const schema = quoteIdent(spec.schema);
  const names = spec.tables.map((t) => `${schema}.${quoteIdent(t)}`);
  return db.withTransaction(
    async () => {
      await lock(db, names[0]!, options);
      const existed: boolean[] = [];
      for (const t of spec.tables) existed.push(await tableExists(db, spec.schema, t, options));
      if (spec.onlyIfMissing && existed.every(Boolean)) {
        return names.map((name) => ({ kind: 'table' as const, name, created: false }));
      }
      const report: TableReport[] = [];
      // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists, so
      // it only runs when the schema is missing (a migration role may own its schema and still
      // not be allowed to create schemas).
      if (!(await schemaExists(db, spec.schema, options))) {
        // Several tables live in one schema: their migrations take turns on it as well. Always
        // locked after a table's key, never before, so two of them cannot deadlock.
        await lock(db, `schema:${schema}`, options);
        const created = !(await schemaExists(db, spec.schema, options));
        if (created) await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`, [], options);
        report.push({ kind: 'schema', name: schema, created });
      }
      for (const s of spec.statements) await db.query(s, [], options);
      names.forEach((name, i) => {
        report.push({ kind: 'table', name, created: !existed[i] });
      });
      return report;
    },
    { signal: options.signal },
  );
}

async function lock(db: PgDatabase, subject: string, options: CallOptions): Promise<void> {
  await db.query(
    'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
    [`mystira:ddl:${subject}`],
    options,
  );
}

// Existence is read from the catalogs with a query, not with to_regclass/to_regnamespace: those
// go through the backend's catalog cache, which may still hold "missing" from before the lock
// was granted (it is refreshed on relation locks, not advisory ones), while a query takes a new
// snapshot and sees what the previous lock holder committed.

async function tableExists(
  db: PgDatabase,
  schema: string,
  table: string,
  options: CallOptions,
): Promise<boolean> {
  const res = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2) AS found`,
    [schema, table],
    options,
  );
  return res.rows[0]!.found;
}

async function schemaExists(db: PgDatabase, schema: string, options: CallOptions) {
  const res = await db.query<{ found: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS found',
    [schema],
    options,
  );
  return res.rows[0]!.found;
}
