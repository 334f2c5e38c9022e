/**
 * The few Story Protocol functions and events the ledger encodes or decodes itself, as small
 * human-readable ABIs (the Story SDK does not export its ABIs). Signatures from the protocol
 * reference (sections 3.1, 3.2, 3.8–3.10) and Story's contracts.
 */
import { parseAbi } from 'viem';

/** `IPAssetRegistry`'s registration event (ipId is not indexed). */
export const ipAssetRegistryAbi = parseAbi([
  'event IPRegistered(address ipId, uint256 indexed chainId, address indexed tokenContract, uint256 indexed tokenId, string name, string uri, uint256 registrationDate)',
]);

/** `RegistrationWorkflows.createCollection` and its event (the SDK cannot encode it only). */
export const registrationWorkflowsAbi = parseAbi([
  'struct InitParams { string name; string symbol; string baseURI; string contractURI; uint32 maxSupply; uint256 mintFee; address mintFeeToken; address mintFeeRecipient; address owner; bool mintOpen; bool isPublicMinting; }',
  'function createCollection(InitParams spgNftInitParams) returns (address spgNftContract)',
  'event CollectionCreated(address indexed spgNftContract)',
]);

/**
 * `RoyaltyModule`: the vault of an IP, and payments into it. `deployVault` exists on
 * protocol-core-v1 main and on the embedded chain's double, not in the released contracts.
 */
export const royaltyModuleAbi = parseAbi([
  'function ipRoyaltyVaults(address ipId) view returns (address)',
  'function deployVault(address ipId) returns (address)',
  'function payRoyaltyOnBehalf(address receiverIpId, address payerIpId, address token, uint256 amount)',
]);

/** An IP account: calls made as the IP (by the owner of its NFT). */
export const ipAccountAbi = parseAbi([
  'function execute(address to, uint256 value, bytes data) payable returns (bytes)',
]);

/** An IP royalty vault: the ERC-20 of the IP's royalty tokens and its revenue. */
export const royaltyVaultAbi = parseAbi([
  'function transfer(address to, uint256 value) returns (bool)',
  'function balanceOf(address account) view returns (uint256)',
  'function claimableRevenue(address claimer, address token) view returns (uint256)',
  'function claimRevenueOnBehalf(address claimer, address token) returns (uint256)',
  'event RevenueTokenClaimed(address claimer, address token, uint256 amount)',
]);

/** WIP, the wrapped native token: Story's royalty currency. */
export const wipAbi = parseAbi([
  'function deposit() payable',
  'function approve(address spender, uint256 value) returns (bool)',
  'function allowance(address owner, address spender) view returns (uint256)',
]);

/** Royalty tokens per IP: 100,000,000 (6 decimals), so one basis point is 10,000 units. */
export const ROYALTY_TOKENS_PER_BP = 10_000n;
