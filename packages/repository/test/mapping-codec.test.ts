import { createHash } from 'node:crypto';
import {
  deterministicGuid,
  dotnetDate,
  idFormatOf,
  memoryRepository,
  newEntityId,
  newGuidN,
  parseDotnetDate,
  STORED,
  storedDocumentOf,
} from '@mystira/repository';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentDoc,
  legacyDoc,
  type Session,
  SessionStatus,
  Sessions,
} from './mapping-fixtures.js';

/** The item without the stored document it remembers (for comparisons). */
function plain<T extends object>(item: T): T {
  return JSON.parse(JSON.stringify(item)) as T;
}

describe('entity codec: golden documents', () => {
  it('decodes the current generation to the TypeScript shape', () => {
    const s = Sessions.decode(currentDoc);
    expect(plain(s)).toEqual({
      id: '0d4c8e2f6a7b4c1d9e3f5a6b7c8d9e0f',
      accountId: '9a1c7e55-0000-4000-8000-000000000002',
      scenarioId: 'scn-1',
      profileId: '3f2b9c1e-0000-4000-8000-000000000001',
      status: 'Active',
      startedAt: '2026-02-01T10:00:00.123Z',
      playerNames: ['Robin', 'Sam'],
      compassTotals: { courage: 3 },
      sceneCount: 4,
      isDeleted: false,
      settings: { theme: 'Dark', notifications: false },
      choices: [{ id: '019C0000000000AABBCCDDEEFF', sceneId: 'scene-2', delta: 1 }],
      startTime: '2026-02-01T10:00:00.1234567Z',
    });
    expect(Sessions.generationOf(currentDoc)).toBeNull();
  });

  it('encodes an unchanged item back to the same document, unknown properties included', () => {
    expect(Sessions.encode(Sessions.decode(currentDoc))).toStrictEqual(currentDoc);
    expect(JSON.stringify(Sessions.encode(Sessions.decode(currentDoc)))).toBe(
      JSON.stringify(currentDoc),
    );
  });

  it('read-modify-write keeps what it does not know (spread copies the remembered document)', () => {
    const s = Sessions.decode(currentDoc);
    const changed: Session = { ...s, status: 'Completed', playerNames: ['Robin'] };
    const doc = Sessions.encode(changed);
    expect(doc).toMatchObject({
      Status: 4,
      PlayerNames: 'Robin',
      NewDotnetField: { added: 'by the .NET App later' },
      JoinCode: null,
      StartedAt: '2026-02-01T10:00:00.1234567Z', // unchanged: its 7 digits are kept
      Settings: { Theme: 'Dark', NotificationsEnabled: false, Id: '' },
    });
    expect((doc.ChoiceHistory as object[])[0]).toHaveProperty('EchoGenerated', false);
    expect(storedDocumentOf(s)).toBe(s[STORED as never]);
  });

  it('decodes the legacy generation (renumbered enum, renamed property) and writes the current one', () => {
    expect(Sessions.generationOf(legacyDoc)).toBe('legacy (Mystira.App.Domain)');
    const s = Sessions.decode(legacyDoc);
    expect(plain(s)).toMatchObject({
      status: 'Active', // legacy 1 = InProgress
      startedAt: '2025-11-20T08:30:00.000Z', // no offset: read as UTC
      playerNames: ['Ada'],
      sceneCount: 0,
      settings: null,
      choices: [],
    });
    const doc = Sessions.encode(s);
    expect(doc).toMatchObject({
      Status: 2,
      PlayerNames: 'Ada',
      SceneCount: 0,
      $type: 'GameSession',
    });
    expect(doc).not.toHaveProperty('Players');
    expect(doc.Discriminator).toBe('GameSession'); // unknown to the codec: kept
    // The current document decodes to the same item: the generations are equivalent.
    expect(plain(Sessions.decode(doc))).toEqual(plain(s));
  });

  it('writes a fresh item in the .NET shape', () => {
    const fresh: Session = {
      id: 's-new',
      accountId: 'a-1',
      scenarioId: 'scn-1',
      profileId: 'p-1',
      status: 'Pending',
      startedAt: '2026-03-01T12:00:00.500Z',
      playerNames: [],
      compassTotals: { wisdom: 1 },
      sceneCount: 2,
      isDeleted: false,
      settings: null,
      choices: [{ id: 'c1', sceneId: 'scene-1', delta: -1 }],
      startTime: null,
    };
    expect(Sessions.encode(fresh)).toStrictEqual({
      id: 's-new',
      accountId: 'a-1',
      ScenarioId: 'scn-1',
      ProfileId: 'p-1',
      Status: 1,
      StartedAt: '2026-03-01T12:00:00.5Z',
      PlayerNames: '',
      PlayerCompassProgressTotals: '{"wisdom":1}',
      SceneCount: 2,
      IsDeleted: false,
      Settings: null,
      ChoiceHistory: [{ Id: 'c1', SceneId: 'scene-1', CompassDelta: -1 }],
      $type: 'GameSession',
    });
  });

  it('refuses a list item with a comma, which the stored string cannot hold', () => {
    const s = { ...Sessions.decode(currentDoc), playerNames: ['a,b'] };
    expect(() => Sessions.encode(s)).toThrow(/contains a comma/);
  });

  it('stored schema accepts documents with properties it does not declare; the domain one does not', () => {
    expect(Sessions.stored.validate(currentDoc)).toEqual([]);
    expect(Sessions.domain.validate({ ...plain(Sessions.decode(currentDoc)), extra: 1 })).toEqual([
      { field: 'extra', message: 'unknown field' },
    ]);
  });
});

describe('entity codec: property round trip', () => {
  const name = fc.stringMatching(/^[A-Za-z0-9 _-]{1,8}$/);
  const instant = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
    .map((t) => new Date(t).toISOString());
  const sessionArb: fc.Arbitrary<Session> = fc.record({
    id: fc.uuid(),
    accountId: fc.uuid(),
    scenarioId: name,
    profileId: name,
    status: fc.constantFrom(...(Object.keys(SessionStatus) as Session['status'][])),
    startedAt: fc.option(instant, { nil: null }),
    playerNames: fc.array(name, { maxLength: 4 }),
    compassTotals: fc.dictionary(
      fc.constantFrom('courage', 'honesty', 'wisdom'),
      fc.integer({ min: -100, max: 100 }),
    ),
    sceneCount: fc.nat(1000),
    isDeleted: fc.boolean(),
    settings: fc.option(fc.record({ theme: name, notifications: fc.boolean() }), { nil: null }),
    choices: fc.array(
      fc.record({
        id: name,
        sceneId: name,
        delta: fc
          .double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 })
          .map((d) => (Object.is(d, -0) ? 0 : d)),
      }),
      { maxLength: 3 },
    ),
    startTime: fc.constant(null),
  }) as fc.Arbitrary<Session>;

  it('decode(encode(item)) = item, and encode is stable through JSON', () => {
    fc.assert(
      fc.property(sessionArb, (item) => {
        const withTime = { ...item, startTime: item.startedAt ? dotnetDate(item.startedAt) : null };
        const doc = JSON.parse(JSON.stringify(Sessions.encode(item)));
        const back = Sessions.decode(doc);
        expect(plain(back)).toEqual(plain(withTime));
        expect(Sessions.encode(back)).toStrictEqual(doc);
        expect(Sessions.domain.validate(back)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('.NET dates', () => {
  it('reads every spelling and writes the trimmed UTC one', () => {
    expect(parseDotnetDate('2026-02-01T10:15:00.123Z')).toBe('2026-02-01T10:15:00.123Z');
    expect(parseDotnetDate('2026-02-01T10:15:00Z')).toBe('2026-02-01T10:15:00.000Z');
    expect(parseDotnetDate('9999-12-31T23:59:59.9999999')).toBe('9999-12-31T23:59:59.999Z');
    expect(parseDotnetDate('2026-02-01T12:15:00+02:00')).toBe('2026-02-01T10:15:00.000Z');
    expect(parseDotnetDate('not a date')).toBeNull();
    expect(dotnetDate('2026-02-01T10:15:00.200Z')).toBe('2026-02-01T10:15:00.2Z');
    expect(dotnetDate('2026-02-01T10:15:00.000Z')).toBe('2026-02-01T10:15:00Z');
  });
});

describe('ids', () => {
  /** The reference's description, implemented independently with node:crypto and Buffer. */
  function referenceGuid(text: string): string {
    const b = createHash('sha256').update(Buffer.from(text, 'utf8')).digest().subarray(0, 16);
    const le = (start: number, len: number) =>
      Buffer.from(b.subarray(start, start + len))
        .reverse()
        .toString('hex');
    return `${le(0, 4)}-${le(4, 2)}-${le(6, 2)}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10, 16).toString('hex')}`;
  }

  it('deterministic GUIDs: SHA-256 of kind:parts (lower-cased), first 16 bytes in .NET Guid order', () => {
    expect(deterministicGuid('compass-axis', 'Courage')).toBe(
      referenceGuid('compass-axis:courage'),
    );
    expect(deterministicGuid('badge', '6-9', 'Curiosity & Initiative', 'Bronze', 1)).toBe(
      referenceGuid('badge:6-9:curiosity & initiative:bronze:1'),
    );
    // A fixed vector, so a change of either implementation is seen: bytes 0-3, 4-5, 6-7 reversed.
    const hex = createHash('sha256').update('age-group:6-9').digest('hex');
    const g = deterministicGuid('age-group', '6-9');
    expect(g.slice(0, 8)).toBe(
      hex.slice(6, 8) + hex.slice(4, 6) + hex.slice(2, 4) + hex.slice(0, 2),
    );
    expect(g.slice(19, 23)).toBe(hex.slice(16, 20));
    expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('recognises the four formats and makes new ids the App accepts', () => {
    expect(idFormatOf('3f2b9c1e-0000-4000-8000-000000000001')).toBe('guid');
    expect(idFormatOf(newGuidN())).toBe('guid-n');
    const e = newEntityId(Date.UTC(2026, 0, 1));
    expect(e).toMatch(/^[0-9A-F]{26}$/);
    expect(idFormatOf(e)).toBe('entity-id');
    expect(Number.parseInt(e.slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
    expect(idFormatOf('GameSession|abc')).toBe('legacy-prefixed');
    expect(idFormatOf('media-metadata')).toBe('other');
  });
});

describe('mapped over memory: writes and reads', () => {
  it('stores the .NET document and returns the TypeScript item', async () => {
    const { mapped } = await import('@mystira/repository');
    const inner = memoryRepository<Record<string, unknown>>(Sessions.stored);
    const repo = mapped(inner, Sessions);
    await inner.add(currentDoc);
    await inner.add(legacyDoc);
    const s = (await repo.getById(currentDoc.id))!;
    expect(s.status).toBe('Active');
    await repo.update({ ...s, sceneCount: 5 });
    const stored = (await inner.getById(currentDoc.id))!;
    expect(stored).toMatchObject({
      SceneCount: 5,
      NewDotnetField: { added: 'by the .NET App later' },
    });
    const legacy = (await repo.getById(legacyDoc.id))!;
    await repo.update(legacy);
    expect(await inner.getById(legacyDoc.id)).toMatchObject({
      Status: 2,
      PlayerNames: 'Ada',
      $type: 'GameSession',
    });
  });
});

describe('alias properties', () => {
  it('are written under every name, read from the first present, and kept when unchanged', async () => {
    const { aliased, entityCodec, stringField } = await import('@mystira/repository');
    const Profiles = entityCodec({
      container: 'UserProfiles',
      type: 'UserProfile',
      fields: { id: stringField('id'), displayName: aliased(stringField('DisplayName'), 'Name') },
    });
    expect(Profiles.encode({ id: 'p', displayName: 'Robin' })).toStrictEqual({
      id: 'p',
      DisplayName: 'Robin',
      Name: 'Robin',
      $type: 'UserProfile',
    });
    const legacy = Profiles.decode({ id: 'p', Name: 'Old' }); // legacy documents had only Name
    expect(legacy.displayName).toBe('Old');
    expect(Profiles.encode({ ...legacy, displayName: 'New' })).toMatchObject({
      DisplayName: 'New',
      Name: 'New',
    });
    expect(Profiles.stored.fieldAt('Name')).toBeDefined();
  });
});

describe('equivalent documents', () => {
  it('are equal once decoded, across generations and spellings', () => {
    const upgraded = Sessions.encode(Sessions.decode(legacyDoc));
    expect(Sessions.equivalent(legacyDoc, upgraded)).toBe(true);
    expect(
      Sessions.equivalent(currentDoc, { ...currentDoc, StartedAt: '2026-02-01T10:00:00.1230000Z' }),
    ).toBe(true);
    expect(Sessions.equivalent(currentDoc, { ...currentDoc, Status: 3 })).toBe(false);
  });
});

describe('JSON values stored as they are', () => {
  it('keep dictionaries, read double-encoded text, and are not queryable', async () => {
    const { entityCodec, jsonValueField, mapQuery, stringField } = await import(
      '@mystira/repository'
    );
    const { queryNode } = await import('@mystira/specification');
    const Palettes = entityCodec({
      container: 'Palettes',
      type: null,
      fields: {
        id: stringField('id'),
        tracks: jsonValueField<Record<string, string[]>>('TracksByProfile', {}),
      },
    });
    expect(Palettes.decode({ id: 'p', TracksByProfile: { Cozy: ['t1'] } }).tracks).toEqual({
      Cozy: ['t1'],
    });
    expect(Palettes.decode({ id: 'p', TracksByProfile: '{"Cozy":["t2"]}' }).tracks).toEqual({
      Cozy: ['t2'],
    });
    expect(Palettes.encode({ id: 'p', tracks: { Wonder: [] } })).toStrictEqual({
      id: 'p',
      TracksByProfile: { Wonder: [] },
    });
    const raw = queryNode({
      kind: 'exists',
      field: { kind: 'field', path: ['tracks'], type: null },
    });
    expect(() => mapQuery(Palettes, raw)).toThrow(/keys the data chooses/);
  });
});
