/**
 * An in-process `CacheStore`: for tests, single-process services and demos. Several `cached()`
 * repositories sharing one `MemoryStore` behave like several instances sharing one Redis
 * (including pub/sub invalidation), which is how the decorator's logic is tested without Redis.
 */
import type { CacheStore, FillEntry, Guard, TokenWrite } from './store.js';

interface Entry {
  value: Uint8Array | string;
  expiresAt: number;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock in ms (tests inject one). Default `Date.now`. */
  now?: () => number;
  /** Most entries kept; the oldest-inserted are dropped beyond it. Default 100 000. */
  maxEntries?: number;
}

const encoder = new TextEncoder();

/**
 * An in-process {@link CacheStore}: entries with expiry, in-process pub/sub, and an off switch for
 * outage tests. Create one with {@link memoryStore}.
 */
export class MemoryStore implements CacheStore {
  readonly #data = new Map<string, Entry>();
  readonly #subscribers = new Map<string, Set<(message: string) => void>>();
  readonly #now: () => number;
  readonly #max: number;
  #down = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#max = options.maxEntries ?? 100_000;
  }

  /** Simulates an outage: every call rejects until `setDown(false)` (tests). */
  setDown(down: boolean): void {
    this.#down = down;
  }

  /** Number of live keys (tests, diagnostics). */
  get size(): number {
    return this.#data.size;
  }

  /** Raw access for tests: put arbitrary bytes under a key. */
  setRaw(key: string, value: Uint8Array | string, ttlMs = 60_000): void {
    this.#data.set(key, { value, expiresAt: this.#now() + ttlMs });
  }

  /** The keys that hold an unexpired value, for tests. */
  keys(): string[] {
    return [...this.#data.keys()].filter((k) => this.#read(k) !== undefined);
  }

  #check(): void {
    if (this.#down) throw new Error('memory store is down');
  }

  #read(key: string): Uint8Array | string | undefined {
    const e = this.#data.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.#now()) {
      this.#data.delete(key);
      return undefined;
    }
    return e.value;
  }

  #set(key: string, value: Uint8Array | string, ttlMs: number | undefined): void {
    this.#data.delete(key);
    this.#data.set(key, {
      value,
      expiresAt: ttlMs === undefined ? Number.POSITIVE_INFINITY : this.#now() + ttlMs,
    });
    if (this.#data.size > this.#max) {
      const oldest = this.#data.keys().next().value;
      if (oldest !== undefined) this.#data.delete(oldest);
    }
  }

  async get(keys: readonly string[], maxBytes?: number): Promise<(Uint8Array | number | null)[]> {
    this.#check();
    return keys.map((k) => {
      const v = this.#read(k);
      if (v === undefined) return null;
      // Like the Redis store: a value over maxBytes is reported by its size, not copied.
      const size = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
      if (maxBytes !== undefined && size > maxBytes) return size;
      return typeof v === 'string' ? encoder.encode(v) : v.slice();
    });
  }

  async fill(guards: readonly Guard[], entries: readonly FillEntry[]): Promise<boolean> {
    this.#check();
    for (const g of guards) {
      const cur = this.#read(g.key);
      const text =
        cur === undefined ? null : typeof cur === 'string' ? cur : new TextDecoder().decode(cur);
      if (text !== g.expected) return false;
    }
    for (const g of guards)
      if (g.expected === null && g.create) this.#set(g.key, g.create, undefined);
    for (const e of entries) this.#set(e.key, e.value.slice(), e.ttlMs);
    return true;
  }

  async write(tokens: readonly TokenWrite[], deletes: readonly string[]): Promise<void> {
    this.#check();
    for (const t of tokens) this.#set(t.key, t.value, t.ttlMs);
    for (const d of deletes) this.#data.delete(d);
  }

  async tryLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    this.#check();
    if (this.#read(key) !== undefined) return false;
    this.#set(key, token, ttlMs);
    return true;
  }

  async unlock(key: string, token: string): Promise<void> {
    this.#check();
    if (this.#read(key) === token) this.#data.delete(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#check();
    // Delivered asynchronously, like Redis pub/sub.
    for (const fn of this.#subscribers.get(channel) ?? []) queueMicrotask(() => fn(message));
  }

  async subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onState: (live: boolean) => void,
  ): Promise<() => Promise<void>> {
    const set = this.#subscribers.get(channel) ?? new Set<(message: string) => void>();
    this.#subscribers.set(channel, set);
    set.add(onMessage);
    onState(true);
    return async () => {
      set.delete(onMessage);
    };
  }

  isReady(): boolean {
    return !this.#down;
  }

  async ping(): Promise<void> {
    this.#check();
  }

  async close(): Promise<void> {}
}

/** Creates an in-process store (see `MemoryStoreOptions`). */
export function memoryStore(options?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(options);
}
