/**
 * `DevnetLedger.ip`: the {@link IpLedger} port in process. Every write is a devnet transaction
 * (PENDING until the next block, then confirmations up to final, `failNextTransaction` can make
 * it fail) and answers once that transaction is in a block; refusals a chain's gas estimation
 * would report are `LedgerError`s and send nothing. Content ids share one registry with
 * `registerAsset`, and payments and claims go through the `Ledger` port.
 */

import { IpAssetStatus } from '@mystira/chain-protos';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import type {
  CollectionRecord,
  CreateCollectionInput,
  IpAssetRecord,
  IpLedger,
  LicenseTermsInput,
  LicenseTermsRecord,
  LicenseTermsRegistration,
  LicenseTokensRecord,
  MetadataInput,
  MetadataRecord,
  MintAndRegisterInput,
  MintLicenseTokensInput,
  OperationRecord,
} from '../ip-ledger.js';
import { type AssetRecord, LedgerError, type Split } from '../ledger.js';
import { Collections } from './collections.js';
import { type DevnetHost, derivedAddress, operationState, submitIncluded } from './host.js';
import { IpGraph, type IpState, type ParentFee } from './ip-graph.js';
import { LicenseTermsBook } from './license-terms.js';
import type { RoyaltyPart } from './royalty-book.js';

/** How many children `getIpAsset` lists (the contract promises at least 100). */
const LISTED_CHILDREN = 100;

/** A fee on its way to a licensor: its parts (licensor and ancestors) in one token. */
interface FeeInFlight {
  parts: RoyaltyPart[];
  token: string;
}

export class DevnetIpLedger implements IpLedger {
  private readonly terms = new LicenseTermsBook();
  private readonly collections: Collections;
  private readonly graph: IpGraph;
  private nextLicenseTokenId = 0n;

  constructor(private readonly host: DevnetHost) {
    this.collections = new Collections(host);
    this.graph = new IpGraph(host, this.terms);
  }

  /** How a payment to an asset is divided between it and its ancestors (for `payRoyalties`). */
  royaltyParts(ipAssetId: string, amountWei: bigint): RoyaltyPart[] {
    return this.graph.divide(ipAssetId, amountWei);
  }

  /** Counts an NFT `registerAsset` minted in the devnet's own collection. */
  countOwnMint(): void {
    this.collections.countOwnMint();
  }

  createCollection(input: CreateCollectionInput, signal?: AbortSignal): Promise<CollectionRecord> {
    return this.collections.create(input, signal);
  }

  async getCollection(address: string): Promise<CollectionRecord | undefined> {
    return this.collections.get(address);
  }

  async registerLicenseTerms(
    terms: LicenseTermsInput,
    signal?: AbortSignal,
  ): Promise<LicenseTermsRegistration> {
    this.host.ensureAvailable();
    const existing = this.terms.idOf(terms);
    if (existing !== undefined) {
      // As the SDK does: identical terms exist, so nothing is sent.
      return { state: 'confirmed', licenseTermsId: existing, terms: this.termsOf(existing) };
    }
    let id: bigint | undefined;
    const sent = submitIncluded(
      this.host,
      'license-terms',
      terms.termsUri,
      {
        // Identical terms registered by another transaction meanwhile keep their id.
        onConfirm: () => {
          id = this.terms.add(terms);
        },
      },
      signal,
    );
    await sent.included;
    return {
      ...this.outcome(sent.tx.hash),
      ...(id !== undefined && { licenseTermsId: id }),
      terms: id === undefined ? { ...terms } : this.termsOf(id),
    };
  }

  async getLicenseTerms(licenseTermsId: bigint): Promise<LicenseTermsRecord | undefined> {
    this.host.ensureAvailable();
    const terms = this.terms.get(licenseTermsId);
    return terms && { licenseTermsId, terms };
  }

  async attachLicenseTerms(
    input: { ipAssetId: string; licenseTermsId: bigint },
    signal?: AbortSignal,
  ): Promise<OperationRecord> {
    this.host.ensureAvailable();
    const asset = this.graph.included(input.ipAssetId);
    this.graph.knownTerms(input.licenseTermsId);
    const state = this.graph.of(asset);
    if (state.parents.length > 0) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `IP asset ${asset.ipAssetId} is a derivative: it has its parents' license terms`,
      );
    }
    if (state.licenseTermsIds.includes(input.licenseTermsId)) return { state: 'confirmed' };
    const sent = submitIncluded(
      this.host,
      'attach-terms',
      `${asset.ipAssetId}:${input.licenseTermsId}`,
      {
        onConfirm: () => {
          if (!state.licenseTermsIds.includes(input.licenseTermsId))
            state.licenseTermsIds.push(input.licenseTermsId);
        },
      },
      signal,
    );
    await sent.included;
    return this.outcome(sent.tx.hash);
  }

  async mintLicenseTokens(
    input: MintLicenseTokensInput,
    signal?: AbortSignal,
  ): Promise<LicenseTokensRecord> {
    this.host.ensureAvailable();
    const licensor = this.graph.included(input.licensorIpAssetId);
    const terms = this.graph.knownTerms(input.licenseTermsId);
    const refuse = (why: string) => {
      throw new LedgerError('FAILED_PRECONDITION', why);
    };
    if (!this.graph.of(licensor).licenseTermsIds.includes(input.licenseTermsId)) {
      refuse(`license terms ${input.licenseTermsId} are not attached to ${licensor.ipAssetId}`);
    }
    const fee = terms.mintingFeeWei * BigInt(input.amount);
    if (input.maxMintingFeeWei !== undefined && fee > input.maxMintingFeeWei) {
      refuse(`the minting fee of ${fee} wei exceeds the maximum ${input.maxMintingFeeWei}`);
    }
    const maxShare = input.maxRevenueShareMicroPercent;
    if (maxShare !== undefined && terms.commercialRevShareMicroPercent > maxShare) {
      refuse(
        `revenue share ${terms.commercialRevShareMicroPercent} exceeds the maximum ${maxShare} (millionths of a percent)`,
      );
    }
    // The fee is revenue of the licensor, as on Story: it flows to the licensor's ancestors too.
    const fees = this.reserveFees([
      { parent: licensor.ipAssetId, amountWei: fee, currencyToken: terms.currencyToken },
    ]);
    const record: LicenseTokensRecord = {
      state: 'pending',
      licensorIpAssetId: licensor.ipAssetId,
      licenseTermsId: input.licenseTermsId,
      receiver: (input.receiver || this.host.signer).toLowerCase(),
      tokenIds: [],
    };
    const sent = submitIncluded(
      this.host,
      'license-tokens',
      `${licensor.ipAssetId}:${input.licenseTermsId}:${input.amount}`,
      {
        onConfirm: () => {
          for (let i = 0; i < input.amount; i++) record.tokenIds.push(this.nextLicenseTokenId++);
          record.mintingFeePaidWei = fee;
          this.creditFees(fees);
        },
        onFail: () => this.releaseFees(fees),
      },
      signal,
    );
    await sent.included;
    return { ...record, tokenIds: [...record.tokenIds], ...this.outcome(sent.tx.hash) };
  }

  async mintAndRegisterIpAsset(
    input: MintAndRegisterInput,
    signal?: AbortSignal,
  ): Promise<IpAssetRecord> {
    this.host.ensureAvailable();
    const existing = this.host.assetByContent(input.contentId);
    if (existing && existing.status !== IpAssetStatus.FAILED) {
      throw new LedgerError(
        'ALREADY_EXISTS',
        `content ${input.contentId} is already registered${existing.ipAssetId ? ` as ${existing.ipAssetId}` : ''}`,
      );
    }
    const parentFees = input.parents.length > 0 ? this.graph.checkDerivative(input) : [];
    const collection = this.collections.reserveMint(input.collection);
    let fees: FeeInFlight[];
    try {
      fees = this.reserveFees(parentFees);
    } catch (err) {
      this.collections.settleMint(collection, false);
      throw err;
    }
    const ipMetadata = input.ipMetadata && stored(input.ipMetadata);
    const now = this.host.now();
    const asset: AssetRecord = {
      contentId: input.contentId,
      title: titleOf(ipMetadata) ?? input.contentId,
      status: IpAssetStatus.PENDING,
      // The NFT's id, hence the IP id, is only known from the block.
      ipAssetId: '',
      nftTokenId: '',
      txHash: '',
      lastUpdated: now,
      contributors: input.royaltyShares.map((s) => ({ ...s, wallet: s.wallet.toLowerCase() })),
      royaltyModuleId: this.host.royaltyModule,
      royaltyUpdatedAt: now,
    };
    const state: IpState = {
      collection,
      ...(ipMetadata && { ipMetadata }),
      ...(input.nftMetadata && { nftMetadata: stored(input.nftMetadata) }),
      licenseTermsIds: [],
      parents: [],
      children: [],
    };
    this.graph.add(asset, state);
    const touch = () => {
      asset.lastUpdated = this.host.now();
      return asset.lastUpdated;
    };
    const sent = submitIncluded(
      this.host,
      'ip-register',
      input.contentId,
      {
        onConfirm: () => {
          const tokenId = this.collections.settleMint(collection, true) as bigint;
          asset.nftTokenId = tokenId.toString();
          asset.ipAssetId = derivedAddress(`ipa:${collection}:${tokenId}`);
          asset.status = IpAssetStatus.PROCESSING;
          touch();
          this.host.index(asset);
          this.graph.link(asset, input.parents);
          this.creditFees(fees);
        },
        onFinal: () => {
          asset.status = IpAssetStatus.REGISTERED;
          asset.registeredAt = touch();
        },
        onFail: () => {
          this.collections.settleMint(collection, false);
          this.releaseFees(fees);
          asset.status = IpAssetStatus.FAILED;
          asset.errorMessage = this.host.transaction(asset.txHash)?.errorMessage;
          touch();
        },
      },
      signal,
    );
    asset.txHash = sent.tx.hash;
    this.host.index(asset);
    await sent.included;
    return this.assetRecord(asset);
  }

  async getIpAsset(
    by: { ipAssetId: string } | { contentId: string },
  ): Promise<IpAssetRecord | undefined> {
    this.host.ensureAvailable();
    const asset =
      'ipAssetId' in by
        ? this.host.assetByIp(by.ipAssetId)
        : this.host.assetByContent(by.contentId);
    return asset && this.assetRecord(asset);
  }

  private assetRecord(asset: AssetRecord): IpAssetRecord {
    const state = this.graph.of(asset);
    const copyLink = (l: { ipAssetId: string; licenseTermsId: bigint }) => ({ ...l });
    const inBlock =
      asset.status === IpAssetStatus.PROCESSING || asset.status === IpAssetStatus.REGISTERED;
    return {
      ...this.outcome(asset.txHash),
      ipAssetId: asset.ipAssetId,
      contentId: asset.contentId,
      collection: state.collection,
      nftTokenId: asset.nftTokenId,
      owner: this.host.signer,
      ...(state.ipMetadata && { ipMetadata: { ...state.ipMetadata } }),
      ...(state.nftMetadata && { nftMetadata: { ...state.nftMetadata } }),
      licenseTerms: state.licenseTermsIds.map((id) => ({
        licenseTermsId: id,
        terms: this.termsOf(id),
      })),
      royaltyShares: asset.contributors.map((c: Split) => ({ ...c })),
      parents: state.parents.map(copyLink),
      children: state.children.slice(0, LISTED_CHILDREN).map(copyLink),
      childCount: state.children.length,
      ...(inBlock && { registeredAt: this.host.blockTime(asset.txHash) }),
    };
  }

  /** The state, hash and error of a write's transaction. */
  private outcome(txHash: string): OperationRecord {
    const tx = this.host.transaction(txHash);
    return {
      state: operationState(tx),
      txHash,
      ...(tx?.errorMessage !== undefined && { errorMessage: tx.errorMessage }),
    };
  }

  private termsOf(id: bigint): LicenseTermsInput {
    return this.terms.get(id) as LicenseTermsInput;
  }

  /** Reserves vault room for fees in flight; all or none (FAILED_PRECONDITION past 2^256-1). */
  private reserveFees(fees: readonly ParentFee[]): FeeInFlight[] {
    const reserved: FeeInFlight[] = [];
    try {
      for (const fee of fees) {
        if (fee.amountWei === 0n) continue;
        const parts = this.graph.divide(fee.parent, fee.amountWei);
        this.host.book.reserve(parts, fee.currencyToken);
        reserved.push({ parts, token: fee.currencyToken });
      }
    } catch (err) {
      this.releaseFees(reserved);
      throw err;
    }
    return reserved;
  }

  private creditFees(fees: readonly FeeInFlight[]): void {
    const splitOf = (ip: string) => (this.host.assetByIp(ip) as AssetRecord).contributors;
    for (const { parts, token } of fees) this.host.book.credit(parts, token, splitOf);
  }

  private releaseFees(fees: readonly FeeInFlight[]): void {
    for (const { parts, token } of fees) this.host.book.release(parts, token);
  }
}

/** A metadata document as registered: a reference as given, JSON stored and hashed. */
function stored(input: MetadataInput): MetadataRecord {
  if (input.kind === 'reference') return { uri: input.uri, hash: input.hash.toLowerCase() };
  // Ethereum's keccak256 (not SHA3-256) of the document's exact UTF-8 bytes.
  const hash = `0x${bytesToHex(keccak_256(utf8ToBytes(input.json)))}`;
  return { uri: `devnet://metadata/${hash}`, hash, json: input.json };
}

/** The `title` of IP metadata given as JSON (the IPA Metadata Standard has one), if any. */
function titleOf(metadata: MetadataRecord | undefined): string | undefined {
  if (metadata?.json === undefined) return undefined;
  try {
    const doc: unknown = JSON.parse(metadata.json);
    const title = (doc as { title?: unknown } | null)?.title;
    return typeof title === 'string' && title.length > 0 ? title : undefined;
  } catch {
    return undefined;
  }
}
