/**
 * The requests the publisher sends to the Chain service, built from a story, and the checks that
 * keep obviously doomed requests from ever being marked pending.
 */
import type { ContributorRole, RegisterIpAssetInput } from '@mystira/chain-client';
import type { Story } from '../domain.ts';
import type { FieldError } from './errors.ts';

const WALLET = /^0x[0-9a-fA-F]{40}$/;
const DECIMAL_INTEGER = /^(0|[1-9][0-9]*)$/;
const MAX_UINT256 = 2n ** 256n - 1n;
const TOTAL_BASIS_POINTS = 10_000;

const CHAIN_ROLES: ReadonlySet<string> = new Set<ContributorRole>([
  'publisher',
  'curator',
  'author',
  'artist',
  'other',
]);

/** A story contributor's free-text role as one of the chain's contributor types ("other" when unknown). */
export function chainRole(role: string): ContributorRole {
  const lower = role.toLowerCase();
  return CHAIN_ROLES.has(lower) ? (lower as ContributorRole) : 'other';
}

export function isWalletAddress(value: unknown): value is string {
  return typeof value === 'string' && WALLET.test(value);
}

/**
 * What the chain would refuse in this story's registration request, found before anything is
 * written: no contributors, a bad wallet, a share outside 1..10000, duplicate wallets, shares
 * not summing to 10 000, an empty title. Empty when the story can be registered.
 */
export function registrationProblems(story: Story): FieldError[] {
  const problems: FieldError[] = [];
  if (story.title.trim() === '') problems.push({ field: '/title', message: 'must not be empty' });
  if (story.contributors.length === 0) {
    problems.push({ field: '/contributors', message: 'a story needs at least one contributor' });
    return problems;
  }
  const wallets = new Set<string>();
  let total = 0;
  for (const [i, c] of story.contributors.entries()) {
    if (!isWalletAddress(c.walletAddress)) {
      problems.push({
        field: `/contributors/${i}/walletAddress`,
        message: 'must be 0x followed by 40 hex digits',
      });
    } else if (wallets.has(c.walletAddress.toLowerCase())) {
      problems.push({
        field: `/contributors/${i}/walletAddress`,
        message: 'the same wallet appears twice',
      });
    } else {
      wallets.add(c.walletAddress.toLowerCase());
    }
    if (
      !Number.isInteger(c.shareBasisPoints) ||
      c.shareBasisPoints < 1 ||
      c.shareBasisPoints > TOTAL_BASIS_POINTS
    ) {
      problems.push({
        field: `/contributors/${i}/shareBasisPoints`,
        message: 'must be an integer from 1 to 10000',
      });
    }
    total += c.shareBasisPoints;
  }
  if (problems.length === 0 && total !== TOTAL_BASIS_POINTS) {
    problems.push({
      field: '/contributors',
      message: `shares must sum to 10000 basis points, got ${total}`,
    });
  }
  return problems;
}

/** RegisterIpAsset for a story: the content id is the story id, contributors become the royalty split. */
export function registerRequest(story: Story, idempotencyKey: string): RegisterIpAssetInput {
  return {
    contentId: story.id,
    contentTitle: story.title,
    contributors: story.contributors.map((c) => ({
      walletAddress: c.walletAddress,
      role: chainRole(c.role),
      shareBasisPoints: c.shareBasisPoints,
    })),
    idempotencyKey,
  };
}

/**
 * Checks a wei amount given as a decimal string: digits only (no sign, exponent, decimals or
 * leading zeros), positive, below 2^256. Returns the problem, or the amount as a bigint.
 */
export function parseWei(value: unknown, field: string): bigint | FieldError {
  if (typeof value !== 'string' || !DECIMAL_INTEGER.test(value)) {
    return { field, message: 'must be a decimal integer string, e.g. "1000000000000000000"' };
  }
  if (value.length > 78) return { field, message: 'must be below 2^256' };
  const amount = BigInt(value);
  if (amount === 0n) return { field, message: 'must be greater than zero' };
  if (amount > MAX_UINT256) return { field, message: 'must be below 2^256' };
  return amount;
}
