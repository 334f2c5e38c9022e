/**
 * What the ChainService converters (convert.ts) and the IP converters (ip-convert.ts) share:
 * the error a bad input throws before anything is sent, wei amounts as decimal strings,
 * timestamps as `Date`, contributor roles, and results that carry only the optional fields the
 * server set.
 */
import { type Timestamp, timestampDate } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import type { Contributor, ContributorRole } from './convert.js';
import { ChainInvalidArgumentError, ChainProtocolError } from './errors.js';

const MAX_UINT256 = (1n << 256n) - 1n;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
// Indexed by mystira.chain.v1.ContributorType, whose numbers mystira.chain.ip.v1.ContributorRole
// shares: the role names serve ChainService's contributors and the IP services' royalty shares.
const ROLES: ContributorRole[] = [
  'unspecified',
  'publisher',
  'curator',
  'author',
  'artist',
  'other',
];

/** A bad input, named by its proto path as the server would name it. */
export function invalid(field: string, description: string): ChainInvalidArgumentError {
  return new ChainInvalidArgumentError({
    code: Code.InvalidArgument,
    message: `${field} ${description}`,
    fieldViolations: [{ field, description }],
  });
}

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

/** A Timestamp the server may leave unset, as a `Date`. */
export function date(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

/** Copies only the defined optional fields, so results never carry `key: undefined`. */
export function opt<T extends object>(target: T, extra: Record<string, unknown>): T {
  for (const k in extra)
    if (extra[k] !== undefined) (target as Record<string, unknown>)[k] = extra[k];
  return target;
}

/** A role as its number on the wire; an unknown one throws `ChainInvalidArgumentError` for `field`. */
export function roleToWire(role: ContributorRole, field: string): number {
  const n = ROLES.indexOf(role);
  if (n < 0) throw invalid(field, `unknown role "${role}"`);
  return n;
}

/**
 * A contributor from a message that carries one, given its role number: ChainService's
 * Contributor (`contributor_type`) or the IP services' RoyaltyShare (`role`).
 */
export function contributorOf(
  m: { walletAddress: string; shareBasisPoints: number; displayName?: string },
  role: number,
): Contributor {
  return opt(
    {
      walletAddress: m.walletAddress,
      role: ROLES[role] ?? 'unspecified',
      shareBasisPoints: m.shareBasisPoints,
    },
    { displayName: m.displayName },
  );
}
