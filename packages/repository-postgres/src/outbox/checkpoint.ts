/**
 * Backfill checkpoints in PostgreSQL, so a backfill killed mid-run (deploy, OOM, SIGKILL)
 * resumes where its last completed batch ended, from any host.
 */
import type { BackfillCheckpoint, CallOptions, CheckpointStore } from '@mystira/repository';
import type { PgDatabase } from '../database.js';
import { quoteIdent } from '../sql.js';
import { guardPool } from './guard.js';

export class PgCheckpointStore implements CheckpointStore {
  readonly #db: PgDatabase;
  readonly qualified: string;

  constructor(db: PgDatabase, options: { schema?: string; table?: string } = {}) {
    this.#db = db;
    guardPool(db.primary);
    this.qualified = `${quoteIdent(options.schema ?? 'public')}.${quoteIdent(options.table ?? 'polyglot_checkpoints')}`;
  }

  statements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (run text PRIMARY KEY, data jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    ];
  }

  async migrate(options: CallOptions = {}): Promise<void> {
    await this.#db.withTransaction(async () => {
      await this.#db.query(
        'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
        [`mystira:ddl:${this.qualified}`],
        options,
      );
      for (const s of this.statements()) await this.#db.query(s, [], options);
    }, options);
  }

  async load(run: string, options: CallOptions = {}): Promise<BackfillCheckpoint | undefined> {
    const res = await this.#db.query<{ data: BackfillCheckpoint }>(
      `SELECT data FROM ${this.qualified} WHERE run = $1`,
      [run],
      {
        ...options,
        intent: 'read',
        consistency: 'strong',
      },
    );
    return res.rows[0]?.data;
  }

  async save(checkpoint: BackfillCheckpoint, options: CallOptions = {}): Promise<void> {
    await this.#db.query(
      `INSERT INTO ${this.qualified} (run, data, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (run) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`,
      [checkpoint.run, JSON.stringify(checkpoint)],
      options,
    );
  }

  async clear(run: string, options: CallOptions = {}): Promise<void> {
    await this.#db.query(`DELETE FROM ${this.qualified} WHERE run = $1`, [run], options);
  }
}

export function postgresCheckpoints(
  db: PgDatabase,
  options?: { schema?: string; table?: string },
): PgCheckpointStore {
  return new PgCheckpointStore(db, options);
}
