/**
 * Entity schema: one declaration that gives both the TypeScript type (`Infer<typeof X>`) and the
 * runtime facts (field path -> type, id/version/partition-key fields) that `fromJSON`, the builder
 * and the backend compilers need.
 *
 * ```ts
 * const Account = entity('accounts', {
 *   id: field.string(),
 *   balance: field.bigint(),
 *   profile: field.object({ country: field.string(), birth: field.date().optional() }),
 *   tags: field.array(field.string()),
 *   version: field.number(),
 * }, { id: 'id', version: 'version', partitionKey: 'profile.country' });
 * type AccountT = Infer<typeof Account>;
 * ```
 */
import {
  type AggregateQueryNode,
  CANONICAL_BIGINT,
  type FieldType,
  FORBIDDEN_KEYS,
  IDENTIFIER,
  type QueryNode,
  type ScalarType,
} from './ast.js';
import { InvalidSchemaError } from './errors.js';

/** Runtime description of a field; `T` is the phantom TypeScript type it stands for. */
export interface Field<T = unknown, Opt extends boolean = boolean> {
  /** The field's type. */
  readonly type: FieldType;
  /** May be missing from the document. */
  readonly isOptional: Opt;
  /** May be `null`. */
  readonly isNullable: boolean;
  /** Element field for arrays (always a scalar field). */
  readonly element: Field | undefined;
  /** Nested fields for objects. */
  readonly shape: Shape | undefined;
  /** Phantom: never set at runtime; carries `T` for `Infer`. */
  readonly __type?: T;
  /** The same field, allowed to be missing. */
  optional(): Field<T, true>;
  /** The same field, allowed to be `null`. */
  nullable(): Field<T | null, Opt>;
}

/** The fields of an entity or nested object, by name. */
export type Shape = { readonly [key: string]: Field<unknown, boolean> };

/**
 * A required, non-null field.
 *
 * @inline
 */
type ScalarField<T> = Field<T, false>;

function make<T>(
  type: FieldType,
  extra: { element?: Field; shape?: Shape } = {},
  isOptional = false,
  isNullable = false,
): Field<T, false> {
  const f: Field<T, boolean> = {
    type,
    isOptional,
    isNullable,
    element: extra.element,
    shape: extra.shape,
    optional: () => make(type, extra, true, isNullable) as never,
    nullable: () => make(type, extra, isOptional, true) as never,
  };
  return Object.freeze(f) as Field<T, false>;
}

/** Field constructors. */
export const field = {
  /** A string, compared and ordered by code point. */
  string: (): ScalarField<string> => make('string'),
  /** A finite JSON number (no NaN/Infinity). */
  number: (): ScalarField<number> => make('number'),
  /** A boolean (`false` orders before `true`). */
  boolean: (): ScalarField<boolean> => make('boolean'),
  /** An instant stored as an ISO 8601 UTC string in `Date#toISOString()` form. */
  date: (): ScalarField<string> => make('date'),
  /** An arbitrary-precision integer stored as a canonical decimal string (JSON has no bigint). */
  bigint: (): ScalarField<string> => make('bigint'),
  /** An array of scalars (arrays of objects are not queryable and not supported). */
  array: <E>(element: Field<E, false>): ScalarField<E[]> => {
    if (element.type === 'array' || element.type === 'object') {
      throw new InvalidSchemaError('array elements must be scalar fields');
    }
    if (element.isOptional || element.isNullable) {
      throw new InvalidSchemaError('array elements cannot be optional or nullable');
    }
    return make('array', { element });
  },
  /** A nested object with its own fields (queried by dotted paths, e.g. `profile.country`). */
  object: <S extends Shape>(shape: S): ScalarField<InferShape<S>> => {
    checkShape(shape, []);
    return make('object', { shape: Object.freeze({ ...shape }) });
  },
};

type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends Field<unknown, true> ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type FieldValue<F> = F extends Field<infer T, boolean> ? T : never;

/**
 * The TypeScript type of a shape: required fields as required properties, optional ones
 * (`.optional()`) as optional properties.
 */
export type InferShape<S extends Shape> = Simplify<
  { -readonly [K in RequiredKeys<S>]: FieldValue<S[K]> } & {
    -readonly [K in OptionalKeys<S>]?: FieldValue<S[K]>;
  }
>;

/** The TypeScript type of an entity (or a field, or a shape). */
export type Infer<X> =
  X extends EntityDef<infer S>
    ? InferShape<S>
    : X extends Field<infer T, boolean>
      ? T
      : X extends Shape
        ? InferShape<X>
        : never;

/** What a compiler needs to know about one field path. */
export interface FieldInfo {
  /** Dotted path, e.g. `profile.country`. */
  readonly name: string;
  /** Path segments, e.g. `['profile', 'country']`. */
  readonly path: readonly string[];
  /** The field's type. */
  readonly type: FieldType;
  /** Element type for arrays. */
  readonly element: ScalarType | null;
  /** True when this field or any parent may be missing or null (so the value can be absent). */
  readonly maybeAbsent: boolean;
}

/** Options of {@link entity}. */
export interface EntityOptions<S extends Shape> {
  /** The unique id field (the ordering tiebreaker). Default `'id'`. Must be a required string or number. */
  id?: Extract<keyof S, string>;
  /** Optimistic-concurrency version field (a required number), if the entity has one. */
  version?: Extract<keyof S, string>;
  /** Dotted path of the partition key (Cosmos DB); must be a required scalar. */
  partitionKey?: string;
}

/**
 * An entity declared with {@link entity}: its name, fields and key fields, for the builder,
 * `fromJSON` and the compilers.
 */
export interface EntityDef<S extends Shape = Shape> {
  /** Tags an entity. */
  readonly kind: 'entity';
  /** The container or table name. */
  readonly name: string;
  /** The declared fields. */
  readonly shape: S;
  /** The id field (the ordering tiebreaker). */
  readonly id: string;
  /** The version field, or null. */
  readonly version: string | null;
  /** The dotted path of the partition key, or null. */
  readonly partitionKey: string | null;
  /** Every field path, including object fields and their nested fields, by dotted name. */
  readonly fields: ReadonlyMap<string, FieldInfo>;
  /** The field at a dotted path or path segments, or undefined. */
  fieldAt(path: string | readonly string[]): FieldInfo | undefined;
  /** Checks a value against the schema; returns the problems found (empty = valid). */
  validate(value: unknown): SchemaIssue[];
  /**
   * Refuses a query or aggregate the entity's store cannot answer, by throwing (e.g. a mapped
   * entity ordered by a field that is not stored: `entityCodec` of `@mystira/repository` sets
   * it). The builder calls it at every step, so the refusal comes where the specification is
   * written, not when it runs.
   */
  readonly checkQuery?: (query: QueryNode | AggregateQueryNode) => void;
}

/** One problem {@link EntityDef.validate} found. */
export interface SchemaIssue {
  /** Dotted path of the offending field ('' for the root). */
  readonly field: string;
  /** What is wrong with it. */
  readonly message: string;
}

function checkShape(shape: Shape, parent: readonly string[]): void {
  if (typeof shape !== 'object' || shape === null)
    throw new InvalidSchemaError('shape must be an object');
  for (const key of Object.keys(shape)) {
    if (FORBIDDEN_KEYS.has(key) || !IDENTIFIER.test(key)) {
      throw new InvalidSchemaError(`invalid field name "${[...parent, key].join('.')}"`, {
        field: [...parent, key].join('.'),
      });
    }
  }
}

function collect(
  shape: Shape,
  parent: readonly string[],
  parentAbsent: boolean,
  out: Map<string, FieldInfo>,
): void {
  for (const [key, f] of Object.entries(shape)) {
    const path = [...parent, key];
    const name = path.join('.');
    const maybeAbsent = parentAbsent || f.isOptional || f.isNullable;
    out.set(
      name,
      Object.freeze({
        name,
        path: Object.freeze(path),
        type: f.type,
        element: f.element ? (f.element.type as ScalarType) : null,
        maybeAbsent,
      }),
    );
    if (f.type === 'object' && f.shape) collect(f.shape, path, maybeAbsent, out);
  }
}

/** Declares an entity: its container/table name, fields and entity-level options. */
export function entity<const S extends Shape>(
  name: string,
  shape: S,
  options: EntityOptions<S> = {},
): EntityDef<S> {
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidSchemaError('entity name must be a non-empty string');
  checkShape(shape, []);
  const fields = new Map<string, FieldInfo>();
  collect(shape, [], false, fields);

  const id = options.id ?? 'id';
  const idField = fields.get(id);
  if (!idField || idField.maybeAbsent || (idField.type !== 'string' && idField.type !== 'number')) {
    throw new InvalidSchemaError(
      `id field "${id}" must be a declared, required, non-null string or number`,
      { field: id },
    );
  }
  const version = options.version ?? null;
  if (version !== null) {
    const v = fields.get(version);
    if (!v || v.maybeAbsent || v.type !== 'number') {
      throw new InvalidSchemaError(
        `version field "${version}" must be a declared, required number`,
        { field: version },
      );
    }
  }
  const partitionKey = options.partitionKey ?? null;
  if (partitionKey !== null) {
    const p = fields.get(partitionKey);
    if (!p || p.maybeAbsent || p.type === 'array' || p.type === 'object') {
      throw new InvalidSchemaError(
        `partition key "${partitionKey}" must be a declared, required scalar field`,
        {
          field: partitionKey,
        },
      );
    }
  }

  const def: EntityDef<S> = {
    kind: 'entity',
    name,
    shape: Object.freeze({ ...shape }),
    id,
    version,
    partitionKey,
    fields,
    fieldAt: (path) => fields.get(typeof path === 'string' ? path : path.join('.')),
    validate: (value) => {
      const issues: SchemaIssue[] = [];
      validateShape(shape, value, '', issues);
      return issues;
    },
  };
  return Object.freeze(def);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The two or four digits of `s` at `at` as a number (the pattern has checked they are digits). */
function digits(s: string, at: number, count: 2 | 4): number {
  let n = 0;
  for (let i = at; i < at + count; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

/**
 * True when `s` is a `Date#toISOString()` string of a real instant (years 0000-9999). Checked by
 * pattern and field ranges rather than by parsing and formatting again: every stored date is
 * validated on every read, and a Date round trip costs more than the rest of the check.
 */
export function isIsoDate(s: string): boolean {
  if (s.length !== 24 || !ISO_DATE.test(s)) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays =
    month === 2
      ? leap
        ? 29
        : 28
      : month === 4 || month === 6 || month === 9 || month === 11
        ? 30
        : 31;
  return (
    day <= monthDays && digits(s, 11, 2) < 24 && digits(s, 14, 2) < 60 && digits(s, 17, 2) < 60
  );
}

/**
 * Whether `s` is a bigint in canonical form: a decimal integer without leading zeros, `+` or `-0`,
 * at most 1000 characters.
 */
export function isCanonicalBigint(s: string): boolean {
  return s.length <= 1000 && CANONICAL_BIGINT.test(s);
}

function validateScalar(type: FieldType, v: unknown): string | null {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? null : 'expected a string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'expected a finite number';
    case 'boolean':
      return typeof v === 'boolean' ? null : 'expected a boolean';
    case 'date':
      return typeof v === 'string' && isIsoDate(v)
        ? null
        : 'expected an ISO 8601 UTC date string (toISOString form)';
    case 'bigint':
      return typeof v === 'string' && isCanonicalBigint(v)
        ? null
        : 'expected a canonical decimal integer string';
    default:
      return null;
  }
}

function validateField(f: Field, v: unknown, name: string, issues: SchemaIssue[]): void {
  if (v === undefined) {
    if (!f.isOptional) issues.push({ field: name, message: 'required field is missing' });
    return;
  }
  if (v === null) {
    if (!f.isNullable) issues.push({ field: name, message: 'field is not nullable' });
    return;
  }
  if (f.type === 'object') {
    validateShape(f.shape ?? {}, v, name, issues);
  } else if (f.type === 'array') {
    if (!Array.isArray(v)) {
      issues.push({ field: name, message: 'expected an array' });
      return;
    }
    v.forEach((e, i) => {
      const msg = validateScalar(f.element!.type, e);
      if (msg) issues.push({ field: `${name}[${i}]`, message: msg });
    });
  } else {
    const msg = validateScalar(f.type, v);
    if (msg) issues.push({ field: name, message: msg });
  }
}

function validateShape(shape: Shape, v: unknown, name: string, issues: SchemaIssue[]): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ field: name, message: 'expected an object' });
    return;
  }
  const rec = v as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!Object.hasOwn(shape, key))
      issues.push({ field: name ? `${name}.${key}` : key, message: 'unknown field' });
  }
  for (const [key, f] of Object.entries(shape)) {
    validateField(
      f,
      Object.hasOwn(rec, key) ? rec[key] : undefined,
      name ? `${name}.${key}` : key,
      issues,
    );
  }
}
