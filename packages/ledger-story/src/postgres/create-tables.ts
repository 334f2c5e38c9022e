/**
 * Table creation that several instances may run at once. Concurrent `CREATE TABLE IF NOT EXISTS`
 * can still collide in PostgreSQL's catalog (a unique violation on `pg_type`), so the statements
 * run behind a transaction-scoped advisory lock on a name: instances starting together take
 * turns. One simple-protocol query of several statements is one transaction, and leaves no open
 * transaction on a pooled connection when a statement fails.
 */
import type pg from 'pg';

/** A plain SQL identifier: what table and schema names from configuration must be. */
export const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Runs `ddl` (idempotent statements, e.g. `CREATE TABLE IF NOT EXISTS`) holding the advisory lock
 * of `lockName`. Both come from configuration, never from a request; `lockName` must be made of
 * plain identifiers joined by dots.
 */
export async function createTablesUnderLock(
  pool: Pick<pg.Pool, 'query'>,
  lockName: string,
  ddl: string,
): Promise<void> {
  if (!lockName.split('.').every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(`not a plain SQL name: ${JSON.stringify(lockName)}`);
  }
  await pool.query(`SELECT pg_advisory_xact_lock(hashtext('${lockName}'));\n${ddl}`);
}
