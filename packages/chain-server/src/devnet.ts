/**
 * The embedded devnet: an in-process chain that implements the {@link Ledger} port, so the
 * server runs (and tests and demos work) with no blockchain installed.
 *
 * Blocks are produced every `blockIntervalMs` after `start()`, or by hand with `mine()` (tests).
 * A block includes every pending transaction; inclusion makes it CONFIRMED with 1 confirmation,
 * every later block adds one, and at `requiredConfirmations` it is final. Registrations go
 * PENDING (submitted) → PROCESSING (included, not final) → REGISTERED (final), or FAILED.
 * Payments credit the asset's contributors when included, split by basis points with
 * {@link splitByBasisPoints} (no wei lost or created). Claims take the whole balance at
 * submission and give it back if the claim transaction fails.
 *
 * `ip` is the {@link IpLedger} port on the same chain (src/devnet/): collections, license terms,
 * license tokens and derivatives, whose writes are devnet transactions too. A payment to a
 * derivative is divided between it and its ancestors by their terms (src/devnet/royalty-flow.ts).
 *
 * For demos and tests: `failNextTransaction()` makes a transaction fail when included,
 * `stallBlocks(n)` skips the next n block productions (a slow chain), `setAvailable(false)` makes
 * every call fail with UNAVAILABLE and health report NOT_SERVING.
 */
import { createHash } from 'node:crypto';
import { IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import { DEVNET_COLLECTION } from './devnet/collections.js';
import type { DevnetHost, DevnetTxKind, TxHooks } from './devnet/host.js';
import { DevnetIpLedger } from './devnet/ip-ledger.js';
import { RoyaltyBook } from './devnet/royalty-book.js';
import type { IpLedger } from './ip-ledger.js';
import {
  type AssetRecord,
  type Balance,
  type ClaimRecord,
  type Ledger,
  LedgerError,
  type LedgerHealth,
  type LedgerInfo,
  type PaymentRecord,
  type RegisterAssetInput,
  type Split,
  type SplitUpdate,
  type TxState,
} from './ledger.js';
import { TransactionListeners } from './transaction-listeners.js';

/** The address the contract uses for the chain's native currency. */
export const NATIVE_TOKEN = '0x0000000000000000000000000000000000000000';

export type { DevnetTxKind } from './devnet/host.js';

/** Options of {@link DevnetLedger}. */
export interface DevnetLedgerOptions {
  /** Milliseconds between blocks once `start()` is called; 0 means blocks only by `mine()`. Default 1000. */
  blockIntervalMs?: number;
  /** Confirmations after which a transaction is final. Default 3. */
  requiredConfirmations?: number;
  /** The clock; inject one in tests. */
  now?: () => Date;
  /** Decimals per token address (lower-case) for formatted amounts; unknown tokens use 18. */
  tokenDecimals?: Record<string, number>;
  /** Network name for GetServiceInfo. Default "devnet". */
  network?: string;
}

interface DevnetTx extends TxHooks {
  state: TxState;
  kind: DevnetTxKind;
  includedIn?: bigint;
  /** When the block that includes it was made. */
  minedAt?: Date;
}

const ROYALTY_MODULE = '0x00000000000000000000000000000000000a11ce';
const IP_ASSET_REGISTRY = '0x00000000000000000000000000000000000001a5';
/** The devnet's signing wallet: it owns the collections and assets of `ip`, and pays their fees. */
const SIGNER = '0x000000000000000000000000000000000000d3e7';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class DevnetLedger implements Ledger {
  readonly requiredConfirmations: number;
  private readonly ipPart: DevnetIpLedger;
  private readonly now: () => Date;
  private readonly blockIntervalMs: number;
  private readonly tokenDecimals: Record<string, number>;
  private readonly network: string;
  private head = 0n;
  private headHash = `0x${'0'.repeat(64)}`;
  private nonce = 0;
  private nftCounter = 0n;
  private timer: ReturnType<typeof setInterval> | undefined;
  private available = true;
  private stalled = 0;
  private readonly failures: { kind?: DevnetTxKind; message: string }[] = [];
  private readonly txs = new Map<string, DevnetTx>();
  private readonly pending: DevnetTx[] = [];
  private readonly unfinal = new Set<DevnetTx>();
  private readonly assetsByContent = new Map<string, AssetRecord>();
  private readonly assetsByIp = new Map<string, AssetRecord>();
  private readonly listeners = new TransactionListeners();
  private readonly book = new RoyaltyBook();

  constructor(options: DevnetLedgerOptions = {}) {
    this.requiredConfirmations = Math.max(1, options.requiredConfirmations ?? 3);
    this.now = options.now ?? (() => new Date());
    this.blockIntervalMs = options.blockIntervalMs ?? 1000;
    this.tokenDecimals = Object.fromEntries(
      Object.entries(options.tokenDecimals ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    this.network = options.network ?? 'devnet';
    this.ipPart = new DevnetIpLedger(this.host());
  }

  /** Collections, license terms, license tokens and derivatives on this devnet. */
  get ip(): IpLedger {
    return this.ipPart;
  }

  /** What the IP part uses of this devnet (see src/devnet/host.ts). */
  private host(): DevnetHost {
    return {
      signer: SIGNER,
      royaltyModule: ROYALTY_MODULE,
      book: this.book,
      now: () => this.now(),
      ensureAvailable: () => this.ensureAvailable(),
      submit: (kind, payload, hooks) => this.submit(kind, payload, hooks),
      transaction: (hash) => this.txs.get(hash)?.state,
      blockTime: (hash) => this.txs.get(hash)?.minedAt,
      assetByContent: (contentId) => this.assetsByContent.get(contentId),
      assetByIp: (ipAssetId) => this.assetsByIp.get(ipAssetId.toLowerCase()),
      index: (asset) => {
        this.assetsByContent.set(asset.contentId, asset);
        if (asset.ipAssetId !== '') this.assetsByIp.set(asset.ipAssetId, asset);
      },
      nextOwnTokenId: () => ++this.nftCounter,
    };
  }

  /** Starts producing a block every `blockIntervalMs` (no-op when it is 0 or already started). */
  start(): void {
    if (this.timer || this.blockIntervalMs <= 0) return;
    this.timer = setInterval(() => this.mine(), this.blockIntervalMs);
    // A devnet must never keep a process alive on its own.
    this.timer.unref();
  }

  /** Stops block production. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The number of the latest block (0 before the first). */
  get blockNumber(): bigint {
    return this.head;
  }

  /** Makes the next transaction (of `kind`, if given) fail when it is included in a block. */
  failNextTransaction(options: { kind?: DevnetTxKind; message?: string } = {}): void {
    this.failures.push({
      kind: options.kind,
      message: options.message ?? 'execution reverted (injected failure)',
    });
  }

  /** Skips the next `count` block productions: transactions stay pending that much longer. */
  stallBlocks(count: number): void {
    this.stalled += count;
  }

  /** While false, every call fails with UNAVAILABLE and health reports not serving. */
  setAvailable(available: boolean): void {
    this.available = available;
  }

  /** Listeners currently attached by `onTransaction` (tests check cancelled streams release theirs). */
  listenerCount(): number {
    return this.listeners.count();
  }

  /**
   * Totals for conservation checks: paid (confirmed payments and license minting fees), claimed
   * (confirmed or pending), claimable.
   */
  totals(): {
    /** Everything paid in, in base units. */
    paid: bigint;
    /** Everything claimed out. */
    claimed: bigint;
    /** What contributors can still claim. */
    claimable: bigint;
  } {
    return this.book.totals();
  }

  /**
   * Produces `count` blocks now (each includes every pending transaction). Returns the number of
   * blocks produced, fewer when `stallBlocks` skipped some.
   */
  mine(count = 1): number {
    let produced = 0;
    for (let i = 0; i < count; i++) {
      if (this.stalled > 0) {
        this.stalled--;
        continue;
      }
      this.produceBlock();
      produced++;
    }
    return produced;
  }

  private produceBlock(): void {
    const number = this.head + 1n;
    const included = this.pending.splice(0);
    const hash = `0x${sha256Hex(`${this.headHash}:${number}:${included.map((t) => t.state.hash).join(',')}`)}`;
    this.head = number;
    this.headHash = hash;
    const timestamp = this.now();
    const changed: DevnetTx[] = [];
    for (const tx of included) {
      const failureIndex = this.failures.findIndex(
        (f) => f.kind === undefined || f.kind === tx.kind,
      );
      tx.includedIn = number;
      tx.minedAt = timestamp;
      if (failureIndex >= 0) {
        const [failure] = this.failures.splice(failureIndex, 1);
        tx.state = {
          ...tx.state,
          status: TransactionStatus.FAILED,
          confirmations: 1n,
          blockHash: hash,
          blockNumber: number,
          errorMessage: failure?.message,
          timestamp,
          terminal: true,
        };
        tx.onFail?.();
      } else {
        tx.state = {
          ...tx.state,
          status: TransactionStatus.CONFIRMED,
          confirmations: 0n,
          blockHash: hash,
          blockNumber: number,
          timestamp,
        };
        tx.onConfirm?.();
        this.unfinal.add(tx);
      }
      changed.push(tx);
    }
    for (const tx of this.unfinal) {
      const confirmations = number - (tx.includedIn as bigint) + 1n;
      const terminal = confirmations >= BigInt(this.requiredConfirmations);
      tx.state = { ...tx.state, confirmations, terminal, timestamp };
      if (terminal) {
        this.unfinal.delete(tx);
        tx.onFinal?.();
      }
      if (!changed.includes(tx)) changed.push(tx);
    }
    for (const tx of changed) this.listeners.emit(tx.state);
  }

  private ensureAvailable(): void {
    if (!this.available)
      throw new LedgerError('UNAVAILABLE', 'devnet ledger is unavailable (injected)');
  }

  private submit(kind: DevnetTxKind, payload: string, hooks: TxHooks): TxState {
    this.nonce++;
    const state: TxState = {
      hash: `0x${sha256Hex(`${kind}:${this.nonce}:${payload}`)}`,
      status: TransactionStatus.PENDING,
      confirmations: 0n,
      timestamp: this.now(),
      terminal: false,
    };
    const tx: DevnetTx = { state, kind, ...hooks };
    this.txs.set(state.hash, tx);
    this.pending.push(tx);
    return state;
  }

  async registerAsset(input: RegisterAssetInput): Promise<AssetRecord> {
    this.ensureAvailable();
    const existing = this.assetsByContent.get(input.contentId);
    if (existing && existing.status !== IpAssetStatus.FAILED) {
      throw new LedgerError(
        'ALREADY_EXISTS',
        `content ${input.contentId} is already registered as ${existing.ipAssetId}`,
      );
    }
    const now = this.now();
    this.nftCounter++;
    const asset: AssetRecord = {
      contentId: input.contentId,
      title: input.title,
      status: IpAssetStatus.PENDING,
      ipAssetId: `0x${sha256Hex(`ip:${input.contentId}:${this.nftCounter}`).slice(0, 40)}`,
      nftTokenId: this.nftCounter.toString(),
      txHash: '',
      lastUpdated: now,
      contributors: input.contributors.map((c) => ({ ...c, wallet: c.wallet.toLowerCase() })),
      royaltyModuleId: ROYALTY_MODULE,
      royaltyUpdatedAt: now,
    };
    const final = () => {
      asset.status = IpAssetStatus.REGISTERED;
      asset.registeredAt = this.now();
      asset.lastUpdated = asset.registeredAt;
    };
    const tx = this.submit('register', input.contentId, {
      onConfirm: () => {
        asset.status = IpAssetStatus.PROCESSING;
        asset.lastUpdated = this.now();
        this.ipPart.countOwnMint();
      },
      onFinal: final,
      onFail: () => {
        asset.status = IpAssetStatus.FAILED;
        asset.errorMessage = this.txs.get(asset.txHash)?.state.errorMessage;
        asset.lastUpdated = this.now();
      },
    });
    asset.txHash = tx.hash;
    this.assetsByContent.set(asset.contentId, asset);
    this.assetsByIp.set(asset.ipAssetId, asset);
    return { ...asset };
  }

  async getAssetByContentId(contentId: string): Promise<AssetRecord | undefined> {
    this.ensureAvailable();
    const asset = this.assetsByContent.get(contentId);
    return asset && { ...asset };
  }

  async getAssetByIpId(ipAssetId: string): Promise<AssetRecord | undefined> {
    this.ensureAvailable();
    const asset = this.assetsByIp.get(ipAssetId.toLowerCase());
    return asset && { ...asset };
  }

  private registeredAsset(ipAssetId: string): AssetRecord {
    const asset = this.assetsByIp.get(ipAssetId.toLowerCase());
    if (!asset) throw new LedgerError('NOT_FOUND', `IP asset ${ipAssetId} not found`);
    if (asset.status !== IpAssetStatus.REGISTERED) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `IP asset ${ipAssetId} is not registered yet (status ${IpAssetStatus[asset.status]})`,
      );
    }
    return asset;
  }

  async setRoyaltySplit(ipAssetId: string, contributors: Split[]): Promise<SplitUpdate> {
    this.ensureAvailable();
    const asset = this.registeredAsset(ipAssetId);
    const next = contributors.map((c) => ({ ...c, wallet: c.wallet.toLowerCase() }));
    // The new split applies once its transaction is included, as on a real chain.
    const tx = this.submit('split', `${asset.ipAssetId}:${JSON.stringify(next)}`, {
      onConfirm: () => {
        asset.contributors = next;
        asset.royaltyUpdatedAt = this.now();
        asset.lastUpdated = asset.royaltyUpdatedAt;
      },
    });
    return { ipAssetId: asset.ipAssetId, txHash: tx.hash, contributors: next };
  }

  async payRoyalties(input: {
    ipAssetId: string;
    amountWei: bigint;
    currencyToken: string;
    payerReference?: string;
  }): Promise<PaymentRecord> {
    this.ensureAvailable();
    const asset = this.registeredAsset(input.ipAssetId);
    const token = input.currencyToken.toLowerCase();
    // A derivative's ancestors get their shares; every vault reached must stay within uint256.
    const parts = this.ipPart.royaltyParts(asset.ipAssetId, input.amountWei);
    this.book.reserve(parts, token);
    const record: PaymentRecord = {
      paymentId: `pay_${this.nonce + 1}`,
      ipAssetId: asset.ipAssetId,
      txHash: '',
      amountWei: input.amountWei,
      currencyToken: token,
      status: 'pending',
      paidAt: this.now(),
    };
    const tx = this.submit('payment', `${asset.ipAssetId}:${input.amountWei}:${token}`, {
      onConfirm: () => {
        // Each part split with its asset's split in force when the payment is included.
        this.book.credit(
          parts,
          token,
          (ip) => (this.assetsByIp.get(ip) as AssetRecord).contributors,
        );
        record.status = 'confirmed';
      },
      onFail: () => {
        this.book.release(parts, token);
        record.status = 'failed';
      },
    });
    record.txHash = tx.hash;
    return { ...record };
  }

  async claimableBalances(wallet: string, ipAssetId?: string): Promise<Balance[]> {
    this.ensureAvailable();
    return this.book
      .entries(wallet.toLowerCase(), ipAssetId?.toLowerCase())
      .map((e) => ({ ...e, decimals: this.decimalsOf(e.currencyToken) }));
  }

  /** Decimals of a token: configured, else 18 (the native currency and most ERC-20s). */
  decimalsOf(token: string): number {
    return this.tokenDecimals[token.toLowerCase()] ?? 18;
  }

  async claimRoyalties(input: {
    ipAssetId: string;
    wallet: string;
    currencyToken: string;
  }): Promise<ClaimRecord> {
    this.ensureAvailable();
    const ip = input.ipAssetId.toLowerCase();
    if (!this.assetsByIp.has(ip))
      throw new LedgerError('NOT_FOUND', `IP asset ${input.ipAssetId} not found`);
    const wallet = input.wallet.toLowerCase();
    const token = input.currencyToken.toLowerCase();
    // Take the balance now so a second claim cannot spend it again; give it back on failure.
    const amount = this.book.take(wallet, ip, token);
    const record: ClaimRecord = {
      ipAssetId: ip,
      wallet,
      currencyToken: token,
      txHash: '',
      amountWei: amount,
      status: 'pending',
      claimedAt: this.now(),
    };
    const tx = this.submit('claim', `${wallet}|${ip}|${token}`, {
      onConfirm: () => {
        record.status = 'confirmed';
      },
      onFail: () => {
        this.book.giveBack(wallet, ip, token, amount);
        record.status = 'failed';
      },
    });
    record.txHash = tx.hash;
    return { ...record };
  }

  async getTransaction(hash: string): Promise<TxState | undefined> {
    this.ensureAvailable();
    return this.txs.get(hash.toLowerCase())?.state;
  }

  onTransaction(hash: string, listener: (state: TxState) => void): () => void {
    return this.listeners.add(hash, listener);
  }

  info(): LedgerInfo {
    return {
      network: this.network,
      rpcEndpoint: 'in-process://devnet',
      contractAddresses: {
        ipAssetRegistry: IP_ASSET_REGISTRY,
        royaltyModule: ROYALTY_MODULE,
        spgNftCollection: DEVNET_COLLECTION,
      },
    };
  }

  async health(): Promise<LedgerHealth> {
    return {
      serving: this.available,
      details: {
        ledger: 'devnet',
        block_number: this.head.toString(),
        pending_transactions: String(this.pending.length),
      },
    };
  }
}
