import { ContributorType } from '@mystira/chain-protos';
import type { LicenseTermsInput } from '@mystira/chain-server';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoryLedger } from '../src/ledger/index.js';
import {
  PERCENT,
  payAndSettle,
  remix,
  untilRegistered,
  WIP,
  wallet,
} from './support/ip-fixtures.js';
import { startLedger, stopLedger } from './support/ledger.js';

// StoryLedger.ip's derivatives on the embedded chain: minted, then linked to their parents
// (the minting fee paid to each parent's vault) before their royalty shares are given out; every
// refusal is found before anything is sent, so a refused derivative registers nothing.

let chain: EmbeddedChain;
let ledger: StoryLedger;

const FEE = 10n ** 15n;
const shares = (w: string) => [{ wallet: w, type: ContributorType.AUTHOR, shareBps: 10000 }];

beforeAll(async () => {
  ({ chain, ledger } = await startLedger({ requiredConfirmations: 2, deployVaults: true }));
});

afterAll(() => stopLedger(chain, ledger));

const registered = (ipAssetId: string) => untilRegistered(chain, ledger, ipAssetId);

let seq = 0;
async function parentWith(terms: LicenseTermsInput, owner: string) {
  const parent = await ledger.ip.mintAndRegisterIpAsset({
    contentId: `parent-${++seq}`,
    royaltyShares: shares(owner),
    parents: [],
  });
  const { licenseTermsId } = await ledger.ip.registerLicenseTerms(terms);
  await ledger.ip.attachLicenseTerms({
    ipAssetId: parent.ipAssetId,
    licenseTermsId: licenseTermsId!,
  });
  return { parent: parent.ipAssetId, termsId: licenseTermsId! };
}

describe('StoryLedger.ip: derivatives', () => {
  it('links a child to its parent, pays the minting fee, reads the graph from both sides, and splits its royalties by LAP', async () => {
    const author = wallet(0xe1);
    const remixer = wallet(0xe2);
    const { parent, termsId } = await parentWith(remix(10, FEE), author);
    const child = await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'child-1',
      royaltyShares: shares(remixer),
      parents: [{ ipAssetId: parent.toUpperCase().replace('0X', '0x'), licenseTermsId: termsId }],
      maxMintingFeeWei: FEE,
      maxRevenueShareMicroPercent: 10 * PERCENT,
    });
    expect(child.state).toBe('processing');
    expect(child.parents).toEqual([{ ipAssetId: parent, licenseTermsId: termsId }]);
    expect(child.licenseTerms).toEqual([await ledger.ip.getLicenseTerms(termsId)]);
    const parentRead = await ledger.ip.getIpAsset({ ipAssetId: parent });
    expect(parentRead).toMatchObject({
      children: [{ ipAssetId: child.ipAssetId, licenseTermsId: termsId }],
      childCount: 1,
    });
    // The minting fee went to the parent's vault, whose royalty tokens its author holds.
    await registered(parent);
    expect(await ledger.claimableBalances(author, parent)).toEqual([
      { ipAssetId: parent, currencyToken: WIP, amountWei: FEE, decimals: 18 },
    ]);
    // A payment to the child: 10 % to LAP (for the parent), the rest to the child's holders.
    await registered(child.ipAssetId);
    const paid = 10n ** 18n;
    await payAndSettle(chain, ledger, child.ipAssetId, paid);
    expect(await ledger.claimableBalances(remixer, child.ipAssetId)).toEqual([
      {
        ipAssetId: child.ipAssetId,
        currencyToken: WIP,
        amountWei: paid - paid / 10n,
        decimals: 18,
      },
    ]);
    await expect(
      ledger.ip.attachLicenseTerms({ ipAssetId: child.ipAssetId, licenseTermsId: 1n }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('refuses, registering nothing: fee or share past the limits, unattached terms, terms without derivatives, an unknown parent', async () => {
    const { parent, termsId } = await parentWith(remix(10, FEE), wallet(0xe3));
    const noDerivatives: LicenseTermsInput = {
      ...remix(5, 0n),
      derivativesAllowed: false,
      derivativesAttribution: false,
      derivativesReciprocal: false,
    };
    const closed = await parentWith(noDerivatives, wallet(0xe4));
    const { licenseTermsId: unattached } = await ledger.ip.registerLicenseTerms(remix(3, 0n));
    const attempts: Array<[string, Parameters<StoryLedger['ip']['mintAndRegisterIpAsset']>[0]]> = [
      [
        'FAILED_PRECONDITION',
        {
          contentId: 'refused-1',
          royaltyShares: shares(wallet(0xe5)),
          parents: [{ ipAssetId: parent, licenseTermsId: termsId }],
          maxMintingFeeWei: FEE - 1n,
        },
      ],
      [
        'FAILED_PRECONDITION',
        {
          contentId: 'refused-1',
          royaltyShares: shares(wallet(0xe5)),
          parents: [{ ipAssetId: parent, licenseTermsId: termsId }],
          maxRevenueShareMicroPercent: 10 * PERCENT - 1,
        },
      ],
      [
        'FAILED_PRECONDITION',
        {
          contentId: 'refused-1',
          royaltyShares: shares(wallet(0xe5)),
          parents: [{ ipAssetId: parent, licenseTermsId: unattached! }],
        },
      ],
      [
        'FAILED_PRECONDITION',
        {
          contentId: 'refused-1',
          royaltyShares: shares(wallet(0xe5)),
          parents: [{ ipAssetId: closed.parent, licenseTermsId: closed.termsId }],
        },
      ],
      [
        'NOT_FOUND',
        {
          contentId: 'refused-1',
          royaltyShares: shares(wallet(0xe5)),
          parents: [{ ipAssetId: `0x${'56'.repeat(20)}`, licenseTermsId: termsId }],
        },
      ],
      [
        'NOT_FOUND',
        {
          contentId: 'refused-1',
          royaltyShares: shares(wallet(0xe5)),
          parents: [{ ipAssetId: parent, licenseTermsId: 10_000n }],
        },
      ],
    ];
    for (const [code, input] of attempts) {
      await expect(ledger.ip.mintAndRegisterIpAsset(input)).rejects.toMatchObject({
        name: 'LedgerError',
        code,
      });
    }
    expect(await ledger.ip.getIpAsset({ contentId: 'refused-1' })).toBeUndefined();
    expect((await ledger.ip.getIpAsset({ ipAssetId: parent }))?.childCount).toBe(0);
    // Within the limits, the same content id registers.
    const ok = await ledger.ip.mintAndRegisterIpAsset({
      ...attempts[0]![1],
      maxMintingFeeWei: FEE,
    });
    expect(ok.parents).toEqual([{ ipAssetId: parent, licenseTermsId: termsId }]);
  });
});

describe('StoryLedger.ip: royalty stack', () => {
  it('refuses a derivative whose LAP royalty stack would pass 100 %, registering nothing', async () => {
    const { parent, termsId } = await parentWith(remix(60, 0n), wallet(0xa7));
    const child = await ledger.ip.mintAndRegisterIpAsset({
      contentId: 'stack-child',
      royaltyShares: shares(wallet(0xa8)),
      parents: [{ ipAssetId: parent, licenseTermsId: termsId }],
    });
    // The grandchild would owe 60 % to the child and 60 % to the parent.
    await expect(
      ledger.ip.mintAndRegisterIpAsset({
        contentId: 'stack-grandchild',
        royaltyShares: shares(wallet(0xa9)),
        parents: [{ ipAssetId: child.ipAssetId, licenseTermsId: termsId }],
      }),
    ).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringContaining('100 %'),
    });
    expect(await ledger.ip.getIpAsset({ contentId: 'stack-grandchild' })).toBeUndefined();
  });
});

describe('StoryLedger.ip: license tokens', () => {
  it('mints tokens of attached terms, paying the fee to the licensor; refuses unattached terms and limits', async () => {
    const author = wallet(0xf1);
    const { parent, termsId } = await parentWith(remix(10, FEE), author);
    const receiver = wallet(0xf2);
    const minted = await ledger.ip.mintLicenseTokens({
      licensorIpAssetId: parent,
      licenseTermsId: termsId,
      amount: 3,
      receiver,
      maxMintingFeeWei: 3n * FEE,
      maxRevenueShareMicroPercent: 10 * PERCENT,
    });
    expect(minted).toMatchObject({
      state: 'processing',
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      licensorIpAssetId: parent,
      licenseTermsId: termsId,
      receiver,
      mintingFeePaidWei: 3n * FEE,
    });
    expect(minted.tokenIds).toHaveLength(3);
    expect(minted.tokenIds[1]).toBe(minted.tokenIds[0]! + 1n);
    await registered(parent);
    expect((await ledger.claimableBalances(author, parent))[0]?.amountWei).toBe(3n * FEE);
    // No receiver: the ledger's own wallet.
    const own = await ledger.ip.mintLicenseTokens({
      licensorIpAssetId: parent,
      licenseTermsId: termsId,
      amount: 1,
      receiver: '',
    });
    expect(own.receiver).toBe(ledger.signer.toLowerCase());

    const { licenseTermsId: unattached } = await ledger.ip.registerLicenseTerms(remix(4, 0n));
    const base = { licensorIpAssetId: parent, licenseTermsId: termsId, amount: 1, receiver };
    for (const [code, input] of [
      ['FAILED_PRECONDITION', { ...base, licenseTermsId: unattached! }],
      ['FAILED_PRECONDITION', { ...base, maxMintingFeeWei: FEE - 1n }],
      ['FAILED_PRECONDITION', { ...base, maxRevenueShareMicroPercent: PERCENT }],
      ['NOT_FOUND', { ...base, licenseTermsId: 10_000n }],
      ['NOT_FOUND', { ...base, licensorIpAssetId: `0x${'78'.repeat(20)}` }],
    ] as const) {
      await expect(ledger.ip.mintLicenseTokens(input)).rejects.toMatchObject({ code });
    }
  });
});
