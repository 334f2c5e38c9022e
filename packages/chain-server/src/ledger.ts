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
import type { IpLedger } from './ip-ledger.js';

/** One recipient of an asset's royalties. `shareBps` is basis points: 100 = 1 %, 10000 = 100 %. */
export interface Split {
  /** The recipient's wallet, lower-case `0x` + 40 hex digits. */
  wallet: string;
  /** The role the recipient played. */
  type: ContributorType;
  /** The recipient's share, in basis points. */
  shareBps: number;
  /** A name to show for the recipient. */
  displayName?: string;
}

/** What a registration asks the ledger to record. */
export interface RegisterAssetInput {
  /** The Mystira id of the content to register. */
  contentId: string;
  /** The content's title. */
  title: string;
  /** The royalty split; the shares sum to 10000. */
  contributors: Split[];
  /** A URI of the asset's metadata document, if any. */
  metadataUri?: string;
  /** The license terms to attach, if any. */
  licenseTermsId?: string;
}

/** An IP asset as the ledger knows it. */
export interface AssetRecord {
  /** The content the asset registers. */
  contentId: string;
  /** The content's title. */
  title: string;
  /** Where the registration stands. */
  status: IpAssetStatus;
  /** The on-chain IP asset id. */
  ipAssetId: string;
  /** The id of the NFT that represents the asset. */
  nftTokenId: string;
  /** The registration transaction. */
  txHash: string;
  /** When the registration was final, once it is. */
  registeredAt?: Date;
  /** When the record last changed. */
  lastUpdated: Date;
  /** The current royalty split. */
  contributors: Split[];
  /** The royalty module (usually a contract address) that distributes payments. */
  royaltyModuleId: string;
  /** When the split last changed. */
  royaltyUpdatedAt: Date;
  /** Why the registration failed, when `status` is FAILED. */
  errorMessage?: string;
}

/**
 * The kinds of transaction a ledger submits: a devnet's `failNextTransaction` and the
 * conformance kit's `injectFailure` name them. The last five are writes of `Ledger.ip`.
 */
export type LedgerWriteKind =
  | 'register'
  | 'split'
  | 'payment'
  | 'claim'
  /** `ip.createCollection` */
  | 'collection'
  /** `ip.registerLicenseTerms` */
  | 'license-terms'
  /** `ip.attachLicenseTerms` */
  | 'attach-terms'
  /** `ip.mintLicenseTokens` */
  | 'license-tokens'
  /** `ip.mintAndRegisterIpAsset` */
  | 'ip-register';

/** The state of one transaction, as WatchTransactions reports it. */
export interface TxState {
  /** The transaction's hash. */
  hash: string;
  /** Where the transaction stands. */
  status: TransactionStatus;
  /** 0 while pending; 1 in the block that includes it, +1 per later block. */
  confirmations: bigint;
  /** The hash of the block that includes it, once mined. */
  blockHash?: string;
  /** The number of that block, once mined. */
  blockNumber?: bigint;
  /** Why it failed, when `status` is FAILED. */
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
  /** The asset whose split changed. */
  ipAssetId: string;
  /** The transaction that changes it. */
  txHash: string;
  /** The split after the update. */
  contributors: Split[];
}

/** A royalty payment as submitted. The credit to the recipients happens when it is confirmed. */
export interface PaymentRecord {
  /** The ledger's id of the payment. */
  paymentId: string;
  /** The asset paid. */
  ipAssetId: string;
  /** The payment transaction. */
  txHash: string;
  /** The amount, in wei. */
  amountWei: bigint;
  /** The token paid in (the zero address for the native currency). */
  currencyToken: string;
  /** Where the payment stands. */
  status: 'pending' | 'confirmed' | 'failed';
  /** When it was submitted. */
  paidAt: Date;
  /** Why it failed, when `status` is `failed`. */
  errorMessage?: string;
}

/** A claim as submitted: the whole claimable balance of one wallet/asset/token. */
export interface ClaimRecord {
  /** The asset claimed from. */
  ipAssetId: string;
  /** The claiming contributor's wallet. */
  wallet: string;
  /** The token claimed. */
  currencyToken: string;
  /** The claim transaction. */
  txHash: string;
  /** The amount claimed, in wei. */
  amountWei: bigint;
  /** Where the claim stands. */
  status: 'pending' | 'confirmed' | 'failed';
  /** When it was submitted. */
  claimedAt: Date;
  /** Why it failed, when `status` is `failed`. */
  errorMessage?: string;
}

/** A claimable balance of one wallet for one asset and token. */
export interface Balance {
  /** The asset the balance comes from. */
  ipAssetId: string;
  /** The token it is held in. */
  currencyToken: string;
  /** The claimable amount, in wei. */
  amountWei: bigint;
  /** Decimals of the token (18 for the native currency), for `amount_formatted`. */
  decimals: number;
}

/** What GetServiceInfo reports about the ledger. */
export interface LedgerInfo {
  /** The chain network, e.g. a testnet name, `mainnet` or `devnet`. */
  network: string;
  /** The RPC endpoint of the chain node the ledger uses. */
  rpcEndpoint: string;
  /** Addresses of the contracts it uses, by name. */
  contractAddresses: Record<string, string>;
}

/** What HealthCheck reports about the ledger. */
export interface LedgerHealth {
  /** Whether the ledger can serve requests. */
  serving: boolean;
  /** Per-dependency notes, e.g. `{ latest_block: '1234' }`. */
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
 * How a ledger divides royalties, where a real chain's rules differ from the simple ones (every
 * wei credited, any split replaceable). They are part of the port on purpose: a caller deciding
 * whether a split update can work, and the conformance kit, must know them.
 */
export interface RoyaltyRules {
  /**
   * `exact`: every wei paid is credited to someone in the split. `floor`: each holder is credited
   * floor(revenue received so far × share), as Story's royalty vault computes it, so fewer wei than
   * there have been holders stay in the vault, credited to no one.
   */
  readonly rounding: 'exact' | 'floor';
  /**
   * The only wallets (lower case) whose share a split update may lower, e.g. the ledger's own
   * signer; every other wallet's share may only stay or grow, and an update that would lower it
   * is FAILED_PRECONDITION. (On Story a share is royalty tokens; tokens given to a contributor
   * come back only with that contributor's signature.) Undefined: any split may replace any.
   */
  readonly reducibleShares?: readonly string[];
}

/**
 * The port a ledger adapter implements. Every method may throw {@link LedgerError}; any other
 * thrown error is reported to clients as INTERNAL (its message is not sent).
 */
export interface Ledger {
  /** Confirmations after which a transaction (and a registration) counts as final. */
  readonly requiredConfirmations: number;
  /** How royalties are divided; undefined means every wei credited and any split replaceable. */
  readonly royaltyRules?: RoyaltyRules;
  /**
   * Collections, license terms and derivatives (the `mystira.chain.ip.v1` services), when the
   * ledger supports them. Its assets are this ledger's assets: content ids are registered once
   * across both, and payments, claims and transactions go through this port.
   */
  readonly ip?: IpLedger;
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
