/**
 * Derivatives: the graph they make (read back from both sides), what stops one from being
 * registered, and royalties flowing from a derivative to its ancestors by the terms.
 */
import assert from 'node:assert/strict';
import type { DerivativeLink, IpAssetRecord } from '@mystira/chain-server';
import type { CaseDefinition } from './context.js';
import { ipCase } from './ip-context.js';
import { commercialUse, ONE_PERCENT, ownRemixTerms } from './ip-terms.js';
import { randomAddress } from './values.js';

/** The links of a record, comparable with `deepEqual`. */
const links = (ls: readonly DerivativeLink[] | undefined) =>
  ls?.map((l) => ({ ipAssetId: l.ipAssetId, licenseTermsId: l.licenseTermsId }));

export const ipDerivativeCases: readonly CaseDefinition[] = [
  ipCase(
    'ip: derivatives: a child of two parents takes their terms; parents, children and childCount read back from both sides, by IP id and by content id',
    async ({ licenseCurrency }, { ip, label, termsId, asset, attach }) => {
      const remix = (what: string, royaltyPolicy: 'lap' | 'lrp', share: number) =>
        ownRemixTerms(label(what), {
          currencyToken: licenseCurrency,
          royaltyPolicy,
          commercialRevShareMicroPercent: share,
        });
      const termsA = remix('a', 'lap', 10 * ONE_PERCENT);
      const termsB = remix('b', 'lrp', 5 * ONE_PERCENT);
      const idA = await termsId(termsA, 'terms of a');
      const idB = await termsId(termsB, 'terms of b');
      const a = await asset();
      const b = await asset();
      const parents = [await attach(a.ipAssetId, idA), await attach(b.ipAssetId, idB)];
      const child = await asset({ parents });
      assert.deepEqual(links(child.record.parents), parents, 'the answer lists the parents');
      const read = async (what: string, by: { ipAssetId: string } | { contentId: string }) => {
        const r = await ip.getIpAsset(by);
        assert.ok(r, `getIpAsset ${what}`);
        return r;
      };
      const expectChild = (r: IpAssetRecord, what: string) => {
        assert.equal(r.ipAssetId, child.ipAssetId, what);
        assert.deepEqual(links(r.parents), parents, `${what}: its parents`);
        assert.deepEqual(
          r.licenseTerms,
          [
            { licenseTermsId: idA, terms: termsA },
            { licenseTermsId: idB, terms: termsB },
          ],
          `${what}: it has its parents' terms`,
        );
        assert.deepEqual(r.children, [], `${what}: no children yet`);
        assert.equal(r.childCount, 0);
      };
      expectChild(await read('of the child', { ipAssetId: child.ipAssetId }), 'by IP id');
      expectChild(
        await read('of the child', { contentId: child.record.contentId as string }),
        'by content id',
      );
      for (const [parent, id] of [
        [a, idA],
        [b, idB],
      ] as const) {
        const r = await read('of a parent', { ipAssetId: parent.ipAssetId });
        assert.deepEqual(
          links(r.children),
          [{ ipAssetId: child.ipAssetId, licenseTermsId: id }],
          'the parent lists the child with the terms it is derived under',
        );
        assert.equal(r.childCount, 1, "the parent's childCount");
        assert.deepEqual(r.parents, [], 'an original has no parents');
      }
      // The child's inherited terms are attached to it: a grandchild derives under them.
      const grandchild = await asset({
        parents: [{ ipAssetId: child.ipAssetId, licenseTermsId: idA }],
      });
      const again = await read('of the child', { ipAssetId: child.ipAssetId });
      assert.deepEqual(links(again.children), [
        { ipAssetId: grandchild.ipAssetId, licenseTermsId: idA },
      ]);
      assert.equal(again.childCount, 1);
      assert.equal((await read('of a', { ipAssetId: a.ipAssetId })).childCount, 1, 'direct only');
    },
  ),
  ipCase(
    'ip: derivatives: unattached terms, terms forbidding derivatives, and a fee or revenue share past the limits are FAILED_PRECONDITION, an unknown parent NOT_FOUND; a refused registration registers nothing',
    async (ctx, { ip, refusesWrite, label, termsId, asset, attach }) => {
      const currencyToken = ctx.licenseCurrency;
      const fee = 500n;
      const share = 10 * ONE_PERCENT;
      const remix = await termsId(
        ownRemixTerms(label('remix'), {
          currencyToken,
          royaltyPolicy: 'lap',
          commercialRevShareMicroPercent: share,
          mintingFeeWei: fee,
        }),
        'remix terms',
      );
      const noDerivatives = await termsId(
        commercialUse({ mintingFeeWei: 0n, currencyToken, royaltyPolicy: 'lap' }),
        'commercial use terms',
      );
      const unattached = await termsId(
        ownRemixTerms(label('unattached'), {
          currencyToken,
          royaltyPolicy: 'lrp',
          commercialRevShareMicroPercent: share,
        }),
        'unattached terms',
      );
      const parent = await asset();
      await attach(parent.ipAssetId, remix);
      await attach(parent.ipAssetId, noDerivatives);
      const contentId = ctx.contentId();
      const register = (
        parents: DerivativeLink[],
        limits: { maxMintingFeeWei?: bigint; maxRevenueShareMicroPercent?: number } = {},
      ) =>
        ip.mintAndRegisterIpAsset({
          contentId,
          royaltyShares: [{ wallet: randomAddress(), type: 3, shareBps: 10000 }],
          parents,
          ...limits,
        });
      const under = (licenseTermsId: bigint) => [{ ipAssetId: parent.ipAssetId, licenseTermsId }];
      await refusesWrite(
        register(under(unattached)),
        'FAILED_PRECONDITION',
        'terms not attached to the parent',
      );
      await refusesWrite(
        register(under(noDerivatives)),
        'FAILED_PRECONDITION',
        'terms that do not allow derivatives',
      );
      await refusesWrite(
        register(under(remix), { maxMintingFeeWei: fee - 1n }),
        'FAILED_PRECONDITION',
        'a minting fee past maxMintingFeeWei',
      );
      await refusesWrite(
        register(under(remix), { maxRevenueShareMicroPercent: share - 1 }),
        'FAILED_PRECONDITION',
        'a revenue share past maxRevenueShareMicroPercent',
      );
      await refusesWrite(
        register([{ ipAssetId: randomAddress(), licenseTermsId: remix }]),
        'NOT_FOUND',
        'an unknown parent',
      );
      assert.equal(
        await ip.getIpAsset({ contentId }),
        undefined,
        'refused registrations registered nothing',
      );
      assert.equal((await ip.getIpAsset({ ipAssetId: parent.ipAssetId }))?.childCount, 0);
      const child = await asset({
        contentId,
        parents: under(remix),
        maxMintingFeeWei: fee,
        maxRevenueShareMicroPercent: share,
      });
      assert.deepEqual(links(child.record.parents), under(remix), 'within the limits it registers');
    },
  ),
  ipCase(
    'ip: royalties: a payment to a grandchild pays each ancestor by the terms (LAP: absolute shares, LRP: shares of shares), the rest to the grandchild, to their royalty shares',
    async (ctx, { label, termsId, asset, attach, final }) => {
      const { ledger, licenseCurrency, confirmed, claimable, until } = ctx;
      for (const policy of ['lap', 'lrp'] as const) {
        const terms = await termsId(
          ownRemixTerms(label(policy), {
            currencyToken: licenseCurrency,
            royaltyPolicy: policy,
            commercialRevShareMicroPercent: 10 * ONE_PERCENT,
          }),
          `${policy} terms`,
        );
        const root = await asset({ shares: [5000, 5000] });
        const child = await asset({ parents: [await attach(root.ipAssetId, terms)] });
        const grandchild = await asset({
          parents: [{ ipAssetId: child.ipAssetId, licenseTermsId: terms }],
          shares: [2500, 7500],
        });
        await final([root.ipAssetId, child.ipAssetId, grandchild.ipAssetId]);
        const amount = 1_000_000n;
        const paid = await ledger.payRoyalties({
          ipAssetId: grandchild.ipAssetId,
          amountWei: amount,
          currencyToken: licenseCurrency,
        });
        await confirmed(paid.txHash, `the payment (${policy})`);
        // 10 % to the parent; to the grandparent 10 % of the payment (LAP) or of the parent's 10 % (LRP).
        const toParent = 100_000n;
        const toGrandparent = policy === 'lap' ? 100_000n : 10_000n;
        const expected: [string, string, bigint][] = [
          [root.splits[0]!.wallet, root.ipAssetId, toGrandparent / 2n],
          [root.splits[1]!.wallet, root.ipAssetId, toGrandparent / 2n],
          [child.splits[0]!.wallet, child.ipAssetId, toParent],
          [
            grandchild.splits[0]!.wallet,
            grandchild.ipAssetId,
            (amount - toParent - toGrandparent) / 4n,
          ],
          [
            grandchild.splits[1]!.wallet,
            grandchild.ipAssetId,
            ((amount - toParent - toGrandparent) * 3n) / 4n,
          ],
        ];
        await until(`${policy}: every royalty share credited`, async () => {
          for (const [wallet, ipAssetId] of expected) {
            if ((await claimable(wallet, ipAssetId, licenseCurrency)) === 0n) return false;
          }
          return true;
        });
        for (const [wallet, ipAssetId, wei] of expected) {
          assert.equal(
            await claimable(wallet, ipAssetId, licenseCurrency),
            wei,
            `${policy}: ${wallet} on ${ipAssetId}`,
          );
        }
        const claim = await ledger.claimRoyalties({
          ipAssetId: root.ipAssetId,
          wallet: root.splits[0]!.wallet,
          currencyToken: licenseCurrency,
        });
        assert.equal(
          claim.amountWei,
          toGrandparent / 2n,
          `${policy}: an ancestor claims its share`,
        );
        await confirmed(claim.txHash, `${policy}: the claim`);
      }
    },
  ),
];
