/** What the StoryLedger.ip tests share: units, wallets, Commercial Remix terms, waiting on blocks. */

import { IpAssetStatus } from '@mystira/chain-protos';
import { commercialRemixTerms, type LicenseTermsInput } from '@mystira/chain-server';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { type Address, createPublicClient, custom, erc20Abi, parseAbi, zeroAddress } from 'viem';
import type { StoryLedger } from '../../src/ledger/index.js';

/** WIP, the currency of the terms (Story's wrapped native token). */
export const WIP = '0x1514000000000000000000000000000000000000';
/** 1 % in the port's (and Story's) unit of revenue share. */
export const PERCENT = 1_000_000;

/** A wallet address from a number. */
export const wallet = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

/**
 * Commercial Remix terms (the server's expansion of the preset) under LAP in WIP, with a revenue
 * share in percent and a minting fee, and no legal text URI.
 */
export const remix = (revSharePercent: number, feeWei = 0n): LicenseTermsInput => ({
  ...commercialRemixTerms({
    royaltyPolicy: 'lap',
    mintingFeeWei: feeWei,
    currencyToken: WIP,
    commercialRevShareMicroPercent: revSharePercent * PERCENT,
  }),
  termsUri: '',
});

/** Polls `probe` until it returns a value, mining a block between polls (at most 15 s). */
export async function untilMined<T>(
  chain: EmbeddedChain,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('not reached in time');
    await chain.mine(1);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The asset once `ledger` reads it REGISTERED, mining blocks meanwhile (at most 15 s). */
export function untilRegistered(chain: EmbeddedChain, ledger: StoryLedger, ipAssetId: string) {
  return untilMined(chain, async () => {
    const a = await ledger.getAssetByIpId(ipAssetId);
    return a?.status === IpAssetStatus.REGISTERED ? a : undefined;
  });
}

/** Pays `amountWei` in the native token to the asset through `ledger`, then waits (mining) until the payment's transaction is terminal. */
export async function payAndSettle(
  chain: EmbeddedChain,
  ledger: StoryLedger,
  ipAssetId: string,
  amountWei: bigint,
): Promise<void> {
  const payment = await ledger.payRoyalties({ ipAssetId, amountWei, currencyToken: zeroAddress });
  await untilMined(chain, async () =>
    (await ledger.getTransaction(payment.txHash))?.terminal ? true : undefined,
  );
}

const royaltyModuleAbi = parseAbi(['function ipRoyaltyVaults(address) view returns (address)']);

/**
 * The royalty-token balances of `ipId`'s vault (found through the RoyaltyModule): a function of
 * the holder.
 */
export async function royaltyTokens(
  chain: EmbeddedChain,
  ipId: string,
): Promise<(holder: string) => Promise<bigint>> {
  const reader = createPublicClient({ transport: custom(chain.provider) });
  const vault = await reader.readContract({
    address: chain.addresses.royaltyModule,
    abi: royaltyModuleAbi,
    functionName: 'ipRoyaltyVaults',
    args: [ipId as Address],
  });
  return (holder) =>
    reader.readContract({
      address: vault,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [holder as Address],
    });
}
