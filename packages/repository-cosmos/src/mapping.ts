/**
 * How an entity's items are stored as Cosmos DB documents, and back.
 *
 * Cosmos requires a string `id` on every document and adds system properties (`_rid`, `_etag`,
 * ...). Items are stored as they are, with three adjustments:
 * - the entity's id becomes the document `id` (as a string). When the entity's id field is not
 *   called `id`, it is kept under its own name too and `id` is removed on the way out; when it is
 *   called `id` but holds numbers, the number is kept in `__id` (so it still orders numerically);
 * - the version (see `Repository`) lives in the entity's version field, or in `__v` when the
 *   entity declares none;
 * - system properties never reach the caller.
 */
import { ValidationError } from '@mystira/repository';
import type { EntityDef } from '@mystira/specification';
import { CosmosEntityError } from './errors.js';

/** Properties Cosmos DB owns or gives a meaning to (`ttl` expires documents). */
const SYSTEM = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn', 'ttl'] as const;
const HIDDEN_VERSION = '__v';
const HIDDEN_ID = '__id';

/**
 * A stored document: the item's fields plus the document `id` (and `_etag` when read back).
 *
 * @inline
 */
export type Doc = Record<string, unknown> & {
  /** The document id: the entity's id, as a string. */
  id: string;
  /** Cosmos DB's version tag of the stored document (on documents read back). */
  _etag?: string;
};

/**
 * How an entity's items are stored as Cosmos DB documents and read back (see {@link docMapping}).
 */
export interface DocMapping {
  /** The entity the mapping is for. */
  readonly entity: EntityDef;
  /** The stored path of an entity field path. */
  storedPath(path: readonly string[]): readonly string[];
  /** The partition key's stored path (`/id` when the entity declares none). */
  readonly partitionKeyPath: readonly string[];
  /** The partition key's entity path, or null when the document id is the partition key. */
  readonly partitionKeyField: readonly string[] | null;
  /** The document id of an entity id. */
  docId(id: string | number): string;
  /** Partition key value of an item. */
  partitionKeyOf(item: object): string | number | boolean;
  /** The document that stores `item` at `version`. */
  toDoc(item: object, version: number): Doc;
  /** The item a document stores, without system properties, with its version and etag. */
  fromDoc<T>(doc: Record<string, unknown>): {
    /** The item, as the entity describes it. */
    item: T;
    /** Its version (1 for a document written without one). */
    version: number;
    /** The document's `_etag`, for conditional writes. */
    etag: string | undefined;
  };
}

type IdValue = string | number;

/** Builds the mapping; throws `CosmosEntityError` when a field name collides with a reserved one. */
export function docMapping(entity: EntityDef): DocMapping {
  const idType = entity.fieldAt(entity.id)?.type;
  const numericId = entity.id === 'id' && idType === 'number';
  const reserved = new Set<string>([...SYSTEM, HIDDEN_VERSION, HIDDEN_ID]);
  if (entity.id !== 'id') reserved.add('id');
  for (const name of Object.keys(entity.shape)) {
    if (reserved.has(name)) {
      throw new CosmosEntityError(
        `${entity.name}: the field name "${name}" is reserved in Cosmos DB documents by this adapter`,
        { entity: entity.name },
      );
    }
  }
  const idStored: readonly string[] = numericId ? [HIDDEN_ID] : [entity.id];
  const storedPath = (path: readonly string[]) =>
    path.length === 1 && path[0] === entity.id ? idStored : path;
  // A partition key that is the id itself is the document id: point reads need nothing more.
  const pkField =
    entity.partitionKey && entity.partitionKey !== entity.id
      ? entity.partitionKey.split('.')
      : null;
  const version = entity.version;
  const read = (item: object, path: readonly string[]): unknown => {
    let cur: unknown = item;
    for (const k of path) cur = (cur as Record<string, unknown> | null | undefined)?.[k];
    return cur;
  };
  const docId = (id: IdValue) => String(id);
  return {
    entity,
    storedPath,
    partitionKeyPath: pkField ? storedPath(pkField) : ['id'],
    partitionKeyField: pkField,
    docId,
    partitionKeyOf(item) {
      if (!pkField) return docId((item as Record<string, IdValue>)[entity.id]!);
      const v = read(item, pkField);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new ValidationError(
          `${entity.name}: the partition key "${pkField.join('.')}" is missing`,
          {
            entity: entity.name,
            issues: [{ field: pkField.join('.'), message: 'missing partition key' }],
          },
        );
      }
      return v;
    },
    toDoc(item, v) {
      const src = item as Record<string, unknown>;
      const doc: Record<string, unknown> = { ...src };
      const id = src[entity.id] as IdValue;
      if (numericId) {
        doc[HIDDEN_ID] = id;
        doc.id = docId(id);
      } else if (entity.id !== 'id') doc.id = docId(id);
      if (version) doc[version] = v;
      else doc[HIDDEN_VERSION] = v;
      return doc as Doc;
    },
    fromDoc<T>(doc: Record<string, unknown>) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(doc)) {
        if ((SYSTEM as readonly string[]).includes(k)) continue;
        if (k === HIDDEN_VERSION || k === HIDDEN_ID) continue;
        out[k] = v;
      }
      if (numericId) out.id = doc[HIDDEN_ID];
      else if (entity.id !== 'id') delete out.id;
      const v = version ? doc[version] : doc[HIDDEN_VERSION];
      return {
        item: out as T,
        version: typeof v === 'number' ? v : 1,
        etag: typeof doc._etag === 'string' ? doc._etag : undefined,
      };
    },
  };
}
