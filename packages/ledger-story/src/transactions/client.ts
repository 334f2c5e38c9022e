/**
 * The node calls the machinery makes, as a small interface of its own: a viem `PublicClient`
 * satisfies it as it is, a test can fake it, and the API reference shows nine methods instead
 * of viem's whole client type.
 */
import type { Address, Hex } from 'viem';

/** The fields of a receipt the machinery reads. */
export interface ChainReceipt {
  /** The transaction. */
  transactionHash: Hex;
  /** The block that includes it. */
  blockNumber: bigint;
  /** That block's hash. */
  blockHash: Hex;
  /** Whether it succeeded. */
  status: 'success' | 'reverted';
  /** Gas it used. */
  gasUsed: bigint;
  /** The created contract, for a creation. */
  contractAddress?: Address | null | undefined;
}

/** The fields of a transaction the machinery reads (to replay a reverted one). */
export interface ChainTransaction {
  /** The sender. */
  from: Address;
  /** The recipient; `null` for a creation. */
  to: Address | null;
  /** The call data. */
  input: Hex;
  /** Wei sent along. */
  value: bigint;
  /** The gas limit. */
  gas: bigint;
}

/** The fields of `eth_feeHistory`'s answer the machinery reads. */
export interface FeeHistory {
  /** Base fees of the sampled blocks, plus the next block's as the last entry. */
  baseFeePerGas: bigint[];
  /** Per sampled block, the priority fees at the requested percentiles. */
  reward?: bigint[][] | undefined;
}

/** The fields of a block the machinery reads. */
export interface ChainBlock {
  /** Its hash (`null` only for a pending block, which the machinery never asks for). */
  hash: Hex | null;
}

/**
 * A node, through viem's action names. Calls that find nothing throw viem's
 * `TransactionNotFoundError`, `TransactionReceiptNotFoundError` and `BlockNotFoundError` (the
 * machinery recognises them by name).
 */
export interface ChainClient {
  /** `eth_feeHistory`. */
  getFeeHistory(args: {
    blockCount: number;
    blockTag: 'latest';
    rewardPercentiles: number[];
  }): Promise<FeeHistory>;
  /** `eth_estimateGas`. */
  estimateGas(args: {
    account: Address;
    to?: Address;
    data?: Hex;
    value?: bigint;
  }): Promise<bigint>;
  /** `eth_getTransactionCount`. */
  getTransactionCount(args: { address: Address; blockTag: 'latest' | 'pending' }): Promise<number>;
  /** `eth_sendRawTransaction`. */
  sendRawTransaction(args: { serializedTransaction: Hex }): Promise<Hex>;
  /** `eth_getTransactionReceipt`. */
  getTransactionReceipt(args: { hash: Hex }): Promise<ChainReceipt>;
  /** `eth_getTransactionByHash`. */
  getTransaction(args: { hash: Hex }): Promise<ChainTransaction>;
  /** `eth_blockNumber`; `cacheTime: 0` because viem caches it otherwise. */
  getBlockNumber(args: { cacheTime: number }): Promise<bigint>;
  /** `eth_getBlockByNumber`. */
  getBlock(args: { blockNumber: bigint }): Promise<ChainBlock>;
  /** `eth_call` at a block. */
  call(args: {
    account: Address;
    to?: Address;
    data?: Hex;
    value?: bigint;
    gas?: bigint;
    blockNumber: bigint;
  }): Promise<unknown>;
}
