/**
 * The calls a registration sends and the receipts it reads, one function each: mint and
 * register (metadata documents built, stored and hashed; the call encoded by the Story SDK),
 * what its receipt says, the SPG collection, a vault, and the royalty tokens per contributor.
 */
import type { Split } from '@mystira/chain-server';
import type { StoryClient } from '@story-protocol/core-sdk';
import {
  type Address,
  encodeFunctionData,
  type Hex,
  parseEventLogs,
  type TransactionReceipt,
  zeroAddress,
} from 'viem';
import { metadataHash, registrationDocuments } from '../metadata/documents.js';
import type { MetadataStore } from '../metadata/store.js';
import { STORY_ADDRESSES } from '../story/addresses.js';
import type { TransactionRequest } from '../transactions/index.js';
import {
  ipAccountAbi,
  ipAssetRegistryAbi,
  ROYALTY_TOKENS_PER_BP,
  registrationWorkflowsAbi,
  royaltyModuleAbi,
  royaltyVaultAbi,
} from './abis.js';

/** What a registration writes: the call, and where its two documents were stored. */
export interface RegistrationCall {
  /** `RegistrationWorkflows.mintAndRegisterIp`, encoded by the Story SDK. */
  request: TransactionRequest;
  /** The IP (IPA Metadata Standard) document's URI. */
  ipMetadataUri: string;
  /** The NFT (ERC-721 JSON) document's URI. */
  nftMetadataUri: string;
}

/**
 * Builds both metadata documents (`createdAt` is the first submission's time, so a retry
 * hashes alike), stores them, and has the Story SDK encode `mintAndRegisterIp` with the four
 * metadata fields, minting to `recipient` (the signer, who then owns the IP account).
 */
export async function registrationCall(args: {
  story: StoryClient;
  store: MetadataStore;
  collection: Address;
  recipient: Address;
  contentId: string;
  title: string;
  contributors: readonly Split[];
  createdAt: Date;
  metadataUri?: string | undefined;
  signal?: AbortSignal;
}): Promise<RegistrationCall> {
  const docs = registrationDocuments({
    contentId: args.contentId,
    title: args.title,
    contributors: args.contributors.map((c) => ({
      wallet: c.wallet,
      shareBps: c.shareBps,
      ...(c.displayName !== undefined && { displayName: c.displayName }),
    })),
    createdAt: args.createdAt,
    ...(args.metadataUri !== undefined && { contentMetadataUri: args.metadataUri }),
  });
  const [ip, nft] = await Promise.all([
    args.store.put(docs.ip, args.signal),
    args.store.put(docs.nft, args.signal),
  ]);
  const { encodedTxData } = await args.story.ipAsset.mintAndRegisterIp({
    spgNftContract: args.collection,
    recipient: args.recipient,
    ipMetadata: {
      ipMetadataURI: ip.uri,
      ipMetadataHash: metadataHash(docs.ip),
      nftMetadataURI: nft.uri,
      nftMetadataHash: metadataHash(docs.nft),
    },
    txOptions: { encodedTxDataOnly: true },
  });
  if (encodedTxData === undefined) throw new Error('the Story SDK returned no encoded call');
  return {
    request: { to: encodedTxData.to, data: encodedTxData.data },
    ipMetadataUri: ip.uri,
    nftMetadataUri: nft.uri,
  };
}

/** The IP asset a registration receipt reports (the registry's `IPRegistered`), if any. */
export function registeredIp(
  receipt: Pick<TransactionReceipt, 'logs'>,
): { ipId: Address; tokenId: bigint; tokenContract: Address } | undefined {
  const registry = STORY_ADDRESSES.ipAssetRegistry.toLowerCase();
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === registry);
  const [event] = parseEventLogs({ abi: ipAssetRegistryAbi, logs, strict: true });
  if (event === undefined) return undefined;
  return {
    ipId: event.args.ipId,
    tokenId: event.args.tokenId,
    tokenContract: event.args.tokenContract,
  };
}

/**
 * `RegistrationWorkflows.createCollection` for a collection owned by `owner`, private minting
 * (only the owner mints), no mint fee. The SDK's `createNFTCollection` cannot return the
 * encoded call, so viem encodes it.
 */
export function createCollectionCall(args: {
  owner: Address;
  name: string;
  symbol: string;
  /** The collection-level metadata URI; empty by default. */
  contractUri?: string;
  /** The most NFTs it may hold; the largest uint32 by default. */
  maxSupply?: number;
}): TransactionRequest {
  return {
    to: STORY_ADDRESSES.registrationWorkflows,
    data: encodeFunctionData({
      abi: registrationWorkflowsAbi,
      functionName: 'createCollection',
      args: [
        {
          name: args.name,
          symbol: args.symbol,
          baseURI: '',
          contractURI: args.contractUri ?? '',
          maxSupply: args.maxSupply ?? MAX_SUPPLY,
          mintFee: 0n,
          mintFeeToken: zeroAddress,
          mintFeeRecipient: args.owner,
          owner: args.owner,
          mintOpen: true,
          isPublicMinting: false,
        },
      ],
    }),
  };
}

/** The largest supply an SPG collection can have (its `maxSupply` is a uint32). */
export const MAX_SUPPLY = 2 ** 32 - 1;

/** The collection a `createCollection` receipt reports. */
export function createdCollection(receipt: Pick<TransactionReceipt, 'logs'>): Address | undefined {
  const workflows = STORY_ADDRESSES.registrationWorkflows.toLowerCase();
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === workflows);
  const [event] = parseEventLogs({ abi: registrationWorkflowsAbi, logs, strict: true });
  return event?.args.spgNftContract;
}

/** `RoyaltyModule.deployVault(ipId)` (test contracts and protocol-core-v1 main only). */
export function deployVaultCall(ipId: Address): TransactionRequest {
  return {
    to: STORY_ADDRESSES.royaltyModule,
    data: encodeFunctionData({ abi: royaltyModuleAbi, functionName: 'deployVault', args: [ipId] }),
  };
}

/**
 * The calls that give each contributor `shareBps × 10,000` of the IP's 100,000,000 royalty
 * tokens: the IP account's `execute(vault, 0, vault.transfer(wallet, amount))`, sent by the
 * owner of the IP's NFT. Royalty tokens that left the IP account cannot be pulled back.
 */
export function splitCalls(
  ipId: Address,
  vault: Address,
  contributors: readonly Split[],
): TransactionRequest[] {
  return contributors.map((c) => ({
    to: ipId,
    data: encodeFunctionData({
      abi: ipAccountAbi,
      functionName: 'execute',
      args: [
        vault,
        0n,
        encodeFunctionData({
          abi: royaltyVaultAbi,
          functionName: 'transfer',
          args: [c.wallet as Address, BigInt(c.shareBps) * ROYALTY_TOKENS_PER_BP],
        }),
      ],
    }),
  }));
}

/** A `0x` hash or address in lower case, as the port reports them. */
export function lower<T extends Hex>(value: T): T {
  return value.toLowerCase() as T;
}
