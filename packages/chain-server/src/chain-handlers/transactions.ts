/**
 * WatchTransactions: each watched transaction's current state, then every change, until all are
 * terminal, the client leaves, the stream idles too long or the server shuts down.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import type { TransactionUpdate } from '@mystira/chain-protos';
import { toConnectError } from '../connect-errors.js';
import type { ChainHandlers } from '../handlers.js';
import type { Ledger, TxState } from '../ledger.js';
import { validateWatch } from '../validation.js';
import { txUpdate } from './convert.js';
import type { ResolvedHandlerOptions } from './options.js';

/** The handler of the server-streaming RPC. */
export type TransactionHandlers = Pick<ChainHandlers, 'watchTransactions'>;

/** Creates the WatchTransactions handler over the resolved options. */
export function transactionHandlers(options: ResolvedHandlerOptions): TransactionHandlers {
  const { ledger, limits, shutdown } = options;
  return {
    async *watchTransactions(req, call) {
      const hashes = validateWatch(req, limits.maxWatchedHashes);
      yield* watch(ledger, hashes, call.signal, shutdown, limits.streamIdleTimeoutMs);
    },
  };
}

/**
 * Listeners are attached before the current states are read, so no change is missed in between.
 * Updates wait in a map with one entry per hash (a newer state replaces an unsent older one):
 * however slow the reader, the buffer never holds more than one state per watched hash. The
 * listeners are removed when the stream ends for any reason.
 */
async function* watch(
  ledger: Ledger,
  hashes: string[],
  signal: AbortSignal,
  shutdown: AbortSignal | undefined,
  idleMs: number,
): AsyncGenerator<TransactionUpdate> {
  const buffer = new Map<string, TxState>();
  let wake: (() => void) | undefined;
  const unsubscribe = hashes.map((h) =>
    ledger.onTransaction(h, (state) => {
      buffer.set(h, state);
      wake?.();
    }),
  );
  try {
    for (const h of hashes) {
      const state = await ledger.getTransaction(h).catch((e: unknown) => {
        throw toConnectError(e);
      });
      if (!state) throw new ConnectError(`transaction ${h} not found`, Code.NotFound);
      // A change that arrived meanwhile is newer than what we just read; keep it.
      if (!buffer.has(h)) buffer.set(h, state);
    }
    const terminal = new Set<string>();
    for (;;) {
      while (buffer.size > 0) {
        const [h, state] = buffer.entries().next().value as [string, TxState];
        buffer.delete(h);
        if (terminal.has(h)) continue;
        if (state.terminal) terminal.add(h);
        yield txUpdate(state);
      }
      if (terminal.size === hashes.length) return;
      const outcome = await new Promise<'update' | 'abort' | 'shutdown' | 'idle'>((resolve) => {
        const done = (o: 'update' | 'abort' | 'shutdown' | 'idle') => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          shutdown?.removeEventListener('abort', onShutdown);
          wake = undefined;
          resolve(o);
        };
        const onAbort = () => done('abort');
        const onShutdown = () => done('shutdown');
        const timer = setTimeout(() => done('idle'), idleMs);
        if (signal.aborted) return done('abort');
        if (shutdown?.aborted) return done('shutdown');
        signal.addEventListener('abort', onAbort);
        shutdown?.addEventListener('abort', onShutdown);
        wake = () => done('update');
      });
      if (outcome === 'abort') return;
      if (outcome === 'shutdown')
        throw new ConnectError('server is shutting down; watch again', Code.Unavailable);
      if (outcome === 'idle') {
        throw new ConnectError(`no transaction update for ${idleMs} ms`, Code.DeadlineExceeded);
      }
    }
  } finally {
    for (const off of unsubscribe) off();
  }
}
