/** `ledgerConformance`: the options resolved, then the cases in order, bound to the harness. */
import assert from 'node:assert/strict';
import type { Ledger } from '@mystira/chain-server';
import { conservationCase } from './conservation-case.js';
import { type CaseDefinition, createContext, type Settings } from './context.js';
import { failureCases } from './failure-cases.js';
import { ipCases } from './ip-cases.js';
import { ipDerivativeCases } from './ip-derivative-cases.js';
import { ipFailureCases } from './ip-failure-cases.js';
import { ipRoyaltyProperty } from './ip-royalty-property.js';
import type { LedgerConformanceCase, LedgerConformanceOptions } from './options.js';
import { registerCases } from './register-cases.js';
import { amountCases, paymentCases, splitCases } from './royalty-cases.js';
import { concurrencyCases, infoCase, validationCase } from './service-cases.js';
import { transactionCases } from './transaction-cases.js';

/**
 * The conformance cases, bound to a harness factory.
 *
 * @typeParam L - The ledger type the harness creates (its `injectFailure` sees it).
 */
export function ledgerConformance<L extends Ledger>(
  options: LedgerConformanceOptions<L>,
): LedgerConformanceCase[] {
  const settings: Settings = {
    waitTimeoutMs: options.waitTimeoutMs ?? 30_000,
    pollIntervalMs: options.pollIntervalMs ?? 0,
    numRuns: options.numRuns ?? 15,
    seed: options.seed,
    maxPaymentWei: options.maxPaymentWei ?? 10n ** 21n,
    concurrency: options.concurrency ?? 8,
  };
  const timeoutMs = options.caseTimeoutMs ?? 120_000;
  const inject = options.injectFailure;
  // The order runners list them in: from a registration to payments on it, then the rest.
  const definitions: CaseDefinition[] = [
    ...registerCases,
    ...splitCases,
    validationCase,
    ...paymentCases,
    conservationCase,
    ...transactionCases,
    infoCase,
    ...concurrencyCases(settings.concurrency),
    ...amountCases,
    // The IP port's cases check nothing unless the ledger has `ip`.
    ...ipCases,
    ...ipDerivativeCases,
    ipRoyaltyProperty,
    ...(inject ? [...failureCases, ...ipFailureCases] : []),
  ];

  const names = new Set<string>();
  for (const { name } of definitions) {
    assert.ok(!names.has(name), `duplicate case name ${name}`);
    names.add(name);
  }
  const skip = new Set(options.skip ?? []);
  const unknown = [...skip].filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `ledgerConformance: skip names no case: ${unknown.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  return definitions
    .filter(({ name }) => !skip.has(name))
    .map(({ name, run }) => ({
      name,
      timeoutMs,
      run: async () => {
        const harness = await options.create();
        try {
          await run(createContext(harness, settings, inject));
        } finally {
          await harness.dispose?.();
        }
      },
    }));
}
