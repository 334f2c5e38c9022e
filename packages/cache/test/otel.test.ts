/**
 * OpenTelemetry for the cache over the shared Redis (own key prefix): a span per lookup with its
 * outcome (miss, store hit, L1 hit, coalesced), the repository call of a miss as its child, and
 * the observable counters read from the cache's own metrics.
 */
import { cached, memoryStore, redisStore } from '@mystira/cache';
import { observeCache, tracedCache } from '@mystira/cache/otel';
import { memoryRepository } from '@mystira/repository';
import { tracedRepository } from '@mystira/repository/otel';
import { type ConformanceItemT, repositoryConformance } from '@mystira/repository/testing';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { otelRecorder } from '../../../test-support/otel-recorder.js';
import { counting, Note, type NoteT, note } from './helpers.js';
import { sharedRedis } from './support/shared-redis.js';

const otel = otelRecorder();
// Registered first: after hooks run last-registered first, so the caches close before this.
afterAll(async () => {
  await otel.shutdown();
});
const shared = sharedRedis('otel');

function makeCache(name: string, l1: boolean) {
  const inner = memoryRepository<NoteT>(Note, { seed: [note('a'), note('b')] });
  const slow = counting(inner);
  const store = redisStore(shared.redis);
  const cache = cached(tracedRepository(slow.repo, { tracer: otel.tracer, meter: otel.meter }), {
    store,
    keyPrefix: `${shared.keyPrefix()}:${name}`,
    storeTimeoutMs: 2000,
    l1,
  });
  shared.onClose(async () => {
    await cache.close();
    await store.close();
  });
  return { cache, traced: tracedCache(cache, { tracer: otel.tracer }), slow };
}

it('each lookup is a span with its outcome; a miss has the repository call as its child', async () => {
  otel.reset();
  const { cache, traced } = makeCache('spans', true);
  await cache.ready();
  const parent = otel.tracer.startSpan('request');
  await context.with(trace.setSpan(context.active(), parent), async () => {
    expect((await traced.getById('a'))?.id).toBe('a'); // miss, fills store and L1
    expect((await traced.getById('a'))?.id).toBe('a'); // L1 hit
  });
  parent.end();
  const [miss, l1Hit] = await otel.named('cache.get cache_notes');
  expect(miss!.kind).toBe(SpanKind.INTERNAL);
  expect(miss!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  expect(miss!.attributes).toMatchObject({
    'cache.hit': false,
    'cache.coalesced': false,
    'mystira.entity': 'cache_notes',
  });
  expect(l1Hit!.attributes).toMatchObject({ 'cache.hit': true, 'cache.l1_hit': true });
  const load = (await otel.named('getById cache_notes'))[0]!;
  expect(load.parentSpanContext?.spanId).toBe(miss!.spanContext().spanId);
  expect(await otel.named('getById cache_notes')).toHaveLength(1);
  expect(traced.metrics().hits).toBe(1); // pass-through to the cache itself
});

it('a store hit without L1, coalesced misses, and getMany', async () => {
  const { traced, slow } = makeCache('outcomes', false);
  await traced.getById('b'); // fill the store
  otel.reset();
  await traced.getById('b');
  const hit = (await otel.named('cache.get cache_notes'))[0]!;
  expect(hit.attributes).toMatchObject({ 'cache.hit': true, 'cache.l1_hit': false });

  otel.reset();
  let release!: () => void;
  slow.state.gate = new Promise<void>((r) => {
    release = r;
  });
  const both = Promise.all([traced.getById('a'), traced.getById('a')]);
  await new Promise((r) => setTimeout(r, 50));
  release();
  slow.state.gate = null;
  await both;
  const coalesced = (await otel.named('cache.get cache_notes')).map(
    (s) => s.attributes['cache.coalesced'],
  );
  expect(coalesced.sort()).toEqual([false, true]);

  otel.reset();
  await traced.getMany(['a', 'b']);
  const many = (await otel.named('cache.get_many cache_notes'))[0]!;
  expect(many.attributes['cache.hit']).toBe(true);
});

it('observeCache reports hits, misses and rejected fills per entity', async () => {
  const { traced } = makeCache('metrics', false);
  const observer = observeCache(traced, { meter: otel.meter });
  await traced.getById('a');
  await traced.getById('a');
  await traced.getById('zzz'); // a miss (cached "not found")
  const value = async (name: string) =>
    (await otel.points(name)).find((p) => p.attributes['mystira.entity'] === 'cache_notes')?.value;
  expect(await value('cache.hits')).toBe(1);
  expect(await value('cache.misses')).toBe(2);
  expect(await value('cache.fills_rejected')).toBe(0);
  expect(await value('cache.pending_invalidations')).toBe(0);
  observer.dispose();
});

describe('tracedCache is transparent: the conformance kit passes through it', () => {
  for (const c of repositoryConformance({
    create: (e) =>
      tracedCache(cached(memoryRepository<ConformanceItemT>(e), { store: memoryStore() }), {
        tracer: otel.tracer,
      }),
    dispose: (r) => (r as unknown as { close(): Promise<void> }).close(),
  })) {
    it(c.name, c.run, 30_000);
  }
});
