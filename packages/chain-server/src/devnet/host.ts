/**
 * What the devnet's IP part (collections, license terms, derivatives) uses of the devnet itself:
 * its blocks and transactions, its asset registry (one per content id across both ports) and its
 * royalty accounts. `DevnetLedger` hands it over as closures, so the IP part lives in its own
 * files without reaching into the ledger's private state.
 */
import { createHash } from 'node:crypto';
import { TransactionStatus } from '@mystira/chain-protos';
import { raceAbort } from '../../../../shared/waiting.js';
import type { OperationState } from '../ip-ledger.js';
import type { AssetRecord, LedgerWriteKind, TxState } from '../ledger.js';
import type { RoyaltyBook } from './royalty-book.js';

/** What a devnet transaction does; `failNextTransaction` can target one kind. */
export type DevnetTxKind = LedgerWriteKind;

/** What happens when a transaction is included (or fails), and when it is final. */
export interface TxHooks {
  onConfirm?: () => void;
  onFinal?: () => void;
  onFail?: () => void;
}

export interface DevnetHost {
  /** The devnet's signing wallet: it owns every collection and asset, and pays every fee. */
  readonly signer: string;
  /** Claimable balances and vaults, shared with the `Ledger` port's payments and claims. */
  readonly book: RoyaltyBook;
  now(): Date;
  /** Throws UNAVAILABLE while the devnet is made unavailable. */
  ensureAvailable(): void;
  /** Sends a transaction: PENDING until the next block. */
  submit(kind: DevnetTxKind, payload: string, hooks: TxHooks): TxState;
  /** The address that `AssetRecord.royaltyModuleId` reports. */
  readonly royaltyModule: string;
  /** The current state of a transaction the devnet sent. */
  transaction(hash: string): TxState | undefined;
  /** When the block that includes a transaction was made; undefined while it is pending. */
  blockTime(hash: string): Date | undefined;
  /** The registry's asset (the live object) for a content id, failed ones included. */
  assetByContent(contentId: string): AssetRecord | undefined;
  /** The registry's asset (the live object) for an IP asset id. */
  assetByIp(ipAssetId: string): AssetRecord | undefined;
  /** Enters an asset in the registry by content id, and by IP asset id once it has one. */
  index(asset: AssetRecord): void;
  /** The next token id of the devnet's own collection (shared with `registerAsset`). */
  nextOwnTokenId(): bigint;
}

/** A devnet address (lower case) derived from `seed`: the same seed, the same address. */
export function derivedAddress(seed: string): string {
  return `0x${createHash('sha256').update(seed).digest('hex').slice(0, 40)}`;
}

/** Where a write stands, from its transaction. */
export function operationState(tx: TxState | undefined): OperationState {
  if (tx === undefined || tx.status === TransactionStatus.PENDING) return 'pending';
  if (tx.status === TransactionStatus.FAILED) return 'failed';
  return tx.terminal ? 'confirmed' : 'processing';
}

/**
 * Sends a transaction and resolves once it is in a block, confirmed or failed, as the IP port's
 * writes answer. An abort stops the waiting (rejecting with the signal's reason), not the write.
 */
export function submitIncluded(
  host: DevnetHost,
  kind: DevnetTxKind,
  payload: string,
  hooks: TxHooks,
  signal?: AbortSignal,
): { tx: TxState; included: Promise<TxState> } {
  let resolve!: () => void;
  const inBlock = new Promise<void>((r) => {
    resolve = r;
  });
  const tx = host.submit(kind, payload, {
    onConfirm: () => {
      hooks.onConfirm?.();
      resolve();
    },
    onFinal: hooks.onFinal,
    onFail: () => {
      hooks.onFail?.();
      resolve();
    },
  });
  const current = async () => {
    await inBlock;
    return host.transaction(tx.hash) as TxState;
  };
  return { tx, included: raceAbort(current(), signal) };
}
