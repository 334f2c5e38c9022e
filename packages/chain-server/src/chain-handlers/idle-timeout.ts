/** A client stream that must keep moving: BatchRegisterIpAssets reads its items through this. */
import { Code, ConnectError } from '@connectrpc/connect';

/** Yields from `source`, failing with DEADLINE_EXCEEDED when no item arrives for `idleMs`. */
export async function* withIdleTimeout<T>(
  source: AsyncIterable<T>,
  idleMs: number,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new ConnectError(`no stream message for ${idleMs} ms`, Code.DeadlineExceeded)),
          idleMs,
        );
      });
      try {
        const next = await Promise.race([it.next(), idle]);
        if (next.done) return;
        signal.throwIfAborted();
        yield next.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    // Not awaited: an async generator queues return() behind a pending next(), which may never
    // settle while the client keeps its stream open; the call ending releases it.
    it.return?.()?.catch(() => {});
  }
}
