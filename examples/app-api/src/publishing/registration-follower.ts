/**
 * Step 4 of publishing: a submitted registration followed to its end. WatchTransactions (the
 * chain client's resumable watch, which resubscribes by itself across dropped connections)
 * reports the transaction's block and confirmations, written to the story as they change; when
 * the stream ends the transaction is final and the registration becomes confirmed (or failed, and
 * the story goes back to draft). `refresh` asks the chain once instead of following.
 */
import type { ChainClient, TransactionStatusChange } from '@mystira/chain-client';
import type { Story, StoryRegistration } from '../domain.ts';
import { errorMessage, fromChainFailure, isChainNotFound, isTransient } from './chain-failures.ts';
import { ChainUnavailableError } from './errors.ts';
import type { PublisherLogger } from './logging.ts';
import type { RegistrationStore } from './registration-store.ts';
import { abortableDelay, backoffMs } from './timing.ts';

export interface FollowerOptions {
  log: PublisherLogger;
  /** Backoff before the watch is opened again after it gave up (a long outage). */
  initialDelayMs: number;
  maxDelayMs: number;
}

export class RegistrationFollower {
  readonly #store: RegistrationStore;
  readonly #chain: ChainClient;
  readonly #log: PublisherLogger;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;

  constructor(store: RegistrationStore, chain: ChainClient, options: FollowerOptions) {
    this.#store = store;
    this.#chain = chain;
    this.#log = options.log;
    this.#initialDelayMs = options.initialDelayMs;
    this.#maxDelayMs = options.maxDelayMs;
  }

  /**
   * Follows the transaction through WatchTransactions (which resumes across dropped connections
   * by itself) until it is final, recording confirmations on the way. When the watch gives up
   * (a long outage), it is opened again after a backoff, for as long as the publisher runs.
   */
  async follow(
    storyId: string,
    registration: StoryRegistration,
    signal: AbortSignal,
  ): Promise<void> {
    const txHash = registration.txHash as string;
    let seen = registration;
    for (let failures = 0; !signal.aborted; ) {
      try {
        let last: TransactionStatusChange | undefined;
        for await (const change of this.#chain.watchTransactions([txHash], { signal })) {
          failures = 0;
          last = change;
          if (change.status === 'failed') break;
          const stored = await this.#apply(storyId, seen, 'submitted', change, undefined, signal);
          if (stored?.registration) seen = stored.registration;
        }
        // The stream ends once the transaction is final (or we broke out on a failure).
        if (last?.status === 'failed') {
          await this.#apply(
            storyId,
            seen,
            'failed',
            last,
            last.errorMessage ?? 'transaction failed on chain',
            signal,
          );
        } else if (last?.status === 'confirmed') {
          await this.#apply(storyId, seen, 'confirmed', last, undefined, signal);
        } else if ((await this.refresh(storyId, seen, signal)).state === 'submitted') {
          // The stream ended without a final state (or the chain could not say): watch again.
          throw new ChainUnavailableError(
            'the transaction watch ended before the transaction was final',
          );
        }
        this.#log.info({ storyId, txHash, status: last?.status }, 'registration transaction final');
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (!isTransient(error)) {
          // e.g. NOT_FOUND (the chain does not know the transaction) or the story is gone:
          // retrying cannot help; the story keeps its stored state for refreshRegistration.
          this.#log.error(
            { storyId, txHash, err: errorMessage(error) },
            'stopped following the registration',
          );
          return;
        }
        failures++;
        this.#log.warn(
          { storyId, txHash, err: errorMessage(error), failures },
          'following the registration again after a backoff',
        );
        await abortableDelay(
          backoffMs(failures, this.#initialDelayMs, this.#maxDelayMs),
          signal,
        ).catch(() => {});
      }
    }
  }

  /**
   * The registration brought up to date from the chain: the asset's status says whether it is
   * final, the transaction's current state gives block and confirmations. When the chain cannot
   * be reached (or does not know the asset), the registration is returned as it was (logged).
   */
  async refresh(
    storyId: string,
    registration: StoryRegistration,
    signal: AbortSignal | undefined,
  ): Promise<StoryRegistration> {
    if (registration.state !== 'submitted' || !registration.txHash) return registration;
    try {
      const status = await this.#chain.getIpAssetStatus(storyId, { signal });
      const latest = await this.#peek(registration.txHash, signal);
      const state =
        status.status === 'registered'
          ? 'confirmed'
          : status.status === 'failed' || latest?.status === 'failed'
            ? 'failed'
            : 'submitted';
      const updated = await this.#apply(
        storyId,
        registration,
        state,
        latest,
        state === 'failed' ? (latest?.errorMessage ?? 'registration failed on chain') : undefined,
        signal,
      );
      // undefined: nothing new, or another writer moved the registration on first.
      return (updated ?? (await this.#store.load(storyId, signal))).registration ?? registration;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const mapped = fromChainFailure(error, 'refreshing the registration');
      if (!(mapped instanceof ChainUnavailableError) && !isChainNotFound(error)) throw mapped;
      this.#log.warn(
        { storyId, err: mapped.message },
        'registration not refreshed: chain unavailable',
      );
      return registration;
    }
  }

  /** Step 4's write: the transaction's latest state on a submitted registration. */
  async #apply(
    storyId: string,
    seen: StoryRegistration,
    state: 'submitted' | 'confirmed' | 'failed',
    change: TransactionStatusChange | undefined,
    error: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Story | undefined> {
    const blockNumber = change?.blockNumber?.toString() ?? seen.blockNumber;
    const confirmations = change === undefined ? seen.confirmations : Number(change.confirmations);
    if (
      state === 'submitted' &&
      blockNumber === seen.blockNumber &&
      confirmations === seen.confirmations
    ) {
      return undefined; // nothing new: no write
    }
    return this.#store.advance(
      storyId,
      {
        expectKey: seen.idempotencyKey,
        expectState: 'submitted',
        registration: { state, blockNumber, confirmations, error },
        ...(state === 'failed' ? { status: 'draft' as const } : {}),
      },
      signal,
    );
  }

  /** The transaction's current state: the first report of a fresh WatchTransactions stream. */
  async #peek(
    txHash: string,
    signal: AbortSignal | undefined,
  ): Promise<TransactionStatusChange | undefined> {
    for await (const change of this.#chain.watchTransactions([txHash], {
      signal,
      maxReconnects: 0,
    })) {
      return change;
    }
    return undefined;
  }
}
