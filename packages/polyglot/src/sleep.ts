import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms`; rejects with the signal's reason, at once, when `signal` is or becomes aborted
 * (so a stopped replayer or a cancelled backfill does not sit out its idle wait).
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // The timer rejects only when the signal fires; its error wraps the reason we pass on.
    throw signal?.reason;
  }
}
