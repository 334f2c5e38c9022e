/**
 * `mapped(repository, codec)`: a `Repository` of an entity's TypeScript shape over any
 * repository of its stored documents (memory, PostgreSQL, Cosmos DB). Writes are encoded, reads
 * decoded, and specifications translated (and refused when they cannot be) before the inner
 * repository sees them, so every adapter answers the same mapped query.
 */
import {
  type AggregateSource,
  projector,
  type QueryNode,
  type SpecSource,
} from '@mystira/specification';
import { queryOf, validateItem } from '../core.js';
import { passThrough } from '../pass-through.js';
import type {
  CallOptions,
  Id,
  PageOptions,
  Repository,
  RepositoryPage,
  StreamOptions,
  WriteOptions,
} from '../port.js';
import { mappedAggregate } from './aggregate.js';
import type { EntityCodec } from './codec.js';
import type { StoredDocument } from './generations.js';
import { mapQuery } from './query.js';

type Doc = StoredDocument;

/**
 * A repository of `T` (the codec's TypeScript shape) that stores documents through `inner`, a
 * repository of the codec's stored schema (`codec.stored`). Properties of stored documents that
 * the codec does not know survive a read-modify-write (they travel with the item under the
 * `STORED` symbol, which object spread copies).
 */
export function mapped<T extends object>(
  inner: Repository<Doc>,
  codec: EntityCodec<T>,
): Repository<T> {
  if (inner.entity.name !== codec.stored.name) {
    throw new TypeError(
      `mapped(): the inner repository stores "${inner.entity.name}", the codec "${codec.stored.name}"`,
    );
  }
  const decode = (doc: Doc): T => codec.decode(doc);
  const encode = (item: T): Doc => {
    validateItem(codec.domain, item);
    return codec.encode(item);
  };
  /** The stored query, and how to turn each stored result into a TypeScript one. */
  const translate = (
    spec: SpecSource<unknown, unknown>,
  ): { query: QueryNode; out: (doc: Doc) => unknown } => {
    const query = queryOf(spec);
    const mappedQuery = mapQuery(codec as EntityCodec<object>, query);
    if (!query.select) return { query: mappedQuery, out: decode };
    const project = projector(query.select);
    return { query: mappedQuery, out: (doc) => project(decode(doc)) };
  };

  const repo = {
    entity: codec.domain,
    async getById(id: Id, options?: CallOptions) {
      const doc = await inner.getById(id, options);
      return doc === undefined ? undefined : decode(doc);
    },
    async getMany(ids: readonly Id[], options?: CallOptions) {
      return (await inner.getMany(ids, options)).map(decode);
    },
    async list(spec: SpecSource<T, unknown>, options?: CallOptions) {
      const { query, out } = translate(spec);
      return (await inner.list<Doc>(query, options)).map(out);
    },
    async *stream(spec: SpecSource<T, unknown>, options?: StreamOptions) {
      const { query, out } = translate(spec);
      for await (const doc of inner.stream<Doc>(query, options)) yield out(doc);
    },
    async first(spec: SpecSource<T, unknown>, options?: CallOptions) {
      const { query, out } = translate(spec);
      const doc = await inner.first<Doc>(query, options);
      return doc === undefined ? undefined : out(doc);
    },
    async single(spec: SpecSource<T, unknown>, options?: CallOptions) {
      const { query, out } = translate(spec);
      const doc = await inner.single<Doc>(query, options);
      return doc === undefined ? undefined : out(doc);
    },
    async count(spec: SpecSource<T, unknown>, options?: CallOptions) {
      return inner.count(translate(spec).query, options);
    },
    async any(spec: SpecSource<T, unknown>, options?: CallOptions) {
      return inner.any(translate(spec).query, options);
    },
    async page(
      spec: SpecSource<T, unknown>,
      options?: PageOptions,
    ): Promise<RepositoryPage<unknown>> {
      const { query, out } = translate(spec);
      const page = await inner.page<Doc>(query, options);
      return { items: page.items.map(out), total: page.total, cursor: page.cursor };
    },
    async add(item: T, options?: CallOptions) {
      return decode(await inner.add(encode(item), options));
    },
    async addMany(items: readonly T[], options?: CallOptions) {
      return (await inner.addMany(items.map(encode), options)).map(decode);
    },
    async update(item: T, options?: WriteOptions) {
      return decode(await inner.update(encode(item), options));
    },
    async upsert(item: T, options?: CallOptions) {
      return decode(await inner.upsert(encode(item), options));
    },
    async delete(id: Id, options?: WriteOptions) {
      await inner.delete(id, options);
    },
    // Translated, never passed through: the inner repository would group and aggregate stored
    // values (an enum's integer, a date's .NET text) under stored names (see aggregate.ts).
    aggregate(spec: AggregateSource<T, unknown>, options?: CallOptions) {
      return mappedAggregate(inner, codec as EntityCodec<object>, spec, options);
    },
  };
  return passThrough(inner as unknown as Repository<T>, new Map(Object.entries(repo)));
}
