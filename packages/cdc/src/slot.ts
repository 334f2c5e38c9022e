/**
 * The server-side objects a PostgreSQL change source reads through, on an ordinary (not
 * replication) connection: the publication (which tables' changes are sent), the logical
 * replication slot (one per consumer group: it holds the group's position, so the server keeps
 * the WAL the group has not acknowledged), and the slot's state for the health check.
 */
import type pg from 'pg';
import { CdcSlotError } from './errors.js';

/** What the server says about a replication slot. */
export interface SlotStatus {
  /** The slot's name. */
  readonly slot: string;
  /** Whether a consumer is connected to it now. */
  readonly active: boolean;
  /**
   * `reserved` or `extended`: fine; `unreserved`: past `max_wal_size`, at risk; `lost`: the
   * server removed WAL the slot needed, so changes were skipped (the slot is left behind).
   */
  readonly walStatus: string | null;
  /** The position acknowledged by the consumer group (`X/Y`), if any. */
  readonly confirmedPosition: string | null;
  /** WAL bytes written since that position: how far the group is behind. */
  readonly lagBytes: number;
}

const NAME = /^[a-z0-9_]{1,63}$/;

/** Slot and publication names: lower-case letters, digits and `_`, as PostgreSQL requires for slots. */
export function isObjectName(name: string): boolean {
  return NAME.test(name);
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** `schema.table` or `table`, each part quoted. */
export function quoteTable(table: string): string {
  return table.split('.').map(quote).join('.');
}

const DUPLICATE_OBJECT = '42710';

/** Creates the publication unless it exists: for `tables`, or for all tables when absent. */
export async function ensurePublication(
  db: pg.Pool,
  name: string,
  tables: readonly string[] | undefined,
): Promise<void> {
  const found = await db.query('select 1 from pg_publication where pubname = $1', [name]);
  if (found.rowCount) return;
  const target = tables ? `for table ${tables.map(quoteTable).join(', ')}` : 'for all tables';
  try {
    await db.query(`create publication ${quote(name)} ${target}`);
  } catch (err) {
    // Another instance of the group created it first.
    if ((err as { code?: string }).code !== DUPLICATE_OBJECT) throw err;
  }
}

/** Creates the logical slot (pgoutput) unless it exists. */
export async function ensureSlot(db: pg.Pool, slot: string): Promise<void> {
  const found = await db.query('select 1 from pg_replication_slots where slot_name = $1', [slot]);
  if (found.rowCount) return;
  try {
    await db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  } catch (err) {
    if ((err as { code?: string }).code !== DUPLICATE_OBJECT) throw err;
  }
}

/** The slot's state, or undefined when it does not exist. */
export async function slotStatus(db: pg.Pool, slot: string): Promise<SlotStatus | undefined> {
  const { rows } = await db.query<{
    active: boolean;
    wal_status: string | null;
    confirmed_flush_lsn: string | null;
    lag_bytes: string | null;
  }>(
    `select active, wal_status, confirmed_flush_lsn::text,
            pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text as lag_bytes
       from pg_replication_slots where slot_name = $1`,
    [slot],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    slot,
    active: row.active,
    walStatus: row.wal_status,
    confirmedPosition: row.confirmed_flush_lsn,
    lagBytes: Math.max(0, Number(row.lag_bytes ?? 0)),
  };
}

/**
 * Drops the slot. The walsender of a connection that just closed may hold it for a moment, so
 * an `active` slot is retried for up to `waitMs`; a missing slot is already gone.
 */
export async function dropSlot(db: pg.Pool, slot: string, waitMs = 5000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (true) {
    try {
      await db.query(
        'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
        [slot],
      );
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== '55006' || Date.now() > deadline) {
        throw new CdcSlotError(slot, 'active', `cannot drop replication slot ${slot}`, {
          cause: err,
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
