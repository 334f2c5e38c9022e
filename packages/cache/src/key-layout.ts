/**
 * The key layout of one namespace of the key cache (`keyCache()`), and the invalidation plans of
 * its keys, prefixes and tags. Every key of a namespace starts with its prefix N:
 *
 *     N = <keyPrefix>:{kv:<namespace>}
 *
 *     N:v:<key>            a value
 *     N:k:<key>            the key's generation token: replaced by invalidate(key), set, delete
 *     N:p:<prefix>         a prefix's generation: replaced by invalidatePrefix(prefix)
 *     N:p:                 the namespace's epoch: replaced by clear()
 *     N:t:<tag digest>     a tag's generation: replaced by invalidateTags
 *     N:v:<key>:lock       the stampede lock of a value
 *     N:inv                the channel of L1 invalidation messages
 *
 * Prefixes are whole `:`-separated segments: a value of `user:42:profile` is guarded by the epoch,
 * the generations of `user` and `user:42`, its own key generation and its tags' generations, so
 * `invalidatePrefix('user:42')` drops it (and `user:42` itself) but not `user:420`.
 *
 * `{kv:<namespace>}` is the Redis Cluster hash tag: a namespace lives in one slot, so the one MGET
 * of a read and the guarded fill work on a Cluster.
 */
import { createHash } from 'node:crypto';
import { CacheKeyError } from './errors.js';
import { GENERATION_TTL_MS } from './generation-tokens.js';
import type { InvalidationPlan } from './invalidation.js';
import type { LayoutBase } from './keys.js';

/** Longest key (or prefix, tag) accepted, in characters. */
export const MAX_KEY_LENGTH = 1024;
/** Most `:`-separated segments in a key: each is one more generation key read per call. */
export const MAX_KEY_SEGMENTS = 8;
/** Most untagged key targets a namespace keeps built. */
const MAX_KEPT_TARGETS = 10_000;

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/** Everything a read, a fill and the lock need of one key under some tags. */
export interface KeyTarget {
  /** The caller's key. */
  readonly name: string;
  /** The value key. */
  readonly key: string;
  /** Every value is valid (the key cache stores whatever the caller gives it). */
  readonly check: (value: unknown) => boolean;
  /** Generation keys in read order: the epoch, the key's prefixes, its own, then its tags'. */
  readonly guards: string[];
  readonly creatable: boolean[];
  /** How many of `guards` come before the tags'. */
  readonly base: number;
  /** What one read fetches: `guards`, then the value key. */
  readonly reads: readonly string[];
  readonly record: (tokens: readonly string[]) => string;
}

function checkText(what: string, text: unknown, allowEmpty = false): string {
  if (typeof text !== 'string' || (!allowEmpty && text.length === 0))
    throw new CacheKeyError(String(text), `a ${what} is a non-empty string`);
  if (text.length > MAX_KEY_LENGTH)
    throw new CacheKeyError(text, `a ${what} is at most ${MAX_KEY_LENGTH} characters`);
  return text;
}

export class NamespaceLayout implements LayoutBase {
  /** N, the prefix of every key of the namespace. */
  readonly prefix: string;
  readonly channel: string;
  readonly #itemGenerationPrefix: string;
  readonly #itemGenerationTtlMs: number;
  readonly #alwaysValid = () => true;
  /** Targets of untagged keys, kept so a hit builds no key strings (bounded; cleared when full). */
  readonly #untagged = new Map<string, KeyTarget>();

  constructor(keyPrefix: string, namespace: string, itemGenerationTtlMs: number) {
    if (/[{}\s]/.test(keyPrefix))
      throw new CacheKeyError(keyPrefix, 'keyPrefix cannot contain braces or whitespace');
    if (!/^[^{}\s]{1,128}$/.test(namespace))
      throw new CacheKeyError(
        namespace,
        'a namespace is 1-128 characters without braces or whitespace',
      );
    this.prefix = `${keyPrefix}:{kv:${namespace}}`;
    this.channel = `${this.prefix}:inv`;
    this.#itemGenerationPrefix = `${this.prefix}:k:`;
    this.#itemGenerationTtlMs = itemGenerationTtlMs;
  }

  lock(valueKey: string): string {
    return `${valueKey}:lock`;
  }

  isItemGeneration(key: string): boolean {
    return key.startsWith(this.#itemGenerationPrefix);
  }

  value(key: string): string {
    return `${this.prefix}:v:${key}`;
  }

  #keyGeneration(key: string): string {
    return `${this.#itemGenerationPrefix}${key}`;
  }

  #prefixGeneration(prefix: string): string {
    return `${this.prefix}:p:${prefix}`;
  }

  #tag(tagDigest: string): string {
    return `${this.prefix}:t:${tagDigest}`;
  }

  /** The read/fill target of `key` under `tags` (throws `CacheKeyError` for a bad key or tag). */
  target(key: string, tags?: readonly string[]): KeyTarget {
    if (tags === undefined || tags.length === 0) {
      let target = this.#untagged.get(key);
      if (!target) {
        target = this.#build(key, []);
        if (this.#untagged.size >= MAX_KEPT_TARGETS) this.#untagged.clear();
        this.#untagged.set(key, target);
      }
      return target;
    }
    return this.#build(key, tags);
  }

  #build(key: string, tags: readonly string[]): KeyTarget {
    checkText('key', key);
    const segments = key.split(':');
    if (segments.length > MAX_KEY_SEGMENTS)
      throw new CacheKeyError(key, `a key has at most ${MAX_KEY_SEGMENTS} ':'-separated segments`);
    const guards = [this.#prefixGeneration('')];
    let prefix = '';
    for (let i = 0; i < segments.length - 1; i++) {
      prefix = i === 0 ? segments[0]! : `${prefix}:${segments[i]}`;
      guards.push(this.#prefixGeneration(prefix));
    }
    guards.push(this.#keyGeneration(key));
    const base = guards.length;
    const creatable = guards.map((_, i) => i < base - 1);
    const digests = [...new Set(tags.map((t) => digest(checkText('tag', t))))].sort();
    for (const d of digests) {
      guards.push(this.#tag(d));
      creatable.push(true);
    }
    const record = (tokens: readonly string[]) => {
      let text = tokens.slice(0, base).join(',');
      for (let i = 0; i < digests.length; i++) text += `,${digests[i]}=${tokens[base + i]}`;
      return text;
    };
    const value = this.value(key);
    return {
      name: key,
      key: value,
      guards,
      creatable,
      base,
      reads: [...guards, value],
      record,
      check: this.#alwaysValid,
    };
  }

  /**
   * The tags an entry recorded, when its base tokens are `base`: the generation keys to read and
   * the token each must still hold; null when the entry was filled under other base tokens.
   */
  recordedTags(recorded: string, base: string): { keys: string[]; tokens: string[] } | null {
    if (recorded === base) return { keys: [], tokens: [] };
    if (!recorded.startsWith(`${base},`)) return null;
    const keys: string[] = [];
    const tokens: string[] = [];
    for (const pair of recorded.slice(base.length + 1).split(',')) {
      const at = pair.indexOf('=');
      if (at < 0) return null;
      keys.push(this.#tag(pair.slice(0, at)));
      tokens.push(pair.slice(at + 1));
    }
    return { keys, tokens };
  }

  // ---- invalidation plans ------------------------------------------------------------------------
  keys(keys: readonly string[]): InvalidationPlan {
    for (const key of keys) checkText('key', key);
    return {
      tokens: keys.map((key) => ({
        key: this.#keyGeneration(key),
        ttlMs: this.#itemGenerationTtlMs,
      })),
      deletes: keys.map((key) => this.value(key)),
    };
  }

  /** The key `prefix` itself and every key below it (`prefix:...`). */
  prefixed(prefix: string): InvalidationPlan {
    const p = checkText('prefix', prefix, true).replace(/:+$/, '');
    if (p === '') return this.everything();
    return {
      tokens: [
        { key: this.#prefixGeneration(p), ttlMs: GENERATION_TTL_MS },
        { key: this.#keyGeneration(p), ttlMs: this.#itemGenerationTtlMs },
      ],
      deletes: [this.value(p)],
      // L1 does not know which keys are below a prefix: every L1 of the namespace starts over.
      all: true,
    };
  }

  tags(tags: readonly string[]): InvalidationPlan {
    const digests = [...new Set(tags.map((t) => digest(checkText('tag', t))))];
    return {
      tokens: digests.map((d) => ({ key: this.#tag(d), ttlMs: GENERATION_TTL_MS })),
      deletes: [],
      // L1 does not record tags: every L1 of the namespace starts over.
      all: digests.length > 0,
    };
  }

  everything(): InvalidationPlan {
    return {
      tokens: [{ key: this.#prefixGeneration(''), ttlMs: GENERATION_TTL_MS }],
      deletes: [],
      all: true,
      everything: true,
    };
  }
}
