/**
 * Waiting on a chain: a chain confirms later than a devnet, so every expectation of progress is
 * polled, advancing the chain between reads, and every wait is bounded.
 */
import assert from 'node:assert/strict';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Awaits `p` (a value or a promise), failing when it takes longer than `ms`. */
export async function bounded(p: unknown, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new assert.AssertionError({ message: `${what}: no answer within ${ms} ms` })),
      ms,
    );
  });
  try {
    await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How {@link pollUntil} makes the chain progress and how long it tries. */
export interface Polling {
  readonly waitTimeoutMs: number;
  readonly pollIntervalMs: number;
  /** Produces one block (bounded by the caller). */
  advanceOne(what: string): Promise<void>;
}

/**
 * Reads `probe` until it returns a value, advancing the chain by one block (then pausing
 * `pollIntervalMs`) between reads; fails after `waitTimeoutMs`. A probe may assert, to fail at
 * once on a state that must never be seen.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { waitTimeoutMs, pollIntervalMs, advanceOne }: Polling,
): Promise<T> {
  const deadline = Date.now() + waitTimeoutMs;
  let blocks = 0;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      assert.fail(`${what}: not reached within ${waitTimeoutMs} ms (${blocks} blocks advanced)`);
    }
    await advanceOne(`${what}: advance(1)`);
    blocks++;
    if (pollIntervalMs > 0) await sleep(pollIntervalMs);
  }
}
