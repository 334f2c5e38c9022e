/**
 * Fault test, end to end: a reorg seen through WatchTransactions on a Chain server process.
 * A registration is mined, its block leaves the canonical chain (the embedded node reverts
 * to a snapshot taken while the transaction was in its pool, as a node puts a reorged-out
 * transaction back into its pool), and is mined again into a different block at the same
 * height. The component version (the receipt tracker alone) is in
 * transactions-tracker.test.ts; this one goes through the ledger, the server's stream and
 * HTTP/2.
 */
import { TransactionStatus } from '@mystira/chain-protos';
import { type Address, createPublicClient, custom, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedChain } from '../src/embedded.js';
import { boundedly, pendingFrom, until } from './support/fault-helpers.js';
import { startServerOnChain } from './support/server-on-chain.js';
import type { ServerProcess } from './support/server-process.js';

const CONFIRMATIONS = 3;

let chain: EmbeddedChain;
let server: ServerProcess;
let signer: Address;
let stop = async () => {};

beforeAll(async () => {
  // Started while blocks are automined: the server creates its collection at start.
  ({ chain, server, signer, stop } = await startServerOnChain(() => ({
    confirmations: CONFIRMATIONS,
  })));
});

afterAll(() => stop());

/** Mines one block 100 s after the head, so it differs from any block mined at that height before. */
async function mineLater(): Promise<void> {
  const reader = createPublicClient({ transport: custom(chain.provider) });
  const head = await reader.getBlock();
  await chain.provider.request({ method: 'evm_mine', params: [Number(head.timestamp) + 100] });
}

describe('a reorg seen through WatchTransactions', () => {
  it('the stream reports the inclusion, PENDING when its block leaves the chain, the new inclusion, then terminal', async () => {
    const client = server.client();
    await chain.setAutomine(false);
    const abort = new AbortController();
    let watching: Promise<unknown> = Promise.resolve();
    try {
      const registering = client.registerIpAsset({
        contentId: 'reorged-registration',
        contentTitle: 'Reorged',
        contributors: [
          {
            walletAddress: '0x00000000000000000000000000000000000d0d00',
            role: 'author',
            shareBasisPoints: 10_000,
          },
        ],
      });
      // Awaited below; until then a failure of the test must not leave it unhandled.
      registering.catch(() => {});
      const hash = await pendingFrom(chain, signer);
      // Taken with the transaction in the pool: reverting to it puts the transaction back.
      const snapshot = await chain.snapshot();

      // The raw Connect stream, not chain-client's watchTransactions: that facade drops any
      // update whose (hash, status, confirmations) it delivered before, so a reorg's return to
      // PENDING and the new inclusion at the same depth never reach its caller.
      const raw: Update[] = [];
      watching = (async () => {
        const stream = client.raw.watchTransactions(
          { transactionHashes: [hash] },
          { signal: abort.signal },
        );
        for await (const u of stream) raw.push(u);
      })();
      // The n-th state the server reported, repeats of one state in a row counted once (see
      // the end of the test for which repeats there may be).
      const reported = (what: string, n: number) =>
        until(`${what} reported (state ${n})`, () => states(raw)[n - 1]);

      const pending = await reported('pending', 1);
      expect(pending).toMatchObject({ status: TransactionStatus.PENDING, confirmations: 0n });
      await chain.mine(1);
      const first = await reported('the first inclusion', 2);
      expect(first).toMatchObject({ status: TransactionStatus.CONFIRMED, confirmations: 1n });
      const registration = await boundedly(registering, 30_000, 'the registration');

      expect(await chain.revert(snapshot)).toBe(true);
      const reorged = await reported('the reorg', 3);
      expect(reorged).toMatchObject({ status: TransactionStatus.PENDING, confirmations: 0n });
      expect(reorged.blockHash ?? '').toBe('');

      await mineLater();
      const second = await reported('the new inclusion', 4);
      expect(second).toMatchObject({ status: TransactionStatus.CONFIRMED, confirmations: 1n });
      expect(second.blockHash).not.toBe(first.blockHash);
      await chain.mine(1);
      await reported('2 confirmations', 5);
      await chain.mine(1);
      await boundedly(watching, 30_000, 'the watch to end at terminal');

      // Every state in order, the reorg neither hidden nor repeated. The server may send its
      // first state twice (read when the watch opens, then again from the receipt tracker's
      // first poll); no later state is repeated.
      const repeats = raw.flatMap((u, i) => (i > 0 && same(u, raw[i - 1]!) ? [i] : []));
      expect(repeats.filter((i) => i !== 1)).toEqual([]);
      expect(
        states(raw).map((u) => [TransactionStatus[u.status], u.confirmations, u.blockHash ?? '']),
      ).toEqual([
        ['PENDING', 0n, ''],
        ['CONFIRMED', 1n, first.blockHash],
        ['PENDING', 0n, ''],
        ['CONFIRMED', 1n, second.blockHash],
        ['CONFIRMED', 2n, second.blockHash],
        ['CONFIRMED', 3n, second.blockHash],
      ]);

      // The registration survived: the same IP asset, registered from the new block.
      const status = await until('registered after the reorg', async () => {
        const s = await client.getIpAssetStatus('reorged-registration');
        return s.status === 'registered' && s;
      });
      expect(status).toMatchObject({ ipAssetId: registration.ipAssetId, transactionHash: hash });
      const supply = await createPublicClient({ transport: custom(chain.provider) }).readContract({
        address: server.collection as Address,
        abi: parseAbi(['function totalSupply() view returns (uint256)']),
        functionName: 'totalSupply',
      });
      expect(supply).toBe(1n);
    } finally {
      abort.abort();
      await Promise.allSettled([watching]);
      await chain.setAutomine(true);
    }
  }, 120_000);
});

type Update = { status: TransactionStatus; confirmations: bigint; blockHash?: string };

function same(a: Update, b: Update): boolean {
  return (
    a.status === b.status && a.confirmations === b.confirmations && a.blockHash === b.blockHash
  );
}

/** The updates with repeats of one state in a row dropped. */
function states(updates: Update[]): Update[] {
  return updates.filter((u, i) => i === 0 || !same(u, updates[i - 1]!));
}
