/**
 * `PlayerScenarioScore` — container `PlayerScenarioScores`, partition `/ProfileId` (reference
 * 1.2.6): one per (profile, scenario), the first analytics data bound for PostgreSQL. The C#
 * property is `UserId` with the alias `ProfileId`; the App partitions on the alias (the Admin
 * API's model on `UserId`), and both names are written. Here `profileId` is the field, stored as
 * `ProfileId` and `UserId`. Legacy documents hold only `id`, `ProfileId`, `ScenarioId`,
 * `GameSessionId`, `AxisScores` (fractional scores) and `CreatedAt`.
 */
import {
  aliased,
  dateField,
  entityCodec,
  jsonTextField,
  numberField,
  stringField,
} from '@mystira/repository';
import type { Audited } from './accounts.js';
import { codecOf, entityFields, legacyWithout } from './base.js';

/** A profile's score on a scenario (reference 1.2.6); dates are instants in `toISOString()` form. */
export interface PlayerScenarioScore extends Audited {
  /** The score id (`EntityId.NewId()` form). */
  id: string;
  /** The profile: the partition key (stored as `ProfileId` and its alias `UserId`). */
  profileId: string;
  /** The session that produced it, or null. */
  gameSessionId: string | null;
  /** The scenario. */
  scenarioId: string;
  /** Axis → score (stored as JSON text; legacy scores may be fractional). */
  axisScores: Record<string, number>;
  /** Best score. */
  bestScore: number;
  /** Attempts. */
  totalAttempts: number;
  /** Completions. */
  completions: number;
  /** First completion, or null. */
  firstCompletedAt: string | null;
  /** Last played, or null. */
  lastPlayedAt: string | null;
  /** Total play time in seconds. */
  totalPlayTimeSeconds: number;
  /** Best ending, or null. */
  bestEnding: string | null;
  /** JSON text, or null. */
  endingsDiscoveredJson: string | null;
  /** Scenes visited, in percent (a .NET decimal). */
  scenesVisitedPercentage: number;
  /** Echoes discovered, in percent (a .NET decimal). */
  echoesDiscoveredPercentage: number;
}

const playerScenarioScoreCodec = entityCodec({
  container: 'PlayerScenarioScores',
  type: 'PlayerScenarioScore',
  partitionKey: 'profileId',
  fields: {
    id: stringField('id'),
    profileId: aliased(stringField('ProfileId'), 'UserId'),
    gameSessionId: stringField('GameSessionId').nullable(),
    scenarioId: stringField('ScenarioId'),
    axisScores: jsonTextField<Record<string, number>>('AxisScores', {}),
    bestScore: numberField('BestScore'),
    totalAttempts: numberField('TotalAttempts'),
    completions: numberField('Completions'),
    firstCompletedAt: dateField('FirstCompletedAt').nullable(),
    lastPlayedAt: dateField('LastPlayedAt').nullable(),
    totalPlayTimeSeconds: numberField('TotalPlayTimeSeconds'),
    bestEnding: stringField('BestEnding').nullable(),
    endingsDiscoveredJson: stringField('EndingsDiscoveredJson').nullable(),
    scenesVisitedPercentage: numberField('ScenesVisitedPercentage'),
    echoesDiscoveredPercentage: numberField('EchoesDiscoveredPercentage'),
    ...entityFields(),
  },
  generations: [
    // TotalAttempts (a non-null int the current model always writes) is not in the legacy field
    // list [inferred from 1.2.6].
    legacyWithout('TotalAttempts'),
  ],
});

/** The codec of `PlayerScenarioScores` documents (both generations): use it with `mapped()`. */
export const playerScenarioScores = codecOf<PlayerScenarioScore>()(playerScenarioScoreCodec);
