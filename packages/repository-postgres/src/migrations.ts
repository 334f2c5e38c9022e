/**
 * Schema migrations: an ordered list of steps (SQL or functions), a table recording which ran
 * (with a checksum, so editing an applied migration is detected instead of silently ignored),
 * and a session advisory lock so two instances starting together never migrate at once: the
 * second waits, then finds nothing left to do. Each step runs in its own transaction together
 * with its bookkeeping row, so a failed step leaves no trace.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from '@mystira/repository';
import type pg from 'pg';
import type { PgDatabase, Queryable, QueryOptions } from './database.js';
import { classifyPgError, MigrationError } from './errors.js';
import { quoteIdent } from './sql.js';

/** One step. Ids sort lexicographically into the order they run (e.g. `0001_create_users`). */
export interface Migration {
  /** Unique; sorts the steps into the order they run. */
  readonly id: string;
  /** SQL (may hold several statements) or a function run inside the step's transaction. */
  readonly up: string | ((db: Queryable) => Promise<void>);
  /** How to undo `up`; `down` of a migration without one fails with `MigrationError`. */
  readonly down?: string | ((db: Queryable) => Promise<void>);
}

/** Options of {@link Migrator}. */
export interface MigratorOptions {
  /** Schema holding the migrations table (created if missing). Default `public`. */
  schema?: string;
  /** Name of the migrations table. Default `mystira_migrations`. */
  table?: string;
  /** Accept applied migrations whose checksum changed (default false: `MigrationError`). */
  allowChecksumDrift?: boolean;
  /**
   * `statement_timeout` for the migration session, in ms. Default 0 (none): building an index
   * on a large table, or waiting for another instance's lock, must not hit the pool's
   * request-sized timeout.
   */
  statementTimeoutMs?: number;
}

/** A migration's state, from {@link Migrator.status}. */
export interface MigrationStatus {
  /** The migration's id. */
  readonly id: string;
  /** `pending`: not applied; `applied`; `drifted`: applied, but its text changed since;
   *  `unknown`: recorded in the table but not in the list given to the migrator. */
  readonly state: 'pending' | 'applied' | 'drifted' | 'unknown';
  /** When it was applied (null while pending). */
  readonly appliedAt: Date | null;
  /**
   * The checksum of the step's text (see {@link checksumOf}); for an `unknown` one, the checksum
   * recorded when it was applied.
   */
  readonly checksum: string;
}

const ID = /^[A-Za-z0-9_.-]{1,200}$/;

/** SHA-256 of the step's text (functions by their source), up and down together. */
export function checksumOf(m: Migration): string {
  const text = (s: Migration['up'] | undefined) =>
    s === undefined ? '' : typeof s === 'string' ? s : s.toString();
  return createHash('sha256').update(text(m.up)).update('\0').update(text(m.down)).digest('hex');
}

interface Row {
  id: string;
  checksum: string;
  applied_at: Date;
}

/**
 * Runs migrations under a session advisory lock: two instances starting together never migrate at
 * once (the second waits, then finds nothing to do), and each step commits together with its
 * bookkeeping row.
 */
export class Migrator {
  readonly #db: PgDatabase;
  readonly #migrations: readonly Migration[];
  readonly #schema: string;
  readonly #table: string;
  readonly #qualified: string;
  readonly #allowDrift: boolean;
  readonly #timeoutMs: number;

  constructor(db: PgDatabase, migrations: readonly Migration[], options: MigratorOptions = {}) {
    this.#db = db;
    const seen = new Set<string>();
    for (const m of migrations) {
      if (!ID.test(m.id))
        throw new MigrationError(`invalid migration id "${m.id}"`, { migration: m.id });
      if (seen.has(m.id))
        throw new MigrationError(`duplicate migration id "${m.id}"`, { migration: m.id });
      seen.add(m.id);
    }
    this.#migrations = [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#schema = options.schema ?? 'public';
    this.#table = options.table ?? 'mystira_migrations';
    this.#qualified = `${quoteIdent(this.#schema)}.${quoteIdent(this.#table)}`;
    this.#allowDrift = options.allowChecksumDrift ?? false;
    this.#timeoutMs = options.statementTimeoutMs ?? 0;
    if (!Number.isSafeInteger(this.#timeoutMs) || this.#timeoutMs < 0) {
      throw new MigrationError('statementTimeoutMs must be an integer >= 0');
    }
  }

  /** Every known and recorded migration with its state, in id order. */
  async status(options: { signal?: AbortSignal } = {}): Promise<MigrationStatus[]> {
    return this.#locked(options.signal, async (client) => this.#status(client));
  }

  /** Applies pending migrations in order (up to and including `to`); returns the ids applied. */
  async up(options: { to?: string; signal?: AbortSignal } = {}): Promise<string[]> {
    return this.#locked(options.signal, async (client) => {
      const status = await this.#status(client);
      this.#checkDrift(status);
      const applied: string[] = [];
      for (const m of this.#migrations) {
        if (options.to !== undefined && m.id > options.to) break;
        if (status.find((s) => s.id === m.id)?.state !== 'pending') continue;
        throwIfAborted(options.signal);
        await this.#step(client, m, 'up', options.signal);
        applied.push(m.id);
      }
      return applied;
    });
  }

  /** Reverts the last `steps` applied migrations (default 1), or all after `to`; returns ids reverted. */
  async down(
    options: { steps?: number; to?: string; signal?: AbortSignal } = {},
  ): Promise<string[]> {
    return this.#locked(options.signal, async (client) => {
      const status = await this.#status(client);
      this.#checkDrift(status);
      const applied = status
        .filter((s) => s.state === 'applied' || s.state === 'drifted')
        .reverse();
      const targets =
        options.to !== undefined
          ? applied.filter((s) => s.id > options.to!)
          : applied.slice(0, options.steps ?? 1);
      const reverted: string[] = [];
      for (const s of targets) {
        const m = this.#migrations.find((x) => x.id === s.id)!;
        if (m.down === undefined)
          throw new MigrationError(`migration "${m.id}" has no down step`, { migration: m.id });
        throwIfAborted(options.signal);
        await this.#step(client, m, 'down', options.signal);
        reverted.push(m.id);
      }
      return reverted;
    });
  }

  #checkDrift(status: MigrationStatus[]): void {
    const drifted = status.filter((s) => s.state === 'drifted');
    if (drifted.length > 0 && !this.#allowDrift) {
      throw new MigrationError(
        `applied migrations changed since they ran: ${drifted.map((d) => d.id).join(', ')} (write a new migration instead)`,
        { migration: drifted[0]!.id },
      );
    }
  }

  async #status(client: pg.PoolClient): Promise<MigrationStatus[]> {
    const { rows } = await client.query<Row>(
      `SELECT id, checksum, applied_at FROM ${this.#qualified} ORDER BY id`,
    );
    const recorded = new Map(rows.map((r) => [r.id, r]));
    const out: MigrationStatus[] = this.#migrations.map((m) => {
      const checksum = checksumOf(m);
      const r = recorded.get(m.id);
      if (!r) return { id: m.id, state: 'pending', appliedAt: null, checksum };
      return {
        id: m.id,
        state: r.checksum === checksum ? 'applied' : 'drifted',
        appliedAt: r.applied_at,
        checksum,
      };
    });
    for (const r of rows) {
      if (!this.#migrations.some((m) => m.id === r.id)) {
        out.push({ id: r.id, state: 'unknown', appliedAt: r.applied_at, checksum: r.checksum });
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async #step(
    client: pg.PoolClient,
    m: Migration,
    direction: 'up' | 'down',
    signal?: AbortSignal,
  ): Promise<void> {
    const body = direction === 'up' ? m.up : m.down!;
    const scoped: Queryable = {
      query: async <R extends pg.QueryResultRow>(
        text: string,
        values?: readonly unknown[],
        _o?: QueryOptions,
      ) => client.query<R>(text, values as unknown[] | undefined),
    };
    await client.query('BEGIN');
    try {
      if (typeof body === 'string') await client.query(body);
      else await body(scoped);
      if (direction === 'up') {
        await client.query(`INSERT INTO ${this.#qualified} (id, checksum) VALUES ($1, $2)`, [
          m.id,
          checksumOf(m),
        ]);
      } else {
        await client.query(`DELETE FROM ${this.#qualified} WHERE id = $1`, [m.id]);
      }
      throwIfAborted(signal);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw new MigrationError(
        `migration "${m.id}" (${direction}) failed: ${err instanceof Error ? err.message : String(err)}`,
        { migration: m.id, cause: err },
      );
    }
  }

  /**
   * Holds a session-level advisory lock (keyed by schema + table) on one dedicated connection for
   * the whole run; every step runs on that connection. A second migrator blocks on the lock.
   */
  async #locked<R>(
    signal: AbortSignal | undefined,
    fn: (client: pg.PoolClient) => Promise<R>,
  ): Promise<R> {
    throwIfAborted(signal);
    let client: pg.PoolClient;
    try {
      client = await this.#db.primary.connect();
    } catch (err) {
      throw classifyPgError(err);
    }
    let locked = false;
    try {
      // Session-level, undone by RESET below before the connection goes back to the pool.
      await client.query("SELECT set_config('statement_timeout', $1, false)", [
        String(this.#timeoutMs),
      ]);
      await client.query('SELECT pg_advisory_lock(1836282992, hashtext($1))', [
        `${this.#schema}.${this.#table}`,
      ]);
      locked = true;
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.#schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.#qualified} (
           id text PRIMARY KEY,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      return await fn(client);
    } catch (err) {
      throw err instanceof MigrationError ? err : classifyPgError(err, { signal });
    } finally {
      if (locked) {
        await client
          .query('SELECT pg_advisory_unlock(1836282992, hashtext($1))', [
            `${this.#schema}.${this.#table}`,
          ])
          .catch(() => {});
      }
      const reset = await client.query('RESET statement_timeout').then(
        () => true,
        () => false,
      );
      client.release(reset ? undefined : true);
    }
  }
}

/**
 * Reads hand-written migrations from a directory: `<id>.up.sql` (or `<id>.sql`) with an optional
 * `<id>.down.sql`. Other files are ignored.
 */
export async function loadSqlMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const byId = new Map<string, { up?: string; down?: string }>();
  for (const f of files) {
    const m = /^(.*?)(?:\.(up|down))?\.sql$/.exec(f)!;
    const id = m[1]!;
    const entry = byId.get(id) ?? {};
    const text = await readFile(join(dir, f), 'utf8');
    if (m[2] === 'down') entry.down = text;
    else entry.up = text;
    byId.set(id, entry);
  }
  const out: Migration[] = [];
  for (const [id, e] of byId) {
    if (e.up === undefined)
      throw new MigrationError(`migration "${id}" has a down file but no up file`, {
        migration: id,
      });
    out.push(e.down === undefined ? { id, up: e.up } : { id, up: e.up, down: e.down });
  }
  return out;
}
