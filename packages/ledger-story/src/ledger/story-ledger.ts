/**
 * `StoryLedger`: the Chain server's `Ledger` port on Story Protocol. Writes are encoded (by the
 * Story SDK where it can return the encoded call, by viem otherwise) and sent by the
 * {@link TransactionSubmitter} (nonces, fees, journal, replacement); their progress comes from
 * the {@link ReceiptTracker}. Reads come from records kept in memory with their last state,
 * never from the node on every call.
 */

import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import type {
  AssetRecord,
  Balance,
  ClaimRecord,
  Ledger,
  LedgerHealth,
  LedgerInfo,
  PaymentRecord,
  RegisterAssetInput,
  Split,
  SplitUpdate,
  TxState,
} from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import { StoryClient } from '@story-protocol/core-sdk';
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
import {
  accountOf,
  type StoryLedgerEvent,
  type StoryLedgerOptions,
  transportOf,
} from './options.js';
import {
  createCollectionCall,
  createdCollection,
  deployVaultCall,
  lower,
  registeredIp,
  registrationCall,
  splitCalls,
} from './registration.js';
import { Royalties } from './royalties.js';
import { TransactionStates } from './tx-states.js';

const CHAIN_IDS = { aeneid: 1315, mainnet: 1514 } as const;
const NATIVE = zeroAddress;

/** One registration as the ledger follows it. */
interface Registration {
  /** The record reads return (copied out). */
  record: AssetRecord;
  /** Whether the royalty split has been given out (or there is nothing to give out). */
  splitSettled: boolean;
}

/**
 * Starts a {@link StoryLedger}: connects to the node, and creates the SPG NFT collection when
 * `spgNftContract` is not given (read it back from {@link StoryLedger.collection} and configure
 * it for the next start; creation is journaled under a key of signer, name and symbol, so with
 * a durable journal a restart finds the same collection).
 */
export async function storyLedger(options: StoryLedgerOptions): Promise<StoryLedger> {
  const ledger = new StoryLedger(options);
  await ledger.start();
  return ledger;
}

/** The `Ledger` port on Story Protocol; create it with {@link storyLedger}. */
export class StoryLedger implements Ledger {
  /** Confirmations after which a transaction (and a registration) counts as final. */
  readonly requiredConfirmations: number;
  /** The network the ledger reports and signs for. */
  readonly network: 'aeneid' | 'mainnet';
  /** The signer's address (never its key). */
  readonly signer: Address;
  private readonly options: StoryLedgerOptions;
  private readonly client: PublicClient;
  private readonly story: StoryClient;
  private readonly account: LocalAccount;
  private readonly submitter: TransactionSubmitter;
  private readonly tracker: ReceiptTracker;
  private readonly txs: TransactionStates;
  private readonly royalties: Royalties;
  private readonly store: MetadataStore;
  private readonly index: ContentIndex;
  private readonly journal: SubmissionJournal;
  private readonly endpoint: string;
  private readonly now: () => Date;
  private readonly byContent = new Map<string, Registration>();
  private readonly byIp = new Map<string, Registration>();
  /** Content ids whose registration is being prepared or submitted (not yet in `byContent`). */
  private readonly reserved = new Set<string>();
  /** Failed registrations per content id, so a new attempt gets a new journal key. */
  private readonly failedAttempts = new Map<string, number>();
  private readonly vaults = new Map<string, Address>();
  private spg: Address | undefined;
  private closed = false;

  /** Use {@link storyLedger}, which also starts it. */
  constructor(options: StoryLedgerOptions) {
    this.options = options;
    this.network = options.network ?? 'aeneid';
    this.requiredConfirmations = Math.max(1, options.requiredConfirmations ?? 1);
    this.now = options.now ?? (() => new Date());
    const { transport, endpoint } = transportOf(options);
    this.endpoint = endpoint;
    this.account = accountOf(options.signer);
    this.signer = this.account.address;
    const pollingInterval = options.pollIntervalMs ?? 1000;
    this.client = createPublicClient({ transport, cacheTime: 0, pollingInterval });
    this.story = StoryClient.newClient({ transport, account: this.account, chainId: this.network });
    this.store = options.metadataStore ?? contentAddressedStore();
    this.index = options.contentIndex ?? memoryContentIndex();
    this.journal = options.journal ?? new InMemorySubmissionJournal();
    this.submitter = new TransactionSubmitter({
      client: this.client,
      account: this.account,
      chainId: CHAIN_IDS[this.network],
      journal: this.journal,
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
      pollIntervalMs: pollingInterval,
      ...(options.rpcTimeoutMs !== undefined && { rpcTimeoutMs: options.rpcTimeoutMs }),
      onError: (error) => this.emit({ type: 'error', context: 'receipt tracker', error }),
    });
    this.txs = new TransactionStates(this.tracker, this.now);
    this.spg = options.spgNftContract;
    this.royalties = new Royalties({
      client: this.client,
      signer: this.signer,
      send: (request, o) => this.send(request, o),
      follow: (hash) => this.txs.follow(hash),
      vaultOf: (ipId) => this.vaultOf(ipId),
      now: this.now,
      onError: (context, error) => this.emit({ type: 'error', context, error }),
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

  // ---- registration ------------------------------------------------------------------------

  /**
   * Registers `input.contentId` as an IP asset: ALREADY_EXISTS when the content id is in the
   * index, registered here, or being registered. Builds and stores the metadata documents,
   * sends `mintAndRegisterIp`, and resolves once the transaction is in a block (the IP asset
   * id is only known then) with the record PROCESSING (or FAILED when it reverted); it becomes
   * REGISTERED when the transaction has `requiredConfirmations` and the royalty split is given
   * out. `input.metadataUri` and `input.licenseTermsId` are not used yet.
   */
  async registerAsset(input: RegisterAssetInput, signal?: AbortSignal): Promise<AssetRecord> {
    const contentId = input.contentId;
    if (this.reserved.has(contentId)) throw alreadyExists(contentId, 'is being registered');
    const existing = this.byContent.get(contentId);
    if (existing && existing.record.status !== IpAssetStatus.FAILED) {
      throw alreadyExists(
        contentId,
        `is registered as ${existing.record.ipAssetId || 'an IP asset being minted'}`,
      );
    }
    this.reserved.add(contentId);
    let reg: Registration;
    let submission: Submission;
    try {
      const indexed = await this.index.get(contentId);
      if (indexed !== undefined) throw alreadyExists(contentId, `is registered as ${indexed.ipId}`);
      const contributors = input.contributors.map((c) => ({
        ...c,
        wallet: c.wallet.toLowerCase(),
      }));
      const { key, journaled } = await this.registrationKey(contentId);
      const request =
        journaled !== undefined
          ? journaled.request
          : (
              await registrationCall({
                story: this.story,
                store: this.store,
                collection: this.requireCollection(),
                recipient: this.signer,
                contentId,
                title: input.title,
                contributors,
                createdAt: this.now(),
                ...(signal && { signal }),
              })
            ).request;
      submission = await this.send(request, { key, signal });
      const now = this.now();
      reg = {
        record: {
          contentId,
          title: input.title,
          status: IpAssetStatus.PENDING,
          ipAssetId: '',
          nftTokenId: '',
          txHash: lower(submission.hash),
          lastUpdated: now,
          contributors,
          royaltyModuleId: lower(STORY_ADDRESSES.royaltyModule),
          royaltyUpdatedAt: now,
        },
        splitSettled: false,
      };
      this.byContent.set(contentId, reg);
    } finally {
      this.reserved.delete(contentId);
    }
    // The registration goes on when the caller stops waiting (its signal).
    const done = submission
      .mined()
      .then((mined) => this.onMined(reg, mined.hash))
      .catch((error: unknown) => {
        if (!this.closed)
          this.emit({ type: 'error', context: `registration of ${contentId}`, error });
      });
    await raceSignal(done, signal);
    return copy(reg.record);
  }

  /**
   * The journal key of a content id's registration: `register:<content id>`, then `#1`, `#2`,
   * ... after failed attempts (a reverted registration's key is spent). A journaled submission
   * of the key (a restart, or a retry after an abort) is adopted as it is: its documents were
   * stored and its createdAt fixed at the first submission.
   */
  private async registrationKey(contentId: string) {
    for (let attempt = this.failedAttempts.get(contentId) ?? 0; ; attempt++) {
      const key = attempt === 0 ? `register:${contentId}` : `register:${contentId}#${attempt}`;
      const journaled = await this.journal.get(key);
      if (journaled?.state === 'mined' && journaled.minedHash !== undefined) {
        const receipt = await this.client.getTransactionReceipt({ hash: journaled.minedHash });
        if (receipt.status !== 'success') continue;
      }
      const usable = journaled !== undefined && journaled.state !== 'rejected';
      return { key, journaled: usable ? journaled : undefined };
    }
  }

  /** The registration transaction is in a block: decode it, index it, give out the split. */
  private async onMined(reg: Registration, hash: Hex): Promise<void> {
    const record = reg.record;
    if (record.ipAssetId !== '' || record.status === IpAssetStatus.FAILED) return;
    record.txHash = lower(hash);
    const receipt = await this.client.getTransactionReceipt({ hash });
    const ip = receipt.status === 'success' ? registeredIp(receipt) : undefined;
    if (ip === undefined) {
      this.fail(
        reg,
        receipt.status === 'success'
          ? 'the registration transaction succeeded but reported no IPRegistered event'
          : 'the registration transaction reverted',
      );
      this.txs.follow(hash, (s) => {
        if (s.errorMessage !== undefined && s.status === TransactionStatus.FAILED)
          record.errorMessage = s.errorMessage;
      });
      return;
    }
    record.ipAssetId = lower(ip.ipId);
    record.nftTokenId = ip.tokenId.toString();
    record.status = IpAssetStatus.PROCESSING;
    record.lastUpdated = this.now();
    this.byIp.set(record.ipAssetId, reg);
    const held = await this.index.put({
      contentId: record.contentId,
      ipId: record.ipAssetId,
      txHash: record.txHash,
      nftTokenId: record.nftTokenId,
      blockNumber: receipt.blockNumber,
    });
    if (held.ipId.toLowerCase() !== record.ipAssetId) {
      this.fail(reg, `content ${record.contentId} was registered first as ${held.ipId}`);
      return;
    }
    this.txs.follow(hash, () => this.progress(reg));
    this.progress(reg);
    void this.giveOutSplit(reg, ip.ipId).then(
      () => {
        reg.splitSettled = true;
        this.progress(reg);
      },
      (error) => {
        this.emit({ type: 'error', context: `royalty split of ${record.ipAssetId}`, error });
        this.fail(
          reg,
          `registered as ${record.ipAssetId}, but the royalty split failed: ${messageOf(error)}`,
        );
      },
    );
  }

  /** Moves a registration forward when its transaction and split allow. */
  private progress(reg: Registration): void {
    const record = reg.record;
    const tx = this.txs.get(record.txHash);
    if (record.status === IpAssetStatus.FAILED || record.status === IpAssetStatus.REGISTERED)
      return;
    if (tx?.status === TransactionStatus.FAILED) {
      this.fail(reg, tx.errorMessage ?? 'the registration transaction failed');
      return;
    }
    if (tx?.status === TransactionStatus.CONFIRMED && tx.terminal && reg.splitSettled) {
      record.status = IpAssetStatus.REGISTERED;
      record.registeredAt = this.now();
      record.lastUpdated = record.registeredAt;
    }
  }

  private fail(reg: Registration, message: string): void {
    reg.record.status = IpAssetStatus.FAILED;
    reg.record.errorMessage = message;
    reg.record.lastUpdated = this.now();
    const id = reg.record.contentId;
    this.failedAttempts.set(id, (this.failedAttempts.get(id) ?? 0) + 1);
  }

  /**
   * Gives each contributor its share of the IP's royalty tokens. Without a vault: creates one
   * when `deployVaults` is set, otherwise leaves the split recorded but not given out.
   */
  private async giveOutSplit(reg: Registration, ipId: Address): Promise<void> {
    let vault = await this.vaultOf(ipId);
    if (vault === undefined) {
      if (!this.options.deployVaults) return;
      const deployed = await this.send(deployVaultCall(ipId), { key: `vault:${lower(ipId)}` });
      await this.expectSuccess(deployed, `deployVault(${ipId})`);
      vault = await this.vaultOf(ipId);
      if (vault === undefined) throw new Error(`deployVault(${ipId}) left no vault`);
    }
    const calls = splitCalls(ipId, vault, reg.record.contributors);
    const submissions = await Promise.all(
      calls.map((call, i) => this.send(call, { key: `split:${lower(ipId)}:0:${i}` })),
    );
    await Promise.all(
      submissions.map((s, i) => this.expectSuccess(s, `royalty tokens to contributor ${i}`)),
    );
  }

  /** Waits for a submission's inclusion; throws when it reverted. */
  private async expectSuccess(submission: Submission, what: string): Promise<void> {
    const mined = await submission.mined();
    this.txs.follow(mined.hash);
    if (mined.status !== 'success') throw new Error(`${what} reverted in ${mined.hash}`);
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

  // ---- reads -------------------------------------------------------------------------------

  /** The asset of a content id: the cached record, else the index's entry (then cached). */
  async getAssetByContentId(contentId: string): Promise<AssetRecord | undefined> {
    const reg = this.byContent.get(contentId);
    if (reg !== undefined) return copy(reg.record);
    const entry = await this.index.get(contentId);
    return entry && copy(this.adopt(entry).record);
  }

  /** The asset of an IP-asset id (any case): the cached record, else the index's entry. */
  async getAssetByIpId(ipAssetId: string): Promise<AssetRecord | undefined> {
    const reg = this.byIp.get(ipAssetId.toLowerCase());
    if (reg !== undefined) return copy(reg.record);
    const entry = await this.index.getByIpId(ipAssetId);
    return entry && copy(this.adopt(entry).record);
  }

  /**
   * A record for an index entry this process did not register (another process, or before a
   * restart). The index only holds mined registrations; title and split are not recovered yet.
   */
  private adopt(entry: {
    contentId: string;
    ipId: string;
    txHash: string;
    nftTokenId: string;
  }): Registration {
    const now = this.now();
    const reg: Registration = {
      record: {
        contentId: entry.contentId,
        title: '',
        status: IpAssetStatus.REGISTERED,
        ipAssetId: entry.ipId.toLowerCase(),
        nftTokenId: entry.nftTokenId,
        txHash: entry.txHash.toLowerCase(),
        registeredAt: now,
        lastUpdated: now,
        contributors: [],
        royaltyModuleId: lower(STORY_ADDRESSES.royaltyModule),
        royaltyUpdatedAt: now,
      },
      splitSettled: true,
    };
    this.byContent.set(entry.contentId, reg);
    this.byIp.set(reg.record.ipAssetId, reg);
    return reg;
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
   * Not implemented yet: NOT_FOUND for an unknown asset, otherwise FAILED_PRECONDITION. (On
   * Story a split is held as royalty tokens; tokens given to contributors can only come back
   * with their signatures.)
   */
  async setRoyaltySplit(ipAssetId: string, contributors: Split[]): Promise<SplitUpdate> {
    void contributors;
    await this.registered(ipAssetId);
    throw notYet(`setRoyaltySplit(${ipAssetId})`);
  }

  /**
   * Pays royalties into a registered asset's vault (native token, wrapped to WIP): NOT_FOUND
   * for an unknown asset, FAILED_PRECONDITION for one not registered yet, without a vault, or
   * in another token. Credited to the royalty-token holders pro rata once mined.
   */
  async payRoyalties(
    input: { ipAssetId: string; amountWei: bigint; currencyToken: string; payerReference?: string },
    signal?: AbortSignal,
  ): Promise<PaymentRecord> {
    const reg = await this.registered(input.ipAssetId);
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
   * Claimable revenue of `wallet` in the IP's vault (WIP, reported as the native token), for
   * one asset or every asset registered here that lists the wallet in its split. Zero
   * balances are left out; assets without a vault have none. Read from the node on every call.
   */
  async claimableBalances(wallet: string, ipAssetId?: string): Promise<Balance[]> {
    const w = wallet.toLowerCase() as Address;
    const regs =
      ipAssetId !== undefined
        ? [this.byIp.get(ipAssetId.toLowerCase())].filter((r) => r !== undefined)
        : [...this.byIp.values()].filter((r) => r.record.contributors.some((c) => c.wallet === w));
    const out: Balance[] = [];
    for (const reg of regs) {
      const ip = reg.record.ipAssetId as Address;
      const vault = await this.vaultOf(ip);
      if (vault === undefined) continue;
      const amount = await this.royalties.claimable(vault, w);
      if (amount > 0n)
        out.push({ ipAssetId: ip, currencyToken: NATIVE, amountWei: amount, decimals: 18 });
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
    const reg = await this.known(input.ipAssetId);
    return this.royalties.claim(
      {
        ipId: reg.record.ipAssetId as Address,
        wallet: input.wallet as Address,
        currencyToken: input.currencyToken,
      },
      signal,
    );
  }

  /** The registration of an asset: NOT_FOUND when neither the records nor the index know it. */
  private async known(ipAssetId: string): Promise<Registration> {
    const reg = this.byIp.get(ipAssetId.toLowerCase());
    if (reg !== undefined) return reg;
    const entry = await this.index.getByIpId(ipAssetId);
    if (entry === undefined) throw new LedgerError('NOT_FOUND', `IP asset ${ipAssetId} not found`);
    return this.adopt(entry);
  }

  /** A REGISTERED asset's registration: NOT_FOUND, or FAILED_PRECONDITION when not registered. */
  private async registered(ipAssetId: string): Promise<Registration> {
    const reg = await this.known(ipAssetId);
    if (reg.record.status !== IpAssetStatus.REGISTERED) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `IP asset ${ipAssetId} is not registered yet (status ${IpAssetStatus[reg.record.status]})`,
      );
    }
    return reg;
  }

  // ---- info, health ------------------------------------------------------------------------

  /** The network, the node (without credentials) and the contracts, addresses in lower case. */
  info(): LedgerInfo {
    const contractAddresses: Record<string, string> = {};
    for (const [name, address] of Object.entries(STORY_ADDRESSES))
      contractAddresses[name] = address.toLowerCase();
    if (this.spg !== undefined) contractAddresses.spgNftCollection = this.spg.toLowerCase();
    return { network: this.network, rpcEndpoint: this.endpoint, contractAddresses };
  }

  /**
   * Serving when the node answers within the RPC deadline and its latest block is at most
   * `maxHeadAgeMs` old (a stalled chain or a node far behind is not serving).
   */
  async health(): Promise<LedgerHealth> {
    const maxAge = this.options.maxHeadAgeMs ?? 60_000;
    const timeout = this.options.rpcTimeoutMs ?? 10_000;
    const details: Record<string, string> = { ledger: 'story', network: this.network };
    if (this.closed) return { serving: false, details: { ...details, error: 'closed' } };
    try {
      const block = await withTimeout(
        this.client.getBlock({ blockTag: 'latest' }),
        timeout,
        'eth_getBlockByNumber(latest)',
      );
      const age = Math.max(0, this.now().getTime() - Number(block.timestamp) * 1000);
      details.latest_block = block.number.toString();
      details.head_age_ms = String(age);
      details.max_head_age_ms = String(maxAge);
      details.signer = lower(this.signer);
      if (age > maxAge) details.error = `the latest block is ${age} ms old`;
      return { serving: age <= maxAge, details };
    } catch (error) {
      return {
        serving: false,
        details: { ...details, error: `node unreachable: ${messageOf(error)}` },
      };
    }
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

/** A copy of a record that a caller cannot change the ledger's state through. */
function copy(record: AssetRecord): AssetRecord {
  return { ...record, contributors: record.contributors.map((c) => ({ ...c })) };
}

function alreadyExists(contentId: string, what: string): LedgerError {
  return new LedgerError('ALREADY_EXISTS', `content ${contentId} ${what}`);
}

function notYet(what: string): LedgerError {
  return new LedgerError('FAILED_PRECONDITION', `${what}: not implemented by the Story ledger yet`);
}

/** Resolves or rejects with `promise`, or rejects with the signal's reason once it aborts. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
