import { describe, expect, it } from 'vitest';
import {
  InMemorySubmissionJournal,
  ReceiptTracker,
  type TrackedState,
} from '../src/transactions/index.js';
import {
  created,
  DEAD_ADDRESS,
  reverterInitCode,
  startTestChain,
  testSubmitter,
} from './support/chain.js';
import { perFile } from './support/per-file.js';

const chain = perFile(startTestChain);

/** A tracker on the test chain, polling every 10 ms; `confirmations` as given or its default. */
const trackerOf = (confirmations?: number) =>
  new ReceiptTracker({
    client: chain.client,
    pollIntervalMs: 10,
    ...(confirmations !== undefined && { confirmations }),
  });

const other = DEAD_ADDRESS;

const submitter = (journal = new InMemorySubmissionJournal()) =>
  testSubmitter(chain, { journal, replaceAfterMs: 3_600_000 });

function record(tracker: ReceiptTracker, hash: `0x${string}`) {
  const states: TrackedState[] = [];
  const stop = tracker.watch(hash, (s) => states.push(s));
  const waitFor = (predicate: (s: TrackedState) => boolean) =>
    tracker.wait(hash, { until: predicate, signal: AbortSignal.timeout(10_000) });
  return { states, stop, waitFor };
}

describe('ReceiptTracker', () => {
  it('counts confirmations from blocks and ends final at N', async () => {
    const s = await submitter();
    const tracker = trackerOf(3);
    const submission = await s.submit({ to: other, value: 1n });
    const { states, waitFor } = record(tracker, submission.hash);
    await waitFor((x) => x.confirmations === 1n);
    await chain.rpc('evm_mine');
    await waitFor((x) => x.confirmations === 2n);
    await chain.rpc('evm_mine');
    const final = await waitFor((x) => x.terminal);
    expect(states.map((x) => [x.status, x.confirmations, x.terminal])).toEqual([
      ['confirmed', 1n, false],
      ['confirmed', 2n, false],
      ['final', 3n, true],
    ]);
    expect(final.blockNumber).toBe(
      (await chain.client.getTransactionReceipt({ hash: submission.hash })).blockNumber,
    );
    tracker.close();
    s.close();
  });

  it('reports a reverted receipt as failed with the reason found by replaying the call', async () => {
    const s = await submitter();
    const tracker = trackerOf();
    const contract = created(
      (await (await s.submit({ data: reverterInitCode() })).mined()).contractAddress,
    );
    // An explicit gas limit skips estimation, so the reverting call is mined.
    const submission = await s.submit({ to: contract, data: '0x01', gas: 100_000n });
    const state = await tracker.wait(submission.hash, { signal: AbortSignal.timeout(10_000) });
    expect(state).toMatchObject({
      status: 'failed',
      reason: 'nope',
      terminal: true,
      confirmations: 1n,
    });
    // Mined all the same: its nonce is spent, and the next submission takes the one after.
    await expect(submission.mined()).resolves.toMatchObject({ status: 'reverted', nonce: 1n });
    const next = await s.submit({ to: other, value: 1n });
    expect(next.nonce).toBe(2n);
    await expect(next.mined()).resolves.toMatchObject({ status: 'success' });
    tracker.close();
    s.close();
  });

  it('follows a reorg: confirmed, back to pending or dropped when its block leaves the chain, then the new inclusion', async () => {
    const journal = new InMemorySubmissionJournal();
    const s = await submitter(journal);
    const tracker = trackerOf(2);
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const snapshot = await chain.rpc<string>('evm_snapshot');
      const submission = await s.submit({ to: other, value: 5n }, { idempotencyKey: 'reorg' });
      s.close(); // the tracker alone from here: no re-broadcasts behind the test's back
      const { states, waitFor } = record(tracker, submission.hash);
      await waitFor((x) => x.status === 'pending');
      await chain.rpc('evm_mine');
      const first = await waitFor((x) => x.status === 'confirmed');

      // The block leaves the canonical chain; the snapshot predates the transaction, so the
      // node forgets it too.
      expect(await chain.rpc('evm_revert', [snapshot])).toBe(true);
      await waitFor((x) => x.status === 'dropped');

      // Re-sent (the same signed bytes) and mined into a different block at the same height.
      const raw = (await journal.get('reorg'))!.attempts[0]!.raw;
      await chain.client.sendRawTransaction({ serializedTransaction: raw });
      await waitFor((x) => x.status === 'pending' && states.some((y) => y.status === 'dropped'));
      const later = Number((await chain.client.getBlock()).timestamp) + 100;
      await chain.rpc('evm_mine', [later]);
      const second = await waitFor(
        (x) => x.status === 'confirmed' && x.blockHash !== first.blockHash,
      );
      expect(second.blockNumber).toBe(first.blockNumber);
      await chain.rpc('evm_mine');
      await waitFor((x) => x.terminal);

      expect(states.map((x) => x.status)).toEqual([
        'pending',
        'confirmed',
        'dropped',
        'pending',
        'confirmed',
        'final',
      ]);
      expect(states[2]!.confirmations).toBe(0n);
      expect(states[2]!.blockHash).toBeUndefined();
      expect(states[5]!.blockHash).toBe(second.blockHash);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
      tracker.close();
    }
  });

  it('reports pending (not dropped) when the reorged-out transaction is still in the pool', async () => {
    const s = await submitter();
    const tracker = trackerOf(2);
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const submission = await s.submit({ to: other, value: 6n });
      s.close();
      // The snapshot is taken with the transaction in the pool: reverting to it puts it back.
      const snapshot = await chain.rpc<string>('evm_snapshot');
      const { states, waitFor } = record(tracker, submission.hash);
      await waitFor((x) => x.status === 'pending');
      await chain.rpc('evm_mine');
      const first = await waitFor((x) => x.status === 'confirmed');
      await chain.rpc('evm_revert', [snapshot]);
      await waitFor((x) => x.status === 'pending' && states.length > 1);
      const later = Number((await chain.client.getBlock()).timestamp) + 50;
      await chain.rpc('evm_mine', [later]);
      const second = await waitFor(
        (x) => x.status === 'confirmed' && x.blockHash !== first.blockHash,
      );
      expect(second.blockNumber).toBe(first.blockNumber);
      expect(states.map((x) => x.status)).toEqual(['pending', 'confirmed', 'pending', 'confirmed']);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
      tracker.close();
    }
  });
});
