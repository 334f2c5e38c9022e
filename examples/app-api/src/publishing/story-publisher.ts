/**
 * "Publish a story": register it on the Chain service as an IP asset, record the registration on
 * the story, follow the transaction until it is final, then pay and claim royalties.
 *
 * Crash safety comes from the order of the steps, each of them a single optimistic-concurrency
 * write of the story (its version is checked, so two writers never both win):
 *
 *   draft ──(1) write pending + idempotency key──▶ pending ──(2) RegisterIpAsset with that key──▶
 *   chain acknowledged ──(3) write ipAssetId, txHash──▶ submitted ──(4) WatchTransactions──▶
 *   confirmed | failed
 *
 * The key is written BEFORE the chain is called and reused by every later attempt, so a crash or
 * an outage anywhere between (1) and (3) leaves a `pending` story whose next `publish` sends the
 * very same request: the Chain service either replays its first answer (same key) or, if it has
 * forgotten the key (a restarted server with an in-memory idempotency store), refuses a second
 * registration of the same content (ALREADY_EXISTS), and the publisher adopts the asset the chain
 * already holds for the story. Either way the chain ends up with exactly one asset per story.
 *
 * Which chain refusals mark the registration `failed` (so the next publish starts over with a new
 * key) and which leave it `pending`:
 * - INVALID_ARGUMENT: the story's content itself was refused (a wallet, a share, the title);
 *   resending it cannot succeed, so the registration is marked failed and the story stays a draft
 *   the author can fix. (Most such problems are caught before step 1 and never get that far.)
 * - ALREADY_EXISTS with no live asset for the story (the key was used for a different request):
 *   the key is spent, so the registration is marked failed.
 * - everything else (UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED, NOT_FOUND): a problem of
 *   this service's configuration or of the chain, not of the story: it stays pending, and a retry
 *   after the fix completes it with the same key.
 * - unavailability (UNAVAILABLE, DEADLINE_EXCEEDED, an open breaker, server faults): pending,
 *   ChainUnavailableError (retryable).
 * A transaction that fails on chain marks the registration failed and returns the story to draft.
 */
import { type ChainClient, uuidv7 } from '@mystira/chain-client';
import type { Repository } from '@mystira/repository';
import { spec } from '@mystira/specification';
import type {
  Account,
  ScenarioRegistration,
  Story,
  StoryContributor,
  StoryRegistration,
} from '../domain.ts';
import {
  errorMessage,
  fromChainFailure,
  isChainConflict,
  isChainNotFound,
  isContentRejection,
  isTransient,
} from './chain-failures.ts';
import { registerRequest, registrationProblems } from './chain-requests.ts';
import {
  ChainUnavailableError,
  NotRegisteredYetError,
  StoryNotPublishableError,
} from './errors.ts';
import {
  type AssetLicensing,
  type LicenseChoice,
  Licensing,
  type LicensingConfig,
  scenarioContentId,
} from './licensing.ts';
import { DEFAULT_LICENSING } from './licensing-config.ts';
import { NOOP_LOGGER, type PublisherLogger } from './logging.ts';
import { RegistrationFollower } from './registration-follower.ts';
import { RegistrationStore } from './registration-store.ts';
import {
  Royalties,
  type RoyaltyClaimReceipt,
  type RoyaltyPaymentReceipt,
  type RoyaltyPaymentRequest,
  type StoryRoyalties,
} from './royalties.ts';
import { abortableDelay, backoffMs } from './timing.ts';

export interface StoryPublisherDeps {
  stories: Repository<Story>;
  accounts: Repository<Account>;
  chain: ChainClient;
  log?: PublisherLogger;
  /** The clock of the timestamps written on stories. Default: the system clock. */
  now?: () => Date;
  /** Backoff of the background work (following, completing pending stories) while the chain is down. */
  background?: { initialDelayMs?: number; maxDelayMs?: number };
  /** License terms of published stories. Default: Commercial Remix, 10 %, in Story's WIP. */
  licensing?: LicensingConfig;
}

export interface PublisherCallOptions {
  signal?: AbortSignal;
}

export interface PublishOptions extends PublisherCallOptions {
  /** The story's license terms; the configured default when omitted. */
  license?: LicenseChoice;
}

export class StoryPublisher {
  readonly #store: RegistrationStore;
  readonly #royalties: Royalties;
  readonly #licensing: Licensing;
  readonly #accounts: Repository<Account>;
  readonly #chain: ChainClient;
  readonly #follower: RegistrationFollower;
  readonly #log: PublisherLogger;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  /** Set between start() and stop(): aborting it ends every background task. */
  #lifetime: AbortController | undefined;
  #resuming: Promise<void> | undefined;
  /** Background work per story id (completing a pending registration, following its transaction). */
  readonly #tasks = new Map<string, Promise<void>>();

  constructor(deps: StoryPublisherDeps) {
    this.#store = new RegistrationStore(deps.stories, deps.now ?? (() => new Date()));
    this.#royalties = new Royalties(this.#store, deps.chain);
    this.#licensing = new Licensing(this.#store, deps.chain, deps.licensing ?? DEFAULT_LICENSING);
    this.#accounts = deps.accounts;
    this.#chain = deps.chain;
    this.#log = deps.log ?? NOOP_LOGGER;
    this.#initialDelayMs = deps.background?.initialDelayMs ?? 250;
    this.#maxDelayMs = deps.background?.maxDelayMs ?? 10_000;
    this.#follower = new RegistrationFollower(this.#store, deps.chain, {
      log: this.#log,
      initialDelayMs: this.#initialDelayMs,
      maxDelayMs: this.#maxDelayMs,
    });
  }

  /**
   * Registers the story on the chain; idempotent. A draft (or a story whose registration failed)
   * is marked pending with a new idempotency key and registered; a pending story is completed
   * with its own key; a submitted or confirmed story is returned unchanged.
   * Resolves with the story as stored (registration `submitted`, or unchanged).
   *
   * @throws StoryNotFoundError, StoryNotPublishableError (nothing written),
   *   ChainUnavailableError (story left pending; retry), ChainRejectedError (see the module note),
   *   ConcurrencyError (from @mystira/repository) when the story kept changing under us.
   */
  async publish(storyId: string, options: PublishOptions = {}): Promise<Story> {
    const { signal } = options;
    signal?.throwIfAborted();
    const story = await this.#markPending(storyId, signal, options.license);
    if (story.registration?.state !== 'pending') return story;
    try {
      return await this.#register(story, signal);
    } catch (error) {
      // Self-healing while the background loop runs: a story left pending by an outage (of the
      // chain, or of the store before the answer was recorded) is completed as soon as it is
      // over, even if nobody calls publish again.
      if (isTransient(error) && !signal?.aborted) this.#completeInBackground(storyId);
      throw error;
    }
  }

  /**
   * The story's registration, brought up to date from the chain when it is `submitted`
   * (confirmed, failed, or still waiting with its confirmations). When the chain cannot be
   * reached, the stored registration is returned as it is (logged): a read should not fail
   * because the chain is down.
   *
   * @throws StoryNotFoundError, NotRegisteredYetError (never published)
   */
  async refreshRegistration(
    storyId: string,
    options: PublisherCallOptions = {},
  ): Promise<StoryRegistration> {
    const { signal } = options;
    const story = await this.#store.load(storyId, signal);
    const registration = story.registration;
    if (!registration) throw new NotRegisteredYetError(storyId, undefined, '');
    if (registration.state !== 'submitted' || !registration.txHash) return registration;
    return this.#follower.refresh(storyId, registration, signal);
  }

  /**
   * Pays royalties into the story's IP asset; the chain splits them by the contributors' shares.
   *
   * @throws InvalidRoyaltyRequestError (amount not a positive decimal wei string below 2^256,
   *   payer reference or key malformed), StoryNotFoundError, NotRegisteredYetError (registration
   *   not confirmed), ChainUnavailableError, ChainRejectedError
   */
  payRoyalties(
    storyId: string,
    request: RoyaltyPaymentRequest,
    options: PublisherCallOptions = {},
  ): Promise<RoyaltyPaymentReceipt> {
    return this.#royalties.pay(storyId, request, options);
  }

  /**
   * The story's royalty split as the chain holds it, and what each recipient can claim now.
   *
   * @throws StoryNotFoundError, NotRegisteredYetError (no IP asset yet), ChainUnavailableError,
   *   ChainRejectedError
   */
  royalties(storyId: string, options: PublisherCallOptions = {}): Promise<StoryRoyalties> {
    return this.#royalties.read(storyId, options);
  }

  /**
   * Claims everything `walletAddress` can claim from the story's IP asset (native currency).
   *
   * @throws InvalidRoyaltyRequestError (bad wallet), StoryNotFoundError, NotRegisteredYetError,
   *   ChainRejectedError (FAILED_PRECONDITION when there is nothing to claim), ChainUnavailableError
   */
  claim(
    storyId: string,
    request: { walletAddress: string },
    options: PublisherCallOptions = {},
  ): Promise<RoyaltyClaimReceipt> {
    return this.#royalties.claim(storyId, request, options);
  }

  /**
   * Attaches the story's license terms (if not yet) and resolves with the story.
   * @throws NotRegisteredYetError (not confirmed), ChainRejectedError, ChainUnavailableError
   */
  attachLicense(storyId: string, options: PublisherCallOptions = {}): Promise<Story> {
    return this.#licensing.attach(storyId, options.signal);
  }

  /**
   * Registers a scenario as a derivative of the story's asset (see licensing.ts).
   * @throws ScenarioNotFoundError, NotRegisteredYetError, LicensingStateError,
   *   ChainRejectedError, ChainUnavailableError
   */
  registerScenario(
    storyId: string,
    scenarioId: string,
    options: PublisherCallOptions = {},
  ): Promise<ScenarioRegistration> {
    return this.#licensing.registerScenario(storyId, scenarioId, options.signal);
  }

  /** A scenario's registration, refreshed while submitted. */
  scenarioRegistration(
    storyId: string,
    scenarioId: string,
    options: PublisherCallOptions = {},
  ): Promise<ScenarioRegistration> {
    return this.#licensing.scenarioRegistration(storyId, scenarioId, options.signal);
  }

  /** The license terms, parents and children of the story's (or one of its scenarios') asset. */
  async assetLicensing(
    storyId: string,
    scenarioId: string | undefined,
    options: PublisherCallOptions = {},
  ): Promise<AssetLicensing> {
    const { signal } = options;
    const ipAssetId = scenarioId
      ? (await this.#licensing.scenarioRegistration(storyId, scenarioId, signal)).ipAssetId
      : (await this.#store.load(storyId, signal)).registration?.ipAssetId;
    if (!ipAssetId) throw new NotRegisteredYetError(storyId, undefined, '');
    return this.#licensing.assetLicensing(ipAssetId, signal);
  }

  /** Pays royalties into a scenario's asset; part of it reaches the story by its terms. */
  payScenarioRoyalties(
    storyId: string,
    scenarioId: string,
    request: RoyaltyPaymentRequest,
    options: PublisherCallOptions = {},
  ): Promise<RoyaltyPaymentReceipt> {
    return this.#royalties.pay(storyId, request, options, {
      scope: scenarioContentId(storyId, scenarioId),
      ipAssetId: () => this.#licensing.confirmedScenarioAsset(storyId, scenarioId, options.signal),
    });
  }

  /**
   * Starts the background work: every story whose registration is pending or submitted (found
   * with a specification query through the repository) is completed and followed until final;
   * so is every story published from now on. Safe to call again.
   */
  start(): void {
    if (this.#lifetime) return;
    const lifetime = new AbortController();
    this.#lifetime = lifetime;
    this.#resuming = this.#resume(lifetime.signal).catch((error: unknown) => {
      if (!lifetime.signal.aborted) {
        this.#log.error({ err: errorMessage(error) }, 'resuming registrations failed');
      }
    });
  }

  /** Stops the background work and waits for it to end (stories stay as stored; start() resumes them). */
  async stop(): Promise<void> {
    const lifetime = this.#lifetime;
    if (!lifetime) return;
    this.#lifetime = undefined;
    lifetime.abort(new Error('publisher stopped'));
    await this.#resuming;
    await Promise.allSettled([...this.#tasks.values()]);
  }

  // ── steps ─────────────────────────────────────────────────────────────────────────────────

  /** Step 1: the story as pending with its idempotency key (or as it is, when already further). */
  async #markPending(
    storyId: string,
    signal: AbortSignal | undefined,
    license?: LicenseChoice,
  ): Promise<Story> {
    // A lost version race means somebody else wrote the story: look at it again.
    return this.#store.retryOnConflict(async () => {
      const story = await this.#store.load(storyId, signal);
      const state = story.registration?.state;
      if (state === 'pending' || state === 'submitted' || state === 'confirmed') return story;
      if (story.status !== 'draft') {
        throw new StoryNotPublishableError(
          storyId,
          `story ${storyId} is ${story.status}, not a draft`,
        );
      }
      const contributors = await this.#currentWallets(story, signal);
      const candidate = { ...story, contributors };
      const problems = registrationProblems(candidate);
      if (problems.length > 0) {
        throw new StoryNotPublishableError(
          storyId,
          `story ${storyId} cannot be registered: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
          problems,
        );
      }
      const now = this.#store.now();
      const pending: Story = {
        ...candidate,
        // The terms are chosen now and attached once the asset exists (see licensing.ts).
        license: this.#licensing.chosen(license, now),
        updatedAt: now,
        registration: {
          state: 'pending',
          idempotencyKey: uuidv7(),
          requestedAt: now,
          updatedAt: now,
        },
      };
      return this.#store.write(pending, story, signal);
    });
  }

  /** Steps 2 and 3: RegisterIpAsset with the pending key, then record the chain's answer. */
  async #register(story: Story, signal: AbortSignal | undefined): Promise<Story> {
    const registration = story.registration as StoryRegistration;
    const key = registration.idempotencyKey;
    let asset: { ipAssetId: string; txHash: string };
    try {
      const answer = await this.#chain.registerIpAsset(registerRequest(story, key), { signal });
      if (answer.status === 'failed') {
        const failed = await this.#fail(
          story.id,
          key,
          answer.errorMessage ?? 'registration failed on chain',
          signal,
        );
        return failed ?? (await this.#store.load(story.id, signal));
      }
      if (!answer.ipAssetId || !answer.registrationTxHash) {
        throw new ChainUnavailableError(
          'the Chain service acknowledged the registration without an asset id or transaction',
        );
      }
      asset = { ipAssetId: answer.ipAssetId, txHash: answer.registrationTxHash };
    } catch (error) {
      if (error instanceof ChainUnavailableError) throw error;
      if (signal?.aborted) throw signal.reason;
      if (isChainConflict(error)) {
        // Either our earlier attempt registered the story and the server forgot the key, or the
        // key met a different request. The chain's record for the story tells which.
        const existing = await this.#liveAsset(story.id, signal);
        if (existing) {
          this.#log.info(
            { storyId: story.id, ipAssetId: existing.ipAssetId },
            'adopting the asset already registered for the story',
          );
          asset = existing;
        } else {
          const mapped = fromChainFailure(error, 'registering the story', signal);
          await this.#fail(story.id, key, mapped.message, signal);
          throw mapped;
        }
      } else {
        const mapped = fromChainFailure(error, 'registering the story', signal);
        if (isContentRejection(error)) await this.#fail(story.id, key, mapped.message, signal);
        throw mapped;
      }
    }
    const submitted = await this.#store.advance(
      story.id,
      {
        expectKey: key,
        expectState: 'pending',
        registration: { state: 'submitted', ipAssetId: asset.ipAssetId, txHash: asset.txHash },
        status: 'published',
      },
      signal,
    );
    // Another publish of the same story may have recorded the (same) answer first.
    const stored = submitted ?? (await this.#store.load(story.id, signal));
    this.#followInBackground(stored);
    return stored;
  }

  /** The chain's asset for this content, unless there is none or it failed. */
  async #liveAsset(
    contentId: string,
    signal: AbortSignal | undefined,
  ): Promise<{ ipAssetId: string; txHash: string } | undefined> {
    try {
      const status = await this.#chain.getIpAssetStatus(contentId, { signal });
      if (status.status === 'failed' || !status.ipAssetId || !status.transactionHash)
        return undefined;
      return { ipAssetId: status.ipAssetId, txHash: status.transactionHash };
    } catch (error) {
      if (isChainNotFound(error)) return undefined;
      throw fromChainFailure(error, 'looking up the story on the chain', signal);
    }
  }

  /** Marks the registration with `key` failed; the story stays (or goes back to) draft. */
  #fail(storyId: string, key: string, message: string, signal: AbortSignal | undefined) {
    return this.#store.advance(
      storyId,
      {
        expectKey: key,
        expectState: 'pending',
        registration: { state: 'failed', error: message },
        status: 'draft',
      },
      signal,
    );
  }

  // ── background work ───────────────────────────────────────────────────────────────────────

  async #resume(signal: AbortSignal): Promise<void> {
    const unfinished = spec<Story>().where((w) =>
      w.in('registration.state', ['pending', 'submitted']),
    );
    let count = 0;
    for await (const story of this.#store.stories.stream(unfinished, { signal })) {
      count++;
      if (story.registration?.state === 'submitted') this.#followInBackground(story);
      else this.#completeInBackground(story.id);
    }
    this.#log.info({ count }, 'resumed unfinished registrations');
  }

  /** Runs `task` for the story unless one is already running for it (one task per story). */
  #track(storyId: string, task: (signal: AbortSignal) => Promise<void>): void {
    const lifetime = this.#lifetime;
    if (!lifetime || this.#tasks.has(storyId)) return;
    const running = task(lifetime.signal)
      .catch((error: unknown) => {
        if (!lifetime.signal.aborted) {
          this.#log.error(
            { storyId, err: errorMessage(error) },
            'registration background task failed',
          );
        }
      })
      .finally(() => {
        if (this.#tasks.get(storyId) === running) this.#tasks.delete(storyId);
      });
    this.#tasks.set(storyId, running);
  }

  #followInBackground(story: Story): void {
    const registration = story.registration;
    if (registration?.state !== 'submitted' || !registration.txHash) return;
    this.#track(story.id, async (signal) => {
      await this.#follower.follow(story.id, registration, signal);
      await this.#attachAfterConfirmation(story.id, signal);
    });
  }

  /** Retries a pending story's registration until the chain takes it, then follows it. */
  #completeInBackground(storyId: string): void {
    this.#track(storyId, async (signal) => {
      for (let failures = 1; !signal.aborted; failures++) {
        try {
          const story = await this.#markPending(storyId, signal);
          const registered =
            story.registration?.state === 'pending' ? await this.#register(story, signal) : story;
          const registration = registered.registration;
          if (registration?.state === 'submitted') {
            await this.#follower.follow(storyId, registration, signal);
            await this.#attachAfterConfirmation(storyId, signal);
          }
          return;
        } catch (error) {
          if (signal.aborted || !isTransient(error)) throw error;
          await abortableDelay(backoffMs(failures, this.#initialDelayMs, this.#maxDelayMs), signal);
        }
      }
    });
  }

  /**
   * Attaches the license once the registration is confirmed. Best effort: a story without its
   * terms yet is still published; the next licensing call (a read, a scenario's registration)
   * attaches them, and a chain without the IP services leaves the license pending.
   */
  async #attachAfterConfirmation(storyId: string, signal: AbortSignal): Promise<void> {
    try {
      const story = await this.#store.load(storyId, signal);
      if (story.registration?.state === 'confirmed') await this.#licensing.attach(storyId, signal);
    } catch (error) {
      if (!signal.aborted)
        this.#log.warn(
          { storyId, err: errorMessage(error) },
          'license terms not attached yet; the next licensing call retries',
        );
    }
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────

  /**
   * The contributors with their accounts' current wallets: royalties go where the account says
   * now, not where it said when the story was created. A contributor whose account is gone keeps
   * the wallet the story recorded.
   */
  async #currentWallets(
    story: Story,
    signal: AbortSignal | undefined,
  ): Promise<StoryContributor[]> {
    const ids = [...new Set(story.contributors.map((c) => c.accountId))];
    if (ids.length === 0) return story.contributors;
    const accounts = await this.#accounts.getMany(ids, { signal });
    const wallets = new Map(accounts.map((a) => [a.id, a.walletAddress]));
    return story.contributors.map((c) => ({
      ...c,
      walletAddress: wallets.get(c.accountId) ?? c.walletAddress,
    }));
  }
}
