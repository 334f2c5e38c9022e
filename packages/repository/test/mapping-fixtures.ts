/**
 * A codec modelled on Mystira's `GameSessions` documents (the container with the most
 * conventions: a camelCase partition key, an integer enum renumbered between generations, a
 * comma-joined list, JSON text in a string, .NET dates, an embedded collection, a computed
 * property the .NET model ignores), with golden documents of both generations.
 */
import {
  booleanField,
  commaListField,
  computedField,
  dateField,
  entityCodec,
  enumField,
  generation,
  type ItemOf,
  jsonTextField,
  numberField,
  objectField,
  objectsField,
  stringField,
} from '@mystira/repository';
import { field } from '@mystira/specification';

export const SessionStatus = {
  Creating: 0,
  Pending: 1,
  Active: 2,
  Paused: 3,
  Completed: 4,
  Abandoned: 5,
  Failed: 6,
  Expired: 7,
} as const;

/** Legacy (Mystira.App.Domain) SessionStatus → current: NotStarted→Pending, InProgress→Active, … */
const LEGACY_STATUS = { 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 } as const;

export const Sessions = entityCodec({
  container: 'GameSessions',
  type: 'GameSession',
  partitionKey: 'accountId',
  fields: {
    id: stringField('id'),
    accountId: stringField('accountId'),
    scenarioId: stringField('ScenarioId'),
    profileId: stringField('ProfileId'),
    status: enumField('Status', SessionStatus),
    startedAt: dateField('StartedAt').nullable(),
    playerNames: commaListField('PlayerNames'),
    compassTotals: jsonTextField<Record<string, number>>('PlayerCompassProgressTotals', {}),
    sceneCount: numberField('SceneCount'),
    isDeleted: booleanField('IsDeleted'),
    settings: objectField('Settings', {
      theme: stringField('Theme', { default: 'Light' }),
      notifications: booleanField('NotificationsEnabled', { default: true }),
    }).nullable(),
    choices: objectsField('ChoiceHistory', {
      id: stringField('Id'),
      sceneId: stringField('SceneId'),
      delta: numberField('CompassDelta'),
    }),
    startTime: computedField(
      (doc) => (typeof doc.StartedAt === 'string' ? doc.StartedAt : null),
      field.string().nullable(),
      'query startedAt (stored as StartedAt) instead',
    ),
  },
  generations: [
    // EF writes every mapped property, so a current document always has SceneCount (an int).
    generation('legacy (Mystira.App.Domain)', {
      where: (w) => w.isNull('SceneCount'),
      rename: { Players: 'PlayerNames' },
      renumber: { Status: LEGACY_STATUS },
    }),
  ],
});

export type Session = ItemOf<typeof Sessions>;

/** A current-generation document as EF Core 10 writes it, plus a property the SDK does not know. */
export const currentDoc = {
  id: '0d4c8e2f6a7b4c1d9e3f5a6b7c8d9e0f',
  accountId: '9a1c7e55-0000-4000-8000-000000000002',
  ScenarioId: 'scn-1',
  ProfileId: '3f2b9c1e-0000-4000-8000-000000000001',
  Status: 2,
  StartedAt: '2026-02-01T10:00:00.1234567Z',
  PlayerNames: 'Robin,Sam',
  PlayerCompassProgressTotals: '{"courage":3}',
  SceneCount: 4,
  IsDeleted: false,
  Settings: { Theme: 'Dark', NotificationsEnabled: false, Id: '' },
  ChoiceHistory: [
    {
      Id: '019C0000000000AABBCCDDEEFF',
      SceneId: 'scene-2',
      CompassDelta: 1.0,
      EchoGenerated: false,
    },
  ],
  JoinCode: null,
  NewDotnetField: { added: 'by the .NET App later' },
  $type: 'GameSession',
};

/** A legacy document: old status numbering (1 = InProgress), no SceneCount, an old name. */
export const legacyDoc = {
  id: 'aa11bb22cc33dd44ee55ff6677889900',
  accountId: '9a1c7e55-0000-4000-8000-000000000002',
  ScenarioId: 'scn-2',
  ProfileId: 'p-2',
  Status: 1,
  StartedAt: '2025-11-20T08:30:00',
  Players: 'Ada',
  PlayerCompassProgressTotals: '{"honesty":2}',
  IsDeleted: false,
  Settings: null,
  ChoiceHistory: [],
  Discriminator: 'GameSession',
};
