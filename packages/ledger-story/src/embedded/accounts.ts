import type { Address, Hex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';

/** One funded account of the embedded chain. */
export interface EmbeddedAccount {
  /** The account's address. */
  readonly address: Address;
  /**
   * Its private key: a **public test key** (the well-known Hardhat/Anvil development keys,
   * derived from the mnemonic "test test … junk"). Anyone can sign with it: never send real
   * funds to these addresses on a real chain.
   */
  readonly privateKey: Hex;
}

// The first five Hardhat/Anvil development keys. Public on purpose: the embedded chain is for
// development and tests, and other processes (a Chain server, a script) must be able to sign too.
const PUBLIC_TEST_KEYS: readonly Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
];

/** 10,000 IP (18 decimals): enough native currency for any test, including WIP wrapping. */
export const TEST_ACCOUNT_BALANCE = 10_000n * 10n ** 18n;

/** The embedded chain's funded accounts, in a stable order. */
export function publicTestAccounts(): EmbeddedAccount[] {
  return PUBLIC_TEST_KEYS.map((privateKey) => ({
    address: privateKeyToAddress(privateKey),
    privateKey,
  }));
}
