/**
 * A small in-memory IpLedger for the server's tests: enough of the port's behaviour (ids, dedupe,
 * the refusals the TSDoc names, derivative links) to drive every handler over real connections,
 * and a count of every call so tests can prove a write ran once. It is no ledger: nothing is
 * mined, every write answers `processing` at once. Content ids steer the unusual outcomes:
 * `fail-*` answers `failed`, `boom-*` throws a plain Error (INTERNAL), `down-*` UNAVAILABLE.
 */
import {
  type CollectionRecord,
  type CreateCollectionInput,
  type IpAssetRecord,
  type IpLedger,
  LedgerError,
  type LicenseTermsInput,
  type LicenseTermsRecord,
  type LicenseTermsRegistration,
  type LicenseTokensRecord,
  type MetadataInput,
  type MetadataRecord,
  type MintAndRegisterInput,
  type MintLicenseTokensInput,
  type OperationRecord,
} from '@mystira/chain-server';

/** The wallet the fake signs with: owner of its collections and assets. */
export const FAKE_SIGNER = '0x5150000000000000000000000000000000000005';
/** The collection assets go to when the request names none. */
export const FAKE_DEFAULT_COLLECTION = '0xc011000000000000000000000000000000000001';
/** When every record was created. */
export const FAKE_TIME = new Date('2026-01-02T03:04:05.000Z');

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

export class FakeIpLedger implements IpLedger {
  /** Calls per port method. */
  readonly calls: Record<string, number> = {};
  private counter = 0;
  private readonly collections = new Map<string, CollectionRecord>();
  private readonly terms: LicenseTermsRecord[] = [];
  private readonly assets = new Map<string, IpAssetRecord>();

  constructor() {
    this.collections.set(
      FAKE_DEFAULT_COLLECTION,
      this.collection(FAKE_DEFAULT_COLLECTION, {
        name: 'Default',
        symbol: 'DEF',
        contractUri: '',
      }),
    );
  }

  private count(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
  }

  private tx(): string {
    this.counter++;
    return `0x${hex(this.counter, 64)}`;
  }

  private collection(address: string, input: CreateCollectionInput): CollectionRecord {
    return {
      state: 'processing',
      address,
      ...input,
      baseUri: '',
      maxSupply: input.maxSupply ?? 4294967295,
      totalSupply: 0,
      mintOpen: true,
      publicMinting: false,
      mintFeeWei: 0n,
      mintFeeToken: '0x0000000000000000000000000000000000000000',
      owner: FAKE_SIGNER,
      createdAt: FAKE_TIME,
    };
  }

  async createCollection(input: CreateCollectionInput): Promise<CollectionRecord> {
    this.count('createCollection');
    const txHash = this.tx();
    const address = `0xc0${hex(this.counter, 38)}`;
    const record = { ...this.collection(address, input), txHash };
    this.collections.set(address, record);
    return record;
  }

  async getCollection(address: string): Promise<CollectionRecord | undefined> {
    this.count('getCollection');
    return this.collections.get(address);
  }

  async registerLicenseTerms(terms: LicenseTermsInput): Promise<LicenseTermsRegistration> {
    this.count('registerLicenseTerms');
    const key = (t: LicenseTermsInput) =>
      JSON.stringify(t, (_, v) => (typeof v === 'bigint' ? `${v}` : v));
    const existing = this.terms.find((t) => key(t.terms) === key(terms));
    if (existing) return { state: 'confirmed', licenseTermsId: existing.licenseTermsId, terms };
    const licenseTermsId = BigInt(this.terms.length + 1);
    this.terms.push({ licenseTermsId, terms });
    return { state: 'processing', txHash: this.tx(), licenseTermsId, terms };
  }

  async getLicenseTerms(id: bigint): Promise<LicenseTermsRecord | undefined> {
    this.count('getLicenseTerms');
    return this.terms.find((t) => t.licenseTermsId === id);
  }

  private asset(ipAssetId: string): IpAssetRecord {
    const asset = this.assets.get(ipAssetId);
    if (!asset) throw new LedgerError('NOT_FOUND', `IP asset ${ipAssetId} not found`);
    return asset;
  }

  private knownTerms(id: bigint): LicenseTermsRecord {
    const terms = this.terms.find((t) => t.licenseTermsId === id);
    if (!terms) throw new LedgerError('NOT_FOUND', `license terms ${id} not found`);
    return terms;
  }

  async attachLicenseTerms(input: {
    ipAssetId: string;
    licenseTermsId: bigint;
  }): Promise<OperationRecord> {
    this.count('attachLicenseTerms');
    const asset = this.asset(input.ipAssetId);
    const terms = this.knownTerms(input.licenseTermsId);
    if (asset.parents.length > 0)
      throw new LedgerError('FAILED_PRECONDITION', 'a derivative has its parents\u2019 terms');
    if (asset.licenseTerms.some((t) => t.licenseTermsId === terms.licenseTermsId))
      return { state: 'confirmed' };
    asset.licenseTerms.push(terms);
    return { state: 'processing', txHash: this.tx() };
  }

  async mintLicenseTokens(input: MintLicenseTokensInput): Promise<LicenseTokensRecord> {
    this.count('mintLicenseTokens');
    const asset = this.asset(input.licensorIpAssetId);
    const attached = asset.licenseTerms.find((t) => t.licenseTermsId === input.licenseTermsId);
    if (!attached) throw new LedgerError('FAILED_PRECONDITION', 'terms not attached');
    const fee = attached.terms.mintingFeeWei * BigInt(input.amount);
    if (input.maxMintingFeeWei !== undefined && fee > input.maxMintingFeeWei)
      throw new LedgerError('FAILED_PRECONDITION', 'minting fee above the limit');
    const txHash = this.tx();
    const tokenIds = Array.from({ length: input.amount }, (_, i) =>
      BigInt(this.counter * 1000 + i),
    );
    return {
      state: 'processing',
      txHash,
      licensorIpAssetId: input.licensorIpAssetId,
      licenseTermsId: input.licenseTermsId,
      receiver: input.receiver || FAKE_SIGNER,
      tokenIds,
      mintingFeePaidWei: fee,
    };
  }

  private metadata(input: MetadataInput | undefined): MetadataRecord | undefined {
    if (!input) return undefined;
    if (input.kind === 'reference') return { uri: input.uri, hash: input.hash };
    return {
      uri: `ipfs://fake-${this.counter}`,
      hash: `0x${hex(input.json.length, 64)}`,
      json: input.json,
    };
  }

  async mintAndRegisterIpAsset(input: MintAndRegisterInput): Promise<IpAssetRecord> {
    this.count('mintAndRegisterIpAsset');
    if (input.contentId.startsWith('boom-')) throw new Error('secret detail of a bug');
    if (input.contentId.startsWith('down-')) throw new LedgerError('UNAVAILABLE', 'node down');
    if ([...this.assets.values()].some((a) => a.contentId === input.contentId))
      throw new LedgerError('ALREADY_EXISTS', `content ${input.contentId} is registered`);
    const collection = input.collection ?? FAKE_DEFAULT_COLLECTION;
    if (!this.collections.has(collection))
      throw new LedgerError('NOT_FOUND', `collection ${collection} not found`);
    const parents = input.parents.map((link) => {
      const parent = this.asset(link.ipAssetId);
      const terms = parent.licenseTerms.find((t) => t.licenseTermsId === link.licenseTermsId);
      if (!terms?.terms.derivativesAllowed)
        throw new LedgerError(
          'FAILED_PRECONDITION',
          `parent ${link.ipAssetId} cannot be derived from`,
        );
      return { parent, terms };
    });
    const txHash = this.tx();
    const failed = input.contentId.startsWith('fail-');
    const ipAssetId = `0x1a${hex(this.counter, 38)}`;
    const record: IpAssetRecord = {
      state: failed ? 'failed' : 'processing',
      txHash,
      errorMessage: failed ? 'execution reverted' : undefined,
      ipAssetId,
      contentId: input.contentId,
      collection,
      nftTokenId: String(this.counter),
      owner: FAKE_SIGNER,
      ipMetadata: this.metadata(input.ipMetadata),
      nftMetadata: this.metadata(input.nftMetadata),
      licenseTerms: parents.map((p) => p.terms),
      royaltyShares: input.royaltyShares,
      parents: input.parents,
      children: [],
      childCount: 0,
      registeredAt: FAKE_TIME,
    };
    this.assets.set(ipAssetId, record);
    for (const [i, { parent }] of parents.entries()) {
      parent.children.push({ ipAssetId, licenseTermsId: input.parents[i]!.licenseTermsId });
      parent.childCount++;
    }
    return record;
  }

  async getIpAsset(
    by: { ipAssetId: string } | { contentId: string },
  ): Promise<IpAssetRecord | undefined> {
    this.count('getIpAsset');
    if ('ipAssetId' in by) return this.assets.get(by.ipAssetId);
    return [...this.assets.values()].find((a) => a.contentId === by.contentId);
  }
}
