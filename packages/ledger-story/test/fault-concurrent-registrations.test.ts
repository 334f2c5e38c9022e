/**
 * Fault test, end to end: two Chain server processes share one signing key (PostgreSQL nonce
 * lease, submission journal and content index) in front of one embedded node served over
 * HTTP, and 200 registrations arrive at once, half at each, over HTTP/2 through
 * @mystira/chain-client. The component version (plain value transfers through the
 * submitter) is in transactions-postgres.test.ts; this one goes through the servers, the
 * Story SDK's encoding and the real contracts.
 */
import type { ChainClient } from '@mystira/chain-client';
import { type Address, createPublicClient, custom, type Hex, numberToHex, parseAbi } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedChain, startEmbeddedChain } from '../src/embedded.js';
import { freshSchema } from './support/postgres.js';
import {
  prepareServerTables,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.js';

const REGISTRATIONS = 200;
const AUTHOR = '0x00000000000000000000000000000000000a1100';

let chain: EmbeddedChain;
let db: Awaited<ReturnType<typeof freshSchema>>;
const servers: ServerProcess[] = [];
let signerKey: Hex;

beforeAll(async () => {
  chain = await startEmbeddedChain();
  db = await freshSchema();
  await prepareServerTables(db.pool, db.schema);
  signerKey = generatePrivateKey();
  await chain.provider.request({
    method: 'hardhat_setBalance',
    params: [privateKeyToAccount(signerKey).address, numberToHex(10n ** 24n)],
  });
  const common = { rpcUrl: chain.rpcUrl, signerKey, schema: db.schema };
  // The first creates the SPG collection; the second is configured with it, as a second
  // instance of a deployment would be.
  servers.push(await startServerProcess(common));
  servers.push(await startServerProcess({ ...common, spgNftContract: servers[0]!.collection }));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await chain?.close();
  await db?.drop();
});

describe('two Chain server processes, one signing key', () => {
  it('200 concurrent registrations: all succeed, no nonce error, 200 distinct IP assets readable from both servers', async () => {
    const clients = servers.map((s) => s.client());
    const inputs = Array.from({ length: REGISTRATIONS }, (_, i) => ({
      contentId: `concurrent-${i}`,
      contentTitle: `Concurrent story ${i}`,
      contributors: [{ walletAddress: AUTHOR, role: 'author' as const, shareBasisPoints: 10_000 }],
      idempotencyKey: `concurrent-key-${i}`,
    }));
    const outcomes = await Promise.allSettled(
      inputs.map((input, i) => clients[i % 2]!.registerIpAsset(input)),
    );
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    expect(failures).toEqual([]);
    const registrations = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));

    // Each registration answered once mined, with its own IP asset, NFT and transaction.
    const distinct = (values: (string | undefined)[]) => new Set(values.filter(Boolean)).size;
    expect(distinct(registrations.map((r) => r.ipAssetId))).toBe(REGISTRATIONS);
    expect(distinct(registrations.map((r) => r.registrationTxHash))).toBe(REGISTRATIONS);
    expect(registrations.map((r) => Number(r.nftTokenId)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: REGISTRATIONS }, (_, i) => i + 1),
    );

    // On chain: the collection's creation plus one transaction per registration, nothing
    // more (a nonce collision would have cost a re-signed or failed transaction), and 200 NFTs.
    const reader = createPublicClient({ transport: custom(chain.provider) });
    const signer = privateKeyToAccount(signerKey).address;
    expect(await reader.getTransactionCount({ address: signer, blockTag: 'pending' })).toBe(
      1 + REGISTRATIONS,
    );
    const supply = await reader.readContract({
      address: servers[0]!.collection as Address,
      abi: parseAbi(['function totalSupply() view returns (uint256)']),
      functionName: 'totalSupply',
    });
    expect(supply).toBe(BigInt(REGISTRATIONS));
    // Neither server had to recover from a nonce somebody else used.
    const nonceTrouble = servers
      .flatMap((s) => s.events())
      .filter((e) => e.type === 'renonced' || /nonce/i.test(e.error ?? ''));
    expect(nonceTrouble).toEqual([]);

    // Every content id reads the same from both servers: the one that registered it, and the
    // other through the shared content index.
    const byContent = new Map(registrations.map((r) => [r.contentId, r]));
    await untilAllRegistered(clients, [...byContent.keys()]);
    for (const client of clients) {
      const statuses = await Promise.all(
        [...byContent.keys()].map((id) => client.getIpAssetStatus(id)),
      );
      for (const status of statuses) {
        const registered = byContent.get(status.contentId)!;
        expect(status).toMatchObject({
          status: 'registered',
          ipAssetId: registered.ipAssetId,
          nftTokenId: registered.nftTokenId,
          transactionHash: registered.registrationTxHash,
        });
      }
    }
  }, 240_000);
});

/** Waits (at most 60 s) until every content id is REGISTERED on every server. */
async function untilAllRegistered(clients: ChainClient[], contentIds: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  let waiting = contentIds;
  while (waiting.length > 0) {
    if (Date.now() > deadline) throw new Error(`not registered in time: ${waiting.slice(0, 5)}`);
    const answers = await Promise.all(
      waiting.map(async (id) =>
        (await Promise.all(clients.map((c) => c.isRegistered(id)))).every(Boolean) ? '' : id,
      ),
    );
    waiting = answers.filter((id) => id !== '');
    if (waiting.length > 0) await new Promise((r) => setTimeout(r, 100));
  }
}
