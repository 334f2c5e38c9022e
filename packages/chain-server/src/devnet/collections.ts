/**
 * The devnet's SPG NFT collections: its own collection (where `registerAsset` and
 * `ip.mintAndRegisterIpAsset` without a collection mint), and the ones `ip.createCollection`
 * creates. All are owned by the devnet's signer, owner-minted and free, as `CreateCollection`
 * makes them on Story.
 */
import type { CollectionRecord, CreateCollectionInput } from '../ip-ledger.js';
import { LedgerError } from '../ledger.js';
import { type DevnetHost, derivedAddress, operationState, submitIncluded } from './host.js';

/** The address of the devnet's own collection. */
export const DEVNET_COLLECTION = `0x${'c011ec7'.padStart(40, '0')}`;

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
/** Story's default maxSupply of an SPG collection: 2^32 - 1. */
const LARGEST_SUPPLY = 4_294_967_295;

interface CollectionState {
  readonly input: Readonly<Required<Omit<CreateCollectionInput, 'idempotencyKey'>>>;
  /** Known once the creation is in a block. */
  address?: string;
  /** The creation transaction; none for the devnet's own collection. */
  txHash?: string;
  createdAt?: Date;
  /** NFTs minted in it (in a block and not failed). */
  minted: number;
  /** Mints sent and not yet in a block: they count against maxSupply already. */
  inFlight: number;
  nextTokenId: () => bigint;
}

export class Collections {
  private readonly byAddress = new Map<string, CollectionState>();
  private created = 0;

  constructor(private readonly host: DevnetHost) {
    this.byAddress.set(DEVNET_COLLECTION, {
      input: {
        name: 'Mystira Devnet',
        symbol: 'MYSTDEV',
        contractUri: '',
        maxSupply: LARGEST_SUPPLY,
      },
      address: DEVNET_COLLECTION,
      minted: 0,
      inFlight: 0,
      nextTokenId: () => host.nextOwnTokenId(),
    });
  }

  async create(input: CreateCollectionInput, signal?: AbortSignal): Promise<CollectionRecord> {
    this.host.ensureAvailable();
    let next = 0n;
    const state: CollectionState = {
      input: {
        name: input.name,
        symbol: input.symbol,
        contractUri: input.contractUri,
        maxSupply: input.maxSupply ?? LARGEST_SUPPLY,
      },
      minted: 0,
      inFlight: 0,
      nextTokenId: () => ++next,
    };
    const n = ++this.created;
    const sent = submitIncluded(
      this.host,
      'collection',
      `${n}:${input.name}`,
      {
        onConfirm: () => {
          // The address, like every result of a write, is only known from the block.
          state.address = derivedAddress(`collection:${n}:${input.name}:${input.symbol}`);
          state.createdAt = this.host.now();
          this.byAddress.set(state.address, state);
        },
      },
      signal,
    );
    state.txHash = sent.tx.hash;
    await sent.included;
    return this.record(state);
  }

  /** A collection by address; undefined when there is none. */
  get(address: string): CollectionRecord | undefined {
    this.host.ensureAvailable();
    const state = this.byAddress.get(address.toLowerCase());
    return state && this.record(state);
  }

  /**
   * Holds a place for one NFT in a collection (undefined: the devnet's own), for a mint about to
   * be sent: NOT_FOUND for an unknown collection, FAILED_PRECONDITION for a full one.
   */
  reserveMint(address: string | undefined): string {
    const at = (address ?? DEVNET_COLLECTION).toLowerCase();
    const state = this.byAddress.get(at);
    if (!state) throw new LedgerError('NOT_FOUND', `collection ${at} not found`);
    if (state.minted + state.inFlight >= state.input.maxSupply) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `collection ${at} is full (maxSupply ${state.input.maxSupply})`,
      );
    }
    state.inFlight++;
    return at;
  }

  /** Settles a place {@link reserveMint} held: the minted token id, or undefined when it failed. */
  settleMint(address: string, minted: boolean): bigint | undefined {
    const state = this.byAddress.get(address) as CollectionState;
    state.inFlight--;
    if (!minted) return undefined;
    state.minted++;
    return state.nextTokenId();
  }

  /** Counts an NFT that `registerAsset` minted in the devnet's own collection. */
  countOwnMint(): void {
    (this.byAddress.get(DEVNET_COLLECTION) as CollectionState).minted++;
  }

  private record(state: CollectionState): CollectionRecord {
    const tx = state.txHash === undefined ? undefined : this.host.transaction(state.txHash);
    return {
      state: tx === undefined ? 'confirmed' : operationState(tx),
      ...(state.txHash !== undefined && { txHash: state.txHash }),
      ...(tx?.errorMessage !== undefined && { errorMessage: tx.errorMessage }),
      ...(state.address !== undefined && { address: state.address }),
      name: state.input.name,
      symbol: state.input.symbol,
      contractUri: state.input.contractUri,
      baseUri: '',
      maxSupply: state.input.maxSupply,
      totalSupply: state.minted,
      mintOpen: true,
      publicMinting: false,
      mintFeeWei: 0n,
      mintFeeToken: ZERO_ADDRESS,
      owner: this.host.signer,
      ...(state.createdAt !== undefined && { createdAt: state.createdAt }),
    };
  }
}
