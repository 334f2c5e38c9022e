/**
 * Waiting with a way out: stop waiting for a promise when a signal aborts or a deadline passes,
 * and sleep until either. Several packages (cache, chain-client, chain-server, ledger-story,
 * resilience) wait this way and had one copy each; like `error-brand.ts`, this file is bundled
 * into each package's build (see CONTRIBUTING.md, "shared/"). It runs in browsers as in Node.
 *
 * The promise waited for goes on when the caller stops waiting (a shared load or a sent
 * transaction cannot be called back); its late rejection is observed here, so it never surfaces
 * as an unhandled rejection.
 */

/** The reason a signal aborted: its own `reason`, whatever the caller gave to `abort()`. */
const signalReason = (signal: AbortSignal): unknown => signal.reason;

/**
 * Settles as `promise` does, or rejects with `reasonOf(signal)` as soon as `signal` aborts
 * (at once when it already has). Without a signal, `promise` itself is returned.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  reasonOf: (signal: AbortSignal) => unknown = signalReason,
): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reasonOf(signal));
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles as `promise` does, or rejects with `timeoutError()` when it has not settled within
 * `ms` milliseconds. The timer is cleared as soon as `promise` settles.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  timeoutError: () => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Resolves after `ms` milliseconds, or rejects with `reasonOf(signal)` as soon as `signal`
 * aborts, so a cancelled caller stops during a backoff instead of after it.
 */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  reasonOf: (signal: AbortSignal) => unknown = signalReason,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(reasonOf(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(reasonOf(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
