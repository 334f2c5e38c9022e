/**
 * `@mystira/chain-server/testing`: the ledger conformance kit. One list of named async cases that
 * any {@link Ledger} adapter runs against itself, so "implements the `Ledger` port" means the
 * same thing for the embedded devnet and for a ledger on a real chain: registrations that become
 * final after `requiredConfirmations`, duplicate and unknown ids, royalty splits, payments that
 * are credited once confirmed, claims that take the whole balance, wei conservation (a
 * fast-check property), transaction states and listeners, `info()` / `health()`, concurrency,
 * and the amounts at the edges.
 *
 * The cases check what the port promises (its TSDoc and the README's "Errors or results"), not
 * what one ledger happens to do: a chain confirms later than a devnet, so every expectation of
 * progress is polled, calling the harness's `advance` between reads, and every such wait is
 * bounded by `waitTimeoutMs`.
 *
 * Runner-agnostic by design: the cases are plain `{ name, run, timeoutMs }` and assert with
 * `node:assert`, so the kit needs no test runner. Register them yourself:
 *
 * ```ts
 * for (const c of ledgerConformance({ create: () => devnetHarness() })) it(c.name, c.run, c.timeoutMs);
 * ```
 *
 * `fast-check` (an optional peer dependency of the package) must be installed to import this
 * entry; the main entry never loads it.
 *
 * @packageDocumentation
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import {
  ContributorType,
  IpAssetStatus,
  PayRoyaltiesRequestSchema,
  TransactionStatus,
  UpdateRoyaltySplitRequestSchema,
} from '@mystira/chain-protos';
// By package name, not './ledger.js': the kit is a separate bundle and must compare with the
// very classes the main entry exports (and a server built from it).
import {
  type AssetRecord,
  type ClaimRecord,
  createChainHandlers,
  type Ledger,
  LedgerError,
  MAX_UINT256,
  type PaymentRecord,
  type Split,
  type TxState,
} from '@mystira/chain-server';
import fc from 'fast-check';

/** What a test drives: a fresh ledger and the means to make its chain progress. */
export interface LedgerHarness<L extends Ledger = Ledger> {
  /** The ledger under test. Cases never share one unless `create` returns the same ledger. */
  readonly ledger: L;
  /**
   * Makes the chain produce `blocks` blocks (default 1) and resolves once they are produced:
   * `mine(blocks)` on the devnet, `hardhat_mine` / `anvil_mine` / `evm_mine` on an EVM node. The
   * kit calls it whenever it waits for a transaction, so a chain without automatic block
   * production still makes progress; on a chain that produces blocks by itself it may just wait.
   */
  advance(blocks?: number): void | Promise<void>;
  /**
   * The currency tokens payments may use (lower-case `0x` addresses), at least one. The ledger's
   * signer must hold enough of each to make the kit's payments (see
   * {@link LedgerConformanceOptions.maxPaymentWei}). Default: the native token (the zero address).
   */
  readonly tokens?: readonly string[];
  /**
   * A new contributor wallet (lower-case `0x` + 40 hex digits) that no other case uses. The port
   * claims on a wallet's behalf (the server's signer sends the claim), so a contributor needs no
   * key and no funds. Default: a random address.
   */
  newWallet?(): string | Promise<string>;
  /** Releases what `create` made (stops block production, closes connections, ...). */
  dispose?(): void | Promise<void>;
}

/** A transaction a ledger submits: what {@link LedgerConformanceOptions.injectFailure} targets. */
export type LedgerOperation = 'register' | 'split' | 'payment' | 'claim';

/** Options of {@link ledgerConformance}. */
export interface LedgerConformanceOptions<L extends Ledger = Ledger> {
  /**
   * Creates a fresh harness (called once per case). The ledger may share a chain with earlier
   * cases: the kit uses new content ids, wallets and assets in every case, never assumes an
   * empty chain and only reads balances of its own assets.
   */
  create(): LedgerHarness<L> | Promise<LedgerHarness<L>>;
  /** Names of cases to leave out (say why in the adapter's README). An unknown name throws. */
  skip?: readonly string[];
  /**
   * The longest the kit waits for one expected change (a registration becoming final, a payment
   * being credited), advancing the chain meanwhile. Default 30 000 ms.
   */
  waitTimeoutMs?: number;
  /** A pause between `advance` and the next read while waiting, for ledgers that poll. Default 0. */
  pollIntervalMs?: number;
  /** The time a runner should allow one case (each case's `timeoutMs`). Default 120 000 ms. */
  caseTimeoutMs?: number;
  /** Runs of the wei-conservation property (a chain is slow: keep it small). Default 15. */
  numRuns?: number;
  /** A fast-check seed, to replay a failing run of the property. */
  seed?: number;
  /**
   * The largest single payment of the random cases. Bound it by what the signer holds: the
   * property pays at most `numRuns × 12 × maxPaymentWei` in total. Default 10^21 (1000 tokens of
   * 18 decimals). The `amounts: 2^256-1` case pays 2^256−1 regardless (skip it where the signer
   * cannot hold that much).
   */
  maxPaymentWei?: bigint;
  /** Registrations (and payments) the concurrency cases start at once. Default 8. */
  concurrency?: number;
  /**
   * Makes the next transaction of `kind` fail once it reaches the chain (it reverts), e.g.
   * `failNextTransaction({ kind })` on the devnet. When given, the `failures:` cases join the
   * kit; without it they are not part of the list.
   */
  injectFailure?(harness: LedgerHarness<L>, kind: LedgerOperation): void | Promise<void>;
}

/** One named case of the kit: register `run` as a test under `name`, with `timeoutMs`. */
export interface LedgerConformanceCase {
  /** What the case checks, e.g. `register: PENDING, then REGISTERED after requiredConfirmations`. */
  readonly name: string;
  /** Runs the case against a fresh harness; rejects (an `AssertionError`) when it fails. */
  readonly run: () => Promise<void>;
  /** The time a runner should allow the case ({@link LedgerConformanceOptions.caseTimeoutMs}). */
  readonly timeoutMs: number;
}

/** The address of the native currency, the default (and only) token of a harness. */
const NATIVE = '0x0000000000000000000000000000000000000000';
const ADDRESS = /^0x[0-9a-f]{40}$/;
const TX_HASH = /^0x[0-9a-f]{64}$/;
/** Where a registration stands, in the order it may move (FAILED aside). */
const PROGRESS = [IpAssetStatus.PENDING, IpAssetStatus.PROCESSING, IpAssetStatus.REGISTERED];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const randomAddress = (): string => `0x${randomBytes(20).toString('hex')}`;
const randomHash = (): string => `0x${randomBytes(32).toString('hex')}`;

/** Random shares in basis points, each at least 1, summing to exactly 10000. */
const sharesArb = (max: number) =>
  fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: max }).map((weights) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const shares = weights.map((w) => Math.max(1, Math.floor((w * 10000) / total)));
    let rest = 10000 - shares.reduce((a, b) => a + b, 0);
    for (let i = 0; rest !== 0; i = (i + 1) % shares.length) {
      const s = shares[i] as number;
      if (rest > 0) {
        shares[i] = s + 1;
        rest--;
      } else if (s > 1) {
        shares[i] = s - 1;
        rest++;
      }
    }
    return shares;
  });

/** Awaits `p` (a value or a promise), failing when it takes longer than `ms`. */
async function bounded(p: unknown, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new assert.AssertionError({ message: `${what}: no answer within ${ms} ms` })),
      ms,
    );
  });
  try {
    await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Awaits `p`, which must reject with a {@link LedgerError} of `code`. */
async function refuses(p: Promise<unknown>, code: LedgerError['code'], what: string) {
  try {
    await p;
  } catch (err) {
    assert.ok(
      err instanceof LedgerError,
      `${what}: expected LedgerError ${code}, got ${(err as Error)?.name}: ${(err as Error)?.message}`,
    );
    assert.equal(err.code, code, `${what}: ${err.message}`);
    return;
  }
  assert.fail(`${what}: expected LedgerError ${code}, but it resolved`);
}

/** Everything a case body gets: the harness and helpers bound to it. */
interface Ctx {
  harness: LedgerHarness;
  ledger: Ledger;
  tokens: readonly string[];
  wallet(): Promise<string>;
  contentId(): string;
  eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T>;
  /** Waits until the transaction's state is terminal, and returns it. */
  settled(hash: string, what: string): Promise<TxState>;
  /** Registers an asset with the given shares and waits until it is REGISTERED. */
  registered(shares: number[]): Promise<{ asset: AssetRecord; splits: Split[] }>;
  /** The claimable balance of wallet on asset in token (0 when left out). */
  claimable(wallet: string, ipAssetId: string, token: string): Promise<bigint>;
}

/**
 * The conformance cases, bound to a harness factory.
 *
 * @typeParam L - The ledger type the harness creates (its `injectFailure` sees it).
 */
export function ledgerConformance<L extends Ledger>(
  options: LedgerConformanceOptions<L>,
): LedgerConformanceCase[] {
  const waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
  const pollIntervalMs = options.pollIntervalMs ?? 0;
  const timeoutMs = options.caseTimeoutMs ?? 120_000;
  const numRuns = options.numRuns ?? 15;
  const maxPaymentWei = options.maxPaymentWei ?? 10n ** 21n;
  const concurrency = options.concurrency ?? 8;
  const skip = new Set(options.skip ?? []);
  const cases: LedgerConformanceCase[] = [];
  const names = new Set<string>();

  const context = (harness: LedgerHarness<L>): Ctx => {
    const ledger = harness.ledger;
    const tokens = (harness.tokens ?? [NATIVE]).map((t) => t.toLowerCase());
    assert.ok(tokens.length > 0, 'the harness must offer at least one token');
    const run = randomUUID().slice(0, 8);
    let n = 0;
    const ctx: Ctx = {
      harness,
      ledger,
      tokens,
      async wallet() {
        const w = (await harness.newWallet?.()) ?? randomAddress();
        assert.match(w, ADDRESS, 'newWallet() must return a lower-case 0x address');
        return w;
      },
      contentId: () => `conformance-${run}-${++n}`,
      async eventually(what, probe) {
        const deadline = Date.now() + waitTimeoutMs;
        let blocks = 0;
        for (;;) {
          const value = await probe();
          if (value !== undefined) return value;
          if (Date.now() > deadline) {
            assert.fail(
              `${what}: not reached within ${waitTimeoutMs} ms (${blocks} blocks advanced)`,
            );
          }
          await bounded(harness.advance(1), waitTimeoutMs, `${what}: advance(1)`);
          blocks++;
          if (pollIntervalMs > 0) await sleep(pollIntervalMs);
        }
      },
      async settled(hash, what) {
        return ctx.eventually(`${what}: transaction ${hash} terminal`, async () => {
          const state = await ledger.getTransaction(hash);
          assert.ok(state, `${what}: getTransaction(${hash}) must know a transaction it submitted`);
          return state.terminal ? state : undefined;
        });
      },
      async registered(shares) {
        const splits: Split[] = [];
        for (const [i, shareBps] of shares.entries()) {
          splits.push({ wallet: await ctx.wallet(), type: typeOf(i), shareBps });
        }
        const contentId = ctx.contentId();
        await ledger.registerAsset({
          contentId,
          title: `Title of ${contentId}`,
          contributors: splits,
        });
        const asset = await ctx.eventually(`${contentId} REGISTERED`, async () => {
          const a = await ledger.getAssetByContentId(contentId);
          assert.ok(a, `${contentId} must be readable once submitted`);
          assert.notEqual(a.status, IpAssetStatus.FAILED, `registration failed: ${a.errorMessage}`);
          return a.status === IpAssetStatus.REGISTERED ? a : undefined;
        });
        return { asset, splits };
      },
      async claimable(wallet, ipAssetId, token) {
        const balances = await ledger.claimableBalances(wallet, ipAssetId);
        let sum = 0n;
        for (const b of balances) {
          assert.equal(b.ipAssetId, ipAssetId, 'claimableBalances filtered by asset');
          assert.ok(b.amountWei > 0n, 'claimableBalances leaves zero balances out');
          if (b.currencyToken === token) sum += b.amountWei;
        }
        return sum;
      },
    };
    return ctx;
  };

  const define = (name: string, body: (ctx: Ctx, harness: LedgerHarness<L>) => Promise<void>) => {
    assert.ok(!names.has(name), `duplicate case name ${name}`);
    names.add(name);
    if (skip.has(name)) return;
    cases.push({
      name,
      timeoutMs,
      run: async () => {
        const harness = await options.create();
        try {
          await body(context(harness), harness);
        } finally {
          await harness.dispose?.();
        }
      },
    });
  };

  // ---- registration -----------------------------------------------------------------------------
  define(
    'register: PENDING (or further) at once, REGISTERED after requiredConfirmations with its transaction terminal',
    async ({ ledger, eventually, wallet, contentId }) => {
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
  );

  define(
    'register: the same content id again is ALREADY_EXISTS, while pending and once registered',
    async ({ ledger, wallet, eventually, contentId }) => {
      const id = contentId();
      const input = () => ({
        contentId: id,
        title: 't',
        contributors: [{ wallet: w, type: ContributorType.AUTHOR, shareBps: 10000 }],
      });
      const w = await wallet();
      const first = await ledger.registerAsset(input());
      await refuses(
        ledger.registerAsset(input()),
        'ALREADY_EXISTS',
        'a second registration at once',
      );
      await eventually(`${id} REGISTERED`, async () =>
        (await ledger.getAssetByContentId(id))?.status === IpAssetStatus.REGISTERED
          ? true
          : undefined,
      );
      await refuses(
        ledger.registerAsset(input()),
        'ALREADY_EXISTS',
        'a registration of registered content',
      );
      const asset = await ledger.getAssetByContentId(id);
      assert.equal(asset?.ipAssetId, first.ipAssetId, 'the first registration stands');
    },
  );

  define(
    'register: concurrent registrations of one content id make one asset, the rest are ALREADY_EXISTS',
    async ({ ledger, wallet, contentId }) => {
      const id = contentId();
      const w = await wallet();
      const outcomes = await Promise.allSettled(
        Array.from({ length: Math.max(2, Math.min(concurrency, 4)) }, () =>
          ledger.registerAsset({
            contentId: id,
            title: 't',
            contributors: [{ wallet: w, type: ContributorType.AUTHOR, shareBps: 10000 }],
          }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      assert.equal(won.length, 1, 'exactly one registration succeeds');
      for (const o of outcomes) {
        if (o.status === 'rejected') {
          assert.ok(o.reason instanceof LedgerError, `got ${o.reason}`);
          assert.equal(o.reason.code, 'ALREADY_EXISTS');
        }
      }
    },
  );

  define(
    'read: by content id and by IP-asset id agree, pending and registered',
    async ({ ledger, wallet, eventually, contentId }) => {
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
  );

  define(
    'read: unknown content ids, IP-asset ids and wallets are undefined or empty, not errors',
    async ({ ledger, contentId }) => {
      assert.equal(await ledger.getAssetByContentId(contentId()), undefined);
      assert.equal(await ledger.getAssetByIpId(randomAddress()), undefined);
      assert.deepEqual(await ledger.claimableBalances(randomAddress()), []);
      assert.deepEqual(await ledger.claimableBalances(randomAddress(), randomAddress()), []);
    },
  );

  // ---- splits -----------------------------------------------------------------------------------
  define(
    'split: replacing a split takes effect once its transaction is confirmed',
    async ({ ledger, registered, wallet, settled, eventually }) => {
      const { asset } = await registered([5000, 5000]);
      const next: Split[] = [
        { wallet: await wallet(), type: ContributorType.CURATOR, shareBps: 1 },
        { wallet: await wallet(), type: ContributorType.OTHER, shareBps: 9999, displayName: 'Zoë' },
      ];
      const update = await ledger.setRoyaltySplit(asset.ipAssetId, next);
      assert.equal(update.errorMessage, undefined, 'a submitted update carries no error');
      assert.equal(update.ipAssetId, asset.ipAssetId);
      assert.match(update.txHash, TX_HASH);
      assert.deepEqual(
        update.contributors.map((c) => [c.wallet, c.shareBps]),
        next.map((c) => [c.wallet, c.shareBps]),
      );
      const tx = await settled(update.txHash, 'the split update');
      assert.equal(tx.status, TransactionStatus.CONFIRMED);
      const after = await eventually('the new split in force', async () => {
        const a = await ledger.getAssetByIpId(asset.ipAssetId);
        return a?.contributors.some((c) => c.wallet === next[0]?.wallet) ? a : undefined;
      });
      assert.deepEqual(
        after.contributors.map((c) => [c.wallet, c.type, c.shareBps]),
        next.map((c) => [c.wallet, c.type, c.shareBps]),
      );
      assert.ok(after.royaltyUpdatedAt.getTime() >= asset.royaltyUpdatedAt.getTime());
      assert.equal(after.status, IpAssetStatus.REGISTERED);
    },
  );

  define(
    'split and pay: an unknown asset is NOT_FOUND, one not registered yet FAILED_PRECONDITION',
    async ({ ledger, wallet, tokens, contentId }) => {
      const token = tokens[0] as string;
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
          assert.ok(err instanceof LedgerError, `${what}: got ${(err as Error)?.message}`);
          assert.equal(err.code, 'FAILED_PRECONDITION', `${what}: ${err.message}`);
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
  );

  define(
    'validation: malformed splits and amounts are refused by the handlers and never reach the ledger',
    async ({ ledger, registered, wallet, tokens }) => {
      const { asset, splits } = await registered([10000]);
      const mutations: string[] = [];
      const watched = new Proxy(ledger, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (
              ['registerAsset', 'setRoyaltySplit', 'payRoyalties', 'claimRoyalties'].includes(
                String(prop),
              )
            )
              mutations.push(String(prop));
            return value.apply(target, args);
          };
        },
      });
      const handlers = createChainHandlers({ ledger: watched });
      const call = { signal: new AbortController().signal };
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
          (e: { code?: number }) => e.code === Code.InvalidArgument,
          `bad split #${i} is INVALID_ARGUMENT`,
        );
      }
      for (const amountWei of ['0', (MAX_UINT256 + 1n).toString(), '-1', '1e18']) {
        const req = create(PayRoyaltiesRequestSchema, {
          ipAssetId: asset.ipAssetId,
          amountWei,
          currencyToken: tokens[0] as string,
          idempotencyKey: `conformance-bad-amount-${amountWei}`,
        });
        await assert.rejects(
          handlers.payRoyalties(req, call),
          (e: { code?: number }) => e.code === Code.InvalidArgument,
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
  );

  // ---- payments and claims ----------------------------------------------------------------------
  define(
    'pay: a payment is credited to the split only once its transaction is confirmed',
    async ({ ledger, registered, tokens, claimable, eventually, settled }) => {
      const { asset, splits } = await registered([6000, 4000]);
      const token = tokens[0] as string;
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
      const credited = async () => {
        let sum = 0n;
        for (const s of splits) sum += await claimable(s.wallet, asset.ipAssetId, token);
        return sum;
      };
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
      assert.equal(total, amount, 'the whole payment is credited, no wei lost or created');
      await settled(paid.txHash, 'the payment');
      assert.equal(await credited(), amount);
      const a = await claimable(splits[0]!.wallet, asset.ipAssetId, token);
      assert.ok(
        a >= (amount * 6000n) / 10000n && a <= (amount * 6000n) / 10000n + 1n,
        'credited by basis points',
      );
    },
  );

  define(
    'claim: takes the whole claimable balance; a second claim with nothing claimable is FAILED_PRECONDITION',
    async ({ ledger, registered, tokens, claimable, eventually, settled, wallet }) => {
      const { asset, splits } = await registered([2500, 7500]);
      const token = tokens[0] as string;
      const p = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: 10n ** 18n + 3n,
        currencyToken: token,
      });
      await settled(p.txHash, 'the payment');
      const [a, b] = splits as [Split, Split];
      const balanceA = await eventually('a credited', async () => {
        const v = await claimable(a.wallet, asset.ipAssetId, token);
        return v > 0n ? v : undefined;
      });
      const balanceB = await eventually('b credited', async () => {
        const v = await claimable(b.wallet, asset.ipAssetId, token);
        return v > 0n ? v : undefined;
      });
      assert.equal(balanceA + balanceB, 10n ** 18n + 3n);
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
      const tx = await settled(claim.txHash, 'the claim');
      assert.equal(tx.status, TransactionStatus.CONFIRMED);
      await eventually('a has nothing left to claim', async () =>
        (await claimable(a.wallet, asset.ipAssetId, token)) === 0n ? true : undefined,
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
          wallet: await wallet(),
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
  );

  define(
    'pay and claim: wei conservation, claimed + claimable = paid per token (property)',
    async (ctx) => {
      const { ledger, tokens, claimable, settled } = ctx;
      const op = fc.oneof(
        {
          weight: 3,
          arbitrary: fc.record({
            pay: fc.bigInt({ min: 1n, max: maxPaymentWei }),
            token: fc.nat({ max: tokens.length - 1 }),
          }),
        },
        {
          weight: 2,
          arbitrary: fc.record({
            claim: fc.nat({ max: 11 }),
            token: fc.nat({ max: tokens.length - 1 }),
          }),
        },
        { weight: 1, arbitrary: fc.record({ resplit: sharesArb(4) }) },
      );
      await fc.assert(
        fc.asyncProperty(
          sharesArb(4),
          fc.array(op, { minLength: 1, maxLength: 12 }),
          async (shares, ops) => {
            const { asset, splits } = await ctx.registered(shares);
            const everyone = [...splits.map((s) => s.wallet)];
            const paid = new Map<string, bigint>();
            const claimed = new Map<string, bigint>();
            /** Every payment submitted in this run; only those whose transaction is confirmed count as paid. */
            const payments: { hash: string; amount: bigint; token: string }[] = [];
            const claims: ClaimRecord[] = [];
            for (const o of ops) {
              if ('pay' in o) {
                const token = tokens[o.token] as string;
                const p: PaymentRecord = await ledger.payRoyalties({
                  ipAssetId: asset.ipAssetId,
                  amountWei: o.pay,
                  currencyToken: token,
                });
                assert.equal(p.amountWei, o.pay);
                payments.push({ hash: p.txHash, amount: o.pay, token });
              } else if ('claim' in o) {
                const token = tokens[o.token] as string;
                const who = everyone[o.claim % everyone.length] as string;
                // Claims see confirmed payments: settle what is in flight first.
                for (const p of payments) await settled(p.hash, 'a payment');
                for (const c of claims) await settled(c.txHash, 'a claim');
                const before = await claimable(who, asset.ipAssetId, token);
                if (before === 0n) {
                  await refuses(
                    ledger.claimRoyalties({
                      ipAssetId: asset.ipAssetId,
                      wallet: who,
                      currencyToken: token,
                    }),
                    'FAILED_PRECONDITION',
                    'a claim of nothing',
                  );
                  continue;
                }
                const c = await ledger.claimRoyalties({
                  ipAssetId: asset.ipAssetId,
                  wallet: who,
                  currencyToken: token,
                });
                assert.equal(c.amountWei, before, 'a claim takes the whole balance');
                claims.push(c);
              } else {
                for (const p of payments) await settled(p.hash, 'a payment');
                const next: Split[] = [];
                for (const [i, shareBps] of o.resplit.entries()) {
                  const w = everyone[i] ?? (await ctx.wallet());
                  if (!everyone.includes(w)) everyone.push(w);
                  next.push({ wallet: w, type: typeOf(i), shareBps });
                }
                const u = await ledger.setRoyaltySplit(asset.ipAssetId, next);
                await settled(u.txHash, 'a split update');
              }
            }
            for (const p of payments) {
              const tx = await settled(p.hash, 'a payment');
              if (tx.status === TransactionStatus.CONFIRMED)
                paid.set(p.token, (paid.get(p.token) ?? 0n) + p.amount);
            }
            for (const c of claims) {
              const tx = await settled(c.txHash, 'a claim');
              if (tx.status === TransactionStatus.CONFIRMED)
                claimed.set(c.currencyToken, (claimed.get(c.currencyToken) ?? 0n) + c.amountWei);
            }
            for (const token of tokens) {
              const expected = paid.get(token) ?? 0n;
              // A ledger that reads balances from the chain may lag its own transactions: poll.
              await ctx.eventually(`claimed + claimable = paid in ${token}`, async () => {
                let left = 0n;
                for (const w of everyone) left += await claimable(w, asset.ipAssetId, token);
                const total = (claimed.get(token) ?? 0n) + left;
                assert.ok(
                  total <= expected,
                  `more claimed + claimable (${total}) than paid (${expected}) in ${token}: wei created`,
                );
                return total === expected ? true : undefined;
              });
            }
          },
        ),
        // No shrinking: on a chain every shrink step is another slow run; the seed replays it.
        { numRuns, seed: options.seed, endOnFailure: true, includeErrorInReport: true },
      );
    },
  );

  // ---- transactions -----------------------------------------------------------------------------
  define('transactions: an unknown hash is undefined', async ({ ledger }) => {
    assert.equal(await ledger.getTransaction(randomHash()), undefined);
    assert.equal(await ledger.getTransaction(`0x${'0'.repeat(64)}`), undefined);
  });

  define(
    'transactions: onTransaction reports later states up to terminal; its remover stops it',
    async ({ ledger, wallet, eventually, contentId, settled }, harness) => {
      const required = BigInt(ledger.requiredConfirmations);
      const submit = async () =>
        ledger.registerAsset({
          contentId: contentId(),
          title: 't',
          contributors: [{ wallet: await wallet(), type: ContributorType.AUTHOR, shareBps: 10000 }],
        });
      const first = await submit();
      const seen: TxState[] = [];
      const off = ledger.onTransaction(first.txHash, (s) => seen.push(s));
      const second = await submit();
      const removed: TxState[] = [];
      const offRemoved = ledger.onTransaction(second.txHash, (s) => removed.push(s));
      offRemoved();
      offRemoved(); // removing twice is harmless
      const kept: TxState[] = [];
      const offKept = ledger.onTransaction(second.txHash, (s) => kept.push(s));
      // A listener that removes itself on its first state hears nothing after it.
      const once: TxState[] = [];
      const offOnce = ledger.onTransaction(second.txHash, (s) => {
        once.push(s);
        offOnce();
      });
      const last = await eventually('the listeners see a terminal state', async () => {
        const terminal = seen.find((s) => s.terminal);
        return terminal && kept.some((s) => s.terminal) ? terminal : undefined;
      });
      off();
      offKept();
      assert.equal(removed.length, 0, 'a removed listener hears nothing');
      let confirmations = -1n;
      for (const s of seen) {
        assert.equal(s.hash, first.txHash);
        assert.ok(
          s.status === TransactionStatus.PENDING || s.status === TransactionStatus.CONFIRMED,
          `status ${TransactionStatus[s.status]}`,
        );
        assert.ok(s.confirmations >= confirmations, 'confirmations never go down');
        assert.ok(s.timestamp instanceof Date);
        confirmations = s.confirmations;
      }
      assert.equal(last.status, TransactionStatus.CONFIRMED);
      assert.ok(last.confirmations >= required, `terminal at ${required} confirmations or more`);
      assert.ok(
        seen.slice(0, seen.indexOf(last)).every((s) => !s.terminal),
        'nothing before the terminal state is terminal',
      );
      const now = await settled(first.txHash, 'the registration');
      assert.equal(now.blockHash, last.blockHash);
      assert.equal(now.blockNumber, last.blockNumber);
      assert.equal(once.length, 1, 'a listener removed in its first call hears nothing more');
      // After its remover ran, a listener hears nothing more, however far the chain goes.
      const heard = seen.length;
      await submit();
      await bounded(harness.advance(ledger.requiredConfirmations + 1), waitTimeoutMs, 'advance');
      assert.equal(seen.length, heard, 'a removed listener hears nothing more');
    },
  );

  // ---- info, health -----------------------------------------------------------------------------
  define(
    'info and health: non-empty network facts; serving with string details',
    async ({ ledger }) => {
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
  );

  // ---- concurrency ------------------------------------------------------------------------------
  define(
    `concurrency: ${concurrency} concurrent registrations make ${concurrency} distinct assets`,
    async ({ ledger, wallet, eventually, contentId }) => {
      const inputs = await Promise.all(
        Array.from({ length: concurrency }, async () => ({
          contentId: contentId(),
          title: 't',
          contributors: [{ wallet: await wallet(), type: ContributorType.AUTHOR, shareBps: 10000 }],
        })),
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
  );

  define(
    `concurrency: ${concurrency} concurrent payments to one asset are all credited`,
    async ({ ledger, registered, tokens, settled, claimable, eventually }) => {
      const { asset, splits } = await registered([3333, 3333, 3334]);
      const token = tokens[0] as string;
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
      for (const r of records)
        assert.equal((await settled(r.txHash, 'a payment')).status, TransactionStatus.CONFIRMED);
      const total = amounts.reduce((a, b) => a + b, 0n);
      await eventually('every payment credited', async () => {
        let sum = 0n;
        for (const s of splits) sum += await claimable(s.wallet, asset.ipAssetId, token);
        assert.ok(sum <= total, 'more credited than paid');
        return sum === total ? true : undefined;
      });
    },
  );

  // ---- amounts at the edges ---------------------------------------------------------------------
  define(
    'amounts: 1 wei is credited to exactly one contributor and can be claimed',
    async ({ ledger, registered, tokens, settled, claimable, eventually }) => {
      const { asset, splits } = await registered([5000, 5000]);
      const token = tokens[0] as string;
      const p = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: 1n,
        currencyToken: token,
      });
      assert.equal(p.amountWei, 1n);
      await settled(p.txHash, 'the payment');
      const balances = await eventually('1 wei credited', async () => {
        const b = await Promise.all(splits.map((s) => claimable(s.wallet, asset.ipAssetId, token)));
        return b[0]! + b[1]! === 1n ? b : undefined;
      });
      const who = splits[balances.indexOf(1n)]!.wallet;
      const other = splits[balances.indexOf(0n)]!.wallet;
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
      assert.equal((await settled(c.txHash, 'the claim')).status, TransactionStatus.CONFIRMED);
    },
  );

  define(
    'amounts: 2^256-1 wei is credited exactly; a payment past a full vault is refused or fails, crediting nothing',
    async ({ ledger, registered, tokens, settled, claimable, eventually }) => {
      const { asset, splits } = await registered([1, 9999]);
      const token = tokens[0] as string;
      const p = await ledger.payRoyalties({
        ipAssetId: asset.ipAssetId,
        amountWei: MAX_UINT256,
        currencyToken: token,
      });
      assert.equal(p.amountWei, MAX_UINT256);
      assert.equal((await settled(p.txHash, 'the payment')).status, TransactionStatus.CONFIRMED);
      const sum = async () => {
        let s = 0n;
        for (const x of splits) s += await claimable(x.wallet, asset.ipAssetId, token);
        return s;
      };
      await eventually('2^256-1 credited', async () =>
        (await sum()) === MAX_UINT256 ? true : undefined,
      );
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
        assert.ok(err instanceof LedgerError, `got ${(err as Error)?.message}`);
        assert.equal(err.code, 'FAILED_PRECONDITION');
      }
      assert.equal(await sum(), MAX_UINT256, 'nothing more credited');
    },
  );

  // ---- failures (only with injectFailure) --------------------------------------------------------
  const inject = options.injectFailure;
  if (inject) {
    define(
      'failures: a registration that fails on chain is a FAILED record, not an error, and may be submitted again',
      async ({ ledger, wallet, settled, eventually, contentId }, harness) => {
        const id = contentId();
        const input = {
          contentId: id,
          title: 't',
          contributors: [{ wallet: await wallet(), type: ContributorType.AUTHOR, shareBps: 10000 }],
        };
        await inject(harness, 'register');
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
        await eventually(`${id} REGISTERED`, async () =>
          (await ledger.getAssetByContentId(id))?.status === IpAssetStatus.REGISTERED
            ? true
            : undefined,
        );
      },
    );

    define(
      'failures: a failed payment credits nothing; a failed claim leaves the balance claimable',
      async ({ ledger, registered, tokens, settled, claimable, eventually }, harness) => {
        const { asset, splits } = await registered([10000]);
        const token = tokens[0] as string;
        const who = splits[0]!.wallet;
        await inject(harness, 'payment');
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
        await eventually('700 credited', async () =>
          (await claimable(who, asset.ipAssetId, token)) === 700n ? true : undefined,
        );
        await inject(harness, 'claim');
        const claim = await ledger.claimRoyalties({
          ipAssetId: asset.ipAssetId,
          wallet: who,
          currencyToken: token,
        });
        const ctx = await settled(claim.txHash, 'the failing claim');
        assert.equal(ctx.status, TransactionStatus.FAILED);
        await eventually('the balance claimable again', async () =>
          (await claimable(who, asset.ipAssetId, token)) === 700n ? true : undefined,
        );
        const retry = await ledger.claimRoyalties({
          ipAssetId: asset.ipAssetId,
          wallet: who,
          currencyToken: token,
        });
        assert.equal(retry.amountWei, 700n);
        assert.equal(
          (await settled(retry.txHash, 'the claim')).status,
          TransactionStatus.CONFIRMED,
        );
      },
    );
  }

  const unknown = [...skip].filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `ledgerConformance: skip names no case: ${unknown.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  return cases;
}

function typeOf(i: number): ContributorType {
  const types = [
    ContributorType.AUTHOR,
    ContributorType.ARTIST,
    ContributorType.PUBLISHER,
    ContributorType.CURATOR,
    ContributorType.OTHER,
  ];
  return types[i % types.length] as ContributorType;
}
