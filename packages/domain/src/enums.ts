/**
 * The App's enums as stored: member name → the integer EF Core writes (current domain,
 * `Mystira.Domain`), and the renumbering tables for documents written by the legacy domain
 * (`Mystira.App.Domain`, before 2026-03-11), old number → current number.
 */

/** The member names of `AccountStatus`. */
export type AccountStatusName =
  | 'Active'
  | 'PendingVerification'
  | 'Suspended'
  | 'Deactivated'
  | 'Deleted';

/** `AccountStatus` (current domain only). */
export const AccountStatus: Readonly<Record<AccountStatusName, number>> = {
  Active: 0,
  PendingVerification: 1,
  Suspended: 2,
  Deactivated: 3,
  Deleted: 4,
};

/** The member names of `AccountType`. */
export type AccountTypeName = 'Free' | 'Premium' | 'Educational' | 'Enterprise';

/** `AccountType` (current domain only). */
export const AccountType: Readonly<Record<AccountTypeName, number>> = {
  Free: 0,
  Premium: 1,
  Educational: 2,
  Enterprise: 3,
};

/** The member names of `AuthProvider`. */
export type AuthProviderName = 'Local' | 'Google' | 'Apple' | 'Microsoft' | 'Passwordless';

/** `AuthProvider` (current domain only). */
export const AuthProvider: Readonly<Record<AuthProviderName, number>> = {
  Local: 0,
  Google: 1,
  Apple: 2,
  Microsoft: 3,
  Passwordless: 4,
};

/** The member names of `SubscriptionType`. */
export type SubscriptionTypeName = 'Free' | 'Monthly' | 'Annual' | 'Lifetime' | 'Individual';

/** `SubscriptionType` (same numbers in both domains). */
export const SubscriptionType: Readonly<Record<SubscriptionTypeName, number>> = {
  Free: 0,
  Monthly: 1,
  Annual: 2,
  Lifetime: 3,
  Individual: 4,
};

/** The member names of `SessionStatus`. */
export type SessionStatusName =
  | 'Creating'
  | 'Pending'
  | 'Active'
  | 'Paused'
  | 'Completed'
  | 'Abandoned'
  | 'Failed'
  | 'Expired';

/**
 * `SessionStatus`. The current domain's alias `InProgress` shares 2 with `Active` (only the
 * number is stored), so it decodes as `Active`.
 */
export const SessionStatus: Readonly<Record<SessionStatusName, number>> = {
  Creating: 0,
  Pending: 1,
  Active: 2,
  Paused: 3,
  Completed: 4,
  Abandoned: 5,
  Failed: 6,
  Expired: 7,
};

/**
 * Legacy `SessionStatus` (0 NotStarted, 1 InProgress, 2 Paused, 3 Completed, 4 Abandoned) →
 * current. `NotStarted` has no current twin; it becomes `Pending` (created, not started) — a
 * judgement, not a fact of the reference.
 */
export const LEGACY_SESSION_STATUS: Readonly<Record<number, number>> = {
  0: SessionStatus.Pending,
  1: SessionStatus.Active,
  2: SessionStatus.Paused,
  3: SessionStatus.Completed,
  4: SessionStatus.Abandoned,
};

/** The member names of `SessionEndReason`. */
export type SessionEndReasonName =
  | 'Completed'
  | 'PlayerQuit'
  | 'Inactivity'
  | 'Error'
  | 'AdminTerminated'
  | 'ParentalControl';

/** `SessionEndReason` (current domain only). */
export const SessionEndReason: Readonly<Record<SessionEndReasonName, number>> = {
  Completed: 0,
  PlayerQuit: 1,
  Inactivity: 2,
  Error: 3,
  AdminTerminated: 4,
  ParentalControl: 5,
};

/** The member names of `PlayerType`. */
export type PlayerTypeName = 'Profile' | 'Guest';

/** `PlayerType`, stored as an integer (legacy documents hold the strings `Player`/`Guest`). */
export const PlayerType: Readonly<Record<PlayerTypeName, number>> = { Profile: 0, Guest: 1 };

/** The member names of `DifficultyLevel`. */
export type DifficultyLevelName = 'Easy' | 'Medium' | 'Hard' | 'Expert';

/** `DifficultyLevel` (legacy: the same numbers without `Expert`). */
export const DifficultyLevel: Readonly<Record<DifficultyLevelName, number>> = {
  Easy: 0,
  Medium: 1,
  Hard: 2,
  Expert: 3,
};

/** The member names of `SessionLength`. */
export type SessionLengthName = 'Quick' | 'Short' | 'Medium' | 'Long' | 'Extended';

/** `SessionLength`. */
export const SessionLength: Readonly<Record<SessionLengthName, number>> = {
  Quick: 0,
  Short: 1,
  Medium: 2,
  Long: 3,
  Extended: 4,
};

/** Legacy `SessionLength` (0 Short, 1 Medium, 2 Long) → current. */
export const LEGACY_SESSION_LENGTH: Readonly<Record<number, number>> = {
  0: SessionLength.Short,
  1: SessionLength.Medium,
  2: SessionLength.Long,
};

/** The member names of `PublicationStatus`. */
export type PublicationStatusName = 'Draft' | 'UnderReview' | 'Published' | 'Archived' | 'Rejected';

/** `PublicationStatus` (current domain only). */
export const PublicationStatus: Readonly<Record<PublicationStatusName, number>> = {
  Draft: 0,
  UnderReview: 1,
  Published: 2,
  Archived: 3,
  Rejected: 4,
};

/** The member names of `AchievementType` (current domain). */
export type AchievementTypeName =
  | 'ScenarioCompletion'
  | 'StoryChoice'
  | 'CompassMilestone'
  | 'Discovery'
  | 'SpeedRun'
  | 'Perfect'
  | 'Cooperative'
  | 'Special'
  | 'EchoDiscovery'
  | 'CharacterBond'
  | 'CompassThreshold'
  | 'FirstChoice'
  | 'SessionComplete';

/**
 * `AchievementType` as the current domain numbers it (reference 1.4). The legacy domain numbered
 * another vocabulary (0 CompassThreshold, 1 FirstChoice, 2 SessionComplete, 3 EchoRevealed, …);
 * no top-level property this package maps holds a legacy number.
 */
export const AchievementType: Readonly<Record<AchievementTypeName, number>> = {
  ScenarioCompletion: 0,
  StoryChoice: 1,
  CompassMilestone: 2,
  Discovery: 3,
  SpeedRun: 4,
  Perfect: 5,
  Cooperative: 6,
  Special: 7,
  EchoDiscovery: 8,
  CharacterBond: 9,
  CompassThreshold: 10,
  FirstChoice: 11,
  SessionComplete: 12,
};

/** The member names of `DeletionRequestSource`. */
export type DeletionRequestSourceName = 'Parent' | 'System' | 'Support';

/** `DeletionRequestSource` (workspace only, 1.2.15). */
export const DeletionRequestSource: Readonly<Record<DeletionRequestSourceName, number>> = {
  Parent: 0,
  System: 1,
  Support: 2,
};

/** The member names of `DeletionStatus`. */
export type DeletionStatusName = 'Pending' | 'SoftDeleted' | 'InProgress' | 'Completed' | 'Failed';

/** `DeletionStatus` (workspace only, 1.2.15). */
export const DeletionStatus: Readonly<Record<DeletionStatusName, number>> = {
  Pending: 0,
  SoftDeleted: 1,
  InProgress: 2,
  Completed: 3,
  Failed: 4,
};

/** The member names of `ConsentStatus`. */
export type ConsentStatusName =
  | 'Pending'
  | 'EmailSent'
  | 'Verified'
  | 'Denied'
  | 'Revoked'
  | 'Expired';

/** `ConsentStatus` (workspace only, 1.2.15). */
export const ConsentStatus: Readonly<Record<ConsentStatusName, number>> = {
  Pending: 0,
  EmailSent: 1,
  Verified: 2,
  Denied: 3,
  Revoked: 4,
  Expired: 5,
};

/** The member names of `ConsentVerificationMethod`. */
export type ConsentVerificationMethodName =
  | 'None'
  | 'Email'
  | 'CreditCard'
  | 'GovernmentId'
  | 'VideoCall'
  | 'SignedForm';

/** `ConsentVerificationMethod` (workspace only, 1.2.15). */
export const ConsentVerificationMethod: Readonly<Record<ConsentVerificationMethodName, number>> = {
  None: 0,
  Email: 1,
  CreditCard: 2,
  GovernmentId: 3,
  VideoCall: 4,
  SignedForm: 5,
};

/** The member names of `PendingSignupStatus`. */
export type PendingSignupStatusName = 'Pending' | 'EmailSent' | 'Verified' | 'Consumed' | 'Expired';

/** `PendingSignupStatus` (workspace only, 1.2.15). */
export const PendingSignupStatus: Readonly<Record<PendingSignupStatusName, number>> = {
  Pending: 0,
  EmailSent: 1,
  Verified: 2,
  Consumed: 3,
  Expired: 4,
};

/** `MusicProfile` member names, stored as names (read back case-insensitively). */
export const MUSIC_PROFILES = [
  'None',
  'Neutral',
  'Cozy',
  'Playful',
  'Wonder',
  'Mystery',
  'Tense',
  'Action',
  'Sad',
  'Victory',
] as const;

/** `MusicContinuity` member names (stored as names). */
export const MUSIC_CONTINUITIES = [
  'PreferContinue',
  'AllowChange',
  'ForceChange',
  'ForceSilence',
] as const;

/** `MusicTransitionHint` member names (stored as names). */
export const MUSIC_TRANSITION_HINTS = [
  'Auto',
  'Keep',
  'CrossfadeShort',
  'CrossfadeNormal',
  'CrossfadeLong',
  'HardCut',
] as const;

/** `MusicPriority` member names (stored as names). */
export const MUSIC_PRIORITIES = ['Background', 'Important'] as const;

/** `MusicDucking` member names (stored as names). */
export const MUSIC_DUCKINGS = ['None', 'Narration', 'Dialogue'] as const;
