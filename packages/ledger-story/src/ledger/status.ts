/**
 * What the ledger reports about itself: `info()` (network, node, contracts) and `health()`
 * (the node answers and its head block is recent).
 */
import type { LedgerHealth, LedgerInfo } from '@mystira/chain-server';
import type { Address, PublicClient } from 'viem';
import { STORY_ADDRESSES } from '../story/addresses.js';

/** The network, the node (without credentials) and the contracts, addresses in lower case. */
export function ledgerInfo(args: {
  network: string;
  endpoint: string;
  collection: Address | undefined;
}): LedgerInfo {
  const contractAddresses: Record<string, string> = {};
  for (const [name, address] of Object.entries(STORY_ADDRESSES))
    contractAddresses[name] = address.toLowerCase();
  if (args.collection !== undefined)
    contractAddresses.spgNftCollection = args.collection.toLowerCase();
  return { network: args.network, rpcEndpoint: args.endpoint, contractAddresses };
}

/**
 * Serving when the node answers within `timeoutMs` and its latest block is at most
 * `maxHeadAgeMs` old (a stalled chain or a node far behind is not serving). Details are
 * strings: the latest block, its age, the limit, the signer, and the error when not serving.
 */
export async function headHealth(args: {
  client: Pick<PublicClient, 'getBlock'>;
  network: string;
  signer: Address;
  maxHeadAgeMs: number;
  timeoutMs: number;
  now: () => Date;
  closed: boolean;
}): Promise<LedgerHealth> {
  const details: Record<string, string> = { ledger: 'story', network: args.network };
  if (args.closed) return { serving: false, details: { ...details, error: 'closed' } };
  try {
    const block = await withTimeout(
      args.client.getBlock({ blockTag: 'latest' }),
      args.timeoutMs,
      'eth_getBlockByNumber(latest)',
    );
    const age = Math.max(0, args.now().getTime() - Number(block.timestamp) * 1000);
    details.latest_block = block.number.toString();
    details.head_age_ms = String(age);
    details.max_head_age_ms = String(args.maxHeadAgeMs);
    details.signer = args.signer.toLowerCase();
    if (age > args.maxHeadAgeMs) details.error = `the latest block is ${age} ms old`;
    return { serving: age <= args.maxHeadAgeMs, details };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { serving: false, details: { ...details, error: `node unreachable: ${message}` } };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
