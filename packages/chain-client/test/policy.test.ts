/** The call policy on its own, with an injected clock and sleep: no sockets, no real waiting. */
import { Code, ConnectError } from '@connectrpc/connect';
import {
  type AttemptContext,
  ChainCanceledError,
  ChainCircuitOpenError,
  ChainDeadlineExceededError,
  ChainError,
  createCallPolicy,
} from '@mystira/chain-client';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

function clock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const ALL_CODES = Array.from({ length: 16 }, (_, i) => (i + 1) as Code);
// CANCELED the caller did not ask for is the peer resetting the stream: retried like UNAVAILABLE.
const TRANSIENT = new Set([
  Code.Unavailable,
  Code.ResourceExhausted,
  Code.Aborted,
  Code.DeadlineExceeded,
  Code.Canceled,
]);

describe('retry rules', () => {
  it('retries exactly the transient codes, and only retryable calls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ALL_CODES), fc.boolean(), async (code, retryable) => {
        const c = clock();
        const policy = createCallPolicy('e', { ...c, breaker: false, retry: { maxAttempts: 3 } });
        let attempts = 0;
        const err = await policy
          .execute({ rpc: 'X', retryable, hedge: false, timeoutMs: 10_000 }, async () => {
            attempts++;
            throw new ConnectError('x', code);
          })
          .catch((e) => e);
        expect(err).toBeInstanceOf(ChainError);
        const expected = retryable && TRANSIENT.has(code) ? 3 : 1;
        expect(attempts).toBe(expected);
      }),
    );
  });

  it('backoff is full jitter under an exponential, capped ceiling, and honours RetryInfo', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0, max: 0.999, noNaN: true }), async (r) => {
        const c = clock();
        const policy = createCallPolicy('e', {
          ...c,
          random: () => r,
          breaker: false,
          retry: { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 1000 },
        });
        await policy
          .execute({ rpc: 'X', retryable: true, hedge: false, timeoutMs: 1e9 }, async () => {
            throw new ConnectError('x', Code.Unavailable);
          })
          .catch(() => {});
        expect(c.sleeps).toEqual([100, 200, 400, 800, 1000].map((ceil) => Math.floor(r * ceil)));
      }),
      { numRuns: 50 },
    );
  });

  it('each attempt gets the remaining budget as its deadline; a backoff past the deadline ends the call', async () => {
    const c = clock();
    const policy = createCallPolicy('e', {
      ...c,
      random: () => 0.999,
      breaker: false,
      retry: { initialDelayMs: 300, maxAttempts: 10 },
    });
    const deadlines: (number | undefined)[] = [];
    const err = await policy
      .execute(
        { rpc: 'X', retryable: true, hedge: false, timeoutMs: 1000 },
        async (ctx: AttemptContext) => {
          deadlines.push(ctx.timeoutMs);
          c.advance(100);
          throw new ConnectError('x', Code.Unavailable);
        },
      )
      .catch((e) => e);
    expect(err.code).toBe(Code.Unavailable);
    // 1000 → (100 spent + 299 backoff) → 601 → (100 + 599) → next backoff would pass the deadline.
    expect(deadlines).toEqual([1000, 601]);
  });

  it('throws DEADLINE_EXCEEDED when no budget is left', async () => {
    const c = clock();
    const policy = createCallPolicy('e', { ...c, random: () => 0, breaker: false });
    const err = await policy
      .execute({ rpc: 'X', retryable: true, hedge: false, timeoutMs: 50 }, async () => {
        c.advance(60);
        throw new ConnectError('slow', Code.DeadlineExceeded);
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ChainDeadlineExceededError);
  });

  it('an abort during backoff ends the call with ChainCanceledError and no further attempt', async () => {
    const ac = new AbortController();
    let attempts = 0;
    const policy = createCallPolicy('e', {
      breaker: false,
      sleep: (_ms, signal) =>
        new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
      onRetry: () => queueMicrotask(() => ac.abort()),
    });
    const err = await policy
      .execute({ rpc: 'X', retryable: true, hedge: false, signal: ac.signal }, async () => {
        attempts++;
        throw new ConnectError('x', Code.Unavailable);
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ChainCanceledError);
    expect(attempts).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens at the threshold, lets one probe through when half-open, reopens on a failed probe', async () => {
    const c = clock();
    const policy = createCallPolicy('e', {
      ...c,
      retry: false,
      breaker: { failureThreshold: 3, halfOpenAfterMs: 100 },
    });
    const fail = () =>
      policy.execute({ rpc: 'X', retryable: true, hedge: false }, async () => {
        throw new ConnectError('down', Code.Unavailable);
      });
    for (let i = 0; i < 3; i++) await fail().catch(() => {});
    expect(policy.circuitState()).toBe('open');
    await expect(fail()).rejects.toBeInstanceOf(ChainCircuitOpenError);
    c.advance(100);
    expect(policy.circuitState()).toBe('half-open');
    await expect(fail()).rejects.not.toBeInstanceOf(ChainCircuitOpenError); // the probe
    expect(policy.circuitState()).toBe('open');
    c.advance(100);
    expect(
      await policy.execute({ rpc: 'X', retryable: true, hedge: false }, async () => 'ok'),
    ).toBe('ok');
    expect(policy.circuitState()).toBe('closed');
  });
});
