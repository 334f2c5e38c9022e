/**
 * Transactions that fail on chain (joined only with `injectFailure`): a failure is a state of a
 * record, not an error, and leaves nothing half done.
 */
import assert from 'node:assert/strict';
import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import type { CaseDefinition } from './context.js';
import { soleAuthor } from './values.js';

export const failureCases: readonly CaseDefinition[] = [
  {
    name: 'failures: a registration that fails on chain is a FAILED record, not an error, and may be submitted again',
    async run({ ledger, wallet, settled, eventually, until, contentId, injectFailure }) {
      const id = contentId();
      const input = soleAuthor(id, await wallet());
      await injectFailure('register');
      const record = await ledger.registerAsset(input);
      const tx = await settled(record.txHash, 'the failing registration');
      assert.equal(tx.status, TransactionStatus.FAILED);
      assert.ok(tx.errorMessage, 'a failed transaction says why');
      const failed = await eventually(`${id} FAILED`, async () => {
        const a = await ledger.getAssetByContentId(id);
        return a?.status === IpAssetStatus.FAILED ? a : undefined;
      });
      assert.ok(failed.errorMessage, 'a FAILED asset says why');
      const again = await ledger.registerAsset(input);
      await settled(again.txHash, 'the second registration');
      await until(
        `${id} REGISTERED`,
        async () => (await ledger.getAssetByContentId(id))?.status === IpAssetStatus.REGISTERED,
      );
    },
  },
  {
    name: 'failures: a failed payment credits nothing; a failed claim leaves the balance claimable',
    async run({ ledger, registered, token, settled, confirmed, claimable, until, injectFailure }) {
      const { asset, splits } = await registered([10000]);
      const who = splits[0]!.wallet;
      const claim = { ipAssetId: asset.ipAssetId, wallet: who, currencyToken: token };
      const balanceIs = (wei: bigint) => async () =>
        (await claimable(who, asset.ipAssetId, token)) === wei;
      await injectFailure('payment');
      const failing = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: 500n,
        currencyToken: token,
      });
      const ftx = await settled(failing.txHash, 'the failing payment');
      assert.equal(ftx.status, TransactionStatus.FAILED);
      assert.equal(
        await claimable(who, asset.ipAssetId, token),
        0n,
        'a failed payment credits nothing',
      );
      const ok = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: 700n,
        currencyToken: token,
      });
      await settled(ok.txHash, 'the payment');
      await until('700 credited', balanceIs(700n));
      await injectFailure('claim');
      const failedClaim = await ledger.claimRoyalties(claim);
      const claimTx = await settled(failedClaim.txHash, 'the failing claim');
      assert.equal(claimTx.status, TransactionStatus.FAILED);
      await until('the balance claimable again', balanceIs(700n));
      const retry = await ledger.claimRoyalties(claim);
      assert.equal(retry.amountWei, 700n);
      await confirmed(retry.txHash, 'the claim');
    },
  },
];
