/**
 * The specification README's semantics table is normative, and its adapter columns say what the
 * compilers emit: this keeps them true. Each row has probe specifications; they are compiled by
 * `@mystira/repository-postgres` (document and columns layouts) and `@mystira/repository-cosmos`
 * (azure and cosmosdb-server profiles), and every code fragment in the row's PostgreSQL and Cosmos
 * DB cells must appear in that SQL. Names in the memory column must be exports of
 * `@mystira/specification`, and the `Sx` ids of the rule column must be conformance cases.
 *
 * Fragments are written generically: `f` is the probed field's expression (`c.f` on Cosmos), `id`
 * the id's; `$1`, `$2` and `@p0`, `@p1` match any parameter number. A code span that is one or two
 * characters (`%`, `_`), or names an export, an operator or a `Specification` method, is prose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePredicate, compileQuery, Params } from '@mystira/repository-cosmos';
import {
  compileAny,
  compileCount,
  compileSelect,
  type Layout,
  tableMapping,
} from '@mystira/repository-postgres';
import * as specification from '@mystira/specification';
import {
  ALL_OPERATORS,
  conformanceCases,
  entity,
  field,
  type Infer,
  type Specification,
  spec,
} from '@mystira/specification';
import { describe, expect, it } from 'vitest';
import { root } from './lib/tools.js';

// Every type the table talks about, each field as absent as the columns layout allows.
const Row = entity('rows', {
  id: field.string(),
  s: field.string().optional(),
  n: field.number().nullable(),
  b: field.boolean(),
  d: field.date(),
  big: field.bigint(),
  tags: field.array(field.string()).optional(),
});
type RowT = Infer<typeof Row>;
type FieldName = Exclude<keyof RowT, 'id'>;

/** A specification to compile, and the field whose expression the fragments call `f`. */
type Probe = readonly [FieldName, (s: Specification<RowT>) => Specification<RowT>];

const D = '2024-05-01T12:00:00.000Z';

/** Per row number: the specifications whose SQL its adapter cells describe. */
const PROBES: Readonly<Record<number, readonly Probe[]>> = {
  1: [
    ['s', (q) => q.where((w) => w.eq('s', 'x'))],
    ['n', (q) => q.where((w) => w.eq('n', 1))],
    ['b', (q) => q.where((w) => w.eq('b', true))],
    ['d', (q) => q.where((w) => w.eq('d', D))],
    ['big', (q) => q.where((w) => w.eq('big', '12'))],
  ],
  2: [['s', (q) => q.where((w) => w.isNull('s'))]],
  3: [
    ['n', (q) => q.where((w) => w.not(w.lt('n', 3)))],
    ['n', (q) => q.where((w) => w.or(w.and(w.gt('n', 1), w.lt('n', 9)), w.not(w.isNull('n'))))],
  ],
  4: [
    ['s', (q) => q.where((w) => w.eq('s', 'x'))],
    ['n', (q) => q.where((w) => w.ne('n', 3))],
  ],
  5: [
    ['s', (q) => q.where((w) => w.isNull('s'))],
    ['s', (q) => q.where((w) => w.exists('s'))],
  ],
  6: [
    ['s', (q) => q.where((w) => w.in('s', ['x', 'y']))],
    ['n', (q) => q.where((w) => w.notIn('n', [1, 2]))],
    ['n', (q) => q.where((w) => w.between('n', 1, 5))],
    ['s', (q) => q.where((w) => w.in('s', []))],
    ['s', (q) => q.where((w) => w.notIn('s', []))],
  ],
  7: [
    ['s', (q) => q.where((w) => w.lt('s', 'm')).orderBy('s')],
    ['s', (q) => q.where((w) => w.lt('s', '\u{1F600}'))],
  ],
  8: [
    ['s', (q) => q.where((w) => w.eq('s', 'Ab', { ignoreCase: true }))],
    ['s', (q) => q.where((w) => w.startsWith('s', 'Ab', { ignoreCase: true }))],
  ],
  9: [
    ['s', (q) => q.where((w) => w.startsWith('s', 'a_'))],
    ['s', (q) => q.where((w) => w.endsWith('s', 'z'))],
    ['s', (q) => q.where((w) => w.contains('s', 'm'))],
  ],
  10: [
    ['s', (q) => q.where((w) => w.like('s', 'abc'))],
    ['s', (q) => q.where((w) => w.like('s', 'a%z'))],
    ['s', (q) => q.where((w) => w.like('s', '%b%'))],
    ['s', (q) => q.where((w) => w.like('s', 'a_[c]%'))],
  ],
  11: [
    ['tags', (q) => q.where((w) => w.arrayContains('tags', 'x'))],
    ['tags', (q) => q.where((w) => w.arrayContainsAny('tags', ['x', 'y']))],
    ['tags', (q) => q.where((w) => w.not(w.arrayContains('tags', 'x')))],
  ],
  12: [['n', (q) => q.where((w) => w.gt('n', 1.5))]],
  13: [
    ['big', (q) => q.where((w) => w.eq('big', '12'))],
    ['big', (q) => q.where((w) => w.gt('big', '12'))],
  ],
  14: [['d', (q) => q.where((w) => w.gt('d', D))]],
  15: [['b', (q) => q.where((w) => w.eq('b', true))]],
  16: [
    ['s', (q) => q.orderBy('s')],
    ['s', (q) => q.orderBy('s', 'desc')],
  ],
  17: [['s', (q) => q.orderBy('s').skip(3).take(5)]],
  18: [
    [
      's',
      (q) =>
        q
          .where((w) => w.eq('s', 'x'))
          .orderBy('s')
          .take(5),
    ],
  ],
};

/** `$1`, `$2` ... and `@p0`, `@p1` ... stand for any parameter. */
const anyParameter = (sql: string) => sql.replace(/\$\d+/g, '$n').replace(/@p\d+/g, '@p');

function replaceAll(sql: string, replacements: readonly (readonly [string, string])[]): string {
  let out = sql;
  // Longest first: a field's typed expression contains its presence expression.
  for (const [from, to] of [...replacements].sort(([a], [b]) => b.length - a.length)) {
    out = out.split(from).join(to);
  }
  return out;
}

function postgresSql([name, build]: Probe): string {
  const out: string[] = [];
  for (const layout of ['document', 'columns'] satisfies Layout[]) {
    const mapping = tableMapping(Row, { layout });
    const query = build(spec(Row)).build();
    const f = mapping.access([name]);
    const id = mapping.access(['id']);
    const names: [string, string][] = [];
    for (const e of [f.scalar, f.presence, f.json]) if (e) names.push([e, 'f']);
    if (id.scalar) names.push([id.scalar, 'id']);
    for (const compiled of [compileSelect, compileCount, compileAny]) {
      out.push(anyParameter(replaceAll(compiled(mapping, query).text, names)));
    }
  }
  return out.join('\n');
}

function cosmosSql([name, build]: Probe): string {
  const out: string[] = [];
  for (const profile of ['azure', 'cosmosdb-server'] as const) {
    const query = build(spec(Row)).build();
    const names: [string, string][] = [
      [`c[${JSON.stringify(name)}]`, 'c.f'],
      ['c["id"]', 'c.id'],
    ];
    const where = query.where ?? { kind: 'const', value: true };
    const halves = compilePredicate(where, new Params(), { profile, entity: Row });
    const plan = compileQuery(query, { profile, entity: Row });
    const texts = [
      halves.sql,
      halves.negated,
      ...plan.parts.map((p) => p.sql(10).query),
      plan.count.query,
    ];
    for (const text of texts) out.push(anyParameter(replaceAll(text, names)));
  }
  return out.join('\n');
}

interface TableRow {
  readonly n: number;
  readonly rule: string;
  readonly memory: string;
  readonly postgres: string;
  readonly cosmos: string;
}

/** The README's semantics table: each row's line and its cells, split as GitHub splits them (on every `|`). */
function readTable(): { n: string; cells: string[] }[] {
  const readme = readFileSync(join(root, 'packages/specification/README.md'), 'utf8');
  const section = readme.split('## Semantics (normative)')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim());
      return { n: cells[0] ?? '', cells };
    });
}

const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

const exported = new Set(Object.keys(specification));
const methods = new Set(Object.getOwnPropertyNames(specification.Specification.prototype));
const operators = new Set<string>(ALL_OPERATORS);

/** Not SQL: characters, and names of the package's exports, operators and builder methods. */
const isProse = (span: string) =>
  span.length <= 2 || exported.has(span) || operators.has(span) || methods.has(span);

const table = readTable();
const rows: TableRow[] = table.map(
  ({ cells: [n = '', rule = '', memory = '', postgres = '', cosmos = ''] }) => ({
    n: Number(n),
    rule,
    memory,
    postgres,
    cosmos,
  }),
);

describe('the semantics table of @mystira/specification', () => {
  it.each(table)(
    'rule $n has five cells (a | inside a cell must be escaped as \\|)',
    ({ cells }) => {
      expect(cells).toHaveLength(5);
    },
  );

  it('has its 22 rules, numbered in order', () => {
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });

  it.each(table)('rule $n: the conformance cases it cites exist', ({ cells }) => {
    const ids = new Set(conformanceCases.map((c) => c.id));
    for (const [id] of cells.join(' ').matchAll(/\bS\d+\b/g)) expect(ids, id).toContain(id);
  });

  it.each(rows)('rule $n: the memory column names exports of the package', ({ memory }) => {
    for (const name of codeSpans(memory)) {
      expect(typeof (specification as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it.each(rows)('rule $n: PostgreSQL emits what the table says', ({ n, postgres }) => {
    const fragments = codeSpans(postgres).filter((s) => !isProse(s));
    if (fragments.length === 0) return;
    const probes = PROBES[n];
    expect(probes, `rule ${n} shows SQL, so it needs probes in PROBES`).toBeDefined();
    const sql = probes!.map(postgresSql).join('\n');
    for (const fragment of fragments) expect(sql).toContain(anyParameter(fragment));
  });

  it.each(rows)('rule $n: Cosmos DB gets what the table says', ({ n, cosmos }) => {
    const fragments = codeSpans(cosmos).filter((s) => !isProse(s));
    if (fragments.length === 0) return;
    const probes = PROBES[n];
    expect(probes, `rule ${n} shows SQL, so it needs probes in PROBES`).toBeDefined();
    const sql = probes!.map(cosmosSql).join('\n');
    for (const fragment of fragments) expect(sql).toContain(anyParameter(fragment));
  });
});
