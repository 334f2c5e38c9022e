/**
 * `client.ip` against the real thing: @mystira/chain-server's mystira.chain.ip.v1 handlers on a
 * DevnetLedger (its `ip` port, blocks every 20 ms), over gRPC on HTTP/2. A story is registered
 * in a new collection with JSON metadata, licensed under Commercial Remix terms, a scenario is
 * registered as its derivative, and a payment to the scenario reaches the story's wallet by the
 * terms — every value crossing the wire as the client's bigint/Date/string-union shapes, and the
 * server's own validation errors arriving with both field paths.
 */
import {
  type ChainClient,
  ChainConflictError,
  ChainInvalidArgumentError,
  ChainNotFoundError,
  createChainClient,
} from '@mystira/chain-client';
import { type ChainServer, createChainServer, DevnetLedger } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = '0x1514000000000000000000000000000000000000';
const STORY_WALLET = '0x1111111111111111111111111111111111111111';
const SCENARIO_WALLET = '0x2222222222222222222222222222222222222222';

let ledger: DevnetLedger;
let server: ChainServer;
let client: ChainClient;
beforeAll(async () => {
  ledger = new DevnetLedger({ blockIntervalMs: 20, requiredConfirmations: 2 });
  ledger.start();
  server = createChainServer({ ledger });
  const { port } = await server.listen(0);
  client = createChainClient({ baseUrl: `http://127.0.0.1:${port}`, protocol: 'grpc' });
  await client.ready({ timeoutMs: 10_000 });
});
afterAll(async () => {
  client?.close();
  ledger?.stop();
  await server?.close({ deadlineMs: 1000 });
});

/** Waits until a transaction has the server's required confirmations. */
async function final(hash: string | undefined): Promise<void> {
  expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
  let last = '';
  for await (const change of client.watchTransactions([hash!])) last = change.status;
  expect(last).toBe('confirmed');
}

describe('client.ip on @mystira/chain-server with DevnetLedger over gRPC/HTTP/2', () => {
  it('collection, terms, story, license tokens, derivative, royalties from child to parent', async () => {
    const created = await client.ip.createCollection({ name: 'Mystira Stories', symbol: 'MYST' });
    expect(created).toMatchObject({ status: 'processing' });
    expect(created.createdAt).toBeInstanceOf(Date);
    const collection = await client.ip.getCollection(created.collectionAddress!);
    expect(collection).toMatchObject({
      collectionAddress: created.collectionAddress,
      name: 'Mystira Stories',
      symbol: 'MYST',
      mintFeeWei: 0n,
      totalSupply: 0,
    });

    const terms = await client.ip.registerLicenseTerms({
      preset: 'commercialRemix',
      currencyToken: TOKEN,
      commercialRevShareMicroPercent: 10_000_000, // 10 %
    });
    expect(terms.status).toBe('processing');
    expect(terms.licenseTermsId).toBeTypeOf('bigint');
    expect(terms.terms).toMatchObject({
      commercialUse: true,
      derivativesAllowed: true,
      royaltyPolicy: 'lap',
      mintingFeeWei: 0n,
      currencyToken: TOKEN,
    });
    const same = await client.ip.registerLicenseTerms({
      preset: 'commercialRemix',
      currencyToken: TOKEN,
      commercialRevShareMicroPercent: 10_000_000,
    });
    expect(same).toMatchObject({ status: 'confirmed', licenseTermsId: terms.licenseTermsId });
    expect(await client.ip.getLicenseTerms(terms.licenseTermsId!)).toEqual({
      licenseTermsId: terms.licenseTermsId,
      terms: terms.terms,
    });

    // Kept byte for byte, odd spacing included: the hash is over exactly these bytes.
    const json = '{ "title" : "The Lighthouse Keeper" }';
    const story = await client.ip.mintAndRegisterIpAsset({
      contentId: 'story-7',
      collectionAddress: created.collectionAddress!,
      ipMetadata: { json },
      royaltyShares: [{ walletAddress: STORY_WALLET, role: 'author', shareBasisPoints: 10_000 }],
    });
    expect(story).toMatchObject({
      status: 'processing',
      collectionAddress: created.collectionAddress,
      ipMetadata: { json },
      parents: [],
    });
    expect(story.ipMetadata?.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(story.nftTokenId).toBeTypeOf('bigint');
    await final(story.transactionHash);

    const attached = await client.ip.attachLicenseTerms({
      ipAssetId: story.ipAssetId!,
      licenseTermsId: terms.licenseTermsId!,
    });
    expect(attached.status).toBe('processing');
    await final(attached.transactionHash);

    const tokens = await client.ip.mintLicenseTokens({
      licensorIpAssetId: story.ipAssetId!,
      licenseTermsId: terms.licenseTermsId!,
      amount: 2,
      maxMintingFeeWei: 0n,
    });
    expect(tokens.licenseTokenIds).toHaveLength(2);
    expect(tokens.licenseTokenIds[0]).toBeTypeOf('bigint');
    expect(tokens.mintingFeePaidWei).toBe(0n);

    const scenario = await client.ip.mintAndRegisterIpAsset({
      contentId: 'story-7/scenario-1',
      royaltyShares: [{ walletAddress: SCENARIO_WALLET, role: 'author', shareBasisPoints: 10_000 }],
      parents: [{ ipAssetId: story.ipAssetId!, licenseTermsId: terms.licenseTermsId! }],
      maxRevenueShareMicroPercent: 10_000_000,
    });
    expect(scenario.parents).toEqual([
      { ipAssetId: story.ipAssetId, licenseTermsId: terms.licenseTermsId },
    ]);
    await final(scenario.transactionHash);

    const read = await client.ip.getIpAsset({ contentId: 'story-7' });
    expect(read).toMatchObject({
      ipAssetId: story.ipAssetId,
      status: 'confirmed',
      childCount: 1,
      children: [{ ipAssetId: scenario.ipAssetId, licenseTermsId: terms.licenseTermsId }],
      royaltyShares: [{ walletAddress: STORY_WALLET, role: 'author', shareBasisPoints: 10_000 }],
      ipMetadata: { json, hash: story.ipMetadata?.hash },
    });
    expect(read.licenseTerms).toEqual([
      { licenseTermsId: terms.licenseTermsId, terms: terms.terms },
    ]);
    expect(read.registeredAt).toBeInstanceOf(Date);
    const child = await client.ip.getIpAsset({ ipAssetId: scenario.ipAssetId! });
    expect(child.parents).toEqual(scenario.parents);

    // ChainService's royalties reach the parent by the terms: 10 % of a payment to the child.
    const payment = await client.payRoyalties({
      ipAssetId: scenario.ipAssetId!,
      amountWei: 1_000n,
      currencyToken: TOKEN,
    });
    if (payment.transactionHash) await final(payment.transactionHash);
    const owed = async (walletAddress: string, ipAssetId: string) =>
      (await client.getClaimableRoyalties({ walletAddress, ipAssetId })).balances.reduce(
        (sum, b) => sum + b.amountWei,
        0n,
      );
    await expect.poll(() => owed(STORY_WALLET, story.ipAssetId!)).toBe(100n);
    expect(await owed(SCENARIO_WALLET, scenario.ipAssetId!)).toBe(900n);
  }, 30_000);

  it('maps the server’s errors: violations with both paths, NOT_FOUND, refusals, key reuse', async () => {
    const preset = await client.ip
      .registerLicenseTerms({
        preset: 'commercialRemix',
        currencyToken: 'WIP',
        commercialRevShareMicroPercent: 1,
      })
      .catch((e: unknown) => e);
    expect(preset).toBeInstanceOf(ChainInvalidArgumentError);
    expect((preset as ChainInvalidArgumentError).fieldViolations).toContainEqual(
      expect.objectContaining({
        field: 'commercial_remix.currency_token',
        inputField: 'currencyToken',
      }),
    );
    const asset = await client.ip
      .mintAndRegisterIpAsset({
        contentId: 'bad',
        nftMetadata: { uri: 'ipfs://x', hash: '0x12' },
        royaltyShares: [{ walletAddress: 'nope', role: 'author', shareBasisPoints: 10_000 }],
      })
      .catch((e: unknown) => e);
    expect(
      (asset as ChainInvalidArgumentError).fieldViolations.map((v) => [v.field, v.inputField]),
    ).toEqual(
      expect.arrayContaining([
        ['nft_metadata.reference.hash', 'nftMetadata.hash'],
        ['royalty_shares[0].wallet_address', 'royaltyShares[0].walletAddress'],
      ]),
    );

    await expect(client.ip.getIpAsset({ contentId: 'never-registered' })).rejects.toBeInstanceOf(
      ChainNotFoundError,
    );
    await expect(client.ip.getLicenseTerms(10n ** 20n)).rejects.toBeInstanceOf(ChainNotFoundError);
    await expect(client.ip.getCollection(`0x${'9'.repeat(40)}`)).rejects.toBeInstanceOf(
      ChainNotFoundError,
    );

    // Deriving under terms that exist but are not attached to the parent is the chain's refusal.
    const ncsr = await client.ip.registerLicenseTerms({ preset: 'nonCommercialSocialRemixing' });
    const lonely = await client.ip.mintAndRegisterIpAsset({
      contentId: 'lonely',
      royaltyShares: [{ walletAddress: STORY_WALLET, role: 'author', shareBasisPoints: 10_000 }],
    });
    await final(lonely.transactionHash);
    await expect(
      client.ip.mintAndRegisterIpAsset({
        contentId: 'orphan',
        royaltyShares: [{ walletAddress: STORY_WALLET, role: 'author', shareBasisPoints: 10_000 }],
        parents: [{ ipAssetId: lonely.ipAssetId!, licenseTermsId: ncsr.licenseTermsId! }],
      }),
    ).rejects.toMatchObject({ name: 'ChainConflictError', codeName: 'FAILED_PRECONDITION' });

    const key = `reuse-${process.pid}`;
    await client.ip.createCollection({ name: 'One', symbol: 'ONE', idempotencyKey: key });
    await expect(
      client.ip.createCollection({ name: 'Two', symbol: 'TWO', idempotencyKey: key }),
    ).rejects.toBeInstanceOf(ChainConflictError);
  }, 30_000);
});
