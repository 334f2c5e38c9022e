/**
 * The host with LEDGER=story, as `npm start` runs it (a child process called over real sockets):
 * on the embedded development chain it starts itself, on a node named by CHAIN_RPC_URLS (here an
 * embedded chain this test starts, reached over HTTP like a real node), and the configurations
 * it refuses.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import {
  ChainService,
  ContributorType,
  HealthCheckResponse_ServingStatus,
  IpAssetStatus,
} from '@mystira/chain-protos';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, describeLedger, loadConfig } from '../src/config.ts';
import { EMBEDDED_CHAIN_NOTICE } from '../src/ledger.ts';
import { freePort, startHost, stopHost } from './run-host.ts';

let child: ChildProcess | undefined;
afterEach(async () => {
  await stopHost(child);
  child = undefined;
});

const AUTHOR = `0x${'a1'.repeat(20)}`;
const ARTIST = `0x${'a2'.repeat(20)}`;

function chainClient(port: number) {
  return createClient(ChainService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
}

/** Registers a two-contributor story and waits until the chain has confirmed it. */
async function registerAndConfirm(client: ReturnType<typeof chainClient>, contentId: string) {
  const submitted = await client.registerIpAsset({
    contentId,
    contentTitle: 'The Lighthouse Keeper',
    contributors: [
      { walletAddress: AUTHOR, contributorType: ContributorType.AUTHOR, shareBasisPoints: 7000 },
      { walletAddress: ARTIST, contributorType: ContributorType.ARTIST, shareBasisPoints: 3000 },
    ],
    idempotencyKey: `key-${contentId}`,
  });
  // The IP asset id exists once the transaction is in a block, which is when the call returns.
  expect(submitted.status).toBe(IpAssetStatus.PROCESSING);
  expect(submitted.ipAssetId).toMatch(/^0x[0-9a-f]{40}$/);
  expect(submitted.registrationTxHash).toMatch(/^0x[0-9a-f]{64}$/);
  const registered = await vi.waitFor(
    async () => {
      const status = await client.getIpAssetStatus({ contentId });
      expect(status.status).toBe(IpAssetStatus.REGISTERED);
      return status;
    },
    { timeout: 20_000, interval: 100 },
  );
  expect(registered.ipAssetId).toBe(submitted.ipAssetId);
  return submitted;
}

describe('LEDGER=story', () => {
  it('without CHAIN_RPC_URLS: starts an embedded chain, says plainly what it is, registers and reads an asset, stops cleanly', async () => {
    const port = await freePort();
    // A key of the operator's own on the embedded chain: funded there, and never logged.
    const key = `0x${randomBytes(32).toString('hex')}`;
    const { logs, child: host } = await startHost({
      PORT: String(port),
      LEDGER: 'story',
      SIGNER_PRIVATE_KEY: key,
      BLOCK_INTERVAL_MS: '100',
      CONFIRMATIONS: '2',
    });
    child = host;
    const notice = logs.find((l) => l.msg === EMBEDDED_CHAIN_NOTICE);
    expect(notice?.level).toBe(40);
    expect(EMBEDDED_CHAIN_NOTICE).toMatch(/embedded development chain with Story TEST contracts/);
    expect(EMBEDDED_CHAIN_NOTICE).toMatch(/NOT Story Protocol/);
    const listening = logs.find((l) => String(l.msg).startsWith('chain server listening'));
    expect(listening).toMatchObject({
      ledger: 'story',
      signerSource: 'SIGNER_PRIVATE_KEY',
      contracts: 'Story TEST contracts at the Story SDK addresses',
    });
    expect(String(listening?.rpcEndpoint)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = chainClient(port);
    const info = await client.getServiceInfo({});
    // The embedded node has Aeneid's chain id (the only one the Story SDK accepts besides
    // mainnet's); its endpoint says where it really is.
    expect(info.network).toBe('aeneid');
    expect(info.rpcEndpoint).toBe(listening?.rpcEndpoint);
    expect(info.contractAddresses.spgNftCollection).toBe(
      String(listening?.spgNftContract).toLowerCase(),
    );
    const health = await client.healthCheck({});
    expect(health.status).toBe(HealthCheckResponse_ServingStatus.SERVING);

    const asset = await registerAndConfirm(client, 'story-host-1');
    expect(await client.isRegistered({ contentId: 'story-host-1' })).toMatchObject({
      isRegistered: true,
      ipAssetId: asset.ipAssetId,
    });
    const royalties = await client.getRoyaltyConfiguration({ ipAssetId: asset.ipAssetId! });
    expect(royalties.recipients.map((r) => [r.walletAddress, r.shareBasisPoints])).toEqual([
      [AUTHOR, 7000],
      [ARTIST, 3000],
    ]);

    expect(await stopHost(host)).toBe(0);
    expect(logs.at(-1)?.msg).toBe('stopped');
    const written = JSON.stringify(logs);
    expect(written).not.toContain(key.slice(2));
  });

  it('with CHAIN_RPC_URLS and SIGNER_PRIVATE_KEY: signs for that node only, reports it, registers', async () => {
    // A node outside the host, reached over HTTP JSON-RPC as Aeneid's would be.
    const { startEmbeddedChain } = await import('@mystira/ledger-story/embedded');
    const node = await startEmbeddedChain({ blockIntervalMs: 100 });
    try {
      const port = await freePort();
      const { logs, child: host } = await startHost({
        PORT: String(port),
        LEDGER: 'story',
        CHAIN_RPC_URLS: node.rpcUrl,
        SIGNER_PRIVATE_KEY: node.accounts[2]!.privateKey,
        CONFIRMATIONS: '2',
      });
      child = host;
      expect(logs.some((l) => l.msg === EMBEDDED_CHAIN_NOTICE)).toBe(false);
      const listening = logs.find((l) => String(l.msg).startsWith('chain server listening'));
      expect(listening).toMatchObject({
        ledger: 'story',
        network: 'aeneid',
        rpcEndpoint: node.rpcUrl,
        signer: node.accounts[2]!.address,
      });
      const client = chainClient(port);
      expect(await client.getServiceInfo({})).toMatchObject({
        network: 'aeneid',
        rpcEndpoint: node.rpcUrl,
      });
      await registerAndConfirm(client, 'story-host-2');
      expect(JSON.stringify(logs)).not.toContain(node.accounts[2]!.privateKey.slice(2));
    } finally {
      await stopHost(child);
      await node.close();
    }
  });

  it('refuses to start with a node URL but no key: exit code 2, the variable named', async () => {
    const failed = await startHost({
      LEDGER: 'story',
      CHAIN_RPC_URLS: 'https://aeneid.example/rpc',
    }).catch((e: { exitCode: number; logs: Record<string, unknown>[] }) => e);
    expect(failed).toMatchObject({ exitCode: 2 });
    const fatal = (failed as { logs: Record<string, unknown>[] }).logs.find((l) => l.level === 60);
    expect(String(fatal?.msg)).toMatch(/SIGNER_PRIVATE_KEY/);
  });
});

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected an error');
}

describe('config: LEDGER', () => {
  const key = `0x${'11'.repeat(32)}`;

  it('is devnet by default, and story with an embedded chain when no URL is given', () => {
    expect(loadConfig({}).ledger).toEqual({ kind: 'devnet' });
    expect(loadConfig({ LEDGER: 'devnet' }).ledger).toEqual({ kind: 'devnet' });
    expect(loadConfig({ LEDGER: 'story' }).ledger).toEqual({
      kind: 'story',
      network: 'aeneid',
      rpcUrls: [],
    });
    const story = loadConfig({
      LEDGER: 'story',
      CHAIN_RPC_URLS: ' https://a.example/v2/secret , https://b.example ',
      SIGNER_PRIVATE_KEY: key,
      STORY_NETWORK: 'mainnet',
      SPG_NFT_CONTRACT: `0x${'ab'.repeat(20)}`,
    });
    expect(story.ledger).toEqual({
      kind: 'story',
      network: 'mainnet',
      rpcUrls: ['https://a.example/v2/secret', 'https://b.example'],
      signerPrivateKey: key,
      spgNftContract: `0x${'ab'.repeat(20)}`,
    });
    // What the log may show: no key, no URL path (API keys live there).
    const described = JSON.stringify(describeLedger(story.ledger));
    expect(described).not.toContain(key.slice(2));
    expect(described).not.toContain('secret');
    expect(described).toContain('https://a.example');
  });

  it('refuses what would run somewhere other than meant, naming the variable', () => {
    const refused = (env: NodeJS.ProcessEnv, pattern: RegExp) => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(pattern);
    };
    refused({ LEDGER: 'ganache' }, /LEDGER must be devnet or story/);
    // A node URL needs the key that signs for it; the key itself never shows in the message.
    refused({ LEDGER: 'story', CHAIN_RPC_URLS: 'https://rpc.example' }, /SIGNER_PRIVATE_KEY/);
    refused({ LEDGER: 'story', SIGNER_PRIVATE_KEY: 'nothex' }, /SIGNER_PRIVATE_KEY must be 0x/);
    const tooLong = `${key}00`;
    refused({ LEDGER: 'story', SIGNER_PRIVATE_KEY: tooLong }, /SIGNER_PRIVATE_KEY must be 0x/);
    expect(
      messageOf(() => loadConfig({ LEDGER: 'story', SIGNER_PRIVATE_KEY: tooLong })),
    ).not.toContain(key.slice(2));
    refused({ LEDGER: 'story', CHAIN_RPC_URLS: 'not a url', SIGNER_PRIVATE_KEY: key }, /http\(s\)/);
    refused(
      { LEDGER: 'story', CHAIN_RPC_URLS: 'ws://rpc.example', SIGNER_PRIVATE_KEY: key },
      /ws: URLs are not supported/,
    );
    refused({ LEDGER: 'story', STORY_NETWORK: 'odyssey' }, /STORY_NETWORK must be aeneid or/);
    refused({ LEDGER: 'story', SPG_NFT_CONTRACT: '0x12' }, /SPG_NFT_CONTRACT must be an address/);
    // The embedded chain is Aeneid's chain id with test contracts: never "mainnet".
    refused({ LEDGER: 'story', STORY_NETWORK: 'mainnet' }, /mainnet needs CHAIN_RPC_URLS/);
    refused({ LEDGER: 'story', BLOCK_INTERVAL_MS: '0' }, /BLOCK_INTERVAL_MS must be > 0/);
    // Story settings without LEDGER=story would leave the host on the simulator unnoticed.
    refused(
      { CHAIN_RPC_URLS: 'https://rpc.example', SIGNER_PRIVATE_KEY: key },
      /CHAIN_RPC_URLS, SIGNER_PRIVATE_KEY are only used with LEDGER=story/,
    );
  });
});
