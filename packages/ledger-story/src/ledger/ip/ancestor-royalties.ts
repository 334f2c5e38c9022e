/**
 * What Story's royalty policies hold for an ancestor. A payment to a derivative is split on
 * chain: the royalty stack's share goes to the policy contracts (RoyaltyPolicyLAP and
 * RoyaltyPolicyLRP), which owe each ancestor its part until someone calls
 * `transferToVault(descendant, ancestor, token)`; only then is it in the ancestor's vault and
 * claimable by its royalty-token holders (RoyaltyWorkflows.claimAllRevenue makes those transfers
 * first). So that wei is conserved from the port's view, balances include what is still held
 * for the ancestor, and a claim makes the transfers before it claims.
 */
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  type PublicClient,
  parseAbi,
} from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import type { TransactionRequest } from '../../transactions/index.js';
import { licenseRegistryAbi } from './abis.js';

const policyAbi = parseAbi([
  'function transferToVault(address ipId, address ancestorIpId, address token) returns (uint256)',
]);
const vaultAbi = parseAbi([
  'function vaultAccBalances(address token) view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
]);

/** The policy contracts that hold ancestors' royalties. */
const POLICIES: readonly Address[] = [
  STORY_ADDRESSES.royaltyPolicyLap,
  STORY_ADDRESSES.royaltyPolicyLrp,
];
/** Royalty tokens per IP. */
const SUPPLY = 100_000_000n;
/** The most descendants walked per ancestor (a guard against runaway graphs). */
const MAX_DESCENDANTS = 1000;

/** What one policy holds for an ancestor from one descendant, not yet moved to its vault. */
export interface HeldRoyalty {
  descendant: Address;
  /** The policy contract holding it. */
  policy: Address;
  amountWei: bigint;
}

/**
 * What the policies hold for `ancestor` in `token`, per descendant (every descendant, not only
 * the children: a grandchild owes its grandparent directly). Each amount is what
 * `transferToVault` would move now, asked of the node with a call (no transaction); a call the
 * policy refuses (nothing owed) counts as nothing.
 */
export async function heldForAncestor(
  client: PublicClient,
  ancestor: Address,
  token: Address = STORY_ADDRESSES.wrappedIp,
): Promise<HeldRoyalty[]> {
  const out: HeldRoyalty[] = [];
  for (const descendant of await descendantsOf(client, ancestor)) {
    const amounts = await Promise.all(
      POLICIES.map((policy) => wouldTransfer(client, policy, descendant, ancestor, token)),
    );
    amounts.forEach((amountWei, i) => {
      if (amountWei > 0n) out.push({ descendant, policy: POLICIES[i] as Address, amountWei });
    });
  }
  return out;
}

/** What `transferToVault` would move now; 0 when the policy reverts (it owes nothing). */
async function wouldTransfer(
  client: PublicClient,
  policy: Address,
  descendant: Address,
  ancestor: Address,
  token: Address,
): Promise<bigint> {
  try {
    const { result } = await client.simulateContract({
      address: policy,
      abi: policyAbi,
      functionName: 'transferToVault',
      args: [descendant, ancestor, token],
    });
    return result;
  } catch (error) {
    const reverted =
      error instanceof BaseError &&
      error.walk((e) => e instanceof ContractFunctionRevertedError) !== null;
    if (reverted) return 0n;
    throw error;
  }
}

/**
 * What `wallet` could claim from the vault once `held` is moved in: today's claimable plus its
 * holding's share of the addition, rounded as the vault rounds (floor of the running total).
 */
export async function claimableWithHeld(
  client: PublicClient,
  vault: Address,
  wallet: Address,
  claimable: bigint,
  held: bigint,
  token: Address = STORY_ADDRESSES.wrappedIp,
): Promise<bigint> {
  if (held === 0n) return claimable;
  const [acc, balance] = await Promise.all([
    client.readContract({
      address: vault,
      abi: vaultAbi,
      functionName: 'vaultAccBalances',
      args: [token],
    }),
    client.readContract({
      address: vault,
      abi: vaultAbi,
      functionName: 'balanceOf',
      args: [wallet],
    }),
  ]);
  return claimable + ((acc + held) * balance) / SUPPLY - (acc * balance) / SUPPLY;
}

/** `transferToVault(descendant, ancestor, token)` on the policy holding the royalty. */
export function transferToVaultCall(
  held: HeldRoyalty,
  ancestor: Address,
  token: Address = STORY_ADDRESSES.wrappedIp,
): TransactionRequest {
  return {
    to: held.policy,
    data: encodeFunctionData({
      abi: policyAbi,
      functionName: 'transferToVault',
      args: [held.descendant, ancestor, token],
    }),
  };
}

/** Every descendant of `ip` in the LicenseRegistry, breadth first, each once. */
async function descendantsOf(client: PublicClient, ip: Address): Promise<Address[]> {
  const seen = new Set<string>([ip.toLowerCase()]);
  const out: Address[] = [];
  const queue: Address[] = [ip];
  while (queue.length > 0 && out.length < MAX_DESCENDANTS) {
    const at = queue.shift() as Address;
    const count = await client.readContract({
      address: STORY_ADDRESSES.licenseRegistry,
      abi: licenseRegistryAbi,
      functionName: 'getDerivativeIpCount',
      args: [at],
    });
    for (let i = 0n; i < count; i++) {
      const child = await client.readContract({
        address: STORY_ADDRESSES.licenseRegistry,
        abi: licenseRegistryAbi,
        functionName: 'getDerivativeIp',
        args: [at, i],
      });
      if (seen.has(child.toLowerCase())) continue;
      seen.add(child.toLowerCase());
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
