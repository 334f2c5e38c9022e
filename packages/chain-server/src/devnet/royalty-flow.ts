/**
 * How a payment to a derivative is divided between the derivative and its ancestors, by the
 * royalty policies and revenue shares of the terms each parent link was made under (Story's
 * RoyaltyPolicyLAP / RoyaltyPolicyLRP over its IP graph, section 3.9a of the Story reference).
 *
 * - LAP (Liquid Absolute Percentage): an ancestor is owed the share of every LAP link into it
 *   from the payee or from any of the payee's ancestors, as an absolute percentage of the
 *   payment: a grandparent's 10 % applies to the grandchild's revenue too, and shares add up
 *   along the ancestry. Each link counts once, however many paths lead to it.
 * - LRP (Liquid Relative Percentage): an ancestor is owed its share of what its direct
 *   descendant is owed, so along a path of LRP links the shares multiply (10 % of 10 % = 1 %);
 *   several paths add up. A link of another policy ends an LRP path.
 * - Non-commercial links (no policy) owe nothing.
 *
 * The sum of what is owed (the royalty stack) may not pass 100 %; registering a derivative that
 * would is refused.
 *
 * Rounding: each ancestor is credited floor(payment × its exact fraction) and the payee gets the
 * rest, so every wei of a payment goes to someone, an ancestor never gets more than it is owed,
 * and it gets less by under 1 wei per payment.
 */
import type { RoyaltyPolicy } from '../ip-ledger.js';
import type { RoyaltyPart } from './royalty-book.js';

/** 100 % in PIL's unit for revenue shares (millionths of a percent). */
export const HUNDRED_PERCENT = 100_000_000n;

/** One parent link of an asset, as the royalty flow needs it. */
export interface ParentLink {
  /** The parent asset. */
  parent: string;
  /** The royalty policy of the terms the link was made under. */
  policy: RoyaltyPolicy;
  /** The terms' commercial revenue share, in millionths of a percent. */
  shareMicroPercent: number;
}

/** An exact fraction of a payment: `numerator / denominator`, the denominator a power of 10^8. */
export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

const ZERO: Fraction = { numerator: 0n, denominator: 1n };

function add(a: Fraction, b: Fraction): Fraction {
  // Denominators are powers of 10^8, so the larger is a multiple of the smaller.
  // (Math.max takes no bigint.)
  let denominator = a.denominator;
  if (b.denominator > denominator) denominator = b.denominator;
  return {
    numerator:
      a.numerator * (denominator / a.denominator) + b.numerator * (denominator / b.denominator),
    denominator,
  };
}

function times(f: Fraction, shareMicroPercent: number): Fraction {
  return {
    numerator: f.numerator * BigInt(shareMicroPercent),
    denominator: f.denominator * HUNDRED_PERCENT,
  };
}

/**
 * What each ancestor of `payee` is owed of a payment to it, as exact fractions, in the order the
 * ancestors are first reached (nearest first). Ancestors owed nothing are left out.
 */
export function owedToAncestors(
  payee: string,
  parentsOf: (ipAssetId: string) => readonly ParentLink[],
): Map<string, Fraction> {
  const owed = new Map<string, Fraction>();
  const credit = (ancestor: string, f: Fraction) => {
    if (f.numerator !== 0n) owed.set(ancestor, add(owed.get(ancestor) ?? ZERO, f));
  };
  // LAP: every LAP link inside the payee's ancestry, once (breadth first, nearest first).
  const seen = new Set([payee]);
  const queue = [payee];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const link of parentsOf(node)) {
      if (link.policy === 'lap')
        credit(link.parent, times({ numerator: 1n, denominator: 1n }, link.shareMicroPercent));
      if (!seen.has(link.parent)) {
        seen.add(link.parent);
        queue.push(link.parent);
      }
    }
  }
  // LRP: every path of LRP links, the shares multiplied along it. Parents are registered before
  // their children, so the graph has no cycle and the walk ends.
  const walk = (node: string, reaching: Fraction) => {
    for (const link of parentsOf(node)) {
      if (link.policy !== 'lrp') continue;
      const f = times(reaching, link.shareMicroPercent);
      credit(link.parent, f);
      walk(link.parent, f);
    }
  };
  walk(payee, { numerator: 1n, denominator: 1n });
  return owed;
}

/** Whether the fractions owed add up to more than 100 % (a royalty stack Story refuses). */
export function aboveHundredPercent(owed: ReadonlyMap<string, Fraction>): boolean {
  let sum = ZERO;
  for (const f of owed.values()) sum = add(sum, f);
  return sum.numerator > sum.denominator;
}

/**
 * Divides `amountWei` paid to `payee`: floor(amount × fraction) to each ancestor, the rest to the
 * payee (see the rounding rule above). Parts of 0 wei are left out; the parts sum to the amount.
 */
export function divide(
  amountWei: bigint,
  payee: string,
  owed: ReadonlyMap<string, Fraction>,
): RoyaltyPart[] {
  const parts: RoyaltyPart[] = [];
  let left = amountWei;
  for (const [ancestor, f] of owed) {
    const part = (amountWei * f.numerator) / f.denominator;
    if (part === 0n) continue;
    parts.push({ ipAssetId: ancestor, amountWei: part });
    left -= part;
  }
  if (left > 0n) parts.push({ ipAssetId: payee, amountWei: left });
  return parts;
}
