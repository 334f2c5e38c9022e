/**
 * What Story keeps of an IP asset besides the registry's record, read from the chain: the NFT
 * it was registered from (its collection) and, in its IP account under CoreMetadataModule's
 * namespace, the IP and NFT metadata URIs and hashes. The chain is the record, so an asset
 * reads back the same after a restart, and whichever signer or port registered it.
 *
 * A JSON document comes back too when the metadata store has the one at the URI and its JSON
 * text, as stored or canonical, hashes (keccak256) to the hash on chain: the port promises the
 * exact bytes that were hashed, and gives none rather than other bytes.
 */
import type { MetadataRecord } from '@mystira/chain-server';
import {
  type Address,
  type Hex,
  hexToString,
  keccak256,
  type PublicClient,
  pad,
  parseAbi,
  stringToHex,
  toBytes,
  zeroHash,
} from 'viem';
import { canonicalJson } from '../../metadata/canonical-json.js';
import type { MetadataStore } from '../../metadata/store.js';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import { lower } from '../calls.js';

const ipAccountReadAbi = parseAbi([
  'function token() view returns (uint256 chainId, address tokenContract, uint256 tokenId)',
  'function getBytes(bytes32 namespace, bytes32 key) view returns (bytes)',
  'function getBytes32(bytes32 namespace, bytes32 key) view returns (bytes32)',
]);

/** CoreMetadataModule's namespace in an IP account: its address as a bytes32. */
const NAMESPACE = pad(STORY_ADDRESSES.coreMetadataModule);
const key = (name: string): Hex => pad(stringToHex(name), { dir: 'right', size: 32 });

/** An asset's collection and metadata, as the chain has them. */
export interface OnChainAsset {
  collection: string;
  ipMetadata?: MetadataRecord;
  nftMetadata?: MetadataRecord;
}

/** Reads `ipId`'s collection and metadata from its IP account. */
export async function readAssetOnChain(
  client: PublicClient,
  store: MetadataStore,
  ipId: Address,
): Promise<OnChainAsset> {
  const read = <T>(functionName: 'token' | 'getBytes' | 'getBytes32', args?: readonly Hex[]) =>
    client.readContract({
      address: ipId,
      abi: ipAccountReadAbi,
      functionName,
      ...(args && { args }),
    } as never) as Promise<T>;
  const [[, tokenContract], ipUri, ipHash, nftUri, nftHash] = await Promise.all([
    read<readonly [bigint, Address, bigint]>('token'),
    read<Hex>('getBytes', [NAMESPACE, key('METADATA_URI')]),
    read<Hex>('getBytes32', [NAMESPACE, key('METADATA_HASH')]),
    read<Hex>('getBytes', [NAMESPACE, key('NFT_TOKEN_URI')]),
    read<Hex>('getBytes32', [NAMESPACE, key('NFT_METADATA_HASH')]),
  ]);
  const [ipMetadata, nftMetadata] = await Promise.all([
    metadataOf(store, hexToString(ipUri), ipHash),
    metadataOf(store, hexToString(nftUri), nftHash),
  ]);
  return {
    collection: lower(tokenContract),
    ...(ipMetadata && { ipMetadata }),
    ...(nftMetadata && { nftMetadata }),
  };
}

/** The record of one URI and hash (none when both are empty), with its JSON when it matches. */
async function metadataOf(
  store: MetadataStore,
  uri: string,
  hash: Hex,
): Promise<MetadataRecord | undefined> {
  if (uri === '' && hash === zeroHash) return undefined;
  const record: MetadataRecord = { uri, hash: hash.toLowerCase() };
  // A store that cannot answer leaves the JSON out: the URI and hash on chain are the record.
  const document = uri === '' ? undefined : await store.get(uri).catch(() => undefined);
  if (document === undefined) return record;
  for (const json of [JSON.stringify(document), canonicalJson(document)]) {
    if (keccak256(toBytes(json)) === record.hash) return { ...record, json };
  }
  return record;
}
