/**
 * IP writes whose transaction fails on chain (joined only with `injectFailure`): the write
 * answers FAILED with a message instead of throwing, and leaves nothing half done.
 */
import assert from 'node:assert/strict';
import { TransactionStatus } from '@mystira/chain-protos';
import type { CaseDefinition, Ctx } from './context.js';
import { type IpCtx, ipCase } from './ip-context.js';
import { ONE_PERCENT, ownRemixTerms } from './ip-terms.js';

/** New commercial remix terms of the case (1 % revenue share in the kit's currency, under `policy`); their id. */
function failingCaseTerms(ctx: Ctx, tools: IpCtx, policy: 'lap' | 'lrp'): Promise<bigint> {
  const terms = ownRemixTerms(tools.label('failing'), {
    currencyToken: ctx.licenseCurrency,
    royaltyPolicy: policy,
    commercialRevShareMicroPercent: ONE_PERCENT,
  });
  return tools.termsId(terms, 'the terms');
}

export const ipFailureCases: readonly CaseDefinition[] = [
  ipCase(
    'ip: failures: a derivative registration whose transaction fails answers FAILED with a message, links nothing, and the content id can be registered again',
    async (ctx, tools) => {
      const { ip, written, asset, attach } = tools;
      const id = await failingCaseTerms(ctx, tools, 'lap');
      const parent = await asset();
      const parents = [await attach(parent.ipAssetId, id)];
      const contentId = ctx.contentId();
      await ctx.injectFailure('ip-register');
      const failed = await written(
        'a failing registration',
        ip.mintAndRegisterIpAsset({
          contentId,
          royaltyShares: [{ wallet: await ctx.wallet(), type: 3, shareBps: 10000 }],
          parents,
        }),
      );
      assert.equal(failed.state, 'failed', 'a failed transaction is a FAILED answer');
      assert.ok(failed.errorMessage, 'a FAILED answer says why');
      const tx = await ctx.settled(failed.txHash as string, 'the failing registration');
      assert.equal(tx.status, TransactionStatus.FAILED);
      const read = await ip.getIpAsset({ contentId });
      if (read !== undefined) assert.equal(read.state, 'failed', 'read back as FAILED, if at all');
      assert.equal((await ip.getIpAsset({ ipAssetId: parent.ipAssetId }))?.childCount, 0);
      const again = await asset({ contentId, parents });
      assert.equal(again.record.contentId, contentId, 'registered again');
    },
  ),
  ipCase(
    'ip: failures: an attachment or a license token mint whose transaction fails answers FAILED and changes nothing',
    async (ctx, tools) => {
      const { ip, written, asset, attach } = tools;
      const id = await failingCaseTerms(ctx, tools, 'lrp');
      const { ipAssetId } = await asset();
      await ctx.injectFailure('attach-terms');
      const failed = await written(
        'a failing attachment',
        ip.attachLicenseTerms({ ipAssetId, licenseTermsId: id }),
      );
      assert.equal(failed.state, 'failed');
      assert.ok(failed.errorMessage, 'a FAILED answer says why');
      assert.deepEqual((await ip.getIpAsset({ ipAssetId }))?.licenseTerms, [], 'nothing attached');
      await attach(ipAssetId, id);
      await ctx.injectFailure('license-tokens');
      const tokens = await written(
        'a failing mint',
        ip.mintLicenseTokens({
          licensorIpAssetId: ipAssetId,
          licenseTermsId: id,
          amount: 2,
          receiver: await ctx.wallet(),
        }),
      );
      assert.equal(tokens.state, 'failed');
      assert.ok(tokens.errorMessage, 'a FAILED answer says why');
      assert.deepEqual(tokens.tokenIds, [], 'no tokens');
    },
  ),
];
