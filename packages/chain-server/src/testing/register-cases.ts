/** Registration and reads: a registration's progress to final, duplicate and unknown ids. */
import assert from 'node:assert/strict';
import { ContributorType, IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import type { AssetRecord, Split } from '@mystira/chain-server';
import type { CaseDefinition } from './context.js';
import { ADDRESS, assertLedgerError, refuses, TX_HASH } from './expect.js';
import { randomAddress, soleAuthor } from './values.js';

/** Where a registration stands, in the order it may move (FAILED aside). */
const PROGRESS = [IpAssetStatus.PENDING, IpAssetStatus.PROCESSING, IpAssetStatus.REGISTERED];

export const registerCases: readonly CaseDefinition[] = [
  {
    name: 'register: PENDING (or further) at once, REGISTERED after requiredConfirmations with its transaction terminal',
    async run({ ledger, eventually, wallet, contentId }) {
      const required = ledger.requiredConfirmations;
      assert.ok(Number.isInteger(required) && required >= 1, 'requiredConfirmations >= 1');
      const id = contentId();
      const contributors: Split[] = [
        {
          wallet: await wallet(),
          type: ContributorType.AUTHOR,
          shareBps: 7000,
          displayName: 'Ada',
        },
        { wallet: await wallet(), type: ContributorType.ARTIST, shareBps: 3000 },
      ];
      const record = await ledger.registerAsset({
        contentId: id,
        title: 'A title',
        contributors,
        metadataUri: 'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
      });
      assert.equal(record.contentId, id);
      assert.equal(record.title, 'A title');
      assert.ok(
        PROGRESS.includes(record.status),
        `a new registration is PENDING, PROCESSING or REGISTERED, not ${IpAssetStatus[record.status]}`,
      );
      assert.match(record.ipAssetId, ADDRESS, 'ipAssetId is a lower-case address');
      assert.match(record.txHash, TX_HASH, 'txHash is lower-case 0x + 64 hex digits');
      assert.ok(record.nftTokenId.length > 0, 'nftTokenId is set');
      assert.deepEqual(
        record.contributors.map((c) => [c.wallet, c.type, c.shareBps]),
        contributors.map((c) => [c.wallet.toLowerCase(), c.type, c.shareBps]),
        'the split as submitted, wallets in lower case',
      );
      assert.ok(record.lastUpdated instanceof Date && record.royaltyUpdatedAt instanceof Date);
      let reached = PROGRESS.indexOf(record.status);
      const final = await eventually(`${id} REGISTERED`, async () => {
        // The asset first, then its transaction: REGISTERED must mean the transaction is final.
        const asset = await ledger.getAssetByContentId(id);
        const tx = await ledger.getTransaction(record.txHash);
        assert.ok(asset && tx, 'the asset and its transaction stay readable');
        assert.notEqual(
          asset.status,
          IpAssetStatus.FAILED,
          `registration failed: ${asset.errorMessage}`,
        );
        const at = PROGRESS.indexOf(asset.status);
        assert.ok(
          at >= reached,
          `status went back from ${IpAssetStatus[PROGRESS[reached] as IpAssetStatus]} to ${IpAssetStatus[asset.status]}`,
        );
        reached = at;
        if (tx.status === TransactionStatus.PENDING) {
          assert.equal(tx.confirmations, 0n, 'a pending transaction has 0 confirmations');
          assert.equal(asset.status, IpAssetStatus.PENDING, 'PENDING while its transaction is');
        }
        if (asset.status !== IpAssetStatus.REGISTERED) return undefined;
        assert.equal(tx.status, TransactionStatus.CONFIRMED);
        assert.ok(tx.terminal, 'REGISTERED only once the transaction is final');
        assert.ok(tx.confirmations >= BigInt(required), `at least ${required} confirmations`);
        return { asset, tx };
      });
      assert.ok(final.asset.registeredAt instanceof Date, 'registeredAt is set once REGISTERED');
      assert.equal(final.asset.txHash, record.txHash);
      assert.equal(final.asset.ipAssetId, record.ipAssetId);
      assert.equal(final.tx.hash, record.txHash);
      assert.match(final.tx.blockHash ?? '', TX_HASH, 'a mined transaction has its block hash');
      assert.ok(typeof final.tx.blockNumber === 'bigint' && final.tx.blockNumber > 0n);
      assert.equal(final.tx.errorMessage, undefined);
    },
  },
  {
    name: 'register: the same content id again is ALREADY_EXISTS, while pending and once registered',
    async run({ ledger, wallet, until, contentId }) {
      const id = contentId();
      const w = await wallet();
      const first = await ledger.registerAsset(soleAuthor(id, w));
      await refuses(
        ledger.registerAsset(soleAuthor(id, w)),
        'ALREADY_EXISTS',
        'a second registration at once',
      );
      await until(
        `${id} REGISTERED`,
        async () => (await ledger.getAssetByContentId(id))?.status === IpAssetStatus.REGISTERED,
      );
      await refuses(
        ledger.registerAsset(soleAuthor(id, w)),
        'ALREADY_EXISTS',
        'a registration of registered content',
      );
      const asset = await ledger.getAssetByContentId(id);
      assert.equal(asset?.ipAssetId, first.ipAssetId, 'the first registration stands');
    },
  },
  {
    name: 'register: concurrent registrations of one content id make one asset, the rest are ALREADY_EXISTS',
    async run({ ledger, wallet, contentId, settings }) {
      const id = contentId();
      const w = await wallet();
      const outcomes = await Promise.allSettled(
        Array.from({ length: Math.max(2, Math.min(settings.concurrency, 4)) }, () =>
          ledger.registerAsset(soleAuthor(id, w)),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      assert.equal(won.length, 1, 'exactly one registration succeeds');
      for (const o of outcomes) {
        if (o.status === 'rejected')
          assertLedgerError(o.reason, 'ALREADY_EXISTS', 'a concurrent registration');
      }
    },
  },
  {
    name: 'read: by content id and by IP-asset id agree, pending and registered',
    async run({ ledger, wallet, eventually, contentId }) {
      const id = contentId();
      const record = await ledger.registerAsset({
        contentId: id,
        title: 'Read me',
        contributors: [
          { wallet: await wallet(), type: ContributorType.PUBLISHER, shareBps: 10000 },
        ],
      });
      const same = (a: AssetRecord | undefined, b: AssetRecord | undefined, when: string) => {
        assert.ok(a && b, `${when}: both reads find the asset`);
        for (const key of [
          'contentId',
          'title',
          'ipAssetId',
          'nftTokenId',
          'txHash',
          'royaltyModuleId',
        ] as const)
          assert.equal(a[key], b[key], `${when}: ${key}`);
        assert.deepEqual(a.contributors, b.contributors, `${when}: contributors`);
        assert.equal(a.contentId, id);
        assert.equal(a.ipAssetId, record.ipAssetId);
      };
      same(
        await ledger.getAssetByContentId(id),
        await ledger.getAssetByIpId(record.ipAssetId),
        'at once',
      );
      await eventually(`${id} REGISTERED`, async () => {
        const byIp = await ledger.getAssetByIpId(record.ipAssetId);
        return byIp?.status === IpAssetStatus.REGISTERED ? byIp : undefined;
      });
      const byContent = await ledger.getAssetByContentId(id);
      const byIp = await ledger.getAssetByIpId(record.ipAssetId);
      same(byContent, byIp, 'once registered');
      assert.equal(byContent?.status, IpAssetStatus.REGISTERED);
      assert.equal(byIp?.status, IpAssetStatus.REGISTERED);
    },
  },
  {
    name: 'read: unknown content ids, IP-asset ids and wallets are undefined or empty, not errors',
    async run({ ledger, contentId }) {
      assert.equal(await ledger.getAssetByContentId(contentId()), undefined);
      assert.equal(await ledger.getAssetByIpId(randomAddress()), undefined);
      assert.deepEqual(await ledger.claimableBalances(randomAddress()), []);
      assert.deepEqual(await ledger.claimableBalances(randomAddress(), randomAddress()), []);
    },
  },
];
