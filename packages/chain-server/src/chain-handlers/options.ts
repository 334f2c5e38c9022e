/**
 * What every ChainService handler group is built from: the options of `createChainHandlers` with
 * their defaults applied once, so no group derives them again.
 */
import type { StreamLimits } from '../handlers.js';
import type { IdempotencyStore } from '../idempotency.js';
import type { Ledger } from '../ledger.js';

/** The options of `createChainHandlers` with every default filled in. */
export interface ResolvedHandlerOptions {
  /** The ledger the handlers act on. */
  ledger: Ledger;
  /** Where write outcomes are kept per idempotency key. */
  store: IdempotencyStore;
  /** Stream bounds. */
  limits: StreamLimits;
  /** The clock of response timestamps. */
  now: () => Date;
  /** Reported by HealthCheck and GetServiceInfo. */
  version: string;
  /** Reported by GetServiceInfo. */
  serviceName: string;
  /** Aborted when the server shuts down. */
  shutdown: AbortSignal | undefined;
}
