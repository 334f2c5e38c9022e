/**
 * The overload part of the configuration (see "Overload and timeouts" in the README): how long a
 * request may wait for each store, and when a busy PostgreSQL pool makes the instance unready.
 * Every wait is bounded, so a locked table or a stalled store ends in a 503 the caller can retry,
 * not in a request that hangs until the client gives up.
 */
import Type from 'typebox';
import { readEnvAs } from '../env.ts';

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

/** At least 1: 0 would mean "wait forever" to pg and Cosmos, which these limits prevent. */
const atLeastOne = (fallback: number) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: fallback });

const d = OVERLOAD_DEFAULTS;
const OverloadNumbers = Type.Object({
  PG_POOL_MAX: atLeastOne(d.pgPoolMax),
  PG_CONNECT_TIMEOUT_MS: atLeastOne(d.pgConnectTimeoutMs),
  PG_STATEMENT_TIMEOUT_MS: atLeastOne(d.pgStatementTimeoutMs),
  STORE_TIMEOUT_MS: atLeastOne(d.storeTimeoutMs),
  COSMOS_REQUEST_TIMEOUT_MS: atLeastOne(d.cosmosRequestTimeoutMs),
  PG_SATURATED_AFTER_MS: atLeastOne(d.pgSaturatedAfterMs),
});

export function loadOverloadConfig(env: NodeJS.ProcessEnv): OverloadConfig {
  return readEnvAs(OverloadNumbers, env, {
    pgPoolMax: 'PG_POOL_MAX',
    pgConnectTimeoutMs: 'PG_CONNECT_TIMEOUT_MS',
    pgStatementTimeoutMs: 'PG_STATEMENT_TIMEOUT_MS',
    storeTimeoutMs: 'STORE_TIMEOUT_MS',
    cosmosRequestTimeoutMs: 'COSMOS_REQUEST_TIMEOUT_MS',
    pgSaturatedAfterMs: 'PG_SATURATED_AFTER_MS',
  });
}
