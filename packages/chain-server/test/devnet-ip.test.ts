/**
 * `DevnetLedger.ip`: what is particular to the devnet's IP part (its own collection, the default
 * terms id 1, license fees as revenue, the exact rounding of the royalty flow, refusals, aborts
 * and injected failures). What every ledger must do is in the conformance kit's `ip:` cases.
 */
import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import {
  DevnetLedger,
  type LicenseTermsInput,
  type Split,
  splitByBasisPoints,
} from '@mystira/chain-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const TOKEN = '0x1514000000000000000000000000000000000000';
const wallet = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
const HUNDRED = 100_000_000;

/** Commercial remix terms with a revenue share (millionths of a percent) and a policy. */
function remix(share: number, policy: 'lap' | 'lrp', fee = 0n): LicenseTermsInput {
  return {
    transferable: true,
    royaltyPolicy: policy,
    mintingFeeWei: fee,
    expirationSeconds: 0n,
    commercialUse: true,
    commercialAttribution: true,
    commercialRevShareMicroPercent: share,
    derivativesAllowed: true,
    derivativesAttribution: true,
    derivativesApproval: false,
    derivativesReciprocal: true,
    currencyToken: TOKEN,
    termsUri: `https://example.test/remix/${policy}/${share}/${fee}`,
  };
}

/** A devnet mined by hand, and its writes awaited past the block that includes them. */
function devnet(requiredConfirmations = 1) {
  const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations });
  const inBlock = <T>(write: Promise<T>): Promise<T> => {
    ledger.mine();
    return write;
  };
  let contents = 0;
  /** Registers an asset with `splits` (default: one new wallet), optionally as a derivative. */
  const asset = async (
    parents: { ipAssetId: string; licenseTermsId: bigint }[] = [],
    splits: Split[] = [{ wallet: wallet(1000 + contents), type: 3, shareBps: 10000 }],
  ) => {
    const record = await inBlock(
      ledger.ip.mintAndRegisterIpAsset({
        contentId: `content-${++contents}`,
        royaltyShares: splits,
        parents,
      }),
    );
    expect(record.state, record.errorMessage).not.toBe('failed');
    return { ...record, wallet: splits[0]!.wallet };
  };
  const terms = async (t: LicenseTermsInput) =>
    (await inBlock(ledger.ip.registerLicenseTerms(t))).licenseTermsId!;
  const attached = async (ipAssetId: string, licenseTermsId: bigint) => {
    await inBlock(ledger.ip.attachLicenseTerms({ ipAssetId, licenseTermsId }));
    return { ipAssetId, licenseTermsId };
  };
  const pay = async (ipAssetId: string, amountWei: bigint) => {
    ledger.mine(ledger.requiredConfirmations);
    await ledger.payRoyalties({ ipAssetId, amountWei, currencyToken: TOKEN });
    ledger.mine();
  };
  const claimable = async (who: string, ipAssetId: string) =>
    (await ledger.claimableBalances(who, ipAssetId)).reduce((s, b) => s + b.amountWei, 0n);
  return { ledger, inBlock, asset, terms, attached, pay, claimable };
}

describe('DevnetLedger.ip', () => {
  it('has its own collection and the Non-Commercial Social Remixing terms as id 1, as Story does', async () => {
    const { ledger, asset } = devnet();
    const first = await asset();
    const own = await ledger.ip.getCollection(first.collection);
    expect(own).toMatchObject({ state: 'confirmed', totalSupply: 1, mintOpen: true });
    expect(own?.txHash).toBeUndefined();
    expect(ledger.info().contractAddresses.spgNftCollection).toBe(first.collection);
    const ncsr = await ledger.ip.getLicenseTerms(1n);
    expect(ncsr?.terms).toMatchObject({
      commercialUse: false,
      derivativesAllowed: true,
      derivativesReciprocal: true,
      royaltyPolicy: 'none',
    });
    const again = await ledger.ip.registerLicenseTerms(ncsr!.terms);
    expect(again).toMatchObject({ state: 'confirmed', licenseTermsId: 1n });
    expect(again.txHash).toBeUndefined();
    expect(await ledger.ip.getLicenseTerms(2n)).toBeUndefined();
  });

  it('answers a write once its transaction is in a block, then reads it CONFIRMED when final', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 3 });
    let answered = false;
    const writing = ledger.ip
      .mintAndRegisterIpAsset({
        contentId: 'story',
        ipMetadata: { kind: 'json', json: '{"title":"The Story","b":1}' },
        royaltyShares: [{ wallet: wallet(1), type: 3, shareBps: 10000 }],
        parents: [],
      })
      .then((r) => {
        answered = true;
        return r;
      });
    const pending = await ledger.ip.getIpAsset({ contentId: 'story' });
    expect(pending).toMatchObject({ state: 'pending', ipAssetId: '', nftTokenId: '' });
    await Promise.resolve();
    expect(answered).toBe(false);
    ledger.mine();
    const record = await writing;
    expect(record).toMatchObject({ state: 'processing', contentId: 'story' });
    expect(record.ipAssetId).toMatch(/^0x[0-9a-f]{40}$/);
    expect(record.registeredAt).toBeInstanceOf(Date);
    // keccak256 of the very bytes given.
    expect(record.ipMetadata?.hash).toBe(
      '0x508932e359eed81bbfe7a056eb5d5b6feb828051f91ea0404237918f92ebf56b',
    );
    expect(record.ipMetadata?.json).toBe('{"title":"The Story","b":1}');
    const asLedger = await ledger.getAssetByIpId(record.ipAssetId);
    expect(asLedger).toMatchObject({ title: 'The Story', status: IpAssetStatus.PROCESSING });
    expect((await ledger.getTransaction(record.txHash!))?.status).toBe(TransactionStatus.CONFIRMED);
    ledger.mine(2);
    expect((await ledger.ip.getIpAsset({ ipAssetId: record.ipAssetId }))?.state).toBe('confirmed');
    expect((await ledger.getAssetByContentId('story'))?.status).toBe(IpAssetStatus.REGISTERED);
  });

  it('shares content ids with registerAsset, both ways, while pending too', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
    const shares: Split[] = [{ wallet: wallet(1), type: 3, shareBps: 10000 }];
    await ledger.registerAsset({ contentId: 'a', title: 'a', contributors: shares });
    await expect(
      ledger.ip.mintAndRegisterIpAsset({ contentId: 'a', royaltyShares: shares, parents: [] }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const b = ledger.ip.mintAndRegisterIpAsset({
      contentId: 'b',
      royaltyShares: shares,
      parents: [],
    });
    await expect(
      ledger.registerAsset({ contentId: 'b', title: 'b', contributors: shares }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    ledger.mine();
    await b;
    // An asset registerAsset made is an IP asset: terms attach to it and it can be a parent.
    const a = (await ledger.getAssetByContentId('a'))!;
    const read = await ledger.ip.getIpAsset({ ipAssetId: a.ipAssetId });
    expect(read).toMatchObject({ contentId: 'a', state: 'confirmed', licenseTerms: [] });
    const attaching = ledger.ip.attachLicenseTerms({ ipAssetId: a.ipAssetId, licenseTermsId: 1n });
    ledger.mine();
    expect((await attaching).state).toBe('confirmed');
    const child = ledger.ip.mintAndRegisterIpAsset({
      contentId: 'c',
      royaltyShares: shares,
      parents: [{ ipAssetId: a.ipAssetId, licenseTermsId: 1n }],
    });
    ledger.mine();
    expect((await child).parents).toEqual([{ ipAssetId: a.ipAssetId, licenseTermsId: 1n }]);
    expect((await ledger.ip.getIpAsset({ contentId: 'a' }))?.childCount).toBe(1);
  });

  it('gives identical terms registered in flight the id of the first', async () => {
    const { ledger } = devnet();
    const one = ledger.ip.registerLicenseTerms(remix(5_000_000, 'lap'));
    const two = ledger.ip.registerLicenseTerms(remix(5_000_000, 'lap'));
    ledger.mine();
    const [a, b] = await Promise.all([one, two]);
    expect(a.licenseTermsId).toBe(2n);
    expect(b.licenseTermsId).toBe(2n);
    expect(a.txHash).not.toBe(b.txHash);
  });

  it('counts license token ids from 0 and credits the minting fee to the licensor and its ancestors', async () => {
    const { ledger, inBlock, asset, terms, attached, claimable } = devnet();
    const t = await terms(remix(20 * 1_000_000, 'lap', 1_000n));
    const root = await asset();
    await attached(root.ipAssetId, t);
    const child = await asset([{ ipAssetId: root.ipAssetId, licenseTermsId: t }]);
    // The derivative paid the root one license's fee.
    expect(await claimable(root.wallet, root.ipAssetId)).toBe(1_000n);
    const minted = await inBlock(
      ledger.ip.mintLicenseTokens({
        licensorIpAssetId: child.ipAssetId,
        licenseTermsId: t,
        amount: 3,
        receiver: wallet(77).toUpperCase().replace('0X', '0x'),
      }),
    );
    expect(minted).toMatchObject({ tokenIds: [0n, 1n, 2n], mintingFeePaidWei: 3_000n });
    expect(minted.receiver).toBe(wallet(77));
    // 3000 wei of revenue of the child: 20 % to the root (LAP), the rest to the child.
    expect(await claimable(root.wallet, root.ipAssetId)).toBe(1_600n);
    expect(await claimable(child.wallet, child.ipAssetId)).toBe(2_400n);
    expect(ledger.totals()).toMatchObject({ paid: 4_000n, claimable: 4_000n });
    const more = await inBlock(
      ledger.ip.mintLicenseTokens({
        licensorIpAssetId: root.ipAssetId,
        licenseTermsId: t,
        amount: 1,
        receiver: wallet(77),
      }),
    );
    expect(more.tokenIds).toEqual([3n]);
    // No receiver: the tokens go to the ledger's own wallet.
    const own = await inBlock(
      ledger.ip.mintLicenseTokens({
        licensorIpAssetId: root.ipAssetId,
        licenseTermsId: t,
        amount: 1,
        receiver: '',
      }),
    );
    expect(own.receiver).toMatch(/^0x[0-9a-f]{40}$/);
    expect(
      (await ledger.ip.getCollection(ledger.info().contractAddresses.spgNftCollection!))?.owner,
    ).toBe(own.receiver);
  });

  it('divides a payment exactly: floor to each ancestor, the rest to the payee, then by basis points', async () => {
    const { asset, terms, attached, pay, claimable } = devnet();
    for (const policy of ['lap', 'lrp'] as const) {
      const t = await terms(remix(10_000_000, policy));
      const a = await asset();
      const b = await asset([await attached(a.ipAssetId, t)]);
      const c = await asset(
        [{ ipAssetId: b.ipAssetId, licenseTermsId: t }],
        [
          { wallet: wallet(501), type: 3, shareBps: 3333 },
          { wallet: wallet(502), type: 4, shareBps: 6667 },
        ],
      );
      await pay(c.ipAssetId, 999n);
      // LAP: 10 % of 999 to each ancestor (99.9 → 99). LRP: the grandparent 10 % of 10 % (9.99 → 9).
      const grandparent = policy === 'lap' ? 99n : 9n;
      expect(await claimable(b.wallet, b.ipAssetId)).toBe(99n);
      expect(await claimable(a.wallet, a.ipAssetId)).toBe(grandparent);
      const rest = 999n - 99n - grandparent;
      const [p1, p2] = splitByBasisPoints(rest, [3333, 6667]);
      expect(await claimable(wallet(501), c.ipAssetId)).toBe(p1);
      expect(await claimable(wallet(502), c.ipAssetId)).toBe(p2);
      // 1 wei: every ancestor's share floors to 0, so the payee keeps it.
      await pay(b.ipAssetId, 1n);
      expect(await claimable(b.wallet, b.ipAssetId)).toBe(100n);
    }
  });

  it('counts each LAP link once and each LRP path, in a diamond', async () => {
    const { asset, terms, attached, pay, claimable } = devnet();
    for (const policy of ['lap', 'lrp'] as const) {
      const t = await terms(remix(10_000_000, policy));
      const a = await asset();
      await attached(a.ipAssetId, t);
      const b = await asset([{ ipAssetId: a.ipAssetId, licenseTermsId: t }]);
      const c = await asset([{ ipAssetId: a.ipAssetId, licenseTermsId: t }]);
      const d = await asset([
        { ipAssetId: b.ipAssetId, licenseTermsId: t },
        { ipAssetId: c.ipAssetId, licenseTermsId: t },
      ]);
      await pay(d.ipAssetId, 10_000n);
      expect(await claimable(b.wallet, b.ipAssetId)).toBe(1_000n);
      expect(await claimable(c.wallet, c.ipAssetId)).toBe(1_000n);
      // LAP: the links B→A and C→A, 10 % each. LRP: two paths of 10 % of 10 %.
      expect(await claimable(a.wallet, a.ipAssetId)).toBe(policy === 'lap' ? 2_000n : 200n);
      expect(await claimable(d.wallet, d.ipAssetId)).toBe(policy === 'lap' ? 6_000n : 7_800n);
    }
  });

  it('refuses a derivative whose royalty stack would pass 100 %, and what breaks the rules', async () => {
    const { ledger, asset, terms, attached } = devnet();
    const t = await terms(remix(40 * 1_000_000, 'lap'));
    const a = await asset();
    const b = await asset([await attached(a.ipAssetId, t)]);
    const c = await asset([{ ipAssetId: b.ipAssetId, licenseTermsId: t }]); // 80 %
    const register = (parents: { ipAssetId: string; licenseTermsId: bigint }[], more = {}) =>
      ledger.ip.mintAndRegisterIpAsset({
        contentId: `refused-${Math.random()}`,
        royaltyShares: [{ wallet: wallet(1), type: 3, shareBps: 10000 }],
        parents,
        ...more,
      });
    await expect(register([{ ipAssetId: c.ipAssetId, licenseTermsId: t }])).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringMatching(/100 %/),
    });
    await expect(
      ledger.ip.attachLicenseTerms({ ipAssetId: b.ipAssetId, licenseTermsId: 1n }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    const approval = await terms({ ...remix(0, 'lap'), derivativesApproval: true });
    await attached(a.ipAssetId, approval);
    await expect(
      register([{ ipAssetId: a.ipAssetId, licenseTermsId: approval }]),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    await expect(
      register([
        { ipAssetId: a.ipAssetId, licenseTermsId: t },
        { ipAssetId: a.ipAssetId, licenseTermsId: t },
      ]),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    await expect(register([{ ipAssetId: wallet(9), licenseTermsId: t }])).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(register([], { collection: wallet(9) })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('fills a collection up to its maxSupply, counting mints in flight', async () => {
    const { ledger, inBlock } = devnet();
    const created = await inBlock(
      ledger.ip.createCollection({ name: 'n', symbol: 's', contractUri: '', maxSupply: 1 }),
    );
    const mint = (contentId: string) =>
      ledger.ip.mintAndRegisterIpAsset({
        contentId,
        collection: created.address!,
        royaltyShares: [{ wallet: wallet(1), type: 3, shareBps: 10000 }],
        parents: [],
      });
    const first = mint('one');
    await expect(mint('two')).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    ledger.mine();
    expect((await first).nftTokenId).toBe('1');
    expect((await ledger.ip.getCollection(created.address!))?.totalSupply).toBe(1);
  });

  it('resolves FAILED when an injected failure hits a write, undoing it', async () => {
    const { ledger, inBlock, asset, terms, attached, claimable } = devnet();
    const t = await terms(remix(0, 'lap', 50n));
    const root = await asset();
    await attached(root.ipAssetId, t);
    const own = (await ledger.ip.getCollection(root.collection))!.totalSupply;
    for (const kind of [
      'ip-register',
      'license-tokens',
      'attach-terms',
      'license-terms',
      'collection',
    ] as const) {
      ledger.failNextTransaction({ kind, message: `no ${kind}` });
    }
    const failed = await inBlock(
      ledger.ip.mintAndRegisterIpAsset({
        contentId: 'again',
        royaltyShares: [{ wallet: wallet(1), type: 3, shareBps: 10000 }],
        parents: [{ ipAssetId: root.ipAssetId, licenseTermsId: t }],
      }),
    );
    expect(failed).toMatchObject({
      state: 'failed',
      errorMessage: 'no ip-register',
      ipAssetId: '',
    });
    expect((await ledger.getAssetByContentId('again'))?.status).toBe(IpAssetStatus.FAILED);
    expect((await ledger.ip.getCollection(root.collection))?.totalSupply).toBe(own);
    expect((await ledger.ip.getIpAsset({ ipAssetId: root.ipAssetId }))?.childCount).toBe(0);
    const tokens = await inBlock(
      ledger.ip.mintLicenseTokens({
        licensorIpAssetId: root.ipAssetId,
        licenseTermsId: t,
        amount: 1,
        receiver: wallet(2),
      }),
    );
    expect(tokens).toMatchObject({ state: 'failed', tokenIds: [] });
    expect(await claimable(root.wallet, root.ipAssetId)).toBe(0n);
    const attach = await inBlock(
      ledger.ip.attachLicenseTerms({ ipAssetId: root.ipAssetId, licenseTermsId: 1n }),
    );
    expect(attach.state).toBe('failed');
    const reg = await inBlock(ledger.ip.registerLicenseTerms(remix(1, 'lrp')));
    expect(reg.state).toBe('failed');
    expect(reg.licenseTermsId).toBeUndefined();
    const col = await inBlock(
      ledger.ip.createCollection({ name: 'x', symbol: 'x', contractUri: '' }),
    );
    expect(col).toMatchObject({ state: 'failed', errorMessage: 'no collection' });
    expect(col.address).toBeUndefined();
    // The content id is free again.
    const retry = await asset([{ ipAssetId: root.ipAssetId, licenseTermsId: t }]);
    expect(retry.state).toBe('confirmed');
    expect(await claimable(root.wallet, root.ipAssetId)).toBe(50n);
  });

  it('stops waiting on abort while the write still lands; UNAVAILABLE when made unavailable', async () => {
    const { ledger } = devnet();
    const abort = new AbortController();
    const writing = ledger.ip.createCollection(
      { name: 'n', symbol: 's', contractUri: '' },
      abort.signal,
    );
    abort.abort(new Error('caller gone'));
    await expect(writing).rejects.toThrow('caller gone');
    ledger.mine();
    expect(ledger.blockNumber).toBe(1n);
    ledger.setAvailable(false);
    await expect(ledger.ip.getLicenseTerms(1n)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('conserves wei over random derivative graphs (several parents), payments and claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            parents: fc.uniqueArray(fc.nat(), { minLength: 0, maxLength: 2 }),
            share: fc.integer({ min: 0, max: HUNDRED / 4 }),
            policy: fc.constantFrom('lap' as const, 'lrp' as const),
          }),
          { minLength: 1, maxLength: 7 },
        ),
        fc.array(
          fc.record({
            node: fc.nat(),
            amount: fc.bigInt({ min: 1n, max: 10n ** 24n }),
            claim: fc.boolean(),
          }),
          {
            maxLength: 10,
          },
        ),
        async (nodes, payments) => {
          const { ledger, asset, terms, attached, pay } = devnet();
          const made: { ipAssetId: string; wallet: string; terms: bigint }[] = [];
          for (const node of nodes) {
            const t = await terms(remix(node.share, node.policy));
            const parents = [...new Set(node.parents.map((p) => p % Math.max(1, made.length)))]
              .filter(() => made.length > 0)
              .map((p) => ({ ipAssetId: made[p]!.ipAssetId, licenseTermsId: made[p]!.terms }));
            try {
              const a = await asset(parents);
              if (parents.length === 0) await attached(a.ipAssetId, t);
              made.push({ ...a, terms: parents[0]?.licenseTermsId ?? t });
            } catch (err) {
              expect((err as { code?: string }).code).toBe('FAILED_PRECONDITION');
            }
          }
          let paid = 0n;
          for (const p of payments) {
            const target = made[p.node % made.length]!;
            await pay(target.ipAssetId, p.amount);
            paid += p.amount;
            if (p.claim) {
              const [b] = await ledger.claimableBalances(target.wallet, target.ipAssetId);
              if (b) {
                await ledger.claimRoyalties({ ...b, wallet: target.wallet });
                ledger.mine();
              }
            }
          }
          const totals = ledger.totals();
          expect(totals.paid).toBe(paid);
          expect(totals.claimed + totals.claimable).toBe(paid);
        },
      ),
      { numRuns: 40 },
    );
  });
});
