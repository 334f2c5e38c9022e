import { ContributorType } from '@mystira/chain-protos';
import type { Split } from '@mystira/chain-server';
import fc from 'fast-check';
import type { Address } from 'viem';
import { describe, expect, it } from 'vitest';
import { planSplitUpdate } from '../src/ledger/split-updates.js';

// planSplitUpdate over random holdings and splits: it either refuses (a wallet the ledger does
// not control would lose royalty tokens, or the tokens needed are held elsewhere) or its
// transfers, applied in order, leave every wallet exactly at its new share.

const IP = '0x00000000000000000000000000000000000000a1' as Address;
const SIGNER = '0x00000000000000000000000000000000000000b2' as Address;
const OTHERS = ['c3', 'c4', 'c5', 'c6'].map((s) => `0x${s.padStart(40, '0')}`);
const SUPPLY = 100_000_000n;
const WALLETS = [IP, SIGNER, ...OTHERS].map((w) => w.toLowerCase());

/** Basis points summing to 10000 over some of `wallets`. */
const splitArb = (wallets: readonly string[]) =>
  fc
    .array(fc.integer({ min: 0, max: 100 }), {
      minLength: wallets.length,
      maxLength: wallets.length,
    })
    .filter((weights) => weights.some((w) => w > 0))
    .map((weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      const bps = weights.map((w) => Math.floor((w * 10000) / total));
      const first = bps.findIndex((_b, i) => (weights[i] ?? 0) > 0);
      bps[first] = (bps[first] ?? 0) + 10000 - bps.reduce((a, b) => a + b, 0);
      return bps;
    });

const holdingsArb = splitArb(WALLETS).map(
  (bps) => new Map(WALLETS.map((w, i) => [w, BigInt(bps[i] ?? 0) * 10_000n])),
);
const nextArb = splitArb(WALLETS.slice(1)).map((bps) =>
  WALLETS.slice(1)
    .map((wallet, i): Split => ({ wallet, type: ContributorType.OTHER, shareBps: bps[i] ?? 0 }))
    .filter((s) => s.shareBps > 0),
);

describe('planSplitUpdate', () => {
  it('reaches the new split exactly, moving only what the IP account and the signer hold, or refuses', () => {
    fc.assert(
      fc.property(holdingsArb, nextArb, (holdings, next) => {
        const target = (w: string) =>
          BigInt(next.find((c) => c.wallet === w)?.shareBps ?? 0) * 10_000n;
        const mustRefuse = WALLETS.some(
          (w) => w !== IP && w !== SIGNER && (holdings.get(w) ?? 0n) > target(w),
        );
        let plan: ReturnType<typeof planSplitUpdate>;
        try {
          plan = planSplitUpdate({ ipId: IP, signer: SIGNER, holdings, next });
        } catch (error) {
          expect(error).toMatchObject({ name: 'LedgerError', code: 'FAILED_PRECONDITION' });
          expect(mustRefuse).toBe(true);
          return;
        }
        expect(mustRefuse).toBe(false);
        const after = new Map(holdings);
        for (const t of plan) {
          expect([IP, SIGNER]).toContain(t.from);
          expect(t.amount).toBeGreaterThan(0n);
          after.set(t.from, (after.get(t.from) ?? 0n) - t.amount);
          after.set(t.to, (after.get(t.to) ?? 0n) + t.amount);
        }
        for (const w of WALLETS) expect(after.get(w), w).toBe(target(w));
        expect([...after.values()].reduce((a, b) => a + b, 0n)).toBe(SUPPLY);
      }),
      { numRuns: 500 },
    );
  });

  it('names the wallet that would lose its share, and the signer who alone can give', () => {
    const holdings = new Map([
      [IP, 0n],
      [SIGNER, 50_000_000n],
      [OTHERS[0] as string, 50_000_000n],
    ]);
    const next: Split[] = [
      { wallet: SIGNER, type: ContributorType.PUBLISHER, shareBps: 6000 },
      { wallet: OTHERS[0] as string, type: ContributorType.AUTHOR, shareBps: 4000 },
    ];
    expect(() => planSplitUpdate({ ipId: IP, signer: SIGNER, holdings, next })).toThrow(
      `the split would lower the share of ${OTHERS[0]} from 5000 to 4000 bps`,
    );
  });
});
