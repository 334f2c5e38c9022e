/** Small helpers of the publisher's background work and idempotency keys. */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export async function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal });
}

/** Exponential backoff with full jitter: a random wait up to initial·2^(attempt-1), capped. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * A deterministic idempotency key for a request identified by `parts` (e.g. a story, an amount
 * and the payer's own reference): the same parts always give the same key, so a payment repeated
 * by a client that lost the answer is executed once. 128 characters at most, as the chain allows.
 */
export function derivedKey(purpose: string, parts: readonly string[]): string {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part).update('\u0000');
  return `${purpose}:${digest.digest('hex')}`;
}
