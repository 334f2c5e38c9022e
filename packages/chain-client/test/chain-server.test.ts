/**
 * Against the real server: @mystira/chain-server on a DevnetLedger, over real sockets, with each
 * protocol. Every RPC through the facade, API-key auth, grpc.health.v1 from @mystira/health,
 * errors mapped to typed errors with the server's field violations, and a watch that resumes
 * when the server shuts down mid-stream and comes back on the same port.
 */
import {
  type ChainClient,
  ChainInvalidArgumentError,
  ChainNotFoundError,
  type ChainProtocol,
  ChainUnauthenticatedError,
  createChainClient,
} from '@mystira/chain-client';
import {
  type ChainServer,
  createChainServer,
  DevnetLedger,
  hashApiKey,
} from '@mystira/chain-server';
import { createHealthRegistry, grpcHealthRoutes, Health } from '@mystira/health';
import { memoryRateLimiter } from '@mystira/resilience';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WALLET_A = '0x1111111111111111111111111111111111111111';
const WALLET_B = '0x2222222222222222222222222222222222222222';
const KEY = 'chain-client-test-key';
let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;

async function start(
  ledger: DevnetLedger,
  port = 0,
): Promise<{ server: ChainServer; url: string; port: number }> {
  const registry = createHealthRegistry();
  registry.statusBoard.set('mystira.chain.v1.ChainService', 'SERVING');
  const server = createChainServer({
    ledger,
    auth: {
      apiKeys: [
        { id: 'client-test', sha256: hashApiKey(KEY), scopes: ['chain:read', 'chain:write'] },
      ],
    },
    extraRoutes: [{ routes: grpcHealthRoutes(registry), services: [Health] }],
  });
  const bound = await server.listen(port);
  return { server, url: `http://127.0.0.1:${bound.port}`, port: bound.port };
}

describe.each<ChainProtocol>(['grpc', 'grpc-web', 'connect'])(
  '@mystira/chain-server over %s',
  (protocol) => {
    let ledger: DevnetLedger;
    let running: Awaited<ReturnType<typeof start>>;
    let client: ChainClient;
    beforeAll(async () => {
      ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 2 });
      running = await start(ledger);
      client = createChainClient({
        baseUrl: running.url,
        protocol,
        auth: { type: 'apiKey', apiKey: KEY },
      });
    });
    afterAll(async () => {
      client.close();
      await running.server.close({ deadlineMs: 1000 });
    });

    it('serves every RPC of the contract through the facade', async () => {
      await client.ready({ timeoutMs: 5000 });
      expect(await client.checkHealth()).toBe('serving'); // grpc.health.v1 from @mystira/health
      const contentId = unique('content');
      const reg = await client.registerIpAsset({
        contentId,
        contentTitle: 'A story',
        contributors: [
          { walletAddress: WALLET_A, role: 'author', shareBasisPoints: 7000 },
          { walletAddress: WALLET_B, role: 'artist', shareBasisPoints: 3000 },
        ],
      });
      expect(reg.status).toBe('pending');
      expect(reg.registrationTxHash).toMatch(/^0x[0-9a-f]{64}$/);
      const ip = reg.ipAssetId as string;
      expect(await client.isRegistered(contentId)).toBe(false);

      const seen: string[] = [];
      for await (const u of client.watchTransactions([reg.registrationTxHash as string])) {
        seen.push(`${u.status}:${u.confirmations}`);
        if (seen.length === 1) ledger.mine(2);
      }
      expect(seen[0]).toBe('pending:0');
      expect(seen.at(-1)).toBe('confirmed:2');
      expect(new Set(seen).size).toBe(seen.length);

      const status = await client.getIpAssetStatus(contentId);
      expect(status.status).toBe('registered');
      expect(status.contributors.map((c) => c.role)).toEqual(['author', 'artist']);
      expect(await client.isRegistered(contentId)).toBe(true);
      expect(await client.checkRegistration(contentId)).toEqual({
        contentId,
        registered: true,
        ipAssetId: ip,
      });

      const config = await client.getRoyaltyConfiguration(ip);
      expect(config.recipients.map((r) => r.shareBasisPoints)).toEqual([7000, 3000]);
      const split = await client.updateRoyaltySplit({
        ipAssetId: ip,
        contributors: [
          { walletAddress: WALLET_A, role: 'author', shareBasisPoints: 5000 },
          { walletAddress: WALLET_B, role: 'artist', shareBasisPoints: 5000 },
        ],
      });
      expect(split.success).toBe(true);
      ledger.mine(2);

      const pay = await client.payRoyalties({ ipAssetId: ip, amountWei: 4n * 10n ** 18n });
      expect(pay.amountWei).toBe(4n * 10n ** 18n);
      expect(typeof pay.amountWei).toBe('bigint');
      ledger.mine(2);
      const claimable = await client.getClaimableRoyalties({
        walletAddress: WALLET_A,
        ipAssetId: ip,
      });
      expect(claimable.balances[0]).toMatchObject({
        ipAssetId: ip,
        amountWei: 2n * 10n ** 18n,
        amountFormatted: expect.stringMatching(/^2(\.0+)?$/),
      });
      const claim = await client.claimRoyalties({ ipAssetId: ip, contributorWallet: WALLET_A });
      expect(claim.amountClaimedWei).toBe(2n * 10n ** 18n);

      const batch = await client.batchRegister(
        (function* () {
          for (let i = 0; i < 3; i++) {
            yield {
              contentId: unique('batch'),
              contentTitle: 'B',
              contributors: [
                { walletAddress: WALLET_A, role: 'author' as const, shareBasisPoints: 10000 },
              ],
            };
          }
        })(),
      );
      expect(batch).toMatchObject({ totalSubmitted: 3, successful: 3, failed: 0 });

      const health = await client.healthCheck();
      expect(health.status).toBe('serving');
      expect(health.timestamp).toBeInstanceOf(Date);
      const info = await client.getServiceInfo();
      expect(info.network).toBe('devnet');
      // ChainService's 12 RPCs and, the devnet having licensing, the 8 of mystira.chain.ip.v1.
      expect(info.supportedOperations).toHaveLength(20);
    });

    it('the same idempotency key returns the first outcome', async () => {
      const input = {
        contentId: unique('idem'),
        contentTitle: 'T',
        contributors: [
          { walletAddress: WALLET_A, role: 'author' as const, shareBasisPoints: 10000 },
        ],
        idempotencyKey: unique('key'),
      };
      const a = await client.registerIpAsset(input);
      const b = await client.registerIpAsset(input);
      expect(b.ipAssetId).toBe(a.ipAssetId);
      expect(b.registrationTxHash).toBe(a.registrationTxHash);
    });

    it('maps errors to typed errors with the server’s field violations', async () => {
      const err = await client
        .registerIpAsset({
          contentId: unique('bad'),
          contentTitle: 'T',
          contributors: [{ walletAddress: 'not-a-wallet', role: 'author', shareBasisPoints: 9000 }],
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ChainInvalidArgumentError);
      expect(err.fieldViolations.length).toBeGreaterThan(0);
      // The proto path the server sends, and the same path in the names of the facade's input.
      expect(err.fieldViolations).toContainEqual({
        field: 'contributors[0].wallet_address',
        inputField: 'contributors[0].walletAddress',
        description: 'must be 0x followed by 40 hex digits',
        reason: 'INVALID_WALLET_ADDRESS',
      });
      expect(err.fieldViolations).toContainEqual(
        expect.objectContaining({ field: 'contributors', inputField: 'contributors' }),
      );
      await expect(client.getIpAssetStatus('missing')).rejects.toBeInstanceOf(ChainNotFoundError);
      const anonymous = createChainClient({
        baseUrl: running.url,
        protocol,
        auth: { type: 'apiKey', apiKey: 'wrong' },
      });
      try {
        await expect(anonymous.isRegistered('x')).rejects.toBeInstanceOf(ChainUnauthenticatedError);
      } finally {
        anonymous.close();
      }
    });
  },
);

describe('watchTransactions against @mystira/chain-server restarts', () => {
  it('resumes after the server goes away mid-stream, with no gap and no duplicate', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 4 });
    let running = await start(ledger);
    const port = running.port;
    const client = createChainClient({
      baseUrl: running.url,
      auth: { type: 'apiKey', apiKey: KEY },
      watch: { initialDelayMs: 20, maxDelayMs: 100, maxReconnects: 50 },
    });
    try {
      const reg = await client.registerIpAsset({
        contentId: unique('w'),
        contentTitle: 'W',
        contributors: [{ walletAddress: WALLET_A, role: 'author', shareBasisPoints: 10000 }],
      });
      const it = client
        .watchTransactions([reg.registrationTxHash as string])
        [Symbol.asyncIterator]();
      const seen: string[] = [];
      const next = async () => {
        const r = await it.next();
        if (!r.done) seen.push(`${r.value.status}:${r.value.confirmations}`);
        return r;
      };
      await next(); // pending:0
      ledger.mine();
      await next(); // confirmed:1
      await running.server.close({ deadlineMs: 200 }); // ends the stream with UNAVAILABLE
      ledger.mine(); // confirmed:2 happens while the server is away
      running = await start(ledger, port);
      await next(); // confirmed:2, reported as the current state on reconnect
      ledger.mine();
      await next(); // confirmed:3
      ledger.mine();
      await next(); // confirmed:4: final
      expect((await it.next()).done).toBe(true);
      expect(seen).toEqual([
        'pending:0',
        'confirmed:1',
        'confirmed:2',
        'confirmed:3',
        'confirmed:4',
      ]);
    } finally {
      client.close();
      await running.server.close({ deadlineMs: 200 });
    }
  });
});

describe.each<ChainProtocol>(['grpc', 'grpc-web', 'connect'])(
  'a rate-limited call over %s',
  (protocol) => {
    it("waits as long as the server's RetryInfo / pushback says, then succeeds", async () => {
      const server = createChainServer({
        ledger: new DevnetLedger({ blockIntervalMs: 0 }),
        // One call, then one more every 250 ms.
        rateLimit: { limiter: memoryRateLimiter({ capacity: 1, refillPerSecond: 4 }) },
      });
      const { port } = await server.listen(0);
      const retries: { delayMs: number; code: string }[] = [];
      const client = createChainClient({
        baseUrl: `http://127.0.0.1:${port}`,
        protocol,
        policy: { onRetry: (e) => retries.push({ delayMs: e.delayMs, code: e.error.codeName }) },
      });
      try {
        await client.isRegistered('first');
        const started = performance.now();
        expect((await client.checkRegistration('second')).contentId).toBe('second');
        expect(retries).toHaveLength(1);
        expect(retries[0]?.code).toBe('RESOURCE_EXHAUSTED');
        expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(200);
        expect(performance.now() - started).toBeGreaterThanOrEqual(200);
      } finally {
        client.close();
        await server.close({ deadlineMs: 200 });
      }
    });
  },
);
