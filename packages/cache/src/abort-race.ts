import { AbortedError } from '@mystira/repository';

/**
 * Settles with `promise`, or rejects with `AbortedError` as soon as `signal` aborts. The promise
 * goes on (a store call or a load shared with other callers cannot be cancelled); only this
 * caller stops waiting for it.
 */
export function raceAbort<R>(
  promise: Promise<R>,
  signal: AbortSignal | undefined,
  entity: string,
): Promise<R> {
  if (!signal) return promise;
  return new Promise<R>((resolve, reject) => {
    const onAbort = () =>
      reject(new AbortedError('the operation was aborted', { entity, cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
