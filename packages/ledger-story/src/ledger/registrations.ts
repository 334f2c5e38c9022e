/**
 * Registrations: content id → IP asset on Story, from the metadata documents to REGISTERED,
 * and the records reads return (kept in memory with their last state; the content index
 * answers for registrations this process did not make).
 */

import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import type { AssetRecord, RegisterAssetInput, Split } from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import type { StoryClient } from '@story-protocol/core-sdk';
import type { Address, Hex, PublicClient } from 'viem';
import type { ContentIndex } from '../content-index/index.js';
import type { MetadataStore } from '../metadata/store.js';
import { STORY_ADDRESSES } from '../story/addresses.js';
import type { Submission, SubmissionJournal, TransactionRequest } from '../transactions/index.js';
import { raceAbort } from '../transactions/rpc.js';
import { deployVaultCall, lower, registeredIp, registrationCall, splitCalls } from './calls.js';
import type { StoryLedgerEvent } from './options.js';
import type { TransactionStates } from './tx-states.js';

/** What registrations need from the ledger. */
export interface RegistrationContext {
  /** The node. */
  client: PublicClient;
  /** The Story SDK (it encodes `mintAndRegisterIp`). */
  story: StoryClient;
  /** Where the metadata documents go. */
  store: MetadataStore;
  /** Content id ↔ IP asset. */
  index: ContentIndex;
  /** The submission journal (a registration's key is looked up before building it again). */
  journal: SubmissionJournal;
  /** The ledger's transactions. */
  txs: TransactionStates;
  /** The signer, who receives the NFTs and so owns the IP accounts. */
  signer: Address;
  /** Whether to create missing royalty vaults with `deployVault`. */
  deployVaults: boolean;
  /** The SPG collection (throws when the ledger is not started). */
  collection(): Address;
  /** Sends through the submitter (errors already LedgerErrors) and follows the transaction. */
  send(
    request: TransactionRequest,
    options: { key: string; signal?: AbortSignal | undefined },
  ): Promise<Submission>;
  /** The IP's royalty vault, if it has one. */
  vaultOf(ipId: Address): Promise<Address | undefined>;
  /** The clock. */
  now(): Date;
  /** Whether the ledger is closed. */
  closed(): boolean;
  /** Reports something that happened in the background. */
  emit(event: StoryLedgerEvent): void;
}

/** One registration as the ledger follows it. */
export interface Registration {
  /** The record reads return (copied out). */
  record: AssetRecord;
  /** Whether the royalty split has been given out (or there is nothing to give out). */
  splitSettled: boolean;
  /** The last split update's last transaction, once one is mined. */
  splitTxHash?: string;
  /** Settles once the split given out at registration is mined (or failed), and progress ran. */
  splitGivenOut?: Promise<void>;
  /** Runs once the asset is minted, before it is indexed and its split given out. */
  beforeSplit?: (ipId: Address) => Promise<void>;
}

/**
 * The longest {@link Registrations.registered} waits for a final registration's split. Its
 * transactions follow the registration's by a block or two, so a payment that arrives as soon
 * as the registration is final waits for them instead of being refused.
 */
const SPLIT_WAIT_MS = 30_000;

/** The registrations of one ledger. */
export class Registrations {
  private readonly byContent = new Map<string, Registration>();
  private readonly byIp = new Map<string, Registration>();
  /** Content ids whose registration is being prepared or submitted (not yet in `byContent`). */
  private readonly reserved = new Set<string>();
  /** Failed registrations per content id, so a new attempt gets a new journal key. */
  private readonly failedAttempts = new Map<string, number>();

  constructor(private readonly ctx: RegistrationContext) {}

  /** The records of the assets registered or being registered here that have an IP id. */
  records(): AssetRecord[] {
    return [...this.byIp.values()].map((r) => copy(r.record));
  }

  /**
   * Registers `input.contentId` as an IP asset: ALREADY_EXISTS when the content id is in the
   * index, registered here, or being registered. Builds and stores the metadata documents,
   * sends `mintAndRegisterIp`, and resolves once the transaction is in a block (the IP asset
   * id is only known then) with the record PROCESSING (or FAILED when it reverted); it becomes
   * REGISTERED when the transaction has `requiredConfirmations` and the royalty split is given
   * out. `input.metadataUri` goes into both metadata documents; `input.licenseTermsId` is not
   * attached (licensing is not part of this ledger yet).
   */
  async register(input: RegisterAssetInput, signal?: AbortSignal): Promise<AssetRecord> {
    return this.registerWith(
      {
        contentId: input.contentId,
        title: input.title,
        contributors: input.contributors,
        build: async (contributors) =>
          (
            await registrationCall({
              story: this.ctx.story,
              store: this.ctx.store,
              collection: this.ctx.collection(),
              recipient: this.ctx.signer,
              contentId: input.contentId,
              title: input.title,
              contributors,
              createdAt: this.ctx.now(),
              metadataUri: input.metadataUri,
              ...(signal && { signal }),
            })
          ).request,
      },
      signal,
    );
  }

  /**
   * Registers a content id with a mint-and-register call that `build` makes (the IP ledger's
   * `mintAndRegisterIpAsset` builds its own, with its metadata and collection), under the same
   * rules as {@link register}: one registry of content ids, the same journal keys, the split
   * given out once mined. `build` is not called when a journaled submission is adopted.
   */
  async registerWith(
    input: {
      contentId: string;
      title: string;
      contributors: readonly Split[];
      build: (contributors: Split[]) => Promise<TransactionRequest>;
      /**
       * A step between minting and giving out the split (a derivative is linked to its parents
       * there: linking deploys its vault). When it throws the registration is FAILED, not
       * indexed, and the content id may be registered again.
       */
      beforeSplit?: (ipId: Address) => Promise<void>;
    },
    signal?: AbortSignal,
  ): Promise<AssetRecord> {
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
      const indexed = await this.ctx.index.get(contentId);
      if (indexed !== undefined) throw alreadyExists(contentId, `is registered as ${indexed.ipId}`);
      const contributors = input.contributors.map((c) => ({
        ...c,
        wallet: c.wallet.toLowerCase(),
      }));
      const { key, journaled } = await this.registrationKey(contentId);
      const request = journaled !== undefined ? journaled.request : await input.build(contributors);
      submission = await this.ctx.send(request, { key, signal });
      const now = this.ctx.now();
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
        ...(input.beforeSplit && { beforeSplit: input.beforeSplit }),
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
        if (!this.ctx.closed())
          this.ctx.emit({ type: 'error', context: `registration of ${contentId}`, error });
      });
    await raceAbort(done, signal);
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
      const journaled = await this.ctx.journal.get(key);
      if (journaled?.state === 'mined' && journaled.minedHash !== undefined) {
        const receipt = await this.ctx.client.getTransactionReceipt({ hash: journaled.minedHash });
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
    const receipt = await this.ctx.client.getTransactionReceipt({ hash });
    const ip = receipt.status === 'success' ? registeredIp(receipt) : undefined;
    if (ip === undefined) {
      this.fail(
        reg,
        receipt.status === 'success'
          ? 'the registration transaction succeeded but reported no IPRegistered event'
          : 'the registration transaction reverted',
      );
      this.ctx.txs.follow(hash, (s) => {
        if (s.errorMessage !== undefined && s.status === TransactionStatus.FAILED)
          record.errorMessage = s.errorMessage;
      });
      return;
    }
    record.ipAssetId = lower(ip.ipId);
    record.nftTokenId = ip.tokenId.toString();
    if (reg.beforeSplit) {
      try {
        await reg.beforeSplit(ip.ipId);
      } catch (error) {
        this.fail(reg, `minted as ${record.ipAssetId}, but then: ${messageOf(error)}`);
        return;
      }
    }
    record.status = IpAssetStatus.PROCESSING;
    record.lastUpdated = this.ctx.now();
    this.byIp.set(record.ipAssetId, reg);
    const held = await this.ctx.index.put({
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
    this.ctx.txs.follow(hash, () => this.progress(reg));
    this.progress(reg);
    reg.splitGivenOut = this.giveOutSplit(reg, ip.ipId).then(
      () => {
        reg.splitSettled = true;
        this.progress(reg);
      },
      (error) => {
        this.ctx.emit({ type: 'error', context: `royalty split of ${record.ipAssetId}`, error });
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
    const tx = this.ctx.txs.get(record.txHash);
    if (record.status === IpAssetStatus.FAILED || record.status === IpAssetStatus.REGISTERED)
      return;
    if (tx?.status === TransactionStatus.FAILED) {
      this.fail(reg, tx.errorMessage ?? 'the registration transaction failed');
      return;
    }
    if (tx?.status === TransactionStatus.CONFIRMED && tx.terminal && reg.splitSettled) {
      record.status = IpAssetStatus.REGISTERED;
      record.registeredAt = this.ctx.now();
      record.lastUpdated = record.registeredAt;
    }
  }

  private fail(reg: Registration, message: string): void {
    reg.record.status = IpAssetStatus.FAILED;
    reg.record.errorMessage = message;
    reg.record.lastUpdated = this.ctx.now();
    const id = reg.record.contentId;
    this.failedAttempts.set(id, (this.failedAttempts.get(id) ?? 0) + 1);
  }

  /**
   * Gives each contributor its share of the IP's royalty tokens. Without a vault: creates one
   * when `deployVaults` is set, otherwise leaves the split recorded but not given out.
   */
  private async giveOutSplit(reg: Registration, ipId: Address): Promise<void> {
    let vault = await this.ctx.vaultOf(ipId);
    if (vault === undefined) {
      if (!this.ctx.deployVaults) return;
      const deployed = await this.ctx.send(deployVaultCall(ipId), { key: `vault:${lower(ipId)}` });
      await this.expectSuccess(deployed, `deployVault(${ipId})`);
      vault = await this.ctx.vaultOf(ipId);
      if (vault === undefined) throw new Error(`deployVault(${ipId}) left no vault`);
    }
    const calls = splitCalls(ipId, vault, reg.record.contributors);
    const submissions = await Promise.all(
      calls.map((call, i) => this.ctx.send(call, { key: `split:${lower(ipId)}:0:${i}` })),
    );
    await Promise.all(
      submissions.map((s, i) => this.expectSuccess(s, `royalty tokens to contributor ${i}`)),
    );
  }

  /** Waits for a submission's inclusion; throws when it reverted. */
  private async expectSuccess(submission: Submission, what: string): Promise<void> {
    const mined = await submission.mined();
    this.ctx.txs.follow(mined.hash);
    if (mined.status !== 'success') throw new Error(`${what} reverted in ${mined.hash}`);
  }

  /** The asset of a content id: the cached record, else the index's entry (then cached). */
  async byContentId(contentId: string): Promise<AssetRecord | undefined> {
    const reg = this.byContent.get(contentId);
    if (reg !== undefined) return copy(reg.record);
    const entry = await this.ctx.index.get(contentId);
    return entry && copy(this.adopt(entry).record);
  }

  /** The asset of an IP-asset id (any case): the cached record, else the index's entry. */
  async byIpId(ipAssetId: string): Promise<AssetRecord | undefined> {
    const reg = this.byIp.get(ipAssetId.toLowerCase());
    if (reg !== undefined) return copy(reg.record);
    const entry = await this.ctx.index.getByIpId(ipAssetId);
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
    const now = this.ctx.now();
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

  /** The registration of an asset: NOT_FOUND when neither the records nor the index know it. */
  async known(ipAssetId: string): Promise<Registration> {
    const reg = this.byIp.get(ipAssetId.toLowerCase());
    if (reg !== undefined) return reg;
    const entry = await this.ctx.index.getByIpId(ipAssetId);
    if (entry === undefined) throw new LedgerError('NOT_FOUND', `IP asset ${ipAssetId} not found`);
    return this.adopt(entry);
  }

  /**
   * A REGISTERED asset's registration: NOT_FOUND, or FAILED_PRECONDITION when not registered.
   * When the registration transaction is final and only its split is still being given out,
   * waits for that (at most {@link SPLIT_WAIT_MS}, or until `signal` aborts): a caller that
   * saw the registration final must be able to pay, and paying before the split is out would
   * credit the IP account instead of the contributors.
   */
  async registered(ipAssetId: string, signal?: AbortSignal): Promise<Registration> {
    const reg = await this.known(ipAssetId);
    const final = this.ctx.txs.get(reg.record.txHash)?.terminal === true;
    if (reg.record.status === IpAssetStatus.PROCESSING && final && reg.splitGivenOut) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SPLIT_WAIT_MS);
      });
      await raceAbort(Promise.race([reg.splitGivenOut, deadline]), signal).finally(() =>
        clearTimeout(timer),
      );
    }
    if (reg.record.status !== IpAssetStatus.REGISTERED) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `IP asset ${ipAssetId} is not registered yet (status ${IpAssetStatus[reg.record.status]})`,
      );
    }
    return reg;
  }
}

/** A copy of a record that a caller cannot change the ledger's state through. */
function copy(record: AssetRecord): AssetRecord {
  return { ...record, contributors: record.contributors.map((c) => ({ ...c })) };
}

function alreadyExists(contentId: string, what: string): LedgerError {
  return new LedgerError('ALREADY_EXISTS', `content ${contentId} ${what}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
