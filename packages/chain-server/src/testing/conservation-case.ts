/**
 * Wei conservation as a fast-check property: over random splits, payments, claims and split
 * updates, what was claimed plus what is claimable equals what was paid, per token.
 */
import assert from 'node:assert/strict';
import { TransactionStatus } from '@mystira/chain-protos';
import type { ClaimRecord, Split } from '@mystira/chain-server';
import fc from 'fast-check';
import type { CaseDefinition } from './context.js';
import { refuses } from './expect.js';
import { typeOf } from './values.js';

/** Random shares in basis points, each at least 1, summing to exactly 10000. */
const sharesArb = (max: number) =>
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
      { weight: 1, arbitrary: fc.record({ resplit: sharesArb(4) }) },
    );
    await fc.assert(
      fc.asyncProperty(
        sharesArb(4),
        fc.array(op, { minLength: 1, maxLength: 12 }),
        async (shares, ops) => {
          const { asset, splits } = await ctx.registered(shares);
          const everyone = [...splits.map((s) => s.wallet)];
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
              const next: Split[] = [];
              for (const [i, shareBps] of o.resplit.entries()) {
                const w = everyone[i] ?? (await ctx.wallet());
                if (!everyone.includes(w)) everyone.push(w);
                next.push({ wallet: w, type: typeOf(i), shareBps });
              }
              const u = await ledger.setRoyaltySplit(asset.ipAssetId, next);
              await settled(u.txHash, 'a split update');
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
              return total === expected;
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
