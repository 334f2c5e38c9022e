/**
 * A minimal EVM node for the transaction tests: Hardhat 3's EDR in process, through the
 * programmatic runtime (no hardhat.config file). The embedded chain (`startEmbeddedChain`,
 * with the Story test contracts) can replace it: the tests only need `provider`, `client`,
 * `rpc` and a funded key.
 */
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import {
  type Address,
  concat,
  createPublicClient,
  custom,
  type EIP1193RequestFn,
  type Hex,
  numberToHex,
  type PublicClient,
  size,
  toHex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { type SubmitterOptions, TransactionSubmitter } from '../../src/transactions/index.js';

/** The chain id the tests sign for (Aeneid's, as on the embedded chain). */
export const TEST_CHAIN_ID = 1315;

/** An address no test holds the key of, to send value to. */
export const DEAD_ADDRESS = '0x000000000000000000000000000000000000dEaD' as const;

/** A running node. */
export interface TestChain {
  /** The node's EIP-1193 provider. */
  provider: { request: EIP1193RequestFn };
  /** A viem client over it. */
  client: PublicClient;
  /** A raw JSON-RPC call. */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** A new private key whose account holds 1000 ETH. */
  fundedKey(): Promise<Hex>;
  /** Stops the node. */
  close(): Promise<void>;
}

/** Starts an EDR node; automining is on, as Hardhat's default. */
export async function startTestChain(): Promise<TestChain> {
  const hre = await createHardhatRuntimeEnvironment(
    { networks: { default: { type: 'edr-simulated', chainId: TEST_CHAIN_ID } } },
    {},
    process.cwd(),
  );
  const connection = await hre.network.connect();
  const provider = connection.provider as unknown as { request: EIP1193RequestFn };
  const rpc = <T>(method: string, params: unknown[] = []) =>
    (provider.request as (a: { method: string; params: unknown[] }) => Promise<T>)({
      method,
      params,
    });
  // No retries: EDR's revert errors reach viem as "unknown" RPC errors, which viem would
  // retry with backoff (about a second per revert) although a revert never changes on retry.
  const client = createPublicClient({
    transport: custom(provider, { retryCount: 0 }),
    pollingInterval: 20,
    cacheTime: 0,
  });
  return {
    provider,
    client,
    rpc,
    async fundedKey() {
      const key = generatePrivateKey();
      await rpc('hardhat_setBalance', [
        privateKeyToAccount(key).address,
        numberToHex(1000n * 10n ** 18n),
      ]);
      return key;
    },
    close: () => connection.close(),
  };
}

/**
 * A submitter on `chain` that polls every 20 ms, signing with a newly funded key unless `options`
 * name an account; `options` override the rest too.
 */
export async function testSubmitter(
  chain: TestChain,
  options: Partial<SubmitterOptions> = {},
): Promise<TransactionSubmitter> {
  return new TransactionSubmitter({
    client: chain.client,
    account: options.account ?? privateKeyToAccount(await chain.fundedKey()),
    chainId: TEST_CHAIN_ID,
    pollIntervalMs: 20,
    ...options,
  });
}

/**
 * A hand-assembled contract: a call without data succeeds (STOP); a call with data reverts
 * with `Error("nope")`. Enough to test estimation reverts, reverted receipts and creations.
 */
export const REVERTER_RUNTIME: Hex = concat([
  '0x36', // CALLDATASIZE
  '0x600557', // PUSH1 5, JUMPI: data → revert path
  '0x00', // STOP
  '0x5b', // JUMPDEST (5)
  '0x6308c379a060e01b600052', // mstore(0, Error(string) selector << 224)
  '0x6020600452', // mstore(4, 0x20): offset of the string
  '0x6004602452', // mstore(0x24, 4): its length
  '0x636e6f706560e01b604452', // mstore(0x44, "nope" << 224)
  '0x60646000fd', // revert(0, 0x64)
]);

/** Init code that deploys {@link REVERTER_RUNTIME}: CODECOPY the runtime, RETURN it. */
export function reverterInitCode(): Hex {
  const length = toHex(size(REVERTER_RUNTIME), { size: 1 });
  // PUSH1 len, PUSH1 12 (offset of the runtime), PUSH1 0, CODECOPY, PUSH1 len, PUSH1 0, RETURN
  const init = concat(['0x60', length, '0x600c600039', '0x60', length, '0x6000f3']);
  return concat([init, REVERTER_RUNTIME]);
}

/** The address a receipt says was created, or a failure. */
export function created(address: Address | undefined): Address {
  if (address === undefined) throw new Error('no contract was created');
  return address;
}
