/**
 * The ledger conformance kit (`@mystira/chain-server/testing`) against the embedded devnet: every
 * case, with blocks produced only when the kit advances the chain (as on a node without
 * automine), and failures injected for the `failures:` cases.
 */
import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import { DevnetLedger, type TxState } from '@mystira/chain-server';
import { ledgerConformance } from '@mystira/chain-server/testing';
import { describe, expect, it } from 'vitest';

const cases = ledgerConformance<DevnetLedger>({
  create: () => {
    const ledger = new DevnetLedger({ blockIntervalMs: 0, requiredConfirmations: 3 });
    return {
      ledger,
      advance: (blocks = 1) => {
        ledger.mine(blocks);
      },
      tokens: [
        '0x0000000000000000000000000000000000000000',
        '0x1514000000000000000000000000000000000001',
      ],
      dispose: () => {
        ledger.stop();
        expect(ledger.listenerCount(), 'every case removes its listeners').toBe(0);
      },
    };
  },
  injectFailure: (harness, kind) => harness.ledger.failNextTransaction({ kind }),
  waitTimeoutMs: 5_000,
  seed: 19,
});

describe('ledger conformance: DevnetLedger, blocks by hand', () => {
  for (const c of cases) it(c.name, c.run, c.timeoutMs);
});

describe('ledger conformance: DevnetLedger, blocks on a timer, one confirmation', () => {
  // A chain that produces blocks by itself: `advance` only waits for the next block.
  const timed = ledgerConformance({
    create: () => {
      const ledger = new DevnetLedger({ blockIntervalMs: 5, requiredConfirmations: 1 });
      ledger.start();
      return {
        ledger,
        advance: async (blocks = 1) => {
          const target = ledger.blockNumber + BigInt(blocks);
          while (ledger.blockNumber < target) await new Promise((r) => setTimeout(r, 2));
        },
        dispose: () => ledger.stop(),
      };
    },
    numRuns: 5,
    waitTimeoutMs: 5_000,
  });
  for (const c of timed) it(c.name, c.run, c.timeoutMs);
});

describe('ledgerConformance options', () => {
  it('refuses to skip a case that does not exist', () => {
    expect(() =>
      ledgerConformance({
        create: () => ({ ledger: new DevnetLedger(), advance: () => {} }),
        skip: ['no such case'],
      }),
    ).toThrow(/no such case/);
  });

  it('leaves out skipped cases, and the failures: cases without injectFailure', () => {
    const all = ledgerConformance({
      create: () => ({ ledger: new DevnetLedger(), advance: () => {} }),
    });
    expect(all.some((c) => c.name.startsWith('failures:'))).toBe(false);
    const fewer = ledgerConformance({
      create: () => ({ ledger: new DevnetLedger(), advance: () => {} }),
      skip: [all[0]!.name],
    });
    expect(fewer.map((c) => c.name)).toEqual(all.slice(1).map((c) => c.name));
  });
});

/** A devnet with `blockIntervalMs: 0`, mined by `advance`. */
function handMined(ledger: DevnetLedger) {
  return { ledger, advance: (blocks = 1) => void ledger.mine(blocks) };
}

/** The one case of the kit whose name starts with `prefix`, run against `make()`. */
function caseOf(prefix: string, make: () => DevnetLedger) {
  const found = ledgerConformance({
    create: () => handMined(make()),
    waitTimeoutMs: 300,
    numRuns: 10,
    seed: 7,
  }).filter((c) => c.name.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0]!;
}

describe('the kit catches broken ledgers', () => {
  const devnet = { blockIntervalMs: 0, requiredConfirmations: 3 };

  it('an asset REGISTERED before its transaction is final', async () => {
    class Early extends DevnetLedger {
      override async getAssetByContentId(contentId: string) {
        const a = await super.getAssetByContentId(contentId);
        return a?.status === IpAssetStatus.PROCESSING
          ? { ...a, status: IpAssetStatus.REGISTERED }
          : a;
      }
    }
    await expect(caseOf('register: PENDING', () => new Early(devnet)).run()).rejects.toThrow(
      /final/,
    );
  });

  it('a ledger that keeps a wei of every payment', async () => {
    class Skimming extends DevnetLedger {
      override async payRoyalties(input: Parameters<DevnetLedger['payRoyalties']>[0]) {
        const amountWei = input.amountWei > 1n ? input.amountWei - 1n : input.amountWei;
        return {
          ...(await super.payRoyalties({ ...input, amountWei })),
          amountWei: input.amountWei,
        };
      }
    }
    await expect(
      caseOf('pay and claim: wei conservation', () => new Skimming(devnet)).run(),
    ).rejects.toThrow(/claimed \+ claimable = paid/);
  });

  it('a claim that reports more than it took', async () => {
    class Generous extends DevnetLedger {
      override async claimRoyalties(input: Parameters<DevnetLedger['claimRoyalties']>[0]) {
        const c = await super.claimRoyalties(input);
        return { ...c, amountWei: c.amountWei + 1n };
      }
    }
    await expect(
      caseOf('pay and claim: wei conservation', () => new Generous(devnet)).run(),
    ).rejects.toThrow(/whole balance/);
  });

  it('a transaction that hides its inclusion while the payment is credited', async () => {
    class Hiding extends DevnetLedger {
      override async getTransaction(hash: string): Promise<TxState | undefined> {
        const s = await super.getTransaction(hash);
        return s && !s.terminal ? { ...s, status: TransactionStatus.PENDING } : s;
      }
    }
    await expect(caseOf('pay: a payment', () => new Hiding(devnet)).run()).rejects.toThrow(
      /only once confirmed/,
    );
  });

  it('a remover that removes nothing', async () => {
    class Deaf extends DevnetLedger {
      override onTransaction(hash: string, listener: (state: TxState) => void) {
        super.onTransaction(hash, listener);
        return () => {};
      }
    }
    await expect(
      caseOf('transactions: onTransaction', () => new Deaf(devnet)).run(),
    ).rejects.toThrow(/removed listener/);
  });

  it('a second registration of pending content let through', async () => {
    class Forgetful extends DevnetLedger {
      override async registerAsset(input: Parameters<DevnetLedger['registerAsset']>[0]) {
        const existing = await super.getAssetByContentId(input.contentId);
        if (existing?.status === IpAssetStatus.PENDING) return existing;
        return super.registerAsset(input);
      }
    }
    await expect(caseOf('register: the same', () => new Forgetful(devnet)).run()).rejects.toThrow(
      /ALREADY_EXISTS/,
    );
  });
});
