/**
 * What Story's LAP policy holds for an ancestor. A payment to a derivative is split on chain:
 * the royalty stack's share goes to RoyaltyPolicyLAP, which owes each ancestor its part until
 * someone calls `transferToVault(descendant, ancestor, token)`; only then is it in the
 * ancestor's vault and claimable by its royalty-token holders (RoyaltyWorkflows.claimAllRevenue
 * makes those transfers first). So that wei is conserved from the port's view, balances include
 * what is still held for the ancestor, and a claim makes the transfers before it claims.
 */
import { type Address, encodeFunctionData, type PublicClient, parseAbi } from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import type { TransactionRequest } from '../../transactions/index.js';
import { licenseRegistryAbi } from './abis.js';

const lapAbi = parseAbi([
  'function getPolicyRoyaltyStack(address ipId) view returns (uint32)',
  'function getPolicyRoyalty(address ipId, address ancestorIpId) view returns (uint32)',
  'function getTransferredTokens(address ipId, address ancestorIpId, address token) view returns (uint256)',
  'function transferToVault(address ipId, address ancestorIpId, address token) returns (uint256)',
]);
const accountingAbi = parseAbi([
  'function totalRevenueTokensAccounted(address ipId, address token, address royaltyPolicy) view returns (uint256)',
]);
const vaultAbi = parseAbi([
  'function vaultAccBalances(address token) view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
]);

/** Royalty tokens per IP. */
const SUPPLY = 100_000_000n;
/** The most descendants walked per ancestor (a guard against runaway graphs). */
const MAX_DESCENDANTS = 1000;

/** What LAP holds for `ancestor` from one descendant, not yet moved to its vault. */
export interface HeldRoyalty {
  descendant: Address;
  amountWei: bigint;
}

/**
 * What LAP holds for `ancestor` in `token`, per descendant (every descendant, not only the
 * children: under LAP a grandchild owes its grandparent directly). Mirrors `transferToVault`'s
 * arithmetic: accounted × royalty / stack − transferred.
 */
export async function heldForAncestor(
  client: PublicClient,
  ancestor: Address,
  token: Address = STORY_ADDRESSES.wrappedIp,
): Promise<HeldRoyalty[]> {
  const lap = STORY_ADDRESSES.royaltyPolicyLap;
  const out: HeldRoyalty[] = [];
  for (const descendant of await descendantsOf(client, ancestor)) {
    const royalty = await client.readContract({
      address: lap,
      abi: lapAbi,
      functionName: 'getPolicyRoyalty',
      args: [descendant, ancestor],
    });
    if (royalty === 0) continue;
    const [stack, accounted, transferred] = await Promise.all([
      client.readContract({
        address: lap,
        abi: lapAbi,
        functionName: 'getPolicyRoyaltyStack',
        args: [descendant],
      }),
      client.readContract({
        address: STORY_ADDRESSES.royaltyModule,
        abi: accountingAbi,
        functionName: 'totalRevenueTokensAccounted',
        args: [descendant, token, lap],
      }),
      client.readContract({
        address: lap,
        abi: lapAbi,
        functionName: 'getTransferredTokens',
        args: [descendant, ancestor, token],
      }),
    ]);
    if (stack === 0) continue;
    const amountWei = (accounted * BigInt(royalty)) / BigInt(stack) - transferred;
    if (amountWei > 0n) out.push({ descendant, amountWei });
  }
  return out;
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

/** `RoyaltyPolicyLAP.transferToVault(descendant, ancestor, token)`. */
export function transferToVaultCall(
  descendant: Address,
  ancestor: Address,
  token: Address = STORY_ADDRESSES.wrappedIp,
): TransactionRequest {
  return {
    to: STORY_ADDRESSES.royaltyPolicyLap,
    data: encodeFunctionData({
      abi: lapAbi,
      functionName: 'transferToVault',
      args: [descendant, ancestor, token],
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
