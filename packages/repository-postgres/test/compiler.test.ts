import { bindQuery, ValidationError } from '@mystira/repository';
import {
  compileSelect,
  createTableStatements,
  PostgresRepository,
  quoteIdent,
  tableMapping,
} from '@mystira/repository-postgres';
import {
  conformanceCases,
  entity,
  evaluate,
  field,
  type Predicate,
  Probe,
  type ProbeT,
  probeRows,
  type QueryNode,
  spec,
  type Where,
} from '@mystira/specification';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryWithTable, useTestDatabase } from './helpers.js';

const t = useTestDatabase('cmp');
let probes: PostgresRepository<ProbeT>;

beforeAll(async () => {
  probes = new PostgresRepository<ProbeT>(t.db, Probe, {
    schema: t.schema,
    indexes: ['name', 'score', 'tags'],
  });
  for (const stmt of createTableStatements(probes.mapping)) await t.db.query(stmt);
  await probes.addMany(probeRows.map((r) => structuredClone(r) as ProbeT));
});

describe('the semantics table of @mystira/specification, on PostgreSQL (document layout)', () => {
  for (const c of conformanceCases) {
    it(`${c.id}: ${c.rule}`, async () => {
      const s = c.spec(spec(Probe));
      const e = c.expect;
      if ('ids' in e) expect((await probes.list(s)).map((r) => (r as ProbeT).id)).toEqual(e.ids);
      else if ('count' in e) expect(await probes.count(s)).toBe(e.count);
      else if ('any' in e) expect(await probes.any(s)).toBe(e.any);
      else expect(await probes.list(s)).toEqual(e.items);
    });
  }
});

// ---- Injection ---------------------------------------------------------------------------------

const Note = entity(
  'notes',
  { id: field.string(), body: field.string(), tags: field.array(field.string()) },
  { id: 'id' },
);
type NoteT = { id: string; body: string; tags: string[] };

const HOSTILE = [
  "'",
  "''; DROP TABLE notes; --",
  '"',
  '\\',
  '\\\\%',
  '$1',
  '$$ $tag$',
  '--',
  '/* */',
  ';',
  "') OR ('1'='1",
  '%_%',
  "E'\\x00'",
  '\u{1f600}\'"\\',
];

describe('injection: hostile values never change the statement', () => {
  const mapping = tableMapping(Note, { schema: 's' });
  const shapes = (make: (v: string) => QueryNode) => {
    const benign = compileSelect(mapping, bindQuery(Note, make('benign')));
    return (v: string) => {
      const c = compileSelect(mapping, bindQuery(Note, make(v)));
      expect(c.text).toBe(benign.text);
      return c;
    };
  };
  // One condition per operator that takes a caller's string.
  const conditions: Record<string, (w: Where<NoteT>, v: string) => Predicate> = {
    eq: (w, v) => w.eq('body', v),
    eqIgnoreCase: (w, v) => w.eq('body', v, { ignoreCase: true }),
    in: (w, v) => w.in('body', [v, 'x']),
    startsWith: (w, v) => w.startsWith('body', v),
    contains: (w, v) => w.contains('body', v, { ignoreCase: true }),
    like: (w, v) => w.like('body', v.replace(/\\/g, '\\\\')),
    arrayContains: (w, v) => w.arrayContains('tags', v),
    range: (w, v) => w.between('body', v, `${v}z`),
  };

  /** Each condition as the whole query it makes for an operand. */
  const builders: Record<string, (v: string) => QueryNode> = Object.fromEntries(
    Object.entries(conditions).map(([name, condition]) => [
      name,
      (v: string) =>
        spec(Note)
          .where((w) => condition(w, v))
          .build(),
    ]),
  );

  for (const [name, make] of Object.entries(builders)) {
    it(`${name}: same SQL text for every operand, operands only in values`, () => {
      const check = shapes(make);
      for (const v of HOSTILE) {
        check(v);
      }
      fc.assert(
        fc.property(
          fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('\u0000')),
          (v) => {
            check(v);
          },
        ),
        { numRuns: 100 },
      );
    });
  }

  it('hostile values round-trip and match exactly what the evaluator matches', async () => {
    const repo = await repositoryWithTable<NoteT>(t, Note, { table: 'notes_inj' });
    const rows: NoteT[] = HOSTILE.map((body, i) => ({
      id: `n${String(i).padStart(2, '0')}`,
      body,
      tags: [body],
    }));
    await repo.addMany(rows);
    for (const r of rows) expect(await repo.getById(r.id)).toEqual(r);
    for (const make of Object.values(builders)) {
      for (const v of HOSTILE) {
        const q = make(v);
        expect(await repo.list(q), JSON.stringify(v)).toEqual(evaluate(q, rows));
      }
    }
    // The table is still there and whole.
    expect(await repo.count(spec(Note))).toBe(HOSTILE.length);
  });

  it('NUL bytes are rejected before any SQL is sent', () => {
    for (const make of Object.values(builders)) {
      expect(() => compileSelect(mapping, bindQuery(Note, make('a\u0000b')))).toThrow(
        ValidationError,
      );
    }
  });

  it('field names come only from the schema: hostile names are rejected, never quoted into SQL', async () => {
    const base = spec(Note).build();
    const names = [
      'body"; DROP TABLE notes; --',
      "body'",
      'body\u0000',
      'data',
      'id) OR (1=1',
      '__proto__',
      'body.x',
    ];
    for (const name of names) {
      const q: QueryNode = {
        ...base,
        where: {
          kind: 'compare',
          op: 'eq',
          field: { kind: 'field', path: name.split('.'), type: null },
          value: { kind: 'value', type: 'string', value: 'x' },
          ignoreCase: false,
        },
      };
      expect(() => bindQuery(Note, q), name).toThrow(ValidationError);
      await expect(
        new PostgresRepository<NoteT>(t.db, Note, { schema: t.schema, table: 'notes_inj' }).list(q),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (name) => {
        fc.pre(!['id', 'body', 'tags'].includes(name));
        expect(() => spec(Note).orderByField(name)).toThrow();
      }),
      { numRuns: 100 },
    );
  });

  it('an operator outside the whitelist is rejected', () => {
    const base = spec(Note).build();
    const q = {
      ...base,
      where: {
        kind: 'compare',
        op: 'eq) OR (1=1',
        field: { kind: 'field', path: ['body'], type: 'string' },
        value: { kind: 'value', type: 'string', value: 'x' },
        ignoreCase: false,
      },
    } as unknown as QueryNode;
    expect(() => compileSelect(mapping, bindQuery(Note, q))).toThrow(ValidationError);
  });

  it('identifiers are always quoted and unsafe ones rejected', () => {
    expect(quoteIdent('notes')).toBe('"notes"');
    for (const bad of ['a"b', 'a;b', '', 'a b', 'x\u0000']) expect(() => quoteIdent(bad)).toThrow();
    expect(() => tableMapping(Note, { table: 'notes"; DROP' })).toThrow();
  });
});

describe('generated indexes match the compiled expressions', () => {
  // With sequential scans disabled the planner must use an index whenever one matches, so a plan
  // without our index means the DDL and the compiler disagree on the expression text.
  const Item = entity(
    'indexed',
    {
      id: field.string(),
      country: field.string(),
      score: field.number().optional(),
      tags: field.array(field.string()),
    },
    { id: 'id' },
  );
  for (const layout of ['document', 'columns'] as const) {
    it(`${layout}: filters, orders and arrayContains use them`, async () => {
      const repo = await repositoryWithTable(t, Item, {
        layout,
        table: `indexed_${layout}`,
        indexes: ['country', 'score', 'tags'],
      });
      const plan = (q: QueryNode) =>
        t.db.withTransaction(async () => {
          await t.db.query('SET LOCAL enable_seqscan = off');
          const c = compileSelect(repo.mapping, bindQuery(Item, q));
          const r = await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${c.text}`, c.values);
          return r.rows.map((x) => x['QUERY PLAN']).join('\n');
        });
      expect(
        await plan(
          spec(Item)
            .where((w) => w.eq('country', 'NO'))
            .build(),
        ),
      ).toContain(`indexed_${layout}_country_idx`);
      const ordered = await plan(spec(Item).orderByDescending('score').take(5).build());
      expect(ordered).toContain(`indexed_${layout}_score_idx`);
      expect(ordered).not.toMatch(/\n\s*->\s*Sort /); // at most an incremental sort on the tiebreaker
      expect(
        await plan(
          spec(Item)
            .where((w) => w.arrayContains('tags', 'x'))
            .build(),
        ),
      ).toContain(`indexed_${layout}_tags_idx`);
    });
  }
});
