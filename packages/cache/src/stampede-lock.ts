/**
 * The cross-process stampede lock (`CacheOptions.lock`): on a miss, one process takes the value's
 * lock, loads and fills; the others poll the store for its fill for up to `waitMs`, then load
 * themselves. The lock only saves loads: correctness never depends on it (fills stay guarded).
 */
import type { SharedContext } from './context.js';
import { freshToken } from './envelope.js';
import type { CacheDecodeError, CacheError } from './errors.js';
import { joinTokens, tokenOf } from './generation-tokens.js';
import type { CacheLockOptions } from './options.js';
import type { StoredEntries } from './stored-entries.js';

/** What the lock needs of a read: its value key, its generation keys and the check of a hit. */
export interface LockedRead {
  key: string;
  guards: string[];
  check: (value: unknown) => boolean;
  /** The tokens string a fill records from the guards' tokens (default: joined by ','). */
  record?: (tokens: readonly string[]) => string;
}

/** Either another process's fill arrived (`done`), or this one loads, holding the lock or not. */
export type LockOutcome = { done: true; value: unknown } | { done: false; token: string | null };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class StampedeLock {
  readonly #ctx: SharedContext;
  readonly #entries: StoredEntries;
  readonly #options: Required<CacheLockOptions>;

  constructor(ctx: SharedContext, entries: StoredEntries, options: Required<CacheLockOptions>) {
    this.#ctx = ctx;
    this.#entries = entries;
    this.#options = options;
  }

  /**
   * Takes the lock of `read` (outcome with its token), or waits for the holder's fill: the value
   * when it came under the generation `tokens` read before, otherwise a token of null (load
   * without the lock).
   */
  async acquireOrWait(read: LockedRead, tokens: readonly (string | null)[]): Promise<LockOutcome> {
    const { store } = this.#ctx;
    const token = freshToken();
    const key = this.#ctx.keys.lock(read.key);
    try {
      if (await store.call('lock', (s) => s.tryLock(key, token, this.#options.ttlMs)))
        return { done: false, token };
    } catch (err) {
      this.#ctx.report(err as CacheError);
      return { done: false, token: null };
    }
    // Another process is loading: wait for its fill, then give up waiting and load ourselves.
    const deadline = performance.now() + this.#options.waitMs;
    while (performance.now() < deadline) {
      await sleep(this.#options.pollMs);
      try {
        const max = this.#entries.maxEntryBytes;
        const got = await store.call('get', (s) => s.get([...read.guards, read.key], max));
        const raw = got.slice(0, read.guards.length).map(tokenOf);
        const now = raw.includes(false)
          ? await this.#entries.replaceJunkTokens(read.guards, raw)
          : (raw as (string | null)[]);
        // A write happened while we waited: the holder's fill will be refused; load ourselves.
        if (!now || read.guards.some((_, i) => now[i] !== tokens[i] && tokens[i] !== null)) break;
        const bad: CacheDecodeError[] = [];
        const recorded = read.record ? read.record(now.map((t) => t ?? '')) : joinTokens(now);
        const value = got[read.guards.length]!;
        const hit = this.#entries.decodeRecorded(read.key, value, recorded, read.check, bad);
        if (bad.length > 0) await this.#entries.drop(bad);
        if (hit && !hit.expired) {
          this.#ctx.metrics.coalesced++;
          return { done: true, value: hit.value };
        }
      } catch (err) {
        this.#ctx.report(err as CacheError);
        break;
      }
    }
    return { done: false, token: null };
  }

  /** Releases a lock this process holds (in the background: it expires anyway). */
  release(valueKey: string, token: string): void {
    const key = this.#ctx.keys.lock(valueKey);
    this.#ctx.store.call('unlock', (s) => s.unlock(key, token)).catch((e) => this.#ctx.report(e));
  }
}
