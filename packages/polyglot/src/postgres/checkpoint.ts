/**
 * Backfill checkpoints in PostgreSQL, so a backfill killed mid-run (deploy, OOM, SIGKILL)
 * resumes where its last completed batch ended, from any host.
 */
import type { BackfillCheckpoint, CheckpointStore } from '@mystira/polyglot';
import type { CallOptions } from '@mystira/repository';
import type { PgDatabase } from '@mystira/repository-postgres';
import { TableStore } from './table.js';

/**
 * Backfill checkpoints in a PostgreSQL table, so a backfill killed mid-run resumes where its last
 * completed batch ended, from any host. Call `migrate()` once (or run `statements()` in your
 * migrations).
 */
export class PgCheckpointStore extends TableStore implements CheckpointStore {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase, options: { schema?: string; table?: string } = {}) {
    super(db, options, 'polyglot_checkpoints');
    this.#db = db;
  }

  override statements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (run text PRIMARY KEY, data jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    ];
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

/** A {@link PgCheckpointStore} on `db` (table `polyglot_checkpoints` in `public` unless `options` say otherwise). */
export function postgresCheckpoints(
  db: PgDatabase,
  options?: { schema?: string; table?: string },
): PgCheckpointStore {
  return new PgCheckpointStore(db, options);
}
