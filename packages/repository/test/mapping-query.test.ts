import { mapQuery, UnmappableQueryError } from '@mystira/repository';
import {
  isSatisfiedBy,
  type Predicate,
  predicates,
  type QueryNode,
  spec,
} from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currentDoc, legacyDoc, Sessions } from './mapping-fixtures.js';

const w = predicates(Sessions.domain);
const q = (p: Predicate): QueryNode => spec(Sessions.domain).where(p).build();

describe('mapQuery: translations', () => {
  it("compares an enum with its stored integer, in each generation's numbering", () => {
    const m = mapQuery(Sessions, q(w.eq('status', 'Completed')));
    expect(m.entity).toBe('GameSessions');
    const legacy = { kind: 'isNull', field: { kind: 'field', path: ['SceneCount'], type: null } };
    const status = (value: number) => ({
      kind: 'compare',
      op: 'eq',
      field: { kind: 'field', path: ['Status'], type: null },
      value: { kind: 'value', type: 'number', value },
      ignoreCase: false,
    });
    // Legacy documents number Completed 3, current ones 4; a document without Status decodes
    // to the default (Creating), which is not Completed.
    const notMissing = { kind: 'not', operand: { kind: 'isNull', field: status(0).field } };
    expect(m.where).toEqual({
      kind: 'or',
      operands: [
        { kind: 'and', operands: [legacy, { kind: 'and', operands: [notMissing, status(3)] }] },
        {
          kind: 'and',
          operands: [
            { kind: 'not', operand: legacy },
            { kind: 'and', operands: [notMissing, status(4)] },
          ],
        },
      ],
    });
    // A name that is no member can equal no stored value.
    expect(mapQuery(Sessions, q(w.eq('status', 'InProgress'))).where).toEqual({
      kind: 'const',
      value: false,
    });
  });

  it('a field no generation changed is only renamed', () => {
    expect(mapQuery(Sessions, q(w.gte('sceneCount', 2))).where).toEqual({
      kind: 'and',
      operands: [
        {
          kind: 'not',
          operand: { kind: 'isNull', field: { kind: 'field', path: ['SceneCount'], type: null } },
        },
        {
          kind: 'compare',
          op: 'gte',
          field: { kind: 'field', path: ['SceneCount'], type: null },
          value: { kind: 'value', type: 'number', value: 2 },
          ignoreCase: false,
        },
      ],
    });
  });

  it('nested paths use the nested stored names', () => {
    const m = mapQuery(
      Sessions,
      spec(Sessions.domain)
        .where((x) => x.eq('settings.theme', 'Dark'))
        .orderBy('sceneCount')
        .build(),
    );
    expect((m.where as unknown as { operands: Predicate[] }).operands[1]).toMatchObject({
      kind: 'compare',
      field: { path: ['Settings', 'Theme'] },
    });
    expect(m.orderBy[0]!.field.path).toEqual(['SceneCount']);
    expect(m.idField.path).toEqual(['id']);
  });

  it('arrayContains on a comma-joined list is an exact test on the joined string', () => {
    const m = mapQuery(Sessions, q(w.arrayContains('playerNames', 'Sam')));
    // PlayerNames was Players in legacy documents: the current branch is the last.
    const current = (
      m.where as unknown as { operands: { operands: { operands: Predicate[] }[] }[] }
    ).operands[1]!.operands[1]!.operands[1];
    expect(current).toMatchObject({
      kind: 'or',
      operands: [
        { kind: 'compare', op: 'eq', value: { value: 'Sam' } },
        { kind: 'stringMatch', op: 'startsWith', value: 'Sam,' },
        { kind: 'stringMatch', op: 'endsWith', value: ',Sam' },
        { kind: 'stringMatch', op: 'contains', value: ',Sam,' },
      ],
    });
  });

  it('refuses, when mapping, what has no correct stored equivalent, and says why', () => {
    const refusal = (p: () => QueryNode) => {
      try {
        mapQuery(Sessions, p());
      } catch (err) {
        expect(err).toBeInstanceOf(UnmappableQueryError);
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(() => q(w.arrayContains('playerNames', 'a,b')))).toMatch(
      /contains a comma, and the list is stored as one comma-joined string/,
    );
    expect(refusal(() => spec(Sessions.domain).orderBy('startTime').build())).toMatch(
      /"startTime": it is not stored .* query startedAt/,
    );
    expect(refusal(() => spec(Sessions.domain).orderBy('status').build())).toMatch(
      /enums are stored as numbers/,
    );
    expect(refusal(() => q(w.gt('status', 'Active')))).toMatch(/compare with eq\/ne\/in/);
    expect(refusal(() => q(w.isNull('playerNames')))).toMatch(/reads as an empty list/);
    // A raw AST on a JSON-text field (the builder already refuses it: it is not in the schema).
    const raw = {
      ...q(w.eq('sceneCount', 1)),
      where: { kind: 'isNull', field: { kind: 'field', path: ['compassTotals'], type: null } },
    } as QueryNode;
    expect(refusal(() => raw)).toMatch(/JSON text inside a string/);
    expect(() => spec(Sessions.domain).where((x) => x.isNull('compassTotals' as never))).toThrow(
      /compassTotals/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property: for any stored document (any .NET spelling) and any predicate, the mapped predicate
// on the stored document answers as the original one on the decoded item.

const SECONDS = ['2026-02-01T10:00:00', '2026-02-01T10:00:01'];
const fraction = fc
  .oneof(
    fc.constantFrom('', '1', '12', '123', '1234567', '15', '999', '9999999', '05', '001'),
    fc.stringMatching(/^[0-9]{0,7}$/),
  )
  .map((f) => f.replace(/0+$/, ''));
const dotnetText = fc
  .tuple(fc.constantFrom(...SECONDS), fraction, fc.constantFrom('Z', 'Z', ''))
  .map(([s, f, z]) => `${s}${f ? `.${f}` : ''}${z}`);
const instant = fc
  .tuple(
    fc.constantFrom(...SECONDS),
    fc.constantFrom('000', '100', '120', '123', '150', '999', '001', '010'),
  )
  .map(([s, ms]) => `${s}.${ms}Z`);
const names = fc.constantFrom('Robin', 'Rob', 'Sam', 'Sa', 'Ada', '');

const docArb = fc
  .record({
    status: fc.constantFrom(0, 1, 2, 3, 4, 9),
    startedAt: fc.option(dotnetText, { nil: null }),
    players: fc.array(names, { maxLength: 3 }).map((a) => a.join(',')),
    sceneCount: fc.integer({ min: 0, max: 3 }),
    settings: fc.option(fc.option(fc.constantFrom('Dark', 'dark', 'Light'), { nil: undefined }), {
      nil: null,
    }),
    legacy: fc.boolean(),
  })
  .map((r) => {
    const settings =
      r.settings === null ? null : r.settings === undefined ? { Id: '' } : { Theme: r.settings };
    if (r.legacy) {
      // Old names and numbering, no SceneCount (which marks the generation).
      return {
        ...legacyDoc,
        Status: Math.min(r.status, 4),
        StartedAt: r.startedAt,
        Players: r.players,
        Settings: settings,
      };
    }
    return {
      ...currentDoc,
      Status: r.status,
      StartedAt: r.startedAt,
      PlayerNames: r.players,
      SceneCount: r.sceneCount,
      Settings: settings,
    };
  });

const leaf: fc.Arbitrary<Predicate> = fc.oneof(
  fc
    .tuple(fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte') as fc.Arbitrary<'eq'>, instant)
    .map(([op, v]) => w[op]('startedAt', v)),
  fc.tuple(instant, instant).map(([a, b]) => {
    const [low, high] = [a, b].sort() as [string, string];
    return w.between('startedAt', low, high);
  }),
  fc.array(instant, { maxLength: 2 }).map((vs) => w.in('startedAt', vs)),
  fc.array(instant, { maxLength: 2 }).map((vs) => w.notIn('startedAt', vs)),
  fc.constant(w.isNull('startedAt')),
  fc.constant(w.isNull('settings')),
  fc.constant(w.exists('settings.theme')),
  fc.constant(w.isNull('settings.theme')),
  fc
    .constantFrom('Creating', 'Pending', 'Active', 'Completed', 'Abandoned', 'Failed')
    .map((s) => w.eq('status', s)),
  fc.constantFrom('Active', 'Completed').map((s) => w.ne('status', s)),
  fc
    .array(fc.constantFrom('Active', 'Paused', 'Pending', '9'), { maxLength: 3 })
    .map((s) => w.in('status', s)),
  fc
    .array(names, { minLength: 1, maxLength: 2 })
    .map((vs) => w.arrayContainsAny('playerNames', vs)),
  fc.constantFrom('Dark', 'dark').map((t) => w.eq('settings.theme', t, { ignoreCase: true })),
  fc.integer({ min: 0, max: 3 }).map((n) => w.gte('sceneCount', n)),
);
const predicate = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => w.and(a, b)) },
  { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => w.or(a, b)) },
  { weight: 1, arbitrary: leaf.map((a) => w.not(a)) },
);

describe('mapQuery: property', () => {
  it('the mapped predicate on the stored document = the predicate on the decoded item', () => {
    fc.assert(
      fc.property(docArb, predicate, (doc, p) => {
        const domainQuery = q(p);
        const item = JSON.parse(JSON.stringify(Sessions.decode(doc)));
        const expected = isSatisfiedBy(domainQuery, item);
        expect({ doc, got: isSatisfiedBy(mapQuery(Sessions, domainQuery), doc) }).toEqual({
          doc,
          got: expected,
        });
      }),
      { numRuns: 3000 },
    );
    // 3000 runs are CPU-bound: a busy machine takes longer than the default 5 s, which is no failure.
  }, 60_000);
});
