import { ContributorType, IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import { type EmbeddedChain, startEmbeddedChain } from '@mystira/ledger-story/embedded';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type StoryLedger, storyLedger } from '../src/ledger/index.js';

// With one required confirmation and blocks mined by hand, a registration is final in the
// block that includes it, while the split it gives out (a vault, then royalty-token transfers)
// needs the next blocks. A caller who pays as soon as it sees the registration final must not
// be refused (nor pay the IP account instead of the contributors): the payment waits.

let chain: EmbeddedChain;
let ledger: StoryLedger;

beforeAll(async () => {
  chain = await startEmbeddedChain({ automine: false });
  const starting = storyLedger({
    provider: chain.provider,
    signer: chain.accounts[4]!.privateKey,
    requiredConfirmations: 1,
    deployVaults: true,
    pollIntervalMs: 20,
  });
  await mineUntil(starting);
  ledger = await starting;
});

afterAll(async () => {
  ledger?.close();
  await chain?.close();
});

/** Mines a block every 50 ms until `work` settles (at most 15 s). */
async function mineUntil<T>(work: Promise<T>): Promise<T> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => {});
  for (const deadline = Date.now() + 15_000; !done && Date.now() < deadline; ) {
    await chain.mine(1);
    await new Promise((r) => setTimeout(r, 50));
  }
  return work;
}

it('a payment right after the registration is final waits for the split, then credits the contributor', async () => {
  const author = `0x${'a1'.repeat(20)}`;
  const registering = ledger.registerAsset({
    contentId: 'split-wait-1',
    title: 'Waits',
    contributors: [{ wallet: author, type: ContributorType.AUTHOR, shareBps: 10000 }],
  });
  await mineUntil(registering);
  const record = await registering;
  // Final with its one confirmation; the split's transactions are not mined yet.
  const final = async () => (await ledger.getTransaction(record.txHash))?.terminal === true;
  for (const deadline = Date.now() + 10_000; !(await final()) && Date.now() < deadline; )
    await new Promise((r) => setTimeout(r, 20));
  expect(await ledger.getTransaction(record.txHash)).toMatchObject({
    status: TransactionStatus.CONFIRMED,
    terminal: true,
  });
  expect((await ledger.getAssetByIpId(record.ipAssetId))?.status).toBe(IpAssetStatus.PROCESSING);

  const paying = ledger.payRoyalties({
    ipAssetId: record.ipAssetId,
    amountWei: 1000n,
    currencyToken: '0x0000000000000000000000000000000000000000',
  });
  const paid = await mineUntil(paying);
  expect(paid.status).not.toBe('failed');
  expect((await ledger.getAssetByIpId(record.ipAssetId))?.status).toBe(IpAssetStatus.REGISTERED);
  const credited = async () => (await ledger.claimableBalances(author))[0]?.amountWei;
  await mineUntil(
    (async () => {
      while ((await credited()) !== 1000n) await new Promise((r) => setTimeout(r, 20));
    })(),
  );
  expect(await credited()).toBe(1000n);
});
