/**
 * The ledger as a service: what the handlers refuse before it, its `info()` and `health()`, and
 * concurrent registrations and payments.
 */
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import {
  ContributorType,
  IpAssetStatus,
  PayRoyaltiesRequestSchema,
  UpdateRoyaltySplitRequestSchema,
} from '@mystira/chain-protos';
import { createChainHandlers, type Ledger, MAX_UINT256 } from '@mystira/chain-server';
import type { CaseDefinition } from './context.js';
import { ADDRESS } from './expect.js';
import { soleAuthor } from './values.js';

/** The port's methods that submit a transaction. */
const MUTATIONS = ['registerAsset', 'setRoyaltySplit', 'payRoyalties', 'claimRoyalties'];

/** `ledger`, recording in `calls` every mutation that reaches it. */
function watched(ledger: Ledger, calls: string[]): Ledger {
  return new Proxy(ledger, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (MUTATIONS.includes(String(prop))) calls.push(String(prop));
        return value.apply(target, args);
      };
    },
  });
}

export const validationCase: CaseDefinition = {
  name: 'validation: malformed splits and amounts are refused by the handlers and never reach the ledger',
  async run({ ledger, registered, wallet, token }) {
    const { asset, splits } = await registered([10000]);
    const mutations: string[] = [];
    const handlers = createChainHandlers({ ledger: watched(ledger, mutations) });
    const call = { signal: new AbortController().signal };
    const invalid = (e: { code?: number }) => e.code === Code.InvalidArgument;
    const w1 = await wallet();
    const w2 = await wallet();
    const badSplits = [
      [
        { w: w1, bps: 5000 },
        { w: w2, bps: 4999 },
      ], // sums to 9999
      [
        { w: w1, bps: 6000 },
        { w: w2, bps: 6000 },
      ], // sums to 12000
      [
        { w: w1, bps: 5000 },
        { w: w1, bps: 5000 },
      ], // the same wallet twice
      [{ w: '0x1234', bps: 10000 }], // not an address
      [
        { w: w1, bps: 0 },
        { w: w2, bps: 10000 },
      ], // a zero share
      [], // nobody
    ];
    for (const [i, bad] of badSplits.entries()) {
      const req = create(UpdateRoyaltySplitRequestSchema, {
        ipAssetId: asset.ipAssetId,
        idempotencyKey: `conformance-bad-split-${i}`,
        contributors: bad.map((c) => ({
          walletAddress: c.w,
          contributorType: ContributorType.AUTHOR,
          shareBasisPoints: c.bps,
        })),
      });
      await assert.rejects(
        handlers.updateRoyaltySplit(req, call),
        invalid,
        `bad split #${i} is INVALID_ARGUMENT`,
      );
    }
    for (const amountWei of ['0', (MAX_UINT256 + 1n).toString(), '-1', '1e18']) {
      const req = create(PayRoyaltiesRequestSchema, {
        ipAssetId: asset.ipAssetId,
        amountWei,
        currencyToken: token,
        idempotencyKey: `conformance-bad-amount-${amountWei}`,
      });
      await assert.rejects(
        handlers.payRoyalties(req, call),
        invalid,
        `amount ${amountWei} is INVALID_ARGUMENT`,
      );
    }
    assert.deepEqual(mutations, [], 'nothing reached the ledger');
    const after = await ledger.getAssetByIpId(asset.ipAssetId);
    assert.deepEqual(
      after?.contributors.map((c) => c.wallet),
      splits.map((c) => c.wallet),
    );
  },
};

export const infoCase: CaseDefinition = {
  name: 'info and health: non-empty network facts; serving with string details',
  async run({ ledger }) {
    const info = ledger.info();
    assert.ok(typeof info.network === 'string' && info.network.length > 0, 'info().network');
    assert.ok(
      typeof info.rpcEndpoint === 'string' && info.rpcEndpoint.length > 0,
      'info().rpcEndpoint',
    );
    assert.ok(info.contractAddresses && typeof info.contractAddresses === 'object');
    for (const [name, address] of Object.entries(info.contractAddresses)) {
      assert.ok(name.length > 0);
      assert.match(address, ADDRESS, `contract ${name} is a lower-case address`);
    }
    const health = await ledger.health();
    assert.equal(health.serving, true, 'a fresh ledger serves');
    assert.ok(health.details && typeof health.details === 'object');
    for (const [key, value] of Object.entries(health.details))
      assert.equal(typeof value, 'string', `details.${key}`);
  },
};

/** The concurrency cases, whose names say how many operations they start at once. */
export const concurrencyCases = (concurrency: number): CaseDefinition[] => [
  {
    name: `concurrency: ${concurrency} concurrent registrations make ${concurrency} distinct assets`,
    async run({ ledger, wallet, eventually, contentId }) {
      const inputs = await Promise.all(
        Array.from({ length: concurrency }, async () => soleAuthor(contentId(), await wallet())),
      );
      const records = await Promise.all(inputs.map((input) => ledger.registerAsset(input)));
      assert.equal(
        new Set(records.map((r) => r.ipAssetId)).size,
        concurrency,
        'distinct IP-asset ids',
      );
      for (const [i, r] of records.entries()) assert.equal(r.contentId, inputs[i]?.contentId);
      await eventually('all REGISTERED', async () => {
        const now = await Promise.all(inputs.map((i) => ledger.getAssetByContentId(i.contentId)));
        for (const a of now)
          assert.notEqual(a?.status, IpAssetStatus.FAILED, `failed: ${a?.errorMessage}`);
        return now.every((a) => a?.status === IpAssetStatus.REGISTERED) ? true : undefined;
      });
      for (const [i, r] of records.entries())
        assert.equal((await ledger.getAssetByIpId(r.ipAssetId))?.contentId, inputs[i]?.contentId);
    },
  },
  {
    name: `concurrency: ${concurrency} concurrent payments to one asset are all credited`,
    async run({ ledger, registered, token, confirmed, claimableTotal, until, allCredited }) {
      const { asset, splits } = await registered([3333, 3333, 3334]);
      const amounts = Array.from(
        { length: concurrency },
        (_, i) => 10n ** 15n + BigInt(i) * 7n + 1n,
      );
      const records = await Promise.all(
        amounts.map((amountWei) =>
          ledger.payRoyalties({ ipAssetId: asset.ipAssetId, amountWei, currencyToken: token }),
        ),
      );
      assert.equal(
        new Set(records.map((r) => r.paymentId)).size,
        concurrency,
        'distinct payment ids',
      );
      for (const r of records) await confirmed(r.txHash, 'a payment');
      const total = amounts.reduce((a, b) => a + b, 0n);
      const wallets = splits.map((s) => s.wallet);
      await until('every payment credited', async () => {
        const sum = await claimableTotal(wallets, asset.ipAssetId, token);
        assert.ok(sum <= total, 'more credited than paid');
        return allCredited(sum, total, splits.length);
      });
    },
  },
];
