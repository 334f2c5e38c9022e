/**
 * The store port: the few operations the cache needs, each of which Redis does in one round trip
 * (and atomically where it matters). Keeping it this small is what lets the memory store and the
 * Redis store (single node or Cluster) behave identically, and lets the guard layer put one
 * timeout and one breaker around every call.
 */

/** "Only fill if this key still holds `expected`" (null: is absent). */
export interface Guard {
  /** The generation key to check. */
  readonly key: string;
  /** The token the key must still hold, or null: the key must be absent. */
  readonly expected: string | null;
  /**
   * When `expected` is null and the key is absent, set it to this token as part of the fill. Used
   * for generation keys that readers need to exist (epoch, query generation, tag generations).
   */
  readonly create?: string;
  /** Expiry of the created key in ms (absent: none). */
  readonly createTtlMs?: number;
}

/** One value a fill writes. */
export interface FillEntry {
  /** The key to set. */
  readonly key: string;
  /** The serialized entry (envelope and value). */
  readonly value: Uint8Array;
  /** Expiry in ms. */
  readonly ttlMs: number;
}

/**
 * A generation token a write sets (which makes every entry filled under the old token unreachable).
 */
export interface TokenWrite {
  /** The generation key. */
  readonly key: string;
  /** The new token. */
  readonly value: string;
  /** Expiry; absent = no expiry. */
  readonly ttlMs?: number;
}

/**
 * The store port: what the cache needs from Redis (or the memory store), each operation one round
 * trip and atomic where it matters. Implemented by {@link RedisStore} and {@link MemoryStore}.
 */
export interface CacheStore {
  /**
   * Values of `keys` (null where absent), in one round trip and one atomic read. With `maxBytes`,
   * a value larger than that is not read: its size (a number) stands in its place, and -1 for a
   * key holding something other than a string. The cache always passes `maxBytes` and checks sizes
   * again itself, so a store that ignores it still never has an oversized value parsed.
   */
  get(keys: readonly string[], maxBytes?: number): Promise<(Uint8Array | number | null)[]>;
  /**
   * Atomically: if every guard holds, create the missing generation keys the guards ask for and
   * set every entry; otherwise change nothing. Resolves whether it wrote.
   */
  fill(guards: readonly Guard[], entries: readonly FillEntry[]): Promise<boolean>;
  /** Atomically sets the tokens and deletes the keys (one MULTI/EXEC). */
  write(tokens: readonly TokenWrite[], deletes: readonly string[]): Promise<void>;
  /** SET key token NX PX ttl: whether this caller holds the lock. */
  tryLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Deletes the lock only if it still holds `token`. */
  unlock(key: string, token: string): Promise<void>;
  /** Publishes an invalidation message to every subscriber of `channel`. */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Subscribes to `channel`. `onState(true)` fires once the subscription is live (again, after a
   * reconnect: messages may have been missed while it was down), `onState(false)` when it drops.
   * Resolves a function that unsubscribes.
   */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onState: (live: boolean) => void,
  ): Promise<() => Promise<void>>;
  /** False when the store knows it cannot answer now (disconnected): callers skip it at once. */
  isReady(): boolean;
  /** Resolves when the store answers a round trip (PING); the health check calls it. */
  ping(): Promise<void>;
  /** Releases what the store created (not a client the caller passed in). */
  close(): Promise<void>;
}
