/**
 * `client.ip` — the mystira.chain.ip.v1 services through the facade, over each protocol, against
 * the fake of test/support/fake-ip.ts on a real HTTP/2 socket: inputs become the right messages
 * (presets, metadata by reference or JSON, parents), results come back with bigint ids and wei,
 * Dates and string unions, writes carry a UUIDv7 key, reads of unknown things reject with
 * ChainNotFoundError (as getIpAssetStatus does), and field violations name the field twice: the
 * proto path and the path in the object passed.
 */
import {
  type ChainClient,
  ChainConflictError,
  ChainInvalidArgumentError,
  ChainNotFoundError,
  createChainClient,
  isUuidV7,
} from '@mystira/chain-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_PATHS, contributors, type RunningServer, WALLET_A } from './support/fake-chain.js';
import { IP_BLOCK_TIME, serveFakeWithIp, WIP } from './support/fake-ip.js';

let server: RunningServer;
beforeAll(async () => {
  server = await serveFakeWithIp();
});
afterAll(async () => {
  await server.close();
});

const HASH = `0x${'ab'.repeat(32)}`;
const lastCall = (method: string) => server.observed.filter((o) => o.method === method).at(-1);

describe.each(CLIENT_PATHS)('client.ip over %s', (label, protocol, leanUnary) => {
  let client: ChainClient;
  beforeAll(() => {
    client = createChainClient({ baseUrl: server.url, protocol, leanUnary });
  });
  afterAll(() => client.close());

  it('creates a collection with a generated UUIDv7 key, then reads it', async () => {
    const created = await client.ip.createCollection({ name: `Stories ${label}`, symbol: 'MYST' });
    expect(isUuidV7(created.idempotencyKey)).toBe(true);
    expect(lastCall('CreateCollection')?.idempotencyKey).toBe(created.idempotencyKey);
    expect(created).toMatchObject({ status: 'processing', createdAt: IP_BLOCK_TIME });
    expect(created.transactionHash).toMatch(/^0x[0-9a-f]{64}$/);
    const collection = await client.ip.getCollection(created.collectionAddress!);
    expect(collection).toMatchObject({
      collectionAddress: created.collectionAddress,
      name: `Stories ${label}`,
      symbol: 'MYST',
      contractUri: '',
      maxSupply: 4294967295,
      mintFeeWei: 0n,
      status: 'confirmed',
      createdAt: IP_BLOCK_TIME,
    });
    await expect(client.ip.getCollection(`0x${'9'.repeat(40)}`)).rejects.toBeInstanceOf(
      ChainNotFoundError,
    );
  });

  it('registers terms from presets and custom, reads them, finds identical ones again', async () => {
    const fee = 10n ** 18n + BigInt(label.length); // distinct terms per protocol
    const remix = await client.ip.registerLicenseTerms({
      preset: 'commercialRemix',
      currencyToken: WIP,
      commercialRevShareMicroPercent: 10_000_000,
      mintingFeeWei: fee,
    });
    expect(remix.status).toBe('processing');
    expect(typeof remix.licenseTermsId).toBe('bigint');
    expect(remix.terms).toMatchObject({
      commercialUse: true,
      derivativesAllowed: true,
      royaltyPolicy: 'lap',
      mintingFeeWei: fee,
      commercialRevShareMicroPercent: 10_000_000,
      currencyToken: WIP,
    });
    const again = await client.ip.registerLicenseTerms({
      preset: 'commercialRemix',
      currencyToken: WIP,
      commercialRevShareMicroPercent: 10_000_000,
      mintingFeeWei: fee.toString(), // a decimal string is the same amount
    });
    expect(again).toMatchObject({ status: 'confirmed', licenseTermsId: remix.licenseTermsId });
    expect('transactionHash' in again).toBe(false);
    expect(again.idempotencyKey).not.toBe(remix.idempotencyKey);

    const read = await client.ip.getLicenseTerms(remix.licenseTermsId!);
    expect(read).toEqual({ licenseTermsId: remix.licenseTermsId, terms: remix.terms });
    await expect(client.ip.getLicenseTerms(`${remix.licenseTermsId}`)).resolves.toEqual(read);
    await expect(client.ip.getLicenseTerms(10n ** 30n)).rejects.toBeInstanceOf(ChainNotFoundError);

    const custom = await client.ip.registerLicenseTerms({
      custom: { derivativesAllowed: true, expirationSeconds: 86_400, termsUri: `u-${label}` },
    });
    expect(custom.terms).toMatchObject({
      royaltyPolicy: 'unspecified', // sent as omitted; this fake keeps it as given
      expirationSeconds: 86_400n,
      commercialUse: false,
      mintingFeeWei: 0n,
    });
    const ncsr = await client.ip.registerLicenseTerms({ preset: 'nonCommercialSocialRemixing' });
    expect(ncsr.terms).toMatchObject({ royaltyPolicy: 'none', derivativesReciprocal: true });
  });

  it('registers an original with JSON and referenced metadata, licenses it, derives from it', async () => {
    const doc = JSON.stringify({ title: 'The Lighthouse Keeper', creators: [] });
    const story = await client.ip.mintAndRegisterIpAsset({
      contentId: `story-${label}`,
      ipMetadata: { json: doc },
      nftMetadata: { uri: 'ipfs://nft', hash: HASH },
      royaltyShares: contributors,
    });
    expect(story).toMatchObject({
      contentId: `story-${label}`,
      status: 'processing',
      parents: [],
      registeredAt: IP_BLOCK_TIME,
      ipMetadata: { json: doc },
      nftMetadata: { uri: 'ipfs://nft', hash: HASH },
    });
    expect(typeof story.nftTokenId).toBe('bigint');
    expect('json' in story.nftMetadata!).toBe(false);

    const terms = await client.ip.registerLicenseTerms({
      preset: 'commercialRemix',
      currencyToken: WIP,
      commercialRevShareMicroPercent: 5_000_000,
    });
    const attached = await client.ip.attachLicenseTerms({
      ipAssetId: story.ipAssetId!,
      licenseTermsId: terms.licenseTermsId!,
    });
    expect(attached).toMatchObject({
      ipAssetId: story.ipAssetId,
      licenseTermsId: terms.licenseTermsId,
      status: 'processing',
    });
    const twice = await client.ip.attachLicenseTerms({
      ipAssetId: story.ipAssetId!,
      licenseTermsId: terms.licenseTermsId!,
    });
    expect(twice.status).toBe('confirmed');

    const tokens = await client.ip.mintLicenseTokens({
      licensorIpAssetId: story.ipAssetId!,
      licenseTermsId: terms.licenseTermsId!,
      amount: 2,
      receiverAddress: WALLET_A,
      maxMintingFeeWei: 0n,
    });
    expect(tokens).toMatchObject({ status: 'processing', receiverAddress: WALLET_A });
    expect(tokens.mintingFeePaidWei).toBe(0n);
    expect(tokens.licenseTokenIds).toHaveLength(2);
    expect(tokens.licenseTokenIds.every((id) => typeof id === 'bigint')).toBe(true);

    const scenario = await client.ip.mintAndRegisterIpAsset({
      contentId: `scenario-${label}`,
      royaltyShares: [{ walletAddress: WALLET_A, role: 'author', shareBasisPoints: 10000 }],
      parents: [{ ipAssetId: story.ipAssetId!, licenseTermsId: terms.licenseTermsId! }],
      maxRevenueShareMicroPercent: 5_000_000,
    });
    expect(scenario.parents).toEqual([
      { ipAssetId: story.ipAssetId, licenseTermsId: terms.licenseTermsId },
    ]);

    const parent = await client.ip.getIpAsset({ ipAssetId: story.ipAssetId! });
    expect(parent).toMatchObject({
      ipAssetId: story.ipAssetId,
      contentId: `story-${label}`,
      status: 'processing',
      royaltyShares: contributors,
      children: [{ ipAssetId: scenario.ipAssetId, licenseTermsId: terms.licenseTermsId }],
      childCount: 1,
      registeredAt: IP_BLOCK_TIME,
    });
    expect(parent.licenseTerms).toEqual([
      { licenseTermsId: terms.licenseTermsId, terms: terms.terms },
    ]);
    const child = await client.ip.getIpAsset({ contentId: `scenario-${label}` });
    expect(child).toMatchObject({ ipAssetId: scenario.ipAssetId, parents: scenario.parents });
    expect(child.licenseTerms.map((t) => t.licenseTermsId)).toEqual([terms.licenseTermsId]);
    await expect(client.ip.getIpAsset({ contentId: 'nothing' })).rejects.toBeInstanceOf(
      ChainNotFoundError,
    );

    // The chain's refusals: FAILED_PRECONDITION and ALREADY_EXISTS are ChainConflictError.
    await expect(
      client.ip.attachLicenseTerms({
        ipAssetId: scenario.ipAssetId!,
        licenseTermsId: terms.licenseTermsId!,
      }),
    ).rejects.toMatchObject({ name: 'ChainConflictError', codeName: 'FAILED_PRECONDITION' });
    await expect(
      client.ip.mintAndRegisterIpAsset({
        contentId: `story-${label}`,
        royaltyShares: contributors,
      }),
    ).rejects.toMatchObject({ name: 'ChainConflictError', codeName: 'ALREADY_EXISTS' });
  });

  it('an idempotency key reused with a different request is a ChainConflictError', async () => {
    const key = `ip-conflict-${label}`;
    const first = await client.ip.createCollection({ name: 'A', symbol: 'A', idempotencyKey: key });
    const same = await client.ip.createCollection({ name: 'A', symbol: 'A', idempotencyKey: key });
    expect(same).toEqual(first); // the first outcome, nothing created twice
    await expect(
      client.ip.createCollection({ name: 'B', symbol: 'B', idempotencyKey: key }),
    ).rejects.toBeInstanceOf(ChainConflictError);
  });

  it('maps the server’s violations to the paths of the input, preset and reference shapes included', async () => {
    const remix = await client.ip
      .registerLicenseTerms({
        preset: 'commercialRemix',
        currencyToken: 'WIP',
        commercialRevShareMicroPercent: 200_000_000,
      })
      .catch((e: unknown) => e);
    expect(remix).toBeInstanceOf(ChainInvalidArgumentError);
    expect(remix).toMatchObject({ rpc: 'RegisterLicenseTerms', codeName: 'INVALID_ARGUMENT' });
    expect(
      (remix as ChainInvalidArgumentError).fieldViolations.map((v) => [v.field, v.inputField]),
    ).toEqual([
      ['commercial_remix.commercial_rev_share_micro_percent', 'commercialRevShareMicroPercent'],
      ['commercial_remix.currency_token', 'currencyToken'],
    ]);
    const custom = await client.ip
      .registerLicenseTerms({ custom: { commercialRevShareMicroPercent: 1 } })
      .catch((e: unknown) => e);
    expect((custom as ChainInvalidArgumentError).fieldViolations[0]).toMatchObject({
      field: 'custom.commercial_rev_share_micro_percent',
      inputField: 'custom.commercialRevShareMicroPercent',
    });
    const asset = await client.ip
      .mintAndRegisterIpAsset({
        contentId: `bad-${label}`,
        ipMetadata: { uri: 'ipfs://x', hash: '0x12' },
        royaltyShares: [
          { walletAddress: WALLET_A, role: 'author', shareBasisPoints: 5000 },
          { walletAddress: 'nope', role: 'artist', shareBasisPoints: 5000 },
        ],
      })
      .catch((e: unknown) => e);
    expect(
      (asset as ChainInvalidArgumentError).fieldViolations.map((v) => [v.field, v.inputField]),
    ).toEqual([['royalty_shares[1].wallet_address', 'royaltyShares[1].walletAddress']]);
    const reference = await client.ip
      .mintAndRegisterIpAsset({
        contentId: `bad-${label}`,
        nftMetadata: { uri: 'ipfs://x', hash: '0x12' },
        royaltyShares: contributors,
      })
      .catch((e: unknown) => e);
    expect((reference as ChainInvalidArgumentError).fieldViolations[0]).toMatchObject({
      field: 'nft_metadata.reference.hash',
      inputField: 'nftMetadata.hash',
    });
  });

  it('refuses what cannot be encoded before sending, with the same paths', async () => {
    const before = server.observed.length;
    const fee = await client.ip
      .registerLicenseTerms({ preset: 'commercialUse', currencyToken: WIP, mintingFeeWei: -1n })
      .catch((e: unknown) => e);
    expect(fee).toBeInstanceOf(ChainInvalidArgumentError);
    expect((fee as ChainInvalidArgumentError).fieldViolations[0]).toMatchObject({
      field: 'commercial_use.minting_fee_wei',
      inputField: 'mintingFeeWei',
    });
    const parent = await client.ip
      .mintAndRegisterIpAsset({
        contentId: 'p',
        royaltyShares: contributors,
        parents: [{ ipAssetId: WALLET_A, licenseTermsId: 'one' }],
      })
      .catch((e: unknown) => e);
    expect((parent as ChainInvalidArgumentError).fieldViolations[0]?.inputField).toBe(
      'parents[0].licenseTermsId',
    );
    const role = await client.ip
      .mintAndRegisterIpAsset({
        contentId: 'r',
        // biome-ignore lint/suspicious/noExplicitAny: a role the types would refuse
        royaltyShares: [{ walletAddress: WALLET_A, role: 'editor' as any, shareBasisPoints: 1e4 }],
      })
      .catch((e: unknown) => e);
    expect((role as ChainInvalidArgumentError).fieldViolations[0]?.inputField).toBe(
      'royaltyShares[0].role',
    );
    await expect(
      client.ip.mintLicenseTokens({ licensorIpAssetId: WALLET_A, licenseTermsId: 1n, amount: 0.5 }),
    ).rejects.toBeInstanceOf(ChainInvalidArgumentError);
    await expect(client.ip.getLicenseTerms(0n)).rejects.toBeInstanceOf(ChainInvalidArgumentError);
    expect(server.observed.length).toBe(before);
  });
});

describe('client.ip wei and ids through a server', () => {
  it('any minting fee and expiration survive the round trip as the same bigints', async () => {
    const client = createChainClient({ baseUrl: server.url });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
          fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          async (fee, expiration) => {
            const reg = await client.ip.registerLicenseTerms({
              custom: {
                commercialUse: true,
                currencyToken: WIP,
                mintingFeeWei: fee,
                expirationSeconds: expiration,
              },
            });
            expect(reg.terms).toMatchObject({ mintingFeeWei: fee, expirationSeconds: expiration });
            const read = await client.ip.getLicenseTerms(reg.licenseTermsId!);
            expect(read.terms.mintingFeeWei).toBe(fee);
            expect(read.licenseTermsId).toBe(reg.licenseTermsId);
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      client.close();
    }
  });
});
