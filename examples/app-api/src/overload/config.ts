/**
 * The overload part of the configuration (see "Overload and timeouts" in the README): how long a
 * request may wait for each store, and when a busy PostgreSQL pool makes the instance unready.
 * Every wait is bounded, so a locked table or a stalled store ends in a 503 the caller can retry,
 * not in a request that hangs until the client gives up.
 */
import { ConfigError } from '../config-error.ts';

export interface OverloadConfig {
  /** PG_POOL_MAX: connections in the PostgreSQL pool. */
  pgPoolMax: number;
  /** PG_CONNECT_TIMEOUT_MS: how long a call waits for a free pooled connection (or a new one). */
  pgConnectTimeoutMs: number;
  /** PG_STATEMENT_TIMEOUT_MS: server-side `statement_timeout` of every pooled connection. */
  pgStatementTimeoutMs: number;
  /** STORE_TIMEOUT_MS: deadline of an account read, its retries included. */
  storeTimeoutMs: number;
  /** COSMOS_REQUEST_TIMEOUT_MS: deadline of one Cosmos DB request. */
  cosmosRequestTimeoutMs: number;
  /**
   * PG_SATURATED_AFTER_MS: readiness turns unready once the pool has had no free connection for
   * this long, and ready again once it has had one for this long.
   */
  pgSaturatedAfterMs: number;
}

export const OVERLOAD_DEFAULTS: OverloadConfig = {
  pgPoolMax: 10,
  pgConnectTimeoutMs: 2_000,
  pgStatementTimeoutMs: 5_000,
  storeTimeoutMs: 5_000,
  cosmosRequestTimeoutMs: 10_000,
  pgSaturatedAfterMs: 1_000,
};

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  // 0 would mean "wait forever" to pg and Cosmos, which is exactly what these limits prevent.
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConfigError(`${name} must be an integer >= 1, got "${raw}"`);
  return n;
}

export function loadOverloadConfig(env: NodeJS.ProcessEnv): OverloadConfig {
  const d = OVERLOAD_DEFAULTS;
  return {
    pgPoolMax: positiveInt(env, 'PG_POOL_MAX', d.pgPoolMax),
    pgConnectTimeoutMs: positiveInt(env, 'PG_CONNECT_TIMEOUT_MS', d.pgConnectTimeoutMs),
    pgStatementTimeoutMs: positiveInt(env, 'PG_STATEMENT_TIMEOUT_MS', d.pgStatementTimeoutMs),
    storeTimeoutMs: positiveInt(env, 'STORE_TIMEOUT_MS', d.storeTimeoutMs),
    cosmosRequestTimeoutMs: positiveInt(env, 'COSMOS_REQUEST_TIMEOUT_MS', d.cosmosRequestTimeoutMs),
    pgSaturatedAfterMs: positiveInt(env, 'PG_SATURATED_AFTER_MS', d.pgSaturatedAfterMs),
  };
}
