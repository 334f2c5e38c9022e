/**
 * The health of a replication slot, as a `@mystira/health` check. A slot the group stopped
 * reading makes the server keep WAL forever (the disk fills) and a cache fed by it goes stale, so
 * this is what an operator must see:
 * - `unhealthy`: the slot is missing, or `lost` (the server removed WAL it needed: changes were
 *   skipped; recreate the slot and clear what it feeds);
 * - `degraded`: the group lags: more than `maxLagBytes` of WAL behind, the consumer has held a
 *   change unacknowledged for more than `maxLagMs`, no consumer is connected, or the WAL it needs
 *   is past `max_wal_size` (`unreserved`);
 * - `healthy` otherwise. Detail: `lagBytes`, `unacknowledgedMs`, `active`, `walStatus`.
 */
import type { CheckOutcome, HealthCheck } from '@mystira/health';
import type { PostgresChangeSource } from './postgres-source.js';

/** Options of {@link replicationSlotHealthCheck}. */
export interface SlotHealthOptions {
  /** Default `cdc:<slot>`. */
  name?: string;
  /** WAL bytes behind before `degraded`. Default 64 MiB. */
  maxLagBytes?: number;
  /** Milliseconds a read change may wait for its acknowledgement before `degraded`. Default 30000. */
  maxLagMs?: number;
  /**
   * Whether `unhealthy` fails the whole report. Default false: stale caches make a service
   * slower to notice changes, not unable to serve.
   */
  critical?: boolean;
  /** Default `['ready']`. */
  tags?: readonly string[];
  /** The check's timeout in ms (the registry's default when absent). */
  timeoutMs?: number;
}

/** A health check reporting the slot of `source`: missing or lost, lagging, or fine. */
export function replicationSlotHealthCheck(
  source: PostgresChangeSource,
  options: SlotHealthOptions = {},
): HealthCheck {
  const maxLagBytes = options.maxLagBytes ?? 64 * 1024 * 1024;
  const maxLagMs = options.maxLagMs ?? 30_000;
  return {
    name: options.name ?? `cdc:${source.slot}`,
    critical: options.critical ?? false,
    tags: options.tags ?? ['ready'],
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    async check(): Promise<CheckOutcome> {
      const status = await source.status();
      if (!status) {
        return { status: 'unhealthy', detail: { slot: source.slot, error: 'slot missing' } };
      }
      const unacknowledgedMs = source.unacknowledgedForMs();
      const detail = {
        slot: status.slot,
        active: status.active,
        walStatus: status.walStatus,
        lagBytes: status.lagBytes,
        unacknowledgedMs,
      };
      if (status.walStatus === 'lost') {
        return { status: 'unhealthy', detail: { ...detail, error: 'slot lost: changes skipped' } };
      }
      const problems: string[] = [];
      if (status.lagBytes > maxLagBytes) problems.push(`${status.lagBytes} bytes behind`);
      if (unacknowledgedMs > maxLagMs)
        problems.push(`a change unhandled for ${unacknowledgedMs} ms`);
      if (!status.active) problems.push('no consumer connected');
      if (status.walStatus === 'unreserved') problems.push('WAL past max_wal_size');
      if (problems.length > 0) {
        return { status: 'degraded', detail: { ...detail, error: problems.join('; ') } };
      }
      return { status: 'healthy', detail };
    },
  };
}
