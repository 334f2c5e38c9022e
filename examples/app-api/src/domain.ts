/**
 * The App API's domain: accounts (PostgreSQL, typed columns; migrating from Cosmos DB) and stories
 * with their scenarios (Cosmos DB documents). Timestamps are ISO-8601 strings; wei amounts are
 * decimal strings (they exceed 2^53).
 */

/** Accounts are declared once, as a schema: see account.ts. */
export type { Account } from './account.ts';

export interface Scenario {
  id: string;
  title: string;
  body: string;
  /** Set once the scenario is registered on chain as a derivative of its story's IP asset. */
  registration?: ScenarioRegistration;
}

/**
 * A scenario as an IP asset: a derivative of its story's asset under the story's license terms,
 * so that royalties paid to the scenario reach the story's contributors by those terms.
 * submitted: the chain took it (ipAssetId, txHash known); confirmed / failed: final.
 */
export interface ScenarioRegistration {
  state: 'submitted' | 'confirmed' | 'failed';
  /** Derived from the story, the scenario and the previous failed key: a retry registers once. */
  idempotencyKey: string;
  /** The story's IP asset (the parent) and the terms the derivative was made under. */
  parentIpAssetId: string;
  licenseTermsId: string;
  ipAssetId?: string;
  txHash?: string;
  error?: string;
  requestedAt: string;
  updatedAt: string;
}

/** Story PIL presets a story may be licensed under (Story Protocol's own names). */
export type LicensePreset = 'commercialRemix' | 'commercialUse' | 'nonCommercialSocialRemixing';

/**
 * The license terms of a published story, chosen at publishing (or the configured default) and
 * attached to its IP asset once the registration is confirmed (the asset must exist on chain).
 * pending: chosen, not attached yet (completed in the background, or by the next licensing call);
 * attached: the terms are on the asset (licenseTermsId); failed: the chain refused them (error).
 */
export interface StoryLicense {
  preset: LicensePreset;
  /** commercialRemix only: the percentage of a derivative's revenue owed to the story (0..100). */
  revSharePercent?: number;
  state: 'pending' | 'attached' | 'failed';
  licenseTermsId?: string;
  error?: string;
  updatedAt: string;
}

/** Who shares a story's royalties, in basis points (all of a story's shares sum to 10 000). */
export interface StoryContributor {
  accountId: string;
  walletAddress: string;
  shareBasisPoints: number;
  role: string;
}

/**
 * pending: the story was marked for registration, the chain call has not been acknowledged yet
 * (a crash or outage here is completed on retry, with the same idempotency key).
 * submitted: the chain accepted it (ipAssetId, txHash known), waiting for confirmations.
 * confirmed / failed: final.
 */
export type RegistrationState = 'pending' | 'submitted' | 'confirmed' | 'failed';

export interface StoryRegistration {
  state: RegistrationState;
  /** Fixed at the first publish attempt and reused by every retry, so the chain registers once. */
  idempotencyKey: string;
  requestedAt: string;
  updatedAt: string;
  ipAssetId?: string;
  txHash?: string;
  blockNumber?: string;
  confirmations?: number;
  error?: string;
}

export interface Story {
  id: string;
  authorId: string;
  title: string;
  summary: string;
  scenarios: Scenario[];
  contributors: StoryContributor[];
  status: 'draft' | 'published';
  registration?: StoryRegistration;
  /** Set at publishing (see StoryLicense). Absent on stories published before licensing. */
  license?: StoryLicense;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version, set by the repository; the HTTP `ETag` (see Account). */
  version?: number;
}
