/**
 * The Ledger port: everything the Chain service needs from a blockchain, in plain TypeScript.
 *
 * The handlers (src/handlers.ts) translate between the wire contract and this port; a real
 * Story Protocol adapter implements it over RPC calls, the embedded devnet (src/devnet.ts)
 * implements it in process. Amounts are `bigint` wei, times are `Date`, addresses are lower-case
 * `0x` strings. Validation of requests happens before the port is called, so an adapter can
 * assume well-formed input (shares sum to 10000, addresses are well-formed, amounts fit uint256).
 */
import type { ContributorType, IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import { brandErrors } from '../../../shared/error-brand.js';

/** One recipient of an asset's royalties. `shareBps` is basis points: 100 = 1 %, 10000 = 100 %. */
export interface Split {
  wallet: string;
  type: ContributorType;
  shareBps: number;
  displayName?: string;
}

/** What a registration asks the ledger to record. */
export interface RegisterAssetInput {
  contentId: string;
  title: string;
  contributors: Split[];
  metadataUri?: string;
  licenseTermsId?: string;
}

/** An IP asset as the ledger knows it. */
export interface AssetRecord {
  contentId: string;
  title: string;
  status: IpAssetStatus;
  ipAssetId: string;
  nftTokenId: string;
  /** The registration transaction. */
  txHash: string;
  registeredAt?: Date;
  lastUpdated: Date;
  contributors: Split[];
  royaltyModuleId: string;
  royaltyUpdatedAt: Date;
  errorMessage?: string;
}

/** The state of one transaction, as WatchTransactions reports it. */
export interface TxState {
  hash: string;
  status: TransactionStatus;
  /** 0 while pending; 1 in the block that includes it, +1 per later block. */
  confirmations: bigint;
  blockHash?: string;
  blockNumber?: bigint;
  errorMessage?: string;
  /** When this state was reached. */
  timestamp: Date;
  /** True when the state can no longer change (enough confirmations, or failed). */
  terminal: boolean;
}

/** The outcome of a submitted transaction that changes a split. */
export interface SplitUpdate {
  /** Set when the ledger executed the update and it failed (reported as success=false). */
  errorMessage?: string;
  ipAssetId: string;
  txHash: string;
  contributors: Split[];
}

/** A royalty payment as submitted. The credit to the recipients happens when it is confirmed. */
export interface PaymentRecord {
  paymentId: string;
  ipAssetId: string;
  txHash: string;
  amountWei: bigint;
  currencyToken: string;
  status: 'pending' | 'confirmed' | 'failed';
  paidAt: Date;
  errorMessage?: string;
}

/** A claim as submitted: the whole claimable balance of one wallet/asset/token. */
export interface ClaimRecord {
  ipAssetId: string;
  wallet: string;
  currencyToken: string;
  txHash: string;
  amountWei: bigint;
  status: 'pending' | 'confirmed' | 'failed';
  claimedAt: Date;
  errorMessage?: string;
}

/** A claimable balance of one wallet for one asset and token. */
export interface Balance {
  ipAssetId: string;
  currencyToken: string;
  amountWei: bigint;
  /** Decimals of the token (18 for the native currency), for `amount_formatted`. */
  decimals: number;
}

/** What GetServiceInfo reports about the ledger. */
export interface LedgerInfo {
  network: string;
  rpcEndpoint: string;
  contractAddresses: Record<string, string>;
}

/** What HealthCheck reports about the ledger. */
export interface LedgerHealth {
  serving: boolean;
  details: Record<string, string>;
}

/**
 * Why the ledger refused an operation. The handlers map `code` to a gRPC status:
 * NOT_FOUND → NOT_FOUND, ALREADY_EXISTS → ALREADY_EXISTS, FAILED_PRECONDITION →
 * FAILED_PRECONDITION, UNAVAILABLE → UNAVAILABLE. A refused operation never reached the chain.
 * A transaction that reached the chain and then failed is NOT an error: it is a record whose
 * status is `failed` (see README, "Errors or results").
 */
export class LedgerError extends Error {
  /** Always `LedgerError`. */
  override readonly name = 'LedgerError';
  constructor(
    /** Why the operation was refused; decides the gRPC status the caller gets. */
    readonly code: 'NOT_FOUND' | 'ALREADY_EXISTS' | 'FAILED_PRECONDITION' | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
  }
}

brandErrors('@mystira/chain-server', { LedgerError });

/**
 * The port a ledger adapter implements. Every method may throw {@link LedgerError}; any other
 * thrown error is reported to clients as INTERNAL (its message is not sent).
 */
export interface Ledger {
  /** Confirmations after which a transaction (and a registration) counts as final. */
  readonly requiredConfirmations: number;
  /** Submits a registration. Throws ALREADY_EXISTS when the content id is registered already. */
  registerAsset(input: RegisterAssetInput, signal?: AbortSignal): Promise<AssetRecord>;
  /** The asset registered for a content id, if any. */
  getAssetByContentId(contentId: string): Promise<AssetRecord | undefined>;
  /** The asset with an IP-asset id, if any. */
  getAssetByIpId(ipAssetId: string): Promise<AssetRecord | undefined>;
  /** Replaces an asset's royalty split. NOT_FOUND, or FAILED_PRECONDITION when not registered. */
  setRoyaltySplit(
    ipAssetId: string,
    contributors: Split[],
    signal?: AbortSignal,
  ): Promise<SplitUpdate>;
  /** Pays royalties to an asset; split among its contributors when confirmed. */
  payRoyalties(
    input: { ipAssetId: string; amountWei: bigint; currencyToken: string; payerReference?: string },
    signal?: AbortSignal,
  ): Promise<PaymentRecord>;
  /** Claimable balances of a wallet, optionally for one asset; zero balances are left out. */
  claimableBalances(wallet: string, ipAssetId?: string): Promise<Balance[]>;
  /** Claims the whole balance of wallet/asset/token. FAILED_PRECONDITION when there is nothing to claim. */
  claimRoyalties(
    input: { ipAssetId: string; wallet: string; currencyToken: string },
    signal?: AbortSignal,
  ): Promise<ClaimRecord>;
  /** The current state of a transaction, if the ledger knows it. */
  getTransaction(hash: string): Promise<TxState | undefined>;
  /**
   * Calls `listener` with every later state change of `hash` (not the current one). Returns the
   * function that removes the listener; callers must call it (a cancelled stream does).
   */
  onTransaction(hash: string, listener: (state: TxState) => void): () => void;
  /** Network facts for GetServiceInfo. */
  info(): LedgerInfo;
  /** Whether the ledger can serve, for HealthCheck and grpc.health.v1. */
  health(): Promise<LedgerHealth>;
}
