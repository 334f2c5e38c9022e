/**
 * `MirrorStore` on PostgreSQL: the secondary side of a dual write, kept in the very table a
 * `PostgresRepository` reads, with the primary's versions, plus a tombstone table.
 *
 * Each gated write is one transaction that first takes a transaction-scoped advisory lock on
 * (table, id), then reads the head in a NEW statement (under READ COMMITTED that statement sees
 * every write committed before the lock was granted), decides with the shared `gate`, writes the
 * item through the repository itself (same validation and row mapping as every other write) and
 * finally sets the version column to the primary's version. A timed-out or aborted write rolls
 * back whole, so a late write never lands half-done.
 */
import {
  gate,
  type MirrorHead,
  type MirrorResult,
  type MirrorStore,
  type MirrorWriteOptions,
  removeGate,
  sameItem,
  type Tombstone,
} from '@mystira/polyglot';
import { type CallOptions, type Id, idOf } from '@mystira/repository';
import {
  createTableStatements,
  ensureTables,
  type PgDatabase,
  type PostgresRepository,
  quoteIdent,
  type TableReport,
} from '@mystira/repository-postgres';
import type { EntityDef } from '@mystira/specification';
import { guardPool } from './guard.js';

/** Options of {@link postgresMirror}. */
export interface PgMirrorOptions {
  /** Schema of the tombstone table. Default: the repository's schema. */
  tombstoneSchema?: string;
  /** Tombstone table (shared by every mirrored table of the schema). Default `polyglot_tombstones`. */
  tombstoneTable?: string;
}

/**
 * A `MirrorStore` on PostgreSQL: the secondary of a polyglot binding, kept in the table a
 * {@link @mystira/repository-postgres!PostgresRepository | PostgresRepository} reads, at the
 * primary's versions, plus a tombstone table. Each gated write is
 * one transaction under an advisory lock on (table, id). Create one with {@link postgresMirror}.
 */
export class PgMirror<T extends object> implements MirrorStore<T> {
  readonly entity: EntityDef;
  readonly repository: PostgresRepository<T>;
  readonly #db: PgDatabase;
  readonly #tomb: string;
  readonly #tombName: string;
  readonly #tombSchema: string;
  /** Tombstones are keyed by table, so one entity mirrored into two tables never collides. */
  readonly #key: string;
  readonly #table: string;
  readonly #idCol: string;
  readonly #verCol: string;
  readonly #idArray: string;
  readonly #idCast: string;

  constructor(db: PgDatabase, repository: PostgresRepository<T>, options: PgMirrorOptions = {}) {
    this.#db = db;
    guardPool(db.primary);
    this.repository = repository;
    this.entity = repository.entity;
    const m = repository.mapping;
    this.#tombName = options.tombstoneTable ?? 'polyglot_tombstones';
    this.#tombSchema = options.tombstoneSchema ?? m.schema;
    this.#tomb = `${quoteIdent(this.#tombSchema)}.${quoteIdent(this.#tombName)}`;
    this.#key = `${m.schema}.${m.table}`;
    this.#table = m.qualified;
    this.#idCol = m.idColumn;
    this.#verCol = m.versionColumn;
    const numeric = this.entity.fieldAt(this.entity.id)?.type === 'number';
    this.#idArray = numeric ? 'float8[]' : 'text[]';
    this.#idCast = numeric ? '::float8' : '::text';
  }

  /** DDL of the tombstone table (idempotent). The mirrored table itself is the repository's. */
  statements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.#tomb} (
        tbl text NOT NULL,
        item_id text NOT NULL,
        version integer NOT NULL,
        deleted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tbl, item_id)
      )`,
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${this.#tombName}_age`)} ON ${this.#tomb} (tbl, deleted_at)`,
    ];
  }

  /** The tables `migrate()` is responsible for (quoted): the mirrored table, the tombstones. */
  tables(): string[] {
    return [this.#table, this.#tomb];
  }

  /**
   * Creates what the mirror needs, each under its own advisory lock, and says what it found:
   * the mirrored table (from the repository's mapping, as `createTableStatements` does) only if
   * it is missing, so a fresh secondary works and an existing one, maybe large and maybe
   * created by the app's own migrations, is left alone; then the tombstone table.
   */
  async migrate(options: CallOptions = {}): Promise<TableReport[]> {
    const m = this.repository.mapping;
    const table = await ensureTables(
      this.#db,
      {
        schema: m.schema,
        tables: [m.table],
        // The schema is ensureTables' business (created only when missing, under a lock).
        statements: createTableStatements(m).filter((s) => !s.startsWith('CREATE SCHEMA')),
        onlyIfMissing: true,
      },
      options,
    );
    const tombstones = await ensureTables(
      this.#db,
      {
        schema: this.#tombSchema,
        tables: [this.#tombName],
        statements: this.statements(),
      },
      options,
    );
    return [...table, ...tombstones];
  }

  async #lock(ids: readonly Id[], options: CallOptions): Promise<void> {
    // Sorted, so two batches locking overlapping ids cannot deadlock.
    const keys = [...new Set(ids.map((id) => `${this.#key}:${id}`))].sort();
    await this.#db.query(
      'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k ORDER BY k',
      [keys],
      options,
    );
  }

  async #heads(ids: readonly Id[], options: CallOptions): Promise<Map<Id, MirrorHead>> {
    const out = new Map<Id, MirrorHead>();
    if (ids.length === 0) return out;
    const res = await this.#db.query<{ id: Id; version: number; deleted: boolean }>(
      `SELECT ${this.#idCol} AS id, ${this.#verCol} AS version, false AS deleted FROM ${this.#table} WHERE ${this.#idCol} = ANY($1::${this.#idArray})
       UNION ALL
       SELECT item_id${this.#idCast} AS id, version, true AS deleted FROM ${this.#tomb} WHERE tbl = $2 AND item_id = ANY($3::text[])`,
      [ids, this.#key, ids.map(String)],
      { signal: options.signal, intent: 'read', consistency: 'strong' },
    );
    // A live row wins over a leftover tombstone (writes delete the tombstone, but be strict).
    for (const r of res.rows) {
      const id = typeof ids[0] === 'number' ? Number(r.id) : r.id;
      if (!r.deleted || !out.has(id)) out.set(id, { version: r.version, deleted: r.deleted });
    }
    return out;
  }

  async head(id: Id, options: CallOptions = {}): Promise<MirrorHead | undefined> {
    return (await this.#heads([id], options)).get(id);
  }

  async heads(ids: readonly Id[], options: CallOptions = {}): Promise<Map<Id, MirrorHead>> {
    return this.#heads(ids, options);
  }

  /** Sets the versions of rows just written and drops their tombstones. */
  async #finish(
    ids: readonly Id[],
    versions: readonly number[],
    options: CallOptions,
  ): Promise<void> {
    await this.#db.query(
      `WITH v AS (SELECT * FROM unnest($1::${this.#idArray}, $2::int4[]) AS v(id, version)),
            d AS (DELETE FROM ${this.#tomb} WHERE tbl = $3 AND item_id = ANY($4::text[]))
       UPDATE ${this.#table} t SET ${this.#verCol} = v.version FROM v WHERE t.${this.#idCol} = v.id`,
      [ids, versions, this.#key, ids.map(String)],
      options,
    );
  }

  async put(item: T, version: number, options: MirrorWriteOptions = {}): Promise<MirrorResult> {
    const id = idOf(this.entity, item);
    return this.#db.withTransaction(
      async () => {
        await this.#lock([id], options);
        const g = gate((await this.#heads([id], options)).get(id), version, options);
        if (g !== 'write') return g;
        await this.repository.upsert(item, { signal: options.signal });
        await this.#finish([id], [version], options);
        return 'applied';
      },
      // No signal for the transaction itself: aborting while a connection is being acquired
      // trips a double release in PgDatabase (reported); statements inside still take it.
      {},
    );
  }

  async putMany(
    entries: readonly { item: T; version: number }[],
    options: CallOptions = {},
  ): Promise<MirrorResult[]> {
    if (entries.length === 0) return [];
    const ids = entries.map((e) => idOf(this.entity, e.item));
    return this.#db.withTransaction(
      async () => {
        await this.#lock(ids, options);
        const heads = await this.#heads(ids, options);
        const results: MirrorResult[] = [];
        // One write per id: the highest version in the batch, as if they were put in order.
        const best = new Map<Id, number>();
        entries.forEach((e, i) => {
          const j = best.get(ids[i]!);
          if (j === undefined || entries[j]!.version < e.version) best.set(ids[i]!, i);
        });
        const write: number[] = [];
        for (let i = 0; i < entries.length; i++) {
          if (best.get(ids[i]!) !== i) {
            results.push('stale');
            continue;
          }
          const g = gate(heads.get(ids[i]!), entries[i]!.version);
          if (g === 'write') write.push(i);
          results.push(g === 'write' ? 'applied' : g);
        }
        if (write.length > 0) {
          await this.repository.bulkUpsert(
            write.map((i) => entries[i]!.item),
            { signal: options.signal },
          );
          await this.#finish(
            write.map((i) => ids[i]!),
            write.map((i) => entries[i]!.version),
            options,
          );
        }
        return results;
      },
      // No signal for the transaction itself: aborting while a connection is being acquired
      // trips a double release in PgDatabase (reported); statements inside still take it.
      {},
    );
  }

  async remove(
    id: Id,
    version: number,
    options: MirrorWriteOptions<T> = {},
  ): Promise<MirrorResult> {
    return this.#db.withTransaction(
      async () => {
        await this.#lock([id], options);
        const head = (await this.#heads([id], options)).get(id);
        const g = removeGate(head, version, options);
        if (g !== 'write') return g;
        if (options.match && head && !head.deleted) {
          // Another generation of the id (deleted and re-created) is not the item being deleted.
          const stored = await this.repository.getById(id, {
            signal: options.signal,
            consistency: 'strong',
          });
          if (!sameItem(this.entity, stored, options.match)) return 'stale';
        }
        const v =
          options.expect !== undefined
            ? (head?.version ?? version)
            : Math.max(version, head?.version ?? 0);
        await this.#db.query(
          `WITH d AS (DELETE FROM ${this.#table} WHERE ${this.#idCol} = $1${this.#idCast})
           INSERT INTO ${this.#tomb} (tbl, item_id, version, deleted_at) VALUES ($2, $3, $4, now())
           ON CONFLICT (tbl, item_id) DO UPDATE SET version = EXCLUDED.version, deleted_at = now()`,
          [id, this.#key, String(id), v],
          options,
        );
        return 'applied';
      },
      // No signal for the transaction itself: aborting while a connection is being acquired
      // trips a double release in PgDatabase (reported); statements inside still take it.
      {},
    );
  }

  async tombstones(
    options: CallOptions & { before?: number; limit?: number } = {},
  ): Promise<Tombstone[]> {
    const res = await this.#db.query<{ item_id: string; version: number; at: number }>(
      `SELECT item_id, version, (extract(epoch FROM deleted_at) * 1000)::float8 AS at FROM ${this.#tomb}
        WHERE tbl = $1 AND ($2::float8 IS NULL OR deleted_at < to_timestamp($2 / 1000.0))
        ORDER BY deleted_at LIMIT $3`,
      [this.#key, Number.isFinite(options.before) ? options.before : null, options.limit ?? 1000],
      { signal: options.signal, intent: 'read', consistency: 'strong' },
    );
    const numeric = this.#idCast === '::float8';
    return res.rows.map((r) => ({
      id: numeric ? Number(r.item_id) : r.item_id,
      version: r.version,
      at: r.at,
    }));
  }

  async purgeTombstone(id: Id, version: number, options: CallOptions = {}): Promise<boolean> {
    const res = await this.#db.query(
      `DELETE FROM ${this.#tomb} WHERE tbl = $1 AND item_id = $2 AND version = $3`,
      [this.#key, String(id), version],
      options,
    );
    return (res.rowCount ?? 0) > 0;
  }
}

/** A mirror over `repository`'s table on `db` (call `migrate()` once to create its tables). */
export function postgresMirror<T extends object>(
  db: PgDatabase,
  repository: PostgresRepository<T>,
  options?: PgMirrorOptions,
): PgMirror<T> {
  return new PgMirror<T>(db, repository, options);
}
