/**
 * `@mystira/ledger-story/embedded`: the development chain. An EVM node runs in this process
 * (Hardhat 3's EDR) with chain id 1315 and **test contracts** installed at the addresses where
 * `@story-protocol/core-sdk` expects Story Protocol's, so the unmodified SDK works offline. The
 * contracts are simplified stand-ins written for tests, not Story's code (see the README).
 *
 * @packageDocumentation
 */

import type { Address } from 'viem';
import { type EmbeddedAccount, publicTestAccounts } from './embedded/accounts.js';
import { startEdrNetwork } from './embedded/edr.js';
import { startRpcServer } from './embedded/http-server.js';
import { installStoryDoubles } from './embedded/install.js';
import { type Eip1193Provider, withRpcRequestErrors } from './embedded/provider.js';
import { deployRoyaltyVault } from './embedded/royalty-vault.js';
import { STORY_ADDRESSES } from './story/addresses.js';

export type { EmbeddedAccount } from './embedded/accounts.js';
export type { Eip1193Provider } from './embedded/provider.js';
export { STORY_ADDRESSES, type StoryContractName } from './story/addresses.js';

/** The chain id the embedded node reports: Aeneid's, the only one the Story SDK accepts. */
export const EMBEDDED_CHAIN_ID = 1315;

/** Options of {@link startEmbeddedChain}. */
export interface EmbeddedChainOptions {
  /**
   * Mine a block for every transaction as it arrives (Hardhat's automine). Default `true`; with
   * `false`, transactions wait for the next interval block or {@link EmbeddedChain.mine}.
   */
  readonly automine?: boolean;
  /**
   * Also mine a block every this many milliseconds, so the head advances on its own and
   * confirmations count up as on a real chain. Default: no interval mining.
   */
  readonly blockIntervalMs?: number;
  /** TCP port of the JSON-RPC server on 127.0.0.1. Default `0`: a free port. */
  readonly port?: number;
  /** Largest JSON-RPC request body the HTTP server accepts, in bytes. Default 1 MiB. */
  readonly maxRequestBytes?: number;
  /** Most calls in one JSON-RPC batch request. Default 100. */
  readonly maxBatchSize?: number;
}

/** A running embedded chain. Stop it with {@link EmbeddedChain.close}. */
export interface EmbeddedChain {
  /** The node in process, as an EIP-1193 provider (for viem: `custom(chain.provider)`). */
  readonly provider: Eip1193Provider;
  /**
   * The same node over HTTP JSON-RPC on 127.0.0.1 (for viem: `http(chain.rpcUrl)`), so other
   * processes can use it.
   */
  readonly rpcUrl: string;
  /** Always {@link EMBEDDED_CHAIN_ID}. */
  readonly chainId: number;
  /** Funded accounts (10,000 IP each) whose private keys are public test keys. */
  readonly accounts: readonly EmbeddedAccount[];
  /** Where the test contracts are installed: Story's Aeneid addresses. */
  readonly addresses: typeof STORY_ADDRESSES;
  /** Mines `blocks` blocks (default 1) at once, e.g. to add confirmations. */
  mine(blocks?: number): Promise<void>;
  /** Switches automine on or off. */
  setAutomine(enabled: boolean): Promise<void>;
  /** Mines a block every `ms` milliseconds from now on; `0` stops interval mining. */
  setBlockInterval(ms: number): Promise<void>;
  /** Records the chain's state; returns an id for {@link EmbeddedChain.revert}. */
  snapshot(): Promise<string>;
  /**
   * Returns the chain to a snapshot, dropping every later block: the head moves back, as in a
   * reorg (mine different blocks afterwards to get a new branch). A snapshot can be reverted to
   * once; returns whether it existed.
   */
  revert(snapshotId: string): Promise<boolean>;
  /**
   * Gives an IP a royalty vault (all 100,000,000 royalty tokens to its IP account) unless it has
   * one, and returns the vault's address. As on Story, vaults also appear when royalty-bearing
   * license tokens are minted or a derivative is linked; this is the short way for an IP that
   * needs no licence (it calls the RoyaltyModule double's `deployVault(address)`, sent from the
   * first test account).
   */
  deployRoyaltyVault(ipId: Address): Promise<Address>;
  /** Stops the HTTP server and the node. */
  close(): Promise<void>;
}

/**
 * Starts an EVM node in this process with chain id 1315, funded test accounts and the Story test
 * contracts, and serves it over HTTP on 127.0.0.1. Needs `hardhat` (an optional peer dependency)
 * installed. Takes well under a second.
 *
 * @example
 * ```ts
 * const chain = await startEmbeddedChain();
 * const client = StoryClient.newClient({
 *   transport: custom(chain.provider),
 *   account: privateKeyToAccount(chain.accounts[0].privateKey),
 *   chainId: 'aeneid',
 * });
 * // … use client …
 * await chain.close();
 * ```
 */
export async function startEmbeddedChain(
  options: EmbeddedChainOptions = {},
): Promise<EmbeddedChain> {
  const blockIntervalMs = options.blockIntervalMs;
  if (
    blockIntervalMs !== undefined &&
    !(Number.isInteger(blockIntervalMs) && blockIntervalMs > 0)
  ) {
    throw new RangeError(`blockIntervalMs must be a positive integer, got ${blockIntervalMs}`);
  }
  const accounts = publicTestAccounts();
  const network = await startEdrNetwork({
    chainId: EMBEDDED_CHAIN_ID,
    accounts,
    automine: options.automine ?? true,
    blockIntervalMs,
  });
  // The HTTP server passes the node's errors through as JSON-RPC errors; in process, viem needs
  // them wrapped (see withRpcRequestErrors).
  const provider = withRpcRequestErrors(network.provider);
  try {
    await installStoryDoubles(provider);
    const server = await startRpcServer(network.provider, options.port ?? 0, {
      maxRequestBytes: options.maxRequestBytes ?? 1024 * 1024,
      maxBatchSize: options.maxBatchSize ?? 100,
    });
    let closed: Promise<void> | undefined;
    return {
      provider,
      rpcUrl: server.url,
      chainId: EMBEDDED_CHAIN_ID,
      accounts,
      addresses: STORY_ADDRESSES,
      async mine(blocks = 1) {
        await provider.request({ method: 'hardhat_mine', params: [`0x${blocks.toString(16)}`] });
      },
      async setAutomine(enabled) {
        await provider.request({ method: 'evm_setAutomine', params: [enabled] });
      },
      async setBlockInterval(ms) {
        await provider.request({ method: 'evm_setIntervalMining', params: [ms] });
      },
      async snapshot() {
        return (await provider.request({ method: 'evm_snapshot', params: [] })) as string;
      },
      async revert(snapshotId) {
        return (await provider.request({ method: 'evm_revert', params: [snapshotId] })) as boolean;
      },
      deployRoyaltyVault(ipId) {
        return deployRoyaltyVault(provider, accounts[0]!.address, ipId);
      },
      close() {
        closed ??= server.close().finally(() => network.close());
        return closed;
      },
    };
  } catch (error) {
    await network.close();
    throw error;
  }
}
