/**
 * What every part of one cache shares: its settings, the guarded store, the key layout, the
 * counters, and where swallowed errors go. `CacheContext` adds the entity of a cached repository;
 * the key cache uses `SharedContext` with its own layout.
 */
import type { EntityDef } from '@mystira/specification';
import type { CacheError } from './errors.js';
import type { GuardedStore } from './guard.js';
import type { KeyLayout, LayoutBase } from './keys.js';
import { CacheMetrics } from './metrics.js';
import type { CacheSettings } from './options.js';

export class SharedContext<L extends LayoutBase = LayoutBase> {
  /** What the cache is called in errors (`AbortedError.entity`): the entity or the namespace. */
  readonly name: string;
  readonly settings: CacheSettings<L>;
  readonly store: GuardedStore;
  readonly keys: L;
  readonly metrics = new CacheMetrics();

  constructor(name: string, settings: CacheSettings<L>) {
    this.name = name;
    this.settings = settings;
    this.store = settings.store;
    this.keys = settings.keys;
  }

  /** Counts an error the cache swallowed and hands it to `onError`. */
  report(error: CacheError): void {
    this.metrics.errors++;
    try {
      this.settings.onError(error);
    } catch {
      // A throwing onError must not turn a cache problem into a caller's problem.
    }
  }

  /** `ttl` shortened by a random share up to `jitter`, so keys filled together expire apart. */
  ttlWithJitter(ttl: number): number {
    return Math.max(1, Math.round(ttl * (1 - this.settings.jitter * this.settings.random())));
  }
}

/** The context of one cached repository: the shared parts plus its entity. */
export class CacheContext extends SharedContext<KeyLayout> {
  readonly entity: EntityDef;

  constructor(entity: EntityDef, settings: CacheSettings) {
    super(entity.name, settings);
    this.entity = entity;
  }

  /** Whether a cached value may be served as an entity (schema-checked unless `validate: false`). */
  readonly checkItem = (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (!this.settings.validate || this.entity.validate(value).length === 0);
}
