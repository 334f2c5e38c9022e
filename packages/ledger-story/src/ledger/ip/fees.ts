/**
 * Paying Story's minting fees from the signer: the LicensingModule takes them in WIP from the
 * caller through the RoyaltyModule, so the native token is wrapped first (exactly the fee) and
 * the RoyaltyModule approved when its allowance is short.
 */
import { encodeFunctionData, maxUint256 } from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import type { TransactionRequest } from '../../transactions/index.js';
import { wipAbi } from '../abis.js';
import type { IpContext } from './context.js';

/** Wraps `amountWei` to WIP and makes sure the RoyaltyModule may take it; keys under `key`. */
export async function fundWipFee(ctx: IpContext, amountWei: bigint, key: string): Promise<void> {
  if (amountWei === 0n) return;
  await step(ctx, `${key}:deposit`, {
    to: STORY_ADDRESSES.wrappedIp,
    data: encodeFunctionData({ abi: wipAbi, functionName: 'deposit' }),
    value: amountWei,
  });
  const allowance = await ctx.client.readContract({
    address: STORY_ADDRESSES.wrappedIp,
    abi: wipAbi,
    functionName: 'allowance',
    args: [ctx.signer, STORY_ADDRESSES.royaltyModule],
  });
  if (allowance >= amountWei) return;
  await step(ctx, `${key}:approve`, {
    to: STORY_ADDRESSES.wrappedIp,
    data: encodeFunctionData({
      abi: wipAbi,
      functionName: 'approve',
      args: [STORY_ADDRESSES.royaltyModule, maxUint256],
    }),
  });
}

/** Sends one step and waits for it; throws when it reverted. */
export async function step(
  ctx: IpContext,
  key: string,
  request: TransactionRequest,
): Promise<void> {
  const { record } = await ctx.write(key, request);
  if (record.state === 'failed') {
    throw new Error(`${key.split(':').at(-1)} reverted in transaction ${record.txHash}`);
  }
}
