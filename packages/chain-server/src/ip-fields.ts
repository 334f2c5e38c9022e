/**
 * Field checks for the mystira.chain.ip.v1 requests: each checks one field, records a
 * {@link Violation} under the field's proto path when it is bad, and returns the value in the
 * port's form (lower-cased address, `bigint` amount or id) so the request is parsed once.
 * The reasons match ChainService's where the rule is the same (REQUIRED, TOO_LONG,
 * INVALID_UINT256, INVALID_IDEMPOTENCY_KEY, ...), so clients handle both packages alike.
 */
import { LIMITS, type Violation } from './validation.js';
import { parseUint256 } from './wei.js';

/** The bounds the server applies to mystira.chain.ip.v1 requests (README, "Serving"). */
export const IP_LIMITS = {
  /** Collection names. */
  collectionName: 128,
  /** Collection symbols. */
  collectionSymbol: 32,
  /** URIs: collection, metadata and license terms documents. */
  uri: LIMITS.uri,
  /** Metadata given as JSON, in UTF-8 bytes. */
  metadataJsonBytes: 64 * 1024,
  /** Parents of one derivative (Story allows 16). */
  parents: 16,
  /** Royalty shares of one asset. */
  royaltyShares: LIMITS.contributors,
  /** License tokens minted by one request. */
  licenseTokens: 1000,
  /** Commercial revenue shares, in millionths of a percent: 100 %. */
  revShareMicroPercent: 100_000_000,
} as const;

/** The address Story uses for "none" (no currency, no royalty policy). */
export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const POSITIVE_DECIMAL = /^[1-9][0-9]*$/;
// Printable ASCII without spaces, as ChainService: keys travel in logs and Redis keys.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;

/** A collector of violations, one request's worth. */
export class Violations {
  readonly list: Violation[] = [];

  add(field: string, description: string, reason: string): void {
    this.list.push({ field, description, reason });
  }

  /** A non-empty string of at most `max` UTF-16 code units. */
  text(field: string, value: string, max: number): string {
    if (value.length === 0) this.add(field, 'is required', 'REQUIRED');
    else this.maxLength(field, value, max);
    return value;
  }

  /** A string that may be empty, of at most `max` UTF-16 code units. */
  maxLength(field: string, value: string | undefined, max: number): void {
    if (value !== undefined && value.length > max)
      this.add(field, `must be at most ${max} characters`, 'TOO_LONG');
  }

  /**
   * `0x` + 40 hex digits, returned in lower case. `reason` names what kind of address it is:
   * INVALID_WALLET_ADDRESS for wallets (as ChainService), INVALID_ADDRESS for contracts and assets.
   */
  address(field: string, value: string, reason = 'INVALID_ADDRESS'): string {
    if (value.length === 0) this.add(field, 'is required', 'REQUIRED');
    else if (!ADDRESS.test(value)) this.add(field, 'must be 0x followed by 40 hex digits', reason);
    return value.toLowerCase();
  }

  /** An address that may be empty (the server's default then): undefined when empty. */
  optionalAddress(field: string, value: string, reason?: string): string | undefined {
    return value === '' ? undefined : this.address(field, value, reason);
  }

  /** A 32-byte hash, `0x` + 64 hex digits, returned in lower case. */
  hash(field: string, value: string): string {
    if (value.length === 0) this.add(field, 'is required', 'REQUIRED');
    else if (!HASH.test(value))
      this.add(field, 'must be 0x followed by 64 hex digits', 'INVALID_HASH');
    return value.toLowerCase();
  }

  /** A positive decimal integer that fits in uint256 (terms, NFT and token ids). */
  id(field: string, value: string): bigint {
    if (value.length === 0) {
      this.add(field, 'is required', 'REQUIRED');
      return 0n;
    }
    const parsed = POSITIVE_DECIMAL.test(value) ? parseUint256(value) : undefined;
    if (parsed === undefined) {
      this.add(field, 'must be a positive decimal integer that fits in uint256', 'INVALID_ID');
      return 0n;
    }
    return parsed;
  }

  /** A non-negative decimal amount that fits in uint256; `emptyIsZero` reads "" as "0". */
  wei(field: string, value: string, emptyIsZero: boolean): bigint {
    if (value === '' && emptyIsZero) return 0n;
    const parsed = parseUint256(value);
    if (parsed === undefined) {
      this.add(
        field,
        'must be a non-negative decimal integer that fits in uint256',
        'INVALID_UINT256',
      );
      return 0n;
    }
    return parsed;
  }

  /** An optional limit in wei: undefined stays undefined (no limit). */
  optionalWei(field: string, value: string | undefined): bigint | undefined {
    return value === undefined ? undefined : this.wei(field, value, false);
  }

  /** A revenue share in millionths of a percent, at most 100 %. */
  revShare(field: string, value: number | undefined): void {
    if (value !== undefined && value > IP_LIMITS.revShareMicroPercent)
      this.add(
        field,
        `must be at most ${IP_LIMITS.revShareMicroPercent} (100 %, in millionths of a percent)`,
        'OUT_OF_RANGE',
      );
  }

  /** The idempotency key every write carries, as ChainService checks it. */
  idempotencyKey(field: string, value: string): void {
    if (value.length === 0) this.add(field, 'is required', 'REQUIRED');
    else if (value.length > LIMITS.idempotencyKey)
      this.add(field, `must be at most ${LIMITS.idempotencyKey} characters`, 'TOO_LONG');
    else if (!IDEMPOTENCY_KEY.test(value))
      this.add(field, 'must be printable ASCII without spaces', 'INVALID_IDEMPOTENCY_KEY');
  }
}
