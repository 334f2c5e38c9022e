import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmbeddedAccount } from './accounts.js';
import { TEST_ACCOUNT_BALANCE } from './accounts.js';
import type { Eip1193Provider } from './provider.js';

/** A running EDR network: its provider and how to stop it. */
export interface EdrNetwork {
  readonly provider: Eip1193Provider;
  close(): Promise<void>;
}

/** What the in-process EDR network is started with. */
export interface EdrNetworkOptions {
  readonly chainId: number;
  readonly accounts: readonly EmbeddedAccount[];
  readonly automine: boolean;
  readonly blockIntervalMs: number | undefined;
}

// Hardhat resolves its "project root" as the closest directory with a package.json above the
// directory it is given (default: the working directory, which need not be an npm project).
// Give it this package's own root, which always has one; nothing is read or written there
// because the configuration is passed in memory and no plugin or artifact is used.
function packageRoot(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, '..');
}

/**
 * Starts Hardhat 3's EDR (its Rust EVM) in this process with an in-memory configuration, so no
 * hardhat.config file is needed: `createHardhatRuntimeEnvironment` with one `edr-simulated`
 * network, then `network.connect()` for its provider. Hardhat is an optional peer dependency,
 * loaded only here.
 */
export async function startEdrNetwork(options: EdrNetworkOptions): Promise<EdrNetwork> {
  let hreModule: typeof import('hardhat/hre');
  try {
    hreModule = await import('hardhat/hre');
  } catch (error) {
    throw new Error(
      'The embedded chain needs Hardhat 3: npm install --save-dev hardhat (an optional peer dependency of @mystira/ledger-story)',
      { cause: error },
    );
  }
  const hre = await hreModule.createHardhatRuntimeEnvironment(
    {
      networks: {
        embedded: {
          type: 'edr-simulated',
          chainType: 'l1',
          chainId: options.chainId,
          accounts: options.accounts.map((a) => ({
            privateKey: a.privateKey,
            balance: TEST_ACCOUNT_BALANCE,
          })),
          // The doubles are small, but a test that deploys a bigger contract should not fail
          // for a limit Story's chain enforces the same way.
          allowUnlimitedContractSize: true,
          // A real node accepts a transaction that will revert and mines it; only then does its
          // receipt say so. Hardhat by default fails the send instead (in automine mode).
          throwOnTransactionFailures: false,
          // Blocks faster than one a second would otherwise push block timestamps ahead of the
          // clock (Hardhat gives each block a later second); allow equal timestamps instead.
          allowBlocksWithSameTimestamp: (options.blockIntervalMs ?? 1000) < 1000,
          mining: {
            auto: options.automine,
            interval: options.blockIntervalMs ?? 0,
          },
        },
      },
    },
    {},
    packageRoot(),
  );
  const connection = await hre.network.connect({ network: 'embedded' });
  return { provider: connection.provider, close: () => connection.close() };
}
