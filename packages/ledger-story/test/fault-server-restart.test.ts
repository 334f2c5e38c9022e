/**
 * Fault test, end to end: a Chain server process is killed (SIGKILL, no shutdown of any kind)
 * after it sent a registration and before the registration was mined, and is started again on
 * the same PostgreSQL journal. The client's retry with the same idempotency key must get the
 * same transaction; nothing may be lost (the registration lands) or sent twice (one
 * transaction, one NFT, one IP asset). The component version (a restarted ledger in process,
 * same journal) is in story-ledger.test.ts; this one goes through the server, whose own
 * idempotency store (in memory) dies with it, so only the ledger's journal remembers.
 */
import { ChainError } from '@mystira/chain-client';
import { type Address, createPublicClient, custom, type Hex, parseAbi, parseAbiItem } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedChain, startEmbeddedChain } from '../src/embedded.js';
import { STORY_ADDRESSES } from '../src/story/addresses.js';
import { fundedSigner, pendingFrom, until } from './support/fault-helpers.js';
import { freshSchema } from './support/postgres.js';
import {
  prepareServerTables,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.js';

let chain: EmbeddedChain;
let db: Awaited<ReturnType<typeof freshSchema>>;
const running = new Set<ServerProcess>();
const reader = () => createPublicClient({ transport: custom(chain.provider) });

beforeAll(async () => {
  chain = await startEmbeddedChain();
  db = await freshSchema();
  await prepareServerTables(db.pool, db.schema);
});

afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  await chain?.close();
  await db?.drop();
});

async function start(signerKey: Hex): Promise<ServerProcess> {
  const server = await startServerProcess({ rpcUrl: chain.rpcUrl, signerKey, schema: db.schema });
  running.add(server);
  return server;
}

async function kill(server: ServerProcess): Promise<void> {
  await server.kill();
  running.delete(server);
}

/** Mines a block every 100 ms until `answer` settles (at most 30 s). */
async function mineUntil<T>(answer: Promise<T>): Promise<T> {
  let settled = false;
  const watched = answer.finally(() => {
    settled = true;
  });
  const deadline = Date.now() + 30_000;
  while (!settled && Date.now() < deadline) {
    await chain.mine(1);
    await Promise.race([watched.catch(() => {}), new Promise((r) => setTimeout(r, 100))]);
  }
  if (!settled) throw new Error('no answer within 30 s of mining');
  return watched;
}

/** What the chain holds for the signer and its collection: nonces used, NFTs, IP assets. */
async function onChain(signer: Address, collection: Address) {
  const client = reader();
  const registered = await client.getLogs({
    address: STORY_ADDRESSES.ipAssetRegistry,
    event: parseAbiItem(
      'event IPRegistered(address ipId, uint256 indexed chainId, address indexed tokenContract, uint256 indexed tokenId, string name, string uri, uint256 registrationDate)',
    ),
    args: { tokenContract: collection },
    fromBlock: 0n,
  });
  return {
    nonce: await client.getTransactionCount({ address: signer, blockTag: 'pending' }),
    supply: await client.readContract({
      address: collection,
      abi: parseAbi(['function totalSupply() view returns (uint256)']),
      functionName: 'totalSupply',
    }),
    ipIds: registered.map((log) => log.args.ipId!.toLowerCase()),
  };
}

function registration(contentId: string) {
  return {
    contentId,
    contentTitle: `Title of ${contentId}`,
    contributors: [
      {
        walletAddress: '0x00000000000000000000000000000000000b0b00',
        role: 'author' as const,
        shareBasisPoints: 10_000,
      },
    ],
    idempotencyKey: `key-of-${contentId}`,
  };
}

describe('a Chain server killed between submit and confirmation', () => {
  it('restarted on the same journal: the same idempotency key gets the same transaction; one IP asset, one NFT', async () => {
    const signer = await fundedSigner(chain);
    const first = await start(signer.key); // creates its collection while blocks are automined
    const collection = first.collection as Address;
    const input = registration('killed-before-mined');
    await chain.setAutomine(false);
    try {
      // The call waits for the block that never comes; the server dies meanwhile.
      const lost = first
        .client()
        .registerIpAsset(input)
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      const sent = await pendingFrom(chain, signer.address);
      await kill(first);
      expect(await lost).toBeInstanceOf(ChainError);

      // Without a configured collection, the restarted server finds its own in the journal.
      const second = await start(signer.key);
      expect(second.collection).toBe(collection);
      const registered = await mineUntil(second.client().registerIpAsset(input));
      expect(registered).toMatchObject({
        contentId: input.contentId,
        registrationTxHash: sent,
        nftTokenId: '1',
      });
      expect(['processing', 'registered']).toContain(registered.status);

      // Nothing sent twice: the collection and one registration, one NFT, one IP asset.
      expect(await onChain(signer.address, collection)).toEqual({
        nonce: 2,
        supply: 1n,
        ipIds: [registered.ipAssetId],
      });
      // The key now replays the answer; the content id reads as the same asset.
      await expect(second.client().registerIpAsset(input)).resolves.toMatchObject({
        registrationTxHash: sent,
        ipAssetId: registered.ipAssetId,
      });
      const status = await mineUntil(untilRegistered(second, input.contentId));
      expect(status).toMatchObject({ ipAssetId: registered.ipAssetId, transactionHash: sent });
    } finally {
      await chain.setAutomine(true);
    }
  }, 180_000);

  it('when the node lost the transaction too, the restarted server sends the same signed bytes again', async () => {
    const signer = await fundedSigner(chain);
    const first = await start(signer.key);
    const collection = first.collection as Address;
    const input = registration('killed-and-dropped');
    await chain.setAutomine(false);
    try {
      const lost = first
        .client()
        .registerIpAsset(input)
        .catch((error: unknown) => error);
      const sent = await pendingFrom(chain, signer.address);
      await kill(first);
      await lost;
      // The node forgets it (a restart without its pool, an eviction): only the journal has it.
      await chain.provider.request({ method: 'hardhat_dropTransaction', params: [sent] });
      expect(await onChain(signer.address, collection)).toMatchObject({ nonce: 1, supply: 0n });

      const second = await start(signer.key);
      const registered = await mineUntil(second.client().registerIpAsset(input));
      expect(registered.registrationTxHash).toBe(sent);
      expect(await onChain(signer.address, collection)).toEqual({
        nonce: 2,
        supply: 1n,
        ipIds: [registered.ipAssetId],
      });
    } finally {
      await chain.setAutomine(true);
    }
  }, 180_000);
});

/** Polls GetIpAssetStatus until REGISTERED (at most 30 s); the caller mines meanwhile. */
function untilRegistered(server: ServerProcess, contentId: string) {
  const client = server.client();
  return until(`${contentId} registered`, async () => {
    const status = await client.getIpAssetStatus(contentId);
    return status.status === 'registered' && status;
  });
}
