/**
 * The query half of every in-memory `Repository<T>` (the memory adapter, the polyglot memory
 * mirror): specs are bound against the entity and answered by the specification's own evaluator
 * over a snapshot of the stored items, so memory answers are the semantics table by definition.
 * A subclass supplies the snapshot and the by-id reads and writes.
 */
import {
  type AggregateSource,
  type EntityDef,
  evaluate,
  evaluateAggregate,
  MultipleResultsError,
  type QueryNode,
  type SpecSource,
  count as specCount,
} from '@mystira/specification';
import { bindAggregate } from './aggregate.js';
import { bindQuery, clone, queryOf, specErrors } from './core.js';
import type { CursorCodec } from './cursor.js';
import { throwIfAborted } from './errors.js';
import { pageQuery, pageVia } from './paging.js';
import type { CallOptions, PageOptions, RepositoryPage, StreamOptions } from './port.js';

/**
 * The query methods of an in-memory `Repository<T>`, answered by the specification's evaluator
 * over {@link InMemoryQueries.snapshot}. Extend it for an in-memory store (the memory adapter and
 * the polyglot memory mirror do) and add the by-id reads and the writes.
 */
export abstract class InMemoryQueries<T extends object> {
  /** The entity the store holds. */
  readonly entity: EntityDef;
  readonly #cursors: CursorCodec;

  /** `cursors` encodes and decodes the keyset cursors of {@link InMemoryQueries.page}. */
  protected constructor(entity: EntityDef, cursors: CursorCodec) {
    this.entity = entity;
    this.#cursors = cursors;
  }

  /** The live items, each carrying its current version; never handed out uncopied. */
  protected abstract snapshot(): T[];

  #bind(spec: SpecSource<unknown, unknown>): QueryNode {
    return specErrors(this.entity.name, () => bindQuery(this.entity, queryOf(spec)));
  }

  /** Every item matching the spec, ordered, skipped/taken and projected (copies). */
  async list<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R[]> {
    throwIfAborted(options.signal, this.entity.name);
    const q = this.#bind(spec);
    return specErrors(this.entity.name, () => clone(evaluate<T, R>(q, this.snapshot())));
  }

  /** The `list` answer, yielded one item at a time (checking the signal between items). */
  async *stream<R = T>(spec: SpecSource<T, R>, options: StreamOptions = {}): AsyncIterable<R> {
    const rows = await this.list(spec, options);
    // Yield one at a time, checking the signal between items, like a cursor-backed adapter would.
    for (const row of rows) {
      throwIfAborted(options.signal, this.entity.name);
      yield row;
    }
  }

  /** The first item in the spec's order (after skip), or undefined. */
  async first<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    const q = this.#bind(spec);
    const rows = await this.list<R>({ ...q, take: q.take === 0 ? 0 : 1 }, options);
    return rows[0];
  }

  /** The only matching item, or undefined; `MultipleResultsError` when more than one matches. */
  async single<R = T>(spec: SpecSource<T, R>, options: CallOptions = {}): Promise<R | undefined> {
    const q = this.#bind(spec);
    const rows = await this.list<R>({ ...q, take: q.take === 0 ? 0 : 2 }, options);
    if (rows.length > 1) throw new MultipleResultsError();
    return rows[0];
  }

  /** Number of items matching the spec's `where`. */
  async count(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<number> {
    throwIfAborted(options.signal, this.entity.name);
    const q = this.#bind(spec);
    return specErrors(this.entity.name, () => specCount(q, this.snapshot()));
  }

  /** Whether any item matches the spec's `where`. */
  async any(spec: SpecSource<T, unknown>, options: CallOptions = {}): Promise<boolean> {
    return (await this.count(spec, options)) > 0;
  }

  /** An aggregate over the items the spec's `where` selects, by the specification's evaluator. */
  async aggregate<R>(spec: AggregateSource<T, R>, options: CallOptions = {}): Promise<R> {
    throwIfAborted(options.signal, this.entity.name);
    const q = bindAggregate(this.entity, spec);
    return specErrors(this.entity.name, () => clone(evaluateAggregate<T, R>(q, this.snapshot())));
  }

  /** One keyset page after `options.cursor`, plus the total. */
  async page<R = T>(spec: SpecSource<T, R>, options: PageOptions = {}): Promise<RepositoryPage<R>> {
    throwIfAborted(options.signal, this.entity.name);
    const q = this.#bind(spec);
    const seek = pageQuery(this.entity, q, options.cursor ?? null, this.#cursors);
    return pageVia<T, R>(this.entity, q, seek, this.#cursors, {
      fetch: async (query) => clone(evaluate<T, T>(query, this.snapshot())),
      count: async (query) => specCount(query, this.snapshot()),
    });
  }
}
