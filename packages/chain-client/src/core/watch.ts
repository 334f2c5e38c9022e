/**
 * `watchTransactions` as a resumable async iterator.
 *
 * The contract's WatchTransactions first reports every watched hash's current state, then each
 * change, and ends when all are terminal. That makes resumption simple and exact: after a dropped
 * connection the client subscribes again (with backoff) to the hashes that are not yet FAILED;
 * the server re-reports their current state, and the client drops an update that equals the last
 * one it delivered for that hash (status, confirmations and block). The caller sees each change
 * once, and a reorg in full: a state may come back (PENDING again, then CONFIRMED 1 in another
 * block), so only a repeat of the latest counts as a duplicate.
 */
import { Code } from '@connectrpc/connect';
import type { TransactionUpdate } from '@mystira/chain-protos';
import { linkedController, sleep } from './abort.js';
import { type TransactionStatusChange, transactionUpdateFromWire } from './convert.js';
import { type ChainError, toChainError } from './errors.js';
import { connectionReset } from './policy.js';

/** How `watchTransactions` reconnects after a dropped stream. */
export interface WatchOptions {
  /** Ends the watch. */
  signal?: AbortSignal;
  /** Reconnects allowed in a row without receiving an update. Default 10. */
  maxReconnects?: number;
  /** First reconnect backoff ceiling in ms (full jitter, doubling). Default 100. */
  initialDelayMs?: number;
  /** Largest reconnect backoff ceiling in ms. Default 5000. */
  maxDelayMs?: number;
  /** Called before each reconnect. */
  onReconnect?: (event: { attempt: number; delayMs: number; error: ChainError }) => void;
}

/** Errors after which a watch reconnects: the connection, not the request, was the problem. */
const RECONNECT_CODES = new Set<Code>([
  Code.Unavailable,
  Code.Internal,
  Code.Unknown,
  Code.Aborted,
  Code.ResourceExhausted,
  Code.DeadlineExceeded,
]);

export type OpenWatch = (
  hashes: string[],
  signal: AbortSignal | undefined,
) => AsyncIterable<TransactionUpdate>;

export async function* resumableWatch(
  hashes: readonly string[],
  open: OpenWatch,
  options: WatchOptions = {},
  random: () => number = Math.random,
): AsyncGenerator<TransactionStatusChange, void, undefined> {
  const signal = options.signal;
  const maxReconnects = options.maxReconnects ?? 10;
  const initialDelayMs = options.initialDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  /** Per hash, the last state delivered: status, confirmations and block hash. */
  const delivered = new Map<string, string>();
  const failed = new Set<string>();
  const unique = [...new Set(hashes)];
  let failures = 0;
  for (;;) {
    const pending = unique.filter((h) => !failed.has(h));
    if (pending.length === 0) return;
    // Connect's server-stream iterables ignore return(): a caller that breaks out of its loop
    // would leave the HTTP/2 stream open. Our own controller cancels it in `finally`.
    const { controller, dispose } = linkedController(signal);
    try {
      for await (const update of open(pending, controller.signal)) {
        failures = 0;
        const state = `${update.status}\u0000${update.confirmations}\u0000${update.blockHash ?? ''}`;
        if (delivered.get(update.transactionHash) === state) continue;
        delivered.set(update.transactionHash, state);
        const change = transactionUpdateFromWire(update);
        if (change.status === 'failed') failed.add(change.transactionHash);
        yield change;
      }
      return; // the server ends the stream once every watched hash is terminal
    } catch (err) {
      if (signal?.aborted) throw toChainError(signal.reason ?? err, 'WatchTransactions');
      const ce = connectionReset(toChainError(err, 'WatchTransactions'));
      if (signal?.aborted || !RECONNECT_CODES.has(ce.code) || failures >= maxReconnects) throw ce;
      failures++;
      const delayMs = Math.floor(
        random() * Math.min(maxDelayMs, initialDelayMs * 2 ** (failures - 1)),
      );
      options.onReconnect?.({ attempt: failures, delayMs, error: ce });
      try {
        await sleep(delayMs, signal);
      } catch (abort) {
        throw toChainError(abort, 'WatchTransactions');
      }
    } finally {
      dispose();
      controller.abort();
    }
  }
}
