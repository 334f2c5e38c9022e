import { ContributorType } from '@mystira/chain-protos';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { zeroAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoryLedger } from '../src/ledger/index.js';
import { payAndSettle, remix, untilRegistered, WIP, wallet } from './support/ip-fixtures.js';
import { startLedger, stopLedger } from './support/ledger.js';

// Royalties from a derivative to its ancestors through LAP, end to end through the Ledger port:
// a payment to a grandchild is split on chain (the stack to RoyaltyPolicyLAP, the rest to the
// grandchild's vault); the ancestors' contributors see their shares as claimable before anyone
// moved them, and claiming moves them (transferToVault) first. Every wei paid is accounted for.

let chain: EmbeddedChain;
let ledger: StoryLedger;

const split = (...parts: Array<[string, number]>) =>
  parts.map(([w, shareBps]) => ({ wallet: w, type: ContributorType.AUTHOR, shareBps }));

beforeAll(async () => {
  ({ chain, ledger } = await startLedger({ requiredConfirmations: 2, deployVaults: true }));
});

afterAll(() => stopLedger(chain, ledger));

const registered = (ipAssetId: string) => untilRegistered(chain, ledger, ipAssetId);

const claimable = async (w: string, ip: string) =>
  (await ledger.claimableBalances(w, ip))[0]?.amountWei ?? 0n;

describe('StoryLedger: royalties of a derivative reach its ancestors (LAP)', () => {
  it('credits each ancestor its absolute share, claims move and pay it, and wei is conserved', async () => {
    const [g1, g2, p1, c1] = [wallet(0x91), wallet(0x92), wallet(0x93), wallet(0x94)];
    const grandparent = await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'lap-grandparent',
      royaltyShares: split([g1, 7000], [g2, 3000]),
      parents: [],
    });
    const tenPercent = (await ledger.ip.registerLicenseTerms(remix(10))).licenseTermsId!;
    await ledger.ip.attachLicenseTerms({
      ipAssetId: grandparent.ipAssetId,
      licenseTermsId: tenPercent,
    });
    const parent = await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'lap-parent',
      royaltyShares: split([p1, 10000]),
      parents: [{ ipAssetId: grandparent.ipAssetId, licenseTermsId: tenPercent }],
    });
    const child = await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'lap-child',
      royaltyShares: split([c1, 10000]),
      parents: [{ ipAssetId: parent.ipAssetId, licenseTermsId: tenPercent }],
    });
    await Promise.all([grandparent, parent, child].map((a) => registered(a.ipAssetId)));

    // 10 % to the parent, 10 % to the grandparent (absolute), 80 % stays with the child.
    const paid = 1_000_000_000_000_000_007n;
    await payAndSettle(chain, ledger, child.ipAssetId, paid);
    const toLap = (paid * 20n) / 100n;
    const each = (toLap * 10n) / 20n;
    expect(await claimable(c1, child.ipAssetId)).toBe(paid - toLap);
    expect(await claimable(p1, parent.ipAssetId)).toBe(each);
    expect(await claimable(g1, grandparent.ipAssetId)).toBe((each * 7000n) / 10000n);
    expect(await claimable(g2, grandparent.ipAssetId)).toBe((each * 3000n) / 10000n);
    // The wallet's view over every asset lists the ancestor's share too.
    expect(await ledger.claimableBalances(p1)).toEqual([
      { ipAssetId: parent.ipAssetId, currencyToken: WIP, amountWei: each, decimals: 18 },
    ]);

    const claims = [];
    for (const [w, ip] of [
      [g1, grandparent.ipAssetId],
      [g2, grandparent.ipAssetId],
      [p1, parent.ipAssetId],
      [c1, child.ipAssetId],
    ] as const) {
      const claim = await ledger.claimRoyalties({
        ipAssetId: ip,
        wallet: w,
        currencyToken: zeroAddress,
      });
      claims.push(claim.amountWei);
      expect(await claimable(w, ip)).toBe(0n);
    }
    const claimed = claims.reduce((a, b) => a + b, 0n);
    // What no holder is credited (the vaults' floors, LAP's division) is at most a wei per share.
    expect(claimed).toBeLessThanOrEqual(paid);
    expect(paid - claimed).toBeLessThanOrEqual(4n);
    expect(claims).toEqual([(each * 7000n) / 10000n, (each * 3000n) / 10000n, each, paid - toLap]);
  });
});
