/**
 * Every validation rule of the mystira.chain.ip.v1 requests over real sockets: INVALID_ARGUMENT
 * with a google.rpc.BadRequest naming each bad field by its proto path, with a stable reason, and
 * the port never called. Over gRPC, gRPC-Web and Connect JSON.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { ContributorRole, RoyaltyPolicy } from '@mystira/chain-protos';
import { BadRequestSchema } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE, WALLET_A, WALLET_B } from './helpers.js';
import {
  commercialRemix,
  type IpRunning,
  ipClients,
  mintAndRegister,
  shares,
  startIpServer,
  WIP,
} from './support/ip-server.js';

let r: IpRunning;
beforeAll(async () => {
  r = await startIpServer();
});
afterAll(() => r.close());

const ADDRESS = `0x${'a'.repeat(40)}`;
const key = 'valid-key';
const collection = { name: 'N', symbol: 'S', contractUri: '', idempotencyKey: key };
const attach = { ipAssetId: ADDRESS, licenseTermsId: '1', idempotencyKey: key };
const mint = { licensorIpAssetId: ADDRESS, licenseTermsId: '1', amount: 1, idempotencyKey: key };
const nonCommercial = {
  transferable: true,
  royaltyPolicy: RoyaltyPolicy.UNSPECIFIED,
  mintingFeeWei: '',
  expirationSeconds: 0n,
  commercialUse: false,
  commercialAttribution: false,
  commercialRevShareMicroPercent: 0,
  derivativesAllowed: true,
  derivativesAttribution: false,
  derivativesApproval: false,
  derivativesReciprocal: false,
  currencyToken: '',
  termsUri: '',
};
const custom = (terms: Partial<typeof nonCommercial>) => ({
  terms: { case: 'custom' as const, value: { ...nonCommercial, ...terms } },
  idempotencyKey: key,
});
const preset = (
  name: 'commercialUse' | 'commercialRemix',
  value: Record<string, unknown>,
): Record<string, unknown> => ({
  terms: { case: name, value: { mintingFeeWei: '0', currencyToken: WIP, ...value } },
  idempotencyKey: key,
});
const json = (value: string) => ({ source: { case: 'json' as const, value } });
const reference = (uri: string, hash: string) => ({
  source: { case: 'reference' as const, value: { uri, hash } },
});
const parent = (ipAssetId: string, licenseTermsId = '1') => ({ ipAssetId, licenseTermsId });

type Rpc = [service: 'collections' | 'licensing' | 'assets', method: string];
const createCollection: Rpc = ['collections', 'createCollection'];
const getCollection: Rpc = ['collections', 'getCollection'];
const registerTerms: Rpc = ['licensing', 'registerLicenseTerms'];
const getTerms: Rpc = ['licensing', 'getLicenseTerms'];
const attachTerms: Rpc = ['licensing', 'attachLicenseTerms'];
const mintTokens: Rpc = ['licensing', 'mintLicenseTokens'];
const register: Rpc = ['assets', 'mintAndRegisterIpAsset'];
const getAsset: Rpc = ['assets', 'getIpAsset'];

type Case = [name: string, rpc: Rpc, request: object, violations: [string, string][]];
const cases: Case[] = [
  // CollectionService
  [
    'empty collection',
    createCollection,
    { idempotencyKey: key },
    [
      ['name', 'REQUIRED'],
      ['symbol', 'REQUIRED'],
    ],
  ],
  [
    'long symbol, contract URI',
    createCollection,
    {
      ...collection,
      symbol: 'S'.repeat(33),
      contractUri: 'u'.repeat(2049),
    },
    [
      ['symbol', 'TOO_LONG'],
      ['contract_uri', 'TOO_LONG'],
    ],
  ],
  [
    'zero max supply',
    createCollection,
    { ...collection, maxSupply: 0 },
    [['max_supply', 'OUT_OF_RANGE']],
  ],
  [
    'no idempotency key',
    createCollection,
    { ...collection, idempotencyKey: '' },
    [['idempotency_key', 'REQUIRED']],
  ],
  [
    'key with a space',
    createCollection,
    { ...collection, idempotencyKey: 'a b' },
    [['idempotency_key', 'INVALID_IDEMPOTENCY_KEY']],
  ],
  [
    'malformed collection address',
    getCollection,
    { collectionAddress: '0x1234' },
    [['collection_address', 'INVALID_ADDRESS']],
  ],
  // LicensingService: presets
  ['no terms', registerTerms, { idempotencyKey: key }, [['terms', 'REQUIRED']]],
  [
    'commercial use without currency',
    registerTerms,
    preset('commercialUse', { currencyToken: '' }),
    [['commercial_use.currency_token', 'REQUIRED']],
  ],
  [
    'commercial use in the zero address, policy NONE, bad fee',
    registerTerms,
    preset('commercialUse', {
      currencyToken: NATIVE,
      royaltyPolicy: RoyaltyPolicy.NONE,
      mintingFeeWei: '1.5',
    }),
    [
      ['commercial_use.minting_fee_wei', 'INVALID_UINT256'],
      ['commercial_use.currency_token', 'REQUIRED_FOR_COMMERCIAL_USE'],
      ['commercial_use.royalty_policy', 'REQUIRED_FOR_COMMERCIAL_USE'],
    ],
  ],
  [
    'remix share over 100 %, fee over uint256',
    registerTerms,
    preset('commercialRemix', {
      commercialRevShareMicroPercent: 100_000_001,
      mintingFeeWei: (1n << 256n).toString(),
    }),
    [
      ['commercial_remix.commercial_rev_share_micro_percent', 'OUT_OF_RANGE'],
      ['commercial_remix.minting_fee_wei', 'INVALID_UINT256'],
    ],
  ],
  [
    'remix with an unnamed policy',
    registerTerms,
    preset('commercialRemix', { royaltyPolicy: 9 }),
    [['commercial_remix.royalty_policy', 'INVALID_ENUM']],
  ],
  // LicensingService: the PIL rules on custom terms
  [
    'non-commercial terms that owe something',
    registerTerms,
    custom({
      commercialAttribution: true,
      commercialRevShareMicroPercent: 1,
      mintingFeeWei: '1',
      royaltyPolicy: RoyaltyPolicy.LAP,
    }),
    [
      ['custom.commercial_attribution', 'REQUIRES_COMMERCIAL_USE'],
      ['custom.commercial_rev_share_micro_percent', 'REQUIRES_COMMERCIAL_USE'],
      ['custom.minting_fee_wei', 'REQUIRES_COMMERCIAL_USE'],
      ['custom.royalty_policy', 'REQUIRES_COMMERCIAL_USE'],
    ],
  ],
  [
    'commercial terms without currency, with policy NONE',
    registerTerms,
    custom({
      commercialUse: true,
      royaltyPolicy: RoyaltyPolicy.NONE,
    }),
    [
      ['custom.royalty_policy', 'REQUIRED_FOR_COMMERCIAL_USE'],
      ['custom.currency_token', 'REQUIRED'],
    ],
  ],
  [
    'derivative duties without derivatives',
    registerTerms,
    custom({
      derivativesAllowed: false,
      derivativesAttribution: true,
      derivativesApproval: true,
      derivativesReciprocal: true,
    }),
    [
      ['custom.derivatives_attribution', 'REQUIRES_DERIVATIVES_ALLOWED'],
      ['custom.derivatives_approval', 'REQUIRES_DERIVATIVES_ALLOWED'],
      ['custom.derivatives_reciprocal', 'REQUIRES_DERIVATIVES_ALLOWED'],
    ],
  ],
  [
    'custom share over 100 %, unnamed policy, malformed currency, long URI',
    registerTerms,
    custom({
      commercialRevShareMicroPercent: 100_000_001,
      royaltyPolicy: 7 as RoyaltyPolicy,
      currencyToken: '0xnope',
      termsUri: 'u'.repeat(2049),
    }),
    [
      ['custom.commercial_rev_share_micro_percent', 'OUT_OF_RANGE'],
      ['custom.terms_uri', 'TOO_LONG'],
      ['custom.commercial_rev_share_micro_percent', 'REQUIRES_COMMERCIAL_USE'],
      ['custom.royalty_policy', 'INVALID_ENUM'],
      ['custom.currency_token', 'INVALID_ADDRESS'],
    ],
  ],
  [
    'terms without a key',
    registerTerms,
    { ...commercialRemix(), idempotencyKey: '' },
    [['idempotency_key', 'REQUIRED']],
  ],
  // LicensingService: ids, attach, mint
  ['terms id 0', getTerms, { licenseTermsId: '0' }, [['license_terms_id', 'INVALID_ID']]],
  [
    'terms id with a leading zero',
    getTerms,
    { licenseTermsId: '01' },
    [['license_terms_id', 'INVALID_ID']],
  ],
  ['no terms id', getTerms, { licenseTermsId: '' }, [['license_terms_id', 'REQUIRED']]],
  [
    'attach to a malformed asset, terms id not a number',
    attachTerms,
    {
      ...attach,
      ipAssetId: 'asset',
      licenseTermsId: 'one',
    },
    [
      ['ip_asset_id', 'INVALID_ADDRESS'],
      ['license_terms_id', 'INVALID_ID'],
    ],
  ],
  [
    'attach without a key',
    attachTerms,
    { ...attach, idempotencyKey: '' },
    [['idempotency_key', 'REQUIRED']],
  ],
  ['mint zero tokens', mintTokens, { ...mint, amount: 0 }, [['amount', 'OUT_OF_RANGE']]],
  [
    'mint too many tokens, bad receiver and limits',
    mintTokens,
    {
      ...mint,
      amount: 1001,
      receiverAddress: 'someone',
      maxMintingFeeWei: '-1',
      maxRevenueShareMicroPercent: 100_000_001,
    },
    [
      ['amount', 'OUT_OF_RANGE'],
      ['receiver_address', 'INVALID_WALLET_ADDRESS'],
      ['max_minting_fee_wei', 'INVALID_UINT256'],
      ['max_revenue_share_micro_percent', 'OUT_OF_RANGE'],
    ],
  ],
  // IpAssetService: registration
  [
    'no content id, malformed collection',
    register,
    {
      ...mintAndRegister(),
      contentId: '',
      collectionAddress: '0x12',
    },
    [
      ['content_id', 'REQUIRED'],
      ['collection_address', 'INVALID_ADDRESS'],
    ],
  ],
  [
    'metadata without a source',
    register,
    { ...mintAndRegister(), ipMetadata: {} },
    [['ip_metadata.source', 'REQUIRED']],
  ],
  [
    'a reference with no URI and a malformed hash',
    register,
    {
      ...mintAndRegister(),
      nftMetadata: reference('', '0xabc'),
    },
    [
      ['nft_metadata.reference.uri', 'REQUIRED'],
      ['nft_metadata.reference.hash', 'INVALID_HASH'],
    ],
  ],
  [
    'metadata that is not JSON, and JSON that is not an object',
    register,
    {
      ...mintAndRegister(),
      ipMetadata: json('{"title": '),
      nftMetadata: json('["a"]'),
    },
    [
      ['ip_metadata.json', 'INVALID_JSON'],
      ['nft_metadata.json', 'INVALID_JSON'],
    ],
  ],
  [
    'empty and oversized JSON metadata',
    register,
    {
      ...mintAndRegister(),
      ipMetadata: json(''),
      nftMetadata: json(`{"a":"${'é'.repeat(32 * 1024)}"}`),
    },
    [
      ['ip_metadata.json', 'REQUIRED'],
      ['nft_metadata.json', 'TOO_LARGE'],
    ],
  ],
  [
    'no royalty shares',
    register,
    { ...mintAndRegister(), royaltyShares: [] },
    [['royalty_shares', 'REQUIRED']],
  ],
  [
    'bad royalty shares',
    register,
    {
      ...mintAndRegister(),
      royaltyShares: [
        { walletAddress: WALLET_A, role: ContributorRole.AUTHOR, shareBasisPoints: 0 },
        {
          walletAddress: WALLET_A.toUpperCase().replace('0X', '0x'),
          role: ContributorRole.UNSPECIFIED,
          shareBasisPoints: 9000,
        },
        { walletAddress: 'x', role: 42, shareBasisPoints: 500, displayName: 'd'.repeat(129) },
      ],
    },
    [
      ['royalty_shares[0].share_basis_points', 'OUT_OF_RANGE'],
      ['royalty_shares[1].wallet_address', 'DUPLICATE_WALLET'],
      ['royalty_shares[1].role', 'INVALID_ENUM'],
      ['royalty_shares[2].wallet_address', 'INVALID_WALLET_ADDRESS'],
      ['royalty_shares[2].role', 'INVALID_ENUM'],
      ['royalty_shares[2].display_name', 'TOO_LONG'],
      ['royalty_shares', 'SHARES_NOT_10000'],
    ],
  ],
  [
    'a parent twice, a malformed parent, a bad terms id',
    register,
    {
      ...mintAndRegister(),
      parents: [
        parent(ADDRESS),
        parent(ADDRESS.toUpperCase().replace('0X', '0x')),
        parent('p', '0'),
      ],
    },
    [
      ['parents[1].ip_asset_id', 'DUPLICATE_PARENT'],
      ['parents[2].ip_asset_id', 'INVALID_ADDRESS'],
      ['parents[2].license_terms_id', 'INVALID_ID'],
    ],
  ],
  [
    '17 parents',
    register,
    {
      ...mintAndRegister(),
      parents: Array.from({ length: 17 }, (_, i) =>
        parent(`0x${i.toString(16).padStart(40, '0')}`),
      ),
    },
    [['parents', 'TOO_MANY']],
  ],
  [
    'registration limits and key',
    register,
    {
      ...mintAndRegister(),
      maxMintingFeeWei: 'ten',
      maxRevenueShareMicroPercent: 100_000_001,
      idempotencyKey: '',
    },
    [
      ['max_minting_fee_wei', 'INVALID_UINT256'],
      ['max_revenue_share_micro_percent', 'OUT_OF_RANGE'],
      ['idempotency_key', 'REQUIRED'],
    ],
  ],
  ['no asset asked for', getAsset, {}, [['asset', 'REQUIRED']]],
  [
    'a malformed asset id',
    getAsset,
    { asset: { case: 'ipAssetId', value: WALLET_B.slice(0, 20) } },
    [['ip_asset_id', 'INVALID_ADDRESS']],
  ],
  [
    'a long content id',
    getAsset,
    { asset: { case: 'contentId', value: 'c'.repeat(129) } },
    [['content_id', 'TOO_LONG']],
  ],
];

describe.each(['grpc', 'grpc-web', 'connect-json'] as const)('%s', (protocol) => {
  it.each(cases)('%s', async (_, [service, method], request, expected) => {
    const client = ipClients(protocol, r.baseUrl)[service] as unknown as Record<
      string,
      (req: object) => Promise<unknown>
    >;
    const calls = { ...r.fake?.calls };
    const error = ConnectError.from(await client[method]?.(request).catch((e: unknown) => e));
    expect(error.code).toBe(Code.InvalidArgument);
    const [detail] = error.findDetails(BadRequestSchema);
    expect(detail?.fieldViolations.map((v) => [v.field, v.reason])).toEqual(expected);
    for (const v of detail?.fieldViolations ?? []) expect(v.description).not.toBe('');
    // A bad request never reaches the ledger.
    expect(r.fake?.calls).toEqual(calls);
  });

  it('accepts the valid requests the cases start from', async () => {
    const { collections, licensing, assets } = ipClients(protocol, r.baseUrl);
    await collections.createCollection({ ...collection, idempotencyKey: `${protocol}-c` });
    await licensing.registerLicenseTerms({ ...custom({}), idempotencyKey: `${protocol}-t` });
    await assets.mintAndRegisterIpAsset({ ...mintAndRegister(), royaltyShares: shares() });
  });
});
