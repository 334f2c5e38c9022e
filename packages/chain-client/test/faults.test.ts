/**
 * Fault behaviour over real HTTP/2 sockets: safe retries with one idempotency key, deadlines,
 * cancellation during backoff, the circuit breaker, hedging, batch backpressure, and a watch that
 * survives the server being killed and restarted.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import {
  ChainCanceledError,
  ChainCircuitOpenError,
  ChainDeadlineExceededError,
  ChainInvalidArgumentError,
  ChainNotReadyError,
  ChainUnavailableError,
  createChainClient,
  type TransactionStatusChange,
} from '@mystira/chain-client';
import { TransactionStatus } from '@mystira/chain-protos';
import { afterEach, describe, expect, it } from 'vitest';
import { contributors, FakeLedger, type RunningServer, serveFake } from './support/fake-chain.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function start(...args: Parameters<typeof serveFake>): Promise<RunningServer> {
  const s = await serveFake(...args);
  cleanup.push(() => s.close());
  return s;
}

function client(options: Parameters<typeof createChainClient>[0]) {
  const c = createChainClient(options);
  cleanup.push(() => c.close());
  return c;
}

const unavailable = () => new ConnectError('try again', Code.Unavailable);

describe('retries', () => {
  it('UNAVAILABLE twice then success: one logical write, one registration, the same key seen three times', async () => {
    const server = await start({
      fault: (method, _ctx, n) => {
        if (method === 'RegisterIpAsset' && n <= 2) throw unavailable();
      },
    });
    const retries: number[] = [];
    const c = client({
      baseUrl: server.url,
      retry: { initialDelayMs: 10 },
      policy: { onRetry: (e) => retries.push(e.attempt) },
    });
    const reg = await c.registerIpAsset({ contentId: 'r1', contentTitle: 'T', contributors });
    const keys = server.observed
      .filter((o) => o.method === 'RegisterIpAsset')
      .map((o) => o.idempotencyKey);
    expect(keys).toEqual([reg.idempotencyKey, reg.idempotencyKey, reg.idempotencyKey]);
    expect(retries).toEqual([1, 2]);
    expect(reg.ipAssetId).toBe('ip-1'); // the first and only registration
    expect(await c.checkRegistration('r1')).toMatchObject({ registered: true, ipAssetId: 'ip-1' });
  });

  it('gives up after maxAttempts with ChainUnavailableError', async () => {
    const server = await start({ fault: () => Promise.reject(unavailable()) });
    const c = client({
      baseUrl: server.url,
      retry: { maxAttempts: 3, initialDelayMs: 1 },
      breaker: false,
    });
    await expect(c.isRegistered('x')).rejects.toBeInstanceOf(ChainUnavailableError);
    expect(server.observed).toHaveLength(3);
  });

  it('never retries a non-transient code, nor a call with retry: false', async () => {
    const server = await start({ fault: () => Promise.reject(unavailable()) });
    const c = client({ baseUrl: server.url, retry: { initialDelayMs: 1 } });
    await expect(
      c.registerIpAsset({ contentId: 'n', contentTitle: 'T', contributors }, { retry: false }),
    ).rejects.toBeInstanceOf(ChainUnavailableError);
    expect(server.observed).toHaveLength(1);
    const server2 = await start();
    const c2 = client({ baseUrl: server2.url, retry: { initialDelayMs: 1 } });
    await expect(
      c2.registerIpAsset({
        contentId: 'n',
        contentTitle: 'T',
        contributors: [{ ...contributors[0]!, shareBasisPoints: 5 }],
      }),
    ).rejects.toBeInstanceOf(ChainInvalidArgumentError);
    expect(server2.observed).toHaveLength(1);
  });

  it('a write without an idempotency key (empty key: opted out) is never retried', async () => {
    const server = await start({ fault: () => Promise.reject(unavailable()) });
    const c = client({ baseUrl: server.url, retry: { initialDelayMs: 1 }, breaker: false });
    await expect(
      c.payRoyalties({ ipAssetId: 'ip', amountWei: 1n, idempotencyKey: '' }),
    ).rejects.toBeInstanceOf(ChainUnavailableError);
    expect(server.observed).toHaveLength(1);
    await expect(c.payRoyalties({ ipAssetId: 'ip', amountWei: 1n })).rejects.toBeInstanceOf(
      ChainUnavailableError,
    );
    expect(server.observed).toHaveLength(5); // keyed: 4 attempts, one key
    expect(new Set(server.observed.slice(1).map((o) => o.idempotencyKey)).size).toBe(1);
  });

  it('an aborted signal stops retries at once, during the backoff', async () => {
    const server = await start({ fault: () => Promise.reject(unavailable()) });
    const ac = new AbortController();
    const c = client({
      baseUrl: server.url,
      timeoutMs: 120_000,
      // A one-minute backoff: the test only finishes because the abort cuts it short.
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      policy: { onRetry: () => ac.abort() },
    });
    await expect(
      c.payRoyalties({ ipAssetId: 'ip', amountWei: 1n }, { signal: ac.signal }),
    ).rejects.toBeInstanceOf(ChainCanceledError);
    expect(server.observed).toHaveLength(1);
    // Already aborted: nothing is sent at all.
    await expect(c.isRegistered('x', { signal: ac.signal })).rejects.toBeInstanceOf(
      ChainCanceledError,
    );
    expect(server.observed).toHaveLength(1);
  });
});

describe('deadlines', () => {
  it('a stalled server gives DEADLINE_EXCEEDED within the timeout, and the server saw the deadline', async () => {
    let serverAborted = false;
    const server = await start({
      fault: (_m, ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => {
            serverAborted = true;
            reject(ctx.signal.reason);
          }),
        ),
    });
    const c = client({ baseUrl: server.url, timeoutMs: 5000 });
    const err = await c.getIpAssetStatus('slow', { timeoutMs: 200 }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainDeadlineExceededError);
    expect(server.observed[0]?.timeoutMs).toBeLessThanOrEqual(200);
    await expect.poll(() => serverAborted).toBe(true);
  });

  it('retries a timed-out attempt within the call budget when attemptTimeoutMs is set', async () => {
    const server = await start({
      fault: (_m, ctx, n) => {
        if (n === 1)
          return new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
          );
        return undefined;
      },
    });
    const c = client({
      baseUrl: server.url,
      timeoutMs: 10_000,
      attemptTimeoutMs: 150,
      retry: { initialDelayMs: 1 },
    });
    expect(await c.isRegistered('a')).toBe(false);
    expect(server.observed).toHaveLength(2);
    expect(server.observed[0]?.timeoutMs).toBeLessThanOrEqual(150);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails fast, and closes after a successful probe', async () => {
    let down = true;
    const server = await start({
      fault: () => {
        if (down) throw unavailable();
      },
    });
    const c = client({
      baseUrl: server.url,
      retry: false,
      breaker: { failureThreshold: 2, halfOpenAfterMs: 100 },
    });
    await expect(c.isRegistered('a')).rejects.toBeInstanceOf(ChainUnavailableError);
    await expect(c.isRegistered('a')).rejects.toBeInstanceOf(ChainUnavailableError);
    expect(c.circuitState()).toBe('open');
    await expect(c.isRegistered('a')).rejects.toBeInstanceOf(ChainCircuitOpenError);
    expect(server.observed).toHaveLength(2); // the third call never left the process
    down = false;
    await new Promise((r) => setTimeout(r, 150));
    await c.isRegistered('a');
    expect(c.circuitState()).toBe('closed');
    expect(server.observed).toHaveLength(3);
  });

  it('client errors (INVALID_ARGUMENT) do not count as endpoint failures', async () => {
    const server = await start();
    const c = client({ baseUrl: server.url, retry: false, breaker: { failureThreshold: 1 } });
    const bad = {
      contentId: 'b',
      contentTitle: 'T',
      contributors: [{ ...contributors[0]!, shareBasisPoints: 1 }],
    };
    await expect(c.registerIpAsset(bad)).rejects.toBeInstanceOf(ChainInvalidArgumentError);
    await expect(c.registerIpAsset(bad)).rejects.toBeInstanceOf(ChainInvalidArgumentError);
    expect(c.circuitState()).toBe('closed');
  });
});

describe('hedging (opt-in, reads only)', () => {
  it('a second copy answers when the first stalls; the loser is cancelled', async () => {
    let firstAborted = false;
    const server = await start({
      fault: (_m, ctx, n) => {
        if (n === 1)
          return new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              firstAborted = true;
              reject(ctx.signal.reason);
            }),
          );
        return undefined;
      },
    });
    const c = client({ baseUrl: server.url, hedging: { delayMs: 30, maxAttempts: 2 } });
    expect(await c.getRoyaltyConfiguration('ip-h')).toMatchObject({ ipAssetId: 'ip-h' });
    expect(server.observed).toHaveLength(2);
    await expect.poll(() => firstAborted).toBe(true);
  });

  it('writes are never hedged', async () => {
    const server = await start({
      fault: (_m, _ctx, n) => (n === 1 ? new Promise((r) => setTimeout(r, 150)) : undefined),
    });
    const c = client({ baseUrl: server.url, hedging: { delayMs: 10, maxAttempts: 3 } });
    await c.registerIpAsset({ contentId: 'w', contentTitle: 'T', contributors });
    expect(server.observed).toHaveLength(1);
  });
});

describe('batchRegister backpressure', () => {
  it('pulls items only as fast as the server reads them', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let read = 0;
    const server = await start({
      onBatchItem: async (_req, i) => {
        read = i + 1;
        if (i === 2) await gate; // the server stops reading after three items
      },
    });
    const c = client({ baseUrl: server.url });
    let pulled = 0;
    const big = 'x'.repeat(32 * 1024);
    function* items() {
      for (let i = 0; i < 200; i++) {
        pulled++;
        yield { contentId: `bp${i}`, contentTitle: big, contributors };
      }
    }
    const done = c.batchRegister(items());
    await expect.poll(() => read).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    // HTTP/2 flow control (64 KiB windows) holds the producer a few items ahead, not 200.
    expect(pulled).toBeLessThan(20);
    release();
    const res = await done;
    expect(res.totalSubmitted).toBe(200);
    expect(pulled).toBe(200);
  });
});

describe('watchTransactions across a server crash', () => {
  it('resumes after kill + restart with no gap and no duplicate', async () => {
    const ledger = new FakeLedger();
    const hash = `0x${'c'.repeat(64)}`;
    ledger.set(hash, { status: TransactionStatus.PENDING, confirmations: 0n });
    let server = await serveFake({ ledger });
    const port = server.port;
    cleanup.push(() => server.close());
    const reconnects: string[] = [];
    const c = client({
      baseUrl: server.url,
      watch: {
        initialDelayMs: 20,
        maxDelayMs: 100,
        maxReconnects: 50,
        onReconnect: (e) => reconnects.push(e.error.codeName),
      },
    });
    const it = c.watchTransactions([hash])[Symbol.asyncIterator]();
    const seen: TransactionStatusChange[] = [];
    const next = async () => {
      const r = await it.next();
      if (!r.done) seen.push(r.value);
      return r;
    };
    await next(); // pending, 0
    ledger.set(hash, { status: TransactionStatus.CONFIRMED, confirmations: 1n });
    await next(); // confirmed, 1

    // Crash with nothing new while down: the server re-reports "confirmed, 1" on reconnect,
    // which the client drops.
    await server.kill();
    server = await serveFake({ ledger }, { port });
    ledger.set(hash, { status: TransactionStatus.CONFIRMED, confirmations: 2n });
    await next(); // confirmed, 2

    // Crash, and the transaction moves while the server is down: the current state is
    // reported once the client is back.
    await server.kill();
    ledger.set(hash, { status: TransactionStatus.CONFIRMED, confirmations: 3n });
    server = await serveFake({ ledger }, { port });
    await next(); // confirmed, 3 (terminal: the server ends the stream)
    expect((await it.next()).done).toBe(true);

    expect(seen.map((u) => `${u.status}:${u.confirmations}`)).toEqual([
      'pending:0',
      'confirmed:1',
      'confirmed:2',
      'confirmed:3',
    ]);
    expect(reconnects.length).toBeGreaterThanOrEqual(2);
    await server.close();
  });
});

describe('watchTransactions through a reorg', () => {
  it('delivers every state of a reorg: a state seen before comes again when the chain changed', async () => {
    const ledger = new FakeLedger();
    const hash = `0x${'d'.repeat(64)}`;
    const [a, b] = [`0x${'a'.repeat(64)}`, `0x${'b'.repeat(64)}`];
    ledger.set(hash, { status: TransactionStatus.PENDING, confirmations: 0n });
    const server = await serveFake({ ledger });
    cleanup.push(() => server.close());
    const it = client({ baseUrl: server.url }).watchTransactions([hash])[Symbol.asyncIterator]();
    const seen: string[] = [];
    const next = async () => {
      const r = await it.next();
      if (!r.done)
        seen.push(`${r.value.status}:${r.value.confirmations}:${r.value.blockHash ?? '-'}`);
    };
    await next();
    ledger.set(hash, { status: TransactionStatus.CONFIRMED, confirmations: 1n, blockHash: a });
    await next();
    ledger.set(hash, { status: TransactionStatus.PENDING, confirmations: 0n }); // block A left
    await next();
    ledger.set(hash, { status: TransactionStatus.CONFIRMED, confirmations: 1n, blockHash: b });
    await next();
    ledger.set(hash, { status: TransactionStatus.CONFIRMED, confirmations: 3n, blockHash: b });
    await next();
    expect((await it.next()).done).toBe(true);
    expect(seen).toEqual([
      'pending:0:-',
      `confirmed:1:${a}`,
      'pending:0:-',
      `confirmed:1:${b}`,
      `confirmed:3:${b}`,
    ]);
  });
});

describe('watchTransactions cancellation', () => {
  it('an abort while reconnecting to a dead server ends the iterator at once', async () => {
    const server = await serveFake();
    const c = client({
      baseUrl: server.url,
      watch: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxReconnects: 50 },
    });
    const ac = new AbortController();
    const it = c.watchTransactions(['0xstuck'], { signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ status: 'pending' });
    const next = it.next();
    await server.kill(); // the stream breaks; the watch backs off (up to a minute) before reconnecting
    setTimeout(() => ac.abort(), 50);
    await expect(next).rejects.toBeInstanceOf(ChainCanceledError);
  });
});

describe('ready()', () => {
  it('waits for a server that comes up late, and gives up with ChainNotReadyError when none does', async () => {
    // Find a free port, then leave it closed for a while.
    const probe = await serveFake();
    const port = probe.port;
    await probe.close();
    const c = client({ baseUrl: `http://127.0.0.1:${port}` });
    await expect(c.ready({ timeoutMs: 300, intervalMs: 20 })).rejects.toBeInstanceOf(
      ChainNotReadyError,
    );
    const waiting = c.ready({ timeoutMs: 20_000, intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    const late = await serveFake({}, { port });
    cleanup.push(() => late.close());
    await waiting;
    expect(late.observed.some((o) => o.method === 'HealthCheck')).toBe(true);
    // ready() polls around the breaker: it is still closed for the calls that follow.
    expect(c.circuitState()).toBe('closed');
  });

  it('stops at once when its signal aborts', async () => {
    const probe = await serveFake();
    const port = probe.port;
    await probe.close();
    const c = client({ baseUrl: `http://127.0.0.1:${port}` });
    const ac = new AbortController();
    const waiting = c.ready({ timeoutMs: 60_000, intervalMs: 20, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(waiting).rejects.toBeInstanceOf(ChainCanceledError);
  });
});
