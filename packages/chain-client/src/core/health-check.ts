/**
 * The Chain service as a `@mystira/health` check: healthy when grpc.health.v1 (or, failing that,
 * the contract's HealthCheck) reports SERVING. The returned object is a `HealthCheck` of
 * `@mystira/health`, so `registry.register(chainHealthCheck(client))` just works.
 */
import type { CheckOutcome, HealthCheck } from '@mystira/health';
import type { ChainClient } from './client.js';

/** Options of {@link chainHealthCheck}. */
export interface ChainHealthCheckOptions {
  /** Default `chain`. */
  name?: string;
  /** Default true: a Node service that needs the chain is not ready without it. */
  critical?: boolean;
  /** Time after which the check counts as failed. Default: the registry's. */
  timeoutMs?: number;
  /** Default `['ready']`. */
  tags?: readonly string[];
}

/**
 * A `@mystira/health` check of the Chain service: healthy when it reports SERVING (asked without
 * retries), degraded while the client's own circuit breaker is not closed, failed otherwise.
 */
export function chainHealthCheck(
  client: ChainClient,
  options: ChainHealthCheckOptions = {},
): HealthCheck {
  const check: HealthCheck = {
    name: options.name ?? 'chain',
    critical: options.critical ?? true,
    tags: options.tags ?? ['ready'],
    async check({ signal }): Promise<CheckOutcome> {
      const status = await client.checkHealth({ signal, retry: false });
      if (status !== 'serving') throw new Error(`Chain service reports ${status}`);
      const circuit = client.circuitState();
      // Serving, but our own breaker is still open from recent failures: usable soon, not yet.
      return circuit === 'closed'
        ? { status: 'healthy' }
        : { status: 'degraded', detail: { circuit } };
    },
  };
  if (options.timeoutMs !== undefined) check.timeoutMs = options.timeoutMs;
  return check;
}
