/**
 * Validation at the edge: every request is checked against the contract's rules before the
 * ledger sees it. A bad request fails with INVALID_ARGUMENT and one google.rpc.BadRequest
 * FieldViolation per bad field (path, description, reason), so a client can point at each one.
 */
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  type ClaimRoyaltiesRequest,
  type Contributor,
  ContributorType,
  type GetClaimableRoyaltiesRequest,
  type PayRoyaltiesRequest,
  type RegisterIpAssetRequest,
  type UpdateRoyaltySplitRequest,
  type WatchTransactionsRequest,
} from '@mystira/chain-protos';
import {
  BadRequest_FieldViolationSchema,
  BadRequestSchema,
} from '@mystira/chain-protos/google-rpc';
import { parseUint256 } from './wei.js';

/**
 * One bad field. `field` is its path in the contract's proto names, e.g.
 * `contributors[1].wallet_address`: google.rpc.BadRequest's convention, the same for clients in
 * every language. A client maps it to its own names (`@mystira/chain-client` adds `inputField`,
 * `contributors[1].walletAddress`), so the wire carries one name per field.
 */
export interface Violation {
  /** The field's path in proto names, e.g. `contributors[1].wallet_address`. */
  field: string;
  /** What is wrong, e.g. `must be at most 128 characters`. */
  description: string;
  /** A stable reason code, e.g. `REQUIRED`, `TOO_LONG`. */
  reason: string;
}

/** Length limits (in UTF-16 code units) applied to the contract's strings. */
export const LIMITS = {
  /** Content, IP asset, license terms and transaction ids. */
  id: 128,
  /** Content titles. */
  title: 512,
  /** Metadata URIs. */
  uri: 2048,
  /** Contributors' display names. */
  displayName: 128,
  /** Idempotency keys. */
  idempotencyKey: 128,
  /** Payers' references. */
  payerReference: 256,
  /** Contributors per split (a count, not a length). */
  contributors: 50,
} as const;

const WALLET = /^0x[0-9a-fA-F]{40}$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
// Printable ASCII without spaces: keys travel in logs and Redis keys.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;

/** Builds the INVALID_ARGUMENT error carrying a google.rpc.BadRequest with every violation. */
export function badRequest(violations: Violation[]): ConnectError {
  const first = violations[0];
  const message =
    violations.length === 1 && first
      ? `invalid ${first.field}: ${first.description}`
      : `invalid request: ${violations.map((v) => v.field).join(', ')}`;
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    {
      desc: BadRequestSchema,
      value: create(BadRequestSchema, {
        fieldViolations: violations.map((v) => create(BadRequest_FieldViolationSchema, v)),
      }),
    },
  ]);
}

function throwIf(violations: Violation[]): void {
  if (violations.length > 0) throw badRequest(violations);
}

function requireString(out: Violation[], field: string, value: string, max: number): void {
  if (value.length === 0) out.push({ field, description: 'is required', reason: 'REQUIRED' });
  else if (value.length > max)
    out.push({ field, description: `must be at most ${max} characters`, reason: 'TOO_LONG' });
}

function optionalString(
  out: Violation[],
  field: string,
  value: string | undefined,
  max: number,
): void {
  if (value !== undefined && value.length > max) {
    out.push({ field, description: `must be at most ${max} characters`, reason: 'TOO_LONG' });
  }
}

function wallet(out: Violation[], field: string, value: string): void {
  if (value.length === 0) out.push({ field, description: 'is required', reason: 'REQUIRED' });
  else if (!WALLET.test(value)) {
    out.push({
      field,
      description: 'must be 0x followed by 40 hex digits',
      reason: 'INVALID_WALLET_ADDRESS',
    });
  }
}

function idempotencyKey(out: Violation[], field: string, value: string): void {
  if (value.length === 0) out.push({ field, description: 'is required', reason: 'REQUIRED' });
  else if (value.length > LIMITS.idempotencyKey) {
    out.push({
      field,
      description: `must be at most ${LIMITS.idempotencyKey} characters`,
      reason: 'TOO_LONG',
    });
  } else if (!IDEMPOTENCY_KEY.test(value)) {
    out.push({
      field,
      description: 'must be printable ASCII without spaces',
      reason: 'INVALID_IDEMPOTENCY_KEY',
    });
  }
}

function contributors(out: Violation[], field: string, list: Contributor[]): void {
  if (list.length === 0) {
    out.push({ field, description: 'at least one contributor is required', reason: 'REQUIRED' });
    return;
  }
  if (list.length > LIMITS.contributors) {
    out.push({
      field,
      description: `at most ${LIMITS.contributors} contributors`,
      reason: 'TOO_MANY',
    });
    return;
  }
  let sum = 0;
  const seen = new Set<string>();
  for (const [i, c] of list.entries()) {
    const at = `${field}[${i}]`;
    wallet(out, `${at}.wallet_address`, c.walletAddress);
    const lower = c.walletAddress.toLowerCase();
    if (WALLET.test(c.walletAddress)) {
      if (seen.has(lower)) {
        out.push({
          field: `${at}.wallet_address`,
          description: 'appears twice',
          reason: 'DUPLICATE_WALLET',
        });
      }
      seen.add(lower);
    }
    // Unknown numbers arrive intact in proto3 open enums; only the named, non-zero values count.
    if (
      c.contributorType === ContributorType.UNSPECIFIED ||
      ContributorType[c.contributorType] === undefined
    ) {
      out.push({
        field: `${at}.contributor_type`,
        description: 'must be one of PUBLISHER, CURATOR, AUTHOR, ARTIST, OTHER',
        reason: 'INVALID_ENUM',
      });
    }
    if (c.shareBasisPoints < 1 || c.shareBasisPoints > 10000) {
      out.push({
        field: `${at}.share_basis_points`,
        description: 'must be between 1 and 10000',
        reason: 'OUT_OF_RANGE',
      });
    }
    sum += c.shareBasisPoints;
    optionalString(out, `${at}.display_name`, c.displayName, LIMITS.displayName);
  }
  if (sum !== 10000) {
    out.push({
      field,
      description: `shares must sum to 10000 basis points, got ${sum}`,
      reason: 'SHARES_NOT_10000',
    });
  }
}

function amount(out: Violation[], field: string, value: string, positive: boolean): bigint {
  const parsed = parseUint256(value);
  if (parsed === undefined) {
    out.push({
      field,
      description: 'must be a non-negative decimal integer that fits in uint256',
      reason: 'INVALID_UINT256',
    });
    return 0n;
  }
  if (positive && parsed === 0n)
    out.push({ field, description: 'must be greater than 0', reason: 'OUT_OF_RANGE' });
  return parsed;
}

/** The violations of one registration (also used per item by BatchRegisterIpAssets). */
export function registerViolations(req: RegisterIpAssetRequest): Violation[] {
  const out: Violation[] = [];
  requireString(out, 'content_id', req.contentId, LIMITS.id);
  requireString(out, 'content_title', req.contentTitle, LIMITS.title);
  contributors(out, 'contributors', req.contributors);
  optionalString(out, 'metadata_uri', req.metadataUri, LIMITS.uri);
  optionalString(out, 'license_terms_id', req.licenseTermsId, LIMITS.id);
  idempotencyKey(out, 'idempotency_key', req.idempotencyKey);
  return out;
}

export function validateRegister(req: RegisterIpAssetRequest): void {
  throwIf(registerViolations(req));
}

/** For the read RPCs that take one id. */
export function validateId(field: string, value: string): void {
  const out: Violation[] = [];
  requireString(out, field, value, LIMITS.id);
  throwIf(out);
}

export function validateUpdateSplit(req: UpdateRoyaltySplitRequest): void {
  const out: Violation[] = [];
  requireString(out, 'ip_asset_id', req.ipAssetId, LIMITS.id);
  contributors(out, 'contributors', req.contributors);
  idempotencyKey(out, 'idempotency_key', req.idempotencyKey);
  throwIf(out);
}

/** Returns the parsed amount. */
export function validatePay(req: PayRoyaltiesRequest): bigint {
  const out: Violation[] = [];
  requireString(out, 'ip_asset_id', req.ipAssetId, LIMITS.id);
  const value = amount(out, 'amount_wei', req.amountWei, true);
  wallet(out, 'currency_token', req.currencyToken);
  optionalString(out, 'payer_reference', req.payerReference, LIMITS.payerReference);
  idempotencyKey(out, 'idempotency_key', req.idempotencyKey);
  throwIf(out);
  return value;
}

export function validateClaimable(req: GetClaimableRoyaltiesRequest): void {
  const out: Violation[] = [];
  wallet(out, 'wallet_address', req.walletAddress);
  if (req.ipAssetId !== undefined) requireString(out, 'ip_asset_id', req.ipAssetId, LIMITS.id);
  throwIf(out);
}

export function validateClaim(req: ClaimRoyaltiesRequest): void {
  const out: Violation[] = [];
  requireString(out, 'ip_asset_id', req.ipAssetId, LIMITS.id);
  wallet(out, 'contributor_wallet', req.contributorWallet);
  wallet(out, 'currency_token', req.currencyToken);
  idempotencyKey(out, 'idempotency_key', req.idempotencyKey);
  throwIf(out);
}

/** Returns the distinct hashes, lower-cased, in request order. */
export function validateWatch(req: WatchTransactionsRequest, maxHashes: number): string[] {
  const out: Violation[] = [];
  const hashes = req.transactionHashes;
  if (hashes.length === 0) {
    out.push({
      field: 'transaction_hashes',
      description: 'at least one hash is required',
      reason: 'REQUIRED',
    });
  } else if (hashes.length > maxHashes) {
    out.push({
      field: 'transaction_hashes',
      description: `at most ${maxHashes} hashes per stream`,
      reason: 'TOO_MANY',
    });
  } else {
    for (const [i, h] of hashes.entries()) {
      if (!TX_HASH.test(h)) {
        out.push({
          field: `transaction_hashes[${i}]`,
          description: 'must be 0x followed by 64 hex digits',
          reason: 'INVALID_TRANSACTION_HASH',
        });
      }
    }
  }
  throwIf(out);
  return [...new Set(hashes.map((h) => h.toLowerCase()))];
}
