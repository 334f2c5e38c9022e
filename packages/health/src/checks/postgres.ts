import type { HealthCheck } from '../registry.js';
import { checkFields, type ReadyCheckOptions } from './options.js';

/** What the PostgreSQL check needs: `pg.Pool`, `pg.Client` and most pg-compatible pools fit. */
export interface PgQueryable {
  /** Runs a query; the check sends `SELECT 1`. */
  query(text: string): Promise<unknown>;
}

/**
 * Runs `SELECT 1` on a pool: proves a connection can be checked out (or opened) and the server
 * answers. Typed structurally so @mystira/health never imports `pg` itself. pg's query API takes
 * no AbortSignal, so the registry's timeout is what bounds a stalled server.
 */
export function postgresCheck(pool: PgQueryable, options: ReadyCheckOptions = {}): HealthCheck {
  return {
    ...checkFields({ name: 'postgres' }, options),
    async check() {
      await pool.query('SELECT 1');
    },
  };
}
