/**
 * Entries as read from and written to the store: decoding that refuses junk (forged, oversized,
 * undecodable), deleting what was refused, replacing generation keys that hold junk, and encoding
 * a value for a fill.
 */
import type { SharedContext } from './context.js';
import type { Decoded } from './entry-codec.js';
import { type EnvelopeKind, freshToken } from './envelope.js';
import { CacheDecodeError } from './errors.js';
import { GENERATION_TTL_MS, joinTokens } from './generation-tokens.js';

export class StoredEntries {
  readonly #ctx: SharedContext;
  /**
   * The size limit a cache's reads pass to the store: `maxEntryBytes` when they are size-checked
   * (the Redis store's script answers a larger value's size, never the value), else undefined
   * (one plain MGET; a larger foreign value is transferred, then refused).
   */
  readonly readLimit: number | undefined;

  constructor(ctx: SharedContext, options: { sizeCheckedReads: boolean }) {
    this.#ctx = ctx;
    this.readLimit = options.sizeCheckedReads ? this.maxEntryBytes : undefined;
  }

  /** The most bytes read for one entry: anything larger is refused unread. */
  get maxEntryBytes(): number {
    return this.#ctx.settings.codec.maxEntryBytes;
  }

  /**
   * Decodes a stored value: null for a miss (absent, invalidated, refused), or the value with
   * whether it is past its logical TTL. A refused entry is collected in `bad`, for `drop`.
   */
  decode(
    key: string,
    bytes: Uint8Array | number | null,
    tokens: readonly (string | null)[],
    check: (value: unknown) => boolean,
    bad: CacheDecodeError[],
  ): Decoded | null {
    return this.decodeRecorded(key, bytes, joinTokens(tokens), check, bad);
  }

  /**
   * `decode` against the tokens string the entry must record (`null`: any; the caller compares
   * `Decoded.tokens` itself).
   */
  decodeRecorded(
    key: string,
    bytes: Uint8Array | number | null,
    recorded: string | null,
    check: (value: unknown) => boolean,
    bad: CacheDecodeError[],
  ): Decoded | null {
    const got = this.#ctx.settings.codec.decode(key, bytes, recorded, check);
    if (got instanceof CacheDecodeError) {
      bad.push(got);
      return null;
    }
    return got;
  }

  /**
   * Deletes refused entries (forged, oversized, undecodable) and reports them. Awaited before the
   * load, so the delete cannot land after the fill that replaces the entry. Deleting is always
   * safe: at worst it removes a good value another instance just filled (one more miss).
   */
  async drop(bad: readonly CacheDecodeError[]): Promise<void> {
    const ctx = this.#ctx;
    for (const e of bad) {
      if (e.reason === 'signature') ctx.metrics.forged++;
      ctx.report(e);
    }
    ctx.metrics.dropped += bad.length;
    const keys = bad.map((e) => e.key);
    await ctx.store.call('drop', (s) => s.write([], keys)).catch((err) => ctx.report(err));
  }

  /**
   * Replaces generation keys that hold junk (`false` in `tokens`) by fresh tokens: exactly what a
   * write does, so it can only cause misses. Resolves null: the read that found them neither
   * serves nor fills.
   */
  async replaceJunkTokens(
    keys: readonly string[],
    tokens: readonly (string | null | false)[],
  ): Promise<null> {
    const ctx = this.#ctx;
    const junk = keys.filter((_, i) => tokens[i] === false);
    for (const key of junk) {
      ctx.report(
        new CacheDecodeError(key, 'the generation key does not hold a token', { reason: 'token' }),
      );
    }
    ctx.metrics.dropped += junk.length;
    const fresh = junk.map((key) => ({
      key,
      value: freshToken(),
      ttlMs: ctx.keys.isItemGeneration(key) ? ctx.settings.itemGenerationTtlMs : GENERATION_TTL_MS,
    }));
    await ctx.store.call('drop', (s) => s.write(fresh, [])).catch((err) => ctx.report(err));
    return null;
  }

  /** The bytes to fill, or null when the value is not cached (too large, or not encodable). */
  encode(
    key: string,
    kind: EnvelopeKind,
    value: unknown,
    tokens: string,
    ttlMs: number,
  ): Uint8Array | null {
    const bytes = this.#ctx.settings.codec.encode(key, kind, value, tokens, ttlMs);
    if (bytes === null) this.#ctx.metrics.oversized++;
    else if (!(bytes instanceof Uint8Array)) this.#ctx.report(bytes);
    return bytes instanceof Uint8Array ? bytes : null;
  }
}
