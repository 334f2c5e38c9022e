/**
 * Idempotency over real sockets with the in-memory store, and across two server instances that
 * share the real Redis on 127.0.0.1:6379.
 */
import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { DevnetLedger, MemoryIdempotencyStore, RedisIdempotencyStore } from '@mystira/chain-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  NATIVE,
  type Running,
  registeredAsset,
  registration,
  startServer,
  unique,
} from './helpers.js';

describe('in-memory store', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startServer();
  });
  afterAll(() => r.close());

  it.each(['grpc', 'connect-json'] as const)(
    '50 parallel duplicates register once (%s)',
    async (protocol) => {
      const client = clientFor(protocol, r.baseUrl);
      const req = registration();
      const before = r.ledger.blockNumber;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => client.registerIpAsset(req)),
      );
      const hashes = new Set(results.map((x) => x.registrationTxHash));
      expect(hashes.size).toBe(1);
      expect(new Set(results.map((x) => x.ipAssetId)).size).toBe(1);
      expect(r.ledger.blockNumber).toBe(before);
      // And a later retry replays the first answer, even after the state moved on.
      r.ledger.mine(2);
      const again = await client.registerIpAsset(req);
      expect(again.registrationTxHash).toBe(results[0]?.registrationTxHash);
      expect(again.status).toBe(results[0]?.status);
    },
  );

  it('rejects the same key with a different request, without acting', async () => {
    const client = clientFor('grpc', r.baseUrl);
    const req = registration();
    await client.registerIpAsset(req);
    const other = { ...registration(), idempotencyKey: req.idempotencyKey };
    const err = ConnectError.from(await client.registerIpAsset(other).catch((e: unknown) => e));
    expect(err.code).toBe(Code.AlreadyExists);
    expect(err.rawMessage).toContain('different request');
    expect((await client.isRegistered({ contentId: other.contentId })).isRegistered).toBe(false);
    await expect(client.getIpAssetStatus({ contentId: other.contentId })).rejects.toMatchObject({
      code: Code.NotFound,
    });
  });

  it('does not store errors: a retry after a refused call executes again', async () => {
    const client = clientFor('grpc', r.baseUrl);
    const ip = await registeredAsset(client, r.ledger);
    const key = unique('claim');
    const claim = {
      ipAssetId: ip,
      contributorWallet: '0x1111111111111111111111111111111111111111',
      currencyToken: NATIVE,
      idempotencyKey: key,
    };
    await expect(client.claimRoyalties(claim)).rejects.toMatchObject({
      code: Code.FailedPrecondition,
    });
    await client.payRoyalties({
      ipAssetId: ip,
      amountWei: '10',
      currencyToken: NATIVE,
      idempotencyKey: unique('pay'),
    });
    r.ledger.mine();
    const ok = await client.claimRoyalties(claim);
    expect(ok.amountClaimedWei).toBe('7');
    // Replayed, not claimed twice.
    expect((await client.claimRoyalties(claim)).transactionHash).toBe(ok.transactionHash);
  });

  it('keeps keys of different callers apart and evicts beyond maxRecords', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 2 });
    for (const k of ['a', 'b', 'c']) {
      const b = await store.begin(k, 'f');
      if (b.kind !== 'acquired') throw new Error('expected acquired');
      await store.complete(k, b.token, 'f', new Uint8Array([1]));
    }
    expect(store.size).toBe(2);
    expect((await store.begin('a', 'f')).kind).toBe('acquired');
  });
});

describe('Redis store shared by two servers', () => {
  const redis = new Redis({
    host: '127.0.0.1',
    port: 6379,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  const prefix = `test:chain-server:${randomUUID()}:`;
  let a: Running;
  let b: Running;
  beforeAll(async () => {
    await redis.connect();
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 2 });
    // Two instances over one ledger (as two replicas over one chain), one Redis.
    a = await startServer({
      ledger,
      idempotency: new RedisIdempotencyStore({ redis, prefix, ttlMs: 60_000 }),
    });
    b = await startServer({
      ledger,
      idempotency: new RedisIdempotencyStore({ redis, prefix, ttlMs: 60_000 }),
    });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('50 parallel duplicates across both instances register once', async () => {
    const req = registration();
    const ca = clientFor('grpc', a.baseUrl);
    const cb = clientFor('connect-json', b.baseUrl);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? ca : cb).registerIpAsset(req)),
    );
    expect(new Set(results.map((x) => x.registrationTxHash)).size).toBe(1);
    const ttl = await redis.pttl(`${prefix}anonymous:RegisterIpAsset:${req.idempotencyKey}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('rejects a different request under the same key on the other instance', async () => {
    const req = registration();
    await clientFor('grpc', a.baseUrl).registerIpAsset(req);
    await expect(
      clientFor('grpc', b.baseUrl).registerIpAsset({
        ...registration(),
        idempotencyKey: req.idempotencyKey,
      }),
    ).rejects.toMatchObject({ code: Code.AlreadyExists });
  });

  it('releases a key whose execution failed so a retry acts', async () => {
    const store = new RedisIdempotencyStore({ redis, prefix });
    const first = await store.begin('k1', 'f');
    if (first.kind !== 'acquired') throw new Error('expected acquired');
    await store.release('k1', first.token);
    const second = await store.begin('k1', 'f');
    expect(second.kind).toBe('acquired');
    if (second.kind === 'acquired')
      await store.complete('k1', second.token, 'f', new Uint8Array([7]));
    expect(await store.begin('k1', 'f')).toEqual({ kind: 'replay', response: Buffer.from([7]) });
    expect(await store.begin('k1', 'g')).toEqual({ kind: 'mismatch' });
  });
});

describe('Redis down', () => {
  it('answers UNAVAILABLE before acting, and the server keeps serving reads', async () => {
    // A port nobody listens on; no offline queue, so commands fail at once.
    const dead = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    dead.on('error', () => {}); // expected: nothing listens there
    const r = await startServer({ idempotency: new RedisIdempotencyStore({ redis: dead }) });
    try {
      const client = clientFor('grpc', r.baseUrl);
      const req = registration();
      await expect(client.registerIpAsset(req)).rejects.toMatchObject({ code: Code.Unavailable });
      expect((await client.isRegistered({ contentId: req.contentId })).isRegistered).toBe(false);
      await expect(client.getIpAssetStatus({ contentId: req.contentId })).rejects.toMatchObject({
        code: Code.NotFound,
      });
    } finally {
      await r.close();
      dead.disconnect();
    }
  });
});
