/**
 * Rebuilding the content index from the chain, on the embedded node through the unmodified
 * Story SDK: registrations made with our metadata documents come back by content id (also
 * resuming from a checkpoint, in small block ranges), while an IP a stranger registered with a
 * document claiming one of our content ids, and one whose document does not match its on-chain
 * hash, are skipped.
 */
import { type EmbeddedChain, startEmbeddedChain } from '@mystira/ledger-story/embedded';
import { StoryClient } from '@story-protocol/core-sdk';
import { type Address, createPublicClient, custom, type Hex, zeroHash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memoryContentIndex } from '../src/content-index/index.js';
import { rebuildContentIndex } from '../src/content-index/rebuild.js';
import { metadataHash, registrationDocuments } from '../src/metadata/documents.js';
import { contentAddressedStore } from '../src/metadata/store.js';

let chain: EmbeddedChain;
const metadata = contentAddressedStore();

function story(privateKey: Hex) {
  return StoryClient.newClient({
    transport: custom(chain.provider),
    account: privateKeyToAccount(privateKey),
    chainId: 'aeneid',
  });
}

async function collectionOf(client: StoryClient): Promise<Address> {
  const { spgNftContract } = await client.nftClient.createNFTCollection({
    name: 'Mystira stories',
    symbol: 'MYST',
    isPublicMinting: true,
    mintOpen: true,
    mintFeeRecipient: '0x0000000000000000000000000000000000000000',
    contractURI: '',
  });
  return spgNftContract!;
}

/** Registers `contentId` as the ledger would: both documents stored, URIs and hashes on chain. */
async function register(
  client: StoryClient,
  collection: Address,
  contentId: string,
  tamper = false,
) {
  const docs = registrationDocuments({
    contentId,
    title: `Story ${contentId}`,
    contributors: [{ wallet: `0x${'1'.repeat(40)}`, shareBps: 10_000 }],
    createdAt: new Date('2026-12-07T00:00:00Z'),
  });
  const ip = await metadata.put(docs.ip);
  const nft = await metadata.put(docs.nft);
  const result = await client.ipAsset.mintAndRegisterIp({
    spgNftContract: collection,
    ipMetadata: {
      ipMetadataURI: ip.uri,
      ipMetadataHash: tamper ? (zeroHash.replace(/0$/, '1') as Hex) : metadataHash(docs.ip),
      nftMetadataURI: nft.uri,
      nftMetadataHash: metadataHash(docs.nft),
    },
  });
  return {
    ipId: result.ipId!.toLowerCase(),
    txHash: result.txHash!,
    tokenId: result.tokenId!.toString(),
  };
}

let ours: Address;
const registered: Record<string, { ipId: string; txHash: string; tokenId: string }> = {};

beforeAll(async () => {
  chain = await startEmbeddedChain();
  const mine = story(chain.accounts[0]!.privateKey);
  const stranger = story(chain.accounts[1]!.privateKey);
  ours = chain.accounts[0]!.address;
  const collection = await collectionOf(mine);
  for (const id of ['story-a', 'story-b', 'story-c'])
    registered[id] = await register(mine, collection, id);
  // A stranger claims story-z (registration is permissionless); our signer registers a document
  // whose hash on chain does not match (a forged or corrupted document).
  await register(stranger, await collectionOf(stranger), 'story-z');
  await register(mine, collection, 'story-forged', true);
});
afterAll(() => chain?.close());

it('finds our registrations by content id, skipping strangers and mismatched documents', async () => {
  const client = createPublicClient({ transport: custom(chain.provider) });
  const index = memoryContentIndex();
  const progress: bigint[] = [];
  const result = await rebuildContentIndex({
    client,
    index,
    metadata,
    coreMetadataModule: chain.addresses.coreMetadataModule,
    trustedOwners: [ours],
    chunkBlocks: 2n, // several ranges, as against a node that caps eth_getLogs
    onProgress: (p) => progress.push(p.block),
  });
  expect(result.recorded).toBe(3);
  expect(result.skipped).toBe(2);
  for (const [contentId, r] of Object.entries(registered)) {
    expect(await index.get(contentId)).toMatchObject({
      contentId,
      ipId: r.ipId,
      txHash: r.txHash,
      nftTokenId: r.tokenId,
    });
  }
  expect(await index.get('story-z')).toBeUndefined();
  expect(await index.get('story-forged')).toBeUndefined();
  expect(progress.length).toBeGreaterThan(2);
  expect(await index.checkpoint()).toBe(await client.getBlockNumber());

  // A later registration: the next rebuild resumes from the checkpoint and reads only new blocks.
  const mine = story(chain.accounts[0]!.privateKey);
  const collection = await collectionOf(mine);
  const later = await register(mine, collection, 'story-d');
  const again = await rebuildContentIndex({
    client,
    index,
    metadata,
    coreMetadataModule: chain.addresses.coreMetadataModule,
    trustedOwners: [ours],
  });
  expect(again.recorded).toBe(1);
  expect((await index.get('story-d'))?.ipId).toBe(later.ipId);
});
