import type { Ledger, LedgerWriteKind } from '@mystira/chain-server';

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
  /**
   * The ERC-20 (lower-case address) of the commercial license terms the `ip:` cases register;
   * they pay license fees and royalties of derivatives in it, so the ledger's signer must hold
   * some (the property pays at most `numRuns × 8 × maxPaymentWei`). Default: the first of
   * {@link LedgerHarness.tokens} that is not the native token, else Story's WIP
   * (`0x1514000000000000000000000000000000000000`).
   */
  readonly licenseCurrency?: string;
  /** Releases what `create` made (stops block production, closes connections, ...). */
  dispose?(): void | Promise<void>;
}

/**
 * A transaction a ledger submits: what {@link LedgerConformanceOptions.injectFailure} targets
 * (the `ip: failures:` cases target the five writes of `Ledger.ip`).
 */
export type LedgerOperation = LedgerWriteKind;

/** Options of {@link ledgerConformance}. */
export interface LedgerConformanceOptions<L extends Ledger = Ledger> {
  /**
   * Creates a fresh harness (called once per case). The ledger may share a chain with earlier
   * cases: the kit uses new content ids, wallets and assets in every case, never assumes an
   * empty chain and only reads balances of its own assets.
   *
   * A ledger joins the `ip:` cases (collections, license terms, license tokens, derivatives and
   * their royalty flow) by exposing {@link Ledger.ip}; without it they return at once, checking
   * nothing.
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
   * `failNextTransaction({ kind })` on the devnet. When given, the `failures:` and
   * `ip: failures:` cases join the kit; without it they are not part of the list.
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
