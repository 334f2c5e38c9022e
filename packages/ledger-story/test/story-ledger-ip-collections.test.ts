import { ContributorType } from '@mystira/chain-protos';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoryLedger, storyLedger } from '../src/ledger/index.js';
import { InMemorySubmissionJournal } from '../src/transactions/index.js';
import { untilMined } from './support/ip-fixtures.js';
import { startLedger, stopLedger } from './support/ledger.js';

// StoryLedger.ip's collections on the embedded chain: created like the ledger's own at start,
// read back from the SPGNFT's views, CONFIRMED once final, counting their mints.

let chain: EmbeddedChain;
let ledger: StoryLedger;

beforeAll(async () => {
  ({ chain, ledger } = await startLedger({ requiredConfirmations: 3 }));
});

afterAll(() => stopLedger(chain, ledger));

const until = <T>(probe: () => Promise<T | undefined>) => untilMined(chain, probe);

describe('StoryLedger.ip: collections', () => {
  it('creates a collection: processing with its address once in a block, confirmed when final', async () => {
    const created = await ledger.ip.createCollection({
      name: 'Scenarios',
      symbol: 'SCN',
      contractUri: 'ipfs://collection',
      maxSupply: 1000,
    });
    const owner = ledger.signer.toLowerCase();
    expect(created).toMatchObject({
      state: 'processing',
      address: expect.stringMatching(/^0x[0-9a-f]{40}$/),
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      name: 'Scenarios',
      symbol: 'SCN',
      contractUri: 'ipfs://collection',
      baseUri: '',
      maxSupply: 1000,
      totalSupply: 0,
      mintOpen: true,
      publicMinting: false,
      mintFeeWei: 0n,
      mintFeeToken: '0x0000000000000000000000000000000000000000',
      owner,
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    const final = await until(async () => {
      const c = await ledger.ip.getCollection(created.address!.toUpperCase().replace('0X', '0x'));
      return c?.state === 'confirmed' ? c : undefined;
    });
    expect(final).toEqual({ ...created, state: 'confirmed' });
  });

  it('a retry with the same idempotency key and input, after a restart, finds the collection created before instead of creating another', async () => {
    const journal = new InMemorySubmissionJournal();
    const start = () =>
      storyLedger({
        provider: chain.provider,
        rpcEndpointLabel: chain.rpcUrl,
        signer: chain.accounts[2]!.privateKey,
        spgNftContract: ledger.collection!,
        requiredConfirmations: 3,
        journal,
        pollIntervalMs: 20,
      });
    const input = { name: 'Once', symbol: 'ONE', contractUri: '', idempotencyKey: 'create-once' };
    const first = await start();
    const created = await first.ip.createCollection(input);
    first.close();
    // The journal survived; the process (and the server's idempotency store) did not.
    const restarted = await start();
    try {
      const retried = await restarted.ip.createCollection(input);
      expect(retried.txHash).toBe(created.txHash);
      expect(retried.address).toBe(created.address);
      // Another input under the same key is another request: a collection of its own.
      const other = await restarted.ip.createCollection({ ...input, symbol: 'TWO' });
      expect(other.address).not.toBe(created.address);
    } finally {
      restarted.close();
    }
  });

  it("reads the ledger's own collection (created at start) and counts its mints", async () => {
    const own = ledger.collection!;
    const before = await ledger.ip.getCollection(own);
    expect(before).toMatchObject({
      state: 'confirmed',
      address: own.toLowerCase(),
      name: 'Mystira Stories',
      symbol: 'MYST',
      maxSupply: 2 ** 32 - 1,
      owner: ledger.signer.toLowerCase(),
    });
    await ledger.registerAsset({
      contentId: 'collection-count-1',
      title: 'Counted',
      contributors: [
        { wallet: ledger.signer.toLowerCase(), type: ContributorType.AUTHOR, shareBps: 10000 },
      ],
    });
    expect((await ledger.ip.getCollection(own))?.totalSupply).toBe(before!.totalSupply + 1);
  });

  it('answers undefined where there is no collection', async () => {
    expect(await ledger.ip.getCollection(`0x${'12'.repeat(20)}`)).toBeUndefined();
    // Code that is not a collection (the royalty module).
    expect(await ledger.ip.getCollection(chain.addresses.royaltyModule)).toBeUndefined();
    expect(await ledger.ip.getCollection('not an address')).toBeUndefined();
  });
});
