/**
 * The facade's plain TypeScript shapes and their conversion to and from the generated messages:
 * wei amounts as `bigint` (the wire carries decimal strings), timestamps as `Date`, enums as
 * lower-case string unions, proto3 optional fields as `undefined` rather than "".
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  type BatchRegisterResponse,
  type ClaimableRoyaltiesResponse,
  type ClaimRoyaltiesResponse,
  type Contributor as ContributorMessage,
  type ContributorSchema,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  IpAssetStatus,
  type IpAssetStatusResponse,
  type IsRegisteredResponse,
  PaymentStatus,
  type PayRoyaltiesResponse,
  type RegisterIpAssetResponse,
  type RoyaltyConfigurationResponse,
  type ServiceInfoResponse,
  TransactionStatus,
  type TransactionUpdate,
  type UpdateRoyaltySplitResponse,
} from '@mystira/chain-protos';
import { contributorOf, date, opt, roleToWire, weiFromWire } from './wire.js';

export { weiFromWire, weiToWire } from './wire.js';

/** The native currency's token address (`0x` + 40 zeros), the default `currencyToken`. */
export const NATIVE_CURRENCY = `0x${'0'.repeat(40)}`;

/**
 * The role a contributor played in creating the content (the contract's ContributorType, in lower
 * case).
 */
export type ContributorRole =
  | 'unspecified'
  | 'publisher'
  | 'curator'
  | 'author'
  | 'artist'
  | 'other';
/**
 * Where a registration stands: it moves `pending` → `processing` → `registered`, or ends in
 * `failed`; `unspecified` when the content was never submitted.
 */
export type IpAssetState = 'unspecified' | 'pending' | 'processing' | 'registered' | 'failed';
/**
 * Where a transaction stands: `pending` → `confirmed` (with a growing confirmation count), or
 * `failed`.
 */
export type TransactionState = 'unspecified' | 'pending' | 'confirmed' | 'failed';
/** Where a royalty payment or claim stands: `pending` → `confirmed`, or `failed`. */
export type PaymentState = 'unspecified' | 'pending' | 'confirmed' | 'failed';
/** Whether the service can serve requests. */
export type ServingState = 'unknown' | 'serving' | 'not_serving';

/** A person or organisation that shares in an asset's royalties. */
export interface Contributor {
  /** `0x` + 40 hex digits. */
  walletAddress: string;
  /** The role the contributor played (servers refuse `unspecified`). */
  role: ContributorRole;
  /** Share in basis points: 100 = 1 %, the shares of one asset sum to 10000. */
  shareBasisPoints: number;
  /** A name to show for the contributor, e.g. "Ada Lovelace". */
  displayName?: string;
}

/** What {@link ChainClient.registerIpAsset} registers. */
export interface RegisterIpAssetInput {
  /** The Mystira id of the content (story or scenario) to register. */
  contentId: string;
  /** The content's title, recorded in the asset's metadata. */
  contentTitle: string;
  /** Everyone who shares in the asset's royalties; the shares sum to 10000 basis points. */
  contributors: readonly Contributor[];
  /** A URI of the asset's metadata document (e.g. `ipfs://...`), if it has one. */
  metadataUri?: string;
  /** The id of the license terms to attach to the asset, if any. */
  licenseTermsId?: string;
  /** Reused on every retry; generated (UUIDv7) once per call when omitted. */
  idempotencyKey?: string;
}

/** The outcome of {@link ChainClient.registerIpAsset}. */
export interface IpAssetRegistration {
  /** The content id from the input. */
  contentId: string;
  /** Where the registration stands (usually `pending` or `processing` at this point). */
  status: IpAssetState;
  /** The on-chain IP asset id, once it is known. */
  ipAssetId?: string;
  /** The id of the NFT that represents the asset, once it is minted. */
  nftTokenId?: string;
  /**
   * The hash of the registration transaction, once it was sent: watch it with `watchTransactions`.
   */
  registrationTxHash?: string;
  /** When the asset was registered on chain, if it is. */
  registeredAt?: Date;
  /** Why the registration failed, when `status` is `failed`. */
  errorMessage?: string;
  /** The key the write was sent with (yours, or the one the client generated). */
  idempotencyKey: string;
}

/** The answer of {@link ChainClient.checkRegistration}. */
export interface RegistrationCheck {
  /** The content id asked about. */
  contentId: string;
  /** True only when the registration reached `registered`. */
  registered: boolean;
  /** The on-chain IP asset id, when registered. */
  ipAssetId?: string;
}

/** The registration state of a piece of content, from {@link ChainClient.getIpAssetStatus}. */
export interface IpAssetStatusInfo {
  /** The content id asked about. */
  contentId: string;
  /** Where the registration stands; `unspecified` when the content was never submitted. */
  status: IpAssetState;
  /** The on-chain IP asset id, once it is known. */
  ipAssetId?: string;
  /** The id of the NFT that represents the asset, once it is minted. */
  nftTokenId?: string;
  /** The hash of the registration transaction, once it was sent. */
  transactionHash?: string;
  /** When the registration last changed state. */
  lastUpdated?: Date;
  /** The contributors recorded for the asset. */
  contributors: Contributor[];
}

/** What {@link ChainClient.updateRoyaltySplit} changes. */
export interface UpdateRoyaltySplitInput {
  /** The on-chain IP asset id. */
  ipAssetId: string;
  /** The new split; the shares sum to 10000 basis points. */
  contributors: readonly Contributor[];
  /** Reused on every retry; generated (UUIDv7) once per call when omitted. */
  idempotencyKey?: string;
}

/** The outcome of {@link ChainClient.updateRoyaltySplit}. */
export interface RoyaltySplitUpdate {
  /** The IP asset id from the input. */
  ipAssetId: string;
  /** Whether the split was changed. */
  success: boolean;
  /** The hash of the transaction that changed the split, once it was sent. */
  transactionHash?: string;
  /** Why the update failed, when `success` is false. */
  errorMessage?: string;
  /** The split as it stands after the update. */
  contributors: Contributor[];
  /** The key the write was sent with (yours, or the one the client generated). */
  idempotencyKey: string;
}

/** What {@link ChainClient.payRoyalties} pays. */
export interface PayRoyaltiesInput {
  /** The on-chain IP asset id. */
  ipAssetId: string;
  /** Amount in wei: a non-negative integer below 2^256 (a decimal string is accepted too). */
  amountWei: bigint | string;
  /** Token address; the native currency when omitted. */
  currencyToken?: string;
  /** A reference of the payer's own, e.g. an invoice number, recorded with the payment. */
  payerReference?: string;
  /** Reused on every retry; generated (UUIDv7) once per call when omitted. */
  idempotencyKey?: string;
}

/** The outcome of {@link ChainClient.payRoyalties}. */
export interface RoyaltyPayment {
  /** The IP asset id from the input. */
  ipAssetId: string;
  /** The amount paid, in wei. */
  amountWei: bigint;
  /** The token paid in; {@link NATIVE_CURRENCY} for the native currency. */
  currencyToken: string;
  /** Where the payment stands. */
  status: PaymentState;
  /** The hash of the payment transaction, once it was sent. */
  transactionHash?: string;
  /** Why the payment failed, when `status` is `failed`. */
  errorMessage?: string;
  /** The server's id of the payment. */
  paymentId?: string;
  /** When the payment was made. */
  paidAt?: Date;
  /** The key the write was sent with (yours, or the one the client generated). */
  idempotencyKey: string;
}

/** Whose balances {@link ChainClient.getClaimableRoyalties} reports. */
export interface GetClaimableRoyaltiesInput {
  /** The wallet: `0x` + 40 hex digits. */
  walletAddress: string;
  /** Only this IP asset's balances, when set. */
  ipAssetId?: string;
}

/** What a wallet can claim from one IP asset in one currency. */
export interface ClaimableBalance {
  /** The on-chain IP asset id. */
  ipAssetId: string;
  /** The token the balance is held in; {@link NATIVE_CURRENCY} for the native currency. */
  currencyToken: string;
  /** The claimable amount, in wei. */
  amountWei: bigint;
  /** Decimals applied by the server, e.g. "1.5" for 1.5 × 10^18 wei of the native currency. */
  amountFormatted: string;
}

/** The royalties a wallet can claim, from {@link ChainClient.getClaimableRoyalties}. */
export interface ClaimableRoyalties {
  /** The wallet from the input. */
  walletAddress: string;
  /** One balance per IP asset and currency token with something to claim. */
  balances: ClaimableBalance[];
  /** When the balances were computed. */
  lastUpdated?: Date;
}

/** What {@link ChainClient.claimRoyalties} pays out. */
export interface ClaimRoyaltiesInput {
  /** The on-chain IP asset id. */
  ipAssetId: string;
  /** The wallet of the contributor who claims: `0x` + 40 hex digits. */
  contributorWallet: string;
  /** The token to claim; the native currency when omitted. */
  currencyToken?: string;
  /** Reused on every retry; generated (UUIDv7) once per call when omitted. */
  idempotencyKey?: string;
}

/** The outcome of {@link ChainClient.claimRoyalties}. */
export interface RoyaltyClaim {
  /** The IP asset id from the input. */
  ipAssetId: string;
  /** The wallet from the input. */
  contributorWallet: string;
  /** The amount paid out, in wei. */
  amountClaimedWei: bigint;
  /** Where the claim stands. */
  status: PaymentState;
  /** The hash of the claim transaction, once it was sent. */
  transactionHash?: string;
  /** Why the claim failed, when `status` is `failed`. */
  errorMessage?: string;
  /** When the claim was paid out. */
  claimedAt?: Date;
  /** The key the write was sent with (yours, or the one the client generated). */
  idempotencyKey: string;
}

/** One receiver of an asset's royalties. */
export interface RoyaltyRecipient {
  /** The recipient's wallet: `0x` + 40 hex digits. */
  walletAddress: string;
  /** The recipient's share in basis points: 100 = 1 %, 10000 = 100 %. */
  shareBasisPoints: number;
  /** The recipient's role in words, e.g. `author`. */
  role: string;
}

/** How an IP asset's royalties are split, from {@link ChainClient.getRoyaltyConfiguration}. */
export interface RoyaltyConfiguration {
  /** The IP asset id asked about. */
  ipAssetId: string;
  /** The id (usually a contract address) of the royalty module that distributes payments. */
  royaltyModuleId: string;
  /** Everyone who receives a share of the asset's royalties. */
  recipients: RoyaltyRecipient[];
  /** When the configuration last changed. */
  lastUpdated?: Date;
}

/** One status change of a watched transaction. */
export interface TransactionStatusChange {
  /** The hash of the transaction this change is about. */
  transactionHash: string;
  /** Where the transaction stands. */
  status: TransactionState;
  /** Blocks on top of (and including) the transaction's block; 0 while pending. */
  confirmations: bigint;
  /** Why the transaction failed, when `status` is `failed`. */
  errorMessage?: string;
  /** When the server observed this state. */
  timestamp?: Date;
  /** The hash of the block that includes the transaction, once it is mined. */
  blockHash?: string;
  /** The number of that block, once it is mined. */
  blockNumber?: bigint;
}

/** The outcome of one registration of a batch. */
export interface BatchRegisterItemResult {
  /** The content id of the item this result belongs to. */
  contentId: string;
  /** Whether the registration was accepted. */
  success: boolean;
  /** The on-chain IP asset id, once it is known. */
  ipAssetId?: string;
  /** The hash of the registration transaction, once it was sent. */
  transactionHash?: string;
  /** Why the registration was rejected, when `success` is false. */
  errorMessage?: string;
}

/** The outcome of {@link ChainClient.batchRegister}. */
export interface BatchRegisterSummary {
  /** Items sent. */
  totalSubmitted: number;
  /** Items accepted. */
  successful: number;
  /** Items rejected. */
  failed: number;
  /** One result per item, in the order the items were sent. */
  results: BatchRegisterItemResult[];
}

/** The service's health, from {@link ChainClient.healthCheck}. */
export interface ChainHealth {
  /** Whether it can serve requests. */
  status: ServingState;
  /** The service's version, e.g. `1.4.2`. */
  version: string;
  /** When the state was determined. */
  timestamp?: Date;
  /** Per-dependency notes, e.g. `{ ledger: 'ok', latest_block: '1234' }`. */
  details: Record<string, string>;
}

/** What the service is, from {@link ChainClient.getServiceInfo}. */
export interface ServiceInfo {
  /** The service's name, e.g. `mystira-chain`. */
  serviceName: string;
  /** The service's version, e.g. `1.4.2`. */
  version: string;
  /**
   * The chain network it writes to: a testnet name, `mainnet`, or `devnet` for the embedded ledger.
   */
  network: string;
  /** The RPC endpoint of the chain node it uses. */
  rpcEndpoint: string;
  /** The RPCs it supports, e.g. `RegisterIpAsset`. */
  supportedOperations: string[];
  /** Addresses of the on-chain contracts it uses, by name. */
  contractAddresses: Record<string, string>;
}

const ASSET_STATES: IpAssetState[] = [
  'unspecified',
  'pending',
  'processing',
  'registered',
  'failed',
];
const TX_STATES: TransactionState[] = ['unspecified', 'pending', 'confirmed', 'failed'];
const PAYMENT_STATES: PaymentState[] = ['unspecified', 'pending', 'confirmed', 'failed'];
const SERVING: Record<number, ServingState> = {
  [HealthCheckResponse_ServingStatus.UNKNOWN]: 'unknown',
  [HealthCheckResponse_ServingStatus.SERVING]: 'serving',
  [HealthCheckResponse_ServingStatus.NOT_SERVING]: 'not_serving',
};
// Keep the enum imports honest: the arrays above are indexed by these numbers.
void IpAssetStatus;
void TransactionStatus;
void PaymentStatus;

/**
 * A contributor as the contract's message; throws `ChainInvalidArgumentError` for an unknown role.
 */
export function contributorToWire(
  c: Contributor,
  index: number,
): MessageInitShape<typeof ContributorSchema> {
  const contributorType = roleToWire(c.role, `contributors[${index}].contributor_type`);
  return opt(
    { walletAddress: c.walletAddress, contributorType, shareBasisPoints: c.shareBasisPoints },
    { displayName: c.displayName },
  );
}

/** A contributor from the contract's message. */
export function contributorFromWire(c: ContributorMessage): Contributor {
  return contributorOf(c, c.contributorType);
}

/** The facade's result of a RegisterIpAsset response, with the key the write was sent with. */
export function registrationFromWire(
  m: RegisterIpAssetResponse,
  idempotencyKey: string,
): IpAssetRegistration {
  return opt(
    { contentId: m.contentId, status: ASSET_STATES[m.status] ?? 'unspecified', idempotencyKey },
    {
      ipAssetId: m.ipAssetId,
      nftTokenId: m.nftTokenId,
      registrationTxHash: m.registrationTxHash,
      registeredAt: date(m.registeredAt),
      errorMessage: m.errorMessage,
    },
  );
}

/** The facade's result of an IsRegistered response. */
export function registrationCheckFromWire(m: IsRegisteredResponse): RegistrationCheck {
  return opt({ contentId: m.contentId, registered: m.isRegistered }, { ipAssetId: m.ipAssetId });
}

/** The facade's result of a GetIpAssetStatus response. */
export function assetStatusFromWire(m: IpAssetStatusResponse): IpAssetStatusInfo {
  return opt(
    {
      contentId: m.contentId,
      status: ASSET_STATES[m.status] ?? 'unspecified',
      contributors: m.contributors.map(contributorFromWire),
    },
    {
      ipAssetId: m.ipAssetId,
      nftTokenId: m.nftTokenId,
      transactionHash: m.transactionHash,
      lastUpdated: date(m.lastUpdated),
    },
  );
}

/** The facade's result of an UpdateRoyaltySplit response, with the key the write was sent with. */
export function splitUpdateFromWire(
  m: UpdateRoyaltySplitResponse,
  idempotencyKey: string,
): RoyaltySplitUpdate {
  return opt(
    {
      ipAssetId: m.ipAssetId,
      success: m.success,
      contributors: m.contributors.map(contributorFromWire),
      idempotencyKey,
    },
    { transactionHash: m.transactionHash, errorMessage: m.errorMessage },
  );
}

/** The facade's result of a PayRoyalties response, with the key the write was sent with. */
export function paymentFromWire(m: PayRoyaltiesResponse, idempotencyKey: string): RoyaltyPayment {
  return opt(
    {
      ipAssetId: m.ipAssetId,
      amountWei: weiFromWire(m.amountWei, 'amount_wei'),
      currencyToken: m.currencyToken,
      status: PAYMENT_STATES[m.status] ?? 'unspecified',
      idempotencyKey,
    },
    {
      transactionHash: m.transactionHash,
      errorMessage: m.errorMessage,
      paymentId: m.paymentId,
      paidAt: date(m.paidAt),
    },
  );
}

/** The facade's result of a GetClaimableRoyalties response. */
export function claimableFromWire(m: ClaimableRoyaltiesResponse): ClaimableRoyalties {
  return opt(
    {
      walletAddress: m.walletAddress,
      balances: m.balances.map((b) => ({
        ipAssetId: b.ipAssetId,
        currencyToken: b.currencyToken,
        amountWei: weiFromWire(b.amountWei, 'balances.amount_wei'),
        amountFormatted: b.amountFormatted,
      })),
    },
    { lastUpdated: date(m.lastUpdated) },
  );
}

/** The facade's result of a ClaimRoyalties response, with the key the write was sent with. */
export function claimFromWire(m: ClaimRoyaltiesResponse, idempotencyKey: string): RoyaltyClaim {
  return opt(
    {
      ipAssetId: m.ipAssetId,
      contributorWallet: m.contributorWallet,
      amountClaimedWei: weiFromWire(m.amountClaimedWei, 'amount_claimed_wei'),
      status: PAYMENT_STATES[m.status] ?? 'unspecified',
      idempotencyKey,
    },
    {
      transactionHash: m.transactionHash,
      errorMessage: m.errorMessage,
      claimedAt: date(m.claimedAt),
    },
  );
}

/** The facade's result of a GetRoyaltyConfiguration response. */
export function royaltyConfigurationFromWire(
  m: RoyaltyConfigurationResponse,
): RoyaltyConfiguration {
  return opt(
    {
      ipAssetId: m.ipAssetId,
      royaltyModuleId: m.royaltyModuleId,
      recipients: m.recipients.map((r) => ({
        walletAddress: r.walletAddress,
        shareBasisPoints: r.shareBasisPoints,
        role: r.role,
      })),
    },
    { lastUpdated: date(m.lastUpdated) },
  );
}

/** A WatchTransactions update as the facade reports it. */
export function transactionUpdateFromWire(m: TransactionUpdate): TransactionStatusChange {
  return opt(
    {
      transactionHash: m.transactionHash,
      status: TX_STATES[m.status] ?? 'unspecified',
      confirmations: m.confirmations,
    },
    {
      errorMessage: m.errorMessage,
      timestamp: date(m.timestamp),
      blockHash: m.blockHash,
      blockNumber: m.blockNumber,
    },
  );
}

/** The facade's result of a BatchRegisterIpAssets response. */
export function batchSummaryFromWire(m: BatchRegisterResponse): BatchRegisterSummary {
  return {
    totalSubmitted: m.totalSubmitted,
    successful: m.successful,
    failed: m.failed,
    results: m.results.map((r) =>
      opt(
        { contentId: r.contentId, success: r.success },
        {
          ipAssetId: r.ipAssetId,
          transactionHash: r.transactionHash,
          errorMessage: r.errorMessage,
        },
      ),
    ),
  };
}

/** The facade's result of a HealthCheck response. */
export function healthFromWire(m: HealthCheckResponse): ChainHealth {
  return opt(
    { status: SERVING[m.status] ?? 'unknown', version: m.version, details: { ...m.details } },
    { timestamp: date(m.timestamp) },
  );
}

/** The facade's result of a GetServiceInfo response. */
export function serviceInfoFromWire(m: ServiceInfoResponse): ServiceInfo {
  return {
    serviceName: m.serviceName,
    version: m.version,
    network: m.network,
    rpcEndpoint: m.rpcEndpoint,
    supportedOperations: [...m.supportedOperations],
    contractAddresses: { ...m.contractAddresses },
  };
}
