/**
 * @mystira/cache/otel: OpenTelemetry for the cache-aside decorator.
 *
 * A separate entry because `@opentelemetry/api` is an optional peer dependency: the main entry
 * never imports it. The decorator reports each lookup's outcome (hit, L1 hit, coalesced, bypassed)
 * through the per-call `CallOptions.observe` hook of `@mystira/repository`; `tracedCache` turns it
 * into span attributes, and `observeCache` reads the counters the decorator keeps anyway, so the
 * hit path gains no metric calls.
 *
 * @packageDocumentation
 */

import { type CallObservation, type CallOptions, passThrough } from '@mystira/repository';
import {
  type Attributes,
  type BatchObservableResult,
  context,
  type Meter,
  metrics,
  type ObservableCounter,
  type ObservableGauge,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CachedRepository } from './cached.js';

const SCOPE = '@mystira/cache';

/** Options of {@link tracedCache}. */
export interface TracedCacheOptions {
  /** Default `trace.getTracer('@mystira/cache')`. */
  tracer?: Tracer;
}

const LOOKUPS: Record<string, string> = {
  getById: 'get',
  getMany: 'get_many',
  list: 'list',
  first: 'first',
  single: 'single',
  count: 'count',
  any: 'any',
  page: 'page',
};
const WRITES = ['add', 'addMany', 'update', 'upsert', 'delete'];

function outcome(facts: CallObservation): Attributes {
  const a: Attributes = {};
  if (facts.cacheHit !== undefined) a['cache.hit'] = facts.cacheHit;
  if (facts.l1Hit !== undefined) a['cache.l1_hit'] = facts.l1Hit;
  if (facts.coalesced !== undefined) a['cache.coalesced'] = facts.coalesced;
  if (facts.bypassed !== undefined) a['cache.bypassed'] = facts.bypassed;
  return a;
}

/**
 * Wraps a cached repository so each lookup is an INTERNAL span `cache.get <entity>` (`getById`),
 * `cache.get_many <entity>`, `cache.list <entity>`, ... with `cache.hit`, `cache.l1_hit`,
 * `cache.coalesced` and `cache.bypassed`; a miss's repository call (traced with
 * `tracedRepository` from `@mystira/repository/otel`) is its child. Writes become
 * `cache.<operation> <entity>` spans around the write and its invalidation. Queries without a
 * cache hint go straight to the repository and carry no `cache.hit`. Everything else
 * (`invalidate`, `metrics`, `close`, ...) passes through unchanged.
 */
export function tracedCache<T extends object, C extends CachedRepository<T>>(
  cache: C,
  options: TracedCacheOptions = {},
): C {
  const tracer = options.tracer ?? trace.getTracer(SCOPE);
  const entity = cache.entity.name;
  const overrides = new Map<PropertyKey, unknown>();
  const wrap = (method: string, spanOperation: string, lookup: boolean) => {
    const original = (cache as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
      method
    ];
    if (typeof original !== 'function') return;
    // Built once per method: the hit path should not allocate what never changes.
    const name = `cache.${spanOperation} ${entity}`;
    const start = {
      kind: SpanKind.INTERNAL,
      attributes: { 'mystira.entity': entity, 'cache.operation': spanOperation },
    };
    overrides.set(method, async (...args: unknown[]) => {
      const parent = context.active();
      const span = tracer.startSpan(name, start, parent);
      let facts: CallObservation = {};
      const callerOptions = args[1] as CallOptions | undefined;
      const a = [...args];
      a[1] = {
        ...callerOptions,
        observe: (f: CallObservation) => {
          // Only the cache's fields go on this span (see `outcome`); repository facts belong to
          // the repository's span.
          if (lookup) facts = { ...facts, ...f };
          callerOptions?.observe?.(f);
        },
      };
      try {
        const result = await context.with(trace.setSpan(parent, span), () =>
          original.apply(cache, a),
        );
        span.setAttributes(outcome(facts));
        return result;
      } catch (err) {
        span.setAttributes(outcome(facts));
        if (err instanceof Error) span.recordException(err);
        span.setAttribute('error.type', err instanceof Error ? err.name : typeof err);
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: err instanceof Error ? err.message : String(err),
        });
        throw err;
      } finally {
        span.end();
      }
    });
  };
  for (const [method, op] of Object.entries(LOOKUPS)) wrap(method, op, true);
  for (const method of WRITES) wrap(method, method, false);
  return passThrough(cache, overrides);
}

/** Options of {@link observeCache}. */
export interface CacheMetricsOptions {
  /** Default `metrics.getMeter('@mystira/cache')`. */
  meter?: Meter;
}

/**
 * Observable metrics of one or more cached repositories, read from `metrics()` at each
 * collection (the decorator counts anyway; nothing is added to the hit path): counters
 * `cache.hits`, `cache.l1_hits`, `cache.misses`, `cache.loads`, `cache.coalesced`,
 * `cache.bypasses`, `cache.fills`, `cache.fills_rejected`, `cache.grace_hits`, `cache.errors`,
 * `cache.forged`, `cache.dropped`, and the gauge `cache.pending_invalidations`, each with `mystira.entity`.
 * Returns a disposable that stops observing.
 */
export function observeCache(
  caches:
    | Pick<CachedRepository<object>, 'entity' | 'metrics'>
    | readonly Pick<CachedRepository<object>, 'entity' | 'metrics'>[],
  options: CacheMetricsOptions = {},
): {
  /** Stops observing: the instruments report nothing more for these repositories. */
  dispose(): void;
} {
  const list = Array.isArray(caches) ? caches : [caches];
  const meter = options.meter ?? metrics.getMeter(SCOPE);
  const counter = (name: string, description: string) =>
    meter.createObservableCounter(name, { description });
  const counters: [keyof ReturnType<CachedRepository<object>['metrics']>, ObservableCounter][] = [
    ['hits', counter('cache.hits', 'Reads answered from the cache (L1 or store)')],
    ['l1Hits', counter('cache.l1_hits', 'Of the hits, answered from the in-process L1')],
    ['misses', counter('cache.misses', 'Reads the cache could not answer')],
    ['loads', counter('cache.loads', 'Repository calls made to answer misses')],
    ['coalesced', counter('cache.coalesced', 'Misses that joined a load already in flight')],
    ['bypasses', counter('cache.bypasses', 'Reads that skipped the cache')],
    ['fills', counter('cache.fills', 'Values written to the store')],
    ['fillsRejected', counter('cache.fills_rejected', 'Fills refused because a write raced')],
    ['graceHits', counter('cache.grace_hits', 'Expired values served while the repository failed')],
    ['errors', counter('cache.errors', 'Store calls that failed or timed out, bad values')],
    ['forged', counter('cache.forged', 'Entries refused for a missing or wrong signature')],
    ['dropped', counter('cache.dropped', 'Refused entries deleted from the store')],
  ];
  const pending: ObservableGauge = meter.createObservableGauge('cache.pending_invalidations', {
    description: 'Invalidations waiting for the store to come back',
  });
  const observables = [...counters.map(([, c]) => c), pending];
  const callback = (result: BatchObservableResult) => {
    for (const cache of list) {
      const snapshot = cache.metrics();
      const attributes = { 'mystira.entity': cache.entity.name };
      for (const [field, instrument] of counters)
        result.observe(instrument, snapshot[field] as number, attributes);
      result.observe(pending, snapshot.pendingInvalidations, attributes);
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  return {
    dispose() {
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}
