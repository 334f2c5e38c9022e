/**
 * `GameSession` — container `GameSessions`, partition `/accountId` (reference 1.2.4, 1.2.5).
 * The container with the most conventions: a camelCase partition key, a renumbered enum, a
 * comma-joined list, two JSON-text properties, a .NET `TimeSpan`, embedded collections, and
 * aliases the App ignores (`StartTime`/`EndTime`, which its own specifications order by).
 */
import {
  booleanField,
  commaListField,
  computedField,
  dateField,
  entityCodec,
  enumField,
  jsonTextField,
  numberField,
  objectField,
  objectsField,
  parseDotnetDate,
  type StoredDocument,
  stringField,
} from '@mystira/repository';
import { field } from '@mystira/specification';
import type { Audited, SoftDeletable } from './accounts.js';
import { codecOf, entityFields, legacyWithout, softDeletableFields } from './base.js';
import { isStoredObject, numberOfName, renumberElements, upgradeElements } from './embedded.js';
import {
  LEGACY_ACHIEVEMENT_TYPE,
  LEGACY_PLAYER_TYPE,
  LEGACY_SESSION_STATUS,
  PlayerType,
  type PlayerTypeName,
  SessionAchievementType,
  type SessionAchievementTypeName,
  SessionEndReason,
  type SessionEndReasonName,
  SessionStatus,
  type SessionStatusName,
} from './enums.js';

/** One element of `CompassValues` (JSON text written by System.Text.Json, PascalCase). */
export interface CompassValue {
  /** The axis id, e.g. `courage`. */
  Axis: string;
  /** Optional key. */
  Key?: string | null;
  /** The current value (double). */
  CurrentValue?: number;
  /** `(int)CurrentValue`. */
  Value?: number;
  /** The starting value. */
  StartingValue?: number;
  /** Last change (.NET date text). */
  LastUpdated?: string;
  /** Per-axis values. */
  AxisValues?: Record<string, unknown>;
  /** The changes (`CompassChangeRecord`s). */
  History?: unknown[];
}

/** A choice the player made (`SessionChoice`, in `ChoiceHistory`). */
const choice = {
  id: stringField('Id'),
  sessionId: stringField('SessionId'),
  sceneId: stringField('SceneId'),
  sceneTitle: stringField('SceneTitle').nullable(),
  branchId: stringField('BranchId').nullable(),
  choiceText: stringField('ChoiceText').nullable(),
  nextScene: stringField('NextScene').nullable(),
  compassAxis: stringField('CompassAxis').nullable(),
  compassDirection: stringField('CompassDirection').nullable(),
  compassDelta: numberField('CompassDelta'),
  compassChange: objectField('CompassChange', {
    axisId: stringField('AxisId'),
    delta: numberField('Delta'),
    reason: stringField('Reason').nullable(),
  }).nullable(),
  echoGenerated: booleanField('EchoGenerated'),
  playerId: stringField('PlayerId').nullable(),
  chosenAt: dateField('ChosenAt'),
  timeSpentSeconds: numberField('TimeSpentSeconds').nullable(),
  compassChangesJson: stringField('CompassChangesJson').nullable(),
  revealedEchosJson: stringField('RevealedEchosJson').nullable(),
  ...entityFields(),
};

/** An echo (`EchoLog`, in `EchoHistory`). */
const echo = {
  id: stringField('Id'),
  scenarioId: stringField('ScenarioId'),
  echoTypeId: stringField('EchoTypeId'),
  title: stringField('Title'),
  content: stringField('Content'),
  characterId: stringField('CharacterId').nullable(),
  revealSceneId: stringField('RevealSceneId').nullable(),
  isMajor: booleanField('IsMajor'),
  strength: numberField('Strength', { default: 1 }),
  timestamp: dateField('Timestamp'),
  ...entityFields(),
};

/**
 * Achievements and character assignments: the properties listed here are typed; the others
 * (`Description`, `BadgeId`, most of `PlayerAssignment`, …) are kept as stored.
 */
const achievement = {
  id: stringField('Id'),
  sessionId: stringField('SessionId'),
  type: enumField('Type', SessionAchievementType),
  title: stringField('Title'),
  playerId: stringField('PlayerId').nullable(),
  earnedAt: dateField('EarnedAt'),
  pointsAwarded: numberField('PointsAwarded'),
};
const characterAssignment = {
  id: stringField('Id'),
  sessionId: stringField('SessionId'),
  characterId: stringField('CharacterId'),
  characterName: stringField('CharacterName'),
  playerId: stringField('PlayerId').nullable(),
  isAiControlled: booleanField('IsAiControlled'),
  playerAssignment: objectField('PlayerAssignment', {
    type: enumField('Type', PlayerType),
  }).nullable(),
};

/** Legacy `PlayerCompassProgressTotals`: an owned array of `{PlayerId, Axis, Total}` → axis totals. */
function legacyTotals(doc: StoredDocument): StoredDocument {
  const v = doc.PlayerCompassProgressTotals;
  if (!Array.isArray(v)) return doc;
  const totals: Record<string, number> = {};
  for (const e of v as { Axis?: unknown; Total?: unknown }[]) {
    if (typeof e?.Axis === 'string' && typeof e.Total === 'number') {
      totals[e.Axis] = (totals[e.Axis] ?? 0) + e.Total;
    }
  }
  return { ...doc, PlayerCompassProgressTotals: JSON.stringify(totals) };
}

/**
 * A legacy session: compass totals as an object (`legacyTotals`), its achievements' types in the
 * current numbering, its player assignments' `"Player"`/`"Guest"` as `PlayerType` numbers (1.4).
 */
function legacySession(doc: StoredDocument): StoredDocument {
  const achievements = renumberElements(
    legacyTotals(doc),
    'Achievements',
    'Type',
    LEGACY_ACHIEVEMENT_TYPE,
  );
  return upgradeElements(achievements, 'CharacterAssignments', (a) =>
    isStoredObject(a.PlayerAssignment)
      ? { ...a, PlayerAssignment: numberOfName(a.PlayerAssignment, 'Type', LEGACY_PLAYER_TYPE) }
      : a,
  );
}

/** A compass change attached to a choice (`CompassChange`). */
export interface CompassChange {
  /** The axis id. */
  axisId: string;
  /** The change. */
  delta: number;
  /** Why, or null. */
  reason: string | null;
}

/** A choice the player made (`SessionChoice`). */
export interface SessionChoice extends Audited {
  /** Its id (`EntityId.NewId()` form). */
  id: string;
  /** The session. */
  sessionId: string;
  /** The scene the choice was made in. */
  sceneId: string;
  /** That scene's title, or null. */
  sceneTitle: string | null;
  /** The branch taken, or null. */
  branchId: string | null;
  /** The choice's text, or null. */
  choiceText: string | null;
  /** The next scene, or null. */
  nextScene: string | null;
  /** The compass axis moved, or null. */
  compassAxis: string | null;
  /** The direction moved, or null. */
  compassDirection: string | null;
  /** How far it moved. */
  compassDelta: number;
  /** The change as an object, or null. */
  compassChange: CompassChange | null;
  /** Whether it produced an echo (legacy documents hold an echo object here). */
  echoGenerated: boolean;
  /** The player, or null. */
  playerId: string | null;
  /** When. */
  chosenAt: string;
  /** Seconds spent deciding, or null. */
  timeSpentSeconds: number | null;
  /** JSON text, or null. */
  compassChangesJson: string | null;
  /** JSON text, or null. */
  revealedEchosJson: string | null;
}

/** An echo (`EchoLog`). */
export interface EchoLog extends Audited {
  /** Its id. */
  id: string;
  /** The scenario. */
  scenarioId: string;
  /** The echo type id (legacy documents: `EchoType`). */
  echoTypeId: string;
  /** Title. */
  title: string;
  /** Text (legacy documents: `Description`). */
  content: string;
  /** The character, or null. */
  characterId: string | null;
  /** Where it is revealed, or null. */
  revealSceneId: string | null;
  /** Whether it is a major echo. */
  isMajor: boolean;
  /** Strength (default 1). */
  strength: number;
  /** When. */
  timestamp: string;
}

/** An achievement earned in the session (`SessionAchievement`); its other properties are kept as stored. */
export interface SessionAchievement {
  /** Its id. */
  id: string;
  /** The session. */
  sessionId: string;
  /** Its type (legacy documents' numbers translated; three legacy types have no current one). */
  type: SessionAchievementTypeName;
  /** Title. */
  title: string;
  /** The player, or null. */
  playerId: string | null;
  /** When. */
  earnedAt: string;
  /** Points. */
  pointsAwarded: number;
}

/** A character's assignment to a player (`SessionCharacterAssignment`); its other properties are kept as stored. */
export interface SessionCharacterAssignment {
  /** Its id. */
  id: string;
  /** The session. */
  sessionId: string;
  /** The character. */
  characterId: string;
  /** The character's name. */
  characterName: string;
  /** The player, or null. */
  playerId: string | null;
  /** Whether the AI plays it. */
  isAiControlled: boolean;
  /** The player's assignment (its other properties are kept as stored), or null. */
  playerAssignment: {
    /** A profile's player or a guest (legacy documents: the strings `Player`/`Guest`). */
    type: PlayerTypeName;
  } | null;
}

/** A game session (reference 1.2.4); dates are instants in `toISOString()` form. */
export interface GameSession extends SoftDeletable {
  /** The session id (32 hex chars). */
  id: string;
  /** The owning account: the partition key (stored as camelCase `accountId`). */
  accountId: string;
  /** The scenario played. */
  scenarioId: string;
  /** The primary player's profile. */
  profileId: string;
  /** The host's profile. */
  hostPlayerId: string;
  /** Status (legacy numbers translated). */
  status: SessionStatusName;
  /** The current scene, or null. */
  currentSceneId: string | null;
  /** The join code, or null. */
  joinCode: string | null;
  /** Start, or null. */
  startedAt: string | null;
  /** End, or null. */
  endedAt: string | null;
  /** .NET `TimeSpan` text (`[d.]hh:mm:ss[.fffffff]`), or null. */
  elapsedTime: string | null;
  /** Player names (stored comma-joined). */
  playerNames: string[];
  /** Target age group name, or null. */
  targetAgeGroupName: string | null;
  /** Number of scenes. */
  sceneCount: number;
  /** The compass values (stored as JSON text). */
  compassValues: CompassValue[];
  /** Axis → total (stored as JSON text; legacy documents: an owned array). */
  playerCompassProgressTotals: Record<string, number>;
  /** Whether it is paused. */
  isPaused: boolean;
  /** Paused at, or null. */
  pausedAt: string | null;
  /** Target age group, or null. */
  targetAgeGroup: string | null;
  /** The selected character, or null. */
  selectedCharacterId: string | null;
  /** Why it ended, or null. */
  endReason: SessionEndReasonName | null;
  /** Duration in seconds, or null. */
  durationSeconds: number | null;
  /** Index of the current scene. */
  currentSceneIndex: number;
  /** Scenes visited. */
  scenesVisited: number;
  /** Last activity. */
  lastActivityAt: string;
  /** Whether others can see it. */
  isPublic: boolean;
  /** Most players (default 1). */
  maxPlayers: number;
  /** Game state JSON text, or null. */
  gameStateJson: string | null;
  /** Final score, or null. */
  finalScore: number | null;
  /** The ending reached, or null. */
  endingAchieved: string | null;
  /** The choices made. */
  choiceHistory: SessionChoice[];
  /** The echoes. */
  echoHistory: EchoLog[];
  /** The achievements earned. */
  achievements: SessionAchievement[];
  /** The character assignments. */
  characterAssignments: SessionCharacterAssignment[];
  /** Never stored: the App's alias of `startedAt` (the same instant, on reading). */
  startTime?: string | null;
  /** Never stored: the App's alias of `endedAt` (the same instant, on reading). */
  endTime?: string | null;
}

const gameSessionCodec = entityCodec({
  container: 'GameSessions',
  type: 'GameSession',
  partitionKey: 'accountId',
  fields: {
    id: stringField('id'),
    accountId: stringField('accountId'),
    scenarioId: stringField('ScenarioId'),
    profileId: stringField('ProfileId'),
    hostPlayerId: stringField('HostPlayerId'),
    status: enumField('Status', SessionStatus),
    currentSceneId: stringField('CurrentSceneId').nullable(),
    joinCode: stringField('JoinCode').nullable(),
    startedAt: dateField('StartedAt').nullable(),
    endedAt: dateField('EndedAt').nullable(),
    /** .NET `TimeSpan` text, `[d.]hh:mm:ss[.fffffff]`. */
    elapsedTime: stringField('ElapsedTime').nullable(),
    playerNames: commaListField('PlayerNames'),
    targetAgeGroupName: stringField('TargetAgeGroupName').nullable(),
    sceneCount: numberField('SceneCount'),
    compassValues: jsonTextField<CompassValue[]>('CompassValues', []),
    playerCompassProgressTotals: jsonTextField<Record<string, number>>(
      'PlayerCompassProgressTotals',
      {},
    ),
    isPaused: booleanField('IsPaused'),
    pausedAt: dateField('PausedAt').nullable(),
    targetAgeGroup: stringField('TargetAgeGroup').nullable(),
    selectedCharacterId: stringField('SelectedCharacterId').nullable(),
    endReason: enumField('EndReason', SessionEndReason).nullable(),
    durationSeconds: numberField('DurationSeconds').nullable(),
    currentSceneIndex: numberField('CurrentSceneIndex'),
    scenesVisited: numberField('ScenesVisited'),
    lastActivityAt: dateField('LastActivityAt'),
    isPublic: booleanField('IsPublic'),
    maxPlayers: numberField('MaxPlayers', { default: 1 }),
    gameStateJson: stringField('GameStateJson').nullable(),
    finalScore: numberField('FinalScore').nullable(),
    endingAchieved: stringField('EndingAchieved').nullable(),
    choiceHistory: objectsField('ChoiceHistory', choice),
    echoHistory: objectsField('EchoHistory', echo),
    achievements: objectsField('Achievements', achievement),
    characterAssignments: objectsField('CharacterAssignments', characterAssignment),
    ...softDeletableFields(),
    /** Ignored by the App's model (never stored); its specifications order by it. */
    startTime: computedField(
      (doc) => (typeof doc.StartedAt === 'string' ? parseDotnetDate(doc.StartedAt) : null),
      field.date().nullable(),
      'query startedAt (stored as StartedAt) instead',
    ),
    /** Ignored by the App's model (never stored). */
    endTime: computedField(
      (doc) => (typeof doc.EndedAt === 'string' ? parseDotnetDate(doc.EndedAt) : null),
      field.date().nullable(),
      'query endedAt (stored as EndedAt) instead',
    ),
  },
  generations: [
    // No legacy model was soft-deletable; EF writes IsDeleted (a non-null bool) on every current
    // document [inferred from 1.1]. Legacy SessionStatus numbers differ (1.4); the compass
    // totals were an owned array (1.2.4); achievement types and player types changed (1.4).
    legacyWithout('IsDeleted', {
      renumber: { Status: LEGACY_SESSION_STATUS },
      upgrade: legacySession,
      touches: ['PlayerCompassProgressTotals', 'Achievements', 'CharacterAssignments'],
    }),
  ],
});

/** The codec of `GameSessions` documents (both generations): use it with `mapped()`. */
export const gameSessions = codecOf<GameSession>()(gameSessionCodec);
