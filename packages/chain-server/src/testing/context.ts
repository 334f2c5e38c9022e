/** What a case body gets: the harness's ledger, the resolved options and helpers bound to both. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import type { AssetRecord, Ledger, Split, TxState } from '@mystira/chain-server';
import { ADDRESS } from './expect.js';
import type { LedgerHarness, LedgerOperation } from './options.js';
import { NATIVE, randomAddress, typeOf, WIP } from './values.js';
import { bounded, pollUntil } from './waits.js';

/** The options of `ledgerConformance` with their defaults applied. */
export interface Settings {
  readonly waitTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly numRuns: number;
  readonly seed: number | undefined;
  readonly maxPaymentWei: bigint;
  readonly concurrency: number;
}

/** One case before it is bound to the harness factory. */
export interface CaseDefinition {
  readonly name: string;
  run(ctx: Ctx): Promise<void>;
}

/** Everything a case body gets. */
export interface Ctx {
  readonly ledger: Ledger;
  /** The harness's tokens, in lower case (at least one). */
  readonly tokens: readonly string[];
  /** The first of {@link Ctx.tokens}: the token of the cases that pay in one. */
  readonly token: string;
  /** The ERC-20 of the `ip:` cases' commercial terms (the harness's `licenseCurrency`). */
  readonly licenseCurrency: string;
  readonly settings: Settings;
  wallet(): Promise<string>;
  /** A content id no other case (nor this one) uses. */
  contentId(): string;
  /** Makes the chain produce `blocks` blocks, failing when that takes longer than a wait. */
  advance(blocks: number, what: string): Promise<void>;
  /** Polls `probe` until it returns a value, advancing the chain meanwhile. */
  eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T>;
  /** Polls `test` until it holds, advancing the chain meanwhile. */
  until(what: string, test: () => Promise<boolean>): Promise<void>;
  /** Waits until the transaction's state is terminal, and returns it. */
  settled(hash: string, what: string): Promise<TxState>;
  /** Waits until the transaction is terminal, and asserts that it is CONFIRMED. */
  confirmed(hash: string, what: string): Promise<TxState>;
  /**
   * The ledger's own wallet when it may lower only its own shares in a split update
   * (`royaltyRules.reducibleShares`); undefined when any split may replace any.
   */
  readonly ownWallet: string | undefined;
  /**
   * Registers an asset with the given shares and waits until it is REGISTERED. With `own`, the
   * first share goes to {@link Ctx.ownWallet} (when there is one), so a split update can move it.
   */
  registered(
    shares: number[],
    options?: { own?: boolean },
  ): Promise<{ asset: AssetRecord; splits: Split[] }>;
  /**
   * Whether `credited` is all of `paid`, as the ledger's rounding allows, among `holders` wallets
   * that have held a share: exactly `paid` (`exact`), or short by fewer wei than `holders`
   * (`floor`). Never more than `paid`.
   */
  allCredited(credited: bigint, paid: bigint, holders: number): boolean;
  /** The claimable balance of wallet on asset in token (0 when left out). */
  claimable(wallet: string, ipAssetId: string, token: string): Promise<bigint>;
  /** The claimable balances of all of `wallets` on asset in token, summed. */
  claimableTotal(wallets: readonly string[], ipAssetId: string, token: string): Promise<bigint>;
  /** Makes the next transaction of `kind` fail (only the `failures:` cases, given `injectFailure`). */
  injectFailure(kind: LedgerOperation): Promise<void>;
}

/** Binds the helpers of {@link Ctx} to one harness. */
export function createContext<L extends Ledger>(
  harness: LedgerHarness<L>,
  settings: Settings,
  inject: ((harness: LedgerHarness<L>, kind: LedgerOperation) => void | Promise<void>) | undefined,
): Ctx {
  const { waitTimeoutMs, pollIntervalMs } = settings;
  const ledger = harness.ledger;
  const tokens = (harness.tokens ?? [NATIVE]).map((t) => t.toLowerCase());
  assert.ok(tokens.length > 0, 'the harness must offer at least one token');
  const run = randomUUID().slice(0, 8);
  const rules = ledger.royaltyRules;
  let n = 0;
  const licenseCurrency = (
    harness.licenseCurrency ??
    tokens.find((t) => t !== NATIVE) ??
    WIP
  ).toLowerCase();
  assert.match(licenseCurrency, ADDRESS, 'licenseCurrency must be an address');
  assert.notEqual(
    licenseCurrency,
    NATIVE,
    'licenseCurrency must be an ERC-20, not the native token',
  );
  const ctx: Ctx = {
    ledger,
    tokens,
    token: tokens[0] as string,
    licenseCurrency,
    settings,
    ownWallet: rules?.reducibleShares?.[0]?.toLowerCase(),
    allCredited(credited, paid, holders) {
      if (credited > paid) return false;
      return rules?.rounding === 'floor' ? paid - credited < BigInt(holders) : credited === paid;
    },
    async wallet() {
      const w = (await harness.newWallet?.()) ?? randomAddress();
      assert.match(w, ADDRESS, 'newWallet() must return a lower-case 0x address');
      return w;
    },
    contentId: () => `conformance-${run}-${++n}`,
    advance: (blocks, what) => bounded(harness.advance(blocks), waitTimeoutMs, what),
    eventually: (what, probe) =>
      pollUntil(what, probe, {
        waitTimeoutMs,
        pollIntervalMs,
        advanceOne: (step) => ctx.advance(1, step),
      }),
    async until(what, test) {
      await ctx.eventually(what, async () => ((await test()) ? true : undefined));
    },
    settled: (hash, what) =>
      ctx.eventually(`${what}: transaction ${hash} terminal`, async () => {
        const state = await ledger.getTransaction(hash);
        assert.ok(state, `${what}: getTransaction(${hash}) must know a transaction it submitted`);
        return state.terminal ? state : undefined;
      }),
    async confirmed(hash, what) {
      const state = await ctx.settled(hash, what);
      assert.equal(
        state.status,
        TransactionStatus.CONFIRMED,
        `${what}: ${state.errorMessage ?? `${TransactionStatus[state.status]}, not CONFIRMED`}`,
      );
      return state;
    },
    async registered(shares, options) {
      const splits: Split[] = [];
      for (const [i, shareBps] of shares.entries()) {
        const own = i === 0 && options?.own === true ? ctx.ownWallet : undefined;
        splits.push({ wallet: own ?? (await ctx.wallet()), type: typeOf(i), shareBps });
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
    async claimableTotal(wallets, ipAssetId, token) {
      let sum = 0n;
      for (const w of wallets) sum += await ctx.claimable(w, ipAssetId, token);
      return sum;
    },
    async injectFailure(kind) {
      assert.ok(inject, 'injectFailure is not among the options');
      await inject(harness, kind);
    },
  };
  return ctx;
}
