/**
 * What a cached value looks like in the store: a short text header, then the serializer's bytes.
 *
 *   MC1|<serializer>|<kind>|<expires-at ms>|<generation tokens, comma-separated>|<payload>
 *
 * The header makes every read self-checking: a value written by another serializer, a foreign or
 * truncated value, or one filled under generation tokens that have since changed (a write
 * happened) is not served. `kind` is `v` (a value) or `n` (negative: "not found" was cached).
 * `expires-at` is the logical expiry; the store keeps the key a little longer in grace mode.
 */
import { randomBytes } from 'node:crypto';

const MAGIC = 'MC1|';
const BAR = 0x7c;
/** The header (everything before the payload) is never longer than this. */
export const MAX_HEADER_BYTES = 4096;

export type EnvelopeKind = 'v' | 'n';

export interface Envelope {
  serializer: string;
  kind: EnvelopeKind;
  expiresAt: number;
  /** The generation tokens joined by ',' ('' stands for an absent key). */
  tokens: string;
  payload: Uint8Array;
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  const header = Buffer.from(
    `${MAGIC}${e.serializer}|${e.kind}|${e.expiresAt}|${e.tokens}|`,
    'latin1',
  );
  return Buffer.concat([header, e.payload]);
}

const MAGIC_BYTES = Buffer.from(MAGIC, 'latin1');
const KIND_VALUE = 0x76; // 'v'
const KIND_NEGATIVE = 0x6e; // 'n'
/** Longest run of digits read as a number without a string (exact below 2^53). */
const MAX_FAST_DIGITS = 15;

/**
 * `Number()` of the header field `buf[from, to)`: read from the bytes when it is plain digits, as
 * every expiry this module writes is (the hit path reads one per call), else from its text.
 */
function fieldNumber(buf: Buffer, from: number, to: number): number {
  if (to > from && to - from <= MAX_FAST_DIGITS) {
    let n = 0;
    for (let i = from; i < to; i++) {
      const digit = buf[i]! - 0x30;
      if (digit < 0 || digit > 9) return Number(buf.toString('latin1', from, to));
      n = n * 10 + digit;
    }
    return n;
  }
  return Number(buf.toString('latin1', from, to));
}

/** Parses the header; throws `TypeError` on anything this module did not write. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const buf = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < MAGIC_BYTES.length) throw new TypeError('not a cache envelope');
  // Byte by byte rather than a string per field: the header is parsed on every hit.
  for (let i = 0; i < MAGIC_BYTES.length; i++)
    if (buf[i] !== MAGIC_BYTES[i]) throw new TypeError('not a cache envelope');
  // Four more separators after the magic: serializer|kind|expires|tokens|
  const bars: number[] = [];
  let at = MAGIC.length - 1;
  for (let i = 0; i < 4; i++) {
    at = buf.indexOf(BAR, at + 1);
    if (at < 0 || at >= MAX_HEADER_BYTES) throw new TypeError('not a cache envelope');
    bars.push(at);
  }
  const kindByte = bars[1]! - bars[0]! === 2 ? buf[bars[0]! + 1] : undefined;
  const expiresAt = fieldNumber(buf, bars[1]! + 1, bars[2]!);
  if ((kindByte !== KIND_VALUE && kindByte !== KIND_NEGATIVE) || !Number.isFinite(expiresAt)) {
    throw new TypeError('malformed cache envelope');
  }
  return {
    serializer: buf.toString('latin1', MAGIC.length, bars[0]),
    kind: kindByte === KIND_VALUE ? 'v' : 'n',
    expiresAt,
    tokens: buf.toString('latin1', bars[2]! + 1, bars[3]),
    payload: buf.subarray(bars[3]! + 1),
  };
}

// Generation tokens: unique across processes and restarts without coordination (a random
// process tag plus a counter), never containing the header's separators. Uniqueness is what makes
// an evicted-then-recreated generation key safe: it can never take an old value again.
const processTag = randomBytes(6).toString('base64url');
let counter = 0;

export function freshToken(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${processTag}.${counter.toString(36)}`;
}
