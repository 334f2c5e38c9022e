/**
 * The royalty stack a derivative would have: the share of its revenue it would owe its
 * ancestors, computed before anything is sent (Story refuses a link past 100 %, and by then the
 * child is minted). It follows the rules the royalty policies apply on chain:
 *
 * - LAP: the child owes the share of every LAP link in its ancestry once (absolute
 *   percentages), reached through any royalty-bearing link (a link without a policy carries no
 *   royalties, and Story inherits nothing through it);
 * - LRP: the child owes a parent linked under LRP the link's share of its revenue plus that
 *   share of what the parent owes under LRP (shares of shares), recursively.
 *
 * The ancestry is read from the LicenseRegistry; LRP products are kept as exact fractions.
 */
import type { RoyaltyPolicy } from '@mystira/chain-server';

/** 100 % in PIL's unit (millionths of a percent). */
const HUNDRED_PERCENT = 100_000_000n;

/** A link as the stack needs it: the parent, and the policy and share of its terms. */
export interface PolicyLink {
  parent: string;
  policy: RoyaltyPolicy;
  /** The terms' commercial revenue share, in millionths of a percent. */
  shareMicroPercent: number;
}

/** What the stack needs to read: an IP's parent links, with their terms' policy and share. */
export type ParentLinksOf = (ipId: string) => Promise<readonly PolicyLink[]>;

/** An exact fraction of a payment. */
interface Fraction {
  n: bigint;
  d: bigint;
}

const add = (a: Fraction, b: Fraction): Fraction => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });

/** The stack a child linked through `links` would have, as an exact fraction of its revenue. */
export async function stackIfLinked(
  links: readonly PolicyLink[],
  parentLinksOf: ParentLinksOf,
): Promise<{ exceedsHundredPercent: boolean; percent: number }> {
  const memo = new Map<string, Promise<readonly PolicyLink[]>>();
  const linksOf = (ip: string) => {
    let links = memo.get(ip);
    if (links === undefined) {
      links = parentLinksOf(ip);
      memo.set(ip, links);
    }
    return links;
  };
  const lap = await lapShares(links, linksOf);
  const lrp = await lrpStack(links, linksOf, new Map());
  const total = add({ n: lap, d: HUNDRED_PERCENT }, lrp);
  return {
    exceedsHundredPercent: total.n > total.d,
    percent: Number((total.n * 10n ** 8n) / total.d) / 10 ** 6,
  };
}

/** The sum of the shares of the distinct LAP links in the ancestry, in millionths of a percent. */
async function lapShares(
  links: readonly PolicyLink[],
  linksOf: (ip: string) => Promise<readonly PolicyLink[]>,
): Promise<bigint> {
  const counted = new Set<string>();
  const visited = new Set<string>();
  let sum = 0n;
  const walk = async (child: string, from: readonly PolicyLink[]) => {
    for (const link of from) {
      if (link.policy === 'none') continue;
      if (link.policy === 'lap' && !counted.has(`${child}>${link.parent}`)) {
        counted.add(`${child}>${link.parent}`);
        sum += BigInt(link.shareMicroPercent);
      }
      if (visited.has(link.parent)) continue;
      visited.add(link.parent);
      await walk(link.parent, await linksOf(link.parent));
    }
  };
  await walk('', links);
  return sum;
}

/** Σ over the LRP links of share × (1 + the parent's own LRP stack). */
async function lrpStack(
  links: readonly PolicyLink[],
  linksOf: (ip: string) => Promise<readonly PolicyLink[]>,
  stacks: Map<string, Fraction>,
): Promise<Fraction> {
  let sum: Fraction = { n: 0n, d: 1n };
  for (const link of links) {
    if (link.policy !== 'lrp') continue;
    let parentStack = stacks.get(link.parent);
    if (parentStack === undefined) {
      parentStack = await lrpStack(await linksOf(link.parent), linksOf, stacks);
      stacks.set(link.parent, parentStack);
    }
    const share = BigInt(link.shareMicroPercent);
    // share/10^8 × (1 + parentStack)
    sum = add(sum, {
      n: share * (parentStack.d + parentStack.n),
      d: HUNDRED_PERCENT * parentStack.d,
    });
  }
  return sum;
}
