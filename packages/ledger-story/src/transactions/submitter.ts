/**
 * The submitter: turns a transaction request into a signed, broadcast, journaled transaction of
 * one account and sees it through to its first inclusion, replacing it when it is stuck.
 *
 * The order of steps is what makes it safe to crash anywhere: estimate and price (nothing
 * signed yet), take the next nonce, sign, write the signed transaction to the journal, and
 * only then broadcast. A restart finds every broadcast transaction in the journal and
 * re-broadcasts it unchanged; it never signs the same intent with a second nonce (except when
 * the first nonce was provably taken by another transaction, which means the first can never
 * be mined).
 */
import { randomUUID } from 'node:crypto';
import { type Address, type Hex, keccak256 } from 'viem';
import type { ChainClient, ChainReceipt } from './client.js';
import { SubmissionRejectedError } from './errors.js';
import {
  bumpFees,
  capFees,
  DEFAULT_FEE_BUMP_PERCENT,
  type FeeOracle,
  type Fees,
  feeHistoryOracle,
} from './fees.js';
import {
  InMemorySubmissionJournal,
  type JournalAttempt,
  type JournalEntry,
  type SubmissionJournal,
  type TransactionRequest,
} from './journal.js';
import { InMemoryNonceLease, NonceManager, type NonceUse } from './nonce.js';
import {
  isAmbiguousSendFailure,
  isRevert,
  messageOf,
  raceAbort,
  receiptOf,
  revertError,
  withDeadline,
} from './rpc.js';

import type {
  MinedTransaction,
  Submission,
  SubmissionEvent,
  SubmitterOptions,
} from './submission.js';

type Broadcast = 'accepted' | 'uncertain' | { error: unknown; nonceUsed: boolean };

interface InFlight extends Submission {
  entry: JournalEntry;
  lastSentAt: number;
  uncertain: boolean;
  foreignStrikes: number;
  resolve(mined: MinedTransaction): void;
  reject(error: unknown): void;
}

/** Raised inside a nonce use when another process journaled the same key first. */
class KeyTaken extends Error {}

/** Sends transactions of one account; see the module comment for the order of steps. */
export class TransactionSubmitter {
  /** The signing account's address. */
  readonly address: Address;
  private readonly client: ChainClient;
  private readonly journal: SubmissionJournal;
  private readonly fees: FeeOracle;
  private readonly nonces: NonceManager;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly making = new Map<string, Promise<Submission>>();
  private readonly timeout: number;
  private ready: Promise<unknown> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking = false;
  private closed = false;

  constructor(private readonly options: SubmitterOptions) {
    this.client = options.client;
    this.address = options.account.address;
    this.journal = options.journal ?? new InMemorySubmissionJournal();
    this.timeout = options.rpcTimeoutMs ?? 10_000;
    this.fees = options.fees ?? feeHistoryOracle(options.client, { rpcTimeoutMs: this.timeout });
    this.nonces = new NonceManager({
      address: this.address,
      lease: options.lease ?? new InMemoryNonceLease(),
      chainNonce: () =>
        this.rpc('eth_getTransactionCount', () =>
          this.client.getTransactionCount({ address: this.address, blockTag: 'pending' }),
        ).then(BigInt),
    });
  }

  /**
   * Sends `request`, or returns the submission already made under `idempotencyKey` (re-broadcast
   * when not mined). Throws {@link TransactionRevertedError} when estimation reverts,
   * {@link FeeCapExceededError} above the cap, {@link SubmissionRejectedError} when the node
   * refuses the transaction; in all three cases nothing reached the chain.
   */
  async submit(
    request: TransactionRequest,
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<Submission> {
    if (this.closed) throw new Error('the submitter is closed');
    this.ready ??= this.resume();
    await this.ready;
    const key = options.idempotencyKey ?? randomUUID();
    // Concurrent calls with one key in this process share one making; across processes the
    // journal's insert decides (see KeyTaken).
    let making = this.making.get(key);
    if (making === undefined) {
      making = this.make(key, request, options.signal).finally(() => this.making.delete(key));
      this.making.set(key, making);
    }
    return making;
  }

  private async make(
    key: string,
    request: TransactionRequest,
    signal: AbortSignal | undefined,
  ): Promise<Submission> {
    const known = await this.adoptKnown(key);
    if (known !== undefined) return known;

    const gas = request.gas ?? (await this.estimateGas(request));
    const fees = capFees(await this.fees.quote(), this.options.maxFeePerGasCap);
    const sized: TransactionRequest = { ...request, gas };
    try {
      const flight = await this.nonces.withNonce<InFlight>(
        (nonce) => this.sendFirst(key, sized, nonce, fees),
        signal,
      );
      this.track(flight);
      return flight;
    } catch (error) {
      if (!(error instanceof KeyTaken)) throw error;
      return (await this.adoptKnown(key))!;
    }
  }

  /**
   * Re-broadcasts the journal's unmined submissions of this account, unchanged, and watches
   * them again. The first `submit` calls it; call it directly to resume without submitting.
   */
  async resume(): Promise<Submission[]> {
    const entries = await this.journal.unsettled(this.address);
    const resumed: Submission[] = [];
    for (const entry of entries) {
      const flight = this.inFlight.get(entry.key) ?? (await this.rebroadcast(entry));
      resumed.push(flight);
    }
    return resumed;
  }

  /** Stops the background checks; waiting `mined()` calls reject. Submissions stay journaled. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const flight of this.inFlight.values())
      flight.reject(new Error('the submitter is closed'));
    this.inFlight.clear();
  }

  private rpc<T>(method: string, call: () => Promise<T>): Promise<T> {
    return withDeadline(method, this.timeout, call);
  }

  private async estimateGas(request: TransactionRequest): Promise<bigint> {
    try {
      const estimate = await this.rpc('eth_estimateGas', () =>
        this.client.estimateGas({
          account: this.address,
          ...(request.to !== undefined && { to: request.to }),
          ...(request.data !== undefined && { data: request.data }),
          ...(request.value !== undefined && { value: request.value }),
        }),
      );
      return (estimate * BigInt(100 + (this.options.gasHeadroomPercent ?? 20))) / 100n;
    } catch (error) {
      if (isRevert(error)) throw revertError(error, this.options.errorAbi);
      throw error;
    }
  }

  private async sign(
    request: TransactionRequest,
    nonce: bigint,
    fees: Fees,
  ): Promise<JournalAttempt> {
    const raw = await this.options.account.signTransaction({
      type: 'eip1559',
      chainId: this.options.chainId,
      nonce: Number(nonce),
      gas: request.gas!,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      ...(request.to !== undefined && { to: request.to }),
      ...(request.data !== undefined && { data: request.data }),
      ...(request.value !== undefined && { value: request.value }),
    });
    return { hash: keccak256(raw), raw, nonce, ...fees, signedAt: new Date() };
  }

  private async broadcast(attempt: JournalAttempt): Promise<Broadcast> {
    let lastError: unknown;
    // An ambiguous failure (no answer) is retried with the same bytes: sending them twice is
    // harmless ("already known"), and an answer settles whether the node has them.
    for (let retry = 0; retry < 3; retry++) {
      try {
        await this.rpc('eth_sendRawTransaction', () =>
          this.client.sendRawTransaction({ serializedTransaction: attempt.raw }),
        );
        return 'accepted';
      } catch (error) {
        lastError = error;
        const message = messageOf(error);
        if (/already known|known transaction|already imported/i.test(message)) return 'accepted';
        // A real node never executes on send; an automining dev node (Hardhat's EDR by
        // default) mines at once and reports a revert as the send's error although the
        // transaction is mined and its nonce spent.
        if (isRevert(error)) return 'accepted';
        if (/nonce too low|nonce has already been used|underpriced/i.test(message)) {
          // The nonce is spent or taken in the pool, possibly by these very bytes: an earlier
          // send whose answer was lost may have been mined since. Only a stranger's
          // transaction makes this a rejection; mistaking ours for one would send twice.
          const ours = await this.known(attempt.hash).catch(() => undefined);
          if (ours === undefined) return 'uncertain';
          return ours ? 'accepted' : { error, nonceUsed: true };
        }
        if (!isAmbiguousSendFailure(error)) return { error, nonceUsed: false };
      }
    }
    this.emit({ type: 'error', error: lastError });
    return 'uncertain';
  }

  /** Whether the node knows the transaction (in its pool or in a block). */
  private async known(hash: Hex): Promise<boolean> {
    try {
      await this.rpc('eth_getTransactionByHash', () => this.client.getTransaction({ hash }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'TransactionNotFoundError') return false;
      throw error;
    }
  }

  private async sendFirst(
    key: string,
    request: TransactionRequest,
    nonce: bigint,
    fees: Fees,
  ): Promise<NonceUse<InFlight>> {
    const attempt = await this.sign(request, nonce, fees);
    const entry: JournalEntry = {
      key,
      from: this.address,
      request,
      attempts: [attempt],
      state: 'pending',
    };
    if (!(await this.journal.create(entry))) return { consumed: false, error: new KeyTaken() };
    const sent = await this.broadcast(attempt);
    if (typeof sent === 'object') {
      await this.journal.settle(key, 'rejected');
      return {
        consumed: false,
        resync: sent.nonceUsed,
        error: new SubmissionRejectedError(messageOf(sent.error), { cause: sent.error }),
      };
    }
    // 'uncertain' counts as consumed: if the node never got it, the checks re-broadcast it,
    // which fills the nonce with this submission itself rather than leaving a gap.
    this.emit({ type: 'sent', key, hash: attempt.hash, nonce });
    return { consumed: true, value: this.flight(entry, sent === 'uncertain') };
  }

  private flight(entry: JournalEntry, uncertain: boolean): InFlight {
    let resolve!: (mined: MinedTransaction) => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<MinedTransaction>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => {}); // observed through mined(); an unobserved close is not an error
    const last = () => entry.attempts.at(-1)!;
    return {
      entry,
      key: entry.key,
      from: entry.from,
      get nonce() {
        return last().nonce;
      },
      get hash() {
        return last().hash;
      },
      get hashes() {
        return entry.attempts.map((a) => a.hash);
      },
      lastSentAt: Date.now(),
      uncertain,
      foreignStrikes: 0,
      resolve,
      reject,
      mined: (signal) => raceAbort(done, signal),
    };
  }

  /** The submission of a key already journaled: mined, or pending (then watched again). */
  private async adoptKnown(key: string): Promise<Submission | undefined> {
    const current = this.inFlight.get(key);
    if (current !== undefined) return current;
    const entry = await this.journal.get(key);
    if (entry === undefined || entry.state === 'rejected') return undefined;
    if (entry.state === 'pending') return this.rebroadcast(entry);
    const flight = this.flight(entry, false);
    const receipt = await this.receipt(entry.minedHash!);
    if (receipt !== undefined) flight.resolve(minedOf(receipt, entry));
    else this.track(flight); // mined once, gone now (a reorg): watch it again
    return flight;
  }

  private async rebroadcast(entry: JournalEntry): Promise<InFlight> {
    const current = this.inFlight.get(entry.key);
    if (current !== undefined) return current;
    const flight = this.flight(entry, false);
    const nonce = flight.nonce;
    let anyAccepted = false;
    // Newest first: the newest pays the most and is the one the node would keep.
    for (const attempt of [...entry.attempts].reverse()) {
      if (attempt.nonce !== nonce) continue;
      const sent = await this.broadcast(attempt);
      if (sent === 'accepted') {
        anyAccepted = true;
        this.emit({ type: 'rebroadcast', key: entry.key, hash: attempt.hash });
        break;
      }
    }
    // Nothing taken (fees now too low, or the nonce is spent): let the next check decide at
    // once between "mined", "replace" and "re-nonce".
    if (!anyAccepted) flight.lastSentAt = 0;
    this.track(flight);
    return flight;
  }

  private track(flight: InFlight): void {
    this.inFlight.set(flight.key, flight);
    if (this.timer === undefined && !this.ticking && !this.closed) this.schedule();
    // A node that mines at once (or fast blocks) has the receipt already: look for it now
    // rather than a whole poll interval later, which would cap throughput at concurrency/poll.
    void this.settleIfMined(flight).catch((error: unknown) =>
      this.emit({ type: 'error', key: flight.key, error }),
    );
  }

  /**
   * Settles `flight` when one of its attempts has a receipt: journal, event, `mined()`. True
   * when it is settled (now, or already by a concurrent check).
   */
  private async settleIfMined(flight: InFlight): Promise<boolean> {
    for (const hash of [...flight.hashes].reverse()) {
      const receipt = await this.receipt(hash);
      if (receipt === undefined) continue;
      if (this.inFlight.get(flight.key) !== flight) return true;
      this.inFlight.delete(flight.key);
      await this.journal.settle(flight.key, 'mined', hash);
      flight.entry.state = 'mined';
      this.emit({ type: 'mined', key: flight.key, hash, blockNumber: receipt.blockNumber });
      flight.resolve(minedOf(receipt, flight.entry));
      return true;
    }
    return false;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, this.options.pollIntervalMs ?? 1_000);
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    try {
      const latest = BigInt(
        await this.rpc('eth_getTransactionCount', () =>
          this.client.getTransactionCount({ address: this.address, blockTag: 'latest' }),
        ),
      );
      await Promise.all([...this.inFlight.values()].map((f) => this.check(f, latest)));
    } catch (error) {
      this.emit({ type: 'error', error });
    } finally {
      this.ticking = false;
      if (this.inFlight.size > 0 && !this.closed) this.schedule();
    }
  }

  private async check(flight: InFlight, latest: bigint): Promise<void> {
    try {
      if (flight.nonce < latest) {
        // The nonce is spent: by one of our attempts, or by a stranger.
        if (await this.settleIfMined(flight)) return;
        // Twice in a row, so that a node lagging behind its peer is not taken for a stranger.
        flight.foreignStrikes += 1;
        if (flight.foreignStrikes >= 2) await this.renonce(flight);
        return;
      }
      flight.foreignStrikes = 0;
      if (flight.uncertain) {
        const sent = await this.broadcast(flight.entry.attempts.at(-1)!);
        if (sent === 'accepted') flight.uncertain = false;
      }
      if (Date.now() - flight.lastSentAt >= (this.options.replaceAfterMs ?? 60_000)) {
        await this.replace(flight);
      }
    } catch (error) {
      this.emit({ type: 'error', key: flight.key, error });
    }
  }

  /** Same nonce, same payload, fees bumped; every earlier attempt stays valid and watched. */
  private async replace(flight: InFlight): Promise<void> {
    const previous = flight.entry.attempts.at(-1)!;
    const fees = bumpFees(
      previous,
      await this.fees.quote(),
      this.options.feeBumpPercent ?? DEFAULT_FEE_BUMP_PERCENT,
      this.options.maxFeePerGasCap,
    );
    flight.lastSentAt = Date.now();
    if (fees === undefined) {
      this.emit({ type: 'replacement-capped', key: flight.key, nonce: flight.nonce });
      return;
    }
    const attempt = await this.sign(flight.entry.request, flight.nonce, fees);
    await this.journal.addAttempt(flight.key, attempt);
    flight.entry.attempts.push(attempt);
    const sent = await this.broadcast(attempt);
    flight.uncertain = sent === 'uncertain';
    if (typeof sent === 'object') this.emit({ type: 'error', key: flight.key, error: sent.error });
    else
      this.emit({
        type: 'replaced',
        key: flight.key,
        hash: attempt.hash,
        nonce: flight.nonce,
        fees,
      });
  }

  /**
   * The nonce went to a transaction that is none of ours, so none of our attempts can ever be
   * mined: sign the same payload with a fresh nonce. This is the one case of re-signing, and
   * it cannot execute the intent twice.
   */
  private async renonce(flight: InFlight): Promise<void> {
    flight.foreignStrikes = 0;
    const fees = capFees(await this.fees.quote(), this.options.maxFeePerGasCap);
    const attempt = await this.nonces.withNonce<JournalAttempt>(async (nonce) => {
      const signed = await this.sign(flight.entry.request, nonce, fees);
      await this.journal.addAttempt(flight.key, signed);
      const sent = await this.broadcast(signed);
      if (typeof sent === 'object') {
        return { consumed: false, resync: sent.nonceUsed, error: sent.error };
      }
      flight.uncertain = sent === 'uncertain';
      return { consumed: true, value: signed };
    });
    flight.entry.attempts.push(attempt);
    flight.lastSentAt = Date.now();
    this.emit({ type: 'renonced', key: flight.key, hash: attempt.hash, nonce: attempt.nonce });
  }

  private receipt(hash: Hex): Promise<ChainReceipt | undefined> {
    return receiptOf(this.client, hash, this.timeout);
  }

  private emit(event: SubmissionEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A listener's failure must not break the checks.
    }
  }
}

function minedOf(receipt: ChainReceipt, entry: JournalEntry): MinedTransaction {
  const attempt = entry.attempts.find((a) => a.hash === receipt.transactionHash);
  return {
    hash: receipt.transactionHash,
    nonce: attempt?.nonce ?? entry.attempts.at(-1)!.nonce,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
    status: receipt.status,
    gasUsed: receipt.gasUsed,
    ...(receipt.contractAddress && { contractAddress: receipt.contractAddress }),
  };
}
