/**
 * Keyset paging shared by every adapter: the adapter supplies "fetch rows for this query" and
 * "count rows for this query"; this module decides the seek query, detects the last page by
 * fetching one row more than `take`, builds the next cursor from the last unprojected row, and
 * projects afterwards (a projection may drop the very fields the cursor needs).
 */
import { type EntityDef, projector, type QueryNode } from '@mystira/specification';
import { specErrors } from './core.js';
import type { CursorCodec } from './cursor.js';
import { ValidationError } from './errors.js';
import type { RepositoryPage } from './port.js';

/** The query that fetches the page after `cursor` (a bound query; `skip` only on page one). */
export function pageQuery(
  entity: EntityDef,
  query: QueryNode,
  cursor: string | null,
  codec: CursorCodec,
): QueryNode {
  if (query.take === null) {
    throw new ValidationError('page() needs a specification with take(n)', { entity: entity.name });
  }
  if (cursor === null) return query;
  return specErrors(entity.name, () => ({ ...query, after: codec.decode(query, cursor), skip: 0 }));
}

/** What {@link pageVia} needs from an adapter: its two reads. */
export interface PageIO<T> {
  /** Rows (whole items, in order) for a bound query. */
  fetch(query: QueryNode): Promise<T[]>;
  /** Rows matching a bound query's `where` (order, paging and keyset ignored). */
  count(query: QueryNode): Promise<number>;
}

/**
 * Keyset paging over an adapter's reads: fetches `take + 1` rows after the cursor (to know whether
 * a next page exists), counts the matches, signs the next cursor from the last unprojected row and
 * projects the page last.
 */
export async function pageVia<T, R>(
  entity: EntityDef,
  query: QueryNode,
  seek: QueryNode,
  codec: CursorCodec,
  io: PageIO<T>,
): Promise<RepositoryPage<R>> {
  const take = query.take!;
  const rows = await io.fetch({ ...seek, select: null, take: take + 1 });
  const total = await io.count({ ...query, after: null });
  const items = rows.slice(0, take);
  const more = rows.length > take && items.length > 0;
  const cursor = more
    ? specErrors(entity.name, () => codec.encode(query, items[items.length - 1]!))
    : null;
  const project = projector(query.select);
  return { items: items.map((i) => project(i) as R), total, cursor };
}
