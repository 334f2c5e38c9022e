/** Transactions: `getTransaction` of unknown hashes, and `onTransaction` listeners and removers. */
import assert from 'node:assert/strict';
import { TransactionStatus } from '@mystira/chain-protos';
import type { TxState } from '@mystira/chain-server';
import type { CaseDefinition } from './context.js';
import { randomHash, soleAuthor } from './values.js';

export const transactionCases: readonly CaseDefinition[] = [
  {
    name: 'transactions: an unknown hash is undefined',
    async run({ ledger }) {
      assert.equal(await ledger.getTransaction(randomHash()), undefined);
      assert.equal(await ledger.getTransaction(`0x${'0'.repeat(64)}`), undefined);
    },
  },
  {
    name: 'transactions: onTransaction reports later states up to terminal; its remover stops it',
    async run({ ledger, wallet, eventually, contentId, settled, advance }) {
      const required = BigInt(ledger.requiredConfirmations);
      const submit = async () => ledger.registerAsset(soleAuthor(contentId(), await wallet()));
      const first = await submit();
      const seen: TxState[] = [];
      const off = ledger.onTransaction(first.txHash, (s) => seen.push(s));
      const second = await submit();
      const removed: TxState[] = [];
      const offRemoved = ledger.onTransaction(second.txHash, (s) => removed.push(s));
      offRemoved();
      offRemoved(); // removing twice is harmless
      const kept: TxState[] = [];
      const offKept = ledger.onTransaction(second.txHash, (s) => kept.push(s));
      // A listener that removes itself on its first state hears nothing after it.
      const once: TxState[] = [];
      const offOnce = ledger.onTransaction(second.txHash, (s) => {
        once.push(s);
        offOnce();
      });
      const last = await eventually('the listeners see a terminal state', async () => {
        const terminal = seen.find((s) => s.terminal);
        return terminal && kept.some((s) => s.terminal) ? terminal : undefined;
      });
      off();
      offKept();
      assert.equal(removed.length, 0, 'a removed listener hears nothing');
      let confirmations = -1n;
      for (const s of seen) {
        assert.equal(s.hash, first.txHash);
        assert.ok(
          s.status === TransactionStatus.PENDING || s.status === TransactionStatus.CONFIRMED,
          `status ${TransactionStatus[s.status]}`,
        );
        assert.ok(s.confirmations >= confirmations, 'confirmations never go down');
        assert.ok(s.timestamp instanceof Date);
        confirmations = s.confirmations;
      }
      assert.equal(last.status, TransactionStatus.CONFIRMED);
      assert.ok(last.confirmations >= required, `terminal at ${required} confirmations or more`);
      assert.ok(
        seen.slice(0, seen.indexOf(last)).every((s) => !s.terminal),
        'nothing before the terminal state is terminal',
      );
      const now = await settled(first.txHash, 'the registration');
      assert.equal(now.blockHash, last.blockHash);
      assert.equal(now.blockNumber, last.blockNumber);
      assert.equal(once.length, 1, 'a listener removed in its first call hears nothing more');
      // After its remover ran, a listener hears nothing more, however far the chain goes.
      const heard = seen.length;
      await submit();
      await advance(ledger.requiredConfirmations + 1, 'advance');
      assert.equal(seen.length, heard, 'a removed listener hears nothing more');
    },
  },
];
