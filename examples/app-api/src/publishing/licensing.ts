/**
 * Licensing of published stories and their scenarios as derivatives (the `mystira.chain.ip.v1`
 * services through `client.ip`):
 *
 *   published story ──(1) RegisterLicenseTerms (preset)──(2) AttachLicenseTerms──▶ license attached
 *   scenario ──(3) MintAndRegisterIpAsset with the story's asset as parent──▶ a derivative, whose
 *   royalty payments reach the story's contributors by the terms (Story's LAP policy).
 *
 * Terms can only be attached to an asset that exists, so (1)+(2) run once the story's
 * registration is confirmed: in the background right after confirmation, and again (idempotent:
 * identical terms answer their id, attached terms answer `confirmed`) from any call that needs
 * them. Every write carries a key derived from the story, so a repeated call is executed once.
 * The chain's transactions are followed to finality before the next step relies on them.
 */
import type { ChainClient, IpAsset, LicenseTermsSpec } from '@mystira/chain-client';
import type {
  LicensePreset,
  Scenario,
  ScenarioRegistration,
  Story,
  StoryLicense,
} from '../domain.ts';
import { fromChainFailure, isChainConflict } from './chain-failures.ts';
import { chainRole } from './chain-requests.ts';
import { ChainRejectedError, NotRegisteredYetError, PublishingError } from './errors.ts';
import type { RegistrationStore } from './registration-store.ts';
import { derivedKey } from './timing.ts';

export interface LicenseChoice {
  preset: LicensePreset;
  /** commercialRemix: the percentage of a derivative's revenue owed to the story. */
  revSharePercent?: number;
}

export interface LicensingConfig {
  /** The ERC-20 commercial terms are denominated in (on Story, WIP). */
  currencyToken: string;
  /** The terms of a story published without a choice. */
  defaultLicense: LicenseChoice;
}

/** An asset's licensing as the chain holds it: terms, parents, children (ids as strings). */
export interface AssetLicensing {
  ipAssetId: string;
  status: string;
  licenseTerms: {
    licenseTermsId: string;
    commercialUse: boolean;
    derivativesAllowed: boolean;
    commercialRevSharePercent: number;
    royaltyPolicy: string;
    mintingFeeWei: string;
    currencyToken: string;
  }[];
  parents: { ipAssetId: string; licenseTermsId: string }[];
  children: { ipAssetId: string; licenseTermsId: string }[];
  childCount: number;
}

/** 404: the story has no scenario with this id. */
export class ScenarioNotFoundError extends PublishingError {
  constructor(storyId: string, scenarioId: string) {
    super(`story ${storyId} has no scenario ${scenarioId}`, {
      statusCode: 404,
      type: 'scenario-not-found',
    });
  }
}

/** 409: the licensing step cannot be taken in the story's current state (message says why). */
export class LicensingStateError extends PublishingError {
  constructor(message: string) {
    super(message, { statusCode: 409, type: 'licensing-state' });
  }
}

/** Chain refusals that say nothing about the terms (see attach). */
const NOT_THE_TERMS = new Set([
  'UNIMPLEMENTED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
]);

/** The content id of a scenario's asset: unique per story, never equal to a story id. */
export function scenarioContentId(storyId: string, scenarioId: string): string {
  return `${storyId}/scenarios/${scenarioId}`;
}

export class Licensing {
  readonly #store: RegistrationStore;
  readonly #chain: ChainClient;
  readonly #config: LicensingConfig;

  constructor(store: RegistrationStore, chain: ChainClient, config: LicensingConfig) {
    this.#store = store;
    this.#chain = chain;
    this.#config = config;
  }

  /** The license a publish records: the request's choice, else the configured default. */
  chosen(choice: LicenseChoice | undefined, now: string): StoryLicense {
    const { preset, revSharePercent } = choice ?? this.#config.defaultLicense;
    return {
      preset,
      ...(preset === 'commercialRemix'
        ? { revSharePercent: revSharePercent ?? this.#config.defaultLicense.revSharePercent ?? 0 }
        : {}),
      state: 'pending',
      updatedAt: now,
    };
  }

  /**
   * Attaches the story's license terms to its asset unless they are attached; resolves with the
   * story as stored. A story published before licensing gets the default terms.
   * @throws NotRegisteredYetError (registration not confirmed), ChainRejectedError (the license
   *   is then recorded `failed`), ChainUnavailableError
   */
  async attach(storyId: string, signal?: AbortSignal): Promise<Story> {
    const story = await this.#store.load(storyId, signal);
    if (story.license?.state === 'attached') return story;
    const ipAssetId = await this.#store.confirmedAsset(
      storyId,
      'license terms are attached once it is confirmed',
      signal,
    );
    const license = story.license ?? this.chosen(undefined, this.#store.now());
    let licenseTermsId: bigint;
    try {
      const terms = await this.#chain.ip.registerLicenseTerms(
        {
          ...this.#termsSpec(license),
          idempotencyKey: derivedKey('license-terms', [storyId, license.preset]),
        },
        { signal },
      );
      await this.#final(terms.status, terms.transactionHash, terms.errorMessage, signal);
      if (terms.licenseTermsId === undefined)
        throw new ChainRejectedError('the chain registered terms without an id', {
          code: 'NO_TERMS_ID',
          statusCode: 502,
        });
      licenseTermsId = terms.licenseTermsId;
      const attached = await this.#chain.ip.attachLicenseTerms(
        {
          ipAssetId,
          licenseTermsId,
          idempotencyKey: derivedKey('license-attach', [storyId, licenseTermsId.toString()]),
        },
        { signal },
      );
      await this.#final(attached.status, attached.transactionHash, attached.errorMessage, signal);
    } catch (error) {
      const mapped =
        error instanceof PublishingError
          ? error
          : fromChainFailure(error, 'attaching the license terms', signal);
      // Only a refusal of the terms themselves fails the license; a chain that does not serve
      // the IP services (yet) or refuses this host is a configuration problem: stays pending.
      if (mapped instanceof ChainRejectedError && !NOT_THE_TERMS.has(mapped.code))
        await this.#writeLicense(
          storyId,
          { ...license, state: 'failed', error: mapped.message },
          signal,
        );
      throw mapped;
    }
    return this.#writeLicense(
      storyId,
      { ...license, state: 'attached', licenseTermsId: licenseTermsId.toString() },
      signal,
    );
  }

  /**
   * Registers a scenario as a derivative of its story's asset under the story's terms (attaching
   * them first if needed). Idempotent: a scenario that is submitted or confirmed is returned as it
   * is; a failed one is registered again with a new key.
   * @throws ScenarioNotFoundError, NotRegisteredYetError, LicensingStateError (terms without
   *   derivatives), ChainRejectedError, ChainUnavailableError
   */
  async registerScenario(
    storyId: string,
    scenarioId: string,
    signal?: AbortSignal,
  ): Promise<ScenarioRegistration> {
    const story = await this.attach(storyId, signal);
    const scenario = scenarioOf(story, scenarioId);
    if (scenario.registration && scenario.registration.state !== 'failed')
      return scenario.registration;
    const license = story.license as StoryLicense;
    if (license.preset === 'commercialUse')
      throw new LicensingStateError(
        `story ${storyId} is licensed for commercial use without derivatives`,
      );
    const parentIpAssetId = story.registration?.ipAssetId as string;
    const licenseTermsId = license.licenseTermsId as string;
    const contentId = scenarioContentId(storyId, scenarioId);
    const key = derivedKey('scenario', [contentId, scenario.registration?.idempotencyKey ?? '']);
    let asset: {
      ipAssetId?: string;
      transactionHash?: string;
      status: string;
      errorMessage?: string;
    };
    try {
      asset = await this.#chain.ip.mintAndRegisterIpAsset(
        {
          contentId,
          ipMetadata: { json: JSON.stringify({ title: scenario.title, story: story.title }) },
          // The scenario's own revenue (after the story's share) goes to the story's contributors.
          royaltyShares: story.contributors.map((c) => ({
            walletAddress: c.walletAddress,
            role: chainRole(c.role),
            shareBasisPoints: c.shareBasisPoints,
          })),
          parents: [{ ipAssetId: parentIpAssetId, licenseTermsId }],
          idempotencyKey: key,
        },
        { signal },
      );
    } catch (error) {
      // Registered before under a key the chain forgot: adopt the asset it holds for the content.
      const mapped = fromChainFailure(error, 'registering the scenario', signal);
      if (!isChainConflict(error)) throw mapped;
      // No asset for the content: the conflict was about something else; report it as it was.
      asset = await this.#chain.ip.getIpAsset({ contentId }, { signal }).catch(() => {
        throw mapped;
      });
    }
    const now = this.#store.now();
    const failed = asset.status === 'failed' || !asset.ipAssetId;
    const registration: ScenarioRegistration = {
      state: failed ? 'failed' : 'submitted',
      idempotencyKey: key,
      parentIpAssetId,
      licenseTermsId,
      ...(asset.ipAssetId ? { ipAssetId: asset.ipAssetId } : {}),
      ...(asset.transactionHash ? { txHash: asset.transactionHash } : {}),
      ...(failed ? { error: asset.errorMessage ?? 'registration failed on chain' } : {}),
      requestedAt: scenario.registration?.requestedAt ?? now,
      updatedAt: now,
    };
    return this.#writeScenario(storyId, scenarioId, registration, signal);
  }

  /**
   * The scenario's registration, brought up to date from the chain while submitted.
   * @throws ScenarioNotFoundError, LicensingStateError (never registered), ChainUnavailableError
   */
  async scenarioRegistration(
    storyId: string,
    scenarioId: string,
    signal?: AbortSignal,
  ): Promise<ScenarioRegistration> {
    const story = await this.#store.load(storyId, signal);
    const registration = scenarioOf(story, scenarioId).registration;
    if (!registration)
      throw new LicensingStateError(`scenario ${scenarioId} has not been registered`);
    if (registration.state !== 'submitted' || !registration.ipAssetId) return registration;
    const asset = await this.#assetOf(
      { ipAssetId: registration.ipAssetId },
      'reading the scenario',
      signal,
    );
    if (asset.status !== 'confirmed' && asset.status !== 'failed') return registration;
    return this.#writeScenario(
      storyId,
      scenarioId,
      {
        ...registration,
        state: asset.status,
        ...(asset.errorMessage ? { error: asset.errorMessage } : {}),
        updatedAt: this.#store.now(),
      },
      signal,
    );
  }

  /** The confirmed asset of a scenario (what a payment needs). @throws as scenarioRegistration */
  async confirmedScenarioAsset(
    storyId: string,
    scenarioId: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const registration = await this.scenarioRegistration(storyId, scenarioId, signal);
    if (registration.state !== 'confirmed' || !registration.ipAssetId)
      throw new NotRegisteredYetError(
        scenarioContentId(storyId, scenarioId),
        registration.state,
        'royalties are paid once it is confirmed',
      );
    return registration.ipAssetId;
  }

  /** An asset's terms, parents and children as the chain holds them now. */
  async assetLicensing(ipAssetId: string, signal?: AbortSignal): Promise<AssetLicensing> {
    const asset = await this.#assetOf({ ipAssetId }, 'reading the asset', signal);
    const link = (l: { ipAssetId: string; licenseTermsId: bigint }) => ({
      ipAssetId: l.ipAssetId,
      licenseTermsId: l.licenseTermsId.toString(),
    });
    return {
      ipAssetId,
      status: asset.status,
      licenseTerms: asset.licenseTerms.map(({ licenseTermsId, terms }) => ({
        licenseTermsId: licenseTermsId.toString(),
        commercialUse: terms.commercialUse,
        derivativesAllowed: terms.derivativesAllowed,
        commercialRevSharePercent: terms.commercialRevShareMicroPercent / 1_000_000,
        royaltyPolicy: terms.royaltyPolicy,
        mintingFeeWei: terms.mintingFeeWei.toString(),
        currencyToken: terms.currencyToken,
      })),
      parents: asset.parents.map(link),
      children: asset.children.map(link),
      childCount: asset.childCount,
    };
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────

  #termsSpec(license: StoryLicense): LicenseTermsSpec {
    const currencyToken = this.#config.currencyToken;
    switch (license.preset) {
      case 'nonCommercialSocialRemixing':
        return { preset: 'nonCommercialSocialRemixing' };
      case 'commercialUse':
        return { preset: 'commercialUse', currencyToken };
      case 'commercialRemix':
        return {
          preset: 'commercialRemix',
          currencyToken,
          // Percent to Story PIL's millionths of a percent.
          commercialRevShareMicroPercent: Math.round((license.revSharePercent ?? 0) * 1_000_000),
        };
    }
  }

  /** Follows a write's transaction until it is final; a failure is the chain's refusal. */
  async #final(
    status: string,
    txHash: string | undefined,
    errorMessage: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let last = status;
    if (status !== 'failed' && txHash) {
      for await (const change of this.#chain.watchTransactions([txHash], { signal })) {
        last = change.status;
        if (last === 'failed') break;
      }
    }
    if (last === 'failed')
      throw new ChainRejectedError(`licensing failed on chain: ${errorMessage ?? ''}`, {
        code: 'LICENSING_FAILED',
        statusCode: 422,
      });
  }

  async #assetOf(
    ref: { ipAssetId: string } | { contentId: string },
    action: string,
    signal: AbortSignal | undefined,
  ): Promise<IpAsset> {
    try {
      return await this.#chain.ip.getIpAsset(ref, { signal });
    } catch (error) {
      throw fromChainFailure(error, action, signal);
    }
  }

  #writeLicense(storyId: string, license: StoryLicense, signal?: AbortSignal): Promise<Story> {
    return this.#store.retryOnConflict(async () => {
      const story = await this.#store.load(storyId, signal);
      if (story.license?.state === 'attached') return story;
      const now = this.#store.now();
      return this.#store.write(
        { ...story, license: { ...license, updatedAt: now }, updatedAt: now },
        story,
        signal,
      );
    });
  }

  #writeScenario(
    storyId: string,
    scenarioId: string,
    registration: ScenarioRegistration,
    signal?: AbortSignal,
  ): Promise<ScenarioRegistration> {
    return this.#store.retryOnConflict(async () => {
      const story = await this.#store.load(storyId, signal);
      scenarioOf(story, scenarioId);
      const scenarios = story.scenarios.map((s) =>
        s.id === scenarioId ? { ...s, registration } : s,
      );
      await this.#store.write({ ...story, scenarios, updatedAt: this.#store.now() }, story, signal);
      return registration;
    });
  }
}

function scenarioOf(story: Story, scenarioId: string): Scenario {
  const scenario = story.scenarios.find((s) => s.id === scenarioId);
  if (!scenario) throw new ScenarioNotFoundError(story.id, scenarioId);
  return scenario;
}
