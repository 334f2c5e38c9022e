/**
 * The two metadata documents of a registration, and their hashes.
 *
 * Mystira's Python service wrote an OpenSea-shaped NFT document and an IP document in its own
 * snake_case shape, with a wall-clock `created_at` that changed on every retry (so the same
 * content never hashed the same twice), and then lost both to an SDK key mismatch (reference
 * 1.2.3–1.2.4). Here the NFT document keeps the OpenSea shape the Python service used; the IP
 * document follows Story's IPA Metadata Standard (camelCase `title`, `createdAt`, `creators` with
 * `contributionPercent`), which explorers and indexers read, plus `contentId`, which is how the
 * ledger finds Mystira's content id again from the chain after a restart. `createdAt` is an
 * input, so a retry with the same registration hashes the same. Hashes are keccak256 over the
 * canonical JSON, Mystira's convention (the chain stores the bytes32 as given, never checks it).
 */
import { keccak256, toBytes } from 'viem';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/** What the documents are built from. */
export interface MetadataInput {
  /** Mystira's id of the content. */
  contentId: string;
  /** The content's title. */
  title: string;
  /** Who shares in the royalties (the registration's split). */
  contributors: readonly MetadataContributor[];
  /** When the registration was first submitted: fixed per registration, so retries hash alike. */
  createdAt: Date;
  /** A description to show; empty when omitted. */
  description?: string;
  /** An image URL for wallets and marketplaces; empty when omitted. */
  imageUrl?: string;
  /**
   * The caller's own metadata document of the content (the port's `metadataUri`): kept in both
   * documents (`contentMetadataUri`, and the NFT's `external_url`) when given, left out when not.
   */
  contentMetadataUri?: string;
}

/** One contributor, as the documents need it. */
export interface MetadataContributor {
  /** The contributor's wallet. */
  wallet: string;
  /** The contributor's share in basis points (10000 = 100 %). */
  shareBps: number;
  /** A name to show; the wallet when omitted. */
  displayName?: string;
}

/** A creator in the IP document (IPA Metadata Standard). */
export interface IpCreator {
  /** A name to show (the wallet when the contributor has no display name). */
  name: string;
  /** The creator's wallet. */
  address: string;
  /** The creator's share in percent (basis points / 100). */
  contributionPercent: number;
  [key: string]: JsonValue;
}

/** One trait of the NFT document. */
export interface NftAttribute {
  /** The trait's name. */
  trait_type: string;
  /** The trait's value. */
  value: string;
  [key: string]: JsonValue;
}

/** The two documents of a registration. */
export interface RegistrationDocuments {
  /** The IP document: its URI and hash go into the IP account's metadata. */
  ip: IpMetadataDocument;
  /** The NFT document: its URI becomes the NFT's tokenURI. */
  nft: NftMetadataDocument;
}

/** The IP document (IPA Metadata Standard, plus Mystira's content id). */
export interface IpMetadataDocument {
  /** The content's title. */
  title: string;
  /** A description; may be empty. */
  description: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** The contributors, with their share in percent (basis points / 100). */
  creators: IpCreator[];
  /** Mystira's id of the content: read back to rebuild the content id → IP asset index. */
  contentId: string;
  /** The version of this document's shape, for readers of the chain. */
  mystiraSchema: 1;
  [key: string]: JsonValue;
}

/** The NFT document (the OpenSea ERC-721 shape, as the Python service wrote it). */
export interface NftMetadataDocument {
  /** The content's title. */
  name: string;
  /** A description; may be empty. */
  description: string;
  /** An image URL; may be empty. */
  image: string;
  /** One attribute: the Mystira content id. */
  attributes: NftAttribute[];
  [key: string]: JsonValue;
}

/** Builds the IP and NFT documents of a registration. */
export function registrationDocuments(input: MetadataInput): RegistrationDocuments {
  const description = input.description ?? '';
  return {
    ip: {
      title: input.title,
      description,
      createdAt: input.createdAt.toISOString(),
      creators: input.contributors.map((c) => ({
        name: c.displayName ?? c.wallet,
        address: c.wallet,
        contributionPercent: c.shareBps / 100,
      })),
      contentId: input.contentId,
      mystiraSchema: 1,
      ...(input.contentMetadataUri !== undefined && {
        contentMetadataUri: input.contentMetadataUri,
      }),
    },
    nft: {
      name: input.title,
      description,
      image: input.imageUrl ?? '',
      attributes: [{ trait_type: 'Mystira content id', value: input.contentId }],
      ...(input.contentMetadataUri !== undefined && { external_url: input.contentMetadataUri }),
    },
  };
}

/** keccak256 of the document's canonical JSON, as a `0x` bytes32. */
export function metadataHash(document: unknown): `0x${string}` {
  return keccak256(toBytes(canonicalJson(document)));
}
