/**
 * Every validation rule, over real sockets: INVALID_ARGUMENT with a google.rpc.BadRequest naming
 * each bad field, on the lean path (gRPC, Connect JSON) and the Connect router (gRPC-Web).
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { ContributorType } from '@mystira/chain-protos';
import { BadRequestSchema, MAX_UINT256 } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  NATIVE,
  type Running,
  registration,
  startServer,
  WALLET_A,
  WALLET_B,
} from './helpers.js';

let r: Running;
beforeAll(async () => {
  r = await startServer();
});
afterAll(() => r.close());

const contributor = (
  walletAddress: string,
  shareBasisPoints: number,
  contributorType = ContributorType.AUTHOR,
) => ({
  walletAddress,
  shareBasisPoints,
  contributorType,
});

type Case = [
  name: string,
  rpc: string,
  request: Record<string, unknown>,
  violations: [field: string, reason: string][],
];

const cases: Case[] = [
  [
    'missing content id',
    'registerIpAsset',
    { ...registration(), contentId: '' },
    [['content_id', 'REQUIRED']],
  ],
  [
    'long content id',
    'registerIpAsset',
    { ...registration(), contentId: 'x'.repeat(129) },
    [['content_id', 'TOO_LONG']],
  ],
  [
    'missing title',
    'registerIpAsset',
    { ...registration(), contentTitle: '' },
    [['content_title', 'REQUIRED']],
  ],
  [
    'long title',
    'registerIpAsset',
    { ...registration(), contentTitle: 't'.repeat(513) },
    [['content_title', 'TOO_LONG']],
  ],
  [
    'no contributors',
    'registerIpAsset',
    { ...registration(), contributors: [] },
    [['contributors', 'REQUIRED']],
  ],
  [
    'too many contributors',
    'registerIpAsset',
    {
      ...registration(),
      contributors: Array.from({ length: 51 }, (_, i) =>
        contributor(`0x${String(i).padStart(40, '0')}`, 1),
      ),
    },
    [['contributors', 'TOO_MANY']],
  ],
  [
    'bad wallet, zero share, unknown type, shares not 10000',
    'registerIpAsset',
    {
      ...registration(),
      contributors: [contributor('0x12', 0, 0), contributor(WALLET_B, 5000, 99 as ContributorType)],
    },
    [
      ['contributors[0].wallet_address', 'INVALID_WALLET_ADDRESS'],
      ['contributors[0].contributor_type', 'INVALID_ENUM'],
      ['contributors[0].share_basis_points', 'OUT_OF_RANGE'],
      ['contributors[1].contributor_type', 'INVALID_ENUM'],
      ['contributors', 'SHARES_NOT_10000'],
    ],
  ],
  [
    'duplicate wallet',
    'registerIpAsset',
    {
      ...registration(),
      contributors: [
        contributor(WALLET_A, 5000),
        contributor(WALLET_A.toUpperCase().replace('0X', '0x'), 5000),
      ],
    },
    [['contributors[1].wallet_address', 'DUPLICATE_WALLET']],
  ],
  [
    'long display name',
    'registerIpAsset',
    {
      ...registration(),
      contributors: [{ ...contributor(WALLET_A, 10000), displayName: 'd'.repeat(129) }],
    },
    [['contributors[0].display_name', 'TOO_LONG']],
  ],
  [
    'long metadata uri',
    'registerIpAsset',
    { ...registration(), metadataUri: `https://${'u'.repeat(2048)}` },
    [['metadata_uri', 'TOO_LONG']],
  ],
  [
    'long license id',
    'registerIpAsset',
    { ...registration(), licenseTermsId: 'l'.repeat(129) },
    [['license_terms_id', 'TOO_LONG']],
  ],
  [
    'missing idempotency key',
    'registerIpAsset',
    { ...registration(), idempotencyKey: '' },
    [['idempotency_key', 'REQUIRED']],
  ],
  [
    'idempotency key with spaces',
    'registerIpAsset',
    { ...registration(), idempotencyKey: 'a b' },
    [['idempotency_key', 'INVALID_IDEMPOTENCY_KEY']],
  ],
  [
    'long idempotency key',
    'registerIpAsset',
    { ...registration(), idempotencyKey: 'k'.repeat(129) },
    [['idempotency_key', 'TOO_LONG']],
  ],
  ['is-registered without id', 'isRegistered', { contentId: '' }, [['content_id', 'REQUIRED']]],
  ['status without id', 'getIpAssetStatus', { contentId: '' }, [['content_id', 'REQUIRED']]],
  [
    'royalty config without id',
    'getRoyaltyConfiguration',
    { ipAssetId: '' },
    [['ip_asset_id', 'REQUIRED']],
  ],
  [
    'split not 10000, no key',
    'updateRoyaltySplit',
    { ipAssetId: '0xabc', contributors: [contributor(WALLET_A, 9999)], idempotencyKey: '' },
    [
      ['contributors', 'SHARES_NOT_10000'],
      ['idempotency_key', 'REQUIRED'],
    ],
  ],
  [
    'pay: bad amounts and token',
    'payRoyalties',
    { ipAssetId: '', amountWei: '-1', currencyToken: 'ETH', idempotencyKey: 'k' },
    [
      ['ip_asset_id', 'REQUIRED'],
      ['amount_wei', 'INVALID_UINT256'],
      ['currency_token', 'INVALID_WALLET_ADDRESS'],
    ],
  ],
  [
    'pay: zero',
    'payRoyalties',
    { ipAssetId: '0xabc', amountWei: '0', currencyToken: NATIVE, idempotencyKey: 'k' },
    [['amount_wei', 'OUT_OF_RANGE']],
  ],
  [
    'pay: over uint256',
    'payRoyalties',
    {
      ipAssetId: '0xabc',
      amountWei: (MAX_UINT256 + 1n).toString(),
      currencyToken: NATIVE,
      idempotencyKey: 'k',
    },
    [['amount_wei', 'INVALID_UINT256']],
  ],
  [
    'pay: decimal point, long reference',
    'payRoyalties',
    {
      ipAssetId: '0xabc',
      amountWei: '1.5',
      currencyToken: NATIVE,
      payerReference: 'p'.repeat(257),
      idempotencyKey: 'k',
    },
    [
      ['amount_wei', 'INVALID_UINT256'],
      ['payer_reference', 'TOO_LONG'],
    ],
  ],
  [
    'claimable: bad wallet',
    'getClaimableRoyalties',
    { walletAddress: 'abc' },
    [['wallet_address', 'INVALID_WALLET_ADDRESS']],
  ],
  [
    'claimable: empty asset id',
    'getClaimableRoyalties',
    { walletAddress: WALLET_A, ipAssetId: '' },
    [['ip_asset_id', 'REQUIRED']],
  ],
  [
    'claim: everything missing',
    'claimRoyalties',
    { ipAssetId: '', contributorWallet: '', currencyToken: '0x0', idempotencyKey: '' },
    [
      ['ip_asset_id', 'REQUIRED'],
      ['contributor_wallet', 'REQUIRED'],
      ['currency_token', 'INVALID_WALLET_ADDRESS'],
      ['idempotency_key', 'REQUIRED'],
    ],
  ],
];

describe.each(['grpc', 'connect-json', 'grpc-web'] as const)('%s', (protocol) => {
  it.each(cases)('%s', async (_name, rpc, request, expected) => {
    const client = clientFor(protocol, r.baseUrl) as unknown as Record<
      string,
      (req: unknown) => Promise<unknown>
    >;
    const error = ConnectError.from(
      await (client[rpc] as (req: unknown) => Promise<unknown>)(request).catch((e: unknown) => e),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    const [detail] = error.findDetails(BadRequestSchema);
    expect(detail?.fieldViolations.map((v) => [v.field, v.reason])).toEqual(expected);
    for (const v of detail?.fieldViolations ?? []) expect(v.description).not.toBe('');
  });

  it('validates watch requests (empty, too many, malformed hashes)', async () => {
    const client = clientFor(protocol, r.baseUrl);
    const reasons = async (hashes: string[]) => {
      try {
        for await (const _ of client.watchTransactions({ transactionHashes: hashes })) break;
      } catch (e) {
        const err = ConnectError.from(e);
        expect(err.code).toBe(Code.InvalidArgument);
        return err
          .findDetails(BadRequestSchema)[0]
          ?.fieldViolations.map((v) => [v.field, v.reason]);
      }
      throw new Error('no error');
    };
    expect(await reasons([])).toEqual([['transaction_hashes', 'REQUIRED']]);
    expect(await reasons(Array.from({ length: 101 }, () => `0x${'a'.repeat(64)}`))).toEqual([
      ['transaction_hashes', 'TOO_MANY'],
    ]);
    expect(await reasons([`0x${'a'.repeat(64)}`, '0x1234'])).toEqual([
      ['transaction_hashes[1]', 'INVALID_TRANSACTION_HASH'],
    ]);
  });
});
