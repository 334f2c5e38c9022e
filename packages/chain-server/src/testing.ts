/**
 * `@mystira/chain-server/testing`: the ledger conformance kit. One list of named async cases that
 * any {@link Ledger} adapter runs against itself, so "implements the `Ledger` port" means the
 * same thing for the embedded devnet and for a ledger on a real chain: registrations that become
 * final after `requiredConfirmations`, duplicate and unknown ids, royalty splits, payments that
 * are credited once confirmed, claims that take the whole balance, wei conservation (a
 * fast-check property), transaction states and listeners, `info()` / `health()`, concurrency,
 * and the amounts at the edges. A ledger with `Ledger.ip` also runs the `ip:` cases: collections,
 * license terms, attachment, license tokens, derivatives and the royalty flow from a derivative
 * to its ancestors (a fast-check property over random derivative trees); without it they pass
 * without checking anything. Credits are compared within the rounding a ledger declares in
 * `royaltyRules`.
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
// The cases live in ./testing/, one file per job; this file is the entry tsup builds to
// dist/testing.js and TypeDoc documents.
// biome-ignore lint/correctness/noUnusedImports: TypeDoc resolves the {@link Ledger} above by it.
import type { Ledger } from '@mystira/chain-server';

export { ledgerConformance } from './testing/conformance.js';
export type {
  LedgerConformanceCase,
  LedgerConformanceOptions,
  LedgerHarness,
  LedgerOperation,
} from './testing/options.js';
