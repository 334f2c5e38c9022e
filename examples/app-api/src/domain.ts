/**
 * The App API's domain: accounts (PostgreSQL, typed columns; migrating from Cosmos DB) and stories
 * with their scenarios (Cosmos DB documents). Timestamps are ISO-8601 strings; wei amounts are
 * decimal strings (they exceed 2^53).
 */

export interface Account {
  id: string;
  email: string;
  displayName: string;
  /** 0x-prefixed, 40 hex digits: where this account's royalties are paid. */
  walletAddress: string;
  /**
   * The `sub` of the token that created the account: its owner, the only caller who reads its
   * private fields and acts for it (see "Security" in the README). Never part of an answer.
   * Absent on accounts created before the API had authentication (nobody owns those).
   */
  ownerId?: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Optimistic-concurrency version, set by the repository (starts at 1, +1 per write). Also the
   * HTTP `ETag`. Optional so callers may build an Account before it is stored.
   */
  version?: number;
}

export interface Scenario {
  id: string;
  title: string;
  body: string;
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
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version, set by the repository; the HTTP `ETag` (see Account). */
  version?: number;
}
