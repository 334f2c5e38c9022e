/**
 * Phases in PostgreSQL, shared by every instance of an app (and the CLI): `setPhase` records
 * here, `watchPhases` polls here.
 */
import type { Phase, PhaseStore } from '@mystira/polyglot';
import type { CallOptions } from '@mystira/repository';
import type { PgDatabase } from '@mystira/repository-postgres';
import { TableStore } from './table.js';

/**
 * The phases of a polyglot registry in a PostgreSQL table, shared by every instance of an app and
 * the CLI: `setPhase` records here, `watchPhases` polls here.
 */
export class PgPhaseStore extends TableStore implements PhaseStore {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase, options: { schema?: string; table?: string } = {}) {
    super(db, options, 'polyglot_phases');
    this.#db = db;
  }

  override statements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (entity text PRIMARY KEY, phase text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    ];
  }

  async load(options: CallOptions = {}): Promise<Record<string, Phase>> {
    const res = await this.#db.query<{ entity: string; phase: Phase }>(
      `SELECT entity, phase FROM ${this.qualified}`,
      [],
      {
        ...options,
        intent: 'read',
        consistency: 'strong',
      },
    );
    return Object.fromEntries(res.rows.map((r) => [r.entity, r.phase]));
  }

  async save(entity: string, phase: Phase, options: CallOptions = {}): Promise<void> {
    await this.#db.query(
      `INSERT INTO ${this.qualified} (entity, phase, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (entity) DO UPDATE SET phase = EXCLUDED.phase, updated_at = now()`,
      [entity, phase],
      options,
    );
  }
}

/**
 * A {@link PgPhaseStore} on `db` (table `polyglot_phases` in `public` unless `options` say
 * otherwise).
 */
export function postgresPhases(
  db: PgDatabase,
  options?: { schema?: string; table?: string },
): PgPhaseStore {
  return new PgPhaseStore(db, options);
}
