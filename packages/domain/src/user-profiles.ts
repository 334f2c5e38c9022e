/**
 * `UserProfile` — container `UserProfiles`, partition `/id` (reference 1.2.2, 1.2.3, 2.11). The
 * entity with the most alias properties: the App persists `Name` beside `DisplayName`,
 * `HasCompletedOnboarding` beside `OnboardingCompleted`, `SelectedAvatarMediaId` beside
 * `AvatarMediaId`, and in each badge `UserProfileId` beside `UserId`. Legacy documents hold only
 * the old names, `DateOfBirth` as a `DateTime`, and `AgeGroupName` (`"6-9"`-style values, kept
 * as stored: the current `AgeGroupId` uses another vocabulary).
 */
import {
  aliased,
  booleanField,
  commaListField,
  dateField,
  entityCodec,
  numberField,
  objectsField,
  type StoredDocument,
  stringField,
} from '@mystira/repository';
import type { Audited } from './accounts.js';
import { codecOf, entityFields, legacyWithout } from './base.js';

/** A badge a profile earned (`UserBadge`, embedded in `EarnedBadges`). */
export interface UserBadge extends Audited {
  /** Its id. */
  id: string;
  /** The profile (stored as `UserId` and its alias `UserProfileId`). */
  userId: string;
  /** The badge. */
  badgeId: string;
  /** The badge configuration, or null. */
  badgeConfigurationId: string | null;
  /** The badge's name when it was awarded, or null. */
  badgeName: string | null;
  /** The badge's message when it was awarded, or null. */
  badgeMessage: string | null;
  /** The value that triggered it, or null. */
  triggerValue: number | null;
  /** The threshold, or null (legacy: fractional values possible). */
  threshold: number | null;
  /** The session it was earned in, or null. */
  gameSessionId: string | null;
  /** Its image, or null. */
  imageId: string | null;
  /** The compass axis, or null. */
  axis: string | null;
  /** The tier, or null. */
  tier: string | null;
  /** When. */
  earnedAt: string;
  /** Another session reference, or null. */
  sessionId: string | null;
  /** The scenario, or null. */
  scenarioId: string | null;
  /** Progress, or null. */
  progress: number | null;
  /** How many times (default 1). */
  earnedCount: number;
  /** Whether it is featured. */
  isFeatured: boolean;
}

/** A player profile (reference 1.2.2); dates are instants in `toISOString()` form. */
export interface UserProfile extends Audited {
  /** The profile id, also the partition key. */
  id: string;
  /** The owning account. */
  accountId: string;
  /** The name shown (stored as `DisplayName` and its alias `Name`). */
  displayName: string;
  /** First name, or null. */
  firstName: string | null;
  /** Last name, or null. */
  lastName: string | null;
  /** Date of birth as `yyyy-MM-dd`, or null. */
  dateOfBirth: string | null;
  /** Age group id (`middle_childhood`, …), or null. */
  ageGroupId: string | null;
  /** Avatar URL, or null. */
  avatarUrl: string | null;
  /** Avatar configuration, or null. */
  avatarConfigurationId: string | null;
  /** Bio, or null. */
  bio: string | null;
  /** Language (default `en`). */
  preferredLanguage: string;
  /** Time zone, or null. */
  timezone: string | null;
  /** Whether the profile is public (default true). */
  isPublic: boolean;
  /** Whether parental controls are on. */
  parentalControlsEnabled: boolean;
  /** The parental PIN's hash, or null. */
  parentalControlPinHash: string | null;
  /** Longest session allowed, or null. */
  maxSessionLengthMinutes: number | null;
  /** Total play time. */
  totalPlayTimeMinutes: number;
  /** Scenarios completed. */
  completedScenarios: number;
  /** Experience points (a .NET long; keep within 2^53). */
  experiencePoints: number;
  /** Level (default 1). */
  level: number;
  /** Onboarding done (stored as `OnboardingCompleted` and its alias `HasCompletedOnboarding`). */
  onboardingCompleted: boolean;
  /** A guest profile. */
  isGuest: boolean;
  /** A non-player character. */
  isNpc: boolean;
  /** Pronouns, or null. */
  pronouns: string | null;
  /** Preferred fantasy themes (stored comma-joined). */
  preferredFantasyThemes: string[];
  /** The avatar's media id (stored as `AvatarMediaId` and its alias `SelectedAvatarMediaId`), or null. */
  avatarMediaId: string | null;
  /** Last played, or null. */
  lastPlayedAt: string | null;
  /** JSON text, or null. */
  compassProgressJson: string | null;
  /** The badges earned. */
  earnedBadges: UserBadge[];
}

/** Legacy `DateOfBirth` was a `DateTime` (`2017-04-02T00:00:00`); current documents hold `yyyy-MM-dd`. */
function legacyDateOfBirth(doc: StoredDocument): StoredDocument {
  const v = doc.DateOfBirth;
  return typeof v === 'string' && v.length > 10 ? { ...doc, DateOfBirth: v.slice(0, 10) } : doc;
}

const userProfileCodec = entityCodec({
  container: 'UserProfiles',
  type: 'UserProfile',
  fields: {
    id: stringField('id'),
    accountId: stringField('AccountId'),
    displayName: aliased(stringField('DisplayName'), 'Name'),
    firstName: stringField('FirstName').nullable(),
    lastName: stringField('LastName').nullable(),
    dateOfBirth: stringField('DateOfBirth').nullable(),
    ageGroupId: stringField('AgeGroupId').nullable(),
    avatarUrl: stringField('AvatarUrl').nullable(),
    avatarConfigurationId: stringField('AvatarConfigurationId').nullable(),
    bio: stringField('Bio').nullable(),
    preferredLanguage: stringField('PreferredLanguage', { default: 'en' }),
    timezone: stringField('Timezone').nullable(),
    isPublic: booleanField('IsPublic', { default: true }),
    parentalControlsEnabled: booleanField('ParentalControlsEnabled'),
    parentalControlPinHash: stringField('ParentalControlPinHash').nullable(),
    maxSessionLengthMinutes: numberField('MaxSessionLengthMinutes').nullable(),
    totalPlayTimeMinutes: numberField('TotalPlayTimeMinutes'),
    completedScenarios: numberField('CompletedScenarios'),
    experiencePoints: numberField('ExperiencePoints'),
    level: numberField('Level', { default: 1 }),
    onboardingCompleted: aliased(booleanField('OnboardingCompleted'), 'HasCompletedOnboarding'),
    isGuest: booleanField('IsGuest'),
    isNpc: booleanField('IsNpc'),
    pronouns: stringField('Pronouns').nullable(),
    preferredFantasyThemes: commaListField('PreferredFantasyThemes'),
    avatarMediaId: aliased(stringField('AvatarMediaId').nullable(), 'SelectedAvatarMediaId'),
    lastPlayedAt: dateField('LastPlayedAt').nullable(),
    compassProgressJson: stringField('CompassProgressJson').nullable(),
    earnedBadges: objectsField('EarnedBadges', {
      id: stringField('Id'),
      userId: aliased(stringField('UserId'), 'UserProfileId'),
      badgeId: stringField('BadgeId'),
      badgeConfigurationId: stringField('BadgeConfigurationId').nullable(),
      badgeName: stringField('BadgeName').nullable(),
      badgeMessage: stringField('BadgeMessage').nullable(),
      triggerValue: numberField('TriggerValue').nullable(),
      threshold: numberField('Threshold').nullable(),
      gameSessionId: stringField('GameSessionId').nullable(),
      imageId: stringField('ImageId').nullable(),
      axis: stringField('Axis').nullable(),
      tier: stringField('Tier').nullable(),
      earnedAt: dateField('EarnedAt'),
      sessionId: stringField('SessionId').nullable(),
      scenarioId: stringField('ScenarioId').nullable(),
      progress: numberField('Progress').nullable(),
      earnedCount: numberField('EarnedCount', { default: 1 }),
      isFeatured: booleanField('IsFeatured'),
      ...entityFields(),
    }),
    ...entityFields(),
  },
  generations: [
    // Level (a non-null int the current model always writes) is new in the current domain
    // [inferred from 1.2.2: the legacy field list has no Level].
    legacyWithout('Level', {
      rename: { Name: 'DisplayName', HasCompletedOnboarding: 'OnboardingCompleted' },
      upgrade: legacyDateOfBirth,
      touches: ['DateOfBirth'],
    }),
  ],
});

/** The codec of `UserProfiles` documents (both generations): use it with `mapped()`. */
export const userProfiles = codecOf<UserProfile>()(userProfileCodec);
