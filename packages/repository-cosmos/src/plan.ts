/**
 * Running a {@link CosmosQueryPlan}: a pure async generator over a page fetcher. It knows nothing
 * of the SDK, retries or request charges (the repository's fetcher does), so it runs the same
 * against Cosmos DB and against a fake in a unit test.
 *
 * What it does with the pages of the plan's server queries:
 * - re-checks every row with the specification's own evaluator when the server filter is a
 *   superset (`plan.residual`);
 * - merges the parts of one group by the plan's order and concatenates the groups;
 * - re-sorts runs of rows whose string keys hold a code unit >= U+D800 (UTF-16 order and code
 *   point order can differ only between such rows, which are adjacent in server order);
 * - pushes `TOP` to the server when the plan allows it, and reads a part again without it when
 *   the row at the boundary may be misplaced;
 * - sorts in memory when the plan says so, bounded by `maxInMemoryRows`;
 * - refuses rows that come back out of order, which is what a continuation that resumes at an
 *   earlier row looks like: the read fails instead of looping for ever.
 */
import { UnavailableError } from '@mystira/repository';
import { compileComparator, compilePredicate as compileInMemory } from '@mystira/specification';
import type { CosmosQueryPart, CosmosQueryPlan } from './compiler.js';
import { UnsupportedQueryError } from './errors.js';

/** One page of documents, as the server returned it. */
export type CosmosPage = readonly Record<string, unknown>[];

/**
 * Runs one server query of a plan (`part.sql(top)`) and yields its pages in order, `batchSize`
 * documents at most each (pages may be short or empty while more remain).
 */
export type PageFetcher = (
  part: CosmosQueryPart,
  top: number | undefined,
  batchSize: number,
) => AsyncIterable<CosmosPage>;

/** Options of {@link runPlan}. */
export interface RunPlanOptions<T> {
  /** Where the pages come from. */
  readonly fetch: PageFetcher;
  /** The item a document stores. */
  readonly toItem: (doc: Record<string, unknown>) => T;
  /** Documents per page asked of the server. */
  readonly batchSize: number;
  /** Rows the caller will read at most (skip + take): lets an exact plan push `TOP`. */
  readonly limit?: number;
  /** Most rows an in-memory sort may hold. */
  readonly maxInMemoryRows: number;
  /** The entity's name, for errors. */
  readonly entity: string;
}

const TRUE = 1;
const HIGH = /[\uD800-\uFFFF]/;

function readPath(item: unknown, path: readonly string[]): unknown {
  let cur = item;
  for (const k of path) cur = (cur as Record<string, unknown> | null | undefined)?.[k];
  return cur;
}

/** What the part streams share: the residual check, the comparator, the UTF-16 run test. */
interface Rules<T> {
  readonly matches: (item: T) => boolean;
  readonly compare: (a: T, b: T) => number;
  readonly high: (item: T) => boolean;
}

/**
 * The rows of a plan in final order (filter re-checked and order fixed up in memory where the
 * plan says), before skip/take.
 */
export async function* runPlan<T>(
  plan: CosmosQueryPlan,
  options: RunPlanOptions<T>,
): AsyncGenerator<T> {
  const residual = plan.residual ? compileInMemory(plan.residual) : null;
  const rules: Rules<T> = {
    matches: (item) => residual === null || residual(item) === TRUE,
    compare: compileComparator(plan.orders),
    high: (item) =>
      plan.stringKeys.some((p) => {
        const v = readPath(item, p);
        return typeof v === 'string' && HIGH.test(v);
      }),
  };
  if (plan.memorySort) {
    yield* sortedInMemory(plan, options, rules);
    return;
  }
  let emitted = 0;
  let previous: { item: T } | null = null;
  for (const group of groupsOf(plan.parts)) {
    const remaining = options.limit === undefined ? undefined : options.limit - emitted;
    if (remaining !== undefined && remaining <= 0) return;
    const top = plan.pushTop ? remaining : undefined;
    const streams = group.map((part) => partRows(part, top, options, rules));
    for await (const item of mergeOrdered(streams, rules.compare)) {
      if (previous !== null && rules.compare(previous.item, item) > 0) {
        throw new UnavailableError(
          `${options.entity}: Cosmos DB returned rows out of order (a query continuation resumed at an earlier row)`,
          { entity: options.entity, transient: false },
        );
      }
      previous = { item };
      emitted++;
      yield item;
    }
  }
}

/** The parts by group, groups in plan order. */
export function groupsOf(parts: readonly CosmosQueryPart[]): CosmosQueryPart[][] {
  const groups: CosmosQueryPart[][] = [];
  for (const part of parts) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.group === part.group) last.push(part);
    else groups.push([part]);
  }
  return groups;
}

async function* sortedInMemory<T>(
  plan: CosmosQueryPlan,
  options: RunPlanOptions<T>,
  rules: Rules<T>,
): AsyncGenerator<T> {
  const all: T[] = [];
  const batch = options.batchSize;
  for (const part of plan.parts) {
    for await (const docs of options.fetch(part, undefined, batch)) {
      for (const doc of docs) {
        const item = options.toItem(doc);
        if (!rules.matches(item)) continue;
        all.push(item);
        if (all.length > options.maxInMemoryRows) {
          throw new UnsupportedQueryError(
            `${options.entity}: this order (${plan.notes.join('; ')}) is sorted in memory and the result exceeds maxInMemoryRows (${options.maxInMemoryRows})`,
            { entity: options.entity },
          );
        }
      }
    }
  }
  all.sort(rules.compare);
  yield* all;
}

/**
 * Holds runs of rows with a high string key (adjacent in server order, possibly misordered among
 * themselves) and releases them sorted when a row without one, or the end, comes.
 */
class HighRuns<T> {
  #run: T[] = [];
  constructor(readonly rules: Rules<T>) {}
  *push(item: T): Generator<T> {
    if (this.rules.high(item)) {
      this.#run.push(item);
      return;
    }
    yield* this.end();
    yield item;
  }
  *end(): Generator<T> {
    if (this.#run.length === 0) return;
    const run = this.#run.sort(this.rules.compare);
    this.#run = [];
    yield* run;
  }
}

/** One server query's matching rows, in the plan's order. */
async function* partRows<T>(
  part: CosmosQueryPart,
  initialTop: number | undefined,
  options: RunPlanOptions<T>,
  rules: Rules<T>,
): AsyncGenerator<T> {
  let top = initialTop;
  for (;;) {
    const runs = new HighRuns(rules);
    // With TOP, rows are held until the boundary check; without, they stream.
    const held: T[] | null = top === undefined ? null : [];
    let count = 0;
    let last: T | undefined;
    for await (const docs of options.fetch(part, top, options.batchSize)) {
      for (const doc of docs) {
        const item = options.toItem(doc);
        count++;
        last = item;
        if (!rules.matches(item)) continue;
        if (held) held.push(item);
        else yield* runs.push(item);
      }
    }
    if (held && top !== undefined) {
      if (count >= top && last !== undefined && rules.high(last)) {
        top = undefined; // the boundary row may be misplaced: read the part in full
        continue;
      }
      for (const item of held) yield* runs.push(item);
    }
    yield* runs.end();
    return;
  }
}

/**
 * Merges streams that are each in `compare` order into one (ties keep stream order). Streams are
 * read lazily, one row ahead each, and closed when the merge is.
 */
export async function* mergeOrdered<T>(
  streams: readonly AsyncIterable<T>[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: (IteratorResult<T> | null)[] = iterators.map(() => null);
  try {
    const first = await Promise.allSettled(iterators.map((it) => it.next()));
    first.forEach((r, i) => {
      if (r.status === 'fulfilled') heads[i] = r.value;
    });
    const failed = first.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (!h || h.done) continue;
        if (best < 0 || compare(h.value, (heads[best] as IteratorYieldResult<T>).value) < 0)
          best = i;
      }
      if (best < 0) return;
      const value = (heads[best] as IteratorYieldResult<T>).value;
      heads[best] = null; // consumed: a throw below must not close it twice
      yield value;
      heads[best] = await iterators[best]!.next();
    }
  } finally {
    await Promise.all(
      iterators.map((it, i) => (heads[i]?.done ? undefined : it.return?.().catch(() => undefined))),
    );
  }
}
