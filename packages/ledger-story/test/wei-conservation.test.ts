import { ContributorType, IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import type { Split } from '@mystira/chain-server';
import { type EmbeddedChain, STORY_ADDRESSES } from '@mystira/ledger-story/embedded';
import fc from 'fast-check';
import { type Address, createPublicClient, custom, type PublicClient, parseAbi } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoryLedger } from '../src/ledger/index.js';
import { startLedger, stopLedger } from './support/ledger.js';

// Wei conservation read from the chain, not from the ledger's own answers: random payments to
// random splits, random claims, then, per asset, what the contributors received in WIP (their
// wallets are fresh, so their WIP balance is what they claimed) plus what the vault still holds
// equals what was paid, to the wei; and what is claimable never exceeds what the vault holds
// (the difference, under one wei per holder, is the vault's rounding).

let chain: EmbeddedChain;
let ledger: StoryLedger;
let client: PublicClient;
let wallets = 0;

const erc20 = parseAbi(['function balanceOf(address) view returns (uint256)']);
const royaltyModule = parseAbi(['function ipRoyaltyVaults(address) view returns (address)']);
const NATIVE = '0x0000000000000000000000000000000000000000';

beforeAll(async () => {
  ({ chain, ledger } = await startLedger({ account: 2, deployVaults: true, pollIntervalMs: 10 }));
  client = createPublicClient({ transport: custom(chain.provider) }) as PublicClient;
});

afterAll(() => stopLedger(chain, ledger));

const wip = (owner: string) =>
  client.readContract({
    address: STORY_ADDRESSES.wrappedIp,
    abi: erc20,
    functionName: 'balanceOf',
    args: [owner as Address],
  });

/** Polls until `read` returns a value (at most 10 s; automine makes it quick). */
async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 10_000; ; ) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('not reached in 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function settled(hash: string): Promise<void> {
  const state = await eventually(async () => {
    const s = await ledger.getTransaction(hash);
    return s?.terminal ? s : undefined;
  });
  expect(state.status).toBe(TransactionStatus.CONFIRMED);
}

const sharesArb = fc
  .array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 })
  .map((weights) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const bps = weights.map((w) => Math.max(1, Math.floor((w * 10000) / total)));
    bps[0] = (bps[0] ?? 0) + 10000 - bps.reduce((a, b) => a + b, 0);
    return bps;
  })
  .filter((bps) => bps.every((b) => b >= 1));

const opArb = fc.oneof(
  fc.record({ pay: fc.bigInt({ min: 1n, max: 10n ** 18n }) }),
  fc.record({ claim: fc.nat({ max: 3 }) }),
);

it('claimed + left in the vault = paid, to the wei, read from the chain (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      sharesArb,
      fc.array(opArb, { minLength: 1, maxLength: 8 }),
      async (shares, ops) => {
        const contributors: Split[] = shares.map((shareBps) => ({
          wallet: `0x${(0xc0ffee000000n + BigInt(++wallets)).toString(16).padStart(40, '0')}`,
          type: ContributorType.AUTHOR,
          shareBps,
        }));
        const record = await ledger.registerAsset({
          contentId: `conservation-${wallets}`,
          title: 'Conservation',
          contributors,
        });
        await eventually(async () => {
          const asset = await ledger.getAssetByIpId(record.ipAssetId);
          return asset?.status === IpAssetStatus.REGISTERED ? asset : undefined;
        });
        let paid = 0n;
        for (const op of ops) {
          if ('pay' in op) {
            const p = await ledger.payRoyalties({
              ipAssetId: record.ipAssetId,
              amountWei: op.pay,
              currencyToken: NATIVE,
            });
            await settled(p.txHash);
            paid += op.pay;
          } else {
            const who = contributors[op.claim % contributors.length]!.wallet;
            const [balance] = await ledger.claimableBalances(who, record.ipAssetId);
            if (balance === undefined) continue;
            const c = await ledger.claimRoyalties({
              ipAssetId: record.ipAssetId,
              wallet: who,
              currencyToken: NATIVE,
            });
            await settled(c.txHash);
          }
        }
        const vault = await client.readContract({
          address: STORY_ADDRESSES.royaltyModule,
          abi: royaltyModule,
          functionName: 'ipRoyaltyVaults',
          args: [record.ipAssetId as Address],
        });
        let claimed = 0n;
        let claimable = 0n;
        for (const c of contributors) {
          claimed += await wip(c.wallet);
          for (const b of await ledger.claimableBalances(c.wallet, record.ipAssetId))
            claimable += b.amountWei;
        }
        const left = await wip(vault);
        expect(claimed + left).toBe(paid);
        expect(claimable).toBeLessThanOrEqual(left);
        expect(left - claimable).toBeLessThan(BigInt(contributors.length));
      },
    ),
    { numRuns: 12, endOnFailure: true },
  );
}, 120_000);
