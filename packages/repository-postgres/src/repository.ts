/**
 * `Repository<T>` over PostgreSQL. Every statement goes through `PgDatabase.query`, so calls
 * join the ambient `withTransaction`, reads may be routed to replicas, and errors arrive already
 * typed. Optimistic concurrency is a `WHERE version = $n` on the write itself: the database, not
 * a read-then-write in the client, decides which of two racing writers wins.
 */
import {
  AlreadyExistsError,
  bindAggregate,
  bindQuery,
  type CallOptions,
  ConcurrencyError,
  type CursorCodec,
  checkId,
  type DeclaredEntity,
  defaultCursorCodec,
  expectedVersionOf,
  type Id,
  idOf,
  MultipleResultsError,
  NotFoundError,
  type PageOptions,
  pageQuery,
  pageVia,
  prepareForWrite,
  queryOf,
  type Repository,
  type RepositoryBackend,
  type RepositoryPage,
  type StreamOptions,
  specErrors,
  throwIfAborted,
  type WriteOptions,
} from '@mystira/repository';
import {
  type AggregateSource,
  type EntityDef,
  finishAggregate,
  type InferShape,
  keysetOf,
  projector,
  type QueryNode,
  type Shape,
  type SpecSource,
} from '@mystira/specification';
import { compileAggregate, partialGroups } from './aggregate.js';
import { compileAny, compileCount, compileSelect, selectList } from './compiler.js';
import type { PgDatabase, QueryOptions } from './database.js';
import { type TableMapping, type TableOptions, tableMapping } from './mapping.js';
import { itemToRecord, itemToRow, type Row, rowToItem, rowVersion } from './rows.js';

/** Options of a PostgreSQL repository's reads. */
export interface PgCallOptions extends CallOptions {
  /** `strong` reads from the primary even when replicas are configured. */
  consistency?: 'strong' | 'eventual';
}

/** Options of `bulkInsert`. */
export interface BulkOptions extends CallOptions {
  /** Rows per statement (default 5000). Each chunk is one `INSERT ... SELECT FROM jsonb_to_recordset($1)`. */
  chunkSize?: number;
}

export interface PostgresRepositoryOptions extends TableOptions {
  /** Default rows per round trip for `stream` (default 500). */
  streamBatchSize?: number;
  /**
   * Signs and checks page cursors. Default: the process-wide codec of `@mystira/repository`
   * (random secret); several instances serving one client must share a codec.
   */
  cursors?: CursorCodec;
}

/**
 * A `Repository<T>` over a PostgreSQL table. Statements go through {@link PgDatabase.query}, so
 * calls join the ambient transaction, reads may go to replicas and errors arrive typed; optimistic
 * concurrency is a `WHERE version = $n` on the write itself.
 */
export class PostgresRepository<T extends object> implements Repository<T> {
  readonly entity: EntityDef;
  /** How the entity is laid out in the table. */
  readonly mapping: TableMapping;
  /** For telemetry: `db.namespace` is the schema, `db.collection.name` the table. */
  readonly backend: RepositoryBackend;
  readonly #db: PgDatabase;
  readonly #batch: number;
  readonly #select: string;
  readonly #cursors: CursorCodec;

  constructor(db: PgDatabase, entity: EntityDef, options: PostgresRepositoryOptions = {}) {
    this.#cursors = options.cursors ?? defaultCursorCodec();
    this.#db = db;
    this.entity = entity;
    this.mapping = tableMapping(entity, options);
    this.backend = {
      system: 'postgresql',
      namespace: this.mapping.schema,
      collection: this.mapping.table,
    };
    this.#batch = options.streamBatchSize ?? 500;
    this.#select = selectList(this.mapping);
  }

  #bind(spec: SpecSource<unknown, unknown>): QueryNode {
    return specErrors(this.entity.name, () => bindQuery(this.entity, queryOf(spec)));
  }

  async #read(
    text: string,
    values: readonly unknown[],
    options: PgCallOptions,
    prepare = false,
  ): Promise<Row[]> {
    const q: QueryOptions = {
      intent: 'read',
      signal: options.signal,
      consistency: options.consistency,
      prepare,
    };
    const res = await this.#db.query(text, values, q);
    options.observe?.({ statement: 'SELECT', requests: 1, rowCount: res.rows.length });
    return res.rows as Row[];
  }

  async #fetch(query: QueryNode, options: PgCallOptions): Promise<T[]> {
    const c = specErrors(this.entity.name, () => compileSelect(this.mapping, query));
    const rows = await this.#read(c.text, c.values, options);
    return rows.map((r) => rowToItem<T>(this.mapping, r));
  }

  async getById(id: Id, options: PgCallOptions = {}): Promise<T | undefined> {
    checkId(this.entity, id);
    const rows = await this.#read(
      `SELECT ${this.#select} FROM ${this.mapping.qualified} WHERE ${this.mapping.idColumn} = $1`,
      [id],
      options,
      true,
    );
    return rows[0] ? rowToItem<T>(this.mapping, rows[0]) : undefined;
  }

  async getMany(ids: readonly Id[], options: PgCallOptions = {}): Promise<T[]> {
    for (const id of ids) checkId(this.entity, id);
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)];
    const rows = await this.#read(
      `SELECT ${this.#select} FROM ${this.mapping.qualified} WHERE ${this.mapping.idColumn} = ANY($1)`,
      [unique],
      options,
      true,
    );
    const byId = new Map<Id, T>();
    for (const r of rows) {
      const item = rowToItem<T>(this.mapping, r);
      byId.set((item as Record<string, Id>)[this.entity.id]!, item);
    }
    return unique.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async list<R = T>(spec: SpecSource<T, R>, options: PgCallOptions = {}): Promise<R[]> {
    const q = this.#bind(spec);
    const items = await this.#fetch(q, options);
    const project = projector(q.select);
    return q.select ? items.map((i) => project(i) as R) : (items as unknown as R[]);
  }

  /**
   * Keyset batches of `batchSize` rows, each its own short statement (no connection held open
   * between batches, replicas allowed). Like keyset paging, rows written during the iteration
   * may or may not appear, but no row that existed throughout is skipped or repeated.
   */
  async *stream<R = T>(
    spec: SpecSource<T, R>,
    options: StreamOptions & PgCallOptions = {},
  ): AsyncIterable<R> {
    const q = this.#bind(spec);
    const batch = Math.max(1, options.batchSize ?? this.#batch);
    const project = projector(q.select);
    let remaining = q.take ?? Number.POSITIVE_INFINITY;
    let after = q.after;
    let skip = q.skip;
    while (remaining > 0) {
      throwIfAborted(options.signal, this.entity.name);
      const take = Math.min(batch, remaining);
      const rows = await this.#fetch({ ...q, select: null, after, skip, take }, options);
      for (const row of rows) {
        throwIfAborted(options.signal, this.entity.name);
        yield (q.select ? project(row) : row) as R;
      }
      if (rows.length < take) return;
      remaining -= rows.length;
      after = keysetOf(q, rows[rows.length - 1]!);
      skip = 0;
    }
  }

  async first<R = T>(spec: SpecSource<T, R>, options: PgCallOptions = {}): Promise<R | undefined> {
    const q = this.#bind(spec);
    return (await this.list<R>({ ...q, take: q.take === 0 ? 0 : 1 }, options))[0];
  }

  async single<R = T>(spec: SpecSource<T, R>, options: PgCallOptions = {}): Promise<R | undefined> {
    const q = this.#bind(spec);
    const rows = await this.list<R>({ ...q, take: q.take === 0 ? 0 : 2 }, options);
    if (rows.length > 1) throw new MultipleResultsError();
    return rows[0];
  }

  async count(spec: SpecSource<T, unknown>, options: PgCallOptions = {}): Promise<number> {
    const q = this.#bind(spec);
    const c = specErrors(this.entity.name, () => compileCount(this.mapping, q));
    const rows = await this.#read(c.text, c.values, options);
    // count(*) is a bigint, which pg returns as a string: more than 2^31 rows must not overflow.
    return Number(rows[0]!.n);
  }

  async any(spec: SpecSource<T, unknown>, options: PgCallOptions = {}): Promise<boolean> {
    const q = this.#bind(spec);
    const c = specErrors(this.entity.name, () => compileAny(this.mapping, q));
    const rows = await this.#read(c.text, c.values, options);
    return rows[0]!.found as boolean;
  }

  /**
   * An aggregate in one `SELECT ... GROUP BY` (see aggregate.ts: exact `numeric` sums, the
   * shared rules of `@mystira/specification` applied to the rows).
   */
  async aggregate<R>(spec: AggregateSource<T, R>, options: PgCallOptions = {}): Promise<R> {
    const q = bindAggregate(this.entity, spec);
    const c = specErrors(this.entity.name, () => compileAggregate(this.mapping, q));
    const rows = await this.#read(c.text, c.values, options);
    return finishAggregate<R>(q, partialGroups(q, rows));
  }

  async page<R = T>(
    spec: SpecSource<T, R>,
    options: PageOptions & PgCallOptions = {},
  ): Promise<RepositoryPage<R>> {
    const q = this.#bind(spec);
    const seek = pageQuery(this.entity, q, options.cursor ?? null, this.#cursors);
    return pageVia<T, R>(this.entity, q, seek, this.#cursors, {
      fetch: (query) => this.#fetch(query, options),
      count: (query) => this.count(query as SpecSource<T, unknown>, options),
    });
  }

  #insertSql(): string {
    const cols = this.mapping.columns.map((c) => `"${c.name}"`).join(', ');
    const values = this.mapping.columns
      .map((c, i) => `$${i + 1}::${c.sqlType.replace(' COLLATE "C"', '')}`)
      .join(', ');
    return `INSERT INTO ${this.mapping.qualified} (${cols}) VALUES (${values})`;
  }

  #prepare(item: T, version: number): unknown[] {
    const prepared = prepareForWrite(this.entity, item, version) as Record<string, unknown>;
    return itemToRow(this.mapping, prepared, version);
  }

  #out(item: T, version: number): T {
    const copy = structuredClone(item) as Record<string, unknown>;
    if (this.entity.version) copy[this.entity.version] = version;
    return copy as T;
  }

  async add(item: T, options: CallOptions = {}): Promise<T> {
    const row = specErrors(this.entity.name, () => this.#prepare(item, 1));
    const res = await this.#db.query(this.#insertSql(), row, {
      signal: options.signal,
      prepare: true,
    });
    options.observe?.({ statement: 'INSERT', requests: 1, rowCount: res.rowCount ?? 1 });
    return this.#out(item, 1);
  }

  /** All-or-none: one transaction (or the caller's), bulk `jsonb_to_recordset` inserts in chunks. */
  async addMany(items: readonly T[], options: BulkOptions = {}): Promise<T[]> {
    if (items.length === 0) return [];
    await this.bulkInsert(items, options);
    return items.map((i) => this.#out(i, 1));
  }

  /**
   * Inserts many new items fast: each chunk is ONE statement with ONE parameter, the chunk as a
   * JSON array (`INSERT ... SELECT ... FROM jsonb_to_recordset($1::jsonb) AS x(...)`), so the
   * statement text and parameter count do not grow with the batch. Atomic: all chunks run in one
   * transaction. Returns the number of rows inserted.
   */
  async bulkInsert(items: readonly T[], options: BulkOptions = {}): Promise<number> {
    return this.#bulk(items, options, false);
  }

  /** Like `bulkInsert`, but existing ids are replaced (version incremented), as `upsert` does. */
  async bulkUpsert(items: readonly T[], options: BulkOptions = {}): Promise<number> {
    return this.#bulk(items, options, true);
  }

  async #bulk(items: readonly T[], options: BulkOptions, upsert: boolean): Promise<number> {
    throwIfAborted(options.signal, this.entity.name);
    const size = Math.max(1, options.chunkSize ?? 5000);
    const records = specErrors(this.entity.name, () =>
      items.map((i) =>
        itemToRecord(
          this.mapping,
          prepareForWrite(this.entity, i, 1) as Record<string, unknown>,
          1,
        ),
      ),
    );
    const ids = new Set(items.map((i) => idOf(this.entity, i)));
    if (ids.size !== records.length) {
      // Within one statement PostgreSQL would report a unique violation (insert) or refuse to
      // touch a row twice (upsert); say what happened instead.
      throw new AlreadyExistsError(`${this.entity.name}: duplicate ids in the batch`, {
        entity: this.entity.name,
      });
    }
    // One JSON parameter per chunk, expanded server-side by jsonb_to_recordset: the statement
    // text and parameter count do not grow with the batch, and the client does a single
    // JSON.stringify instead of escaping one array literal per column.
    const cols = this.mapping.columns.map((c) => `"${c.name}"`).join(', ');
    const defs = this.mapping.columns
      .map((c) => `"${c.name}" ${c.sqlType.replace(' COLLATE "C"', '')}`)
      .join(', ');
    let text = `INSERT INTO ${this.mapping.qualified} (${cols}) SELECT ${cols} FROM jsonb_to_recordset($1::jsonb) AS x(${defs})`;
    if (upsert) text += this.#onConflict();
    let total = 0;
    await this.#db.withTransaction(
      async () => {
        for (let start = 0; start < records.length; start += size) {
          const chunk = JSON.stringify(records.slice(start, start + size));
          const res = await this.#db.query(text, [chunk], { signal: options.signal });
          total += res.rowCount ?? 0;
          options.observe?.({ statement: 'INSERT', requests: 1, rowCount: res.rowCount ?? 0 });
        }
      },
      { signal: options.signal },
    );
    return total;
  }

  #onConflict(): string {
    const sets = this.mapping.columns
      .filter(
        (c) =>
          `"${c.name}"` !== this.mapping.idColumn && `"${c.name}"` !== this.mapping.versionColumn,
      )
      .map((c) => `"${c.name}" = EXCLUDED."${c.name}"`);
    sets.push(
      `${this.mapping.versionColumn} = ${this.mapping.qualified}.${this.mapping.versionColumn} + 1`,
    );
    return ` ON CONFLICT (${this.mapping.idColumn}) DO UPDATE SET ${sets.join(', ')}`;
  }

  async update(item: T, options: WriteOptions = {}): Promise<T> {
    const id = specErrors(this.entity.name, () => idOf(this.entity, item));
    const expected = expectedVersionOf(this.entity, item, options.expectedVersion);
    const row = specErrors(this.entity.name, () => this.#prepare(item, expected ?? 1));
    const params: unknown[] = [];
    const sets: string[] = [];
    let idParam = '';
    this.mapping.columns.forEach((c, i) => {
      const q = `"${c.name}"`;
      if (q === this.mapping.versionColumn) return;
      const ph = `${addParam(params, row[i])}::${c.sqlType.replace(' COLLATE "C"', '')}`;
      if (q === this.mapping.idColumn) idParam = ph;
      else sets.push(`${q} = ${ph}`);
    });
    sets.push(`${this.mapping.versionColumn} = ${this.mapping.versionColumn} + 1`);
    let where = `${this.mapping.idColumn} = ${idParam}`;
    if (expected !== null)
      where += ` AND ${this.mapping.versionColumn} = ${addParam(params, expected)}::int`;
    const text = `UPDATE ${this.mapping.qualified} SET ${sets.join(', ')} WHERE ${where} RETURNING ${this.mapping.versionColumn} AS v`;
    const res = await this.#db.query(text, params, { signal: options.signal });
    options.observe?.({ statement: 'UPDATE', requests: 1, rowCount: res.rowCount ?? 0 });
    if (res.rowCount === 1) return this.#out(item, res.rows[0]!.v as number);
    return this.#explainMiss(id, expected, options.signal);
  }

  /** After a write matched no row: NotFound, or Concurrency with the current version. */
  async #explainMiss(
    id: Id,
    expected: number | null,
    signal: AbortSignal | undefined,
  ): Promise<never> {
    const res = await this.#db.query(
      `SELECT ${this.mapping.versionColumn} AS v FROM ${this.mapping.qualified} WHERE ${this.mapping.idColumn} = $1`,
      [id],
      { signal },
    );
    if (res.rowCount === 0)
      throw new NotFoundError(`${this.entity.name} "${id}" not found`, {
        entity: this.entity.name,
        id,
      });
    const actual = res.rows[0]!.v as number;
    throw new ConcurrencyError(
      `${this.entity.name} "${id}" is at version ${actual}, not ${expected}`,
      {
        entity: this.entity.name,
        id,
        expectedVersion: expected ?? -1,
        actualVersion: actual,
      },
    );
  }

  async upsert(item: T, options: CallOptions = {}): Promise<T> {
    const row = specErrors(this.entity.name, () => this.#prepare(item, 1));
    const res = await this.#db.query(
      `${this.#insertSql()}${this.#onConflict()} RETURNING ${this.mapping.versionColumn} AS v`,
      row,
      { signal: options.signal },
    );
    options.observe?.({ statement: 'INSERT', requests: 1, rowCount: res.rowCount ?? 1 });
    return this.#out(item, res.rows[0]!.v as number);
  }

  async delete(id: Id, options: WriteOptions = {}): Promise<void> {
    checkId(this.entity, id);
    const expected = options.expectedVersion ?? null;
    const params: unknown[] = [id];
    let text = `DELETE FROM ${this.mapping.qualified} WHERE ${this.mapping.idColumn} = $1`;
    if (expected !== null)
      text += ` AND ${this.mapping.versionColumn} = ${addParam(params, expected)}::int`;
    const res = await this.#db.query(text, params, { signal: options.signal });
    options.observe?.({ statement: 'DELETE', requests: 1, rowCount: res.rowCount ?? 0 });
    if (res.rowCount === 1) return;
    await this.#explainMiss(id, expected, options.signal);
  }

  /** The version of a stored row (for callers of entities without a version field). */
  async versionOf(id: Id, options: PgCallOptions = {}): Promise<number | undefined> {
    checkId(this.entity, id);
    const rows = await this.#read(
      `SELECT ${this.#select} FROM ${this.mapping.qualified} WHERE ${this.mapping.idColumn} = $1`,
      [id],
      { ...options, consistency: 'strong' },
    );
    return rows[0] ? rowVersion(this.mapping, rows[0]) : undefined;
  }
}

function addParam(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/**
 * Creates a PostgreSQL repository for `entity` on `db` (see `PostgresRepositoryOptions`), of the
 * entity's item type or of the `T` named (see `DeclaredEntity` in `@mystira/repository`).
 */
export function postgresRepository<S extends Shape>(
  db: PgDatabase,
  entity: DeclaredEntity<S>,
  options?: PostgresRepositoryOptions,
): PostgresRepository<InferShape<S>>;
export function postgresRepository<T extends object>(
  db: PgDatabase,
  entity: EntityDef,
  options?: PostgresRepositoryOptions,
): PostgresRepository<T>;
export function postgresRepository(
  db: PgDatabase,
  entity: EntityDef,
  options?: PostgresRepositoryOptions,
): PostgresRepository<object> {
  return new PostgresRepository(db, entity, options);
}
