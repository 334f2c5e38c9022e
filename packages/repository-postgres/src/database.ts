/**
 * The connection side of the adapter: a primary pool, optional read-replica pools, transactions
 * that repositories join implicitly (AsyncLocalStorage), read-your-writes routing, statement
 * timeouts, cancellation by `AbortSignal` (pg_cancel_backend on the running backend), and a
 * health check. Repositories and the migrator only ever talk to PostgreSQL through this.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { AbortedError, throwIfAborted } from '@mystira/repository';
import pg from 'pg';
import { classifyPgError } from './errors.js';

/** A pool to create (a `pg.PoolConfig` or a connection string) or an existing `pg.Pool` to use. */
export type PoolSource = pg.PoolConfig | pg.Pool | string;

/** Options of {@link PgDatabase}. */
export interface PgDatabaseOptions {
  /** Where writes (and reads that must see them) go. */
  primary: PoolSource;
  /**
   * Read replicas (streaming replication standbys). Reads outside transactions go to them round
   * robin, unless the read must see this process's writes (see `readYourWritesMs`, `session`).
   */
  replicas?: readonly PoolSource[];
  /**
   * Server-side `statement_timeout` for pools this module creates, in ms (default 30 000; 0 = none).
   * A statement running longer is cancelled by the server and surfaces as `UnavailableError`.
   */
  statementTimeoutMs?: number;
  /** Pool size for pools this module creates (default 10). */
  max?: number;
  /** Wait at most this long for a free connection, in ms (default 10 000). */
  connectionTimeoutMs?: number;
  /**
   * After a write through this database, send every read to the primary for this many ms, so
   * replica lag cannot hide the write (default 0: only `session()` and transactions pin reads).
   */
  readYourWritesMs?: number;
  /** Clock for `readYourWritesMs` (tests inject one). */
  now?: () => number;
  /**
   * Named prepared statements for fixed-text statements (by-id reads, inserts). Default true;
   * turn off behind a pooler that does not support them (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean;
}

/** Transaction isolation levels PostgreSQL implements. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Options of {@link PgDatabase.withTransaction}. */
export interface TransactionOptions {
  /** The isolation level. Default PostgreSQL's (`read committed`). */
  isolation?: IsolationLevel;
  /** Start the transaction `READ ONLY`: PostgreSQL refuses any write in it. */
  readOnly?: boolean;
  /** Aborts the transaction: the running statement is cancelled and everything rolls back. */
  signal?: AbortSignal;
  /**
   * `statement_timeout` for the statements of this transaction only (`SET LOCAL`), e.g. a tight
   * bound for a request path or a generous one for a batch job, overriding the pool's.
   */
  statementTimeoutMs?: number;
}

/** Options of one statement ({@link Queryable.query}). */
export interface QueryOptions {
  /** Cancels the statement on the server (and rejects with an `AbortedError`). */
  signal?: AbortSignal;
  /** `read` may go to a replica; `write` always goes to the primary. Default `write`. */
  intent?: 'read' | 'write';
  /** `strong` sends a read to the primary. Default `eventual` (replica when configured). */
  consistency?: 'strong' | 'eventual';
  /** Per-query pg type parsers (e.g. timestamps as text). */
  types?: pg.CustomTypesConfig;
  /**
   * Use a named prepared statement: the server parses and plans the text once per connection
   * and then only binds and executes. For statements whose text is fixed (by id, by version).
   */
  prepare?: boolean;
}

/**
 * What runs SQL: a {@link PgDatabase} (in the ambient transaction, if any). Migrations receive one.
 */
export interface Queryable {
  /**
   * Runs one statement with `$1`, `$2` ... bound to `values`; rejects with the repository's typed
   * errors.
   */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<pg.QueryResult<R>>;
}

/** What {@link PgDatabase.health} found: one probe (`select 1`) per pool. */
export interface HealthReport {
  /** True when the primary answered. Replicas failing degrade but do not fail the check. */
  ok: boolean;
  /** The primary's probe. */
  primary: {
    /** Whether it answered within the timeout. */
    ok: boolean;
    /** How long the probe took, in ms. */
    latencyMs: number;
    /** Why it failed, when it did. */
    error?: string;
  };
  /** One probe per replica, in the order they were configured. */
  replicas: {
    /** Whether it answered within the timeout. */
    ok: boolean;
    /** How long the probe took, in ms. */
    latencyMs: number;
    /** Why it failed, when it did. */
    error?: string;
  }[];
}

interface TxState {
  client: pg.PoolClient;
  savepoints: number;
  signal: AbortSignal | undefined;
}

interface Context {
  tx?: TxState;
  session?: { wrote: boolean };
}

function makePool(source: PoolSource, options: PgDatabaseOptions, owned: pg.Pool[]): pg.Pool {
  if (source instanceof pg.Pool) return source;
  const config: pg.PoolConfig =
    typeof source === 'string' ? { connectionString: source } : { ...source };
  const timeout = options.statementTimeoutMs ?? 30_000;
  if (timeout > 0 && config.statement_timeout === undefined) config.statement_timeout = timeout;
  config.max ??= options.max ?? 10;
  config.connectionTimeoutMillis ??= options.connectionTimeoutMs ?? 10_000;
  const pool = new pg.Pool(config);
  // An idle client losing its connection emits 'error' on the pool; without a listener Node
  // would crash the process. The next checkout simply gets a fresh connection.
  pool.on('error', () => {});
  owned.push(pool);
  return pool;
}

/**
 * A PostgreSQL database: primary + replicas, transactions, routing. Create one per process and
 * share it between repositories; `close()` ends the pools it created (never pools passed in).
 */
export class PgDatabase implements Queryable {
  /** The primary's pool: writes, transactions and strong reads. */
  readonly primary: pg.Pool;
  /**
   * The replicas' pools (empty without replicas): eventual reads outside transactions, round robin.
   */
  readonly replicas: readonly pg.Pool[];
  readonly #owned: pg.Pool[] = [];
  readonly #als = new AsyncLocalStorage<Context>();
  readonly #readYourWritesMs: number;
  readonly #now: () => number;
  readonly #prepared: boolean;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #next = 0;

  constructor(options: PgDatabaseOptions) {
    this.primary = makePool(options.primary, options, this.#owned);
    this.replicas = (options.replicas ?? []).map((r) => makePool(r, options, this.#owned));
    this.#readYourWritesMs = options.readYourWritesMs ?? 0;
    this.#now = options.now ?? Date.now;
    this.#prepared = options.preparedStatements ?? true;
  }

  /** True inside `withTransaction`. */
  get inTransaction(): boolean {
    return this.#als.getStore()?.tx !== undefined;
  }

  /** The pool a query with these options would use outside a transaction (exposed for tests). */
  route(options: Pick<QueryOptions, 'intent' | 'consistency'> = {}): pg.Pool {
    if (options.intent !== 'read' || this.replicas.length === 0) return this.primary;
    if (options.consistency === 'strong') return this.primary;
    if (this.#als.getStore()?.session?.wrote) return this.primary;
    if (this.#now() - this.#lastWriteAt < this.#readYourWritesMs) return this.primary;
    const pool = this.replicas[this.#next % this.replicas.length]!;
    this.#next = (this.#next + 1) % this.replicas.length;
    return pool;
  }

  /**
   * Runs one statement: in the ambient transaction if there is one, else on the routed pool.
   * Rejects with the repository's typed errors (see `classifyPgError`).
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<pg.QueryResult<R>> {
    throwIfAborted(options.signal);
    const ctx = this.#als.getStore();
    const config: pg.QueryConfig = { text, values: values as unknown[] };
    if (options.types) config.types = options.types;
    if (options.prepare && this.#prepared) config.name = statementName(text);
    if (options.intent !== 'read') {
      this.#lastWriteAt = this.#now();
      if (ctx?.session) ctx.session.wrote = true;
    }
    if (ctx?.tx) {
      const signal = anySignal(options.signal, ctx.tx.signal);
      return runOn<R>(ctx.tx.client, this.primary, config, signal, false);
    }
    const pool = this.route(options);
    const client = await acquire(pool, options.signal);
    try {
      return await runOn<R>(client, pool, config, options.signal, options.intent === 'read');
    } finally {
      release(client);
    }
  }

  /**
   * Runs `fn` in a transaction. Every repository call on this database inside `fn` (however deep,
   * across awaits) joins it, because the client travels in AsyncLocalStorage. Nested calls become
   * savepoints. Commits when `fn` resolves; rolls back when it throws or `signal` fires.
   */
  async withTransaction<R>(fn: () => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    throwIfAborted(options.signal);
    // Checked at run time too: the level becomes SQL text (BEGIN takes no bind parameter).
    const isolation = isolationSql(options.isolation);
    const outer = this.#als.getStore();
    if (outer?.tx) {
      const tx = outer.tx;
      const name = `mystira_sp_${++tx.savepoints}`;
      await runOn(tx.client, this.primary, { text: `SAVEPOINT ${name}` }, options.signal);
      try {
        const result = await fn();
        await runOn(tx.client, this.primary, { text: `RELEASE SAVEPOINT ${name}` }, undefined);
        return result;
      } catch (err) {
        await runOn(
          tx.client,
          this.primary,
          { text: `ROLLBACK TO SAVEPOINT ${name}` },
          undefined,
        ).catch(() => {});
        throw err;
      }
    }
    const client = await acquire(this.primary, options.signal);
    let broken = false;
    try {
      const mode = [
        isolation ? `ISOLATION LEVEL ${isolation}` : '',
        options.readOnly ? 'READ ONLY' : '',
      ]
        .filter(Boolean)
        .join(' ');
      await runOn(client, this.primary, { text: `BEGIN ${mode}`.trim() }, options.signal);
      if (options.statementTimeoutMs !== undefined) {
        const ms = options.statementTimeoutMs;
        if (!Number.isSafeInteger(ms) || ms < 0)
          throw new RangeError('statementTimeoutMs must be an integer >= 0');
        // SET cannot take a bind parameter; set_config can, and is_local = true scopes it to this transaction.
        await runOn(
          client,
          this.primary,
          { text: "SELECT set_config('statement_timeout', $1, true)", values: [String(ms)] },
          options.signal,
        );
      }
      const tx: TxState = { client, savepoints: 0, signal: options.signal };
      this.#lastWriteAt = this.#now();
      let result: R;
      try {
        result = await this.#als.run({ ...outer, tx }, fn);
        throwIfAborted(options.signal);
      } catch (err) {
        await runOn(client, this.primary, { text: 'ROLLBACK' }, undefined).catch(() => {
          broken = true;
        });
        throw err;
      }
      await runOn(client, this.primary, { text: 'COMMIT' }, undefined);
      return result;
    } catch (err) {
      throw classifyPgError(err, { signal: options.signal });
    } finally {
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
      release(client, broken);
    }
  }

  /**
   * Runs `fn` in a read-your-writes session: once `fn` has written, its later reads go to the
   * primary even outside a transaction, so replica lag never hides its own writes.
   */
  session<R>(fn: () => Promise<R>): Promise<R> {
    return this.#als.run({ ...this.#als.getStore(), session: { wrote: false } }, fn);
  }

  /** `select 1` on the primary and every replica, each bounded by `timeoutMs` (default 2000). */
  async health(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<HealthReport> {
    const timeoutMs = options.timeoutMs ?? 2000;
    const probe = async (pool: pg.Pool) => {
      const started = performance.now();
      const signal = anySignal(options.signal, AbortSignal.timeout(timeoutMs));
      try {
        const client = await acquire(pool, signal);
        try {
          await runOn(client, pool, { text: 'select 1' }, signal);
        } finally {
          release(client);
        }
        return { ok: true, latencyMs: performance.now() - started };
      } catch (err) {
        return {
          ok: false,
          latencyMs: performance.now() - started,
          error: err instanceof Error ? err.message : String(err),
        };
      }
    };
    const [primary, ...replicas] = await Promise.all([
      probe(this.primary),
      ...this.replicas.map(probe),
    ]);
    return { ok: primary!.ok, primary: primary!, replicas };
  }

  /** Ends the pools this database created (pools passed in by the caller stay open). */
  async close(): Promise<void> {
    await Promise.all(this.#owned.splice(0).map((p) => p.end()));
  }
}

const ISOLATION_SQL: Readonly<Record<IsolationLevel, string>> = Object.freeze({
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
});

/** The SQL spelling of an isolation level, from a fixed table; anything else is a RangeError. */
function isolationSql(level: IsolationLevel | undefined): string | undefined {
  if (!level) return undefined; // as before: no level given, the server's default
  const key = typeof level === 'string' ? level.toLowerCase() : '';
  if (!Object.hasOwn(ISOLATION_SQL, key)) {
    throw new RangeError(
      `isolation must be 'read committed', 'repeatable read' or 'serializable', got ${JSON.stringify(level)}`,
    );
  }
  return ISOLATION_SQL[key as IsolationLevel];
}

/** Creates a database handle; see `PgDatabaseOptions`. */
export function createDatabase(options: PgDatabaseOptions): PgDatabase {
  return new PgDatabase(options);
}

const names = new Map<string, string>();

/** A stable statement name for a text (pg caches named statements per connection). */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `mystira_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    // Only fixed texts are prepared, so this stays small; the bound is a guard against misuse.
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

function anySignal(
  a: AbortSignal | undefined,
  b: AbortSignal | undefined,
): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}

/** Checks a client out, giving up (and later releasing it) when the signal fires first. */
async function acquire(pool: pg.Pool, signal: AbortSignal | undefined): Promise<pg.PoolClient> {
  throwIfAborted(signal);
  const pending = pool.connect();
  if (!signal) {
    try {
      return guard(await pending);
    } catch (err) {
      throw classifyPgError(err, { connecting: true });
    }
  }
  return new Promise<pg.PoolClient>((resolve, reject) => {
    const onAbort = () => {
      reject(new AbortedError('the operation was aborted', { cause: signal.reason }));
      pending.then(
        (c) => c.release(),
        () => {},
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (c) => {
        signal.removeEventListener('abort', onAbort);
        // Aborted while waiting: onAbort has already arranged this client's release.
        if (!signal.aborted) resolve(guard(c));
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(classifyPgError(err, { signal, connecting: true }));
      },
    );
  });
}

const guarded = new WeakSet<pg.PoolClient>();

/**
 * A checked-out client is no longer covered by the pool's 'error' listener: if its socket dies
 * between two statements of a transaction, an unheard 'error' would crash the process. The
 * statement in flight (or the next one) still fails with the error.
 */
function guard(client: pg.PoolClient): pg.PoolClient {
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on('error', () => {});
  }
  return client;
}

const cancelled = new WeakSet<pg.PoolClient>();

/**
 * Asks the server to cancel backend `pid`'s statement over a separate, short-lived connection
 * (same settings as the pool). Not through the pool itself: when the pool is exhausted, which is
 * exactly when a stuck statement gets aborted, a pooled cancel would wait behind it.
 */
async function cancelBackend(pool: pg.Pool, pid: number): Promise<void> {
  const options = (pool as unknown as { options: pg.ClientConfig }).options;
  const client = new pg.Client({
    ...options,
    statement_timeout: 5000,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Best effort: the statement then runs to its end (or its statement_timeout).
  } finally {
    await client.end().catch(() => {});
  }
}

/** Returns a client to its pool, destroying it when a cancel may still be in flight for it. */
function release(client: pg.PoolClient, broken = false): void {
  client.release(broken || cancelled.has(client) ? true : undefined);
}

/**
 * Runs a statement on a checked-out client. On abort, asks the server to cancel the backend's
 * current statement (over another connection of the same pool); the statement then fails with
 * 57014, which `classifyPgError` reports as `AbortedError` because the signal fired.
 */
async function runOn<R extends pg.QueryResultRow>(
  client: pg.PoolClient,
  pool: pg.Pool,
  config: pg.QueryConfig,
  signal: AbortSignal | undefined,
  idempotent = false,
): Promise<pg.QueryResult<R>> {
  throwIfAborted(signal);
  let onAbort: (() => void) | undefined;
  if (signal) {
    const pid = (client as unknown as { processID?: number }).processID;
    onAbort = () => {
      // The cancel may land after this statement finished; never hand such a client to someone
      // else, whose statement it could cancel instead.
      cancelled.add(client);
      if (typeof pid === 'number') void cancelBackend(pool, pid);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  }
  try {
    return await client.query<R>(config);
  } catch (err) {
    throw classifyPgError(err, { signal, idempotent });
  } finally {
    if (onAbort) signal!.removeEventListener('abort', onAbort);
  }
}
