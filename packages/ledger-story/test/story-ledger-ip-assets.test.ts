import { ContributorType, IpAssetStatus } from '@mystira/chain-protos';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { keccak256, toBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryContentIndex } from '../src/content-index/index.js';
import { type StoryLedger, storyLedger } from '../src/ledger/index.js';
import { contentAddressedStore } from '../src/metadata/store.js';
import { royaltyTokens, untilMined, wallet } from './support/ip-fixtures.js';
import { startLedger, stopLedger } from './support/ledger.js';

// StoryLedger.ip's originals on the embedded chain: minted and registered with metadata by
// reference or as JSON, royalty shares given out as royalty tokens, one registry of content ids
// with registerAsset, and getIpAsset with the terms the LicenseRegistry lists.

let chain: EmbeddedChain;
let ledger: StoryLedger;
const store = contentAddressedStore();
const index = memoryContentIndex();

const author = (w: string, shareBps: number) => ({
  wallet: w,
  type: ContributorType.AUTHOR,
  shareBps,
});

beforeAll(async () => {
  ({ chain, ledger } = await startLedger({
    requiredConfirmations: 2,
    deployVaults: true,
    metadataStore: store,
    contentIndex: index,
  }));
});

afterAll(() => stopLedger(chain, ledger));

const until = <T>(probe: () => Promise<T | undefined>) => untilMined(chain, probe);

describe('StoryLedger.ip: originals', () => {
  it('mints with JSON and referenced metadata, gives out the royalty shares, reads back by both ids', async () => {
    // Whitespace and key order kept: the hash is of these exact bytes.
    const json = '{ "title": "Ünïcode story",  "b": 1, "a": [1, 2] }';
    const nftHash = `0x${'ab'.repeat(32)}`;
    const shares = [author(wallet(0xb1), 6000), author(wallet(0xb2), 4000)];
    const created = await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'ip-asset-1',
      ipMetadata: { kind: 'json', json },
      nftMetadata: {
        kind: 'reference',
        uri: 'ipfs://nft',
        hash: nftHash.toUpperCase().replace('0X', '0x'),
      },
      royaltyShares: shares,
      parents: [],
    });
    expect(created).toMatchObject({
      state: 'processing',
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      ipAssetId: expect.stringMatching(/^0x[0-9a-f]{40}$/),
      contentId: 'ip-asset-1',
      collection: ledger.collection!.toLowerCase(),
      owner: ledger.signer.toLowerCase(),
      royaltyShares: shares,
      licenseTerms: [],
      parents: [],
      children: [],
      childCount: 0,
    });
    expect(created.nftTokenId).toMatch(/^\d+$/);
    expect(created.ipMetadata).toEqual({
      uri: expect.any(String),
      hash: keccak256(toBytes(json)),
      json,
    });
    expect(await store.get(created.ipMetadata!.uri)).toEqual(JSON.parse(json));
    expect(created.nftMetadata).toEqual({ uri: 'ipfs://nft', hash: nftHash });

    const final = await until(async () => {
      const a = await ledger.ip.getIpAsset({ contentId: 'ip-asset-1' });
      return a?.state === 'confirmed' ? a : undefined;
    });
    expect(final).toEqual({ ...created, state: 'confirmed', registeredAt: expect.any(Date) });
    expect(
      await ledger.ip.getIpAsset({
        ipAssetId: created.ipAssetId.toUpperCase().replace('0X', '0x'),
      }),
    ).toEqual(final);
    // The Ledger port sees the same asset, registered, with the shares as its split.
    expect(await ledger.getAssetByIpId(created.ipAssetId)).toMatchObject({
      contentId: 'ip-asset-1',
      status: IpAssetStatus.REGISTERED,
      contributors: shares,
    });
    const tokens = await royaltyTokens(chain, created.ipAssetId);
    expect(await tokens(wallet(0xb1))).toBe(60_000_000n);
    expect(await tokens(wallet(0xb2))).toBe(40_000_000n);
  });

  it('keeps one registry of content ids with registerAsset, both ways', async () => {
    const shares = [author(wallet(0xc1), 10000)];
    await ledger.registerAsset({ contentId: 'shared-1', title: 'T', contributors: shares });
    await expect(
      ledger.ip.mintAndRegisterIpAsset({
        contentId: 'shared-1',
        royaltyShares: shares,
        parents: [],
      }),
    ).rejects.toMatchObject({ name: 'LedgerError', code: 'ALREADY_EXISTS' });
    await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'shared-2',
      royaltyShares: shares,
      parents: [],
    });
    await expect(
      ledger.registerAsset({ contentId: 'shared-2', title: 'T', contributors: shares }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(
      ledger.ip.mintAndRegisterIpAsset({
        contentId: 'shared-2',
        royaltyShares: shares,
        parents: [],
      }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    // An asset of registerAsset reads through the IP port too, in the ledger's collection.
    expect(await ledger.ip.getIpAsset({ contentId: 'shared-1' })).toMatchObject({
      contentId: 'shared-1',
      collection: ledger.collection!.toLowerCase(),
      royaltyShares: shares,
    });
  });

  it('mints in a collection it created, and lists the terms attached', async () => {
    const collection = await ledger.ip.createCollection({
      name: 'Other',
      symbol: 'OTH',
      contractUri: '',
    });
    const asset = await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'in-collection-1',
      collection: collection.address!,
      royaltyShares: [author(wallet(0xd1), 10000)],
      parents: [],
    });
    expect(asset.collection).toBe(collection.address);
    expect((await ledger.ip.getCollection(collection.address!))?.totalSupply).toBe(1);
    await ledger.ip.attachLicenseTerms({ ipAssetId: asset.ipAssetId, licenseTermsId: 1n });
    const read = await ledger.ip.getIpAsset({ ipAssetId: asset.ipAssetId });
    expect(read?.licenseTerms).toEqual([await ledger.ip.getLicenseTerms(1n)]);
  });

  it('reads an asset back from the chain after a restart: its collection, metadata URIs and hashes, and JSON whose bytes the store still has', async () => {
    const canonical = '{"a":[1,2],"title":"restart"}';
    const spaced = '{ "title": "spaced" }';
    const nft = { kind: 'reference' as const, uri: 'ipfs://nft-2', hash: `0x${'cd'.repeat(32)}` };
    const assets = [];
    for (const [contentId, json] of [
      ['restart-1', canonical],
      ['restart-2', spaced],
    ] as const) {
      assets.push(
        await ledger.ip.mintAndRegisterIpAsset({
          contentId,
          ipMetadata: { kind: 'json', json },
          nftMetadata: nft,
          royaltyShares: [author(wallet(0xb9), 10000)],
          parents: [],
        }),
      );
    }
    await until(async () =>
      (await ledger.ip.getIpAsset({ contentId: 'restart-2' }))?.state === 'confirmed'
        ? true
        : undefined,
    );
    // The same chain, content index and metadata store; nothing else carried over.
    const restarted = await storyLedger({
      provider: chain.provider,
      rpcEndpointLabel: chain.rpcUrl,
      signer: chain.accounts[1]!.privateKey,
      spgNftContract: ledger.collection!,
      requiredConfirmations: 2,
      metadataStore: store,
      contentIndex: index,
      pollIntervalMs: 20,
    });
    try {
      const [first, second] = await Promise.all(
        ['restart-1', 'restart-2'].map((contentId) => restarted.ip.getIpAsset({ contentId })),
      );
      expect(first).toMatchObject({
        ipAssetId: assets[0]!.ipAssetId,
        collection: assets[0]!.collection,
        ipMetadata: assets[0]!.ipMetadata,
        nftMetadata: { uri: 'ipfs://nft-2', hash: nft.hash },
      });
      expect(first?.ipMetadata?.json).toBe(canonical);
      // The store keeps the parsed document: other whitespace cannot be given back byte for byte.
      expect(second?.ipMetadata).toEqual({
        uri: assets[1]!.ipMetadata!.uri,
        hash: keccak256(toBytes(spaced)),
      });
      expect(second?.collection).toBe(assets[1]!.collection);
    } finally {
      restarted.close();
    }
  });

  it('answers undefined for assets it does not know', async () => {
    expect(await ledger.ip.getIpAsset({ contentId: 'never-registered' })).toBeUndefined();
    expect(await ledger.ip.getIpAsset({ ipAssetId: `0x${'34'.repeat(20)}` })).toBeUndefined();
  });
});
