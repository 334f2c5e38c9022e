import { createPublicClient, custom, parseGwei } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { until } from '../../../test-support/until.js';
import {
  FeeCapExceededError,
  type SubmissionEvent,
  SubmissionRejectedError,
  type SubmitterOptions,
  TransactionRevertedError,
  toLedgerError,
} from '../src/transactions/index.js';
import {
  created,
  DEAD_ADDRESS,
  reverterInitCode,
  startTestChain,
  TEST_CHAIN_ID,
  testSubmitter,
} from './support/chain.js';
import { perFile } from './support/per-file.js';

const chain = perFile(startTestChain);

const submitter = (options: Partial<SubmitterOptions> = {}) => testSubmitter(chain, options);
const other = DEAD_ADDRESS;

describe('TransactionSubmitter', () => {
  it('sends a value transfer and reports its inclusion', async () => {
    const s = await submitter();
    const before = await chain.client.getBalance({ address: other });
    const submission = await s.submit({ to: other, value: 123n });
    expect(submission.nonce).toBe(0n);
    const mined = await submission.mined();
    expect(mined).toMatchObject({ hash: submission.hash, status: 'success', nonce: 0n });
    expect(await chain.client.getBalance({ address: other })).toBe(before + 123n);
    s.close();
  });

  it('refuses a call that reverts at estimation, with the decoded reason, sending nothing', async () => {
    const s = await submitter();
    const deployed = await (await s.submit({ data: reverterInitCode() })).mined();
    const contract = created(deployed.contractAddress);
    const error = await s.submit({ to: contract, data: '0x01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionRevertedError);
    expect((error as TransactionRevertedError).reason).toBe('nope');
    const ledgerError = toLedgerError(error);
    expect(ledgerError?.code).toBe('FAILED_PRECONDITION');
    expect(ledgerError?.message).toContain('nope');
    // Only the creation spent a nonce.
    expect(await chain.client.getTransactionCount({ address: s.address })).toBe(1);
    // The call without data succeeds.
    await expect((await s.submit({ to: contract })).mined()).resolves.toMatchObject({
      status: 'success',
    });
    s.close();
  });

  it('refuses to pay above maxFeePerGasCap, and lowers the max fee to the cap when that still fits', async () => {
    const block = await chain.client.getBlock();
    const base = block.baseFeePerGas!;
    const tight = await submitter({ maxFeePerGasCap: base / 2n });
    const error = await tight.submit({ to: other, value: 1n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeeCapExceededError);
    expect((error as FeeCapExceededError).maxFeePerGasCap).toBe(base / 2n);
    expect(toLedgerError(error)?.code).toBe('FAILED_PRECONDITION');
    expect(await chain.client.getTransactionCount({ address: tight.address })).toBe(0);

    const cap = base + parseGwei('1');
    const fits = await submitter({ maxFeePerGasCap: cap });
    const submission = await fits.submit({ to: other, value: 1n });
    const tx = await chain.client.getTransaction({ hash: submission.hash });
    expect(tx.maxFeePerGas).toBeLessThanOrEqual(cap);
    await submission.mined();
    tight.close();
    fits.close();
  });

  it('lets 50 concurrent submissions through with consecutive nonces', async () => {
    const s = await submitter();
    const submissions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.submit({ to: other, value: BigInt(i + 1) })),
    );
    expect(submissions.map((x) => x.nonce).sort((a, b) => Number(a - b))).toEqual(
      Array.from({ length: 50 }, (_, i) => BigInt(i)),
    );
    const mined = await Promise.all(submissions.map((x) => x.mined()));
    expect(mined.every((m) => m.status === 'success')).toBe(true);
    expect(await chain.client.getTransactionCount({ address: s.address })).toBe(50);
    s.close();
  });

  it('gives the nonce of a transaction the node rejects to the next one: no gap', async () => {
    const s = await submitter();
    // 20 000 gas is below a transfer's intrinsic 21 000: signed, sent, refused by the node.
    const results = await Promise.allSettled([
      s.submit({ to: other, value: 1n }),
      s.submit({ to: other, value: 2n, gas: 20_000n }),
      s.submit({ to: other, value: 3n }),
    ]);
    expect(results[1]!.status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(SubmissionRejectedError);
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    expect(ok.map((x) => x.nonce)).toEqual([0n, 1n]);
    await Promise.all(ok.map((x) => x.mined()));
    expect(await chain.client.getTransactionCount({ address: s.address })).toBe(2);
    s.close();
  });

  it('a send whose answer is lost is retried with the same bytes, and never sent twice', async () => {
    let lost = 0;
    // The node gets the transaction (and mines it at once) but the answer never arrives.
    const lossy = createPublicClient({
      cacheTime: 0,
      transport: custom(
        {
          async request({ method, params }) {
            const result = await chain.provider.request({ method, params } as never);
            if (method === 'eth_sendRawTransaction' && lost++ === 0) {
              throw new Error('socket hang up');
            }
            return result;
          },
        },
        { retryCount: 0 },
      ),
    });
    const s = await submitter({ client: lossy });
    const before = await chain.client.getBalance({ address: other });
    const first = await s.submit({ to: other, value: 1000n });
    const second = await s.submit({ to: other, value: 1n });
    expect([first.nonce, second.nonce]).toEqual([0n, 1n]);
    expect(first.hashes).toHaveLength(1);
    await Promise.all([first.mined(), second.mined()]);
    expect(await chain.client.getBalance({ address: other })).toBe(before + 1001n);
    expect(await chain.client.getTransactionCount({ address: s.address })).toBe(2);
    s.close();
  });

  it('one key, one transaction: concurrent and repeated submits return the same submission', async () => {
    const s = await submitter();
    const [a, b] = await Promise.all([
      s.submit({ to: other, value: 9n }, { idempotencyKey: 'same' }),
      s.submit({ to: other, value: 9n }, { idempotencyKey: 'same' }),
    ]);
    expect(b.hash).toBe(a.hash);
    await a.mined();
    const c = await s.submit({ to: other, value: 9n }, { idempotencyKey: 'same' });
    expect(c.hash).toBe(a.hash);
    await expect(c.mined()).resolves.toMatchObject({ hash: a.hash });
    expect(await chain.client.getTransactionCount({ address: s.address })).toBe(1);
    s.close();
  });

  it('signs the payload again with a new nonce only when a stranger took the nonce', async () => {
    const key = await chain.fundedKey();
    const account = privateKeyToAccount(key);
    const events: SubmissionEvent[] = [];
    const s = await submitter({
      account,
      replaceAfterMs: 3_600_000,
      onEvent: (e) => events.push(e),
    });
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const ours = await s.submit({ to: other, value: 11n });
      // Another holder of the key, outside our lease, outbids us at the same nonce.
      const stranger = await account.signTransaction({
        type: 'eip1559',
        chainId: TEST_CHAIN_ID,
        nonce: Number(ours.nonce),
        to: account.address,
        gas: 21_000n,
        maxFeePerGas: parseGwei('50'),
        maxPriorityFeePerGas: parseGwei('5'),
      });
      await chain.client.sendRawTransaction({ serializedTransaction: stranger });
      await chain.rpc('evm_mine');
      await until(() => events.some((e) => e.type === 'renonced'));
      expect(ours.nonce).toBe(1n);
      expect(ours.hashes).toHaveLength(2);
      await chain.rpc('evm_mine');
      await expect(ours.mined()).resolves.toMatchObject({ nonce: 1n, hash: ours.hashes[1] });
      // Executed once: the stranger's self-transfer and ours.
      expect(await chain.client.getTransactionCount({ address: account.address })).toBe(2);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
      s.close();
    }
  });

  it('replaces a stuck transaction with the same nonce and fees ≥ 12.5 % higher; the first mined wins', async () => {
    const events: SubmissionEvent[] = [];
    const s = await submitter({ replaceAfterMs: 100, onEvent: (e) => events.push(e) });
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const submission = await s.submit({ to: other, value: 7n });
      const first = await chain.client.getTransaction({ hash: submission.hash });
      await until(() => events.filter((e) => e.type === 'replaced').length >= 2);
      const replaced = events.filter((e) => e.type === 'replaced');
      expect(replaced.length).toBeGreaterThanOrEqual(2);
      // Each replacement evicts the one before from the node's pool: compare the signed fees.
      const fees = [
        { maxFeePerGas: first.maxFeePerGas!, maxPriorityFeePerGas: first.maxPriorityFeePerGas! },
        ...replaced.map((e) => (e.type === 'replaced' ? e.fees : undefined)!),
      ];
      for (let i = 1; i < fees.length; i++) {
        expect(fees[i]!.maxFeePerGas * 1000n).toBeGreaterThanOrEqual(
          fees[i - 1]!.maxFeePerGas * 1125n,
        );
        expect(fees[i]!.maxPriorityFeePerGas * 1000n).toBeGreaterThanOrEqual(
          fees[i - 1]!.maxPriorityFeePerGas * 1125n,
        );
      }
      expect(replaced.every((e) => e.type === 'replaced' && e.nonce === BigInt(first.nonce))).toBe(
        true,
      );
      await chain.rpc('evm_mine');
      const mined = await submission.mined();
      expect(submission.hashes).toContain(mined.hash);
      // The node keeps the best-paying attempt of the nonce; only one is mined.
      expect(mined.hash).not.toBe(submission.hashes[0]);
      expect(await chain.client.getTransactionCount({ address: s.address })).toBe(1);
      const block = await chain.client.getBlock({ blockNumber: mined.blockNumber });
      expect(block.transactions).toEqual([mined.hash]);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
      s.close();
    }
  });
});
