/**
 * Every RPC over real sockets with each protocol: gRPC over HTTP/2 (h2c), gRPC-Web and Connect
 * JSON over HTTP/1.1, Connect binary over HTTP/2; once with the lean unary path and once with
 * everything through the Connect router, which must behave the same.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  HealthCheckResponse_ServingStatus,
  IpAssetStatus,
  PaymentStatus,
  TransactionStatus,
} from '@mystira/chain-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  NATIVE,
  type Protocol,
  protocols,
  type Running,
  registration,
  startServer,
  unique,
  WALLET_A,
  WALLET_B,
} from './helpers.js';

const exec = promisify(execFile);

describe.each([true, false])('fastPath=%s', (fastPath) => {
  let r: Running;
  beforeAll(async () => {
    r = await startServer({ fastPath });
  });
  afterAll(() => r.close());

  describe.each(protocols)('%s', (protocol: Protocol) => {
    it('serves all 12 RPCs', async () => {
      const c = clientFor(protocol, r.baseUrl);
      const req = registration();
      const reg = await c.registerIpAsset(req);
      expect(reg.status).toBe(IpAssetStatus.PENDING);
      expect(reg.registrationTxHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect((await c.isRegistered({ contentId: req.contentId })).isRegistered).toBe(false);

      // Watch the registration while blocks are mined: current state, then every change.
      const updates: [TransactionStatus, bigint][] = [];
      const watching = (async () => {
        for await (const u of c.watchTransactions({
          transactionHashes: [reg.registrationTxHash as string],
        })) {
          updates.push([u.status, u.confirmations]);
          if (updates.length === 1) r.ledger.mine(r.ledger.requiredConfirmations);
        }
      })();
      await watching;
      expect(updates[0]).toEqual([TransactionStatus.PENDING, 0n]);
      expect(updates.at(-1)).toEqual([TransactionStatus.CONFIRMED, 2n]);

      const status = await c.getIpAssetStatus({ contentId: req.contentId });
      expect(status.status).toBe(IpAssetStatus.REGISTERED);
      expect(status.contributors).toHaveLength(2);
      const ip = reg.ipAssetId as string;
      expect(await c.isRegistered({ contentId: req.contentId })).toMatchObject({
        isRegistered: true,
        ipAssetId: ip,
      });

      const config = await c.getRoyaltyConfiguration({ ipAssetId: ip });
      expect(config.recipients.map((x) => [x.walletAddress, x.shareBasisPoints, x.role])).toEqual([
        [WALLET_A, 7000, 'AUTHOR'],
        [WALLET_B, 3000, 'ARTIST'],
      ]);

      const split = await c.updateRoyaltySplit({
        ipAssetId: ip,
        contributors: [
          { walletAddress: WALLET_A, contributorType: 3, shareBasisPoints: 5000 },
          { walletAddress: WALLET_B, contributorType: 4, shareBasisPoints: 5000 },
        ],
        idempotencyKey: unique('split'),
      });
      expect(split.success).toBe(true);
      r.ledger.mine();

      const pay = await c.payRoyalties({
        ipAssetId: ip,
        amountWei: '3',
        currencyToken: NATIVE,
        idempotencyKey: unique('pay'),
      });
      expect(pay.status).toBe(PaymentStatus.PENDING);
      expect(pay.amountWei).toBe('3');
      r.ledger.mine();
      const claimable = await c.getClaimableRoyalties({ walletAddress: WALLET_A, ipAssetId: ip });
      expect(claimable.balances).toEqual([
        expect.objectContaining({
          ipAssetId: ip,
          currencyToken: NATIVE,
          amountWei: '2',
          amountFormatted: '0.000000000000000002',
        }),
      ]);
      const claim = await c.claimRoyalties({
        ipAssetId: ip,
        contributorWallet: WALLET_A,
        currencyToken: NATIVE,
        idempotencyKey: unique('claim'),
      });
      expect(claim.amountClaimedWei).toBe('2');
      expect(claim.status).toBe(PaymentStatus.PENDING);

      const health = await c.healthCheck({});
      expect(health.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      const info = await c.getServiceInfo({});
      expect(info.network).toBe('devnet');
      // ChainService's 12 and, the devnet having `ip`, the 8 of mystira.chain.ip.v1.
      expect(info.supportedOperations).toHaveLength(20);
    });

    it('reports errors with their codes', async () => {
      const c = clientFor(protocol, r.baseUrl);
      const err = await c.getIpAssetStatus({ contentId: 'missing' }).catch((e: unknown) => e);
      expect(ConnectError.from(err).code).toBe(Code.NotFound);
      const bad = await c.isRegistered({ contentId: '' }).catch((e: unknown) => e);
      expect(ConnectError.from(bad).code).toBe(Code.InvalidArgument);
    });

    it.skipIf(protocol === 'grpc-web' || protocol === 'connect-json')(
      'batch-registers over HTTP/2',
      async () => {
        const c = clientFor(protocol, r.baseUrl);
        const good = registration();
        async function* items() {
          yield good;
          yield { ...registration(), contributors: [] };
          yield registration(good.contentId, unique('other-key'));
        }
        const res = await c.batchRegisterIpAssets(items());
        expect(res).toMatchObject({ totalSubmitted: 3, successful: 1, failed: 2 });
        expect(res.results[1]?.errorMessage).toContain('contributors');
        expect(res.results[2]?.errorMessage).toContain('ALREADY_EXISTS');
      },
    );
  });

  it('answers curl with Connect JSON on a unary RPC', async () => {
    /** A ChainService `method` called with `body` as Connect JSON by curl, `flags` added. */
    const curl = (method: string, body: object, ...flags: string[]) =>
      exec('curl', [
        '-sS',
        ...flags,
        '-H',
        'content-type: application/json',
        '--data',
        JSON.stringify(body),
        `${r.baseUrl}/mystira.chain.v1.ChainService/${method}`,
      ]);
    const { stdout } = await curl('IsRegistered', { contentId: 'nothing-here' });
    expect(JSON.parse(stdout)).toEqual({ contentId: 'nothing-here' });
    // The same port over cleartext HTTP/2 with prior knowledge (the preface is sniffed).
    const { stdout: h2 } = await curl(
      'IsRegistered',
      { contentId: 'over-h2c' },
      '--http2-prior-knowledge',
      '-w',
      '\\n%{http_version}',
    );
    const [h2Body, h2Version] = h2.trim().split('\n');
    expect(h2Version).toBe('2');
    expect(JSON.parse(h2Body as string)).toEqual({ contentId: 'over-h2c' });
    const { stdout: err } = await curl(
      'GetClaimableRoyalties',
      { walletAddress: '0x12' },
      '-w',
      '\\n%{http_code}',
    );
    const [body, status] = err.trim().split('\n');
    expect(status).toBe('400');
    const json = JSON.parse(body as string);
    expect(json.code).toBe('invalid_argument');
    expect(json.details[0].type).toBe('google.rpc.BadRequest');
  });
});
