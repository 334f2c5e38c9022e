import { ledgerConformance } from '@mystira/chain-server/testing';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { StoryLedger } from '../src/ledger/index.js';
import { STORY_ADDRESSES } from '../src/story/addresses.js';
import { failingProvider } from './support/failing-provider.js';
import { startLedger, stopLedger } from './support/ledger.js';

// The ledger conformance kit against the StoryLedger on the embedded chain. One chain and one
// ledger serve every case (the kit uses fresh content ids and wallets per case). Automine is on,
// so a registration is mined as it is sent; `advance` mines blocks for confirmations.
// requiredConfirmations is 5 so that a registration (mined, then its vault and split
// transactions, a block each) is not final before a listener attached after it can hear it.
// The ledger's provider is a failing provider over the chain's, for the kit's `failures:` cases.

const WIP = STORY_ADDRESSES.wrappedIp.toLowerCase();
let chain: EmbeddedChain;
let ledger: StoryLedger;
let provider: ReturnType<typeof failingProvider>;

beforeAll(async () => {
  ({ chain, ledger } = await startLedger((started) => {
    provider = failingProvider(started.provider);
    return { account: 3, provider, requiredConfirmations: 5, deployVaults: true };
  }));
});

afterAll(() => stopLedger(chain, ledger));

const cases = ledgerConformance({
  // Story holds royalties in WIP (the ledger wraps native payments): the cases pay and read in it.
  create: () => ({ ledger, advance: (blocks = 1) => chain.mine(blocks), tokens: [WIP] }),
  injectFailure: (_, kind) => provider.failNext(kind),
  pollIntervalMs: 20,
  waitTimeoutMs: 20_000,
  caseTimeoutMs: 120_000,
  // 10 runs of up to 12 payments of up to 10 tokens: within the test account's funds.
  numRuns: 10,
  maxPaymentWei: 10n ** 19n,
  skip: [
    // The vault computes accumulated revenue x holding, which overflows uint256 long before
    // 2^256-1 wei is in it (as Story's does); the signer cannot hold that much to wrap anyway.
    'amounts: 2^256-1 wei is credited exactly; a payment past a full vault is refused or fails, crediting nothing',
  ],
});

describe('ledger conformance: StoryLedger on the embedded chain', () => {
  for (const c of cases) it(c.name, c.run, c.timeoutMs);
});
