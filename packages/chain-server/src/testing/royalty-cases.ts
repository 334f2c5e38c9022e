/** Royalties: replacing a split, paying, claiming, and the amounts at the edges. */
import assert from 'node:assert/strict';
import { ContributorType, IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import { MAX_UINT256, type Split } from '@mystira/chain-server';
import type { CaseDefinition } from './context.js';
import { assertLedgerError, refuses, TX_HASH } from './expect.js';
import { randomAddress } from './values.js';

export const splitCases: readonly CaseDefinition[] = [
  {
    name: 'split: replacing a split takes effect once its transaction is confirmed',
    async run({ ledger, registered, wallet, confirmed, eventually, ownWallet }) {
      const { asset, splits } = await registered([5000, 5000], { own: true });
      // Where only the ledger's own share can shrink, the update moves part of it to a new
      // wallet and keeps the other contributor; otherwise two new wallets replace both.
      const next: Split[] =
        ownWallet === undefined
          ? [
              { wallet: await wallet(), type: ContributorType.CURATOR, shareBps: 1 },
              {
                wallet: await wallet(),
                type: ContributorType.OTHER,
                shareBps: 9999,
                displayName: 'Zoë',
              },
            ]
          : [
              { wallet: ownWallet, type: ContributorType.PUBLISHER, shareBps: 1 },
              { ...(splits[1] as Split), shareBps: 5000 },
              {
                wallet: await wallet(),
                type: ContributorType.OTHER,
                shareBps: 4999,
                displayName: 'Zoë',
              },
            ];
      const update = await ledger.setRoyaltySplit(asset.ipAssetId, next);
      assert.equal(update.errorMessage, undefined, 'a submitted update carries no error');
      assert.equal(update.ipAssetId, asset.ipAssetId);
      assert.match(update.txHash, TX_HASH);
      assert.deepEqual(
        update.contributors.map((c) => [c.wallet, c.shareBps]),
        next.map((c) => [c.wallet, c.shareBps]),
      );
      await confirmed(update.txHash, 'the split update');
      const newcomer = next.at(-1)?.wallet;
      const after = await eventually('the new split in force', async () => {
        const a = await ledger.getAssetByIpId(asset.ipAssetId);
        return a?.contributors.some((c) => c.wallet === newcomer) ? a : undefined;
      });
      assert.deepEqual(
        after.contributors.map((c) => [c.wallet, c.type, c.shareBps]),
        next.map((c) => [c.wallet, c.type, c.shareBps]),
      );
      assert.ok(after.royaltyUpdatedAt.getTime() >= asset.royaltyUpdatedAt.getTime());
      assert.equal(after.status, IpAssetStatus.REGISTERED);
    },
  },
  {
    name: 'split: lowering a share the ledger cannot take back is FAILED_PRECONDITION and changes nothing',
    async run({ ledger, registered, wallet, ownWallet }) {
      // Only ledgers with royaltyRules.reducibleShares have such shares; others pass trivially.
      if (ownWallet === undefined) return;
      const { asset, splits } = await registered([5000, 5000], { own: true });
      const [own, other] = splits as [Split, Split];
      const next: Split[] = [
        { ...own, shareBps: 5001 },
        { ...other, shareBps: 4000 },
        { wallet: await wallet(), type: ContributorType.OTHER, shareBps: 999 },
      ];
      await refuses(
        ledger.setRoyaltySplit(asset.ipAssetId, next),
        'FAILED_PRECONDITION',
        "lowering another contributor's share",
      );
      const after = await ledger.getAssetByIpId(asset.ipAssetId);
      assert.deepEqual(
        after?.contributors.map((c) => [c.wallet, c.shareBps]),
        splits.map((c) => [c.wallet, c.shareBps]),
        'the split is unchanged',
      );
    },
  },
  {
    name: 'split and pay: an unknown asset is NOT_FOUND, one not registered yet FAILED_PRECONDITION',
    async run({ ledger, wallet, token, contentId }) {
      const split: Split[] = [
        { wallet: await wallet(), type: ContributorType.AUTHOR, shareBps: 10000 },
      ];
      const unknown = randomAddress();
      await refuses(
        ledger.setRoyaltySplit(unknown, split),
        'NOT_FOUND',
        'setRoyaltySplit of an unknown asset',
      );
      await refuses(
        ledger.payRoyalties({ ipAssetId: unknown, amountWei: 1n, currencyToken: token }),
        'NOT_FOUND',
        'payRoyalties to an unknown asset',
      );
      await refuses(
        ledger.claimRoyalties({
          ipAssetId: unknown,
          wallet: split[0]!.wallet,
          currencyToken: token,
        }),
        'NOT_FOUND',
        'claimRoyalties from an unknown asset',
      );
      const record = await ledger.registerAsset({
        contentId: contentId(),
        title: 't',
        contributors: split,
      });
      // A chain may have made it final meanwhile: then the ledger is right to accept.
      const notYet = async (p: Promise<unknown>, what: string) => {
        try {
          await p;
        } catch (err) {
          assertLedgerError(err, 'FAILED_PRECONDITION', what);
          return;
        }
        const now = await ledger.getAssetByIpId(record.ipAssetId);
        assert.equal(
          now?.status,
          IpAssetStatus.REGISTERED,
          `${what}: accepted before the asset was registered`,
        );
      };
      await notYet(
        ledger.setRoyaltySplit(record.ipAssetId, split),
        'setRoyaltySplit of a pending asset',
      );
      await notYet(
        ledger.payRoyalties({ ipAssetId: record.ipAssetId, amountWei: 1n, currencyToken: token }),
        'payRoyalties to a pending asset',
      );
    },
  },
];

export const paymentCases: readonly CaseDefinition[] = [
  {
    name: 'pay: a payment is credited to the split only once its transaction is confirmed',
    async run(ctx) {
      const { ledger, registered, token, claimable, claimableTotal, eventually, settled } = ctx;
      const { asset, splits } = await registered([6000, 4000]);
      const amount = 1_000_000_007n;
      const paid = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: amount,
        currencyToken: token,
        payerReference: 'invoice-1',
      });
      assert.equal(paid.ipAssetId, asset.ipAssetId);
      assert.equal(paid.amountWei, amount);
      assert.equal(paid.currencyToken, token);
      assert.match(paid.txHash, TX_HASH);
      assert.ok(paid.paymentId.length > 0, 'paymentId is set');
      assert.ok(paid.paidAt instanceof Date);
      assert.notEqual(paid.status, 'failed', `the payment failed: ${paid.errorMessage}`);
      const credited = () =>
        claimableTotal(
          splits.map((s) => s.wallet),
          asset.ipAssetId,
          token,
        );
      // Balances first, then the transaction: a credit must come from an included transaction.
      const total = await eventually('the payment credited', async () => {
        const sum = await credited();
        const tx = await ledger.getTransaction(paid.txHash);
        assert.ok(tx, 'getTransaction knows the payment');
        if (sum > 0n) {
          assert.equal(tx.status, TransactionStatus.CONFIRMED, 'credited only once confirmed');
          return sum;
        }
        if (tx.terminal) {
          assert.equal(
            tx.status,
            TransactionStatus.CONFIRMED,
            `the payment failed: ${tx.errorMessage}`,
          );
        }
        return undefined;
      });
      const whole = (sum: bigint) => ctx.allCredited(sum, amount, splits.length);
      assert.ok(whole(total), `${total} of ${amount} wei credited: wei lost or created`);
      await settled(paid.txHash, 'the payment');
      assert.ok(whole(await credited()), 'the credit stays once final');
      const a = await claimable(splits[0]!.wallet, asset.ipAssetId, token);
      assert.ok(
        a >= (amount * 6000n) / 10000n && a <= (amount * 6000n) / 10000n + 1n,
        'credited by basis points',
      );
    },
  },
  {
    name: 'claim: takes the whole claimable balance; a second claim with nothing claimable is FAILED_PRECONDITION',
    async run(ctx) {
      const { ledger, registered, token, claimable, eventually, until, settled, confirmed } = ctx;
      const { asset, splits } = await registered([2500, 7500]);
      const p = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: 10n ** 18n + 3n,
        currencyToken: token,
      });
      await settled(p.txHash, 'the payment');
      const [a, b] = splits as [Split, Split];
      const credited = (who: string, what: string) =>
        eventually(what, async () => {
          const v = await claimable(who, asset.ipAssetId, token);
          return v > 0n ? v : undefined;
        });
      const balanceA = await credited(a.wallet, 'a credited');
      const balanceB = await credited(b.wallet, 'b credited');
      assert.ok(ctx.allCredited(balanceA + balanceB, 10n ** 18n + 3n, 2), 'all credited');
      const claim = await ledger.claimRoyalties({
        ipAssetId: asset.ipAssetId,
        wallet: a.wallet.toUpperCase().replace('0X', '0x'),
        currencyToken: token,
      });
      assert.equal(claim.amountWei, balanceA, 'a claim takes the whole balance');
      assert.equal(claim.wallet, a.wallet, 'the wallet in lower case');
      assert.equal(claim.ipAssetId, asset.ipAssetId);
      assert.equal(claim.currencyToken, token);
      assert.match(claim.txHash, TX_HASH);
      assert.ok(claim.claimedAt instanceof Date);
      assert.notEqual(claim.status, 'failed', `the claim failed: ${claim.errorMessage}`);
      await confirmed(claim.txHash, 'the claim');
      await until(
        'a has nothing left to claim',
        async () => (await claimable(a.wallet, asset.ipAssetId, token)) === 0n,
      );
      const left = await ledger.claimableBalances(a.wallet, asset.ipAssetId);
      assert.deepEqual(
        left.filter((x) => x.currencyToken === token),
        [],
        'a zero balance is left out',
      );
      await refuses(
        ledger.claimRoyalties({
          ipAssetId: asset.ipAssetId,
          wallet: a.wallet,
          currencyToken: token,
        }),
        'FAILED_PRECONDITION',
        'a second claim',
      );
      await refuses(
        ledger.claimRoyalties({
          ipAssetId: asset.ipAssetId,
          wallet: await ctx.wallet(),
          currencyToken: token,
        }),
        'FAILED_PRECONDITION',
        'a claim by a wallet outside the split',
      );
      assert.equal(
        await claimable(b.wallet, asset.ipAssetId, token),
        balanceB,
        "the other contributor's balance is untouched",
      );
    },
  },
];

export const amountCases: readonly CaseDefinition[] = [
  {
    name: 'amounts: 1 wei is credited to exactly one contributor and can be claimed',
    async run({ ledger, registered, token, settled, confirmed, claimable, eventually, wallet }) {
      // Under `floor` rounding 1 wei split in halves is credited to no one (each half floors
      // to 0): there the asset has one contributor, and a wallet outside the split is the other.
      const floor = ledger.royaltyRules?.rounding === 'floor';
      const { asset, splits } = await registered(floor ? [10000] : [5000, 5000]);
      const wallets = floor ? [splits[0]!.wallet, await wallet()] : splits.map((s) => s.wallet);
      const p = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: 1n,
        currencyToken: token,
      });
      assert.equal(p.amountWei, 1n);
      await settled(p.txHash, 'the payment');
      const balances = await eventually('1 wei credited', async () => {
        const b = await Promise.all(wallets.map((w) => claimable(w, asset.ipAssetId, token)));
        return b[0]! + b[1]! === 1n ? b : undefined;
      });
      const who = wallets[balances.indexOf(1n)]!;
      const other = wallets[balances.indexOf(0n)]!;
      assert.deepEqual(
        (await ledger.claimableBalances(other, asset.ipAssetId)).filter(
          (b) => b.currencyToken === token,
        ),
        [],
        'a zero balance is left out',
      );
      const c = await ledger.claimRoyalties({
        ipAssetId: asset.ipAssetId,
        wallet: who,
        currencyToken: token,
      });
      assert.equal(c.amountWei, 1n);
      await confirmed(c.txHash, 'the claim');
    },
  },
  {
    name: 'amounts: 2^256-1 wei is credited exactly; a payment past a full vault is refused or fails, crediting nothing',
    async run({ ledger, registered, token, settled, confirmed, claimableTotal, until }) {
      const { asset, splits } = await registered([1, 9999]);
      const p = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: MAX_UINT256,
        currencyToken: token,
      });
      assert.equal(p.amountWei, MAX_UINT256);
      await confirmed(p.txHash, 'the payment');
      const sum = () =>
        claimableTotal(
          splits.map((s) => s.wallet),
          asset.ipAssetId,
          token,
        );
      await until('2^256-1 credited', async () => (await sum()) === MAX_UINT256);
      // Past the vault's uint256: a refusal (gas estimation reverts) or a failed transaction.
      try {
        const more = await ledger.payRoyalties({
          ipAssetId: asset.ipAssetId,
          amountWei: 1n,
          currencyToken: token,
        });
        const tx = await settled(more.txHash, 'the overflowing payment');
        assert.equal(tx.status, TransactionStatus.FAILED, 'a payment past 2^256-1 cannot succeed');
        assert.ok(tx.errorMessage, 'a failed transaction says why');
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        assertLedgerError(err, 'FAILED_PRECONDITION', 'a payment past 2^256-1');
      }
      assert.equal(await sum(), MAX_UINT256, 'nothing more credited');
    },
  },
];
