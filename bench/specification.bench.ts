/**
 * @mystira/specification: (1) building + hashing a typical spec (3 predicates, 2 orders, paging),
 * against hand-building the equivalent plain object and hashing its JSON with node:crypto;
 * (2) in-memory evaluation over 100k items, against a hand-written filter + sort + slice.
 */
import { createHash } from 'node:crypto';
import { entity, evaluate, field, type Infer, spec } from '@mystira/specification';
import { emit, progress, smoke } from './lib/report.ts';

const Account = entity(
  'accounts',
  {
    id: field.string(),
    name: field.string(),
    score: field.number().optional(),
    active: field.boolean(),
    profile: field.object({ country: field.string() }),
  },
  { id: 'id' },
);
type AccountT = Infer<typeof Account>;

function typical() {
  return spec(Account)
    .where((w) => w.and(w.eq('profile.country', 'NL'), w.gte('score', 50), w.eq('active', true)))
    .orderBy('score', 'desc')
    .thenBy('name')
    .page(3, 20);
}

function handBuilt(): string {
  const q = {
    where: {
      and: [{ eq: ['profile.country', 'NL'] }, { gte: ['score', 50] }, { eq: ['active', true] }],
    },
    orderBy: [
      ['score', 'desc'],
      ['name', 'asc'],
    ],
    skip: 40,
    take: 20,
  };
  return createHash('sha256').update(JSON.stringify(q)).digest('hex');
}

/**
 * The machine is shared, so load drifts during a run. Ours and the alternative are measured in
 * alternating rounds and each side reports its median round, so both see the same conditions.
 */
function interleaved(
  a: () => unknown,
  b: () => unknown,
  rounds: number,
  perRound: number,
): [number, number] {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < 3; i++) {
    a();
    b();
  }
  for (let r = 0; r < rounds; r++) {
    for (const [fn, out] of [
      [a, ra],
      [b, rb],
    ] as const) {
      const start = performance.now();
      for (let i = 0; i < perRound; i++) fn();
      out.push((performance.now() - start) / perRound);
    }
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1]!;
  return [median(ra), median(rb)]; // ms per call
}

progress('build + hash');
const [buildMs, handMs] = interleaved(
  () => typical().hash(),
  handBuilt,
  smoke ? 5 : 40,
  smoke ? 50 : 500,
);
const buildUs = buildMs * 1000;
const handUs = handMs * 1000;
const [buildOnlyMs] = interleaved(
  () => typical().build(),
  handBuilt,
  smoke ? 3 : 20,
  smoke ? 50 : 500,
);

// Deterministic data: 100k items (10k in smoke mode).
const N = smoke ? 10_000 : 100_000;
let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const countries = ['NL', 'DE', 'FR', 'US'];
const items: AccountT[] = Array.from({ length: N }, (_, i) => {
  const item: AccountT = {
    id: `acc-${String(i).padStart(7, '0')}`,
    name: `name-${Math.floor(rnd() * 5000)}`,
    active: rnd() < 0.7,
    profile: { country: countries[Math.floor(rnd() * 4)]! },
  };
  if (rnd() < 0.95) item.score = Math.floor(rnd() * 100);
  return item;
});

const s = typical().skip(40).take(20);
function handWritten(rows: AccountT[]): AccountT[] {
  return rows
    .filter(
      (a) =>
        a.profile.country === 'NL' && a.score !== undefined && a.score >= 50 && a.active === true,
    )
    .sort((a, b) => {
      if (a.score !== b.score) return a.score! > b.score! ? -1 : 1;
      if (a.name !== b.name) return a.name < b.name ? -1 : 1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    })
    .slice(40, 60);
}

// Same answer, or the comparison is meaningless.
const ours = evaluate(s, items).map((a) => a.id);
const theirs = handWritten(items).map((a) => a.id);
if (JSON.stringify(ours) !== JSON.stringify(theirs))
  throw new Error('evaluate and the hand-written filter disagree');

progress(`evaluate over ${N} items`);
const [evalMs, handEvalMs] = interleaved(
  () => evaluate(s, items),
  () => handWritten(items),
  smoke ? 3 : 25,
  smoke ? 1 : 4,
);
const evalOps = 1000 / evalMs;
const handEvalOps = 1000 / handEvalMs;

// The same filter and order without paging: every match is sorted on both sides, so this isolates
// the cost of the generic evaluator (three-valued closures, rank-based comparator) over hand code.
const unpagedSpec = spec(Account)
  .where((w) => w.and(w.eq('profile.country', 'NL'), w.gte('score', 50), w.eq('active', true)))
  .orderBy('score', 'desc')
  .thenBy('name');
function handWrittenAll(rows: AccountT[]): AccountT[] {
  return rows
    .filter(
      (a) =>
        a.profile.country === 'NL' && a.score !== undefined && a.score >= 50 && a.active === true,
    )
    .sort((a, b) => {
      if (a.score !== b.score) return a.score! > b.score! ? -1 : 1;
      if (a.name !== b.name) return a.name < b.name ? -1 : 1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}
if (
  JSON.stringify(evaluate(unpagedSpec, items).map((a) => a.id)) !==
  JSON.stringify(handWrittenAll(items).map((a) => a.id))
) {
  throw new Error('unpaged evaluate and the hand-written filter disagree');
}
const [fullMs, handFullMs] = interleaved(
  () => evaluate(unpagedSpec, items),
  () => handWrittenAll(items),
  smoke ? 3 : 25,
  smoke ? 1 : 4,
);

const ratio = evalOps / handEvalOps;
emit({
  name: '@mystira/specification',
  comparisons: [
    {
      metric: 'build + hash a typical spec (3 predicates, 2 orders, paging)',
      ours: buildUs,
      baseline: handUs,
      baselineName: 'plain object + JSON.stringify + node:crypto sha256',
      unit: 'µs',
      higherIsBetter: false,
    },
    {
      metric: `evaluate over ${N} items (3 predicates, 2 orders + id, skip/take)`,
      ours: evalOps,
      baseline: handEvalOps,
      baselineName: 'hand-written filter + sort + slice',
      unit: 'runs/s',
      higherIsBetter: true,
    },
    {
      metric: `evaluate over ${N} items, no paging (every match sorted)`,
      ours: 1000 / fullMs,
      baseline: 1000 / handFullMs,
      baselineName: 'hand-written filter + sort',
      unit: 'runs/s',
      higherIsBetter: true,
    },
  ],
  notes: [
    `Build + hash: ${buildUs.toFixed(1)} µs per spec (building alone ${(buildOnlyMs * 1000).toFixed(1)} µs; the hash normalises, serialises canonically and SHA-256s; repeated hashes of one spec are memoised and free) vs ${handUs.toFixed(1)} µs for hashing an unnormalised hand-built object.`,
    `In-memory evaluation over ${N} items: ours/hand-written throughput ratio ${ratio.toFixed(2)} (ours implements three-valued logic, typed comparisons, code point string order and absent-lowest ordering, and keeps only the best skip+take rows instead of sorting all matches; the hand-written one sorts everything and is only correct for clean data).`,
    `Without paging (every match sorted on both sides): ours/hand-written ratio ${(handFullMs / fullMs).toFixed(2)}, the raw cost of the generic evaluator.`,
    'Medians of alternating rounds (ours, alternative, ours, ...) so load drift on the shared machine hits both sides alike.',
  ],
});
