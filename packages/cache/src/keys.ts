/**
 * The key layout of one cached entity. Every key starts with the entity's prefix P:
 *
 *     P = <keyPrefix>:{<entity>}:<version>.<schema fingerprint>
 *
 *     P:e:<id>        an entity's value (or its cached "not found")
 *     P:ig:<id>       the entity's generation token: replaced by every write of it
 *     P:epoch         the entity-wide epoch: replaced by invalidateAll
 *     P:qgen          the query generation: replaced by every write of the entity
 *     P:tag:<tag>     a tag's generation: replaced by invalidateTags
 *     P:q:<method>:<query hash>[:t<tags hash>][:<cursor hash>]   a query result
 *     <value key>:lock                                            the stampede lock of a value
 *     P:inv           the channel of L1 invalidation messages
 *
 * `<id>` is `n:<number>` or `s:<string>`, so the number 1 and the string '1' never share a key.
 */
import { createHash } from 'node:crypto';
import type { Id } from '@mystira/repository';
import type { EntityDef } from '@mystira/specification';
import { CacheOptionsError } from './errors.js';

/** The id part of an entity's keys. */
export const idKey = (id: Id): string => `${typeof id === 'number' ? 'n' : 's'}:${id}`;

/** The id an {@link idKey} was made of. */
export const idFromKey = (key: string): Id =>
  key.startsWith('n:') ? Number(key.slice(2)) : key.slice(2);

/** A digest of the entity's schema: a deploy that changes the schema never reads the old shape. */
function fingerprint(entity: EntityDef): string {
  const fields = [...entity.fields.entries()].map(([name, info]) => [name, info]);
  return createHash('sha256')
    .update(JSON.stringify({ fields, id: entity.id, version: entity.version }))
    .digest('base64url')
    .slice(0, 10);
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/** The cached query results: `page` is the only one whose key includes a cursor. */
export type QueryMethod = 'list' | 'first' | 'single' | 'count' | 'page';

/**
 * What the parts every cache shares (L1, the stampede lock, junk replacement) need of a key
 * layout: the invalidation channel, lock keys, and which generation keys are per item.
 */
export interface LayoutBase {
  /** The pub/sub channel of invalidation messages. */
  readonly channel: string;
  /** The stampede lock key of a value key. */
  lock(valueKey: string): string;
  /** Whether `key` is a per-item generation key (those live longer than shared ones). */
  isItemGeneration(key: string): boolean;
}

export class KeyLayout implements LayoutBase {
  /** P, the prefix of every key of the entity. */
  readonly prefix: string;
  /** The pub/sub channel of invalidation messages. */
  readonly channel: string;
  readonly #itemGenerationPrefix: string;

  constructor(entity: EntityDef, keyPrefix: string, version: string | number) {
    const v = String(version);
    if (/[{}\s]/.test(keyPrefix) || /[{}\s|,]/.test(v)) {
      throw new CacheOptionsError('keyPrefix and version cannot contain braces or whitespace');
    }
    // {entity} is the Redis Cluster hash tag: every key of the entity lives in one slot, so MGET,
    // the fill script and MULTI work on a Cluster.
    this.prefix = `${keyPrefix}:{${entity.name}}:${v}.${fingerprint(entity)}`;
    this.channel = `${this.prefix}:inv`;
    this.#itemGenerationPrefix = `${this.prefix}:ig:`;
  }

  epoch(): string {
    return `${this.prefix}:epoch`;
  }

  queryGeneration(): string {
    return `${this.prefix}:qgen`;
  }

  tag(tag: string): string {
    return `${this.prefix}:tag:${tag}`;
  }

  itemGeneration(id: Id): string {
    return `${this.#itemGenerationPrefix}${idKey(id)}`;
  }

  /** Whether `key` is an entity's generation key (those live longer than entity-wide ones). */
  isItemGeneration(key: string): boolean {
    return key.startsWith(this.#itemGenerationPrefix);
  }

  value(id: Id): string {
    return `${this.prefix}:e:${idKey(id)}`;
  }

  lock(valueKey: string): string {
    return `${valueKey}:lock`;
  }

  /**
   * The key of a query result. `tags` are sorted and unique; they are part of the key because the
   * same query under other tags has other guards.
   */
  query(method: QueryMethod, hash: string, tags: readonly string[], cursor: string | null): string {
    const tagPart = tags.length === 0 ? '' : `:t${digest(tags.join('\n')).slice(0, 16)}`;
    const cursorPart = cursor === null ? '' : `:${digest(cursor)}`;
    return `${this.prefix}:q:${method}:${hash}${tagPart}${cursorPart}`;
  }
}
