/**
 * The call policy on its own (no sockets): which calls and codes are retried, deadlines per
 * attempt, abort during backoff, the breaker, hedging. The machinery is @mystira/resilience.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import {
  type AttemptContext,
  ChainCanceledError,
  ChainCircuitOpenError,
  ChainError,
  createCallPolicy,
} from '@mystira/chain-client';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const ALL_CODES = Array.from({ length: 16 }, (_, i) => (i + 1) as Code);
// @mystira/resilience's gRPC rules for a call that is safe to repeat, plus CANCELED that the
// caller did not ask for (the peer reset the stream), which the client treats as UNAVAILABLE.
// RESOURCE_EXHAUSTED is retried only with a grpc-retry-pushback-ms hint (none here).
const TRANSIENT = new Set([Code.Unavailable, Code.Aborted, Code.DeadlineExceeded, Code.Canceled]);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('retry rules', () => {
  it('retries exactly the transient codes, and only retryable calls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ALL_CODES), fc.boolean(), async (code, retryable) => {
        const policy = createCallPolicy('e', {
          breaker: false,
          retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
        });
        let attempts = 0;
        const err = await policy
          .execute({ rpc: 'X', retryable, hedge: false, timeoutMs: 10_000 }, async () => {
            attempts++;
            throw new ConnectError('x', code);
          })
          .catch((e) => e);
        expect(err).toBeInstanceOf(ChainError);
        expect(err.rpc).toBe('X');
        expect(attempts).toBe(retryable && TRANSIENT.has(code) ? 3 : 1);
      }),
      { numRuns: 60 },
    );
  });

  it('each attempt carries the time left as its deadline; no retry starts past the deadline', async () => {
    let t = 0;
    const policy = createCallPolicy('e', {
      now: () => t,
      breaker: false,
      retry: { maxAttempts: 10, initialDelayMs: 1, maxDelayMs: 2 },
    });
    const deadlines: (number | undefined)[] = [];
    const err = await policy
      .execute(
        { rpc: 'X', retryable: true, hedge: false, timeoutMs: 1000 },
        async (ctx: AttemptContext) => {
          deadlines.push(ctx.timeoutMs);
          t += 400;
          throw new ConnectError('x', Code.Unavailable);
        },
      )
      .catch((e) => e);
    expect(err.code).toBe(Code.Unavailable);
    expect(deadlines).toEqual([1000, 600, 200]);
  });

  it('an abort during the backoff ends the call at once with ChainCanceledError', async () => {
    const ac = new AbortController();
    let attempts = 0;
    const policy = createCallPolicy('e', {
      breaker: false,
      // A one-minute backoff: the test only finishes because the abort cuts it short.
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      onRetry: () => queueMicrotask(() => ac.abort()),
    });
    const err = await policy
      .execute(
        { rpc: 'X', retryable: true, hedge: false, signal: ac.signal, timeoutMs: 600_000 },
        async () => {
          attempts++;
          throw new ConnectError('x', Code.Unavailable);
        },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(ChainCanceledError);
    expect(attempts).toBe(1);
  });
});

describe('circuit breaker (one per endpoint)', () => {
  it('opens at the threshold, fails fast, lets one probe through when half-open, closes on success', async () => {
    const policy = createCallPolicy('e', {
      retry: false,
      breaker: { failureThreshold: 3, halfOpenAfterMs: 50 },
    });
    let sent = 0;
    const fail = () =>
      policy.execute({ rpc: 'X', retryable: true, hedge: false }, async () => {
        sent++;
        throw new ConnectError('down', Code.Unavailable);
      });
    for (let i = 0; i < 3; i++) await fail().catch(() => {});
    expect(policy.circuitState()).toBe('open');
    await expect(fail()).rejects.toBeInstanceOf(ChainCircuitOpenError);
    expect(sent).toBe(3);
    await wait(70);
    await expect(fail()).rejects.not.toBeInstanceOf(ChainCircuitOpenError); // the probe
    expect(policy.circuitState()).toBe('open');
    await wait(70);
    expect(
      await policy.execute({ rpc: 'X', retryable: true, hedge: false }, async () => 'ok'),
    ).toBe('ok');
    expect(policy.circuitState()).toBe('closed');
  });

  it('caller mistakes do not count', async () => {
    const policy = createCallPolicy('e', { retry: false, breaker: { failureThreshold: 1 } });
    for (const code of [
      Code.InvalidArgument,
      Code.NotFound,
      Code.AlreadyExists,
      Code.PermissionDenied,
    ]) {
      await policy
        .execute({ rpc: 'X', retryable: true, hedge: false }, async () => {
          throw new ConnectError('no', code);
        })
        .catch(() => {});
    }
    expect(policy.circuitState()).toBe('closed');
  });
});

describe('hedging', () => {
  it('a second copy starts after the delay; the first answer wins and the loser is aborted', async () => {
    const policy = createCallPolicy('e', { hedging: { delayMs: 10, maxAttempts: 2 } });
    let loserAborted = false;
    const value = await policy.execute(
      { rpc: 'X', retryable: true, hedge: true, timeoutMs: 5000 },
      (ctx) => {
        if (ctx.attempt === 1) {
          return new Promise<string>((_, reject) =>
            ctx.signal?.addEventListener('abort', () => {
              loserAborted = true;
              reject(ctx.signal?.reason);
            }),
          );
        }
        return Promise.resolve('second');
      },
    );
    expect(value).toBe('second');
    await expect.poll(() => loserAborted).toBe(true);
  });
});

describe('many distinct deadlines', () => {
  it('a caller propagating upstream deadlines (a new timeout per call) keeps working with one shared breaker', async () => {
    const policy = createCallPolicy('e', {
      now: () => 0, // a frozen clock: each attempt's deadline is exactly the call's timeout
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      breaker: { failureThreshold: 3 },
    });
    for (let i = 0; i < 200; i++) {
      expect(
        await policy.execute(
          { rpc: 'X', retryable: true, hedge: false, timeoutMs: 1000 + i },
          async (ctx) => ctx.timeoutMs,
        ),
      ).toBe(1000 + i);
    }
    for (let i = 0; i < 3; i++) {
      await policy
        .execute({ rpc: 'X', retryable: false, hedge: false, timeoutMs: 5000 + i }, async () => {
          throw new ConnectError('down', Code.Unavailable);
        })
        .catch(() => {});
    }
    expect(policy.circuitState()).toBe('open');
  });
});
