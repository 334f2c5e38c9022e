/**
 * Fault test, end to end: a write the chain refuses surfaces over the wire as
 * FAILED_PRECONDITION with the revert's reason in the message, and nothing is sent. The
 * revert is a real one of the Story contracts, which the ledger does not check for itself: a
 * Chain server whose signer is not a minter of the SPG collection it is configured with (a
 * private collection of another account) registers an asset, and `mintAndRegisterIp` reverts
 * at gas estimation with `Workflow__CallerNotAuthorizedToMint()`. The component version (a
 * hand-made reverting contract under the submitter) is in transactions-submitter.test.ts.
 */
import { ChainError } from '@mystira/chain-client';
import { type Address, createPublicClient, createWalletClient, custom } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedChain } from '../src/embedded.js';
import { createCollectionCall, createdCollection } from '../src/ledger/calls.js';
import { startServerOnChain } from './support/server-on-chain.js';
import type { ServerProcess } from './support/server-process.js';

let chain: EmbeddedChain;
let server: ServerProcess;
let signer: Address;
let stop = async () => {};

/** A private collection of the first test account: only its owner may mint in it. */
async function othersCollection(chain: EmbeddedChain): Promise<Address> {
  const owner = createWalletClient({
    account: privateKeyToAccount(chain.accounts[0]!.privateKey),
    transport: custom(chain.provider),
  });
  const reader = createPublicClient({ transport: custom(chain.provider) });
  const hash = await owner.sendTransaction({
    ...createCollectionCall({ owner: owner.account.address, name: 'Not yours', symbol: 'NY' }),
    chain: null,
  });
  const collection = createdCollection(await reader.waitForTransactionReceipt({ hash }));
  if (collection === undefined) throw new Error('the collection was not created');
  return collection;
}

beforeAll(async () => {
  ({ chain, server, signer, stop } = await startServerOnChain(async (started) => ({
    spgNftContract: await othersCollection(started),
  })));
});

afterAll(() => stop());

describe('a revert over the wire', () => {
  it('RegisterIpAsset that the contracts refuse at estimation: FAILED_PRECONDITION with the reason, nothing sent, nothing recorded', async () => {
    const client = server.client();
    const input = {
      contentId: 'not-allowed-to-mint',
      contentTitle: 'Not allowed to mint',
      contributors: [
        {
          walletAddress: '0x00000000000000000000000000000000000e0e00',
          role: 'author' as const,
          shareBasisPoints: 10_000,
        },
      ],
    };
    const refused = await client.registerIpAsset(input).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ChainError);
    const error = refused as ChainError;
    expect(error.codeName).toBe('FAILED_PRECONDITION');
    // The reason: the custom error, by name (the ledger decodes Story's errors).
    expect(error.message).toMatch(/reverted/);
    expect(error.message).toContain('Workflow__CallerNotAuthorizedToMint');

    // Nothing was signed or sent, and nothing recorded: a retry meets the chain again (the
    // same refusal, not ALREADY_EXISTS), and the content id is unknown.
    const reader = createPublicClient({ transport: custom(chain.provider) });
    expect(await reader.getTransactionCount({ address: signer, blockTag: 'pending' })).toBe(0);
    const again = await client.registerIpAsset(input).catch((e: unknown) => e);
    expect(again).toMatchObject({ codeName: 'FAILED_PRECONDITION' });
    expect(await client.isRegistered(input.contentId)).toBe(false);
    await expect(client.getIpAssetStatus(input.contentId)).rejects.toMatchObject({
      codeName: 'NOT_FOUND',
    });
  });
});
