/**
 * What every ChainService handler group is built from: the options of `createChainHandlers` with
 * their defaults applied once, so no group derives them again.
 */
import type { StreamLimits } from '../handlers.js';
import type { RpcWriter } from '../idempotency.js';
import type { Ledger } from '../ledger.js';

/** The options of `createChainHandlers` with every default filled in. */
export interface ResolvedHandlerOptions {
  /** The ledger the handlers act on. */
  ledger: Ledger;
  /**
   * ChainService's idempotent writes, over the store of write outcomes. Keyed by the bare method
   * name (`RegisterIpAsset`), as ChainService always has, so keys already stored keep matching.
   */
  write: RpcWriter;
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
