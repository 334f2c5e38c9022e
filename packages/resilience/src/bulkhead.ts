import { type BulkheadPolicy, bulkhead as cockatielBulkhead } from 'cockatiel';
import type { ResilienceEvents } from './events.js';

/** Options of {@link bulkhead}. */
export interface BulkheadOptions {
  /** Calls allowed to run at once. */
  limit: number;
  /** Calls allowed to wait for a slot; the next one is rejected. Default 0. */
  queue?: number;
  /** Receives `onBulkheadRejected`. */
  events?: ResilienceEvents;
  /** Name used in events. Default `bulkhead`. */
  name?: string;
}

/**
 * Limits concurrency (cockatiel's `BulkheadPolicy`): beyond `limit` running and `queue` waiting
 * calls, `execute` rejects with cockatiel's `BulkheadRejectedError`, so a slow dependency cannot
 * soak up every socket or every request of the host.
 */
export function bulkhead(options: BulkheadOptions): BulkheadPolicy {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new RangeError('bulkhead: limit must be an integer >= 1');
  }
  const policy = cockatielBulkhead(options.limit, options.queue ?? 0);
  const events = options.events;
  if (events) {
    const name = options.name ?? 'bulkhead';
    policy.onReject(() => events.emitBulkheadRejected({ policy: name }));
  }
  return policy;
}

export { BulkheadPolicy, BulkheadRejectedError } from 'cockatiel';
