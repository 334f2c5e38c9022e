/**
 * The ledger the host serves, from its configuration: the in-process devnet, or Story Protocol
 * through `@mystira/ledger-story` on the nodes the operator named or, without any, on an embedded
 * development chain (Hardhat's EDR in this process, with Story TEST contracts).
 *
 * `@mystira/ledger-story` is imported only for LEDGER=story, after the configuration was read:
 * the Story SDK loads a `.env` file from the working directory into process.env when it is
 * imported, which must neither slow down nor change a devnet host.
 */
import { DevnetLedger, type Ledger } from '@mystira/chain-server';
import type { HostConfig, StoryLedgerConfig } from './config.ts';

/** A ledger ready to serve, and how to stop it and what it runs on. */
export interface HostLedger {
  ledger: Ledger;
  /** Starts producing blocks (devnet) or nothing (a Story ledger is running already). */
  start(): void;
  /** Stops the ledger, then the embedded chain if there is one. */
  stop(): Promise<void>;
  /** Fields for the start-up log line: never a key. */
  logFields: Record<string, unknown>;
  /** Lines to log once at start (e.g. that the chain is an embedded development chain). */
  notices: string[];
}

/** Something worth logging while the ledger starts (the collection created, a background error). */
export type LedgerLog = (
  level: 'info' | 'warn',
  fields: Record<string, unknown>,
  msg: string,
) => void;

/** The ledger of `config`; for Story, connected and with its SPG collection. */
export async function startHostLedger(config: HostConfig, log: LedgerLog): Promise<HostLedger> {
  if (config.ledger.kind === 'devnet') {
    const ledger = new DevnetLedger({
      blockIntervalMs: config.blockIntervalMs,
      requiredConfirmations: config.confirmations,
    });
    return {
      ledger,
      start: () => ledger.start(),
      stop: async () => ledger.stop(),
      logFields: { ledger: 'devnet' },
      notices: [],
    };
  }
  return startStory(config, config.ledger, log);
}

/** The log line that says plainly what an embedded chain is (tests look for it). */
export const EMBEDDED_CHAIN_NOTICE =
  'LEDGER=story without CHAIN_RPC_URLS: this is an embedded development chain with Story TEST contracts, NOT Story Protocol; nothing here is on Aeneid or mainnet, and it is gone when the host stops';

async function startStory(
  config: HostConfig,
  story: StoryLedgerConfig,
  log: LedgerLog,
): Promise<HostLedger> {
  const { storyLedger } = await import('@mystira/ledger-story');
  const onEvent = (event: import('@mystira/ledger-story').StoryLedgerEvent) => {
    if (event.type === 'collection-created')
      log(
        'info',
        { spgNftContract: event.address },
        'created the SPG NFT collection; set SPG_NFT_CONTRACT to it to reuse it after a restart',
      );
    else if (event.type === 'error')
      log('warn', { err: event.error, context: event.context }, 'ledger background error');
  };
  const common = {
    network: story.network,
    requiredConfirmations: config.confirmations,
    onEvent,
    ...(story.spgNftContract !== undefined && { spgNftContract: story.spgNftContract }),
  };

  if (story.rpcUrls.length > 0) {
    // A real network: the operator's nodes and key. Vaults come from Story's own workflows.
    const ledger = await storyLedger({
      ...common,
      rpcUrls: story.rpcUrls,
      signer: story.signerPrivateKey!,
    });
    return {
      ledger,
      start: () => undefined,
      stop: async () => ledger.close(),
      logFields: {
        ledger: 'story',
        network: story.network,
        rpcEndpoint: ledger.info().rpcEndpoint,
        signer: ledger.signer,
        spgNftContract: ledger.collection,
      },
      notices: [],
    };
  }

  const { startEmbeddedChain } = await import('@mystira/ledger-story/embedded');
  // Blocks on an interval as well as per transaction, so confirmations count up on their own.
  const chain = await startEmbeddedChain({ blockIntervalMs: config.blockIntervalMs });
  try {
    const signer = story.signerPrivateKey ?? chain.accounts[0]!.privateKey;
    if (story.signerPrivateKey !== undefined) await fundOnEmbeddedChain(chain, signer);
    const ledger = await storyLedger({
      ...common,
      provider: chain.provider,
      rpcEndpointLabel: chain.rpcUrl,
      signer,
      // Only the test contracts can create a vault on demand; real Story creates them through
      // licensing, which this ledger does not drive yet.
      deployVaults: true,
      // Polling as often as blocks come keeps confirmations in step with the chain.
      pollIntervalMs: Math.min(1000, Math.max(50, Math.floor(config.blockIntervalMs / 2))),
    });
    return {
      ledger,
      start: () => undefined,
      async stop() {
        ledger.close();
        await chain.close();
      },
      logFields: {
        ledger: 'story',
        network: `${story.network} (embedded development chain, chain id ${chain.chainId})`,
        rpcEndpoint: chain.rpcUrl,
        signer: ledger.signer,
        signerSource: story.signerPrivateKey ? 'SIGNER_PRIVATE_KEY' : 'embedded public test key',
        spgNftContract: ledger.collection,
        contracts: 'Story TEST contracts at the Story SDK addresses',
      },
      notices: [EMBEDDED_CHAIN_NOTICE],
    };
  } catch (error) {
    await chain.close();
    throw error;
  }
}

/**
 * The embedded chain funds only its public test accounts; a key of the operator's own gets the
 * same 10,000 IP there (development money on a chain that lives as long as the host).
 */
async function fundOnEmbeddedChain(
  chain: import('@mystira/ledger-story/embedded').EmbeddedChain,
  key: `0x${string}`,
): Promise<void> {
  const { privateKeyToAccount } = await import('viem/accounts');
  const { address } = privateKeyToAccount(key);
  const balance = BigInt(
    (await chain.provider.request({
      method: 'eth_getBalance',
      params: [address, 'latest'],
    })) as string,
  );
  if (balance > 0n) return;
  await chain.provider.request({
    method: 'hardhat_setBalance',
    params: [address, `0x${(10_000n * 10n ** 18n).toString(16)}`],
  });
}
