import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmbeddedChain } from '@mystira/ledger-story/embedded';
import { StoryClient } from '@story-protocol/core-sdk';
import {
  createPublicClient,
  createWalletClient,
  custom,
  http,
  parseEther,
  zeroAddress,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { perFile } from './support/per-file.js';

// The node itself: chain id, accounts, the HTTP JSON-RPC server, mining and snapshots.

const chain = perFile(startEmbeddedChain);

function post(body: string): Promise<Response> {
  return fetch(chain.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

describe('startEmbeddedChain', () => {
  it('reports chain id 1315 and funds its public test accounts', async () => {
    const client = createPublicClient({ transport: custom(chain.provider), cacheTime: 0 });
    expect(chain.chainId).toBe(1315);
    expect(await client.getChainId()).toBe(1315);
    expect(chain.accounts.length).toBeGreaterThanOrEqual(2);
    for (const account of chain.accounts) {
      expect(privateKeyToAccount(account.privateKey).address).toBe(account.address);
      expect(await client.getBalance({ address: account.address })).toBe(parseEther('10000'));
    }
    for (const address of Object.values(chain.addresses)) {
      expect(await client.getCode({ address })).toMatch(/^0x[0-9a-f]{100,}$/);
    }
  });

  it('serves the same node over HTTP to a separate viem client and to the SDK', async () => {
    const remote = createPublicClient({ transport: http(chain.rpcUrl) });
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await remote.getChainId()).toBe(1315);
    const sdk = StoryClient.newClient({
      transport: http(chain.rpcUrl),
      account: privateKeyToAccount(chain.accounts[1]!.privateKey),
      chainId: 'aeneid',
    });
    const { spgNftContract } = await sdk.nftClient.createNFTCollection({
      name: 'Over HTTP',
      symbol: 'HTTP',
      isPublicMinting: false,
      mintOpen: true,
      mintFeeRecipient: zeroAddress,
      contractURI: '',
      txOptions: { pollingInterval: 10 },
    });
    const { ipId } = await sdk.ipAsset.mintAndRegisterIp({
      spgNftContract: spgNftContract!,
      txOptions: { pollingInterval: 10 },
    });
    // What one client wrote, the in-process provider sees.
    const local = createPublicClient({ transport: custom(chain.provider), cacheTime: 0 });
    expect(await local.getCode({ address: ipId! })).not.toBeUndefined();
  });

  it('is reachable from another process', async () => {
    const script = `
      import { createPublicClient, http } from 'viem';
      const client = createPublicClient({ transport: http(process.argv[1]) });
      const balance = await client.getBalance({ address: process.argv[2] });
      console.log(String(await client.getChainId()) + ' ' + balance);
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, chain.rpcUrl, chain.accounts[4]!.address],
      { cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    expect(stdout.trim()).toBe(`1315 ${parseEther('10000')}`);
  });

  it('answers batch requests in order and rejects malformed or oversized ones', async () => {
    const batch = await post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
        { jsonrpc: '2.0', id: 'two', method: 'no_such_method', params: [] },
        { jsonrpc: '2.0', id: 3, method: 'eth_blockNumber' },
      ]),
    );
    const answers = (await batch.json()) as { id: unknown; result?: unknown; error?: unknown }[];
    expect(answers.map((a) => a.id)).toEqual([1, 'two', 3]);
    expect(answers[0]!.result).toBe('0x523');
    expect(answers[1]!.error).toMatchObject({ code: expect.any(Number) });
    expect(answers[2]!.result).toMatch(/^0x/);

    expect(await (await post('[]')).json()).toMatchObject({ error: { code: -32600 } });
    expect(await (await post('{not json')).json()).toMatchObject({ error: { code: -32700 } });
    expect((await post(`"${'x'.repeat(2 * 1024 * 1024)}"`)).status).toBe(413);
    expect((await fetch(chain.rpcUrl)).status).toBe(405);
  });

  it('passes revert data through HTTP, so a remote client decodes custom errors', async () => {
    const remote = createPublicClient({ transport: http(chain.rpcUrl) });
    const simulation = remote.simulateContract({
      address: chain.addresses.royaltyModule,
      abi: [
        {
          type: 'function',
          name: 'payRoyaltyOnBehalf',
          stateMutability: 'nonpayable',
          inputs: [
            { name: 'receiverIpId', type: 'address' },
            { name: 'payerIpId', type: 'address' },
            { name: 'token', type: 'address' },
            { name: 'amount', type: 'uint256' },
          ],
          outputs: [],
        },
        { type: 'error', name: 'RoyaltyModule__ZeroReceiverVault', inputs: [] },
      ],
      functionName: 'payRoyaltyOnBehalf',
      args: [zeroAddress, zeroAddress, chain.addresses.wrappedIp, 1n],
      account: chain.accounts[0]!.address,
    });
    await expect(simulation).rejects.toThrow(/RoyaltyModule__ZeroReceiverVault/);
  });

  it('reverts to a snapshot: the head moves back and a new block replaces the old one', async () => {
    const client = createPublicClient({ transport: custom(chain.provider), cacheTime: 0 });
    const wallet = createWalletClient({
      transport: custom(chain.provider),
      account: privateKeyToAccount(chain.accounts[0]!.privateKey),
    });
    const start = await client.getBlockNumber();
    const id = await chain.snapshot();
    await wallet.sendTransaction({ to: chain.accounts[1]!.address, value: 1n, chain: null });
    await chain.mine(2);
    const orphan = await client.getBlock({ blockNumber: start + 1n });
    expect(await client.getBlockNumber()).toBe(start + 3n);

    expect(await chain.revert(id)).toBe(true);
    expect(await client.getBlockNumber()).toBe(start);
    await wallet.sendTransaction({ to: chain.accounts[1]!.address, value: 2n, chain: null });
    const replacement = await client.getBlock({ blockNumber: start + 1n });
    expect(replacement.hash).not.toBe(orphan.hash);
    expect(replacement.parentHash).toBe(orphan.parentHash);
  });

  it('leaves transactions pending with automine off until a block is mined', async () => {
    const client = createPublicClient({ transport: custom(chain.provider), cacheTime: 0 });
    const wallet = createWalletClient({
      transport: custom(chain.provider),
      account: privateKeyToAccount(chain.accounts[0]!.privateKey),
    });
    await chain.setAutomine(false);
    try {
      const hash = await wallet.sendTransaction({
        to: chain.accounts[1]!.address,
        value: 1n,
        chain: null,
      });
      await expect(client.getTransactionReceipt({ hash })).rejects.toThrow();
      await chain.mine();
      expect((await client.getTransactionReceipt({ hash })).status).toBe('success');
    } finally {
      await chain.setAutomine(true);
    }
  });

  it('rejects a blockIntervalMs that is not a positive integer', async () => {
    await expect(startEmbeddedChain({ blockIntervalMs: 0 })).rejects.toThrow(RangeError);
  });
});

describe('startEmbeddedChain with blockIntervalMs', () => {
  it('mines on an interval, so confirmations advance without further transactions', async () => {
    const ticking = await startEmbeddedChain({ blockIntervalMs: 50 });
    try {
      const client = createPublicClient({
        transport: custom(ticking.provider),
        pollingInterval: 20,
      });
      const wallet = createWalletClient({
        transport: custom(ticking.provider),
        account: privateKeyToAccount(ticking.accounts[0]!.privateKey),
      });
      const hash = await wallet.sendTransaction({
        to: ticking.accounts[1]!.address,
        value: 1n,
        chain: null,
      });
      const receipt = await client.waitForTransactionReceipt({
        hash,
        confirmations: 3,
        timeout: 5_000,
      });
      expect(await client.getBlockNumber()).toBeGreaterThanOrEqual(receipt.blockNumber + 2n);
    } finally {
      await ticking.close();
    }
    // Closed: the HTTP server is gone, and closing again is harmless.
    await expect(fetch(ticking.rpcUrl, { method: 'POST', body: '{}' })).rejects.toThrow();
    await ticking.close();
  });
});
