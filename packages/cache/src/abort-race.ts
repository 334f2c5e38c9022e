import { AbortedError } from '@mystira/repository';
import { raceAbort as race } from '../../../shared/waiting.js';

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
  return race(
    promise,
    signal,
    (aborted) => new AbortedError('the operation was aborted', { entity, cause: aborted.reason }),
  );
}
