/**
 * What every part of one cached repository shares: the entity, its settings, the guarded store,
 * the key layout, the counters, and where swallowed errors go.
 */
import type { EntityDef } from '@mystira/specification';
import type { CacheError } from './errors.js';
import type { GuardedStore } from './guard.js';
import type { KeyLayout } from './keys.js';
import { CacheMetrics } from './metrics.js';
import type { CacheSettings } from './options.js';

export class CacheContext {
  readonly entity: EntityDef;
  readonly settings: CacheSettings;
  readonly store: GuardedStore;
  readonly keys: KeyLayout;
  readonly metrics = new CacheMetrics();

  constructor(entity: EntityDef, settings: CacheSettings) {
    this.entity = entity;
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

  /** Whether a cached value may be served as an entity (schema-checked unless `validate: false`). */
  readonly checkItem = (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (!this.settings.validate || this.entity.validate(value).length === 0);
}
