import { ContributorType, IpAssetStatus } from '@mystira/chain-protos';
import { type LicenseTermsInput, nonCommercialSocialRemixingTerms } from '@mystira/chain-server';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { StoryClient } from '@story-protocol/core-sdk';
import { type Address, custom, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoryLedger } from '../src/ledger/index.js';
import { remix } from './support/ip-fixtures.js';
import { startLedger, stopLedger } from './support/ledger.js';

// StoryLedger.ip on the embedded chain, slice by slice: PIL terms (registered, or found when
// identical: no transaction) and attaching them to an asset the ledger registered.

let chain: EmbeddedChain;
let ledger: StoryLedger;
let remixer: StoryClient; // another account, for a derivative the ledger does not own

/**
 * Non-Commercial Social Remixing as the server expands the preset (as Story's SDK does): the
 * template has these terms built in as id 1, so the preset registered through the server is id 1.
 */
const NCSR = nonCommercialSocialRemixingTerms();

let contentSeq = 0;
async function registeredAsset(): Promise<string> {
  const record = await ledger.registerAsset({
    contentId: `ip-test-${++contentSeq}`,
    title: 'A story',
    contributors: [
      { wallet: ledger.signer.toLowerCase(), type: ContributorType.AUTHOR, shareBps: 10000 },
    ],
  });
  expect(record.status).toBe(IpAssetStatus.PROCESSING);
  return record.ipAssetId;
}

beforeAll(async () => {
  ({ chain, ledger } = await startLedger({ deployVaults: true }));
  remixer = StoryClient.newClient({
    transport: custom(chain.provider),
    account: privateKeyToAccount(chain.accounts[2]!.privateKey),
    chainId: 'aeneid',
  });
});

afterAll(() => stopLedger(chain, ledger));

describe('StoryLedger.ip: license terms', () => {
  it('finds the built-in NCSR terms as id 1 without a transaction, and reads them back', async () => {
    const registration = await ledger.ip.registerLicenseTerms(NCSR);
    expect(registration).toEqual({ state: 'confirmed', licenseTermsId: 1n, terms: NCSR });
    expect(await ledger.ip.getLicenseTerms(1n)).toEqual({ licenseTermsId: 1n, terms: NCSR });
  });

  it('registers new terms (processing, id from the event), then finds them again with no transaction', async () => {
    const terms = remix(10, 10n ** 15n);
    const first = await ledger.ip.registerLicenseTerms(terms);
    expect(first.state).toBe('processing');
    expect(first.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(first.licenseTermsId).toBeGreaterThan(1n);
    expect(first.terms).toEqual(terms);
    const again = await ledger.ip.registerLicenseTerms({ ...terms });
    expect(again).toEqual({ state: 'confirmed', licenseTermsId: first.licenseTermsId, terms });
    expect(await ledger.ip.getLicenseTerms(first.licenseTermsId!)).toEqual({
      licenseTermsId: first.licenseTermsId,
      terms,
    });
  });

  it('keeps a revenue share that is not a whole percent exactly (Story units, no rounding)', async () => {
    const terms = { ...remix(0, 0n), commercialRevShareMicroPercent: 1_234_567 };
    const { licenseTermsId } = await ledger.ip.registerLicenseTerms(terms);
    expect((await ledger.ip.getLicenseTerms(licenseTermsId!))?.terms).toEqual(terms);
  });

  it('answers undefined for ids the template does not have', async () => {
    expect(await ledger.ip.getLicenseTerms(0n)).toBeUndefined();
    expect(await ledger.ip.getLicenseTerms(10_000n)).toBeUndefined();
  });

  it('refuses terms the chain refuses (a currency not whitelisted) as FAILED_PRECONDITION, naming the error', async () => {
    const terms: LicenseTermsInput = {
      ...remix(5, 0n),
      // MERC20, Story's test token on Aeneid: the embedded chain takes WIP only.
      currencyToken: '0xf2104833d386a2734a4eb3b8ad6fc6812f29e38e',
    };
    await expect(ledger.ip.registerLicenseTerms(terms)).rejects.toMatchObject({
      name: 'LedgerError',
      code: 'FAILED_PRECONDITION',
      message: expect.stringContaining('PILicenseTemplate__CurrencyTokenNotWhitelisted'),
    });
  });
});

describe('StoryLedger.ip: attaching terms', () => {
  it('attaches terms (a transaction), and again is confirmed without one', async () => {
    const ip = await registeredAsset();
    const { licenseTermsId } = await ledger.ip.registerLicenseTerms(remix(7, 0n));
    const attached = await ledger.ip.attachLicenseTerms({
      ipAssetId: ip,
      licenseTermsId: licenseTermsId!,
    });
    expect(attached.state).toBe('processing');
    expect(attached.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(
      await ledger.ip.attachLicenseTerms({
        ipAssetId: ip.toUpperCase().replace('0X', '0x'),
        licenseTermsId: licenseTermsId!,
      }),
    ).toEqual({ state: 'confirmed' });
    // The built-in terms too.
    expect((await ledger.ip.attachLicenseTerms({ ipAssetId: ip, licenseTermsId: 1n })).state).toBe(
      'processing',
    );
  });

  it('is NOT_FOUND for an unregistered IP or unknown terms', async () => {
    const ip = await registeredAsset();
    await expect(
      ledger.ip.attachLicenseTerms({ ipAssetId: `0x${'ab'.repeat(20)}`, licenseTermsId: 1n }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      ledger.ip.attachLicenseTerms({ ipAssetId: ip, licenseTermsId: 10_000n }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("is FAILED_PRECONDITION for a derivative, which has its parents' terms", async () => {
    const parent = await registeredAsset();
    await ledger.ip.attachLicenseTerms({ ipAssetId: parent, licenseTermsId: 1n });
    const { spgNftContract } = await remixer.nftClient.createNFTCollection({
      name: 'Remixes',
      symbol: 'RMX',
      isPublicMinting: true,
      mintOpen: true,
      mintFeeRecipient: zeroAddress,
      contractURI: '',
    });
    const { ipId: child } = await remixer.ipAsset.mintAndRegisterIp({
      spgNftContract: spgNftContract!,
    });
    await remixer.ipAsset.registerDerivative({
      childIpId: child!,
      parentIpIds: [parent as Address],
      licenseTermsIds: [1n],
    });
    await expect(
      ledger.ip.attachLicenseTerms({ ipAssetId: child!, licenseTermsId: 1n }),
    ).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringContaining('derivative'),
    });
  });

  it('refuses an IP the signer does not own as FAILED_PRECONDITION (the module refuses it)', async () => {
    const { spgNftContract } = await remixer.nftClient.createNFTCollection({
      name: 'Other',
      symbol: 'OTH',
      isPublicMinting: true,
      mintOpen: true,
      mintFeeRecipient: zeroAddress,
      contractURI: '',
    });
    const { ipId } = await remixer.ipAsset.mintAndRegisterIp({ spgNftContract: spgNftContract! });
    await expect(
      ledger.ip.attachLicenseTerms({ ipAssetId: ipId!, licenseTermsId: 1n }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
  });
});
