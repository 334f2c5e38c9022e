/**
 * The cache never throws at a repository caller because of itself: a store failure, a timeout or
 * bad bytes in Redis turn into a miss (or a bypass), and the error goes to `onError` and the
 * metrics instead. These classes are what `onError` receives, and what `cached()` and the stores
 * throw for mistakes in their options (a programming error, so it fails at start-up).
 */

import { brandErrors } from '../../../shared/error-brand.js';

/**
 * What kind of failure a {@link CacheError} is: bad options, a store call, bytes that do not
 * decode, a value that does not encode, a key the key cache refuses, a factory past its hard
 * timeout, a factory that failed where nobody waited for it.
 */
export type CacheErrorCode =
  | 'OPTIONS'
  | 'STORE'
  | 'DECODE'
  | 'ENCODE'
  | 'KEY'
  | 'TIMEOUT'
  | 'FACTORY';

/** The base of every error of `@mystira/cache`; `code` says which kind it is. */
export class CacheError extends Error {
  /** The kind of failure. */
  readonly code: CacheErrorCode;
  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid options passed to `cached()`, a store or a serializer. Thrown synchronously. */
export class CacheOptionsError extends CacheError {
  constructor(message: string) {
    super('OPTIONS', message);
  }
}

/**
 * A call to the cache store failed: Redis unreachable, a command timed out, the circuit breaker is
 * open, or Redis answered with an error. `operation` says which call (`get`, `fill`,
 * `invalidate`, `lock`, `publish`, `ping`). Reported to `onError`; the read falls through to the
 * repository, a write records the invalidation as pending.
 */
export class CacheStoreError extends CacheError {
  /** The store call that failed: `get`, `fill`, `invalidate`, `lock`, `publish` or `ping`. */
  readonly operation: string;
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
    this.operation = operation;
  }
}

/**
 * Why an entry was refused:
 * - `oversized`: larger than `maxValueBytes` plus the envelope's header (not read), or not a string;
 * - `signature`: unsigned, or signed by no key in `signingKeys` for this Redis key (forged, copied
 *   from another key, altered, truncated);
 * - `envelope`: not an envelope this cache writes (garbage, truncated, unknown envelope version);
 * - `payload`: the serializer cannot read the payload;
 * - `shape`: the value does not have the expected shape (fails the entity schema);
 * - `token`: a generation key holds something that is not a generation token;
 * - `message`: an invalidation message on the pub/sub channel is not one this cache sends.
 */
export type CacheDecodeReason =
  | 'oversized'
  | 'signature'
  | 'envelope'
  | 'payload'
  | 'shape'
  | 'token'
  | 'message';

/**
 * Bytes in the store that are not a value this cache wrote for this key and entity shape (see
 * `reason`). Reported to `onError`; the read is treated as a miss, the entry is deleted (a junk
 * generation key is replaced by a fresh token) and the repository answers.
 */
export class CacheDecodeError extends CacheError {
  /** The store key that held the bytes. */
  readonly key: string;
  /** Why the entry was refused. */
  readonly reason: CacheDecodeReason;
  constructor(
    key: string,
    message: string,
    options?: { cause?: unknown; reason?: CacheDecodeReason },
  ) {
    super('DECODE', message, options);
    this.key = key;
    this.reason = options?.reason ?? 'envelope';
  }
}

/** A loaded value could not be serialized (e.g. a cycle); it is returned but not cached. */
export class CacheEncodeError extends CacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENCODE', message, options);
  }
}

/**
 * A key, prefix, tag or namespace the key cache refuses (empty, too long, too many `:` segments,
 * or a namespace with braces or whitespace). The call that got it rejects with it: a programming
 * error, never a cache condition.
 */
export class CacheKeyError extends CacheError {
  /** The refused key (or prefix, tag, namespace). */
  readonly key: string;
  constructor(key: string, message: string) {
    super('KEY', message);
    this.key = key;
  }
}

/**
 * `getOrSet`'s factory did not finish within `hardTimeoutMs` and there was no stale value to
 * serve instead. The factory goes on in the background and fills the cache if it succeeds.
 */
export class CacheTimeoutError extends CacheError {
  /** The key whose factory timed out. */
  readonly key: string;
  /** The hard timeout that passed, in ms. */
  readonly timeoutMs: number;
  constructor(key: string, timeoutMs: number) {
    super('TIMEOUT', `the factory of ${key} did not finish within ${timeoutMs} ms`);
    this.key = key;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A factory failed where no caller received its error: an eager refresh, a factory that went on
 * after a timeout, or one whose failure was answered with a stale value (fail-safe). Reported to
 * `onError` only; `cause` is what the factory threw. A factory error a caller waits for is thrown
 * to that caller unchanged.
 */
export class CacheFactoryError extends CacheError {
  /** The key whose factory failed. */
  readonly key: string;
  constructor(key: string, options: { cause: unknown }) {
    super('FACTORY', `the factory of ${key} failed`, options);
    this.key = key;
  }
}

brandErrors('@mystira/cache', {
  CacheKeyError,
  CacheTimeoutError,
  CacheFactoryError,
  CacheError,
  CacheOptionsError,
  CacheStoreError,
  CacheDecodeError,
  CacheEncodeError,
});
