/**
 * SPG NFT collections: created with the same `RegistrationWorkflows.createCollection` call the
 * ledger makes at start (owned by the signer, owner-minted, no fee), read from the collection's
 * own views. Story's SPGNFT exposes neither its owner nor its maxSupply, so those come from what
 * this ledger created (its own collection included); for any other collection the owner is
 * reported empty and maxSupply 0, unknown rather than guessed.
 */
import type { CollectionRecord, CreateCollectionInput } from '@mystira/chain-server';
import { type Address, getAddress, isAddress } from 'viem';
import { createCollectionCall, createdCollection, lower, MAX_SUPPLY } from '../calls.js';
import { spgNftAbi } from './abis.js';
import { type IpContext, writeKey } from './context.js';

/** What this ledger knows of a collection it created. */
interface Created {
  owner: string;
  maxSupply: number;
  txHash?: string;
  createdAt?: Date;
}

/** The collections of one ledger. */
export class Collections {
  private readonly created = new Map<string, Created>();

  constructor(private readonly ctx: IpContext) {}

  /**
   * Sends `createCollection` and resolves once it is in a block, with the collection read back
   * (`processing`), or `failed` without an address when it reverted.
   */
  async create(input: CreateCollectionInput, signal?: AbortSignal): Promise<CollectionRecord> {
    const owner = lower(this.ctx.signer);
    const maxSupply = input.maxSupply ?? MAX_SUPPLY;
    const request = createCollectionCall({
      owner: this.ctx.signer,
      name: input.name,
      symbol: input.symbol,
      contractUri: input.contractUri,
      maxSupply,
    });
    // The same collection asked for twice is two collections on Story: keyed by the caller's
    // idempotency key (a retry finds the transaction), else one key per call.
    const outcome = await this.ctx.write(writeKey(`collection:${owner}`, input), request, signal);
    const address =
      outcome.record.state === 'failed' ? undefined : createdCollection(outcome.receipt);
    if (address === undefined) {
      return {
        ...outcome.record,
        state: 'failed',
        errorMessage: outcome.record.errorMessage ?? 'the transaction created no collection',
        name: input.name,
        symbol: input.symbol,
        contractUri: input.contractUri,
        baseUri: '',
        maxSupply,
        totalSupply: 0,
        mintOpen: false,
        publicMinting: false,
        mintFeeWei: 0n,
        mintFeeToken: '0x0000000000000000000000000000000000000000',
        owner,
      };
    }
    const block = await this.ctx.client.getBlock({ blockNumber: outcome.receipt.blockNumber });
    this.created.set(lower(address), {
      owner,
      maxSupply,
      ...(outcome.record.txHash !== undefined && { txHash: outcome.record.txHash }),
      createdAt: new Date(Number(block.timestamp) * 1000),
    });
    const record = await this.get(address);
    if (record === undefined) throw new Error(`collection ${address} has no code after creation`);
    return { ...record, state: 'processing' };
  }

  /** A collection by address, read from its views; undefined when nothing answers there. */
  async get(address: string): Promise<CollectionRecord | undefined> {
    if (!isAddress(address, { strict: false })) return undefined;
    const at = getAddress(address);
    const code = await this.ctx.client.getCode({ address: at });
    if (code === undefined || code === '0x') return undefined;
    let views: Awaited<ReturnType<Collections['views']>>;
    try {
      views = await this.views(at);
    } catch {
      return undefined; // Code that is not an SPG collection.
    }
    const known = this.known(lower(at));
    const state = known?.txHash !== undefined ? this.ctx.stateOf(known.txHash) : 'confirmed';
    return {
      state,
      ...(known?.txHash !== undefined && { txHash: known.txHash }),
      address: lower(at),
      ...views,
      owner: known?.owner ?? '',
      maxSupply: known?.maxSupply ?? 0,
      ...(known?.createdAt !== undefined && { createdAt: known.createdAt }),
    };
  }

  private known(address: string): Created | undefined {
    const own = this.ctx.collection();
    if (own !== undefined && lower(own) === address && !this.created.has(address)) {
      // The ledger's own, created at start with createCollectionCall's defaults.
      return { owner: lower(this.ctx.signer), maxSupply: MAX_SUPPLY };
    }
    return this.created.get(address);
  }

  private async views(address: Address) {
    const read = <F extends (typeof spgNftAbi)[number]['name']>(functionName: F) =>
      this.ctx.client.readContract({ address, abi: spgNftAbi, functionName });
    const [name, symbol, baseUri, contractUri, totalSupply, mintOpen, publicMinting, fee, token] =
      await Promise.all([
        read('name'),
        read('symbol'),
        read('baseURI'),
        read('contractURI'),
        read('totalSupply'),
        read('mintOpen'),
        read('publicMinting'),
        read('mintFee'),
        read('mintFeeToken'),
      ]);
    return {
      name: name as string,
      symbol: symbol as string,
      baseUri: baseUri as string,
      contractUri: contractUri as string,
      totalSupply: Number(totalSupply as bigint),
      mintOpen: mintOpen as boolean,
      publicMinting: publicMinting as boolean,
      mintFeeWei: fee as bigint,
      mintFeeToken: lower(token as Address),
    };
  }
}
