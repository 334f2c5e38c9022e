/**
 * Every RPC of the contract through the facade, over each protocol, against a connect-node
 * server on a real HTTP/2 socket: inputs become the right wire messages, results come back with
 * bigint/Date, errors become typed errors carrying the server's field violations.
 */
import {
  type ChainClient,
  ChainConflictError,
  ChainInvalidArgumentError,
  ChainNotFoundError,
  type ChainProtocol,
  createChainClient,
  isUuidV7,
} from '@mystira/chain-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_PATHS,
  contributors,
  type RunningServer,
  serveFake,
  WALLET_A,
} from './support/fake-chain.js';

let server: RunningServer;
beforeAll(async () => {
  server = await serveFake();
});
afterAll(async () => {
  await server.close();
});

const MAX_WEI = (1n << 256n) - 1n;

describe.each(CLIENT_PATHS)('over %s', (label, protocol, leanUnary) => {
  let client: ChainClient;
  beforeAll(() => {
    client = createChainClient({
      baseUrl: server.url,
      protocol,
      leanUnary,
      headers: { 'x-client': 'test' },
    });
  });
  afterAll(() => client.close());

  it('registers an asset with a generated UUIDv7 idempotency key and a Date', async () => {
    const reg = await client.registerIpAsset({
      contentId: `c-${label}`,
      contentTitle: 'Story',
      contributors,
    });
    expect(isUuidV7(reg.idempotencyKey)).toBe(true);
    expect(reg.status).toBe('registered');
    expect(reg.registeredAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    const seen = server.observed.filter((o) => o.method === 'RegisterIpAsset').at(-1);
    expect(seen?.idempotencyKey).toBe(reg.idempotencyKey);
    expect(seen?.headers.get('x-client')).toBe('test');
    // The default 10 s timeout travels as the call's deadline.
    expect(seen?.timeoutMs).toBeGreaterThan(0);
    expect(seen?.timeoutMs).toBeLessThanOrEqual(10_000);
  });

  it('uses the caller’s idempotency key and answers reads', async () => {
    const key = `my-key-${label}`;
    const reg = await client.registerIpAsset({
      contentId: `k-${label}`,
      contentTitle: 'T',
      contributors,
      idempotencyKey: key,
    });
    expect(reg.idempotencyKey).toBe(key);
    expect(await client.isRegistered(`k-${label}`)).toBe(true);
    expect(await client.isRegistered('nope')).toBe(false);
    expect(await client.checkRegistration(`k-${label}`)).toEqual({
      contentId: `k-${label}`,
      registered: true,
      ipAssetId: reg.ipAssetId,
    });
    expect(await client.checkRegistration('nope')).toEqual({
      contentId: 'nope',
      registered: false,
    });
    const status = await client.getIpAssetStatus(`k-${label}`);
    expect(status.status).toBe('processing');
    expect(status.contributors).toEqual([
      { walletAddress: WALLET_A, role: 'author', shareBasisPoints: 10000, displayName: 'Ann' },
    ]);
    expect(status.lastUpdated).toBeInstanceOf(Date);
  });

  it('royalties: configuration, split, pay (bigint wei), claimable, claim', async () => {
    const conf = await client.getRoyaltyConfiguration('ip-1');
    expect(conf.recipients[0]).toEqual({
      walletAddress: WALLET_A,
      shareBasisPoints: 10000,
      role: 'author',
    });
    const split = await client.updateRoyaltySplit({ ipAssetId: 'ip-1', contributors });
    expect(split.success).toBe(true);
    expect(split.contributors).toEqual(contributors);
    const pay = await client.payRoyalties({ ipAssetId: 'ip-1', amountWei: MAX_WEI });
    expect(pay.amountWei).toBe(MAX_WEI);
    expect(pay.status).toBe('confirmed');
    expect(pay.currencyToken).toBe(`0x${'0'.repeat(40)}`);
    const claimable = await client.getClaimableRoyalties({ walletAddress: WALLET_A });
    expect(claimable.balances[0]?.amountWei).toBe(MAX_WEI);
    const claim = await client.claimRoyalties({ ipAssetId: 'ip-1', contributorWallet: WALLET_A });
    expect(claim.amountClaimedWei).toBe(10n ** 18n);
    expect(claim.status).toBe('pending');
  });

  it('health, service info, checkHealth fallback and ready()', async () => {
    const h = await client.healthCheck();
    expect(h).toMatchObject({ status: 'serving', version: '1.2.3', details: { ledger: 'fake' } });
    expect((await client.getServiceInfo()).contractAddresses).toEqual({
      registry: `0x${'b'.repeat(40)}`,
    });
    // The fake has no grpc.health.v1: checkHealth falls back to the contract's HealthCheck.
    expect(await client.checkHealth()).toBe('serving');
    await client.ready({ timeoutMs: 5000 });
  });

  it('watches transactions to the end', async () => {
    const updates = [];
    for await (const u of client.watchTransactions(['0xdead'])) {
      updates.push(u);
      break; // PENDING forever in this fake: stop after the first report
    }
    expect(updates[0]).toMatchObject({
      transactionHash: '0xdead',
      status: 'pending',
      confirmations: 0n,
    });
  });

  it('maps INVALID_ARGUMENT with google.rpc.BadRequest to ChainInvalidArgumentError with field violations', async () => {
    const err = await client
      .registerIpAsset({
        contentId: 'bad',
        contentTitle: 'T',
        contributors: [{ ...contributors[0]!, shareBasisPoints: 1 }],
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ChainInvalidArgumentError);
    expect(err.codeName).toBe('INVALID_ARGUMENT');
    expect(err.rpc).toBe('RegisterIpAsset');
    expect(err.fieldViolations).toEqual([
      {
        field: 'contributors',
        inputField: 'contributors',
        description: 'shares sum to 1, not 10000',
        reason: 'INVALID',
      },
    ]);
  });

  it('maps NOT_FOUND and an idempotency conflict', async () => {
    await expect(client.getIpAssetStatus('missing')).rejects.toBeInstanceOf(ChainNotFoundError);
    const key = `conflict-${label}`;
    await client.registerIpAsset({
      contentId: 'x',
      contentTitle: 'one',
      contributors,
      idempotencyKey: key,
    });
    await expect(
      client.registerIpAsset({
        contentId: 'x',
        contentTitle: 'two',
        contributors,
        idempotencyKey: key,
      }),
    ).rejects.toBeInstanceOf(ChainConflictError);
  });

  it('validates wei locally before sending', async () => {
    const before = server.observed.length;
    const err = await client.payRoyalties({ ipAssetId: 'ip-1', amountWei: -1n }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainInvalidArgumentError);
    expect(err.fieldViolations[0].field).toBe('amount_wei');
    expect(err.fieldViolations[0].inputField).toBe('amountWei');
    await expect(
      client.payRoyalties({ ipAssetId: 'ip-1', amountWei: 1n << 256n }),
    ).rejects.toBeInstanceOf(ChainInvalidArgumentError);
    await expect(
      client.payRoyalties({ ipAssetId: 'ip-1', amountWei: '01' }),
    ).rejects.toBeInstanceOf(ChainInvalidArgumentError);
    expect(server.observed.length).toBe(before);
  });
});

describe('batchRegister (Node, HTTP/2 client streaming)', () => {
  it.each<ChainProtocol>(['grpc', 'connect'])('registers a batch over %s', async (protocol) => {
    const client = createChainClient({ baseUrl: server.url, protocol });
    try {
      async function* items() {
        for (let i = 0; i < 5; i++) yield { contentId: `b${i}`, contentTitle: 'B', contributors };
      }
      const res = await client.batchRegister(items());
      expect(res).toMatchObject({ totalSubmitted: 5, successful: 5, failed: 0 });
      expect(res.results.map((r) => r.contentId)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    } finally {
      client.close();
    }
  });
});

describe('protocol switch', () => {
  it('follows a feature-flag function per call, one transport per protocol', async () => {
    let flag: ChainProtocol = 'grpc';
    const client = createChainClient({ baseUrl: server.url, protocol: () => flag });
    try {
      const seen: string[] = [];
      for (const p of ['grpc', 'connect', 'grpc-web', 'grpc'] as const) {
        flag = p;
        expect(client.protocol()).toBe(p);
        await client.isRegistered('switch');
        const ct = server.observed.at(-1)?.headers.get('content-type') ?? '';
        seen.push(ct);
      }
      expect(seen[0]).toMatch(/^application\/grpc(\+proto)?$/);
      expect(seen[1]).toBe('application/json');
      expect(seen[2]).toMatch(/^application\/grpc-web/);
      expect(seen[3]).toMatch(/^application\/grpc(\+proto)?$/);
      // The raw generated client goes through the same switch.
      flag = 'connect';
      const res = await client.raw.isRegistered({ contentId: 'raw' });
      expect(res.isRegistered).toBe(false);
      expect(server.observed.at(-1)?.headers.get('content-type')).toBe('application/json');
    } finally {
      client.close();
    }
  });
});
