/**
 * HMAC-SHA256 signatures on cache entries (`signingKeys`), so bytes that someone other than this
 * cache put in Redis are never served. A signed entry is the MC1 envelope behind a fixed header:
 *
 *   MS1|<signature: 43 base64url characters>|<MC1 envelope>
 *
 * The MAC covers a domain string, the Redis key the entry is stored under and the whole MC1
 * envelope (serializer, kind — so a cached "not found" too —, expiry, generation tokens, payload):
 * an entry copied under another key, altered, truncated or extended fails. The version and schema
 * fingerprint are part of the Redis key, so they are covered as well.
 *
 * Rotation: sign with the first key, accept any of them. The signature is compared as text in
 * constant time, not decoded first: base64url decoding skips characters it does not know, so two
 * different stored signatures could otherwise decode to the same bytes.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { CacheOptionsError } from './errors.js';

/** A signing key: a string (its UTF-8 bytes are the key) or raw bytes; at least 32 bytes. */
export type SigningKey = string | Uint8Array;

export const MIN_SIGNING_KEY_BYTES = 32;

const MAGIC = Buffer.from('MS1|', 'latin1');
const SIGNATURE_CHARS = 43; // unpadded base64url of a 32-byte HMAC-SHA256
const BAR = 0x7c;
/** Bytes a signature adds in front of an envelope. */
export const SIGNED_HEADER_BYTES = MAGIC.length + SIGNATURE_CHARS + 1;
const DOMAIN = 'mystira-cache-entry/1\0';

const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Whether the bytes start like a signed entry (whether or not the signature is right). */
export function isSigned(bytes: Uint8Array): boolean {
  const buf = asBuffer(bytes);
  // Byte by byte, not `buf.compare`: a call into C++ for four bytes, on every read of an entry.
  return (
    buf.length >= SIGNED_HEADER_BYTES &&
    buf[0] === MAGIC[0] &&
    buf[1] === MAGIC[1] &&
    buf[2] === MAGIC[2] &&
    buf[3] === MAGIC[3]
  );
}

/**
 * The envelope inside a signed entry, signature not checked: what an instance without keys reads,
 * so turning signing on is a rolling deploy (unsigned instances keep hitting signed entries).
 */
export function unwrapUnverified(bytes: Uint8Array): Uint8Array {
  const buf = asBuffer(bytes);
  return isSigned(buf) && buf[SIGNED_HEADER_BYTES - 1] === BAR
    ? buf.subarray(SIGNED_HEADER_BYTES)
    : buf;
}

export class EntrySigner {
  // KeyObjects, imported once: createHmac with a raw Buffer imports the key on every call, which
  // cost ~15 µs per entry here against ~2 µs.
  readonly #keys: KeyObject[];

  constructor(keys: readonly SigningKey[]) {
    if (!Array.isArray(keys) || keys.length === 0) {
      // An empty list is most likely a secret that failed to load: refuse rather than run unsigned.
      throw new CacheOptionsError(
        'signingKeys must be a non-empty array (or left out to not sign)',
      );
    }
    this.#keys = keys.map((k, i) => {
      const bytes =
        typeof k === 'string'
          ? Buffer.from(k, 'utf8')
          : k instanceof Uint8Array
            ? asBuffer(k)
            : null;
      if (!bytes || bytes.length < MIN_SIGNING_KEY_BYTES) {
        throw new CacheOptionsError(
          `signingKeys[${i}] must be a string or bytes of at least ${MIN_SIGNING_KEY_BYTES} bytes`,
        );
      }
      return createSecretKey(Buffer.from(bytes)); // a copy: the caller may reuse its buffer
    });
  }

  #mac(key: KeyObject, redisKey: string, envelope: Uint8Array): Buffer {
    // The key's length goes first so that key and envelope cannot trade bytes.
    return Buffer.from(
      createHmac('sha256', key)
        .update(DOMAIN)
        .update(`${Buffer.byteLength(redisKey)}:${redisKey}`)
        .update(envelope)
        .digest('base64url'),
      'latin1',
    );
  }

  /** The signed entry for `envelope` stored under `redisKey`, signed with the first key. */
  sign(redisKey: string, envelope: Uint8Array): Buffer {
    const mac = this.#mac(this.#keys[0]!, redisKey, envelope);
    return Buffer.concat([MAGIC, mac, Buffer.of(BAR), envelope]);
  }

  /** The envelope inside `bytes` if one of the keys signed it for `redisKey`; null otherwise. */
  verify(redisKey: string, bytes: Uint8Array): Uint8Array | null {
    const buf = asBuffer(bytes);
    if (!isSigned(buf) || buf[SIGNED_HEADER_BYTES - 1] !== BAR) return null;
    const stored = buf.subarray(MAGIC.length, MAGIC.length + SIGNATURE_CHARS);
    const envelope = buf.subarray(SIGNED_HEADER_BYTES);
    for (const key of this.#keys) {
      if (timingSafeEqual(this.#mac(key, redisKey, envelope), stored)) return envelope;
    }
    return null;
  }
}
