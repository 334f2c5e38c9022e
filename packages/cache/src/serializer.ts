/**
 * How values become bytes in the store. JSON is the default because it is readable in
 * `redis-cli` and needs no dependency; it is extended so `Date` and `bigint` round-trip (plain
 * JSON turns a Date into a string and throws on a bigint). msgpack is smaller and faster for large
 * values; bring your own `msgpackr` (an optional peer dependency).
 */
import { CacheOptionsError } from './errors.js';

/**
 * How values become bytes in the store and back: {@link jsonSerializer} (the default) or {@link
 * msgpackSerializer}.
 */
export interface Serializer {
  /** Short name stored in every envelope: a value written by another serializer is a miss. */
  readonly name: string;
  /** Encodes a value (an entity, a page of entities, a count ...) for the store. */
  serialize(value: unknown): Uint8Array;
  /**
   * Decodes what `serialize` wrote; throws on bytes it cannot read (the cache then treats them as a
   * miss and deletes them).
   */
  deserialize(bytes: Uint8Array): unknown;
}

// A key no repository field can use (field names are identifiers), so tagged objects cannot be
// confused with data. Objects that happen to use it anyway are escaped as entry lists.
const TAG = '$mystira';

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date)
    return { [TAG]: 'date', v: Number.isNaN(raw.getTime()) ? null : raw.toISOString() };
  if (typeof raw === 'bigint') return { [TAG]: 'bigint', v: raw.toString() };
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.hasOwn(value, TAG)
  ) {
    return { [TAG]: 'object', v: Object.entries(value) };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const tag = (value as Record<string, unknown>)[TAG];
  if (tag === undefined) return value;
  const v = (value as { v: unknown }).v;
  switch (tag) {
    case 'date':
      return v === null ? new Date(Number.NaN) : new Date(v as string);
    case 'bigint':
      return BigInt(v as string);
    case 'object':
      return Object.fromEntries(v as [string, unknown][]);
    default:
      throw new TypeError(`unknown tag ${String(tag)}`);
  }
}

const TAG_JSON = `"${TAG}"`;

const toText = (bytes: Uint8Array): string =>
  (Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  ).toString('utf8');

/** JSON that keeps `Date` and `bigint` (and everything plain JSON keeps). */
export function jsonSerializer(): Serializer {
  return {
    name: 'json',
    serialize: (value) => Buffer.from(JSON.stringify(value, replacer), 'utf8'),
    deserialize: (bytes) => {
      const text = toText(bytes);
      // The reviver costs a call per value; only values that contain a tag need it (hot path).
      return text.includes(TAG_JSON) ? JSON.parse(text, reviver) : JSON.parse(text);
    },
  };
}

/** The part of a `msgpackr` `Packr` this needs. */
export interface MsgpackCodec {
  /** Encodes a value as msgpack. */
  pack(value: unknown): Uint8Array;
  /** Decodes msgpack bytes. */
  unpack(bytes: Uint8Array): unknown;
}

/**
 * msgpack via your `msgpackr` instance, e.g. `msgpackSerializer(new Packr({ useRecords: false,
 * moreTypes: true }))`. `useRecords: false` matters when several deploys share Redis: record
 * structures are per-process state. msgpackr keeps `Date`; `bigint` needs `useBigInt64: true`.
 */
export function msgpackSerializer(codec: MsgpackCodec): Serializer {
  if (!codec || typeof codec.pack !== 'function' || typeof codec.unpack !== 'function') {
    throw new CacheOptionsError(
      'msgpackSerializer needs an object with pack() and unpack() (a msgpackr Packr)',
    );
  }
  return {
    name: 'msgpack',
    serialize: (value) => codec.pack(value),
    deserialize: (bytes) => codec.unpack(bytes),
  };
}
