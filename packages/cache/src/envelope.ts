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
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const BAR = 0x7c;

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
  const header = encoder.encode(`${MAGIC}${e.serializer}|${e.kind}|${e.expiresAt}|${e.tokens}|`);
  const out = new Uint8Array(header.length + e.payload.length);
  out.set(header, 0);
  out.set(e.payload, header.length);
  return out;
}

/** Parses the header; throws `TypeError` on anything this module did not write. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const bars: number[] = [];
  const limit = Math.min(bytes.length, 4096);
  for (let i = 0; i < limit && bars.length < 5; i++) if (bytes[i] === BAR) bars.push(i);
  if (bars.length < 5) throw new TypeError('not a cache envelope');
  const header = decoder.decode(bytes.subarray(0, bars[4]! + 1));
  if (!header.startsWith(MAGIC)) throw new TypeError('not a cache envelope');
  const [, serializer, kind, exp, tokens] = header.split('|') as [
    string,
    string,
    string,
    string,
    string,
  ];
  const expiresAt = Number(exp);
  if ((kind !== 'v' && kind !== 'n') || !Number.isFinite(expiresAt))
    throw new TypeError('malformed cache envelope');
  return {
    serializer,
    kind,
    expiresAt,
    tokens,
    payload: bytes.subarray(bars[4]! + 1),
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
