/**
 * The facade's plain TypeScript shapes and their conversion to and from the generated messages:
 * wei amounts as `bigint` (the wire carries decimal strings), timestamps as `Date`, enums as
 * lower-case string unions, proto3 optional fields as `undefined` rather than "".
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { type Timestamp, timestampDate } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import {
  type BatchRegisterResponse,
  type ClaimableRoyaltiesResponse,
  type ClaimRoyaltiesResponse,
  type Contributor as ContributorMessage,
  type ContributorSchema,
  ContributorType,
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
import { ChainInvalidArgumentError, ChainProtocolError } from './errors.js';

/** The native currency's token address (`0x` + 40 zeros), the default `currencyToken`. */
export const NATIVE_CURRENCY = `0x${'0'.repeat(40)}`;

export type ContributorRole =
  | 'unspecified'
  | 'publisher'
  | 'curator'
  | 'author'
  | 'artist'
  | 'other';
export type IpAssetState = 'unspecified' | 'pending' | 'processing' | 'registered' | 'failed';
export type TransactionState = 'unspecified' | 'pending' | 'confirmed' | 'failed';
export type PaymentState = 'unspecified' | 'pending' | 'confirmed' | 'failed';
export type ServingState = 'unknown' | 'serving' | 'not_serving';

export interface Contributor {
  /** `0x` + 40 hex digits. */
  walletAddress: string;
  role: ContributorRole;
  /** Share in basis points: 100 = 1 %, the shares of one asset sum to 10000. */
  shareBasisPoints: number;
  displayName?: string;
}

export interface RegisterIpAssetInput {
  contentId: string;
  contentTitle: string;
  contributors: readonly Contributor[];
  metadataUri?: string;
  licenseTermsId?: string;
  /** Reused on every retry; generated (UUIDv7) once per call when omitted. */
  idempotencyKey?: string;
}

export interface IpAssetRegistration {
  contentId: string;
  status: IpAssetState;
  ipAssetId?: string;
  nftTokenId?: string;
  registrationTxHash?: string;
  registeredAt?: Date;
  errorMessage?: string;
  /** The key the write was sent with (yours, or the one the client generated). */
  idempotencyKey: string;
}

export interface RegistrationCheck {
  contentId: string;
  registered: boolean;
  ipAssetId?: string;
}

export interface IpAssetStatusInfo {
  contentId: string;
  status: IpAssetState;
  ipAssetId?: string;
  nftTokenId?: string;
  transactionHash?: string;
  lastUpdated?: Date;
  contributors: Contributor[];
}

export interface UpdateRoyaltySplitInput {
  ipAssetId: string;
  contributors: readonly Contributor[];
  idempotencyKey?: string;
}

export interface RoyaltySplitUpdate {
  ipAssetId: string;
  success: boolean;
  transactionHash?: string;
  errorMessage?: string;
  contributors: Contributor[];
  idempotencyKey: string;
}

export interface PayRoyaltiesInput {
  ipAssetId: string;
  /** Amount in wei: a non-negative integer below 2^256 (a decimal string is accepted too). */
  amountWei: bigint | string;
  /** Token address; the native currency when omitted. */
  currencyToken?: string;
  payerReference?: string;
  idempotencyKey?: string;
}

export interface RoyaltyPayment {
  ipAssetId: string;
  amountWei: bigint;
  currencyToken: string;
  status: PaymentState;
  transactionHash?: string;
  errorMessage?: string;
  paymentId?: string;
  paidAt?: Date;
  idempotencyKey: string;
}

export interface GetClaimableRoyaltiesInput {
  walletAddress: string;
  ipAssetId?: string;
}

export interface ClaimableBalance {
  ipAssetId: string;
  currencyToken: string;
  amountWei: bigint;
  /** Decimals applied by the server, e.g. "1.5" for 1.5 × 10^18 wei of the native currency. */
  amountFormatted: string;
}

export interface ClaimableRoyalties {
  walletAddress: string;
  balances: ClaimableBalance[];
  lastUpdated?: Date;
}

export interface ClaimRoyaltiesInput {
  ipAssetId: string;
  contributorWallet: string;
  currencyToken?: string;
  idempotencyKey?: string;
}

export interface RoyaltyClaim {
  ipAssetId: string;
  contributorWallet: string;
  amountClaimedWei: bigint;
  status: PaymentState;
  transactionHash?: string;
  errorMessage?: string;
  claimedAt?: Date;
  idempotencyKey: string;
}

export interface RoyaltyRecipient {
  walletAddress: string;
  shareBasisPoints: number;
  role: string;
}

export interface RoyaltyConfiguration {
  ipAssetId: string;
  royaltyModuleId: string;
  recipients: RoyaltyRecipient[];
  lastUpdated?: Date;
}

/** One status change of a watched transaction. */
export interface TransactionStatusChange {
  transactionHash: string;
  status: TransactionState;
  confirmations: bigint;
  errorMessage?: string;
  timestamp?: Date;
  blockHash?: string;
  blockNumber?: bigint;
}

export interface BatchRegisterItemResult {
  contentId: string;
  success: boolean;
  ipAssetId?: string;
  transactionHash?: string;
  errorMessage?: string;
}

export interface BatchRegisterSummary {
  totalSubmitted: number;
  successful: number;
  failed: number;
  results: BatchRegisterItemResult[];
}

export interface ChainHealth {
  status: ServingState;
  version: string;
  timestamp?: Date;
  details: Record<string, string>;
}

export interface ServiceInfo {
  serviceName: string;
  version: string;
  network: string;
  rpcEndpoint: string;
  supportedOperations: string[];
  contractAddresses: Record<string, string>;
}

const ROLE_TO_ENUM: Record<ContributorRole, ContributorType> = {
  unspecified: ContributorType.UNSPECIFIED,
  publisher: ContributorType.PUBLISHER,
  curator: ContributorType.CURATOR,
  author: ContributorType.AUTHOR,
  artist: ContributorType.ARTIST,
  other: ContributorType.OTHER,
};
const ROLES: ContributorRole[] = [
  'unspecified',
  'publisher',
  'curator',
  'author',
  'artist',
  'other',
];
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

const MAX_UINT256 = (1n << 256n) - 1n;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Validates and encodes a wei amount for the wire (decimal string, no sign, no leading zeros). */
export function weiToWire(value: bigint | string, field: string): string {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (DECIMAL.test(value)) n = BigInt(value);
  else throw invalid(field, `must be a non-negative decimal integer, got "${value}"`);
  if (n < 0n || n > MAX_UINT256) throw invalid(field, 'must be between 0 and 2^256 - 1');
  return n.toString();
}

/** Decodes a wei string from the server; a malformed one is a contract violation. */
export function weiFromWire(value: string, field: string): bigint {
  if (!DECIMAL.test(value)) {
    throw new ChainProtocolError({
      code: Code.Internal,
      message: `server sent a malformed ${field}: "${value}"`,
    });
  }
  return BigInt(value);
}

function invalid(field: string, description: string): ChainInvalidArgumentError {
  return new ChainInvalidArgumentError({
    code: Code.InvalidArgument,
    message: `${field} ${description}`,
    fieldViolations: [{ field, description }],
  });
}

function date(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

/** Copies only the defined optional fields, so results never carry `key: undefined`. */
function opt<T extends object>(target: T, extra: Record<string, unknown>): T {
  for (const k in extra)
    if (extra[k] !== undefined) (target as Record<string, unknown>)[k] = extra[k];
  return target;
}

export function contributorToWire(
  c: Contributor,
  index: number,
): MessageInitShape<typeof ContributorSchema> {
  const type = ROLE_TO_ENUM[c.role];
  if (type === undefined)
    throw invalid(`contributors[${index}].contributor_type`, `unknown role "${c.role}"`);
  return opt(
    { walletAddress: c.walletAddress, contributorType: type, shareBasisPoints: c.shareBasisPoints },
    {
      displayName: c.displayName,
    },
  );
}

export function contributorFromWire(c: ContributorMessage): Contributor {
  return opt(
    {
      walletAddress: c.walletAddress,
      role: ROLES[c.contributorType] ?? 'unspecified',
      shareBasisPoints: c.shareBasisPoints,
    },
    { displayName: c.displayName },
  );
}

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

export function registrationCheckFromWire(m: IsRegisteredResponse): RegistrationCheck {
  return opt({ contentId: m.contentId, registered: m.isRegistered }, { ipAssetId: m.ipAssetId });
}

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

export function healthFromWire(m: HealthCheckResponse): ChainHealth {
  return opt(
    { status: SERVING[m.status] ?? 'unknown', version: m.version, details: { ...m.details } },
    { timestamp: date(m.timestamp) },
  );
}

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
