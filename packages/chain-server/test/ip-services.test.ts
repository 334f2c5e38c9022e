/**
 * CollectionService, LicensingService and IpAssetService over real sockets on the devnet's `ip`,
 * with each protocol (gRPC over h2c, gRPC-Web and Connect JSON over HTTP/1.1, Connect binary over
 * HTTP/2): collections, terms from every preset and custom, registration with metadata,
 * attaching, license tokens and a derivative, read back with its parents and children, and seen
 * by ChainService (registered, and a payment to the derivative reaching its parent).
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { IpAssetStatus, OperationStatus, RoyaltyPolicy } from '@mystira/chain-protos';
import { PIL_PRESET_URIS } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  NATIVE,
  type Protocol,
  protocols,
  unique,
  WALLET_A,
  WALLET_C,
} from './helpers.js';
import {
  commercialRemix,
  type IpRunning,
  ipClients,
  mintAndRegister,
  startIpServer,
  WIP,
} from './support/ip-server.js';

const ADDRESS = /^0x[0-9a-f]{40}$/;
const HASH = /^0x[0-9a-f]{64}$/;
const DECIMAL = /^[1-9][0-9]*$/;

/** A document with non-ASCII text, and the keccak256 of its UTF-8 bytes (computed with viem). */
const DOCUMENT = '{"title": "Ünïcode story", "n": 1}';
const DOCUMENT_KECCAK = '0x917c61e2ae86bc30800d81cf1393a3f3fb505ccd07d9e36df9cb3bfbd0731cc8';

/** Polls `read` until `done` says yes (the devnet mines a block every few milliseconds). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let r: IpRunning;
beforeAll(async () => {
  r = await startIpServer({ ip: 'devnet' });
});
afterAll(() => r.close());

describe.each(protocols)('%s', (protocol: Protocol) => {
  it('creates and reads a collection', async () => {
    const { collections } = ipClients(protocol, r.baseUrl);
    const created = await collections.createCollection({
      name: 'Mystira Stories',
      symbol: 'MYST',
      contractUri: 'ipfs://collection',
      maxSupply: 500,
      idempotencyKey: unique('col'),
    });
    expect(created.status).toBe(OperationStatus.PROCESSING);
    expect(created.transactionHash).toMatch(HASH);
    expect(created.collectionAddress).toMatch(ADDRESS);
    expect(created.createdAt).toBeDefined();
    const { collection } = await collections.getCollection({
      collectionAddress: (created.collectionAddress as string).toUpperCase().replace('0X', '0x'),
    });
    expect(collection).toMatchObject({
      collectionAddress: created.collectionAddress,
      name: 'Mystira Stories',
      symbol: 'MYST',
      contractUri: 'ipfs://collection',
      maxSupply: 500,
      totalSupply: 0,
      mintFeeWei: '0',
      transactionHash: created.transactionHash,
    });
    expect(collection?.ownerAddress).toMatch(ADDRESS);
  });

  it('registers terms from each preset, expanded as Story defines them, and custom terms', async () => {
    const { licensing } = ipClients(protocol, r.baseUrl);
    // Expanded as Story's SDK does, the preset is the terms Story registered at launch: id 1,
    // found, so nothing is sent.
    const ncsr = await licensing.registerLicenseTerms({
      terms: { case: 'nonCommercialSocialRemixing', value: {} },
      idempotencyKey: unique('ncsr'),
    });
    expect(ncsr).toMatchObject({ status: OperationStatus.CONFIRMED, licenseTermsId: '1' });
    expect(ncsr.transactionHash).toBeUndefined();
    expect(ncsr.terms).toMatchObject({
      transferable: true,
      royaltyPolicy: RoyaltyPolicy.NONE,
      mintingFeeWei: '0',
      expirationSeconds: 0n,
      commercialUse: false,
      commercialAttribution: false,
      commercialRevShareMicroPercent: 0,
      derivativesAllowed: true,
      derivativesAttribution: true,
      derivativesApproval: false,
      derivativesReciprocal: true,
      currencyToken: NATIVE,
      termsUri: PIL_PRESET_URIS.nonCommercialSocialRemixing,
    });

    const use = await licensing.registerLicenseTerms({
      terms: {
        case: 'commercialUse',
        value: { mintingFeeWei: '5', currencyToken: WIP.toUpperCase().replace('0X', '0x') },
      },
      idempotencyKey: unique('use'),
    });
    expect(use.terms).toMatchObject({
      royaltyPolicy: RoyaltyPolicy.LAP,
      mintingFeeWei: '5',
      commercialUse: true,
      commercialAttribution: true,
      derivativesAllowed: false,
      derivativesReciprocal: false,
      currencyToken: WIP,
      termsUri: PIL_PRESET_URIS.commercialUse,
    });

    const remix = await licensing.registerLicenseTerms(commercialRemix());
    expect(remix.terms).toMatchObject({
      royaltyPolicy: RoyaltyPolicy.LAP,
      commercialRevShareMicroPercent: 10_000_000,
      commercialUse: true,
      derivativesAllowed: true,
      derivativesReciprocal: true,
      termsUri: PIL_PRESET_URIS.commercialRemix,
    });

    const custom = {
      transferable: false,
      royaltyPolicy: RoyaltyPolicy.LRP,
      mintingFeeWei: '1000000000000000000',
      expirationSeconds: 86_400n,
      commercialUse: true,
      commercialAttribution: false,
      commercialRevShareMicroPercent: 2_500_000,
      derivativesAllowed: true,
      derivativesAttribution: false,
      derivativesApproval: true,
      derivativesReciprocal: false,
      currencyToken: WIP,
      // Unique per run: identical terms would be found, not registered.
      termsUri: `https://example.com/${unique('terms')}.json`,
    };
    const registered = await licensing.registerLicenseTerms({
      terms: { case: 'custom', value: custom },
      idempotencyKey: unique('custom'),
    });
    expect(registered.status).toBe(OperationStatus.PROCESSING);
    expect(registered.transactionHash).toMatch(HASH);
    expect(registered.licenseTermsId).toMatch(DECIMAL);
    expect(registered.terms).toMatchObject(custom);
    // Identical terms exist now: nothing is sent, the same id comes back.
    const again = await licensing.registerLicenseTerms({
      terms: { case: 'custom', value: custom },
      idempotencyKey: unique('custom'),
    });
    expect(again).toMatchObject({
      status: OperationStatus.CONFIRMED,
      licenseTermsId: registered.licenseTermsId,
    });
    expect(again.transactionHash).toBeUndefined();
    const read = await licensing.getLicenseTerms({
      licenseTermsId: registered.licenseTermsId as string,
    });
    expect(read.licenseTermsId).toBe(registered.licenseTermsId);
    expect(read.terms).toMatchObject(custom);
  });

  it('registers an asset, attaches terms, mints licenses and registers a derivative', async () => {
    const { collections, licensing, assets } = ipClients(protocol, r.baseUrl);
    const chain = clientFor(protocol, r.baseUrl);
    const { collectionAddress } = await collections.createCollection({
      name: 'Stories',
      symbol: 'STO',
      contractUri: '',
      idempotencyKey: unique('col'),
    });
    const parentReq = {
      ...mintAndRegister(),
      ipMetadata: { source: { case: 'json' as const, value: DOCUMENT } },
    };
    const nftHash = `0x${'AB'.repeat(32)}`;
    const parent = await assets.mintAndRegisterIpAsset({
      ...parentReq,
      collectionAddress,
      nftMetadata: { source: { case: 'reference', value: { uri: 'ipfs://nft', hash: nftHash } } },
    });
    expect(parent).toMatchObject({
      contentId: parentReq.contentId,
      status: OperationStatus.PROCESSING,
      collectionAddress,
      parents: [],
    });
    expect(parent.ipAssetId).toMatch(ADDRESS);
    expect(parent.nftTokenId).toMatch(/^[0-9]+$/);
    // JSON metadata is kept byte for byte and hashed over its UTF-8 bytes; a reference's hash
    // comes back lower case.
    expect(parent.ipMetadata?.json).toBe(DOCUMENT);
    expect(parent.ipMetadata?.hash).toBe(DOCUMENT_KECCAK);
    expect(parent.ipMetadata?.uri).not.toBe('');
    expect(parent.nftMetadata).toMatchObject({ uri: 'ipfs://nft', hash: nftHash.toLowerCase() });
    const parentId = parent.ipAssetId as string;

    const terms = await licensing.registerLicenseTerms(commercialRemix());
    const termsId = terms.licenseTermsId as string;
    const attached = await licensing.attachLicenseTerms({
      ipAssetId: parentId,
      licenseTermsId: termsId,
      idempotencyKey: unique('attach'),
    });
    expect(attached).toMatchObject({
      ipAssetId: parentId,
      licenseTermsId: termsId,
      status: OperationStatus.PROCESSING,
    });
    expect(attached.transactionHash).toMatch(HASH);
    const reattached = await licensing.attachLicenseTerms({
      ipAssetId: parentId,
      licenseTermsId: termsId,
      idempotencyKey: unique('attach'),
    });
    expect(reattached.status).toBe(OperationStatus.CONFIRMED);
    expect(reattached.transactionHash).toBeUndefined();

    const tokens = await licensing.mintLicenseTokens({
      licensorIpAssetId: parentId,
      licenseTermsId: termsId,
      amount: 2,
      receiverAddress: WALLET_C,
      maxMintingFeeWei: '2',
      idempotencyKey: unique('mint'),
    });
    expect(tokens).toMatchObject({
      licensorIpAssetId: parentId,
      licenseTermsId: termsId,
      status: OperationStatus.PROCESSING,
      receiverAddress: WALLET_C,
      mintingFeePaidWei: '2',
    });
    expect(tokens.licenseTokenIds).toHaveLength(2);
    for (const id of tokens.licenseTokenIds) expect(id).toMatch(/^[0-9]+$/);

    const childReq = mintAndRegister();
    const child = await assets.mintAndRegisterIpAsset({
      ...childReq,
      parents: [{ ipAssetId: parentId, licenseTermsId: termsId }],
      maxRevenueShareMicroPercent: 10_000_000,
    });
    expect(child.status).toBe(OperationStatus.PROCESSING);
    expect(child.parents).toEqual([
      expect.objectContaining({ ipAssetId: parentId, licenseTermsId: termsId }),
    ]);
    const childId = child.ipAssetId as string;

    const { ipAsset: readParent } = await assets.getIpAsset({
      asset: { case: 'ipAssetId', value: parentId },
    });
    expect(readParent).toMatchObject({
      ipAssetId: parentId,
      contentId: parentReq.contentId,
      collectionAddress,
      childCount: 1,
      children: [expect.objectContaining({ ipAssetId: childId, licenseTermsId: termsId })],
      licenseTerms: [expect.objectContaining({ licenseTermsId: termsId })],
    });
    expect(readParent?.royaltyShares.map((s) => [s.walletAddress, s.shareBasisPoints])).toEqual([
      [WALLET_A, 7000],
      [expect.stringMatching(ADDRESS), 3000],
    ]);
    expect(readParent?.licenseTerms[0]?.terms?.commercialRevShareMicroPercent).toBe(10_000_000);
    const { ipAsset: readChild } = await assets.getIpAsset({
      asset: { case: 'contentId', value: childReq.contentId },
    });
    expect(readChild).toMatchObject({
      ipAssetId: childId,
      parents: [expect.objectContaining({ ipAssetId: parentId, licenseTermsId: termsId })],
      licenseTerms: [expect.objectContaining({ licenseTermsId: termsId })],
    });

    // Final once the chain has the confirmations, for this service and for ChainService alike.
    const final = await until(
      () => assets.getIpAsset({ asset: { case: 'ipAssetId', value: childId } }),
      (res) => res.ipAsset?.status === OperationStatus.CONFIRMED,
    );
    expect(final.ipAsset?.status).toBe(OperationStatus.CONFIRMED);
    const status = await chain.getIpAssetStatus({ contentId: childReq.contentId });
    expect(status).toMatchObject({ status: IpAssetStatus.REGISTERED, ipAssetId: childId });

    // A payment to the derivative owes its parent the terms' 10 %, which the parent's royalty
    // shares claim with ChainService: WALLET_A holds 70 % of the parent's 100 wei. (The parent
    // earned the minting fees already, all final by now: only the difference is the payment's.)
    const parentWei = async () => {
      const res = await chain.getClaimableRoyalties({
        walletAddress: WALLET_A,
        ipAssetId: parentId,
      });
      return BigInt(res.balances.find((b) => b.currencyToken === WIP)?.amountWei ?? '0');
    };
    const before = await parentWei();
    await chain.payRoyalties({
      ipAssetId: childId,
      amountWei: '1000',
      currencyToken: WIP,
      idempotencyKey: unique('pay'),
    });
    expect((await until(parentWei, (wei) => wei !== before)) - before).toBe(70n);
  });

  it('answers NOT_FOUND for unknown collections, terms and assets', async () => {
    const { collections, licensing, assets } = ipClients(protocol, r.baseUrl);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e) => ConnectError.from(e).code,
      );
    expect(
      await code(collections.getCollection({ collectionAddress: `0x${'9'.repeat(40)}` })),
    ).toBe(Code.NotFound);
    expect(await code(licensing.getLicenseTerms({ licenseTermsId: '999999' }))).toBe(Code.NotFound);
    expect(
      await code(assets.getIpAsset({ asset: { case: 'contentId', value: unique('nothing') } })),
    ).toBe(Code.NotFound);
  });
});
