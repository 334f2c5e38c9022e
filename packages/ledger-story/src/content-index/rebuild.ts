/**
 * Rebuilds the content index from the chain: the source of truth after a restart, or for a new
 * instance whose index is empty.
 *
 * Every registration this SDK makes sets the IP metadata, so CoreMetadataModule emits
 * `MetadataURISet(ipId, uri, hash)`; the document at `uri` carries Mystira's `contentId`. The
 * rebuild scans those events block range by block range from the index's checkpoint, reads each
 * document, and records the content id. Registration is permissionless, so a stranger could
 * register an IP whose document claims one of our content ids: an event counts only when the
 * document's keccak256 matches the hash on chain and the IP's owner is one of `trustedOwners`
 * (the ledger's signing accounts, which receive every NFT it mints).
 */
import { type Address, type Client, getAddress, type Hex, parseAbi, parseAbiItem } from 'viem';
import { getBlockNumber, getLogs, readContract } from 'viem/actions';
import { metadataHash } from '../metadata/documents.js';
import type { MetadataStore } from '../metadata/store.js';
import type { ContentIndex } from './index.js';

const METADATA_URI_SET = parseAbiItem(
  'event MetadataURISet(address indexed ipId, string metadataURI, bytes32 metadataHash)',
);
const IP_ACCOUNT = parseAbi([
  'function owner() view returns (address)',
  'function token() view returns (uint256 chainId, address tokenContract, uint256 tokenId)',
]);

/** Options of {@link rebuildContentIndex}. */
export interface RebuildOptions {
  /** A viem client of the chain (a public client, or any client over its transport). */
  client: Client;
  /** The index to fill; its checkpoint says where to resume. */
  index: ContentIndex;
  /** Where the metadata documents are read from. */
  metadata: MetadataStore;
  /** The CoreMetadataModule's address (the emitter of `MetadataURISet`). */
  coreMetadataModule: Address;
  /** Owners whose IPs count: the ledger's signing accounts. */
  trustedOwners: readonly Address[];
  /** Where to start when the index has no checkpoint (the ledger's first block). Default 0. */
  fromBlock?: bigint;
  /** Blocks per `eth_getLogs` request (nodes cap the range). Default 5000. */
  chunkBlocks?: bigint;
  /** Leave this many of the newest blocks for later, so a reorg cannot undo what was indexed. */
  confirmations?: number;
  /** Cancels the rebuild between requests. */
  signal?: AbortSignal;
  /** Called after each block range, e.g. to log progress. */
  onProgress?: (progress: RebuildProgress) => void;
}

/** How far a rebuild has come. */
export interface RebuildProgress {
  /** The last block scanned. */
  block: bigint;
  /** The block the rebuild runs to. */
  toBlock: bigint;
  /** Entries recorded so far. */
  recorded: number;
  /** Events skipped so far: not ours, a document that is gone or does not match its hash. */
  skipped: number;
}

/** Scans the chain from the index's checkpoint to the head (minus `confirmations`). */
export async function rebuildContentIndex(options: RebuildOptions): Promise<RebuildProgress> {
  const { client, index, signal } = options;
  const trusted = new Set(options.trustedOwners.map((a) => getAddress(a)));
  const chunk = options.chunkBlocks ?? 5000n;
  const checkpoint = await index.checkpoint();
  const head = await getBlockNumber(client, { cacheTime: 0 });
  const toBlock = head - BigInt(options.confirmations ?? 0);
  const progress: RebuildProgress = { block: checkpoint ?? -1n, toBlock, recorded: 0, skipped: 0 };

  for (
    let from = checkpoint === undefined ? (options.fromBlock ?? 0n) : checkpoint + 1n;
    from <= toBlock;
  ) {
    signal?.throwIfAborted();
    const to = from + chunk - 1n < toBlock ? from + chunk - 1n : toBlock;
    const logs = await getLogs(client, {
      address: options.coreMetadataModule,
      event: METADATA_URI_SET,
      fromBlock: from,
      toBlock: to,
    });
    for (const log of logs) {
      const { ipId, metadataURI, metadataHash: onChainHash } = log.args;
      const contentId =
        ipId && metadataURI && onChainHash
          ? await ourContentId(options, trusted, ipId, metadataURI, onChainHash)
          : undefined;
      if (contentId === undefined) {
        progress.skipped++;
        continue;
      }
      const [, , tokenId] = await readContract(client, {
        address: ipId!,
        abi: IP_ACCOUNT,
        functionName: 'token',
      });
      await index.put({
        contentId,
        ipId: ipId!.toLowerCase(),
        txHash: log.transactionHash,
        nftTokenId: tokenId.toString(),
        blockNumber: log.blockNumber,
      });
      progress.recorded++;
    }
    await index.setCheckpoint(to);
    progress.block = to;
    options.onProgress?.({ ...progress });
    from = to + 1n;
  }
  return progress;
}

/** The content id an event names, if the event is one of ours; undefined otherwise. */
async function ourContentId(
  options: RebuildOptions,
  trusted: Set<Address>,
  ipId: Address,
  uri: string,
  onChainHash: Hex,
): Promise<string | undefined> {
  const owner = await readContract(options.client, {
    address: ipId,
    abi: IP_ACCOUNT,
    functionName: 'owner',
  });
  if (!trusted.has(getAddress(owner))) return undefined;
  const document = await options.metadata.get(uri, options.signal);
  if (document === undefined || metadataHash(document) !== onChainHash) return undefined;
  const contentId = (document as { contentId?: unknown }).contentId;
  return typeof contentId === 'string' && contentId !== '' ? contentId : undefined;
}
