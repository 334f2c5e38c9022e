/**
 * Per-caller rate limits over real sockets, on both serving paths and every protocol: a caller
 * past its bucket gets RESOURCE_EXHAUSTED with google.rpc.RetryInfo and grpc-retry-pushback-ms,
 * before its body is read; other callers and open procedures are not affected; a limiter that
 * fails lets calls through.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { hashApiKey, RetryInfoSchema } from '@mystira/chain-server';
import { memoryRateLimiter } from '@mystira/resilience';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, codeOf, protocols, type Running, startServer } from './helpers.js';

describe.each([true, false])('fastPath=%s', (fastPath) => {
  let r: Running;
  let clock = 0;
  beforeAll(async () => {
    r = await startServer({
      fastPath,
      auth: {
        apiKeys: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => ({
          id,
          sha256: hashApiKey(`key-${id}`),
          scopes: ['chain:read', 'chain:write'],
        })),
      },
      // A clock the test moves: refills happen only when it says so.
      rateLimit: {
        limiter: memoryRateLimiter({ capacity: 2, refillPerSecond: 1, now: () => clock }),
      },
    });
  });
  afterAll(() => r.close());

  it.each(protocols.map((p, i) => [p, i] as const))(
    '%s: the third call in a burst is refused with RetryInfo; another caller is not',
    async (protocol, i) => {
      const key = ['a', 'b', 'c', 'd'][i] as string;
      const client = clientFor(protocol, r.baseUrl, { 'x-api-key': `key-${key}` });
      expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe('ok');
      expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe('ok');
      const refused = await client.isRegistered({ contentId: 'x' }).catch((e) => e);
      const error = ConnectError.from(refused);
      expect(error.code).toBe(Code.ResourceExhausted);
      expect(error.rawMessage).toContain(`key:${key}`);
      const [info] = error.findDetails(RetryInfoSchema);
      expect(Number(info?.retryDelay?.seconds) * 1000 + (info?.retryDelay?.nanos ?? 0) / 1e6).toBe(
        1000,
      );
      expect(error.metadata.get('grpc-retry-pushback-ms')).toBe('1000');
      // Open procedures are never limited; another caller has its own bucket.
      expect(await codeOf(client.healthCheck({}))).toBe('ok');
      const other = clientFor(protocol, r.baseUrl, {
        'x-api-key': `key-${['e', 'f', 'g', 'h'][i]}`,
      });
      expect(await codeOf(other.isRegistered({ contentId: 'x' }))).toBe('ok');
      // Once the bucket has refilled, the caller is served again.
      clock += 1000;
      expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe('ok');
    },
  );
});

it('limits anonymous callers by address, and lets calls through when the limiter fails', async () => {
  let failing = false;
  const limiter = memoryRateLimiter({ capacity: 1, refillPerSecond: 0.001 });
  const r = await startServer({
    rateLimit: {
      limiter: {
        take: (key, cost, signal) =>
          failing ? Promise.reject(new Error('store down')) : limiter.take(key, cost, signal),
      },
    },
  });
  try {
    const client = clientFor('grpc', r.baseUrl);
    expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe('ok');
    const refused = await client.isRegistered({ contentId: 'x' }).catch((e) => e);
    expect(ConnectError.from(refused).rawMessage).toContain('ip:127.0.0.1');
    failing = true;
    expect(await codeOf(client.isRegistered({ contentId: 'x' }))).toBe('ok');
  } finally {
    await r.close();
  }
});
