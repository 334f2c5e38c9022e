/**
 * IP assets of the IP port: `mintAndRegisterIpAsset` for originals, and `getIpAsset`. They share
 * the ledger's one registry of content ids with `registerAsset` (the same Registrations: one
 * ALREADY_EXISTS check, journal keys, content index, and royalty shares given out as royalty
 * tokens once mined), so an asset is read, paid and claimed through either port. An asset's
 * collection and metadata are read from the chain (asset-metadata.ts), so they survive a
 * restart; what this process registered it answers from memory, its JSON byte for byte as given
 * (the hash is keccak256 of those exact bytes). */
import { IpAssetStatus } from '@mystira/chain-protos';
import type {
  AssetRecord,
  IpAssetRecord,
  MetadataInput,
  MetadataRecord,
  MintAndRegisterInput,
  OperationState,
} from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import type { StoryClient } from '@story-protocol/core-sdk';
import { type Address, type Hex, keccak256, toBytes, zeroHash } from 'viem';
import type { MetadataStore } from '../../metadata/store.js';
import { lower } from '../calls.js';
import type { Registrations } from '../registrations.js';
import { type OnChainAsset, readAssetOnChain } from './asset-metadata.js';
import type { IpContext } from './context.js';
import type { Derivatives } from './derivatives.js';
import { readGraph } from './graph.js';
import type { Licensing } from './licensing.js';

/** What the asset half needs beyond the IP context. */
export interface AssetDeps {
  registrations: Registrations;
  store: MetadataStore;
  story: StoryClient;
}

/** The IP assets of one ledger. */
export class Assets {
  /** What this process registered, by content id: the metadata as the caller gave it. */
  private readonly registered = new Map<string, OnChainAsset>();

  constructor(
    private readonly ctx: IpContext,
    private readonly deps: AssetDeps,
    private readonly licensing: Licensing,
    private readonly derivatives: Derivatives,
  ) {}

  /**
   * Mints in `input.collection` (else the ledger's own) and registers it, as a derivative of
   * `input.parents` when given (see derivatives.ts), resolving once in a block (`processing`,
   * or `failed`). ALREADY_EXISTS for a content id registered through either port.
   */
  async mintAndRegister(input: MintAndRegisterInput, signal?: AbortSignal): Promise<IpAssetRecord> {
    const collection = lower((input.collection ?? this.requireCollection()) as Address);
    // Checked first so that a duplicate stores no documents (registerWith checks again).
    const known = await this.deps.registrations.byContentId(input.contentId);
    if (known !== undefined && known.status !== IpAssetStatus.FAILED) {
      throw new LedgerError('ALREADY_EXISTS', `content ${input.contentId} is registered`);
    }
    // A derivative's parents are checked before anything is stored or sent.
    const parents = input.parents.length > 0 ? await this.derivatives.check(input) : undefined;
    const [ipMetadata, nftMetadata] = await Promise.all([
      this.resolve(input.ipMetadata, signal),
      this.resolve(input.nftMetadata, signal),
    ]);
    const record = await this.deps.registrations.registerWith(
      {
        contentId: input.contentId,
        title: '',
        contributors: input.royaltyShares,
        build: async () => {
          const { encodedTxData } = await this.deps.story.ipAsset.mintAndRegisterIp({
            spgNftContract: collection,
            recipient: this.ctx.signer,
            ipMetadata: {
              ipMetadataURI: ipMetadata?.uri ?? '',
              ipMetadataHash: (ipMetadata?.hash ?? zeroHash) as Hex,
              nftMetadataURI: nftMetadata?.uri ?? '',
              nftMetadataHash: (nftMetadata?.hash ?? zeroHash) as Hex,
            },
            txOptions: { encodedTxDataOnly: true },
          });
          if (encodedTxData === undefined)
            throw new Error('the Story SDK returned no encoded call');
          return { to: encodedTxData.to, data: encodedTxData.data };
        },
        ...(parents && { beforeSplit: (ipId: Address) => this.derivatives.link(ipId, parents) }),
      },
      signal,
    );
    this.registered.set(input.contentId, {
      collection,
      ...(ipMetadata && { ipMetadata }),
      ...(nftMetadata && { nftMetadata }),
    });
    return this.toIpAsset(record);
  }

  /** An asset registered through either port, by IP id or content id; undefined when unknown. */
  async get(by: { ipAssetId: string } | { contentId: string }): Promise<IpAssetRecord | undefined> {
    const record =
      'ipAssetId' in by
        ? await this.deps.registrations.byIpId(by.ipAssetId)
        : await this.deps.registrations.byContentId(by.contentId);
    return record && this.toIpAsset(record);
  }

  /** A metadata document as registered: a reference as given, JSON stored and hashed. */
  private async resolve(
    input: MetadataInput | undefined,
    signal?: AbortSignal,
  ): Promise<MetadataRecord | undefined> {
    if (input === undefined) return undefined;
    if (input.kind === 'reference') return { uri: input.uri, hash: input.hash.toLowerCase() };
    const stored = await this.deps.store.put(JSON.parse(input.json), signal);
    return { uri: stored.uri, hash: keccak256(toBytes(input.json)), json: input.json };
  }

  private async toIpAsset(record: AssetRecord): Promise<IpAssetRecord> {
    const onChain = record.ipAssetId !== '';
    const [extras, graph] = await Promise.all([
      this.registered.get(record.contentId) ??
        (onChain
          ? readAssetOnChain(this.ctx.client, this.deps.store, record.ipAssetId as Address)
          : undefined),
      onChain
        ? readGraph(this.ctx.client, this.licensing, record.ipAssetId as Address)
        : { licenseTerms: [], parents: [], children: [], childCount: 0 },
    ]);
    return {
      state: stateOf(record.status),
      ...(record.txHash !== '' && { txHash: record.txHash }),
      ...(record.errorMessage !== undefined && { errorMessage: record.errorMessage }),
      ipAssetId: record.ipAssetId,
      contentId: record.contentId,
      // registerAsset mints in the ledger's own collection.
      collection: extras?.collection ?? lower(this.requireCollection()),
      nftTokenId: record.nftTokenId,
      owner: lower(this.ctx.signer),
      ...(extras?.ipMetadata && { ipMetadata: { ...extras.ipMetadata } }),
      ...(extras?.nftMetadata && { nftMetadata: { ...extras.nftMetadata } }),
      royaltyShares: record.contributors.map((c) => ({ ...c })),
      ...graph,
      ...(record.registeredAt !== undefined && { registeredAt: record.registeredAt }),
    };
  }

  private requireCollection(): Address {
    const own = this.ctx.collection();
    if (own === undefined) throw new LedgerError('UNAVAILABLE', 'the ledger is not started');
    return own;
  }
}

/** The port's state of a Ledger-port status: REGISTERED is final, hence `confirmed`. */
function stateOf(status: IpAssetStatus): OperationState {
  switch (status) {
    case IpAssetStatus.REGISTERED:
      return 'confirmed';
    case IpAssetStatus.PROCESSING:
      return 'processing';
    case IpAssetStatus.FAILED:
      return 'failed';
    default:
      return 'pending';
  }
}
