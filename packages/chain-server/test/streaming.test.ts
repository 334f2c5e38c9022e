/** WatchTransactions and BatchRegisterIpAssets: states, limits, slow readers, cancellation. */
import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  RegisterIpAssetRequestSchema,
  TransactionStatus,
  WatchTransactionsRequestSchema,
} from '@mystira/chain-protos';
import { createChainHandlers, DevnetLedger } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clientFor,
  grpcFrame,
  type Running,
  rawH2,
  registration,
  startServer,
  unique,
} from './helpers.js';

describe('WatchTransactions', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startServer({ confirmations: 3 });
  });
  afterAll(() => r.close());

  it.each(['grpc', 'grpc-web', 'connect-json'] as const)(
    'reports current states, then every change, and completes when all are terminal (%s)',
    async (protocol) => {
      const client = clientFor(protocol, r.baseUrl);
      const a = await client.registerIpAsset(registration());
      r.ledger.mine(); // a is included
      r.ledger.failNextTransaction({ kind: 'register', message: 'reverted' });
      const b = await client.registerIpAsset(registration());
      const hashes = [a.registrationTxHash as string, b.registrationTxHash as string];
      const seen: [string, TransactionStatus, bigint][] = [];
      for await (const u of client.watchTransactions({ transactionHashes: hashes })) {
        seen.push([u.transactionHash === hashes[0] ? 'a' : 'b', u.status, u.confirmations]);
        if (seen.length >= 2) r.ledger.mine();
      }
      // First the current states, in request order.
      expect(seen.slice(0, 2)).toEqual([
        ['a', TransactionStatus.CONFIRMED, 1n],
        ['b', TransactionStatus.PENDING, 0n],
      ]);
      // Then changes (a reader slower than the chain gets the newest state of each hash), each
      // hash moving forward only, ending terminal: a with 3 confirmations, b failed.
      for (const name of ['a', 'b']) {
        const mine = seen.filter((x) => x[0] === name).map((x) => x[2]);
        expect([...mine].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))).toEqual(mine);
      }
      expect(seen.filter((x) => x[0] === 'a').at(-1)).toEqual([
        'a',
        TransactionStatus.CONFIRMED,
        3n,
      ]);
      expect(seen.filter((x) => x[0] === 'b').at(-1)).toEqual(['b', TransactionStatus.FAILED, 1n]);
    },
  );

  it('fails with NOT_FOUND for an unknown hash', async () => {
    const client = clientFor('grpc', r.baseUrl);
    const run = async () => {
      for await (const _ of client.watchTransactions({
        transactionHashes: [`0x${'9'.repeat(64)}`],
      }))
        break;
    };
    await expect(run()).rejects.toMatchObject({ code: Code.NotFound });
  });

  it.each(['grpc', 'connect-json'] as const)(
    'releases its listeners when the client cancels (%s)',
    async (protocol) => {
      const client = clientFor(protocol, r.baseUrl);
      const a = await client.registerIpAsset(registration());
      const before = r.ledger.listenerCount();
      const abort = new AbortController();
      const stream = client.watchTransactions(
        { transactionHashes: [a.registrationTxHash as string] },
        { signal: abort.signal },
      );
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      expect(r.ledger.listenerCount()).toBe(before + 1);
      abort.abort();
      await expect(it.next()).rejects.toMatchObject({ code: Code.Canceled });
      await vi.waitFor(() => expect(r.ledger.listenerCount()).toBe(before), { timeout: 5000 });
    },
  );

  it('ends an idle stream with DEADLINE_EXCEEDED and releases its listeners', async () => {
    const idle = await startServer({ limits: { streamIdleTimeoutMs: 100 } });
    try {
      const client = clientFor('grpc', idle.baseUrl);
      const a = await client.registerIpAsset(registration());
      const run = async () => {
        for await (const _ of client.watchTransactions({
          transactionHashes: [a.registrationTxHash as string],
        })) {
          // the first (current) state arrives; then nothing happens
        }
      };
      await expect(run()).rejects.toMatchObject({ code: Code.DeadlineExceeded });
      expect(idle.ledger.listenerCount()).toBe(0);
    } finally {
      await idle.close();
    }
  });

  it('keeps at most one pending state per hash for a slow reader', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 10_000 });
    const handlers = createChainHandlers({ ledger });
    const asset = await ledger.registerAsset({ contentId: 'slow', title: 't', contributors: [] });
    const stream = handlers.watchTransactions(
      create(WatchTransactionsRequestSchema, { transactionHashes: [asset.txHash] }),
      {
        signal: new AbortController().signal,
      },
    );
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value?.status).toBe(TransactionStatus.PENDING);
    // The reader stalls while 5000 blocks are produced: the buffer coalesces them into one state.
    ledger.mine(5000);
    const next = await it.next();
    expect(next.value?.confirmations).toBe(5000n);
    ledger.mine(1);
    expect((await it.next()).value?.confirmations).toBe(5001n);
    await it.return?.(undefined);
    expect(ledger.listenerCount()).toBe(0);
  });
});

describe('BatchRegisterIpAssets', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startServer({ limits: { maxBatchItems: 5, streamIdleTimeoutMs: 300 } });
  });
  afterAll(() => r.close());

  it.each(['grpc', 'connect-binary'] as const)(
    'applies idempotency per item (%s)',
    async (protocol) => {
      const client = clientFor(protocol, r.baseUrl);
      const item = registration();
      async function* items() {
        yield item;
        yield item; // a retried item replays, it does not register twice
      }
      const res = await client.batchRegisterIpAssets(items());
      expect(res).toMatchObject({ totalSubmitted: 2, successful: 2, failed: 0 });
      expect(res.results[0]?.transactionHash).toBe(res.results[1]?.transactionHash);
    },
  );

  it('rejects an over-long stream with RESOURCE_EXHAUSTED and registers nothing', async () => {
    const client = clientFor('grpc', r.baseUrl);
    const ids = Array.from({ length: 6 }, () => unique('batch'));
    async function* items() {
      for (const id of ids) yield registration(id);
    }
    const err = ConnectError.from(
      await client.batchRegisterIpAssets(items()).catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.ResourceExhausted);
    for (const id of ids)
      expect((await client.getIpAssetStatus({ contentId: id }).catch((e) => e)).code).toBe(
        Code.NotFound,
      );
  });

  it('ends a batch whose client stops sending with DEADLINE_EXCEEDED', async () => {
    // At the protocol level: one message, then the client neither sends nor ends its stream.
    const res = await rawH2(
      r.port,
      '/mystira.chain.v1.ChainService/BatchRegisterIpAssets',
      { 'content-type': 'application/grpc' },
      grpcFrame(
        toBinary(
          RegisterIpAssetRequestSchema,
          create(RegisterIpAssetRequestSchema, registration()),
        ),
      ),
      { end: false },
    );
    expect(res.grpcStatus).toBe(String(Code.DeadlineExceeded));
    // and the server keeps serving
    expect((await clientFor('grpc', r.baseUrl).healthCheck({})).version).toBeDefined();
  });
});
