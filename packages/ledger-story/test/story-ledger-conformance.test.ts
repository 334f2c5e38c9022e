import { ledgerConformance } from '@mystira/chain-server/testing';
import { type EmbeddedChain, startEmbeddedChain } from '@mystira/ledger-story/embedded';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type StoryLedger, storyLedger } from '../src/ledger/index.js';

// The ledger conformance kit against the StoryLedger on the embedded chain. One chain and one
// ledger serve every case (the kit uses fresh content ids and wallets per case). Automine is on,
// so a registration is mined as it is sent; `advance` mines blocks for confirmations.
// requiredConfirmations is 5 so that a registration (mined, then its vault and split
// transactions, a block each) is not final before a listener attached after it can hear it.

let chain: EmbeddedChain;
let ledger: StoryLedger;

beforeAll(async () => {
  chain = await startEmbeddedChain();
  ledger = await storyLedger({
    provider: chain.provider,
    rpcEndpointLabel: chain.rpcUrl,
    signer: chain.accounts[3]!.privateKey,
    requiredConfirmations: 5,
    deployVaults: true,
    pollIntervalMs: 20,
  });
});

afterAll(async () => {
  ledger?.close();
  await chain?.close();
});

const cases = ledgerConformance({
  create: () => ({ ledger, advance: (blocks = 1) => chain.mine(blocks) }),
  pollIntervalMs: 20,
  waitTimeoutMs: 20_000,
  caseTimeoutMs: 60_000,
  skip: [
    // setRoyaltySplit is not implemented yet (RT transfers from holders need their signatures).
    'split: replacing a split takes effect once its transaction is confirmed',
    // setRoyaltySplit and payRoyalties are not implemented yet.
    'split and pay: an unknown asset is NOT_FOUND, one not registered yet FAILED_PRECONDITION',
    // payRoyalties is not implemented yet.
    'pay: a payment is credited to the split only once its transaction is confirmed',
    // payRoyalties and claimRoyalties are not implemented yet.
    'claim: takes the whole claimable balance; a second claim with nothing claimable is FAILED_PRECONDITION',
    // payRoyalties and claimRoyalties are not implemented yet.
    'pay and claim: wei conservation, claimed + claimable = paid per token (property)',
    // payRoyalties is not implemented yet.
    'concurrency: 8 concurrent payments to one asset are all credited',
    // payRoyalties and claimRoyalties are not implemented yet.
    'amounts: 1 wei is credited to exactly one contributor and can be claimed',
    // payRoyalties is not implemented yet (and the signer cannot hold 2^256-1 wei of WIP).
    'amounts: 2^256-1 wei is credited exactly; a payment past a full vault is refused or fails, crediting nothing',
  ],
});

describe('ledger conformance: StoryLedger on the embedded chain', () => {
  for (const c of cases) it(c.name, c.run, c.timeoutMs);
});
