/**
 * The ledger under the demo's Chain host: by default Story Protocol's ledger
 * (`@mystira/ledger-story`) on an embedded EVM chain in this process (Hardhat's EDR, chain id
 * 1315, with Story TEST contracts at the Story SDK's addresses), or the in-process devnet
 * simulator with `--ledger devnet`.
 *
 * `@mystira/ledger-story` is imported only when it is used: importing the Story SDK loads a
 * `.env` file from the working directory into process.env (startDemoSystem reads its own copy
 * of the environment before that).
 */
import { DevnetLedger, type Ledger } from '@mystira/chain-server';

/** Which ledger the demo's Chain host serves. */
export type DemoLedgerKind = 'story' | 'devnet';

/** A started ledger: serve `ledger`, call `start()` once the host listens, `stop()` after it. */
export interface DemoLedger {
  kind: DemoLedgerKind;
  ledger: Ledger;
  /** The embedded chain's JSON-RPC URL on this machine (Story only). */
  rpcUrl?: string;
  /** One line for people about what the ledger is. */
  description: string;
  start(): void;
  stop(): Promise<void>;
}

export interface DemoLedgerOptions {
  /** Block interval, ms: the devnet's blocks, the embedded chain's interval mining. */
  blockIntervalMs: number;
  /** Confirmations until a transaction is final. */
  requiredConfirmations: number;
}

export async function startDemoLedger(
  kind: DemoLedgerKind,
  options: DemoLedgerOptions,
): Promise<DemoLedger> {
  if (kind === 'devnet') {
    const ledger = new DevnetLedger(options);
    return {
      kind,
      ledger,
      description: 'devnet ledger (in process, simulated; the default is the Story ledger)',
      start: () => ledger.start(),
      stop: async () => ledger.stop(),
    };
  }
  const { startEmbeddedChain } = await import('@mystira/ledger-story/embedded');
  const { storyLedger } = await import('@mystira/ledger-story');
  // Blocks on an interval as well as one per transaction: confirmations count up on their own.
  const chain = await startEmbeddedChain({ blockIntervalMs: options.blockIntervalMs });
  try {
    const ledger = await storyLedger({
      provider: chain.provider,
      rpcEndpointLabel: chain.rpcUrl,
      // The embedded chain's first funded account: a public test key, on a chain that lives as
      // long as the demo.
      signer: chain.accounts[0]!.privateKey,
      requiredConfirmations: options.requiredConfirmations,
      // Only the test contracts can give an asset a royalty vault on demand (Story does it
      // through licensing), and the scenario pays royalties right after registering.
      deployVaults: true,
      pollIntervalMs: Math.max(50, Math.floor(options.blockIntervalMs / 2)),
    });
    return {
      kind,
      ledger,
      rpcUrl: chain.rpcUrl,
      description: `Story ledger on an embedded EVM chain (chain id ${chain.chainId}, ${chain.rpcUrl}) with Story TEST contracts: not Story Protocol, gone when the demo stops (--ledger devnet for the simulator)`,
      start: () => undefined,
      async stop() {
        ledger.close();
        await chain.close();
      },
    };
  } catch (error) {
    await chain.close();
    throw error;
  }
}
