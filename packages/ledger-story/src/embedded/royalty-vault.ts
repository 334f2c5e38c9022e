import { type Address, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem';
import { storyContracts } from '../gen/story-contracts.js';
import { STORY_ADDRESSES } from '../story/addresses.js';
import type { Eip1193Provider } from './provider.js';

const { abi } = storyContracts.RoyaltyModule;

/**
 * Gives an IP a royalty vault through the RoyaltyModule double's `deployVault` (idempotent),
 * sent from `from`, an account the node holds the key of. On Story (and with the doubles) a
 * vault appears when license tokens with a royalty policy are minted or a derivative is linked;
 * tests and development set-ups that need a vault without a licence create it this way.
 */
export async function deployRoyaltyVault(
  provider: Eip1193Provider,
  from: Address,
  ipId: Address,
): Promise<Address> {
  const to = STORY_ADDRESSES.royaltyModule;
  const data = encodeFunctionData({ abi, functionName: 'deployVault', args: [ipId] });
  const hash = (await provider.request({
    method: 'eth_sendTransaction',
    params: [{ from, to, data }],
  })) as Hex;
  // With automine off the transaction waits in the mempool: mine it here.
  let receipt = await provider.request({ method: 'eth_getTransactionReceipt', params: [hash] });
  if (receipt === null) {
    await provider.request({ method: 'hardhat_mine', params: ['0x1'] });
    receipt = await provider.request({ method: 'eth_getTransactionReceipt', params: [hash] });
  }
  if ((receipt as { status?: string } | null)?.status !== '0x1') {
    throw new Error(`deployVault(${ipId}) failed in transaction ${hash}`);
  }
  const result = (await provider.request({
    method: 'eth_call',
    params: [
      { to, data: encodeFunctionData({ abi, functionName: 'ipRoyaltyVaults', args: [ipId] }) },
      'latest',
    ],
  })) as Hex;
  return decodeFunctionResult({ abi, functionName: 'ipRoyaltyVaults', data: result });
}
