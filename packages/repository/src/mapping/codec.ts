/**
 * The entity codec: an entity's TypeScript shape ↔ the documents another program stores for it.
 * It gives two schemas (the TypeScript one that specifications are written against, and the
 * stored one the inner repository validates and queries) and the functions between them.
 */
import {
  type AggregateQueryNode,
  type EntityDef,
  entity,
  type Field,
  field,
  type QueryNode,
  type SchemaIssue,
  type Shape,
  type Specification,
  spec,
} from '@mystira/specification';
import { planAggregate } from './aggregate.js';
import {
  decodeObject,
  encodeObject,
  type FieldCodec,
  jsonEqual,
  type ObjectOf,
  STORED,
} from './fields.js';
import { type Generation, generationOf, type StoredDocument } from './generations.js';
import { mapQuery } from './query.js';

/** Options of {@link entityCodec}. */
export interface EntityCodecOptions<F extends Record<string, FieldCodec>> {
  /** The entity name specifications use (`query.entity`); by default the container name. */
  readonly name?: string;
  /** The container (table) the documents live in, e.g. `Accounts`. */
  readonly container: string;
  /** The value of the `$type` discriminator EF Core writes (the C# class name), or null for none. */
  readonly type: string | null;
  /** The fields, by TypeScript name. */
  readonly fields: F;
  /** The id field (TypeScript name). Default `id`. */
  readonly id?: Extract<keyof F, string>;
  /** The partition key field (TypeScript name), when it is not the id. */
  readonly partitionKey?: Extract<keyof F, string>;
  /** Older stored shapes (see `generation`); a document belongs to the first that matches it. */
  readonly generations?: readonly Generation[];
}

/** An entity's TypeScript shape and stored shape, and the translation between them. */
export interface EntityCodec<T extends object = Record<string, unknown>> {
  /** The TypeScript schema: specifications are built against it (`spec(codec.domain)`). */
  readonly domain: EntityDef;
  /**
   * The stored schema: what the inner repository stores. Its `validate` checks the properties it
   * declares and ignores the rest, which belong to the other program and are kept as they are.
   */
  readonly stored: EntityDef;
  /** The fields, by TypeScript name. */
  readonly fields: Readonly<Record<string, FieldCodec>>;
  /** The `$type` written, or null. */
  readonly type: string | null;
  /** Older stored shapes; a document belongs to the first that matches it. */
  readonly generations: readonly Generation[];
  /** The TypeScript item of a stored document of any generation. */
  decode(doc: StoredDocument): T;
  /** The current stored document of an item (properties it was read with and does not know are kept). */
  encode(item: T): StoredDocument;
  /** The name of the older generation a document belongs to, or null for a current one. */
  generationOf(doc: StoredDocument): string | null;
  /**
   * Whether two stored documents hold the same item: equal once decoded, whatever their
   * generation and spelling (`"…:00Z"` and `"…:00.0000000Z"`, a legacy status number and the
   * current one). For comparisons across stores (verify, shadow reads). Properties the codec
   * does not declare, and computed fields, are not compared.
   */
  equivalent(a: StoredDocument, b: StoredDocument): boolean;
  /**
   * Phantom: carries `T`; never set.
   * @internal
   */
  readonly __type?: T;
}

/** The TypeScript item type of a codec. */
export type ItemOf<C> = C extends EntityCodec<infer T> ? T : never;

/** Drops properties a shape does not declare (recursively), so validation ignores them. */
function prune(shape: Shape, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const f = shape[k];
    if (!f) continue;
    out[k] = f.type === 'object' && f.shape ? prune(f.shape, v) : v;
  }
  return out;
}

function openEntity(def: EntityDef): EntityDef {
  return Object.freeze({ ...def, validate: (v: unknown) => def.validate(prune(def.shape, v)) });
}

/** Declares an entity codec (see {@link EntityCodec}). */
export function entityCodec<const F extends Record<string, FieldCodec>>(
  options: EntityCodecOptions<F>,
): EntityCodec<ObjectOf<F>> {
  const fields = options.fields;
  const idName = options.id ?? 'id';
  const idCodec = fields[idName];
  if (!idCodec?.stored)
    throw new TypeError(`${options.container}: the id field "${idName}" must be stored`);
  const pkCodec = options.partitionKey ? fields[options.partitionKey] : undefined;
  if (options.partitionKey && !pkCodec?.stored) {
    throw new TypeError(
      `${options.container}: the partition key "${options.partitionKey}" must be stored`,
    );
  }

  const domainShape: Record<string, Field> = {};
  const storedShape: Record<string, Field> = {};
  // The stored schema declares what queries may name. JSON text (never queried) and properties
  // an older generation stores with another type stay undeclared, so documents of every
  // generation validate (undeclared properties are kept, not checked).
  const retyped = new Set((options.generations ?? []).flatMap((g) => g.touches));
  for (const [name, c] of Object.entries(fields)) {
    if (c.domainField) domainShape[name] = c.domainField;
    if (!c.stored || !c.storedField || c.kind === 'json' || retyped.has(c.stored)) continue;
    storedShape[c.stored] = c.storedField;
    for (const alias of c.aliases ?? []) storedShape[alias] = c.storedField;
  }
  // Keys are required in the stored schema (the adapters route on them).
  storedShape[idCodec.stored] = domainShape[idName]!;
  if (pkCodec?.stored) storedShape[pkCodec.stored] = domainShape[options.partitionKey!]!;
  if (options.type !== null) storedShape.$type = field.string().optional().nullable();
  // Old names stay queryable: filters on a renamed property test it under both names.
  for (const g of options.generations ?? []) {
    for (const [from, to] of Object.entries(g.renamed)) {
      if (storedShape[to] && !storedShape[from])
        storedShape[from] = storedShape[to].optional().nullable();
    }
  }

  const name = options.name ?? options.container;
  const domainDef = entity(name, domainShape, {
    id: idName,
    ...(options.partitionKey ? { partitionKey: options.partitionKey } : {}),
  } as never);
  const validateDomain = (v: unknown): SchemaIssue[] => {
    const issues = domainDef.validate(prune(domainDef.shape, v));
    if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        if (!Object.hasOwn(fields, key)) issues.push({ field: key, message: 'unknown field' });
      }
      for (const [key, c] of Object.entries(fields)) {
        const val = (v as Record<string, unknown>)[key];
        if (c.kind === 'objects' && !(Array.isArray(val) || (c.isNullable && val === null))) {
          issues.push({ field: key, message: 'expected an array of objects' });
        }
      }
    }
    return issues;
  };
  // Specifications built against `domain` are mapped as they are written, so what has no stored
  // equivalent (an order on a field that is not stored, `arrayContains` of a value with a comma in
  // a comma-joined list, …) is refused where the specification is built, with the reason.
  const checkQuery = (query: QueryNode | AggregateQueryNode): void => {
    if (query.kind === 'aggregateQuery') planAggregate(codec, query);
    else mapQuery(codec, query);
  };
  const domain = Object.freeze({ ...domainDef, validate: validateDomain, checkQuery });
  const stored = openEntity(
    entity(options.container, storedShape, {
      id: idCodec.stored,
      ...(pkCodec?.stored ? { partitionKey: pkCodec.stored } : {}),
    } as never),
  );
  const generations = options.generations ?? [];

  const computed = Object.keys(fields).filter((k) => fields[k]!.kind === 'computed');
  const withoutComputed = (item: object): object => {
    const out: Record<string, unknown> = { ...item };
    for (const k of computed) delete out[k];
    return out;
  };
  const decode = (doc: StoredDocument): ObjectOf<F> => {
    const g = generationOf(generations, doc);
    return decodeObject(fields, g ? g.upgrade(doc) : doc) as ObjectOf<F>;
  };

  const codec: EntityCodec<ObjectOf<F>> = Object.freeze({
    domain,
    stored,
    fields,
    type: options.type,
    generations,
    decode,
    encode(item: ObjectOf<F>) {
      const out = encodeObject(fields, item as Record<string, unknown>);
      if (options.type !== null) {
        if (Object.hasOwn(out, '$type')) out.$type = options.type;
        else Object.assign(out, { $type: options.type });
      }
      return out;
    },
    generationOf(doc: StoredDocument) {
      return generationOf(generations, doc)?.name ?? null;
    },
    equivalent(a: StoredDocument, b: StoredDocument) {
      return jsonEqual(withoutComputed(decode(a)), withoutComputed(decode(b)));
    },
  });
  return codec;
}

/**
 * A specification over the codec's TypeScript shape: `spec(codec.domain)`, typed as the codec's
 * items (the schema behind `codec.domain` is built at run time, so `spec` alone cannot infer it).
 */
export function specOf<T extends object>(codec: EntityCodec<T>): Specification<T> {
  return spec(codec.domain) as unknown as Specification<T>;
}

/** The stored document an item was decoded from, if it was (see `STORED`). */
export function storedDocumentOf(item: object): StoredDocument | undefined {
  return (item as Record<symbol, StoredDocument | undefined>)[STORED];
}
