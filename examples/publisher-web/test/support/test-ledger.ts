/**
 * The ledger under the browser tests' Chain server, chosen here and nowhere else. By default the
 * Story ledger (`@mystira/ledger-story` on an embedded EVM node with Story's test contracts, 150
 * ms blocks, 3 confirmations) the way the demo starts it (examples/demo/src/chain-ledger.ts);
 * `PUBLISHER_WEB_LEDGER=devnet` serves the in-process devnet simulator instead.
 */
import {
  type DemoLedger,
  type DemoLedgerKind,
  startDemoLedger,
} from '../../../demo/src/chain-ledger.ts';

/** Which ledger the tests run on: `PUBLISHER_WEB_LEDGER` (story unless it says devnet). */
export function testLedgerKind(env: NodeJS.ProcessEnv = process.env): DemoLedgerKind {
  const chosen = env.PUBLISHER_WEB_LEDGER?.trim().toLowerCase();
  if (chosen === undefined || chosen === '' || chosen === 'story') return 'story';
  if (chosen === 'devnet') return 'devnet';
  throw new Error(`PUBLISHER_WEB_LEDGER must be devnet or story, not "${chosen}"`);
}

/** A started ledger for the tests; `network` is what the page will show ("devnet", "aeneid"). */
export interface TestLedger extends DemoLedger {
  network: string;
}

export async function startTestLedger(): Promise<TestLedger> {
  const started = await startDemoLedger(testLedgerKind(), {
    blockIntervalMs: 150,
    requiredConfirmations: 3,
  });
  started.start();
  return Object.assign(started, { network: started.ledger.info().network });
}
