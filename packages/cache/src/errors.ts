/**
 * The cache never throws at a repository caller because of itself: a store failure, a timeout or
 * bad bytes in Redis turn into a miss (or a bypass), and the error goes to `onError` and the
 * metrics instead. These classes are what `onError` receives, and what `cached()` and the stores
 * throw for mistakes in their options (a programming error, so it fails at start-up).
 */

export type CacheErrorCode = 'OPTIONS' | 'STORE' | 'DECODE' | 'ENCODE';

export class CacheError extends Error {
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
  readonly operation: string;
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
    this.operation = operation;
  }
}

/**
 * Bytes in the store that are not a value this cache wrote for this entity shape (garbage, a
 * foreign or truncated value, an item that fails the entity schema). Reported to `onError`; the
 * read is treated as a miss and the next fill overwrites the bad value.
 */
export class CacheDecodeError extends CacheError {
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super('DECODE', message, options);
    this.key = key;
  }
}

/** A loaded value could not be serialized (e.g. a cycle); it is returned but not cached. */
export class CacheEncodeError extends CacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENCODE', message, options);
  }
}
