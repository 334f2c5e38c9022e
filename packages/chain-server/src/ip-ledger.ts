/**
 * The IP ledger port: collections, license terms, license tokens and derivatives, the operations
 * of the `mystira.chain.ip.v1` services (CollectionService, LicensingService, IpAssetService).
 *
 * A `Ledger` that supports them exposes this port as its `ip` member; the Chain server serves
 * the three services only then (UNIMPLEMENTED otherwise). It mirrors the `Ledger` port: plain
 * TypeScript, amounts in `bigint` wei, times as `Date`, addresses and hashes in lower case, input
 * validated before the port is called, refusals as `LedgerError`, and a transaction that reached
 * the chain and failed reported as a record with status `failed`, not thrown. Payments and claims
 * stay with `Ledger` (`payRoyalties` to a derivative pays its ancestors by their terms, and they
 * claim with `claimRoyalties`); transactions are followed with `Ledger.getTransaction` and
 * `Ledger.onTransaction`.
 */
import type { Split } from './ledger.js';

/** Where an operation stands: as the port's records report it. */
export type OperationState = 'pending' | 'processing' | 'confirmed' | 'failed';

/** How royalties owed under commercial terms travel from a derivative to its ancestors. */
export type RoyaltyPolicy =
  /** No policy: only for non-commercial terms. */
  | 'none'
  /** Liquid Absolute Percentage: every ancestor gets its share of any descendant's revenue. */
  | 'lap'
  /** Liquid Relative Percentage: each ancestor gets its share of its direct descendant's. */
  | 'lrp';

/**
 * Programmable IP License terms, in the port's units (Story's PILTerms without the
 * commercializer checker and revenue ceilings). Validated before the port sees them: the
 * commercial fields are zero when `commercialUse` is false, and `royaltyPolicy` is `lap` or
 * `lrp` with a `currencyToken` when it is true.
 */
export interface LicenseTermsInput {
  /** Whether license tokens minted under the terms may be transferred. */
  transferable: boolean;
  /** How royalties reach the licensor and its ancestors. */
  royaltyPolicy: RoyaltyPolicy;
  /** The fee for one license token, in the smallest unit of `currencyToken`. */
  mintingFeeWei: bigint;
  /** How long a license lasts after it is minted, in seconds; 0 for ever. */
  expirationSeconds: bigint;
  /** Whether the licensee may use the work commercially. */
  commercialUse: boolean;
  /** Whether commercial use must credit the licensor. */
  commercialAttribution: boolean;
  /** The licensor's share of a derivative's revenue, in millionths of a percent (10^8 = 100 %). */
  commercialRevShareMicroPercent: number;
  /** Whether derivatives may be made. */
  derivativesAllowed: boolean;
  /** Whether derivatives must credit the licensor. */
  derivativesAttribution: boolean;
  /** Whether a derivative needs the licensor's approval. */
  derivativesApproval: boolean;
  /** Whether derivatives must be licensed under the same terms. */
  derivativesReciprocal: boolean;
  /** The currency of fees and royalties (lower-case address; the zero address when none). */
  currencyToken: string;
  /** A URI of the terms' legal text; may be empty. */
  termsUri: string;
}

/** License terms known to the chain, with their id. */
export interface LicenseTermsRecord {
  /** The id the chain gave the terms (Story's PIL template numbers them). */
  licenseTermsId: bigint;
  /** The terms. */
  terms: LicenseTermsInput;
}

/** A write that produced a transaction, or found its effect already in place. */
export interface OperationRecord {
  /** Where the write stands: `confirmed` with no `txHash` when nothing had to be sent. */
  state: OperationState;
  /** The write's transaction, when one was sent. */
  txHash?: string;
  /** Why it failed, when `state` is `failed`. */
  errorMessage?: string;
}

/** The outcome of registering terms: the write, and the terms' id once known. */
export interface LicenseTermsRegistration extends OperationRecord {
  /** The terms' id (known at once when the terms existed, else once mined). */
  licenseTermsId?: bigint;
  /** The terms as registered. */
  terms: LicenseTermsInput;
}

/** What creating a collection asks for. */
export interface CreateCollectionInput {
  /** The ERC-721 name. */
  name: string;
  /** The ERC-721 symbol. */
  symbol: string;
  /** The collection-level metadata URI; may be empty. */
  contractUri: string;
  /** The most NFTs it may hold; undefined for the chain's largest. */
  maxSupply?: number;
  /**
   * The caller's idempotency key (the server passes the request's). A ledger that journals
   * signed transactions derives its journal key from it and the input, so a retry after a crash
   * sends the transaction it signed before instead of creating a second collection.
   */
  idempotencyKey?: string;
}

/** An SPG NFT collection. */
export interface CollectionRecord extends OperationRecord {
  /** The collection's address, once created. */
  address?: string;
  /** The ERC-721 name. */
  name: string;
  /** The ERC-721 symbol. */
  symbol: string;
  /** The collection-level metadata URI. */
  contractUri: string;
  /** The base of token URIs (empty: each NFT has its own). */
  baseUri: string;
  /** The most NFTs it may hold. */
  maxSupply: number;
  /** NFTs minted so far. */
  totalSupply: number;
  /** Whether minting is open. */
  mintOpen: boolean;
  /** Whether anyone may mint (else only the owner and minters). */
  publicMinting: boolean;
  /** The fee per mint, in `mintFeeToken`. */
  mintFeeWei: bigint;
  /** The token the mint fee is paid in (the zero address when there is none). */
  mintFeeToken: string;
  /** The collection's owner. */
  owner: string;
  /** When it was created, once it was. */
  createdAt?: Date;
}

/** A metadata document as given: by reference (URI and hash), or as JSON to store and hash. */
export type MetadataInput = MetadataReferenceInput | MetadataJsonInput;

/** A metadata document stored elsewhere: where it is and the hash to register with it. */
export interface MetadataReferenceInput {
  /** Always `reference`. */
  kind: 'reference';
  /** Where the document is. */
  uri: string;
  /** Its keccak256 (`0x` + 64 hex), registered with the URI. */
  hash: string;
}

/** A metadata document for the ledger to store and hash (keccak256 of these exact bytes). */
export interface MetadataJsonInput {
  /** Always `json`. */
  kind: 'json';
  /** The document's JSON text, kept byte for byte. */
  json: string;
}

/** A metadata document as registered. */
export interface MetadataRecord {
  /** Where the document is. */
  uri: string;
  /** The keccak256 registered with it (`0x` + 64 hex). */
  hash: string;
  /** The document, when the ledger stored it. */
  json?: string;
}

/** A parent of a derivative and the terms the derivative is made under. */
export interface DerivativeLink {
  /** The parent (or child) IP asset. */
  ipAssetId: string;
  /** The license terms of the link. */
  licenseTermsId: bigint;
}

/** What minting and registering an IP asset asks for. */
export interface MintAndRegisterInput {
  /** The Mystira content the asset registers; registered at most once. */
  contentId: string;
  /** The collection to mint in; undefined for the ledger's own. */
  collection?: string;
  /** The IP metadata, if any. */
  ipMetadata?: MetadataInput;
  /** The NFT metadata, if any. */
  nftMetadata?: MetadataInput;
  /** Who receives the asset's royalties; shares sum to 10000. */
  royaltyShares: Split[];
  /** The parents, for a derivative; empty for an original. */
  parents: DerivativeLink[];
  /** The most the caller pays in minting fees to all parents; undefined for no limit. */
  maxMintingFeeWei?: bigint;
  /** The highest revenue share accepted from a parent's terms; undefined for no limit. */
  maxRevenueShareMicroPercent?: number;
}

/** An IP asset with its metadata, license terms, parents and children. */
export interface IpAssetRecord extends OperationRecord {
  /** The asset's IP id, once known (empty while pending). */
  ipAssetId: string;
  /** The Mystira content it registers, when registered with one. */
  contentId?: string;
  /** The collection of its NFT. */
  collection: string;
  /** The NFT's id, once known (empty while pending). */
  nftTokenId: string;
  /** The owner of the NFT, hence of the asset. */
  owner: string;
  /** The IP metadata, if any. */
  ipMetadata?: MetadataRecord;
  /** The NFT metadata, if any. */
  nftMetadata?: MetadataRecord;
  /** The terms attached, in attachment order (a derivative's: those it was made under). */
  licenseTerms: LicenseTermsRecord[];
  /** Who receives its royalties. */
  royaltyShares: Split[];
  /** Its parents, when it is a derivative. */
  parents: DerivativeLink[];
  /** Its direct derivatives, in registration order (at most the first 100). */
  children: DerivativeLink[];
  /** How many direct derivatives it has. */
  childCount: number;
  /** When it was registered on chain, once it was. */
  registeredAt?: Date;
}

/** What minting license tokens asks for. */
export interface MintLicenseTokensInput {
  /** The asset whose license is minted. */
  licensorIpAssetId: string;
  /** The terms (attached to the licensor) the tokens carry. */
  licenseTermsId: bigint;
  /** How many tokens. */
  amount: number;
  /** Who receives them (lower case); empty for the ledger's own wallet (its signer). */
  receiver: string;
  /** The most the caller pays in minting fees; undefined for no limit. */
  maxMintingFeeWei?: bigint;
  /** The highest revenue share accepted; undefined for no limit. */
  maxRevenueShareMicroPercent?: number;
  /**
   * The caller's idempotency key (the server passes the request's): a journaling ledger keys
   * the mint (and its fee payment) by it and the input, so a retry after a crash does not mint
   * twice.
   */
  idempotencyKey?: string;
}

/** Minted license tokens. */
export interface LicenseTokensRecord extends OperationRecord {
  /** The licensor asset. */
  licensorIpAssetId: string;
  /** The terms. */
  licenseTermsId: bigint;
  /** Who received the tokens. */
  receiver: string;
  /** The tokens' ids, once mined. */
  tokenIds: bigint[];
  /** The fee paid, once mined. */
  mintingFeePaidWei?: bigint;
}

/**
 * Collections, license terms and derivatives. Every method may throw `LedgerError`
 * (NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, UNAVAILABLE); writes resolve once their
 * transaction is in a block (state `processing`, results set) or failed, and take an
 * `AbortSignal` that stops the waiting, not the write.
 */
export interface IpLedger {
  /** Creates an SPG NFT collection owned by the ledger's signer (owner-minted, no fee). */
  createCollection(input: CreateCollectionInput, signal?: AbortSignal): Promise<CollectionRecord>;
  /** A collection by address; undefined when there is none. */
  getCollection(address: string): Promise<CollectionRecord | undefined>;
  /** Registers terms (or finds identical ones: `confirmed`, no transaction). */
  registerLicenseTerms(
    terms: LicenseTermsInput,
    signal?: AbortSignal,
  ): Promise<LicenseTermsRegistration>;
  /** Terms by id; undefined when there are none. */
  getLicenseTerms(licenseTermsId: bigint): Promise<LicenseTermsRecord | undefined>;
  /**
   * Attaches terms to an asset the signer owns: NOT_FOUND for an unknown asset or terms;
   * FAILED_PRECONDITION for a derivative (it has its parents' terms). Already attached:
   * `confirmed`, no transaction.
   */
  attachLicenseTerms(
    input: { ipAssetId: string; licenseTermsId: bigint },
    signal?: AbortSignal,
  ): Promise<OperationRecord>;
  /** Mints license tokens of terms attached to the licensor, paying the minting fee. */
  mintLicenseTokens(
    input: MintLicenseTokensInput,
    signal?: AbortSignal,
  ): Promise<LicenseTokensRecord>;
  /**
   * Mints an NFT and registers it as an IP asset with its metadata and royalty shares, as a
   * derivative of `parents` when given. ALREADY_EXISTS for a registered content id;
   * FAILED_PRECONDITION when a parent's terms are not attached to it, forbid derivatives, or
   * exceed the limits.
   */
  mintAndRegisterIpAsset(input: MintAndRegisterInput, signal?: AbortSignal): Promise<IpAssetRecord>;
  /** An asset by IP id or content id, with its graph; undefined when unknown. */
  getIpAsset(by: { ipAssetId: string } | { contentId: string }): Promise<IpAssetRecord | undefined>;
}
