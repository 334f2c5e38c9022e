/**
 * The transaction machinery of a ledger on an EVM chain: submitting (gas, fees, nonces,
 * replacement), the nonce lease shared by processes, the submission journal, and the receipt
 * tracker (confirmations, finality, reorgs). Chain-agnostic: viem and JSON-RPC only.
 */
export type {
  ChainBlock,
  ChainClient,
  ChainReceipt,
  ChainTransaction,
  FeeHistory,
} from './client.js';
export {
  FeeCapExceededError,
  NonceLeaseLostError,
  RpcDeadlineError,
  SubmissionRejectedError,
  TransactionRevertedError,
  toLedgerError,
} from './errors.js';
export {
  bumpFees,
  capFees,
  DEFAULT_FEE_BUMP_PERCENT,
  type FeeHistoryOracleOptions,
  type FeeOracle,
  type FeeQuote,
  type Fees,
  feeHistoryOracle,
} from './fees.js';
export {
  InMemorySubmissionJournal,
  type JournalAttempt,
  type JournalEntry,
  type JournalState,
  type SubmissionJournal,
  type TransactionRequest,
} from './journal.js';
export {
  InMemoryNonceLease,
  type NonceConsumed,
  type NonceLease,
  type NonceLeaseHandle,
  NonceManager,
  type NonceManagerOptions,
  type NonceNotConsumed,
  type NonceUse,
} from './nonce.js';
export {
  PostgresNonceLease,
  type PostgresNonceLeaseOptions,
  PostgresSubmissionJournal,
  type PostgresSubmissionJournalOptions,
} from './postgres.js';
export type {
  MinedTransaction,
  Submission,
  SubmissionEvent,
  SubmitterOptions,
} from './submission.js';
export { TransactionSubmitter } from './submitter.js';
export {
  ReceiptTracker,
  type TrackedState,
  type TrackedStatus,
  type TrackerOptions,
} from './tracker.js';
