import type { PgDatabase } from '@mystira/repository-postgres';

/** A `pg` pool, named through the database that owns it (no direct dependency on `pg`'s types). */
type Pool = PgDatabase['primary'];

const guarded = new WeakSet<Pool>();

/**
 * A pg client that loses its socket while checked out but idle (between two statements of a
 * transaction) emits 'error'; pg-pool only listens on idle clients, so without a listener the
 * process dies of an uncaught ECONNRESET. The polyglot adapters exist to survive a store going
 * away, so they make sure every client of the pools they use has a listener. The statement that
 * next uses the client still fails, with a typed error, as it should.
 */
export function guardPool(pool: Pool): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
}
