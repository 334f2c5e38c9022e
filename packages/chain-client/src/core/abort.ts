/** Small AbortSignal helpers that work the same in Node and browsers. */
import { sleep as sleepOrAbort } from '../../../../shared/waiting.js';

/** The reason a signal was aborted, as an Error. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Waits `ms` milliseconds, or rejects as soon as `signal` aborts, so a caller's cancellation
 * stops a retry loop during its backoff instead of after it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepOrAbort(ms, signal, abortReason);
}

/**
 * A controller that aborts when `parent` does. Returns a `dispose` that detaches the listener,
 * so long-lived parent signals do not collect one listener per call.
 */
export function linkedController(parent?: AbortSignal): {
  controller: AbortController;
  dispose: () => void;
} {
  const controller = new AbortController();
  if (!parent) return { controller, dispose: () => {} };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}
