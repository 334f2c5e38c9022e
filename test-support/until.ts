/**
 * Polling for tests: waits until a condition holds, checking it every `stepMs`, and fails once
 * `timeoutMs` has passed without it. For conditions no event announces (a key expired, a
 * background loop caught up, a server came back).
 */

/** Resolves once `cond` returns true; throws 'condition not met in time' after `timeoutMs`. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  stepMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
