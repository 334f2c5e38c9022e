/**
 * The id formats Mystira's .NET App writes, so TypeScript code can create ids the App accepts
 * and recognise the ones it finds. Ids are opaque strings everywhere else: never parse one to
 * decide anything but its format.
 */
import { sha256Hex } from '@mystira/specification';

/** The formats found in Mystira's documents. */
export type IdFormat = 'guid' | 'guid-n' | 'entity-id' | 'legacy-prefixed' | 'other';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_N = /^[0-9a-f]{32}$/i;
const ENTITY_ID = /^[0-9A-F]{26}$/;
const LEGACY = /^([A-Za-z]+)\|(.+)$/;

/**
 * The format of an id: `guid` (36-char hyphenated; random or deterministic), `guid-n` (32 hex,
 * `ToString("N")`), `entity-id` (26 upper-case hex, `EntityId.NewId()`), `legacy-prefixed`
 * (`GameSession|<key>`, written by EF Core 8 before 2025-11-23) or `other` (literals such as
 * `media-metadata`, axis names, author-chosen scene ids).
 */
export function idFormatOf(id: string): IdFormat {
  if (GUID.test(id)) return 'guid';
  if (ENTITY_ID.test(id)) return 'entity-id';
  if (GUID_N.test(id)) return 'guid-n';
  if (LEGACY.test(id)) return 'legacy-prefixed';
  return 'other';
}

/** The parts of an EF Core 8 id. */
export interface LegacyId {
  /** The entity type name before the `|`. */
  readonly type: string;
  /** The key after it. */
  readonly key: string;
}

/** The parts of an EF Core 8 id (`GameSession|abc` gives `{ type: 'GameSession', key: 'abc' }`), or null. */
export function parseLegacyId(id: string): LegacyId | null {
  const m = LEGACY.exec(id);
  return m ? { type: m[1]!, key: m[2]! } : null;
}

function hexByte(bytes: Uint8Array, i: number): string {
  return bytes[i]!.toString(16).padStart(2, '0');
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/**
 * The 36-char text .NET prints for `new Guid(bytes)` of 16 bytes: the first three groups are
 * little-endian integers, so bytes 0-3, 4-5 and 6-7 appear reversed; bytes 8-15 appear in order.
 */
export function dotnetGuidText(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new RangeError('a GUID needs 16 bytes');
  const h = (...idx: number[]) => idx.map((i) => hexByte(bytes, i)).join('');
  return `${h(3, 2, 1, 0)}-${h(5, 4)}-${h(7, 6)}-${h(8, 9)}-${h(10, 11, 12, 13, 14, 15)}`;
}

/**
 * The deterministic GUID the App's seeders give master data: SHA-256 over the UTF-8 text
 * `kind:part1:part2…` (each part lower-cased), its first 16 bytes as a .NET `Guid`. Kinds:
 * `compass-axis`, `archetype`, `echo-type`, `fantasy-theme`, `age-group` (with the item's value),
 * `axis-achievement` (age group, axis, direction), `badge` (age group, axis, tier, tier order).
 */
export function deterministicGuid(kind: string, ...parts: readonly (string | number)[]): string {
  const text = [kind, ...parts.map((p) => String(p).toLowerCase())].join(':');
  const hex = sha256Hex(text);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return dotnetGuidText(bytes);
}

/** A random GUID as `Guid.NewGuid().ToString()` prints it (36 chars, lower case). */
export function newGuid(): string {
  return globalThis.crypto.randomUUID();
}

/** A random GUID as `Guid.NewGuid().ToString("N")` prints it (32 lower-case hex chars). */
export function newGuidN(): string {
  return newGuid().replaceAll('-', '');
}

/**
 * A time-sortable id as `EntityId.NewId()` makes it: the Unix time in ms as 12 hex digits, then
 * 14 random hex digits, upper case (26 chars).
 */
export function newEntityId(now: number = Date.now()): string {
  const time = Math.floor(now).toString(16).padStart(12, '0').slice(-12);
  const random = [...randomBytes(7)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${time}${random}`.toUpperCase();
}
