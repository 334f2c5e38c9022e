/**
 * Query reads (list, first, single, count, any, page): cached only for specifications with a
 * `cache({ ttl, tags })` hint, straight through to the repository otherwise. A cached result is
 * guarded by the epoch, the entity's query generation (replaced by every write of the entity, so
 * no result that could contain a written item survives it) and its tags' generations.
 */
import {
  type CallOptions,
  type PageOptions,
  queryOf,
  type Repository,
  type RepositoryPage,
  type StreamOptions,
  throwIfAborted,
} from '@mystira/repository';
import { type CacheHint, hashQuery, type QueryNode, type SpecSource } from '@mystira/specification';
import type { CacheContext } from './context.js';
import type { QueryMethod } from './keys.js';
import type { ReadThrough } from './read-through.js';

const hashes = new WeakMap<QueryNode, string>();
function hashOf(q: QueryNode): string {
  let h = hashes.get(q);
  if (h === undefined) {
    h = hashQuery(q);
    hashes.set(q, h);
  }
  return h;
}

export class QueryReads<T extends object> {
  readonly #inner: Repository<T>;
  readonly #ctx: CacheContext;
  readonly #readThrough: ReadThrough;

  constructor(inner: Repository<T>, ctx: CacheContext, readThrough: ReadThrough) {
    this.#inner = inner;
    this.#ctx = ctx;
    this.#readThrough = readThrough;
  }

  async list<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R[]> {
    throwIfAborted(options.signal, this.#ctx.entity.name);
    const s = spec as SpecSource<T, unknown>;
    return (
      this.#read('list', s, options, this.#checkRows(s), (signal) =>
        this.#inner.list(spec, { signal }),
      ) ?? this.#inner.list(spec, options)
    );
  }

  stream<R = T>(spec: SpecSource<T, R>, options: StreamOptions = {}): AsyncIterable<R> {
    // Streams are for results too large to hold, so too large to cache: straight through.
    return this.#inner.stream(spec, options);
  }

  first<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    return this.#one('first', spec, options);
  }

  single<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    // MultipleResultsError is thrown by the load and never cached.
    return this.#one('single', spec, options);
  }

  /** `first` and `single`: one row or none, cached as the row or null. */
  async #one<R>(
    method: 'first' | 'single',
    spec: SpecSource<T, R>,
    options: CallOptions,
  ): Promise<R | undefined> {
    throwIfAborted(options.signal, this.#ctx.entity.name);
    const s = spec as SpecSource<T, unknown>;
    const rows = this.#checkRows(s);
    return (
      this.#read(
        method,
        s,
        options,
        (v) => v == null || rows([v]),
        (signal) => this.#inner[method](spec, { signal }),
      )?.then((v) => v ?? undefined) ?? this.#inner[method](spec, options)
    );
  }

  async count(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<number> {
    throwIfAborted(options.signal, this.#ctx.entity.name);
    return (
      this.#read(
        'count',
        spec,
        options,
        (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0,
        (signal) => this.#inner.count(spec, { signal }),
      ) ?? this.#inner.count(spec, options)
    );
  }

  async any(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<boolean> {
    throwIfAborted(options.signal, this.#ctx.entity.name);
    // Answered from the cached count when the spec is cached; straight through otherwise.
    if (!this.#plan(spec)) return this.#inner.any(spec, options);
    return (await this.count(spec, options)) > 0;
  }

  async page<R = T>(spec: SpecSource<T, R>, options: PageOptions = {}): Promise<RepositoryPage<R>> {
    throwIfAborted(options.signal, this.#ctx.entity.name);
    const s = spec as SpecSource<T, unknown>;
    const rows = this.#checkRows(s);
    const cursor = options.cursor ?? null;
    return (
      this.#read(
        'page',
        s,
        options,
        (v) => {
          const p = v as RepositoryPage<unknown>;
          return (
            typeof p === 'object' &&
            p !== null &&
            rows(p.items) &&
            typeof p.total === 'number' &&
            (p.cursor === null || typeof p.cursor === 'string')
          );
        },
        (signal) => this.#inner.page(spec, { cursor, signal }),
        cursor,
      ) ?? this.#inner.page(spec, options)
    );
  }

  /** The cache hint and hash of a spec, or null when it is not cached (no hint, or not hashable). */
  #plan(spec: SpecSource<T, unknown>): { hint: CacheHint; hash: string } | null {
    let q: QueryNode;
    try {
      q = queryOf(spec as SpecSource<unknown, unknown>);
    } catch {
      return null;
    }
    if (!q.cache) return null;
    try {
      return { hint: q.cache, hash: hashOf(q) };
    } catch {
      // Not hashable means not valid: let the repository report it.
      return null;
    }
  }

  /** The read-through of a cached query, or null when the spec is not cached. */
  #read<R>(
    method: QueryMethod,
    spec: SpecSource<T, unknown>,
    options: CallOptions,
    check: (value: unknown) => boolean,
    load: (signal?: AbortSignal) => Promise<R>,
    cursor: string | null = null,
  ): Promise<R> | null {
    const plan = this.#plan(spec);
    if (!plan) return null;
    const { keys } = this.#ctx;
    const tags = [...new Set(plan.hint.tags)].sort();
    // Query values are wrapped ({ r }) so that "no result" (first of nothing) is a cached value.
    return this.#readThrough
      .read<{ r?: R } | undefined>(
        {
          key: keys.query(method, plan.hash, tags, cursor),
          guards: [keys.epoch(), keys.queryGeneration(), ...tags.map((t) => keys.tag(t))],
          creatable: [true, true, ...tags.map(() => true)],
          ttlMs: plan.hint.ttlMs,
          negative: false,
          check: (v) => typeof v === 'object' && v !== null && check((v as { r?: unknown }).r),
          load: async (signal) => ({ r: await load(signal) }),
        },
        options.signal,
        options.observe,
      )
      .then((w) => w?.r as R);
  }

  /** The check of cached rows: objects, and for whole entities, a sample passing the schema. */
  #checkRows(spec: SpecSource<T, unknown>): (rows: unknown) => boolean {
    const projected = (() => {
      try {
        return queryOf(spec as SpecSource<unknown, unknown>).select !== null;
      } catch {
        return true;
      }
    })();
    const checkItem = this.#ctx.checkItem;
    return (rows: unknown): boolean =>
      Array.isArray(rows) &&
      (projected
        ? rows.every((r) => typeof r === 'object' && r !== null)
        : // Schema-check a sample: a value of an old shape has it in every row, and checking
          // every row of a large list on every hit would cost more than the hit saves.
          rows.every((r, i) => typeof r === 'object' && r !== null && (i >= 3 || checkItem(r))));
  }
}
