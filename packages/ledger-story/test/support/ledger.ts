/**
 * The embedded chain with a StoryLedger on it, as most ledger tests start them: one chain per
 * file, a ledger signing with one of its funded accounts and polling fast.
 */
import { type EmbeddedChain, startEmbeddedChain } from '@mystira/ledger-story/embedded';
import { type StoryLedger, type StoryLedgerOptions, storyLedger } from '../../src/ledger/index.js';

/** A chain and the ledger on it. */
export interface LedgerOnChain {
  chain: EmbeddedChain;
  ledger: StoryLedger;
}

/** What {@link startLedger} takes: ledger options over its defaults, and which account signs. */
export interface StartLedgerOptions extends Omit<StoryLedgerOptions, 'signer'> {
  /** Which of the chain's funded accounts signs. Default 1. */
  account?: number;
}

/**
 * Starts the embedded chain and a StoryLedger on its provider, signing with account `account`,
 * labelled with the chain's URL, polling every 20 ms; `options` override (a function of the chain
 * when they need it, e.g. a wrapped provider).
 */
export async function startLedger(
  options: StartLedgerOptions | ((chain: EmbeddedChain) => StartLedgerOptions) = {},
): Promise<LedgerOnChain> {
  const chain = await startEmbeddedChain();
  try {
    const { account = 1, ...overrides } = typeof options === 'function' ? options(chain) : options;
    const ledger = await storyLedger({
      provider: chain.provider,
      rpcEndpointLabel: chain.rpcUrl,
      signer: chain.accounts[account]!.privateKey,
      pollIntervalMs: 20,
      ...overrides,
    });
    return { chain, ledger };
  } catch (error) {
    await chain.close();
    throw error;
  }
}

/** Closes what {@link startLedger} started; either may be missing when starting failed. */
export async function stopLedger(chain?: EmbeddedChain, ledger?: StoryLedger): Promise<void> {
  ledger?.close();
  await chain?.close();
}
