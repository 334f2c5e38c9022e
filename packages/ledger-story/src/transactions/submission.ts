/**
 * What the `TransactionSubmitter` takes and gives: its options, the events it reports, a
 * submission and its first inclusion.
 */
import type { Abi, Address, Hex, LocalAccount } from 'viem';
import type { ChainClient } from './client.js';
import type { FeeOracle, Fees } from './fees.js';
import type { SubmissionJournal } from './journal.js';
import type { NonceLease } from './nonce.js';

/** Options of `TransactionSubmitter`. */
export interface SubmitterOptions {
  /** The node. */
  client: ChainClient;
  /** The signing account (a local account: the submitter signs itself, to journal the raw tx). */
  account: LocalAccount;
  /** The chain id to sign for. */
  chainId: number;
  /** The nonce lease of the account. Default: in memory, for a single process. */
  lease?: NonceLease;
  /** Where submissions are remembered. Default: in memory (lost on restart). */
  journal?: SubmissionJournal;
  /** Where fees come from. Default: {@link feeHistoryOracle}. */
  fees?: FeeOracle;
  /** The most we pay per gas; above it a submission fails with {@link FeeCapExceededError}. */
  maxFeePerGasCap?: bigint;
  /** How long an unmined transaction waits before it is replaced with higher fees. Default 60 000 ms. */
  replaceAfterMs?: number;
  /** How much a replacement raises both fees, percent. Default 12.5 (geth wants 10). */
  feeBumpPercent?: number;
  /** How often in-flight submissions are checked. Default 1 000 ms. */
  pollIntervalMs?: number;
  /** Deadline of every RPC call. Default 10 000 ms. */
  rpcTimeoutMs?: number;
  /** Gas added to the estimate, percent. Default 20. */
  gasHeadroomPercent?: number;
  /** Custom errors of the contracts called, to name them in revert reasons. */
  errorAbi?: Abi;
  /** Called with every background event (sent, replaced, mined, errors of the checks). */
  onEvent?: (event: SubmissionEvent) => void;
}

/** What the submitter did in the background. Hashes and keys only: never raw transactions. */
export interface SubmissionEvent {
  /**
   * What happened: `sent` (a first attempt went out), `replaced` (a stuck one got a
   * replacement with higher fees), `replacement-capped` (the bump would pass the fee cap, so
   * we keep waiting), `rebroadcast` (a journaled attempt was sent again after a restart),
   * `renonced` (the nonce went to a stranger's transaction, so the payload was signed again
   * with a new nonce), `mined`, or `error` (a background check failed; it runs again).
   */
  type: 'sent' | 'replaced' | 'replacement-capped' | 'rebroadcast' | 'renonced' | 'mined' | 'error';
  /** The idempotency key of the submission concerned, if one is. */
  key?: string;
  /** The attempt concerned (all but `replacement-capped` and `error`). */
  hash?: Hex;
  /** Its nonce (`sent`, `replaced`, `replacement-capped`, `renonced`). */
  nonce?: bigint;
  /** The fees of a replacement. */
  fees?: Fees;
  /** The block of a `mined` attempt. */
  blockNumber?: bigint;
  /** What failed, for `error`. */
  error?: unknown;
}

/** The first inclusion of a submission. Confirmations and reorgs are the tracker's business. */
export interface MinedTransaction {
  /** The attempt that was mined. */
  hash: Hex;
  /** Its nonce. */
  nonce: bigint;
  /** The block that includes it. */
  blockNumber: bigint;
  /** That block's hash. */
  blockHash: Hex;
  /** Whether it succeeded; a reverted one is mined all the same (and its nonce spent). */
  status: 'success' | 'reverted';
  /** The created contract, for a creation. */
  contractAddress?: Address;
  /** Gas it used. */
  gasUsed: bigint;
}

/** One logical submission: every attempt shares the nonce and payload; the first mined wins. */
export interface Submission {
  /** The idempotency key (generated when none was given). */
  readonly key: string;
  /** The signing account. */
  readonly from: Address;
  /** The nonce of the current attempt. */
  readonly nonce: bigint;
  /** The latest attempt's hash. */
  readonly hash: Hex;
  /** Every attempt's hash, oldest first. */
  readonly hashes: readonly Hex[];
  /** Resolves at the first inclusion of any attempt. */
  mined(signal?: AbortSignal): Promise<MinedTransaction>;
}
