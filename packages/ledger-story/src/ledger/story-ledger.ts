/**
 * `StoryLedger`: the Chain server's `Ledger` port on Story Protocol. Writes are encoded (by the
 * Story SDK where it can return the encoded call, by viem otherwise) and sent by the
 * {@link TransactionSubmitter} (nonces, fees, journal, replacement); their progress comes from
 * the {@link ReceiptTracker}. Reads come from records kept in memory with their last state,
 * never from the node on every call.
 */

import { randomUUID } from 'node:crypto';
import { TransactionStatus } from '@mystira/chain-protos';
import type {
  AssetRecord,
  Balance,
  ClaimRecord,
  IpLedger,
  Ledger,
  LedgerHealth,
  LedgerInfo,
  PaymentRecord,
  RegisterAssetInput,
  RoyaltyRules,
  Split,
  SplitUpdate,
  TxState,
} from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import type { StoryClient } from '@story-protocol/core-sdk';
import {
  type Address,
  createPublicClient,
  type Hex,
  type LocalAccount,
  type PublicClient,
  zeroAddress,
} from 'viem';
import { type ContentIndex, memoryContentIndex } from '../content-index/index.js';
import { contentAddressedStore, type MetadataStore } from '../metadata/store.js';
import { STORY_ADDRESSES } from '../story/addresses.js';
import { storyErrorAbi } from '../story/errors.js';
import { importStoryClient } from '../story/sdk.js';
import {
  InMemorySubmissionJournal,
  ReceiptTracker,
  type Submission,
  type SubmissionJournal,
  type TransactionRequest,
  TransactionSubmitter,
  toLedgerError,
} from '../transactions/index.js';
import { royaltyModuleAbi } from './abis.js';
import { createCollectionCall, createdCollection, lower } from './calls.js';
import {
  claimableWithHeld,
  heldForAncestor,
  transferToVaultCall,
} from './ip/ancestor-royalties.js';
import { StoryIpLedger } from './ip/index.js';
import {
  accountOf,
  type StoryLedgerEvent,
  type StoryLedgerOptions,
  transportOf,
} from './options.js';
import { Registrations } from './registrations.js';
import { Royalties } from './royalties.js';
import { SplitUpdates } from './split-updates.js';
import { headHealth, ledgerInfo } from './status.js';
import { TransactionStates } from './tx-states.js';

const CHAIN_IDS = { aeneid: 1315, mainnet: 1514 } as const;
/** Story's royalty currency, in which balances are reported. */
const WIP = lower(STORY_ADDRESSES.wrappedIp);

/**
 * Starts a {@link StoryLedger}: connects to the node, and creates the SPG NFT collection when
 * `spgNftContract` is not given (read it back from {@link StoryLedger.collection} and configure
 * it for the next start; creation is journaled under a key of signer, name and symbol, so with
 * a durable journal a restart finds the same collection).
 */
export async function storyLedger(options: StoryLedgerOptions): Promise<StoryLedger> {
  const ledger = new StoryLedger(options, await importStoryClient());
  await ledger.start();
  return ledger;
}

/** The `Ledger` port on Story Protocol; create it with {@link storyLedger}. */
export class StoryLedger implements Ledger {
  /** Confirmations after which a transaction (and a registration) counts as final. */
  readonly requiredConfirmations: number;
  /**
   * Story's vault credits each royalty-token holder floor(revenue × share), and only the
   * signer's own share can be given away in a split update.
   */
  readonly royaltyRules: RoyaltyRules;
  /** The network the ledger reports and signs for. */
  readonly network: 'aeneid' | 'mainnet';
  /** The signer's address (never its key). */
  readonly signer: Address;
  /** Collections, license terms and derivatives (`Ledger.ip`), through the same submitter. */
  readonly ip: IpLedger;
  private readonly options: StoryLedgerOptions;
  private readonly client: PublicClient;
  private readonly story: StoryClient;
  private readonly account: LocalAccount;
  private readonly submitter: TransactionSubmitter;
  private readonly tracker: ReceiptTracker;
  private readonly txs: TransactionStates;
  private readonly royalties: Royalties;
  private readonly splitUpdates: SplitUpdates;
  private readonly store: MetadataStore;
  private readonly index: ContentIndex;
  private readonly journal: SubmissionJournal;
  private readonly endpoint: string;
  private readonly now: () => Date;
  private readonly registrations: Registrations;
  private readonly vaults = new Map<string, Address>();
  private spg: Address | undefined;
  private closed = false;

  /**
   * Use {@link storyLedger}, which also starts it and imports the SDK without letting it add a
   * `.env` file's variables to `process.env`.
   *
   * @param options - What {@link storyLedger} takes.
   * @param storyClient - The Story SDK's `StoryClient` class.
   */
  constructor(options: StoryLedgerOptions, storyClient: typeof StoryClient) {
    this.options = options;
    this.network = options.network ?? 'aeneid';
    this.requiredConfirmations = Math.max(1, options.requiredConfirmations ?? 1);
    this.now = options.now ?? (() => new Date());
    const { transport, endpoint } = transportOf(options);
    this.endpoint = endpoint;
    this.account = accountOf(options.signer);
    this.signer = this.account.address;
    this.royaltyRules = { rounding: 'floor', reducibleShares: [lower(this.signer)] };
    const pollingInterval = options.pollIntervalMs ?? 1000;
    this.client = createPublicClient({ transport, cacheTime: 0, pollingInterval });
    this.story = storyClient.newClient({ transport, account: this.account, chainId: this.network });
    this.store = options.metadataStore ?? contentAddressedStore();
    this.index = options.contentIndex ?? memoryContentIndex();
    this.journal = options.journal ?? new InMemorySubmissionJournal();
    this.submitter = new TransactionSubmitter({
      client: this.client,
      account: this.account,
      chainId: CHAIN_IDS[this.network],
      journal: this.journal,
      errorAbi: storyErrorAbi,
      ...(options.nonceLease && { lease: options.nonceLease }),
      ...(options.fees && { fees: options.fees }),
      ...(options.maxFeePerGasCap !== undefined && { maxFeePerGasCap: options.maxFeePerGasCap }),
      pollIntervalMs: pollingInterval,
      ...(options.rpcTimeoutMs !== undefined && { rpcTimeoutMs: options.rpcTimeoutMs }),
      onEvent: (event) => this.emit({ type: 'submission', event }),
    });
    this.tracker = new ReceiptTracker({
      client: this.client,
      confirmations: this.requiredConfirmations,
      errorAbi: storyErrorAbi,
      pollIntervalMs: pollingInterval,
      ...(options.rpcTimeoutMs !== undefined && { rpcTimeoutMs: options.rpcTimeoutMs }),
      onError: (error) => this.emit({ type: 'error', context: 'receipt tracker', error }),
    });
    this.txs = new TransactionStates(this.tracker, this.now);
    this.spg = options.spgNftContract;
    this.registrations = new Registrations({
      client: this.client,
      story: this.story,
      store: this.store,
      index: this.index,
      journal: this.journal,
      txs: this.txs,
      signer: this.signer,
      deployVaults: options.deployVaults ?? false,
      collection: () => this.requireCollection(),
      send: (request, o) => this.send(request, o),
      vaultOf: (ipId) => this.vaultOf(ipId),
      now: this.now,
      closed: () => this.closed,
      emit: (event) => this.emit(event),
    });
    this.splitUpdates = new SplitUpdates({
      client: this.client,
      signer: this.signer,
      send: (request, o) => this.send(request, o),
    });
    this.royalties = new Royalties({
      client: this.client,
      signer: this.signer,
      send: (request, o) => this.send(request, o),
      follow: (hash) => this.txs.follow(hash),
      vaultOf: (ipId) => this.vaultOf(ipId),
      now: this.now,
      onError: (context, error) => this.emit({ type: 'error', context, error }),
    });
    this.ip = new StoryIpLedger({
      client: this.client,
      signer: this.signer,
      collection: () => this.spg,
      transaction: (hash) => this.txs.get(hash),
      send: (request, o) => this.send(request, o),
      registrations: this.registrations,
      store: this.store,
      story: this.story,
    });
  }

  /** The SPG NFT collection assets are minted in (known once started). */
  get collection(): Address | undefined {
    return this.spg;
  }

  /**
   * Resumes journaled submissions and makes sure there is a collection (creating one when
   * none was configured). {@link storyLedger} calls it.
   */
  async start(): Promise<void> {
    await this.submitter.resume();
    if (this.spg !== undefined) return;
    const name = this.options.collection?.name ?? 'Mystira Stories';
    const symbol = this.options.collection?.symbol ?? 'MYST';
    const submission = await this.send(createCollectionCall({ owner: this.signer, name, symbol }), {
      key: `collection:${lower(this.signer)}:${name}:${symbol}`,
    });
    const mined = await submission.mined();
    const receipt = await this.client.getTransactionReceipt({ hash: mined.hash });
    const address = receipt.status === 'success' ? createdCollection(receipt) : undefined;
    if (address === undefined) {
      throw new Error(`creating the SPG NFT collection failed in transaction ${mined.hash}`);
    }
    this.spg = address;
    this.emit({ type: 'collection-created', address });
  }

  /** Stops the background polling; submissions stay in the journal. */
  close(): void {
    this.closed = true;
    this.submitter.close();
    this.tracker.close();
  }

  // ---- registration, reads -----------------------------------------------------------------

  /**
   * Registers `input.contentId` as an IP asset: ALREADY_EXISTS when the content id is in the
   * index, registered here, or being registered. Builds and stores the metadata documents,
   * sends `mintAndRegisterIp`, and resolves once the transaction is in a block (the IP asset
   * id is only known then) with the record PROCESSING (or FAILED when it reverted); it becomes
   * REGISTERED when the transaction has `requiredConfirmations` and the royalty split is given
   * out. When `signal` aborts, the registration goes on; a retry is ALREADY_EXISTS (or, after
   * a restart with a durable journal, adopts the same transaction). `input.metadataUri` goes
   * into both metadata documents (`contentMetadataUri`, the NFT's `external_url`);
   * `input.licenseTermsId` is not attached (licensing is not part of this ledger yet).
   */
  registerAsset(input: RegisterAssetInput, signal?: AbortSignal): Promise<AssetRecord> {
    return this.registrations.register(input, signal);
  }

  /** The asset of a content id: the cached record, else the content index's entry (then cached). */
  getAssetByContentId(contentId: string): Promise<AssetRecord | undefined> {
    return this.registrations.byContentId(contentId);
  }

  /** The asset of an IP-asset id (any case): the cached record, else the index's entry. */
  getAssetByIpId(ipAssetId: string): Promise<AssetRecord | undefined> {
    return this.registrations.byIpId(ipAssetId);
  }

  /** The IP's royalty vault, cached once it exists. */
  private async vaultOf(ipId: Address): Promise<Address | undefined> {
    const key = ipId.toLowerCase();
    const cached = this.vaults.get(key);
    if (cached !== undefined) return cached;
    const vault = await this.client.readContract({
      address: STORY_ADDRESSES.royaltyModule,
      abi: royaltyModuleAbi,
      functionName: 'ipRoyaltyVaults',
      args: [ipId],
    });
    if (vault === zeroAddress) return undefined;
    this.vaults.set(key, vault);
    return vault;
  }

  // ---- transactions ------------------------------------------------------------------------

  /**
   * The state of a transaction this ledger sent; `undefined` for any other. The tracker's last
   * state, except while that is PENDING: then the receipt is looked up, because the chain may
   * be ahead of the tracker's poll (a balance read may already see the transaction's block).
   */
  async getTransaction(hash: string): Promise<TxState | undefined> {
    const state = this.txs.get(hash);
    if (state === undefined) return undefined;
    if (state.status !== TransactionStatus.PENDING) return { ...state };
    try {
      const receipt = await this.client.getTransactionReceipt({ hash: hash as Hex });
      const failed = receipt.status !== 'success';
      return {
        hash: state.hash,
        status: failed ? TransactionStatus.FAILED : TransactionStatus.CONFIRMED,
        confirmations: 1n,
        blockHash: lower(receipt.blockHash),
        blockNumber: receipt.blockNumber,
        ...(failed && { errorMessage: 'execution reverted' }),
        timestamp: this.now(),
        terminal: false,
      };
    } catch {
      return { ...state };
    }
  }

  /**
   * Calls `listener` with every later state change of `hash` (not the current one). Returns the
   * function that removes the listener (removing twice is harmless).
   */
  onTransaction(hash: string, listener: (state: TxState) => void): () => void {
    return this.txs.listen(hash, listener);
  }

  // ---- royalties --------------------------------------------------------------------------

  /**
   * Replaces a registered asset's split by moving royalty tokens: NOT_FOUND for an unknown
   * asset; FAILED_PRECONDITION when it is not registered yet, has no vault, or when the update
   * would lower the share of a wallet other than the signer's (see {@link royaltyRules}).
   * Resolves once the transfers are sent; `txHash` is the last one's (the registration's when
   * nothing moves). The record shows the new split once every transfer is mined.
   */
  async setRoyaltySplit(
    ipAssetId: string,
    contributors: Split[],
    signal?: AbortSignal,
  ): Promise<SplitUpdate> {
    const reg = await this.registrations.registered(ipAssetId, signal);
    const ipId = reg.record.ipAssetId as Address;
    const vault = await this.vaultOf(ipId);
    if (vault === undefined) {
      throw new LedgerError('FAILED_PRECONDITION', `IP asset ${ipId} has no royalty vault`);
    }
    const next = contributors.map((c) => ({ ...c, wallet: c.wallet.toLowerCase() }));
    const { submissions, mined } = await this.splitUpdates.update(
      { ipId, vault, current: reg.record.contributors, next },
      signal,
    );
    const last = submissions.at(-1);
    void mined.then(
      (ok) => {
        if (!ok) {
          this.emit({
            type: 'error',
            context: `split update of ${ipId}`,
            error: new Error('a royalty-token transfer reverted'),
          });
          return;
        }
        reg.record.contributors = next;
        reg.record.royaltyUpdatedAt = this.now();
        reg.record.lastUpdated = reg.record.royaltyUpdatedAt;
        if (last) reg.splitTxHash = lower(last.hash);
      },
      (error: unknown) => this.emit({ type: 'error', context: `split update of ${ipId}`, error }),
    );
    return {
      ipAssetId: ipId,
      txHash: last ? lower(last.hash) : (reg.splitTxHash ?? reg.record.txHash),
      contributors: next.map((c) => ({ ...c })),
    };
  }

  /**
   * Pays royalties into a registered asset's vault (native token, wrapped to WIP): NOT_FOUND
   * for an unknown asset, FAILED_PRECONDITION for one not registered yet, without a vault, or
   * in another token. An asset whose registration is final but whose split is still being
   * given out is waited for (up to 30 s), not refused. Credited to the royalty-token holders pro rata once mined.
   */
  async payRoyalties(
    input: { ipAssetId: string; amountWei: bigint; currencyToken: string; payerReference?: string },
    signal?: AbortSignal,
  ): Promise<PaymentRecord> {
    const reg = await this.registrations.registered(input.ipAssetId, signal);
    return this.royalties.pay(
      {
        ipId: reg.record.ipAssetId as Address,
        amountWei: input.amountWei,
        currencyToken: input.currencyToken,
        ...(input.payerReference !== undefined && { payerReference: input.payerReference }),
      },
      signal,
    );
  }

  /**
   * Claimable revenue of `wallet` in the IP's vault, in WIP (Story's royalty currency: payments
   * in the native token are wrapped to it), for
   * one asset or every asset registered here that lists the wallet in its split. Zero
   * balances are left out; assets without a vault have none. Read from the node on every call.
   */
  async claimableBalances(wallet: string, ipAssetId?: string): Promise<Balance[]> {
    const w = wallet.toLowerCase() as Address;
    const regs =
      ipAssetId !== undefined
        ? this.registrations.records().filter((r) => r.ipAssetId === ipAssetId.toLowerCase())
        : this.registrations.records().filter((r) => r.contributors.some((c) => c.wallet === w));
    const out: Balance[] = [];
    for (const record of regs) {
      const ip = record.ipAssetId as Address;
      const vault = await this.vaultOf(ip);
      if (vault === undefined) continue;
      // What LAP still holds for this IP from its derivatives counts: a claim moves it first.
      const held = (await heldForAncestor(this.client, ip)).reduce((a, h) => a + h.amountWei, 0n);
      const claimable = await this.royalties.claimable(vault, w);
      const amount = await claimableWithHeld(this.client, vault, w, claimable, held);
      if (amount > 0n)
        out.push({ ipAssetId: ip, currencyToken: WIP, amountWei: amount, decimals: 18 });
    }
    return out;
  }

  /**
   * Claims the wallet's whole claimable balance of an asset, sent by the ledger's signer (the
   * vault pays the wallet). NOT_FOUND for an unknown asset; FAILED_PRECONDITION with nothing
   * to claim.
   */
  async claimRoyalties(
    input: { ipAssetId: string; wallet: string; currencyToken: string },
    signal?: AbortSignal,
  ): Promise<ClaimRecord> {
    const reg = await this.registrations.known(input.ipAssetId);
    await this.collectFromDerivatives(reg.record.ipAssetId as Address, signal);
    return this.royalties.claim(
      {
        ipId: reg.record.ipAssetId as Address,
        wallet: input.wallet as Address,
        currencyToken: input.currencyToken,
      },
      signal,
    );
  }

  /**
   * Moves what the royalty policies hold for `ipId` from each of its derivatives into its vault
   * (`transferToVault`, as RoyaltyWorkflows.claimAllRevenue does), so that a claim pays the
   * ancestor's share of its derivatives' revenue too. UNAVAILABLE when a transfer reverts.
   */
  private async collectFromDerivatives(ipId: Address, signal?: AbortSignal): Promise<void> {
    for (const held of await heldForAncestor(this.client, ipId)) {
      const submission = await this.send(transferToVaultCall(held, ipId), {
        key: `royalty:${lower(held.policy)}:${lower(held.descendant)}:${lower(ipId)}:${randomUUID()}`,
        signal,
      });
      const mined = await submission.mined(signal);
      if (mined.status !== 'success') {
        throw new LedgerError(
          'UNAVAILABLE',
          `moving the royalties of ${held.descendant} to ${ipId} reverted in ${mined.hash}`,
        );
      }
    }
  }

  // ---- info, health ------------------------------------------------------------------------

  /** The network, the node (without credentials) and the contracts, addresses in lower case. */
  info(): LedgerInfo {
    return ledgerInfo({ network: this.network, endpoint: this.endpoint, collection: this.spg });
  }

  /**
   * Serving when the node answers within the RPC deadline and its latest block is at most
   * `maxHeadAgeMs` old (a stalled chain or a node far behind is not serving).
   */
  health(): Promise<LedgerHealth> {
    return headHealth({
      client: this.client,
      network: this.network,
      signer: this.signer,
      maxHeadAgeMs: this.options.maxHeadAgeMs ?? 60_000,
      timeoutMs: this.options.rpcTimeoutMs ?? 10_000,
      now: this.now,
      closed: this.closed,
    });
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** Submits through the submitter; errors that mean "nothing was sent" become LedgerErrors. */
  private async send(
    request: TransactionRequest,
    options: { key: string; signal?: AbortSignal | undefined },
  ): Promise<Submission> {
    try {
      const submission = await this.submitter.submit(request, {
        idempotencyKey: options.key,
        ...(options.signal && { signal: options.signal }),
      });
      this.txs.follow(submission.hash);
      return submission;
    } catch (error) {
      throw toLedgerError(error) ?? error;
    }
  }

  private requireCollection(): Address {
    if (this.spg === undefined) throw new LedgerError('UNAVAILABLE', 'the ledger is not started');
    return this.spg;
  }

  private emit(event: StoryLedgerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A listener's failure must not break the ledger.
    }
  }
}
