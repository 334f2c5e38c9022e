/**
 * Fault test: a block is mined between two reads of one receipt-tracker poll. The tracker
 * reads the head first, then the receipt; a transaction mined in between sits in a block
 * above the head it read. Found by the end-to-end reorg test (fault-reorg-watch.test.ts),
 * where it showed now and then as a CONFIRMED state with 0 confirmations; reproduced here
 * deterministically by mining inside the transport, right before the receipt is answered.
 */
import { createPublicClient, custom, type EIP1193RequestFn } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  InMemorySubmissionJournal,
  ReceiptTracker,
  type TrackedState,
} from '../src/transactions/index.js';
import { DEAD_ADDRESS, startTestChain, testSubmitter } from './support/chain.js';
import { perFile } from './support/per-file.js';

const chain = perFile(startTestChain);

describe('a block mined between the head read and the receipt read of one poll', () => {
  it('the transaction is reported with its own block as 1 confirmation, never 0', async () => {
    let mineBeforeReceipt = false;
    // The node as the tracker sees it: when armed, the next receipt request first mines the
    // pending transaction, after the poll has read the head.
    const request = (async ({ method, params }: { method: string; params?: unknown[] }) => {
      if (method === 'eth_getTransactionReceipt' && mineBeforeReceipt) {
        mineBeforeReceipt = false;
        await chain.rpc('evm_mine');
      }
      return chain.rpc(method, params ?? []);
    }) as EIP1193RequestFn;
    const client = createPublicClient({
      transport: custom({ request }, { retryCount: 0 }),
      cacheTime: 0,
    });
    const submitter = await testSubmitter(chain, { journal: new InMemorySubmissionJournal() });
    const tracker = new ReceiptTracker({ client, confirmations: 3, pollIntervalMs: 10 });
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const submission = await submitter.submit({ to: DEAD_ADDRESS, value: 1n });
      submitter.close();
      const states: TrackedState[] = [];
      tracker.watch(submission.hash, (s) => states.push(s));
      const wait = (until: (s: TrackedState) => boolean) =>
        tracker.wait(submission.hash, { until, signal: AbortSignal.timeout(10_000) });
      await wait((s) => s.status === 'pending');
      mineBeforeReceipt = true;
      const included = await wait((s) => s.status !== 'pending');
      expect(included).toMatchObject({ status: 'confirmed', confirmations: 1n });
      await chain.rpc('evm_mine');
      await wait((s) => s.confirmations === 2n);
      expect(states.map((s) => [s.status, s.confirmations])).toEqual([
        ['pending', 0n],
        ['confirmed', 1n],
        ['confirmed', 2n],
      ]);
    } finally {
      tracker.close();
      await chain.rpc('evm_setAutomine', [true]);
    }
  });
});
