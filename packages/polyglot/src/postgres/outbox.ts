/**
 * The PostgreSQL outbox: one table, shared by every app instance and replayer. Claiming is one
 * `UPDATE ... WHERE seq IN (SELECT ... FOR UPDATE SKIP LOCKED)`: concurrent replayers never block
 * on each other's rows and never claim the same row at once; the claim stamps a lease (owner +
 * expiry, by the database clock so replayers on different hosts agree), and an entry whose
 * replayer died becomes claimable again when the lease runs out.
 */
import type {
  ClaimOptions,
  Outbox,
  OutboxEntry,
  OutboxReason,
  OutboxRecord,
  OutboxStats,
} from '@mystira/polyglot';
import type { CallOptions, Id } from '@mystira/repository';
import { type PgDatabase, quoteIdent } from '@mystira/repository-postgres';
import { TableStore } from './table.js';

/** Options of {@link postgresOutbox}. */
export interface PgOutboxOptions {
  /** Schema of the table. Default `public`. */
  schema?: string;
  /** Table name. Default `polyglot_outbox`. */
  table?: string;
}

interface Row {
  seq: string;
  entity: string;
  item_id: string;
  id_type: string;
  reason: OutboxReason;
  version: number | null;
  attempts: number;
  created_ms: number;
  due_ms: number;
  last_error: string | null;
}

/**
 * The polyglot outbox in one PostgreSQL table, shared by every app instance and replayer: claims
 * skip rows others hold (`FOR UPDATE SKIP LOCKED`) and leases run on the database clock. Create one
 * with {@link postgresOutbox}.
 */
export class PgOutbox extends TableStore implements Outbox {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase, options: PgOutboxOptions = {}) {
    super(db, options, 'polyglot_outbox');
    this.#db = db;
  }

  /** The DDL, for apps that run their own migrations (`Migrator`). Idempotent. */
  override statements(): string[] {
    const t = this.qualified;
    const ix = (s: string) => quoteIdent(`${this.table.name}_${s}`);
    return [
      `CREATE TABLE IF NOT EXISTS ${t} (
        seq bigserial PRIMARY KEY,
        entity text NOT NULL,
        item_id text NOT NULL,
        id_type text NOT NULL,
        reason text NOT NULL,
        version integer,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        due_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_until timestamptz,
        last_error text
      )`,
      `CREATE INDEX IF NOT EXISTS ${ix('due')} ON ${t} (due_at, seq)`,
      `CREATE INDEX IF NOT EXISTS ${ix('item')} ON ${t} (entity, item_id)`,
    ];
  }

  async append(records: readonly OutboxRecord[], options: CallOptions = {}): Promise<string[]> {
    if (records.length === 0) return [];
    const res = await this.#db.query<{ seq: string }>(
      `INSERT INTO ${this.qualified} (entity, item_id, id_type, reason, version, due_at, last_error)
       SELECT e, i, t, r, v, now() + d * interval '1 millisecond', err
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::float8[], $7::text[]) WITH ORDINALITY AS x(e, i, t, r, v, d, err, n)
       ORDER BY n
       RETURNING seq::text`,
      [
        records.map((r) => r.entity),
        records.map((r) => String(r.id)),
        records.map((r) => typeof r.id),
        records.map((r) => r.reason),
        records.map((r) => r.version ?? null),
        records.map((r) => r.delayMs ?? 0),
        records.map((r) => r.error ?? null),
      ],
      options,
    );
    // bigserial values are assigned in insert order, so sorting restores the records' order.
    return res.rows.map((r) => r.seq).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  }

  async claim(options: ClaimOptions): Promise<OutboxEntry[]> {
    const res = await this.#db.query<Row>(
      `UPDATE ${this.qualified} o
         SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
       WHERE o.seq IN (
         SELECT seq FROM ${this.qualified}
          WHERE ($3::boolean OR due_at <= now())
            AND (lease_until IS NULL OR lease_until <= now())
            AND ($4::text IS NULL OR entity = $4)
          ORDER BY due_at, seq
          LIMIT $5
          FOR UPDATE SKIP LOCKED)
       RETURNING ${this.#columns('o')}`,
      [
        options.owner,
        options.leaseMs,
        options.ignoreSchedule ?? false,
        options.entity ?? null,
        options.limit,
      ],
      { signal: options.signal },
    );
    return res.rows
      .map(entryOf)
      .sort((a, b) => a.dueAt - b.dueAt || (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  }

  #columns(alias: string): string {
    const a = `${alias}.`;
    return `${a}seq::text AS seq, ${a}entity, ${a}item_id, ${a}id_type, ${a}reason, ${a}version, ${a}attempts,
      (extract(epoch FROM ${a}created_at) * 1000)::float8 AS created_ms, (extract(epoch FROM ${a}due_at) * 1000)::float8 AS due_ms, ${a}last_error`;
  }

  async complete(
    seqs: readonly string[],
    options: CallOptions & { owner?: string } = {},
  ): Promise<number> {
    if (seqs.length === 0) return 0;
    const res = await this.#db.query(
      `DELETE FROM ${this.qualified}
        WHERE seq = ANY($1::bigint[]) AND ($2::text IS NULL OR (lease_owner = $2 AND lease_until > now()))`,
      [seqs, options.owner ?? null],
      options,
    );
    return res.rowCount ?? 0;
  }

  async retry(
    seq: string,
    options: CallOptions & { owner?: string; delayMs: number; error?: string | null },
  ): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.qualified}
          SET attempts = attempts + 1, due_at = now() + $2 * interval '1 millisecond',
              last_error = coalesce($3, last_error), lease_owner = NULL, lease_until = NULL
        WHERE seq = $1::bigint AND ($4::text IS NULL OR lease_owner = $4)`,
      [seq, options.delayMs, options.error ?? null, options.owner ?? null],
      options,
    );
  }

  async pending(entity: string, id: Id, options: CallOptions = {}): Promise<boolean> {
    const res = await this.#db.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.qualified} WHERE entity = $1 AND item_id = $2 AND id_type = $3) AS found`,
      [entity, String(id), typeof id],
      { ...options, intent: 'read', consistency: 'strong' },
    );
    return res.rows[0]!.found;
  }

  async stats(options: CallOptions & { entity?: string } = {}): Promise<OutboxStats> {
    const res = await this.#db.query<{ depth: number; due: number; age: number | null }>(
      `SELECT count(*)::int AS depth,
              (count(*) FILTER (WHERE due_at <= now() AND (lease_until IS NULL OR lease_until <= now())))::int AS due,
              (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS age
         FROM ${this.qualified} WHERE ($1::text IS NULL OR entity = $1)`,
      [options.entity ?? null],
      { signal: options.signal, intent: 'read', consistency: 'strong' },
    );
    const r = res.rows[0]!;
    return { depth: r.depth, due: r.due, oldestAgeMs: r.age === null ? null : Math.max(0, r.age) };
  }
}

function entryOf(r: Row): OutboxEntry {
  return {
    seq: r.seq,
    entity: r.entity,
    id: r.id_type === 'number' ? Number(r.item_id) : r.item_id,
    reason: r.reason,
    version: r.version,
    attempts: r.attempts,
    createdAt: r.created_ms,
    dueAt: r.due_ms,
    lastError: r.last_error,
  };
}

/** Creates a PostgreSQL outbox (call `migrate()` once, or run `statements()` in your migrations). */
export function postgresOutbox(db: PgDatabase, options?: PgOutboxOptions): PgOutbox {
  return new PgOutbox(db, options);
}
