/**
 * Turns values into the bytes stored under a key and back, refusing anything it would not have
 * written itself: too large, unsigned or wrongly signed (with `signingKeys`), not an envelope,
 * an unreadable payload, the wrong shape. A refusal is a `CacheDecodeError` the caller reports
 * and deletes; a plain miss (absent, filled under other generation tokens, another serializer,
 * past its grace period) is `null`, and the next fill overwrites it.
 *
 * The order is cheapest and most suspicious first: the size before anything is read, the
 * signature before anything is parsed, the schema last.
 */

import { decodeEnvelope, type EnvelopeKind, encodeEnvelope, MAX_HEADER_BYTES } from './envelope.js';
import { CacheDecodeError, CacheEncodeError } from './errors.js';
import type { Serializer } from './serializer.js';
import { type EntrySigner, SIGNED_HEADER_BYTES, unwrapUnverified } from './signing.js';

export interface Decoded {
  kind: EnvelopeKind;
  value: unknown;
  /** Past its logical TTL (servable only in grace mode). */
  expired: boolean;
  /** The logical expiry (ms on the cache's clock). */
  expiresAt: number;
  /** The generation tokens the entry was filled under, as recorded in its header. */
  tokens: string;
}

export interface EntryCodecOptions {
  serializer: Serializer;
  signer: EntrySigner | null;
  /** Largest serialized value written; entries larger than this plus a header are not read. */
  maxValueBytes: number;
  graceMs: number;
  now: () => number;
}

export class EntryCodec {
  /** The largest entry read from the store: the largest value plus the largest header. */
  readonly maxEntryBytes: number;
  readonly #serializer: Serializer;
  readonly #signer: EntrySigner | null;
  readonly #maxValueBytes: number;
  readonly #grace: number;
  readonly #now: () => number;

  constructor(options: EntryCodecOptions) {
    this.#serializer = options.serializer;
    this.#signer = options.signer;
    this.#maxValueBytes = options.maxValueBytes;
    this.#grace = options.graceMs;
    this.#now = options.now;
    this.maxEntryBytes = options.maxValueBytes + MAX_HEADER_BYTES + SIGNED_HEADER_BYTES;
  }

  /**
   * The entry for `value` under `key`, or null when it is not to be cached (larger than
   * `maxValueBytes`, or more generation tokens than a header holds).
   */
  encode(
    key: string,
    kind: EnvelopeKind,
    value: unknown,
    tokens: string,
    ttlMs: number,
  ): Uint8Array | CacheEncodeError | null {
    let payload: Uint8Array;
    try {
      payload = kind === 'n' ? new Uint8Array(0) : this.#serializer.serialize(value);
    } catch (err) {
      return new CacheEncodeError('the loaded value cannot be serialized', { cause: err });
    }
    // The fixed part of the header is at most ~60 bytes; the tokens are what can grow (tags).
    if (payload.length > this.#maxValueBytes || tokens.length > MAX_HEADER_BYTES - 128) return null;
    const envelope = encodeEnvelope({
      serializer: this.#serializer.name,
      kind,
      expiresAt: this.#now() + ttlMs,
      tokens,
      payload,
    });
    return this.#signer ? this.#signer.sign(key, envelope) : envelope;
  }

  /**
   * `bytes` as the store returned them: null (absent), a number (not read: larger than
   * `maxEntryBytes`, or -1 for a key that is not a string) or the entry. `tokens` null: the
   * caller compares the recorded tokens itself (the key cache, for entries with tags).
   */
  decode(
    key: string,
    bytes: Uint8Array | number | null,
    tokens: string | null,
    check: (value: unknown) => boolean,
  ): Decoded | CacheDecodeError | null {
    if (bytes === null) return null;
    if (typeof bytes === 'number' || bytes.length > this.maxEntryBytes) {
      const size = typeof bytes === 'number' ? bytes : bytes.length;
      return new CacheDecodeError(
        key,
        size < 0
          ? 'the key does not hold a string'
          : `the entry is ${size} bytes, more than the ${this.maxEntryBytes} read`,
        { reason: 'oversized' },
      );
    }
    let envelopeBytes: Uint8Array;
    if (this.#signer) {
      const verified = this.#signer.verify(key, bytes);
      if (!verified) {
        return new CacheDecodeError(
          key,
          'the entry is not signed by a configured key for this key',
          {
            reason: 'signature',
          },
        );
      }
      envelopeBytes = verified;
    } else {
      envelopeBytes = unwrapUnverified(bytes);
    }
    let env: ReturnType<typeof decodeEnvelope>;
    try {
      env = decodeEnvelope(envelopeBytes);
    } catch (err) {
      return new CacheDecodeError(key, 'not a value written by this cache', {
        cause: err,
        reason: 'envelope',
      });
    }
    if (env.serializer !== this.#serializer.name) return null;
    // Filled under other generation tokens: a write (or eviction) happened since. Not an error.
    if (tokens !== null && env.tokens !== tokens) return null;
    const now = this.#now();
    // The store keeps an entry for TTL + grace; one older than that was put back by someone.
    if (env.expiresAt + this.#grace < now) return null;
    const expired = env.expiresAt <= now;
    const { expiresAt } = env;
    if (env.kind === 'n')
      return { kind: 'n', value: undefined, expired, expiresAt, tokens: env.tokens };
    let value: unknown;
    try {
      value = this.#serializer.deserialize(env.payload);
    } catch (err) {
      return new CacheDecodeError(key, 'the cached payload cannot be deserialized', {
        cause: err,
        reason: 'payload',
      });
    }
    if (!check(value)) {
      return new CacheDecodeError(key, 'the cached value does not have the expected shape', {
        reason: 'shape',
      });
    }
    return { kind: 'v', value, expired, expiresAt, tokens: env.tokens };
  }
}
