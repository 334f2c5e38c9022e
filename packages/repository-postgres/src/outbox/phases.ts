/**
 * Phases in PostgreSQL, shared by every instance of an app (and the CLI): `setPhase` records
 * here, `watchPhases` polls here.
 */
import type { CallOptions, Phase, PhaseStore } from '@mystira/repository';
import type { PgDatabase } from '../database.js';
import { quoteIdent } from '../sql.js';
import { guardPool } from './guard.js';

export class PgPhaseStore implements PhaseStore {
  readonly #db: PgDatabase;
  readonly qualified: string;

  constructor(db: PgDatabase, options: { schema?: string; table?: string } = {}) {
    this.#db = db;
    guardPool(db.primary);
    this.qualified = `${quoteIdent(options.schema ?? 'public')}.${quoteIdent(options.table ?? 'polyglot_phases')}`;
  }

  statements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (entity text PRIMARY KEY, phase text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
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
    }, {});
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

export function postgresPhases(
  db: PgDatabase,
  options?: { schema?: string; table?: string },
): PgPhaseStore {
  return new PgPhaseStore(db, options);
}
