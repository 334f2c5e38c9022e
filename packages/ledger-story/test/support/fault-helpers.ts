/**
 * Small helpers of the fault tests: a funded signer of a test's own, the transaction a signer
 * has waiting in the node's pool, and bounded waits (every wait in these tests has a deadline,
 * so a fault that hangs fails with a name instead of a timeout of the whole file).
 */

import { type Address, createPublicClient, custom, type Hex, numberToHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { EmbeddedChain } from '../../src/embedded.js';

/** A new key whose account holds 1000 IP, so a test's nonce counts are its own. */
export async function fundedSigner(chain: EmbeddedChain): Promise<{ key: Hex; address: Address }> {
  const key = generatePrivateKey();
  const { address } = privateKeyToAccount(key);
  await chain.provider.request({
    method: 'hardhat_setBalance',
    params: [address, numberToHex(10n ** 21n)],
  });
  return { key, address };
}

/** The hash of `signer`'s transaction waiting in the node's pool (at most 30 s). */
export async function pendingFrom(chain: EmbeddedChain, signer: Address): Promise<Hex> {
  const reader = createPublicClient({ transport: custom(chain.provider) });
  return until(`a pending transaction from ${signer}`, async () => {
    const block = await reader.getBlock({ blockTag: 'pending', includeTransactions: true });
    return block.transactions.find((t) => t.from.toLowerCase() === signer.toLowerCase())?.hash;
  });
}

/**
 * Resolves with the first truthy value of `probe` (tried every 20 ms, for at most `ms`);
 * fails naming `what` otherwise.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `promise`, or a failure naming `what` after `ms`. */
export async function boundedly<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
