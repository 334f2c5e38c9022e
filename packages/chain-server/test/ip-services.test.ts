/**
 * CollectionService, LicensingService and IpAssetService over real sockets, with each protocol
 * (gRPC over h2c, gRPC-Web and Connect JSON over HTTP/1.1, Connect binary over HTTP/2): the whole
 * flow of collections, terms from every preset and custom, registration with metadata, attaching,
 * license tokens and a derivative, read back with its parents and children; then how the port's
 * refusals and failures reach the client.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { OperationStatus, RoyaltyPolicy } from '@mystira/chain-protos';
import { PIL_PRESET_URIS } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE, type Protocol, protocols, unique, WALLET_A, WALLET_C } from './helpers.js';
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

const internalErrors: [unknown, string][] = [];
let r: IpRunning;
beforeAll(async () => {
  r = await startIpServer({ onInternalError: (e, method) => internalErrors.push([e, method]) });
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
    const ncsr = await licensing.registerLicenseTerms({
      terms: { case: 'nonCommercialSocialRemixing', value: {} },
      idempotencyKey: unique('ncsr'),
    });
    expect(ncsr.licenseTermsId).toMatch(DECIMAL);
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
    // Identical terms exist already: nothing is sent, the same id comes back.
    const again = await licensing.registerLicenseTerms({
      terms: { case: 'nonCommercialSocialRemixing', value: {} },
      idempotencyKey: unique('ncsr'),
    });
    expect(again).toMatchObject({
      status: OperationStatus.CONFIRMED,
      licenseTermsId: ncsr.licenseTermsId,
    });
    expect(again.transactionHash).toBeUndefined();

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
    expect(registered.terms).toMatchObject(custom);
    const read = await licensing.getLicenseTerms({
      licenseTermsId: registered.licenseTermsId as string,
    });
    expect(read.licenseTermsId).toBe(registered.licenseTermsId);
    expect(read.terms).toMatchObject(custom);
  });

  it('registers an asset, attaches terms, mints licenses and registers a derivative', async () => {
    const { collections, licensing, assets } = ipClients(protocol, r.baseUrl);
    const { collectionAddress } = await collections.createCollection({
      name: 'Stories',
      symbol: 'STO',
      contractUri: '',
      idempotencyKey: unique('col'),
    });
    const parentReq = mintAndRegister();
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
    // JSON metadata is kept byte for byte; a reference's hash comes back lower case.
    expect(parent.ipMetadata?.json).toBe(parentReq.ipMetadata.source.value);
    expect(parent.ipMetadata?.hash).toMatch(HASH);
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
