/**
 * The web entry turns a fetch that got no answer at all (a TypeError: "Failed to fetch" in
 * Chromium, "fetch failed" in Node) into UNAVAILABLE, so such calls are retried like any other
 * outage and reported as ChainUnavailableError instead of an UNKNOWN ChainError.
 */
import * as net from 'node:net';
import { ChainUnavailableError, createChainClient } from '@mystira/chain-client/web';
import { createChainServer, DevnetLedger } from '@mystira/chain-server';
import { describe, expect, it } from 'vitest';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('@mystira/chain-client/web when the network fails', () => {
  it('reports a refused connection as ChainUnavailableError', async () => {
    const chain = createChainClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      retry: false,
      breaker: false,
    });
    const failure = await chain.isRegistered('story-1').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ChainUnavailableError);
    expect(failure).toMatchObject({ codeName: 'UNAVAILABLE', rpc: 'IsRegistered' });
  });

  it('retries a write whose fetch failed without an answer, with the same idempotency key', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0 });
    const server = createChainServer({ ledger });
    const { port } = await server.listen(0);
    const bodies: string[] = [];
    let attempts = 0;
    const flakyFetch: typeof fetch = async (input, init) => {
      attempts += 1;
      // Connect JSON: the request body is the JSON message as bytes.
      bodies.push(new TextDecoder().decode(init?.body as Uint8Array));
      if (attempts === 1) throw new TypeError('Failed to fetch');
      return fetch(input, init);
    };
    try {
      const chain = createChainClient({
        baseUrl: `http://127.0.0.1:${port}`,
        fetch: flakyFetch,
        retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
      });
      const registration = await chain.registerIpAsset({
        contentId: 'story-retried',
        contentTitle: 'Retried',
        contributors: [
          { walletAddress: `0x${'a'.repeat(40)}`, role: 'author', shareBasisPoints: 10_000 },
        ],
      });
      expect(registration.status).toBe('pending');
      expect(attempts).toBe(2);
      expect(bodies[1]).toBe(bodies[0]);
      expect(bodies[0]).toContain(registration.idempotencyKey);
    } finally {
      await server.close({ deadlineMs: 200 });
    }
  });
});
