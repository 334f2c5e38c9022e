/**
 * Royalty flow as a fast-check property: random trees of derivatives (depth at most 3) under
 * random commercial terms (LAP or LRP, random revenue shares), random payments to random nodes
 * and random claims. The expected balances are computed here from the tree alone:
 *
 * - a payment of A to a node owes the ancestor k links up the path l1 … lk (l1 leaving the node)
 *   share(lk) when lk is LAP (absolute: the link into it counts for every descendant), plus
 *   share(l1) × … × share(lk) when every link on the way is LRP (shares of shares);
 * - a derivative whose owed shares would add up past 100 % is refused (FAILED_PRECONDITION);
 * - each ancestor gets its share of A, the node the rest, and each asset's royalty shares divide
 *   its part by basis points.
 *
 * Each wallet's claimed + claimable must be what that says, within a rounding allowance of 2 wei
 * per payment that reached the asset (ledgers round ancestors' parts and shares in their own way),
 * and everything claimed + claimable must be everything paid (as `royaltyRules.rounding` allows).
 */
import assert from 'node:assert/strict';
import { TransactionStatus } from '@mystira/chain-protos';
import type { Split } from '@mystira/chain-server';
import fc from 'fast-check';
import { sharesArb } from './conservation-case.js';
import type { CaseDefinition, Ctx } from './context.js';
import { refuses } from './expect.js';
import { type IpCtx, ipCase } from './ip-context.js';
import { HUNDRED_PERCENT, ONE_PERCENT, ownRemixTerms } from './ip-terms.js';
import { typeOf } from './values.js';

/** The rounding allowance per payment that reached an asset, in wei. */
const SLACK_WEI = 2n;
/** Depth of the deepest derivative (a root is at depth 0). */
const MAX_DEPTH = 3;

interface Link {
  policy: 'lap' | 'lrp';
  share: number;
}

interface Node {
  ipAssetId: string;
  depth: number;
  parent?: Node;
  /** The terms the node was derived under (the link to its parent). */
  link?: Link;
  /** Terms a derivative of the node may be made under: attached to a root, inherited below. */
  terms: { id: bigint; link: Link }[];
  splits: readonly Split[];
}

interface Owed {
  ancestor: Node;
  numerator: bigint;
  denominator: bigint;
}

/**
 * What each ancestor of a node is owed of a payment to it, nearest first: the node hangs from
 * `parent` through `link`. The k-th ancestor's fraction is over 10^8k.
 */
function owed(parent: Node | undefined, link: Link | undefined): Owed[] {
  const out: Owed[] = [];
  const hundred = BigInt(HUNDRED_PERCENT);
  /** 10^8(k-1) at the k-th ancestor. */
  let scale = 1n;
  /** The product of the LRP shares so far; 0 once a link of the path is not LRP. */
  let lrp = 1n;
  for (
    let at = parent, l = link;
    at !== undefined && l !== undefined;
    l = at.link, at = at.parent
  ) {
    lrp = l.policy === 'lrp' ? lrp * BigInt(l.share) : 0n;
    const lap = l.policy === 'lap' ? BigInt(l.share) * scale : 0n;
    const denominator = scale * hundred;
    out.push({ ancestor: at, numerator: lap + lrp, denominator });
    scale = denominator;
  }
  return out;
}

function aboveHundredPercent(shares: readonly Owed[]): boolean {
  // Every denominator divides the last one (powers of 10^8 growing up the path).
  const d = shares.at(-1)?.denominator ?? 1n;
  const sum = shares.reduce((s, o) => s + o.numerator * (d / o.denominator), 0n);
  return sum > d;
}

const linkArb = fc.record({
  policy: fc.constantFrom('lap' as const, 'lrp' as const),
  // Small shares make deep trees; large ones stacks past 100 %, which must be refused.
  share: fc.oneof(
    fc.integer({ min: 0, max: 30 * ONE_PERCENT }),
    fc.integer({ min: 30 * ONE_PERCENT, max: HUNDRED_PERCENT }),
  ),
});

export const ipRoyaltyProperty: CaseDefinition = ipCase(
  'ip: royalty flow (property): random trees of derivatives under random commercial terms, random payments and claims; every balance is what the terms say, and claimed + claimable = paid',
  async (ctx, ipCtx) => {
    const { settings } = ctx;
    const op = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          pay: fc.bigInt({ min: 1n, max: settings.maxPaymentWei }),
          node: fc.nat(),
        }),
      },
      { weight: 1, arbitrary: fc.record({ claim: fc.nat(), node: fc.nat() }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            terms: fc.array(linkArb, { minLength: 1, maxLength: 2 }),
            shares: sharesArb(3),
          }),
          {
            minLength: 1,
            maxLength: 2,
          },
        ),
        fc.array(fc.record({ parent: fc.nat(), terms: fc.nat(), shares: sharesArb(3) }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(op, { minLength: 1, maxLength: 8 }),
        async (roots, children, ops) => {
          const nodes = await buildTree(ctx, ipCtx, roots, children);
          await ipCtx.final(nodes.map((n) => n.ipAssetId));
          await payAndClaim(ctx, nodes, ops);
        },
      ),
      // No shrinking: on a chain every shrink step is another slow run; the seed replays it.
      {
        numRuns: settings.numRuns,
        seed: settings.seed,
        endOnFailure: true,
        includeErrorInReport: true,
      },
    );
  },
);

/** Registers the roots with their terms attached, then the derivatives the terms allow. */
async function buildTree(
  ctx: Ctx,
  ip: IpCtx,
  roots: readonly { terms: Link[]; shares: number[] }[],
  children: readonly { parent: number; terms: number; shares: number[] }[],
): Promise<Node[]> {
  const nodes: Node[] = [];
  for (const [i, root] of roots.entries()) {
    const a = await ip.asset({ shares: root.shares });
    const node: Node = { ipAssetId: a.ipAssetId, depth: 0, terms: [], splits: a.splits };
    for (const [j, link] of root.terms.entries()) {
      const terms = ownRemixTerms(ip.label(`root${i}-terms${j}`), {
        currencyToken: ctx.licenseCurrency,
        royaltyPolicy: link.policy,
        commercialRevShareMicroPercent: link.share,
      });
      const id = await ip.termsId(terms, `terms ${j} of root ${i}`);
      await ip.attach(node.ipAssetId, id);
      node.terms.push({ id, link });
    }
    nodes.push(node);
  }
  for (const spec of children) {
    const candidates = nodes.filter((n) => n.depth < MAX_DEPTH);
    const parent = candidates[spec.parent % candidates.length] as Node;
    const via = parent.terms[spec.terms % parent.terms.length] as Node['terms'][number];
    const parents = [{ ipAssetId: parent.ipAssetId, licenseTermsId: via.id }];
    if (aboveHundredPercent(owed(parent, via.link))) {
      await ip.refusesWrite(
        ip.ip.mintAndRegisterIpAsset({
          contentId: ctx.contentId(),
          royaltyShares: [{ wallet: await ctx.wallet(), type: typeOf(0), shareBps: 10000 }],
          parents,
        }),
        'FAILED_PRECONDITION',
        'a derivative whose royalty stack would pass 100 %',
      );
      continue;
    }
    const a = await ip.asset({ parents, shares: spec.shares });
    nodes.push({
      ipAssetId: a.ipAssetId,
      depth: parent.depth + 1,
      parent,
      link: via.link,
      terms: [via],
      splits: a.splits,
    });
  }
  return nodes;
}

/** Pays and claims as `ops` say, then compares every balance with what the terms say. */
async function payAndClaim(
  ctx: Ctx,
  nodes: readonly Node[],
  ops: readonly ({ pay: bigint; node: number } | { claim: number; node: number })[],
): Promise<void> {
  const { ledger, licenseCurrency: token, settled, claimable } = ctx;
  const payments: { node: Node; amount: bigint; hash: string }[] = [];
  const claims: { key: string; amount: bigint; hash: string }[] = [];
  const settleAll = async () => {
    for (const p of payments) await settled(p.hash, 'a payment');
    for (const c of claims) await settled(c.hash, 'a claim');
  };
  for (const o of ops) {
    const node = nodes[o.node % nodes.length] as Node;
    if ('pay' in o) {
      const p = await ledger.payRoyalties({
        ipAssetId: node.ipAssetId,
        amountWei: o.pay,
        currencyToken: token,
      });
      payments.push({ node, amount: o.pay, hash: p.txHash });
      continue;
    }
    // Claims see confirmed payments: settle what is in flight first.
    await settleAll();
    const wallet = (node.splits[o.claim % node.splits.length] as Split).wallet;
    const claim = { ipAssetId: node.ipAssetId, wallet, currencyToken: token };
    const before = await claimable(wallet, node.ipAssetId, token);
    if (before === 0n) {
      await refuses(ledger.claimRoyalties(claim), 'FAILED_PRECONDITION', 'a claim of nothing');
      continue;
    }
    const c = await ledger.claimRoyalties(claim);
    assert.equal(c.amountWei, before, 'a claim takes the whole balance');
    claims.push({ key: `${wallet}|${node.ipAssetId}`, amount: c.amountWei, hash: c.txHash });
  }
  // What the terms say, in 1/10000 wei (a part × basis points), and payments per asset.
  const expected = new Map<string, bigint>();
  const reached = new Map<string, bigint>();
  let paid = 0n;
  const credit = (node: Node, part: bigint) => {
    reached.set(node.ipAssetId, (reached.get(node.ipAssetId) ?? 0n) + 1n);
    for (const s of node.splits) {
      const key = `${s.wallet}|${node.ipAssetId}`;
      expected.set(key, (expected.get(key) ?? 0n) + part * BigInt(s.shareBps));
    }
  };
  for (const p of payments) {
    const tx = await settled(p.hash, 'a payment');
    assert.equal(tx.status, TransactionStatus.CONFIRMED, `a payment failed: ${tx.errorMessage}`);
    paid += p.amount;
    let rest = p.amount;
    for (const o of owed(p.node.parent, p.node.link)) {
      const part = (p.amount * o.numerator) / o.denominator;
      credit(o.ancestor, part);
      rest -= part;
    }
    credit(p.node, rest);
  }
  const claimed = new Map<string, bigint>();
  for (const c of claims) {
    const tx = await settled(c.hash, 'a claim');
    if (tx.status === TransactionStatus.CONFIRMED)
      claimed.set(c.key, (claimed.get(c.key) ?? 0n) + c.amount);
  }
  const holders = nodes.flatMap((n) => n.splits.map((s) => ({ wallet: s.wallet, node: n })));
  const actual = async (wallet: string, node: Node) =>
    (claimed.get(`${wallet}|${node.ipAssetId}`) ?? 0n) +
    (await claimable(wallet, node.ipAssetId, token));
  // A ledger that reads balances from the chain may lag its own transactions: poll the total.
  await ctx.until('claimed + claimable = paid', async () => {
    let total = 0n;
    for (const h of holders) total += await actual(h.wallet, h.node);
    assert.ok(
      total <= paid,
      `more claimed + claimable (${total}) than paid (${paid}): wei created`,
    );
    return ctx.allCredited(total, paid, holders.length * Math.max(1, payments.length));
  });
  for (const { wallet, node } of holders) {
    const want = expected.get(`${wallet}|${node.ipAssetId}`) ?? 0n;
    const got = (await actual(wallet, node)) * 10000n;
    const allowance = SLACK_WEI * (reached.get(node.ipAssetId) ?? 0n) * 10000n;
    const off = got > want ? got - want : want - got;
    assert.ok(
      off <= allowance,
      `${wallet} on ${node.ipAssetId} (depth ${node.depth}): claimed + claimable ${got / 10000n} wei, the terms say ${want / 10000n}`,
    );
  }
}
