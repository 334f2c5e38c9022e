/**
 * Wei conservation as a fast-check property: over random splits, payments, claims and split
 * updates, what was claimed plus what is claimable equals what was paid, per token.
 */
import assert from 'node:assert/strict';
import { TransactionStatus } from '@mystira/chain-protos';
import type { ClaimRecord, Split } from '@mystira/chain-server';
import fc from 'fast-check';
import type { CaseDefinition, Ctx } from './context.js';
import { refuses } from './expect.js';
import { typeOf } from './values.js';

/** Random shares in basis points, each at least 1, summing to exactly 10000. */
export const sharesArb = (max: number) =>
  fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: max }).map((weights) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const shares = weights.map((w) => Math.max(1, Math.floor((w * 10000) / total)));
    let rest = 10000 - shares.reduce((a, b) => a + b, 0);
    for (let i = 0; rest !== 0; i = (i + 1) % shares.length) {
      const s = shares[i] as number;
      if (rest > 0) {
        shares[i] = s + 1;
        rest--;
      } else if (s > 1) {
        shares[i] = s - 1;
        rest++;
      }
    }
    return shares;
  });

export const conservationCase: CaseDefinition = {
  name: 'pay and claim: wei conservation, claimed + claimable = paid per token (property)',
  async run(ctx) {
    const { ledger, tokens, claimable, claimableTotal, settled, settings } = ctx;
    const op = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          pay: fc.bigInt({ min: 1n, max: settings.maxPaymentWei }),
          token: fc.nat({ max: tokens.length - 1 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          claim: fc.nat({ max: 11 }),
          token: fc.nat({ max: tokens.length - 1 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          resplit: sharesArb(4),
          to: fc.nat({ max: 4 }),
          permille: fc.integer({ min: 1, max: 999 }),
        }),
      },
    );
    await fc.assert(
      fc.asyncProperty(
        sharesArb(4),
        fc.array(op, { minLength: 1, maxLength: 12 }),
        async (shares, ops) => {
          const { asset, splits } = await ctx.registered(shares, { own: true });
          const everyone = [...splits.map((s) => s.wallet)];
          let current = splits;
          const paid = new Map<string, bigint>();
          const claimed = new Map<string, bigint>();
          /** Every payment submitted in this run; only those whose transaction is confirmed count as paid. */
          const payments: { hash: string; amount: bigint; token: string }[] = [];
          const claims: ClaimRecord[] = [];
          for (const o of ops) {
            if ('pay' in o) {
              const token = tokens[o.token] as string;
              const p = await ledger.payRoyalties({
                ipAssetId: asset.ipAssetId,
                amountWei: o.pay,
                currencyToken: token,
              });
              assert.equal(p.amountWei, o.pay);
              payments.push({ hash: p.txHash, amount: o.pay, token });
            } else if ('claim' in o) {
              const token = tokens[o.token] as string;
              const who = everyone[o.claim % everyone.length] as string;
              const claim = { ipAssetId: asset.ipAssetId, wallet: who, currencyToken: token };
              // Claims see confirmed payments: settle what is in flight first.
              for (const p of payments) await settled(p.hash, 'a payment');
              for (const c of claims) await settled(c.txHash, 'a claim');
              const before = await claimable(who, asset.ipAssetId, token);
              if (before === 0n) {
                await refuses(
                  ledger.claimRoyalties(claim),
                  'FAILED_PRECONDITION',
                  'a claim of nothing',
                );
                continue;
              }
              const c = await ledger.claimRoyalties(claim);
              assert.equal(c.amountWei, before, 'a claim takes the whole balance');
              claims.push(c);
            } else {
              for (const p of payments) await settled(p.hash, 'a payment');
              const next = await resplit(ctx, current, everyone, o);
              if (next === undefined) continue;
              const u = await ledger.setRoyaltySplit(asset.ipAssetId, next);
              await settled(u.txHash, 'a split update');
              current = next;
            }
          }
          for (const p of payments) {
            const tx = await settled(p.hash, 'a payment');
            if (tx.status === TransactionStatus.CONFIRMED)
              paid.set(p.token, (paid.get(p.token) ?? 0n) + p.amount);
          }
          for (const c of claims) {
            const tx = await settled(c.txHash, 'a claim');
            if (tx.status === TransactionStatus.CONFIRMED)
              claimed.set(c.currencyToken, (claimed.get(c.currencyToken) ?? 0n) + c.amountWei);
          }
          for (const token of tokens) {
            const expected = paid.get(token) ?? 0n;
            // A ledger that reads balances from the chain may lag its own transactions: poll.
            await ctx.until(`claimed + claimable = paid in ${token}`, async () => {
              const left = await claimableTotal(everyone, asset.ipAssetId, token);
              const total = (claimed.get(token) ?? 0n) + left;
              assert.ok(
                total <= expected,
                `more claimed + claimable (${total}) than paid (${expected}) in ${token}: wei created`,
              );
              return ctx.allCredited(total, expected, everyone.length);
            });
          }
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
};

/**
 * The split a `resplit` step moves to. Where any split may replace any: the step's random
 * shares over known wallets and new ones. Where only the ledger's own share may shrink: a
 * `permille` of that share moves to another wallet (undefined when it has too little to give).
 * New wallets join `everyone`.
 */
async function resplit(
  ctx: Ctx,
  current: readonly Split[],
  everyone: string[],
  step: { resplit: number[]; to: number; permille: number },
): Promise<Split[] | undefined> {
  const own = ctx.ownWallet;
  if (own === undefined) {
    const next: Split[] = [];
    for (const [i, shareBps] of step.resplit.entries()) {
      const w = everyone[i] ?? (await ctx.wallet());
      if (!everyone.includes(w)) everyone.push(w);
      next.push({ wallet: w, type: typeOf(i), shareBps });
    }
    return next;
  }
  const ownShare = current.find((c) => c.wallet === own)?.shareBps ?? 0;
  if (ownShare < 2) return undefined;
  const moved = Math.min(ownShare - 1, Math.max(1, Math.floor((ownShare * step.permille) / 1000)));
  const candidate = everyone[step.to];
  const to = candidate !== undefined && candidate !== own ? candidate : await ctx.wallet();
  if (!everyone.includes(to)) everyone.push(to);
  const next = current.map((c) => ({ ...c }));
  const ownEntry = next.find((c) => c.wallet === own) as Split;
  ownEntry.shareBps -= moved;
  const entry = next.find((c) => c.wallet === to);
  if (entry !== undefined) entry.shareBps += moved;
  else next.push({ wallet: to, type: typeOf(next.length), shareBps: moved });
  return next;
}
