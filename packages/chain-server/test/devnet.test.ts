import { Code, ConnectError } from '@connectrpc/connect';
import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import { DevnetLedger, LedgerError, MAX_UINT256, type Split } from '@mystira/chain-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharesArb } from './arbitraries.js';
import { clientFor, registration, startServer } from './helpers.js';

const NATIVE = '0x0000000000000000000000000000000000000000';
const wallet = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
const splits = (shares: number[]): Split[] =>
  shares.map((shareBps, i) => ({ wallet: wallet(i + 1), type: 3, shareBps }));

async function registered(ledger: DevnetLedger, contentId: string, shares = [10000]) {
  const asset = await ledger.registerAsset({
    contentId,
    title: contentId,
    contributors: splits(shares),
  });
  ledger.mine(ledger.requiredConfirmations);
  return asset;
}

describe('DevnetLedger', () => {
  it('moves a registration PENDING → PROCESSING → REGISTERED with growing confirmations', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 3 });
    const asset = await ledger.registerAsset({
      contentId: 'c1',
      title: 't',
      contributors: splits([10000]),
    });
    expect(asset.status).toBe(IpAssetStatus.PENDING);
    const seen: [TransactionStatus, bigint, boolean][] = [];
    const off = ledger.onTransaction(asset.txHash, (s) =>
      seen.push([s.status, s.confirmations, s.terminal]),
    );
    ledger.mine();
    expect((await ledger.getAssetByContentId('c1'))?.status).toBe(IpAssetStatus.PROCESSING);
    ledger.mine(2);
    expect((await ledger.getAssetByContentId('c1'))?.status).toBe(IpAssetStatus.REGISTERED);
    expect(seen).toEqual([
      [TransactionStatus.CONFIRMED, 1n, false],
      [TransactionStatus.CONFIRMED, 2n, false],
      [TransactionStatus.CONFIRMED, 3n, true],
    ]);
    const tx = await ledger.getTransaction(asset.txHash);
    expect(tx?.blockNumber).toBe(1n);
    expect(tx?.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
    off();
    expect(ledger.listenerCount()).toBe(0);
  });

  it('injects failures, stalls blocks and goes unavailable', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
    ledger.failNextTransaction({ kind: 'register', message: 'boom' });
    const a = await ledger.registerAsset({
      contentId: 'f',
      title: 't',
      contributors: splits([10000]),
    });
    ledger.stallBlocks(2);
    expect(ledger.mine(2)).toBe(0);
    expect((await ledger.getTransaction(a.txHash))?.status).toBe(TransactionStatus.PENDING);
    ledger.mine();
    const failed = await ledger.getAssetByContentId('f');
    expect(failed?.status).toBe(IpAssetStatus.FAILED);
    expect(failed?.errorMessage).toBe('boom');
    // A failed registration can be submitted again.
    await registered(ledger, 'f');
    ledger.setAvailable(false);
    await expect(ledger.getAssetByContentId('f')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect((await ledger.health()).serving).toBe(false);
  });

  it('refuses what cannot be done with typed errors', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
    await expect(ledger.setRoyaltySplit('0xnope', splits([10000]))).rejects.toBeInstanceOf(
      LedgerError,
    );
    const pending = await ledger.registerAsset({
      contentId: 'p',
      title: 't',
      contributors: splits([10000]),
    });
    await expect(
      ledger.payRoyalties({ ipAssetId: pending.ipAssetId, amountWei: 1n, currencyToken: NATIVE }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    await expect(
      ledger.registerAsset({ contentId: 'p', title: 't', contributors: splits([10000]) }),
    ).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    ledger.mine();
    await expect(
      ledger.claimRoyalties({
        ipAssetId: pending.ipAssetId,
        wallet: wallet(1),
        currencyToken: NATIVE,
      }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('produces blocks on an interval once started', async () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 5 });
    ledger.start();
    await new Promise((r) => setTimeout(r, 50));
    ledger.stop();
    expect(ledger.blockNumber).toBeGreaterThan(0n);
  });

  it('conserves wei: total claimable + claimed equals total paid, for random splits, payments and claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            asset: fc.integer({ min: 0, max: 2 }),
            amount: fc.bigInt({ min: 1n, max: 10n ** 30n }),
            token: fc.constantFrom(NATIVE, wallet(0xeeee)),
            resplit: fc.option(sharesArb, { nil: undefined }),
            claim: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
            fail: fc.boolean(),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.array(sharesArb, { minLength: 3, maxLength: 3 }),
        async (ops, initial) => {
          const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
          const assets = [];
          for (const [i, shares] of initial.entries())
            assets.push(await registered(ledger, `c${i}`, shares));
          let paid = 0n;
          for (const op of ops) {
            const asset = assets[op.asset] as (typeof assets)[number];
            if (op.resplit) await ledger.setRoyaltySplit(asset.ipAssetId, splits(op.resplit));
            if (op.fail) ledger.failNextTransaction({ kind: 'payment' });
            await ledger.payRoyalties({
              ipAssetId: asset.ipAssetId,
              amountWei: op.amount,
              currencyToken: op.token,
            });
            if (!op.fail) paid += op.amount;
            ledger.mine();
            if (op.claim !== undefined) {
              try {
                await ledger.claimRoyalties({
                  ipAssetId: asset.ipAssetId,
                  wallet: wallet(op.claim),
                  currencyToken: op.token,
                });
              } catch (e) {
                expect((e as LedgerError).code).toBe('FAILED_PRECONDITION');
              }
              ledger.mine();
            }
          }
          const totals = ledger.totals();
          expect(totals.paid).toBe(paid);
          expect(totals.claimable + totals.claimed).toBe(paid);
          // The per-wallet view agrees with the totals.
          let viewed = 0n;
          for (let w = 1; w <= 12; w++)
            for (const b of await ledger.claimableBalances(wallet(w))) viewed += b.amountWei;
          expect(viewed).toBe(totals.claimable);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a payment that would take a royalty vault past 2^256-1 wei, as a chain reverts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              pay: fc.oneof(fc.constant(MAX_UINT256), fc.bigInt({ min: 1n, max: MAX_UINT256 })),
              mined: fc.boolean(),
            }),
            fc.record({ claim: fc.integer({ min: 1, max: 2 }) }),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        async (ops) => {
          const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 1 });
          const asset = await registered(ledger, 'vault', [5000, 5000]);
          // What the vault holds or will hold: unclaimed balances plus payments not yet mined.
          let held = 0n;
          for (const op of ops) {
            if ('pay' in op) {
              const paying = ledger.payRoyalties({
                ipAssetId: asset.ipAssetId,
                amountWei: op.pay,
                currencyToken: NATIVE,
              });
              if (held + op.pay > MAX_UINT256) {
                await expect(paying).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
              } else {
                await paying;
                held += op.pay;
              }
              if (op.mined) ledger.mine();
            } else {
              ledger.mine();
              const [balance] = await ledger.claimableBalances(wallet(op.claim), asset.ipAssetId);
              if (!balance) continue;
              await ledger.claimRoyalties({
                ipAssetId: asset.ipAssetId,
                wallet: wallet(op.claim),
                currencyToken: NATIVE,
              });
              held -= balance.amountWei;
            }
          }
          ledger.mine();
          const { claimable } = ledger.totals();
          expect(claimable <= MAX_UINT256).toBe(true);
          expect(claimable).toBe(held);
        },
      ),
      { numRuns: 100 },
    );
  });
});

it('over the wire: a second maximum payment is FAILED_PRECONDITION, and nothing is paid', async () => {
  const r = await startServer();
  try {
    const c = clientFor('grpc', r.baseUrl);
    const reg = await c.registerIpAsset(registration());
    r.ledger.mine(r.ledger.requiredConfirmations);
    const pay = (key: string) =>
      c.payRoyalties({
        ipAssetId: reg.ipAssetId,
        amountWei: MAX_UINT256.toString(),
        currencyToken: NATIVE,
        idempotencyKey: key,
      });
    await pay('max-1');
    const refused = await pay('max-2').catch((e: unknown) => ConnectError.from(e));
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((refused as ConnectError).rawMessage).toContain('overflow');
    r.ledger.mine();
    expect(r.ledger.totals().claimable).toBe(MAX_UINT256);
  } finally {
    await r.close();
  }
});
