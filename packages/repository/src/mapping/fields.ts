/**
 * Field codecs: how one property of an entity's TypeScript shape is stored in a document written
 * by another program (Mystira's .NET App through EF Core): under which name, in which encoding
 * (enums as integers or names, string lists joined by commas, JSON text inside a string, .NET
 * date strings), and which queries on it can be translated to the stored encoding.
 *
 * Decoders are lenient (they read every spelling the other program writes, and old ones);
 * encoders write exactly one, the current one.
 */
import { type Field, field } from '@mystira/specification';
import { dotnetDate, parseDotnetDate } from './dates.js';

/** The encodings a field codec can have; the query mapper decides per kind what it can translate. */
export type FieldCodecKind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'date'
  | 'enum'
  | 'enumName'
  | 'list'
  | 'json'
  | 'jsonValue'
  | 'object'
  | 'objects'
  | 'computed';

/** How a stored field is named and encoded, and what its TypeScript value is (`D`). */
export interface FieldCodec<D = unknown> {
  /** The encoding. */
  readonly kind: FieldCodecKind;
  /** The stored property name, or null for a computed field that is never stored. */
  readonly stored: string | null;
  /** Whether the TypeScript value may be null (stored as JSON `null`). */
  readonly isNullable: boolean;
  /** The queryable schema field of the TypeScript value, or null when it cannot be queried. */
  readonly domainField: Field | null;
  /** The schema field of the stored value, or null when the store keeps it opaque. */
  readonly storedField: Field | null;
  /** Enums: the name of each stored value. */
  readonly names?: ReadonlyMap<number | string, string>;
  /** Nested objects: the codecs of their fields. */
  readonly fields?: Readonly<Record<string, FieldCodec>>;
  /** Computed fields: what to query instead (shown in the refusal). */
  readonly hint?: string;
  /**
   * Other stored names that hold the same value (.NET alias properties that EF writes twice,
   * e.g. `Name` beside `DisplayName`): written with it, read when the main name is missing or null.
   */
  readonly aliases?: readonly string[];
  /** The TypeScript value of a stored value (`undefined` when the property is missing). */
  decode(stored: unknown): D;
  /**
   * The stored value of a TypeScript value. `original` is what was read, when the item was read:
   * codecs of nested objects keep its properties they do not know.
   */
  encode(value: D, original?: unknown): unknown;
  /**
   * Phantom: carries `D` for type inference; never set.
   * @internal
   */
  readonly __type?: D;
}

/** A field codec that can be made nullable. */
export interface NullableFieldCodec<D> extends FieldCodec<D> {
  /** The same codec, whose value may be null (stored as JSON `null`; missing reads as null). */
  nullable(): FieldCodec<D | null>;
}

/** The TypeScript value type of a field codec. */
export type DomainOf<C> = C extends FieldCodec<infer D> ? D : never;

function nullableOf<D>(c: FieldCodec<D>): FieldCodec<D | null> {
  return {
    ...c,
    isNullable: true,
    domainField: c.domainField?.nullable() ?? null,
    storedField: c.storedField,
    decode: (v) => (v === null || v === undefined ? null : c.decode(v)),
    encode: (v, original) => (v === null ? null : c.encode(v, original)),
  };
}

function make<D>(c: FieldCodec<D>): NullableFieldCodec<D> {
  return { ...c, nullable: () => nullableOf(c) };
}

/**
 * `codec`, also written under `aliases` (the .NET model's alias properties, which EF writes as
 * separate properties with the same value) and read from the first of them that holds a value
 * when the main name is missing or null. Queries test the names in the same order.
 */
export function aliased<D>(codec: FieldCodec<D>, ...aliases: string[]): FieldCodec<D> {
  return { ...codec, aliases: [...(codec.aliases ?? []), ...aliases] };
}

/** Stored fields are always optional and nullable: old documents lack fields, EF writes nulls. */
function loose(f: Field): Field {
  return f.optional().nullable();
}

/** Options of the scalar codecs: the value read when an older document lacks the property. */
export interface DefaultOptions<D> {
  /** The value decoded from a missing (or null) property. */
  default?: D;
}

/** A string stored as a JSON string. */
export function stringField(stored: string, options: DefaultOptions<string> = {}) {
  const fallback = options.default ?? '';
  return make<string>({
    kind: 'string',
    stored,
    isNullable: false,
    domainField: field.string(),
    storedField: loose(field.string()),
    decode: (v) => (typeof v === 'string' ? v : v == null ? fallback : String(v)),
    encode: (v) => v,
  });
}

/** A number (int, long, double or decimal) stored as a JSON number. */
export function numberField(stored: string, options: DefaultOptions<number> = {}) {
  const fallback = options.default ?? 0;
  return make<number>({
    kind: 'number',
    stored,
    isNullable: false,
    domainField: field.number(),
    storedField: loose(field.number()),
    decode: (v) => {
      if (typeof v === 'number') return v;
      // Legacy documents hold some numbers as strings (`MediaAsset.Version` was `"1.0"`).
      const n = typeof v === 'string' ? Number(v) : Number.NaN;
      return Number.isFinite(n) ? n : fallback;
    },
    encode: (v) => v,
  });
}

/** A boolean stored as `true`/`false`. */
export function booleanField(stored: string, options: DefaultOptions<boolean> = {}) {
  const fallback = options.default ?? false;
  return make<boolean>({
    kind: 'boolean',
    stored,
    isNullable: false,
    domainField: field.boolean(),
    storedField: loose(field.boolean()),
    decode: (v) => (typeof v === 'boolean' ? v : fallback),
    encode: (v) => v,
  });
}

/**
 * A .NET `DateTime` stored as Newtonsoft's round-trip text (`2026-02-01T10:15:00.123Z`, fraction
 * trimmed, up to 7 digits; no `Z` for unspecified kind). The TypeScript value is the instant in
 * `Date#toISOString()` form (millisecond precision); an unchanged value is written back exactly
 * as it was read.
 */
export function dateField(stored: string, options: DefaultOptions<string> = {}) {
  const fallback = options.default ?? '0001-01-01T00:00:00.000Z';
  return make<string>({
    kind: 'date',
    stored,
    isNullable: false,
    domainField: field.date(),
    storedField: loose(field.string()),
    decode: (v) => (typeof v === 'string' ? (parseDotnetDate(v) ?? fallback) : fallback),
    encode: (v) => dotnetDate(v),
  });
}

/**
 * An enum stored as its integer value (EF's default). `values` maps each member name to its
 * current number; the TypeScript value is the name. Older numberings are translated by a
 * generation (see `renumber`) before decoding. An integer with no name decodes as its decimal
 * text, so nothing is lost when it is written back.
 */
export function enumField<const N extends string>(
  stored: string,
  values: Readonly<Record<N, number>>,
  options: DefaultOptions<NoInfer<N>> = {},
) {
  const byNumber = new Map<number | string, string>();
  for (const [name, n] of Object.entries(values) as [N, number][]) {
    if (!byNumber.has(n)) byNumber.set(n, name);
  }
  const first = Object.keys(values)[0] as N;
  const fallback = options.default ?? first;
  return make<N>({
    kind: 'enum',
    stored,
    isNullable: false,
    names: byNumber,
    domainField: field.string(),
    storedField: loose(field.number()),
    decode: (v) => {
      if (typeof v === 'number') return (byNumber.get(v) ?? String(v)) as N;
      if (typeof v === 'string') {
        const named = Object.keys(values).find((k) => k.toLowerCase() === v.toLowerCase());
        return (named ?? fallback) as N;
      }
      return fallback;
    },
    encode: (v) => {
      const n = (values as Record<string, number>)[v];
      if (n !== undefined) return n;
      const raw = Number(v);
      if (Number.isInteger(raw)) return raw;
      throw new TypeError(`${stored}: "${v}" is not a member of the enum`);
    },
  });
}

/**
 * An enum stored as its member name (EF's string converter; Mystira's music enums), read back
 * case-insensitively. The TypeScript value is the canonical name.
 */
export function enumNameField<const N extends string>(
  stored: string,
  names: readonly N[],
  options: DefaultOptions<NoInfer<N>> = {},
) {
  const canonical = new Map<string, string>(names.map((n) => [n.toLowerCase(), n]));
  const fallback = options.default ?? names[0]!;
  return make<N>({
    kind: 'enumName',
    stored,
    isNullable: false,
    names: new Map(names.map((n) => [n, n])),
    domainField: field.string(),
    storedField: loose(field.string()),
    decode: (v) => (typeof v === 'string' ? (canonical.get(v.toLowerCase()) ?? v) : fallback) as N,
    encode: (v) => v,
  });
}

/**
 * A `List<string>` stored as ONE string, items joined by `,` and read back with
 * `Split(',', RemoveEmptyEntries)`: no escaping, so an item can never contain a comma, and empty
 * items vanish. An empty list is stored as `""`.
 */
export function commaListField(stored: string) {
  return make<string[]>({
    kind: 'list',
    stored,
    isNullable: false,
    domainField: field.array(field.string()),
    storedField: loose(field.string()),
    decode: (v) => {
      if (Array.isArray(v)) return v.filter((e): e is string => typeof e === 'string');
      return typeof v === 'string' ? v.split(',').filter((e) => e.length > 0) : [];
    },
    encode: (v) => {
      for (const item of v) {
        if (item.includes(',')) {
          throw new TypeError(
            `${stored}: the item "${item}" contains a comma, which this list cannot store`,
          );
        }
      }
      return v.filter((e) => e.length > 0).join(',');
    },
  });
}

/** A `List<string>` stored as a JSON array of strings (no converter). */
export function stringArrayField(stored: string) {
  return make<string[]>({
    kind: 'string',
    stored,
    isNullable: false,
    domainField: field.array(field.string()),
    storedField: loose(field.array(field.string())),
    decode: (v) => (Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : []),
    encode: (v) => [...v],
  });
}

/**
 * A value the .NET code serialises itself to JSON text and stores in a string (`CompassValues`,
 * `Prices`, `AxisScores`). The TypeScript value is the parsed JSON; it cannot be queried. Text
 * that does not parse decodes to `fallback`.
 */
export function jsonTextField<D>(stored: string, fallback: D) {
  return make<D>({
    kind: 'json',
    stored,
    isNullable: false,
    domainField: null,
    storedField: loose(field.string()),
    decode: (v) => {
      if (typeof v !== 'string') return v === undefined || v === null ? fallback : (v as D);
      try {
        return JSON.parse(v) as D;
      } catch {
        return fallback;
      }
    },
    encode: (v) => JSON.stringify(v),
  });
}

/**
 * A JSON value stored as it is (an object with keys chosen by the data, such as a dictionary
 * `TracksByProfile`: profile name → track ids). Not queryable. A string holding JSON (older
 * double-encoded data, which the .NET reader also accepts) is parsed; anything else missing or
 * unreadable decodes to `fallback`.
 */
export function jsonValueField<D>(stored: string, fallback: D) {
  return make<D>({
    kind: 'jsonValue',
    stored,
    isNullable: false,
    domainField: null,
    storedField: null,
    decode: (v) => {
      if (v === undefined || v === null) return fallback;
      if (typeof v !== 'string') return v as D;
      try {
        return JSON.parse(v) as D;
      } catch {
        return fallback;
      }
    },
    encode: (v) => v,
  });
}

/**
 * A nested (owned) object: its own fields with their own stored names. Properties of the stored
 * object that no field names are kept and written back.
 */
export function objectField<const F extends Record<string, FieldCodec>>(stored: string, fields: F) {
  const domainShape: Record<string, Field> = {};
  const storedShape: Record<string, Field> = {};
  for (const [name, c] of Object.entries(fields)) {
    if (c.domainField) domainShape[name] = c.domainField;
    if (c.stored && c.storedField) storedShape[c.stored] = c.storedField;
  }
  return make<ObjectOf<F>>({
    kind: 'object',
    stored,
    isNullable: false,
    fields,
    domainField: field.object(domainShape),
    storedField: loose(field.object(storedShape)),
    decode: (v) => decodeObject(fields, v) as ObjectOf<F>,
    encode: (v, original) => encodeObject(fields, v as Record<string, unknown>, original),
  });
}

/**
 * An owned collection: an array of nested objects, each with `fields`. Not queryable (the
 * specification language has no arrays of objects).
 */
export function objectsField<const F extends Record<string, FieldCodec>>(
  stored: string,
  fields: F,
) {
  return make<ObjectOf<F>[]>({
    kind: 'objects',
    stored,
    isNullable: false,
    fields,
    domainField: null,
    storedField: null,
    decode: (v) => (Array.isArray(v) ? v.map((e) => decodeObject(fields, e) as ObjectOf<F>) : []),
    encode: (v, original) => {
      const before = Array.isArray(original) ? original : [];
      return v.map((e, i) => encodeObject(fields, e as Record<string, unknown>, before[i]));
    },
  });
}

/** The codec of a computed field (see {@link computedField}). */
export interface ComputedFieldCodec<D> extends FieldCodec<D> {
  /** Derives the value from the stored object the item is read from. */
  readonly derive: (doc: Record<string, unknown>) => D;
}

/**
 * A property of the TypeScript shape that is not stored (the .NET model ignores or computes it):
 * derived from the stored document on read, never written, and refused in queries with `hint`
 * (what to query instead).
 */
export function computedField<D>(
  derive: (doc: Record<string, unknown>) => D,
  domainField: Field,
  hint: string,
): ComputedFieldCodec<D> {
  return {
    kind: 'computed',
    stored: null,
    isNullable: false,
    domainField: domainField.optional(),
    storedField: null,
    hint,
    derive,
    decode: () => undefined as D,
    encode: () => undefined,
  };
}

/** The keys of computed fields, which are optional in the TypeScript object ({@link ObjectOf}). */
export type ComputedKeys<F> = {
  [K in keyof F]: F[K] extends ComputedFieldCodec<unknown> ? K : never;
}[keyof F];

/**
 * The TypeScript object described by a map of field codecs: every stored field required,
 * computed fields optional (they are derived on reading and never written).
 */
export type ObjectOf<F extends Record<string, FieldCodec>> = {
  -readonly [K in Exclude<keyof F, ComputedKeys<F>>]: DomainOf<F[K]>;
} & {
  -readonly [K in ComputedKeys<F>]?: DomainOf<F[K]>;
};

/** The symbol under which a decoded object keeps the stored object it was read from. */
export const STORED = Symbol.for('mystira.mapping.stored');

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  const br = b as Record<string, unknown>;
  return ak.every(
    (k) => Object.hasOwn(br, k) && jsonEqual((a as Record<string, unknown>)[k], br[k]),
  );
}

/**
 * The value under `name`, or, when that is missing or null, under the first alias that holds a
 * value (null and missing are one case, as they are for queries).
 */
function storedValue(
  src: Record<string, unknown>,
  name: string,
  aliases?: readonly string[],
): unknown {
  if (src[name] != null || !aliases) return src[name];
  const alias = aliases.find((a) => src[a] != null);
  return alias === undefined ? src[name] : src[alias];
}

/** Decodes a stored object with `fields`; remembers it under {@link STORED}. */
export function decodeObject(
  fields: Record<string, FieldCodec>,
  v: unknown,
): Record<string, unknown> {
  const src =
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(fields)) {
    if (c.kind === 'computed') out[name] = (c as ComputedFieldCodec<unknown>).derive(src);
    else out[name] = c.decode(c.stored ? storedValue(src, c.stored, c.aliases) : undefined);
  }
  Object.defineProperty(out, STORED, {
    value: src,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return out;
}

/**
 * Encodes an object with `fields`, starting from the object it was read from (so properties no
 * field names survive) and keeping each stored value whose meaning did not change byte for byte.
 */
export function encodeObject(
  fields: Record<string, FieldCodec>,
  value: Record<string, unknown>,
  original?: unknown,
): Record<string, unknown> {
  const remembered = value[STORED as never] as unknown;
  const base =
    typeof remembered === 'object' && remembered !== null
      ? (remembered as Record<string, unknown>)
      : typeof original === 'object' && original !== null && !Array.isArray(original)
        ? (original as Record<string, unknown>)
        : {};
  const out: Record<string, unknown> = { ...base };
  for (const [name, c] of Object.entries(fields)) {
    if (!c.stored) continue;
    for (const key of [c.stored, ...(c.aliases ?? [])]) {
      const v = value[name];
      const before = base[key];
      if (v === undefined) {
        if (!Object.hasOwn(out, key))
          out[key] = c.isNullable ? null : c.encode(c.decode(undefined));
        continue;
      }
      // Unchanged: keep the stored spelling (date precision, enum case, ...). Nested objects are
      // always re-encoded (which keeps their unchanged leaves), so that an older document's
      // nested objects get the current shape too (aliases, renamed members).
      const nested = c.kind === 'object' || c.kind === 'objects';
      if (!nested && Object.hasOwn(base, key) && jsonEqual(c.decode(before), v)) continue;
      out[key] = c.encode(v as never, before);
    }
  }
  return out;
}
