/**
 * What the IP ledger's parts need from the StoryLedger, and the one way they write: send under
 * a journal key, wait for the block, and report the port's `OperationRecord`.
 */
import { TransactionStatus } from '@mystira/chain-protos';
import type { OperationRecord, OperationState, TxState } from '@mystira/chain-server';
import { type Address, keccak256, type PublicClient, type TransactionReceipt, toHex } from 'viem';
import type { Submission, TransactionRequest } from '../../transactions/index.js';
import { lower } from '../calls.js';
import type { AssetDeps } from './assets.js';

/** The StoryLedger's node and submitter, as the IP ledger uses them. */
export interface IpLedgerDeps extends AssetDeps {
  /** The node. */
  client: PublicClient;
  /** The signer, who owns what the IP ledger creates. */
  signer: Address;
  /** The ledger's own SPG collection (undefined before start). */
  collection(): Address | undefined;
  /** The tracker's last state of a transaction the ledger sent. */
  transaction(hash: string): TxState | undefined;
  /** Sends through the submitter (errors already LedgerErrors) and follows the transaction. */
  send(
    request: TransactionRequest,
    options: { key: string; signal?: AbortSignal | undefined },
  ): Promise<Submission>;
}

/** A mined write: the port's record and the receipt to read results from. */
export interface WriteOutcome {
  record: OperationRecord;
  receipt: TransactionReceipt;
}

/** The parts' view of the ledger. */
export interface IpContext {
  client: PublicClient;
  signer: Address;
  collection(): Address | undefined;
  /**
   * The port's state of a write's transaction: `confirmed` once final, `processing` while in a
   * block, `failed`, or `pending` (also when the tracker does not know it).
   */
  stateOf(hash: string): OperationState;
  /**
   * Sends `request` under `key` (then `key#1`, `#2`, ... after a reverted attempt: a reverted
   * submission's key is spent, and the submitter would hand the same one back) and resolves
   * once it is in a block: `processing`, or `failed` when it reverted. `signal` stops the
   * waiting, not the write.
   */
  write(key: string, request: TransactionRequest, signal?: AbortSignal): Promise<WriteOutcome>;
}

/** The context over the ledger's dependencies. */
export function ipContext(deps: IpLedgerDeps): IpContext {
  const failed = new Map<string, number>();
  return {
    client: deps.client,
    signer: deps.signer,
    collection: deps.collection,
    stateOf(hash) {
      const tx = deps.transaction(hash);
      if (tx === undefined || tx.status === TransactionStatus.PENDING) return 'pending';
      if (tx.status === TransactionStatus.FAILED) return 'failed';
      return tx.terminal ? 'confirmed' : 'processing';
    },
    async write(base, request, signal) {
      const attempt = failed.get(base) ?? 0;
      const key = attempt === 0 ? base : `${base}#${attempt}`;
      const submission = await deps.send(request, { key, signal });
      const mined = await submission.mined(signal);
      const receipt = await deps.client.getTransactionReceipt({ hash: mined.hash });
      const txHash = lower(mined.hash);
      if (receipt.status === 'success') return { record: { state: 'processing', txHash }, receipt };
      failed.set(base, attempt + 1);
      return {
        record: { state: 'failed', txHash, errorMessage: 'the transaction reverted' },
        receipt,
      };
    },
  };
}

/**
 * The journal key of a write that must not happen twice (a collection, a license-token mint):
 * derived from the caller's idempotency key and the whole input when there is a key, so the same
 * request retried after a crash (when the server's idempotency store may have lost it) finds the
 * transaction signed before instead of sending a second one; a fresh key otherwise.
 */
export function writeKey(kind: string, input: { idempotencyKey?: string | undefined }): string {
  if (input.idempotencyKey === undefined) return `${kind}:${crypto.randomUUID()}`;
  const text = JSON.stringify(input, (_, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  return `${kind}:${keccak256(toHex(text))}`;
}
