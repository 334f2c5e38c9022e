/**
 * The plain TypeScript shapes of `client.ip`, the typed methods of the `mystira.chain.ip.v1`
 * services (CollectionService, LicensingService, IpAssetService). Same conventions as the
 * ChainService facade and as the server's IP ledger port: wei amounts and on-chain ids as
 * `bigint` (the wire carries decimal strings), times as `Date`, enums as lower-case string
 * unions, absent values as `undefined` rather than "". Field names are the contract's (proto3
 * JSON names), so a server's field violation points at the field of the object you passed.
 */
import type { Contributor } from './convert.js';

/**
 * Where a write of the IP services stands: `pending` → `processing` → `confirmed`, or `failed`.
 * Writes answer `processing` (in a block, results set) or `failed`, or `confirmed` when nothing had
 * to be sent; `pending` appears only in reads. `unspecified` for a value the client does not know.
 */
export type OperationState = 'unspecified' | 'pending' | 'processing' | 'confirmed' | 'failed';

/**
 * How royalties owed under commercial terms travel from a derivative to its ancestors: `none`
 * (non-commercial terms only), `lap` (Liquid Absolute Percentage: every ancestor gets its share
 * of any descendant's revenue) or `lrp` (Liquid Relative Percentage: each ancestor gets its share
 * of what its direct descendant receives). Answers say `unspecified` for a policy the contract
 * does not name.
 */
export type RoyaltyPolicy = 'unspecified' | 'none' | 'lap' | 'lrp';

/** A wei amount or on-chain id as input: a `bigint`, or its decimal string (e.g. `"1"`). */
export type BigIntInput = bigint | string;

/**
 * Programmable IP License (PIL) terms as the chain holds them (Story's PILTerms without the
 * commercializer checker and revenue ceilings, which are always none).
 */
export interface LicenseTerms {
  /** Whether license tokens minted under the terms may be transferred. */
  transferable: boolean;
  /** How royalties reach the licensor and its ancestors. */
  royaltyPolicy: RoyaltyPolicy;
  /** The fee for one license token, in the smallest unit of `currencyToken`. */
  mintingFeeWei: bigint;
  /** How long a license lasts after it is minted, in seconds; `0n` for ever. */
  expirationSeconds: bigint;
  /** Whether the licensee may use the work commercially. */
  commercialUse: boolean;
  /** Whether commercial use must credit the licensor. */
  commercialAttribution: boolean;
  /**
   * The licensor's share of a derivative's revenue in millionths of a percent, Story PIL's own
   * unit: 1 000 000 = 1 %, 100 000 000 = 100 %.
   */
  commercialRevShareMicroPercent: number;
  /** Whether derivatives may be made and registered. */
  derivativesAllowed: boolean;
  /** Whether derivatives must credit the licensor. */
  derivativesAttribution: boolean;
  /** Whether the licensor must approve each derivative. */
  derivativesApproval: boolean;
  /** Whether derivatives must be licensed under the same terms. */
  derivativesReciprocal: boolean;
  /** The ERC-20 token of fees and royalties; the zero address when the terms have no policy. */
  currencyToken: string;
  /** The URI of the license's legal text; may be empty. */
  termsUri: string;
}

/**
 * Custom terms to register: every field the contract's `LicenseTerms` has, each defaulting to
 * its zero value (`false`, `0`, `""`) as on the wire. The server checks the PIL rules (e.g.
 * commercial use needs a `currencyToken` and `lap` or `lrp`, which `royaltyPolicy` omitted means).
 */
export interface CustomLicenseTerms {
  /** Whether license tokens may be transferred. Default false. */
  transferable?: boolean;
  /** `none` for non-commercial terms; omitted: none for non-commercial, `lap` for commercial. */
  royaltyPolicy?: Exclude<RoyaltyPolicy, 'unspecified'>;
  /** The fee for one license token, in the smallest unit of `currencyToken`. Default 0. */
  mintingFeeWei?: BigIntInput;
  /** How long a license lasts after it is minted, in seconds; 0 (default) for ever. */
  expirationSeconds?: bigint | number;
  /** Whether the licensee may use the work commercially. Default false. */
  commercialUse?: boolean;
  /** Whether commercial use must credit the licensor. Default false. */
  commercialAttribution?: boolean;
  /** The licensor's revenue share in millionths of a percent (10 % = 10 000 000). Default 0. */
  commercialRevShareMicroPercent?: number;
  /** Whether derivatives may be made. Default false. */
  derivativesAllowed?: boolean;
  /** Whether derivatives must credit the licensor. Default false. */
  derivativesAttribution?: boolean;
  /** Whether each derivative needs the licensor's approval. Default false. */
  derivativesApproval?: boolean;
  /** Whether derivatives must be licensed under the same terms. Default false. */
  derivativesReciprocal?: boolean;
  /** The ERC-20 token of fees and royalties; required for commercial terms. */
  currencyToken?: string;
  /** The URI of the license's legal text. */
  termsUri?: string;
}

/**
 * Which terms {@link IpClient.registerLicenseTerms} registers: one of Story's presets with its
 * inputs, or custom terms.
 *
 * - `nonCommercialSocialRemixing`: remix with credit, never commercially, for free;
 * - `commercialUse`: commercial use with credit for a minting fee, no derivatives;
 * - `commercialRemix`: commercial use and derivatives with credit, the licensor receiving
 *   `commercialRevShareMicroPercent` of each derivative's revenue;
 * - `{ custom }`: any PIL terms.
 */
export type LicenseTermsSpec =
  | {
      /** Non-Commercial Social Remixing: takes no inputs. */
      preset: 'nonCommercialSocialRemixing';
    }
  | {
      /** Commercial Use. */
      preset: 'commercialUse';
      /** The ERC-20 token the fee is paid in (on Story, WIP). */
      currencyToken: string;
      /** The fee for one license token; default 0. */
      mintingFeeWei?: BigIntInput;
      /** Default `lap`. */
      royaltyPolicy?: 'lap' | 'lrp';
    }
  | {
      /** Commercial Remix. */
      preset: 'commercialRemix';
      /** The ERC-20 token fees and royalties are paid in (on Story, WIP). */
      currencyToken: string;
      /** The licensor's share of a derivative's revenue in millionths of a percent (1 % = 1 000 000). */
      commercialRevShareMicroPercent: number;
      /** The fee for one license token; default 0. */
      mintingFeeWei?: BigIntInput;
      /** Default `lap`. */
      royaltyPolicy?: 'lap' | 'lrp';
    }
  | {
      /** Custom terms: any PIL fields, the others at their zero values. */
      custom: CustomLicenseTerms;
    };

/** What every write of `client.ip` takes besides its own fields. */
export interface IdempotentInput {
  /**
   * Reused on every retry; generated (UUIDv7) once per call when omitted. `''` sends no key and
   * turns retries off for the call.
   */
  idempotencyKey?: string;
}

/** What {@link IpClient.registerLicenseTerms} takes: the terms and an optional key. */
export type RegisterLicenseTermsInput = LicenseTermsSpec & IdempotentInput;

/** What every write of `client.ip` reports about itself. */
export interface OperationOutcome {
  /** Where the write stands: `processing` (in a block), `confirmed` (nothing to send) or `failed`. */
  status: OperationState;
  /** The write's transaction, when one was sent: follow it with `watchTransactions`. */
  transactionHash?: string;
  /** Why the write failed, when `status` is `failed`. */
  errorMessage?: string;
  /** The key the write was sent with (yours, or the one the client generated). */
  idempotencyKey: string;
}

/** The outcome of {@link IpClient.registerLicenseTerms}. */
export interface LicenseTermsRegistration extends OperationOutcome {
  /** The terms' id, once known (at once when identical terms existed). */
  licenseTermsId?: bigint;
  /** The terms as registered (a preset expanded to all its fields). */
  terms?: LicenseTerms;
}

/** License terms with the id the chain gave them. */
export interface RegisteredLicenseTerms {
  /** The terms' id. */
  licenseTermsId: bigint;
  /** The terms. */
  terms: LicenseTerms;
}

/** What {@link IpClient.attachLicenseTerms} attaches. */
export interface AttachLicenseTermsInput extends IdempotentInput {
  /** The asset: `0x` + 40 hex digits. The server's wallet must own it; not a derivative. */
  ipAssetId: string;
  /** The terms' id. */
  licenseTermsId: BigIntInput;
}

/** The outcome of {@link IpClient.attachLicenseTerms}. */
export interface LicenseTermsAttachment extends OperationOutcome {
  /** The asset from the input. */
  ipAssetId: string;
  /** The terms from the input. */
  licenseTermsId: bigint;
}

/** What {@link IpClient.mintLicenseTokens} mints. */
export interface MintLicenseTokensInput extends IdempotentInput {
  /** The asset that grants the licenses: `0x` + 40 hex digits. */
  licensorIpAssetId: string;
  /** The terms (attached to the licensor) the tokens carry. */
  licenseTermsId: BigIntInput;
  /** How many tokens, at least 1. */
  amount: number;
  /** Who receives the tokens; the server's wallet when omitted. */
  receiverAddress?: string;
  /** The most to pay in minting fees for all the tokens; no limit when omitted. */
  maxMintingFeeWei?: BigIntInput;
  /** The highest revenue share accepted, in millionths of a percent; no limit when omitted. */
  maxRevenueShareMicroPercent?: number;
}

/** The outcome of {@link IpClient.mintLicenseTokens}. */
export interface LicenseTokenMint extends OperationOutcome {
  /** The licensor from the input. */
  licensorIpAssetId: string;
  /** The terms from the input. */
  licenseTermsId: bigint;
  /** The minted tokens' ids, once the transaction is in a block. */
  licenseTokenIds: bigint[];
  /** Who received the tokens. */
  receiverAddress: string;
  /** The minting fee paid for all the tokens, once the transaction is in a block. */
  mintingFeePaidWei?: bigint;
}

/** What {@link IpClient.createCollection} creates. */
export interface CreateCollectionInput extends IdempotentInput {
  /** The ERC-721 name, e.g. "Mystira Stories". */
  name: string;
  /** The ERC-721 symbol, e.g. "MYST". */
  symbol: string;
  /** The URI of the collection's own metadata document; none when omitted. */
  contractUri?: string;
  /** The most NFTs it may ever hold; Story's default (2^32 − 1) when omitted. */
  maxSupply?: number;
}

/** The outcome of {@link IpClient.createCollection}. */
export interface CollectionCreation extends OperationOutcome {
  /** The new collection's address, once the transaction is in a block. */
  collectionAddress?: string;
  /** When the collection was created on chain, once it was. */
  createdAt?: Date;
}

/** An SPG NFT collection, from {@link IpClient.getCollection}. */
export interface Collection {
  /** The collection's address. */
  collectionAddress: string;
  /** The ERC-721 name. */
  name: string;
  /** The ERC-721 symbol. */
  symbol: string;
  /** The URI of the collection's metadata document; empty when none. */
  contractUri: string;
  /** The prefix of every token URI; empty when none. */
  baseUri: string;
  /** The most NFTs it may hold. */
  maxSupply: number;
  /** NFTs minted so far. */
  totalSupply: number;
  /** Whether NFTs can be minted now. */
  mintOpen: boolean;
  /** Whether anyone may mint, not only the owner. */
  publicMinting: boolean;
  /** The fee per mint in the smallest unit of `mintFeeToken`; `0n` when free. */
  mintFeeWei: bigint;
  /** The token of the mint fee; the zero address when free. */
  mintFeeToken: string;
  /** The collection's owner. */
  ownerAddress: string;
  /** `processing` until the creation has the confirmations the server requires, then `confirmed`. */
  status: OperationState;
  /** The creation transaction, when this server created the collection. */
  transactionHash?: string;
  /** When it was created on chain, when this server created it. */
  createdAt?: Date;
}

/**
 * A metadata document for a registration: one already published (its URI and the keccak256 hash
 * of its bytes, `0x` + 64 hex digits), or the JSON text itself, which the server stores byte for
 * byte and registers with the keccak256 of those bytes (pass `JSON.stringify(doc)`).
 */
export type MetadataInput =
  | {
      /** Where the published document is, e.g. `ipfs://…` or `https://…`. */
      uri: string;
      /** The keccak256 hash of the document's bytes: `0x` + 64 hex digits. */
      hash: string;
    }
  | {
      /** One JSON object as text; its exact bytes are stored and hashed. */
      json: string;
    };

/** A metadata document as registered. */
export interface MetadataDocument {
  /** Where the document is. */
  uri: string;
  /** The hash registered with it: `0x` + 64 hex digits. */
  hash: string;
  /** The document itself, when the server stored it (it was given as `json`). */
  json?: string;
}

/** A parent-child link between IP assets, seen from the other side. */
export interface DerivativeLink {
  /** The other asset: `0x` + 40 hex digits. */
  ipAssetId: string;
  /** The id of the parent's terms the child is derived under. */
  licenseTermsId: bigint;
}

/** A parent of a derivative to register, with terms attached to that parent. */
export interface DerivativeLinkInput {
  /** The parent asset: `0x` + 40 hex digits. */
  ipAssetId: string;
  /** The id of terms attached to the parent that allow derivatives. */
  licenseTermsId: BigIntInput;
}

/** What {@link IpClient.mintAndRegisterIpAsset} registers. */
export interface MintAndRegisterIpAssetInput extends IdempotentInput {
  /** The Mystira id of the content (story or scenario); registered at most once. */
  contentId: string;
  /** The SPG collection to mint in; the server's own when omitted. */
  collectionAddress?: string;
  /** The asset's IP metadata (IPA Metadata Standard); none when omitted. */
  ipMetadata?: MetadataInput;
  /** The NFT's metadata (ERC-721: name, description, image); none when omitted. */
  nftMetadata?: MetadataInput;
  /** Who receives the asset's royalties; the shares sum to 10000 basis points. */
  royaltyShares: readonly Contributor[];
  /** The parents, to register the asset as their derivative; an original when omitted. */
  parents?: readonly DerivativeLinkInput[];
  /** For a derivative, the most to pay in minting fees to all parents; no limit when omitted. */
  maxMintingFeeWei?: BigIntInput;
  /** For a derivative, the highest revenue share accepted from a parent's terms. */
  maxRevenueShareMicroPercent?: number;
}

/** The outcome of {@link IpClient.mintAndRegisterIpAsset}. */
export interface IpAssetMintAndRegistration extends OperationOutcome {
  /** The content id from the input. */
  contentId: string;
  /** The new asset's id (its IP account address), once the transaction is in a block. */
  ipAssetId?: string;
  /** The collection the NFT was minted in. */
  collectionAddress?: string;
  /** The minted NFT's id in its collection, once the transaction is in a block. */
  nftTokenId?: bigint;
  /** The IP metadata as registered. */
  ipMetadata?: MetadataDocument;
  /** The NFT metadata as registered. */
  nftMetadata?: MetadataDocument;
  /** The parents from the input; empty for an original. */
  parents: DerivativeLink[];
  /** When the asset was registered on chain, once it was. */
  registeredAt?: Date;
}

/** Which asset {@link IpClient.getIpAsset} reads: by its on-chain id or by its content id. */
export type IpAssetLookup =
  | {
      /** The asset's on-chain id: `0x` + 40 hex digits. */
      ipAssetId: string;
    }
  | {
      /** The Mystira id of the content the asset registers. */
      contentId: string;
    };

/** An IP asset with its metadata, license terms, royalty shares, parents and children. */
export interface IpAsset {
  /** The asset's id (its IP account address); undefined while `pending`. */
  ipAssetId?: string;
  /** The Mystira content it registers, when registered with one. */
  contentId?: string;
  /** Where its registration stands. */
  status: OperationState;
  /** The registration transaction, when known. */
  transactionHash?: string;
  /** The collection of its NFT. */
  collectionAddress: string;
  /** Its NFT's id; undefined while `pending`. */
  nftTokenId?: bigint;
  /** The wallet that owns it (the owner of its NFT). */
  ownerAddress: string;
  /** Its IP metadata, if any. */
  ipMetadata?: MetadataDocument;
  /** Its NFT's metadata, if any. */
  nftMetadata?: MetadataDocument;
  /** The terms attached to it, in attachment order (a derivative's: those it was derived under). */
  licenseTerms: RegisteredLicenseTerms[];
  /** Who receives its royalties. */
  royaltyShares: Contributor[];
  /** Its parents, when it is a derivative. */
  parents: DerivativeLink[];
  /** Its direct derivatives in registration order (at most a server-chosen number, ≥ 100). */
  children: DerivativeLink[];
  /** How many direct derivatives it has. */
  childCount: number;
  /** When it was registered on chain, once it was. */
  registeredAt?: Date;
  /** Why the registration failed, when `status` is `failed`. */
  errorMessage?: string;
}
