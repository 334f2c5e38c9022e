/**
 * `consumeChanges(source, sink)`: the loop between a change source and a sink. A batch is
 * acknowledged only after the sink handled it (at-least-once); a sink failure retries the same
 * batch with backoff, and a source failure reconnects and resumes from the last acknowledged
 * position, both until `signal` aborts. Backpressure is the loop itself: the next batch is pulled
 * only when the sink is done with the previous one, and the source pauses reading while its
 * bounded buffer is full.
 */
import type { ChangeBatch, ChangeSink, ChangeSource } from './change.js';
import { CdcError, CdcOptionsError, CdcSinkError, CdcSlotError, CdcSourceError } from './errors.js';

/** Options of {@link consumeChanges}. */
export interface ConsumeOptions {
  /** Stops the loop (the source stops reading; closing it stays the caller's job). Required. */
  signal: AbortSignal;
  /** The first retry delay after a failure, doubled up to `maxRetryDelayMs`. Default 50. */
  retryDelayMs?: number;
  /**
   * The longest retry delay. Default 1000: changes wait behind a failing batch, so a store that
   * comes back is tried again within a second.
   */
  maxRetryDelayMs?: number;
  /**
   * Called for every failure before its retry: a sink that failed (`CdcSinkError`) or a stream
   * that broke (`CdcSourceError`). Return `false` to stop and have `consumeChanges` reject with it.
   * By default a retry is made, except for what a retry cannot fix: a `CdcSlotError` other than
   * `active` (a missing or lost slot), a `CdcClosedError` or a `CdcOptionsError`.
   */
  onError?: (error: CdcError) => boolean | undefined;
  /** Called after each batch is handled (and, when it ends a transaction, acknowledged). */
  onBatch?: (batch: ChangeBatch) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const asCdcError = (err: unknown, wrap: (message: string, cause: unknown) => CdcError) =>
  err instanceof CdcError ? err : wrap(err instanceof Error ? err.message : String(err), err);

/**
 * Feeds `source` into `sink` until `options.signal` aborts; resolves then. Rejects only with an
 * error that is not retried (see {@link ConsumeOptions.onError}).
 */
export async function consumeChanges(
  source: ChangeSource,
  sink: ChangeSink,
  options: ConsumeOptions,
): Promise<void> {
  const { signal } = options;
  if (!signal) throw new CdcOptionsError('consumeChanges needs a signal to stop it');
  const firstDelay = options.retryDelayMs ?? 50;
  const maxDelay = options.maxRetryDelayMs ?? 1000;
  let delay = firstDelay;
  const retry = async (error: CdcError): Promise<void> => {
    const verdict = options.onError?.(error);
    // A slot another instance of the group holds is worth waiting for (it takes over when that
    // one stops); a missing or lost slot, a closed source or bad options are not.
    const fatal =
      error.code === 'CLOSED' ||
      error.code === 'OPTIONS' ||
      (error instanceof CdcSlotError && error.reason !== 'active');
    if (verdict === false || (verdict === undefined && fatal)) throw error;
    await sleep(delay, signal);
    delay = Math.min(delay * 2, maxDelay);
  };

  while (!signal.aborted) {
    try {
      for await (const batch of source.changes(signal)) {
        await handleUntilDone(batch);
        if (batch.position !== undefined) await source.acknowledge(batch.position);
        delay = firstDelay;
        options.onBatch?.(batch);
      }
    } catch (err) {
      if (signal.aborted) break;
      await retry(asCdcError(err, (m, cause) => new CdcSourceError(m, { cause })));
    }
  }

  async function handleUntilDone(batch: ChangeBatch): Promise<void> {
    while (true) {
      try {
        await sink.handle(batch, signal);
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        await retry(asCdcError(err, (m, cause) => new CdcSinkError(m, { cause })));
        if (signal.aborted) throw new CdcSinkError('aborted while retrying a batch');
      }
    }
  }
}
