/**
 * What the HTTP layer needs from the publishing service (src/publishing, the contract's
 * `StoryPublisher`). Routes depend on this interface only, so they can be read and tested without
 * the chain, and the service behind it can change.
 */
import type { LicensePreset, ScenarioRegistration, Story, StoryRegistration } from './domain.ts';
import type { AssetLicensing } from './publishing/licensing.ts';

export interface PublishCallOptions {
  signal?: AbortSignal;
}

export interface RoyaltyPayment {
  ipAssetId: string;
  txHash: string;
  amountWei: string;
}

/** A royalty payment as the payer asks for it (the same for a story and for a scenario). */
export interface RoyaltyPaymentInput {
  amountWei: string;
  payerReference?: string;
  idempotencyKey?: string;
}

export interface RoyaltiesView {
  ipAssetId: string;
  recipients: { walletAddress: string; shareBasisPoints: number; role: string }[];
  claimable: { walletAddress: string; amountWei: string }[];
}

export interface Publisher {
  publish(
    storyId: string,
    options?: PublishCallOptions & {
      license?: { preset: LicensePreset; revSharePercent?: number };
    },
  ): Promise<Story>;
  attachLicense(storyId: string, options?: PublishCallOptions): Promise<Story>;
  registerScenario(
    storyId: string,
    scenarioId: string,
    options?: PublishCallOptions,
  ): Promise<ScenarioRegistration>;
  scenarioRegistration(
    storyId: string,
    scenarioId: string,
    options?: PublishCallOptions,
  ): Promise<ScenarioRegistration>;
  assetLicensing(
    storyId: string,
    scenarioId: string | undefined,
    options?: PublishCallOptions,
  ): Promise<AssetLicensing>;
  payScenarioRoyalties(
    storyId: string,
    scenarioId: string,
    input: RoyaltyPaymentInput,
    options?: PublishCallOptions,
  ): Promise<RoyaltyPayment>;
  refreshRegistration(storyId: string, options?: PublishCallOptions): Promise<StoryRegistration>;
  payRoyalties(
    storyId: string,
    input: RoyaltyPaymentInput,
    options?: PublishCallOptions,
  ): Promise<RoyaltyPayment>;
  royalties(storyId: string, options?: PublishCallOptions): Promise<RoyaltiesView>;
  claim(
    storyId: string,
    input: { walletAddress: string },
    options?: PublishCallOptions,
  ): Promise<{ txHash: string; amountWei: string }>;
  start(): void;
  stop(): Promise<void>;
}
