/**
 * The ledger conformance kit (`@mystira/chain-server/testing`) against the embedded devnet: every
 * case, the `ip:` ones included (the devnet has `ip`), with blocks produced only when the kit
 * advances the chain (as on a node without automine), and failures injected for the `failures:`
 * and `ip: failures:` cases.
 */
import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import {
  DevnetLedger,
  type IpLedger,
  type LicenseTermsInput,
  type TxState,
} from '@mystira/chain-server';
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
    expect(all.some((c) => c.name.startsWith('ip: failures:'))).toBe(false);
    expect(cases.filter((c) => c.name.startsWith('ip: failures:'))).toHaveLength(2);
    const fewer = ledgerConformance({
      create: () => ({ ledger: new DevnetLedger(), advance: () => {} }),
      skip: [all[0]!.name],
    });
    expect(fewer.map((c) => c.name)).toEqual(all.slice(1).map((c) => c.name));
  });
});

describe('ledgerConformance: the ip: cases', () => {
  it('lists them, with stable names', () => {
    expect(cases.filter((c) => c.name.startsWith('ip: ')).map((c) => c.name.split(':')[1])).toEqual(
      [
        ' collections',
        ' collections',
        ' terms',
        ' attach',
        ' license tokens',
        ' one registry',
        ' derivatives',
        ' derivatives',
        ' royalties',
        ' royalty flow (property)',
        ' failures',
        ' failures',
      ],
    );
  });

  it('check nothing of a ledger without ip, which passes them', async () => {
    class NoIp extends DevnetLedger {
      override get ip(): IpLedger {
        return undefined as unknown as IpLedger;
      }
    }
    const ip = ledgerConformance({
      create: () => handMined(new NoIp({ blockIntervalMs: 0 })),
      waitTimeoutMs: 300,
    }).filter((c) => c.name.startsWith('ip: '));
    expect(ip.length).toBeGreaterThan(0);
    for (const c of ip) await c.run();
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

  it('royalties that pay ancestors more than their terms say', async () => {
    /** Registers every commercial terms with a revenue share one point higher than asked. */
    class Greedy extends DevnetLedger {
      override get ip(): IpLedger {
        const ip = super.ip;
        return Object.assign(Object.create(ip) as IpLedger, {
          registerLicenseTerms: (terms: LicenseTermsInput, signal?: AbortSignal) =>
            ip
              .registerLicenseTerms(
                terms.commercialUse
                  ? {
                      ...terms,
                      commercialRevShareMicroPercent:
                        terms.commercialRevShareMicroPercent + 1_000_000,
                    }
                  : terms,
                signal,
              )
              .then((r) => ({ ...r, terms })),
        });
      }
    }
    await expect(caseOf('ip: royalties:', () => new Greedy(devnet)).run()).rejects.toThrow(
      /lap: 0x/,
    );
  });

  it('identical terms registered again with a new transaction', async () => {
    class Forgetful extends DevnetLedger {
      override get ip(): IpLedger {
        const ip = super.ip;
        return Object.assign(Object.create(ip) as IpLedger, {
          registerLicenseTerms: async (terms: LicenseTermsInput, signal?: AbortSignal) => {
            const r = await ip.registerLicenseTerms(terms, signal);
            return r.txHash === undefined
              ? { ...r, state: 'processing', txHash: `0x${'ab'.repeat(32)}` }
              : r;
          },
        });
      }
    }
    await expect(caseOf('ip: terms:', () => new Forgetful(devnet)).run()).rejects.toThrow(
      // Caught where it claims a transaction for terms that existed (id 1), or where it repeats.
      /no transaction|must know a transaction/,
    );
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
