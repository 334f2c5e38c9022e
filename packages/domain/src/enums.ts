/**
 * The App's enums as stored: member name → the integer EF Core writes (current domain,
 * `Mystira.Domain`), and the renumbering tables for documents written by the legacy domain
 * (`Mystira.App.Domain`, before 2026-03-11), old number → current number.
 */

/**
 * An enum whose members are numbered as C# numbers them when none is given: 0, 1, 2, … in the
 * order declared (every numbered enum of the App is declared so).
 */
function ordinal<const N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.fromEntries(names.map((name, i) => [name, i])) as Record<N, number>;
}

/** `AccountStatus` (current domain only). */
export const AccountStatus = ordinal([
  'Active',
  'PendingVerification',
  'Suspended',
  'Deactivated',
  'Deleted',
]);

/** The member names of `AccountStatus`. */
export type AccountStatusName = keyof typeof AccountStatus;

/** `AccountType` (current domain only). */
export const AccountType = ordinal(['Free', 'Premium', 'Educational', 'Enterprise']);

/** The member names of `AccountType`. */
export type AccountTypeName = keyof typeof AccountType;

/** `AuthProvider` (current domain only). */
export const AuthProvider = ordinal(['Local', 'Google', 'Apple', 'Microsoft', 'Passwordless']);

/** The member names of `AuthProvider`. */
export type AuthProviderName = keyof typeof AuthProvider;

/** `SubscriptionType` (same numbers in both domains). */
export const SubscriptionType = ordinal(['Free', 'Monthly', 'Annual', 'Lifetime', 'Individual']);

/** The member names of `SubscriptionType`. */
export type SubscriptionTypeName = keyof typeof SubscriptionType;

/**
 * `SessionStatus`. The current domain's alias `InProgress` shares 2 with `Active` (only the
 * number is stored), so it decodes as `Active`.
 */
export const SessionStatus = ordinal([
  'Creating',
  'Pending',
  'Active',
  'Paused',
  'Completed',
  'Abandoned',
  'Failed',
  'Expired',
]);

/** The member names of `SessionStatus`. */
export type SessionStatusName = keyof typeof SessionStatus;

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

/** `SessionEndReason` (current domain only). */
export const SessionEndReason = ordinal([
  'Completed',
  'PlayerQuit',
  'Inactivity',
  'Error',
  'AdminTerminated',
  'ParentalControl',
]);

/** The member names of `SessionEndReason`. */
export type SessionEndReasonName = keyof typeof SessionEndReason;

/** `PlayerType`, stored as an integer (legacy documents hold the strings `Player`/`Guest`). */
export const PlayerType = ordinal(['Profile', 'Guest']);

/** The member names of `PlayerType`. */
export type PlayerTypeName = keyof typeof PlayerType;

/** `DifficultyLevel` (legacy: the same numbers without `Expert`). */
export const DifficultyLevel = ordinal(['Easy', 'Medium', 'Hard', 'Expert']);

/** The member names of `DifficultyLevel`. */
export type DifficultyLevelName = keyof typeof DifficultyLevel;

/** `SessionLength`. */
export const SessionLength = ordinal(['Quick', 'Short', 'Medium', 'Long', 'Extended']);

/** The member names of `SessionLength`. */
export type SessionLengthName = keyof typeof SessionLength;

/** Legacy `SessionLength` (0 Short, 1 Medium, 2 Long) → current. */
export const LEGACY_SESSION_LENGTH: Readonly<Record<number, number>> = {
  0: SessionLength.Short,
  1: SessionLength.Medium,
  2: SessionLength.Long,
};

/** `PublicationStatus` (current domain only). */
export const PublicationStatus = ordinal([
  'Draft',
  'UnderReview',
  'Published',
  'Archived',
  'Rejected',
]);

/** The member names of `PublicationStatus`. */
export type PublicationStatusName = keyof typeof PublicationStatus;

/**
 * `AchievementType` as the current domain numbers it (reference 1.4). The legacy domain numbered
 * another vocabulary (0 CompassThreshold, 1 FirstChoice, 2 SessionComplete, 3 EchoRevealed, …);
 * no top-level property this package maps holds a legacy number.
 */
export const AchievementType = ordinal([
  'ScenarioCompletion',
  'StoryChoice',
  'CompassMilestone',
  'Discovery',
  'SpeedRun',
  'Perfect',
  'Cooperative',
  'Special',
  'EchoDiscovery',
  'CharacterBond',
  'CompassThreshold',
  'FirstChoice',
  'SessionComplete',
]);

/** The member names of `AchievementType`. */
export type AchievementTypeName = keyof typeof AchievementType;

/**
 * Legacy `AchievementType` (0 CompassThreshold, 1 FirstChoice, 2 SessionComplete, 3 EchoRevealed,
 * 4 ConsistentChoice, 5 MoralGrowth) → the number a session's achievement is stored with now. The
 * first three keep their names (and move to 10, 11, 12); the other three have no current member
 * and are stored as −1 − their legacy number (see `SessionAchievementType`).
 */
export const LEGACY_ACHIEVEMENT_TYPE: Readonly<Record<number, number>> = {
  0: AchievementType.CompassThreshold,
  1: AchievementType.FirstChoice,
  2: AchievementType.SessionComplete,
  3: -4,
  4: -5,
  5: -6,
};

/**
 * The type of a session's achievement: `AchievementType`, and the three legacy members with no
 * current member, at −1 − their legacy number. Left at their legacy numbers they would read as
 * the current members that hold those numbers now (Discovery, SpeedRun, Perfect); at a number no
 * member holds, the .NET App reads no member for them rather than a wrong one, and the SDK reads
 * them back by name (a judgement: the reference has no mapping for them).
 */
export const SessionAchievementType = {
  ...AchievementType,
  /** Legacy `EchoRevealed` (3): no current member. */
  EchoRevealed: -4,
  /** Legacy `ConsistentChoice` (4): no current member. */
  ConsistentChoice: -5,
  /** Legacy `MoralGrowth` (5): no current member. */
  MoralGrowth: -6,
};

/** The member names of `SessionAchievementType`. */
export type SessionAchievementTypeName = keyof typeof SessionAchievementType;

/** `SceneType` (current domain; `Choice` is an alias of `Decision`, 2). */
export const SceneType = ordinal([
  'Standard',
  'Intro',
  'Decision',
  'Action',
  'Dialogue',
  'Puzzle',
  'Exploration',
  'EchoReveal',
  'Ending',
  'Checkpoint',
  'Cutscene',
  'MiniGame',
  'Tutorial',
]);

/** The member names of `SceneType`. */
export type SceneTypeName = keyof typeof SceneType;

/**
 * The type of a scenario's scene: `SceneType`, and the two legacy members with no current member,
 * at −1 − their legacy number (as for `SessionAchievementType`).
 */
export const ScenarioSceneType = {
  ...SceneType,
  /** Legacy `Roll` (2): no current member. */
  Roll: -3,
  /** Legacy `Special` (3): no current member. */
  Special: -4,
};

/** The member names of `ScenarioSceneType`. */
export type ScenarioSceneTypeName = keyof typeof ScenarioSceneType;

/**
 * Legacy `SceneType` (0 Narrative, 1 Choice, 2 Roll, 3 Special) → the number a scene is stored
 * with now. `Choice` is the current `Decision` (2, the reference's alias); `Narrative`, the
 * legacy default, reads as the current default `Standard` (0; a judgement); `Roll` and `Special`
 * have no current member (see `ScenarioSceneType`).
 */
export const LEGACY_SCENE_TYPE: Readonly<Record<number, number>> = {
  0: SceneType.Standard,
  1: SceneType.Decision,
  2: -3,
  3: -4,
};

/**
 * Legacy player assignments stored `PlayerType` as the strings `"Player"` and `"Guest"` (1.4);
 * the current numbers.
 */
export const LEGACY_PLAYER_TYPE: Readonly<Record<string, number>> = {
  Player: PlayerType.Profile,
  Guest: PlayerType.Guest,
};

/** `ContributorRole` (current domain; `Composer` has the alias `MusicComposer`, 5). */
export const ContributorRole = {
  /** 0 */
  Author: 0,
  /** 1 */
  Artist: 1,
  /** 2 */
  Editor: 2,
  /** 3 */
  Writer: 3,
  /** 4 */
  Designer: 4,
  /** 5 (alias `MusicComposer`) */
  Composer: 5,
  /** 6 */
  VoiceActor: 6,
  /** 7 */
  Translator: 7,
  /** 8 */
  SoundDesigner: 8,
  /** 9 */
  GameDesigner: 9,
  /** 10 */
  QualityAssurance: 10,
  /** 99 */
  Other: 99,
} as const satisfies Readonly<Record<string, number>>;

/** The member names of `ContributorRole`. */
export type ContributorRoleName = keyof typeof ContributorRole;

/**
 * Legacy `ContributorRole` (0 Writer, 1 Artist, 2 VoiceActor, 3 MusicComposer, 4 SoundDesigner,
 * 5 Editor, 6 GameDesigner, 7 QualityAssurance, 99 Other) → current: every legacy member has a
 * current one of the same name (`MusicComposer` is `Composer`'s alias).
 */
export const LEGACY_CONTRIBUTOR_ROLE: Readonly<Record<number, number>> = {
  0: ContributorRole.Writer,
  1: ContributorRole.Artist,
  2: ContributorRole.VoiceActor,
  3: ContributorRole.Composer,
  4: ContributorRole.SoundDesigner,
  5: ContributorRole.Editor,
  6: ContributorRole.GameDesigner,
  7: ContributorRole.QualityAssurance,
  99: ContributorRole.Other,
};

/** `DeletionRequestSource` (workspace only, 1.2.15). */
export const DeletionRequestSource = ordinal(['Parent', 'System', 'Support']);

/** The member names of `DeletionRequestSource`. */
export type DeletionRequestSourceName = keyof typeof DeletionRequestSource;

/** `DeletionStatus` (workspace only, 1.2.15). */
export const DeletionStatus = ordinal([
  'Pending',
  'SoftDeleted',
  'InProgress',
  'Completed',
  'Failed',
]);

/** The member names of `DeletionStatus`. */
export type DeletionStatusName = keyof typeof DeletionStatus;

/** `ConsentStatus` (workspace only, 1.2.15). */
export const ConsentStatus = ordinal([
  'Pending',
  'EmailSent',
  'Verified',
  'Denied',
  'Revoked',
  'Expired',
]);

/** The member names of `ConsentStatus`. */
export type ConsentStatusName = keyof typeof ConsentStatus;

/** `ConsentVerificationMethod` (workspace only, 1.2.15). */
export const ConsentVerificationMethod = ordinal([
  'None',
  'Email',
  'CreditCard',
  'GovernmentId',
  'VideoCall',
  'SignedForm',
]);

/** The member names of `ConsentVerificationMethod`. */
export type ConsentVerificationMethodName = keyof typeof ConsentVerificationMethod;

/** `PendingSignupStatus` (workspace only, 1.2.15). */
export const PendingSignupStatus = ordinal([
  'Pending',
  'EmailSent',
  'Verified',
  'Consumed',
  'Expired',
]);

/** The member names of `PendingSignupStatus`. */
export type PendingSignupStatusName = keyof typeof PendingSignupStatus;

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
