/**
 * The IP port's operations one by one: collections, license terms, attaching them, license
 * tokens, and the one registry of content ids it shares with the `Ledger` port.
 */
import assert from 'node:assert/strict';
import { ContributorType } from '@mystira/chain-protos';
import type { LicenseTermsInput } from '@mystira/chain-server';
import type { CaseDefinition } from './context.js';
import { ADDRESS, refuses, TX_HASH } from './expect.js';
import { ipCase } from './ip-context.js';
import {
  commercialRemix,
  commercialUse,
  nonCommercialSocialRemixing,
  ONE_PERCENT,
  ownRemixTerms,
} from './ip-terms.js';
import { randomAddress } from './values.js';

/** An id no ledger has given terms (yet). */
const UNKNOWN_TERMS_ID = 1n << 64n;

export const ipCases: readonly CaseDefinition[] = [
  ipCase(
    'ip: collections: a new collection answers with its address once in a block, reads back as created, becomes CONFIRMED when final and counts its mints',
    async ({ confirmed, until }, { ip, written, sent, asset }) => {
      const input = {
        name: 'Mystira Conformance',
        symbol: 'MYCONF',
        contractUri: 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
        maxSupply: 1000,
      };
      const created = await written('createCollection', ip.createCollection(input));
      const hash = sent(created, 'createCollection');
      assert.match(created.address ?? '', ADDRESS, 'the new collection has an address');
      const address = created.address as string;
      const expected = {
        name: input.name,
        symbol: input.symbol,
        contractUri: input.contractUri,
        baseUri: '',
        maxSupply: 1000,
        totalSupply: 0,
        mintOpen: true,
        publicMinting: false,
        mintFeeWei: 0n,
      };
      for (const [field, value] of Object.entries(expected)) {
        assert.deepEqual(
          created[field as keyof typeof created],
          value,
          `createCollection ${field}`,
        );
      }
      assert.match(created.owner, ADDRESS, 'the owner is an address');
      assert.ok(created.createdAt instanceof Date, 'createdAt is set once in a block');
      await confirmed(hash, 'createCollection');
      await until('the collection CONFIRMED', async () => {
        const read = await ip.getCollection(address);
        assert.ok(read, 'getCollection finds the new collection');
        return read.state === 'confirmed';
      });
      const read = await ip.getCollection(address.toUpperCase().replace('0X', '0x'));
      assert.ok(read, 'getCollection takes an address in any case');
      assert.equal(read.address, address);
      assert.equal(read.txHash, hash, 'the creation transaction');
      for (const [field, value] of Object.entries(expected)) {
        assert.deepEqual(read[field as keyof typeof read], value, `getCollection ${field}`);
      }
      const first = await asset({ collection: address });
      const second = await asset({ collection: address });
      assert.equal(first.record.collection, address, 'minted in the collection asked for');
      assert.notEqual(first.record.nftTokenId, second.record.nftTokenId, 'one NFT id each');
      await until(
        'totalSupply counts the mints',
        async () => (await ip.getCollection(address))?.totalSupply === 2,
      );
      assert.equal(await ip.getCollection(randomAddress()), undefined, 'an unknown address');
    },
  ),
  ipCase(
    "ip: collections: an asset minted without a collection goes to the ledger's own, which exists",
    async (_ctx, { ip, asset }) => {
      const { record } = await asset();
      const own = await ip.getCollection(record.collection);
      assert.ok(own, "getCollection finds the ledger's own collection");
      assert.ok(own.state !== 'failed', 'it is not a failed creation');
      assert.ok(own.totalSupply >= 1, 'it counts the asset just minted');
      assert.equal(own.address, record.collection);
    },
  ),
  ipCase(
    'ip: terms: presets and custom terms get ids and read back as registered; identical terms get the same id, CONFIRMED with no transaction',
    async ({ licenseCurrency, confirmed }, { ip, written, sent, label }) => {
      const currencyToken = licenseCurrency;
      const custom: LicenseTermsInput = {
        ...ownRemixTerms(label('custom'), {
          currencyToken,
          royaltyPolicy: 'lrp',
          commercialRevShareMicroPercent: 12_345_678,
          mintingFeeWei: 10n ** 18n,
        }),
        transferable: false,
        expirationSeconds: 86_400n,
        derivativesReciprocal: false,
      };
      const all: [string, LicenseTermsInput, 'new' | 'maybe'][] = [
        ['Non-Commercial Social Remixing', nonCommercialSocialRemixing(), 'maybe'],
        [
          'Commercial Use',
          commercialUse({ mintingFeeWei: 1000n, currencyToken, royaltyPolicy: 'lap' }),
          'maybe',
        ],
        [
          'Commercial Remix',
          commercialRemix({
            mintingFeeWei: 0n,
            currencyToken,
            commercialRevShareMicroPercent: 5 * ONE_PERCENT,
            royaltyPolicy: 'lap',
          }),
          'maybe',
        ],
        ['custom terms', custom, 'new'],
      ];
      const ids = new Set<bigint>();
      for (const [what, terms, fresh] of all) {
        const r = await written(what, ip.registerLicenseTerms(terms));
        // Presets may be registered already on a shared chain: then nothing is sent.
        if (fresh === 'new' || r.txHash !== undefined) {
          await confirmed(sent(r, what), what);
        } else {
          assert.equal(r.state, 'confirmed', `${what} found registered: CONFIRMED`);
        }
        const id = r.licenseTermsId;
        assert.ok(id !== undefined && id > 0n, `${what}: a positive id`);
        assert.deepEqual(r.terms, terms, `${what}: the terms as registered`);
        assert.deepEqual(await ip.getLicenseTerms(id), { licenseTermsId: id, terms }, what);
        const again = await written(`${what} again`, ip.registerLicenseTerms({ ...terms }));
        assert.equal(again.state, 'confirmed', `${what} again: CONFIRMED`);
        assert.equal(again.txHash, undefined, `${what} again: no transaction`);
        assert.equal(again.licenseTermsId, id, `${what} again: the same id`);
        assert.ok(!ids.has(id), `${what}: different terms, a different id`);
        ids.add(id);
      }
      assert.equal(await ip.getLicenseTerms(UNKNOWN_TERMS_ID), undefined, 'an unknown id');
    },
  ),
  ipCase(
    'ip: attach: terms attach once (again: CONFIRMED, no transaction); an unknown asset or terms is NOT_FOUND, a derivative FAILED_PRECONDITION',
    async (
      { licenseCurrency, confirmed },
      { ip, written, sent, refusesWrite, label, termsId, asset, attach },
    ) => {
      const terms = ownRemixTerms(label('attach'), {
        currencyToken: licenseCurrency,
        royaltyPolicy: 'lap',
        commercialRevShareMicroPercent: ONE_PERCENT,
      });
      const id = await termsId(terms, 'the terms');
      const other = await termsId(nonCommercialSocialRemixing(), 'other terms');
      const { ipAssetId } = await asset();
      const r = await written('attach', ip.attachLicenseTerms({ ipAssetId, licenseTermsId: id }));
      await confirmed(sent(r, 'attach'), 'attach');
      const read = await ip.getIpAsset({ ipAssetId });
      assert.deepEqual(read?.licenseTerms, [{ licenseTermsId: id, terms }], 'the attached terms');
      const again = await written(
        'attach again',
        ip.attachLicenseTerms({ ipAssetId, licenseTermsId: id }),
      );
      assert.equal(again.state, 'confirmed', 'attached already: CONFIRMED');
      assert.equal(again.txHash, undefined, 'attached already: no transaction');
      await refusesWrite(
        ip.attachLicenseTerms({ ipAssetId: randomAddress(), licenseTermsId: id }),
        'NOT_FOUND',
        'attach to an unknown asset',
      );
      await refusesWrite(
        ip.attachLicenseTerms({ ipAssetId, licenseTermsId: UNKNOWN_TERMS_ID }),
        'NOT_FOUND',
        'attach unknown terms',
      );
      const child = await asset({ parents: [{ ipAssetId, licenseTermsId: id }] });
      await refusesWrite(
        ip.attachLicenseTerms({ ipAssetId: child.ipAssetId, licenseTermsId: other }),
        'FAILED_PRECONDITION',
        'attach to a derivative',
      );
      await attach(ipAssetId, other);
      const after = await ip.getIpAsset({ ipAssetId });
      assert.deepEqual(
        after?.licenseTerms.map((t) => t.licenseTermsId),
        [id, other],
        'attached terms in the order they were attached',
      );
    },
  ),
  ipCase(
    'ip: license tokens: minted under attached terms with their ids and the minting fee paid; unattached terms and fees or shares past the limits are FAILED_PRECONDITION',
    async (ctx, { ip, written, sent, refusesWrite, label, termsId, asset, attach }) => {
      const fee = 1000n;
      const terms = ownRemixTerms(label('tokens'), {
        currencyToken: ctx.licenseCurrency,
        royaltyPolicy: 'lap',
        commercialRevShareMicroPercent: 10 * ONE_PERCENT,
        mintingFeeWei: fee,
      });
      const id = await termsId(terms, 'the terms');
      const unattached = await termsId(nonCommercialSocialRemixing(), 'unattached terms');
      const { ipAssetId } = await asset();
      await attach(ipAssetId, id);
      const receiver = await ctx.wallet();
      const mint = (more: { maxMintingFeeWei?: bigint; maxRevenueShareMicroPercent?: number }) =>
        ip.mintLicenseTokens({
          licensorIpAssetId: ipAssetId,
          licenseTermsId: id,
          amount: 3,
          receiver: receiver.toUpperCase().replace('0X', '0x'),
          ...more,
        });
      const minted = await written('mintLicenseTokens', mint({ maxMintingFeeWei: 3n * fee }));
      await ctx.confirmed(sent(minted, 'mintLicenseTokens'), 'mintLicenseTokens');
      assert.equal(minted.licensorIpAssetId, ipAssetId);
      assert.equal(minted.licenseTermsId, id);
      assert.equal(minted.receiver, receiver, 'the receiver in lower case');
      assert.equal(minted.tokenIds.length, 3, 'one id per token');
      assert.equal(new Set(minted.tokenIds).size, 3, 'distinct ids');
      assert.equal(minted.mintingFeePaidWei, 3n * fee, 'the fee of 3 tokens is paid');
      const more = await written('mintLicenseTokens again', mint({}));
      sent(more, 'mintLicenseTokens again');
      for (const t of more.tokenIds)
        assert.ok(!minted.tokenIds.includes(t), 'new tokens have new ids');
      await refusesWrite(
        mint({ maxMintingFeeWei: 3n * fee - 1n }),
        'FAILED_PRECONDITION',
        'a fee past maxMintingFeeWei',
      );
      await refusesWrite(
        mint({ maxRevenueShareMicroPercent: 10 * ONE_PERCENT - 1 }),
        'FAILED_PRECONDITION',
        'a revenue share past maxRevenueShareMicroPercent',
      );
      await refusesWrite(
        ip.mintLicenseTokens({
          licensorIpAssetId: ipAssetId,
          licenseTermsId: unattached,
          amount: 1,
          receiver,
        }),
        'FAILED_PRECONDITION',
        'terms not attached to the licensor',
      );
      await refusesWrite(
        ip.mintLicenseTokens({
          licensorIpAssetId: randomAddress(),
          licenseTermsId: id,
          amount: 1,
          receiver,
        }),
        'NOT_FOUND',
        'an unknown licensor',
      );
    },
  ),
  ipCase(
    'ip: one registry: a content id is registered once across registerAsset and mintAndRegisterIpAsset, and either asset is read, paid and claimed through both ports',
    async (ctx, { ip, refusesWrite, asset, final }) => {
      const { ledger, token, registered, claimable, until, confirmed } = ctx;
      const viaLedger = (await registered([10000])).asset;
      await refusesWrite(
        ip.mintAndRegisterIpAsset({
          contentId: viaLedger.contentId,
          royaltyShares: [
            { wallet: await ctx.wallet(), type: ContributorType.AUTHOR, shareBps: 10000 },
          ],
          parents: [],
        }),
        'ALREADY_EXISTS',
        'mintAndRegisterIpAsset of content registerAsset registered',
      );
      const seen = await ip.getIpAsset({ contentId: viaLedger.contentId });
      assert.equal(seen?.ipAssetId, viaLedger.ipAssetId, 'getIpAsset finds a registerAsset asset');
      assert.deepEqual(
        seen?.royaltyShares.map((s) => [s.wallet, s.shareBps]),
        viaLedger.contributors.map((c) => [c.wallet, c.shareBps]),
        'its royalty shares are its split',
      );
      const viaIp = await asset({ shares: [6000, 4000] });
      const contentId = viaIp.record.contentId as string;
      await refuses(
        ledger.registerAsset({ contentId, title: 't', contributors: [...viaIp.splits] }),
        'ALREADY_EXISTS',
        'registerAsset of content mintAndRegisterIpAsset registered',
      );
      const byContent = await ledger.getAssetByContentId(contentId);
      const byIp = await ledger.getAssetByIpId(viaIp.ipAssetId);
      for (const [how, a] of [
        ['by content id', byContent],
        ['by IP id', byIp],
      ] as const) {
        assert.equal(a?.ipAssetId, viaIp.ipAssetId, `the Ledger port reads it ${how}`);
        assert.match(a.txHash, TX_HASH);
        assert.deepEqual(
          a.contributors.map((c) => [c.wallet, c.shareBps]),
          viaIp.splits.map((s) => [s.wallet, s.shareBps]),
          `its split ${how}: its royalty shares`,
        );
      }
      await final([viaIp.ipAssetId]);
      const paid = await ledger.payRoyalties({
        ipAssetId: viaIp.ipAssetId,
        amountWei: 10_000n,
        currencyToken: token,
      });
      await confirmed(paid.txHash, 'the payment');
      const [a, b] = viaIp.splits.map((s) => s.wallet) as [string, string];
      await until(
        'the payment credited to the royalty shares',
        async () =>
          (await claimable(a, viaIp.ipAssetId, token)) === 6000n &&
          (await claimable(b, viaIp.ipAssetId, token)) === 4000n,
      );
      const claim = await ledger.claimRoyalties({
        ipAssetId: viaIp.ipAssetId,
        wallet: a,
        currencyToken: token,
      });
      assert.equal(claim.amountWei, 6000n);
      await confirmed(claim.txHash, 'the claim');
      // The IP port reads the asset it registered as final, too.
      await until(
        'getIpAsset CONFIRMED',
        async () => (await ip.getIpAsset({ ipAssetId: viaIp.ipAssetId }))?.state === 'confirmed',
      );
    },
  ),
];
