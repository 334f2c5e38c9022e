/**
 * The decorator's rules, one at a time, on the memory store (same logic as Redis; the Redis
 * specifics are in redis.test.ts and faults.test.ts): what is cached, what a write invalidates,
 * TTL/jitter/negative caching/size limit, serializers, versioned keys, bad data as a miss,
 * single-flight that never crosses a write, grace mode, metrics and health.
 */
import { createRequire } from 'node:module';
import {
  CacheDecodeError,
  type CacheError,
  CacheOptionsError,
  cached,
  jsonSerializer,
  memoryStore,
  msgpackSerializer,
} from '@mystira/cache';
import {
  AbortedError,
  ConcurrencyError,
  memoryRepository,
  runAggregate,
  UnavailableError,
  ValidationError,
} from '@mystira/repository';
import { entity, field, spec } from '@mystira/specification';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { Note, type NoteT, note, notes, until } from './helpers.js';

const S = () => spec(Note);

function setup(
  options: Partial<Parameters<typeof cached>[1]> = {},
  seed = [note('a'), note('b'), note('c')],
) {
  const store = memoryStore();
  const { repo, calls, state } = notes(seed);
  const errors: CacheError[] = [];
  const cache = cached<NoteT>(repo, {
    store,
    secondDeleteMs: 0,
    onError: (e) => errors.push(e),
    ...options,
  });
  return { store, repo, calls, state, cache, errors };
}

describe('entities', () => {
  it('getById: first read loads, the next is a hit; the result is a copy', async () => {
    const { cache, calls } = setup();
    const a1 = await cache.getById('a');
    const a2 = await cache.getById('a');
    expect(a2).toEqual(a1);
    expect(calls.getById).toBe(1);
    a2!.title = 'mutated';
    expect((await cache.getById('a'))?.title).toBe('note a');
    const m = cache.metrics();
    expect(m).toMatchObject({ hits: 2, misses: 1, loads: 1, fills: 1 });
    expect(m.hitRatio).toBeCloseTo(2 / 3);
  });

  it('aggregates pass through to the repository, uncached, and see every write', async () => {
    const { cache, calls } = setup({}, [note('a', { n: 2 }), note('b', { n: 3 })]);
    const byOwner = S()
      .groupBy('owner')
      .aggregate((a) => ({ total: a.sum('n') }));
    expect(await runAggregate(cache, byOwner)).toEqual([{ owner: 'ann', total: 5 }]);
    await cache.add(note('c', { n: 4, owner: 'bo' }));
    expect(await runAggregate(cache, byOwner)).toEqual([
      { owner: 'ann', total: 5 },
      { owner: 'bo', total: 4 },
    ]);
    expect(calls.aggregate).toBe(2);
  });

  it('negative caching: not-found is cached for negativeTtlMs, and an add clears it', async () => {
    let now = 1_000_000;
    const { cache, calls } = setup({ now: () => now, negativeTtlMs: 1000 });
    expect(await cache.getById('zz')).toBeUndefined();
    expect(await cache.getById('zz')).toBeUndefined();
    expect(calls.getById).toBe(1);
    now += 1001;
    expect(await cache.getById('zz')).toBeUndefined();
    expect(calls.getById).toBe(2);
    await cache.add(note('zz'));
    expect((await cache.getById('zz'))?.id).toBe('zz');
  });

  it('negativeTtlMs 0 disables negative caching', async () => {
    const { cache, calls } = setup({ negativeTtlMs: 0 });
    await cache.getById('zz');
    await cache.getById('zz');
    expect(calls.getById).toBe(2);
  });

  it('TTL with jitter: the logical expiry lies within [ttl*(1-jitter), ttl]', async () => {
    let now = 5_000_000;
    let r = 0.999;
    const { cache, calls } = setup({ now: () => now, random: () => r, ttlMs: 10_000, jitter: 0.5 });
    await cache.getById('a'); // expires at now + ~5000
    now += 5_010;
    await cache.getById('a');
    expect(calls.getById).toBe(2);
    r = 0;
    await cache.invalidate(['a']);
    await cache.getById('a'); // full 10 000
    now += 9_990;
    await cache.getById('a');
    expect(calls.getById).toBe(3);
  });

  it('getMany: one store read, loads only the misses in one call, keeps order and duplicates collapse', async () => {
    const { cache, calls } = setup();
    await cache.getById('b');
    const got = await cache.getMany(['c', 'zz', 'b', 'a', 'c']);
    expect(got.map((n) => n.id)).toEqual(['c', 'b', 'a']);
    expect(calls.getMany).toBe(1);
    const again = await cache.getMany(['a', 'b', 'c', 'zz']);
    expect(again.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    expect(calls.getMany).toBe(1);
    expect(calls.getById).toBe(1);
  });

  it('writes never put the caller object in the cache; the next read loads what was stored', async () => {
    const { cache, calls, store } = setup();
    await cache.getById('a');
    const keysBefore = store.keys().filter((k) => k.includes(':e:')).length;
    const updated = await cache.update({ ...note('a'), title: 'new' });
    expect(store.keys().filter((k) => k.includes(':e:')).length).toBe(keysBefore - 1);
    expect(updated.version).toBe(2);
    expect(await cache.getById('a')).toEqual(updated);
    expect(calls.getById).toBe(2);
    await cache.delete('a');
    expect(await cache.getById('a')).toBeUndefined();
  });

  it('a version conflict drops the cached copy: the retry reads the store, not the stale copy', async () => {
    // Two processes with their own cache stores over one repository: B's write goes round A's
    // cache, so A holds a stale copy until a conflict tells it so.
    const a = setup();
    const b = cached<NoteT>(a.repo, { store: memoryStore(), secondDeleteMs: 0 });
    const stale = (await a.cache.getById('a'))!;
    await b.update({ ...stale, title: 'by b' });
    await expect(a.cache.update({ ...stale, title: 'by a' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    const fresh = (await a.cache.getById('a'))!;
    expect(fresh).toMatchObject({ title: 'by b', version: 2 });
    expect((await a.cache.update({ ...fresh, title: 'by a' })).version).toBe(3);
  });

  it('a rejected input leaves the cached copy alone', async () => {
    const { cache, calls } = setup();
    await cache.getById('a');
    await expect(cache.update({ ...note('a'), title: 42 as never })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await cache.getById('a');
    expect(calls.getById).toBe(1);
  });

  it('values over maxValueBytes are returned but not cached', async () => {
    const { cache, calls } = setup({ maxValueBytes: 200 }, [
      note('big', { title: 'x'.repeat(500) }),
      note('small'),
    ]);
    expect((await cache.getById('big'))?.title.length).toBe(500);
    await cache.getById('big');
    expect(calls.getById).toBe(2);
    expect(cache.metrics().oversized).toBe(2);
    await cache.getById('small');
    await cache.getById('small');
    expect(calls.getById).toBe(3);
  });
});

describe('queries', () => {
  it('only specs with a cache() hint are cached', async () => {
    const { cache, calls } = setup();
    await cache.list(S().where((w) => w.eq('owner', 'ann')));
    await cache.list(S().where((w) => w.eq('owner', 'ann')));
    expect(calls.list).toBe(2);
    const hinted = S()
      .where((w) => w.eq('owner', 'ann'))
      .cache({ ttl: 60_000 });
    const l1 = await cache.list(hinted);
    const l2 = await cache.list(hinted);
    expect(l2).toEqual(l1);
    expect(calls.list).toBe(3);
  });

  it('the same meaning hits the same key (stable hash); the hint is not part of it', async () => {
    const { cache, calls } = setup();
    await cache.count(
      S()
        .where((w) => w.and(w.eq('owner', 'ann'), w.gt('n', -1)))
        .cache({ ttl: 1000 }),
    );
    await cache.count(
      S()
        .where((w) => w.and(w.gt('n', -1), w.eq('owner', 'ann')))
        .cache({ ttl: 5000, tags: ['x'] }),
    );
    // Different tags mean different generation guards, so a different cache entry.
    await cache.count(
      S()
        .where((w) => w.and(w.gt('n', -1), w.eq('owner', 'ann')))
        .cache({ ttl: 5000 }),
    );
    expect(calls.count).toBe(2);
  });

  it('any write to the entity invalidates every cached query of it (before the write returns)', async () => {
    const { cache, calls } = setup();
    const byAnn = S()
      .where((w) => w.eq('owner', 'ann'))
      .orderBy('id')
      .cache({ ttl: 60_000 });
    expect((await cache.list(byAnn)).length).toBe(3);
    expect(await cache.count(byAnn)).toBe(3);
    await cache.add(note('d'));
    expect((await cache.list(byAnn)).map((n) => n.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(await cache.count(byAnn)).toBe(4);
    await cache.update({ ...note('a'), owner: 'bob' });
    expect((await cache.first(byAnn))?.id).toBe('b');
    await cache.delete('b');
    expect(await cache.any(byAnn)).toBe(true);
    expect((await cache.page(byAnn.take(1))).total).toBe(2);
    expect(calls.list).toBe(2);
  });

  it('tags: invalidateTags drops the queries carrying the tag, not the others', async () => {
    const { cache, calls } = setup();
    const tagged = S().cache({ ttl: 60_000, tags: ['tenant:1'] });
    const other = S()
      .take(2)
      .cache({ ttl: 60_000, tags: ['tenant:2'] });
    await cache.list(tagged);
    await cache.list(other);
    await cache.invalidateTags(['tenant:1']);
    await cache.list(tagged);
    await cache.list(other);
    expect(calls.list).toBe(3);
  });

  it('first of nothing is cached too; single with several matches throws and is not cached', async () => {
    const { cache, calls } = setup();
    const none = S()
      .where((w) => w.eq('owner', 'nobody'))
      .cache({ ttl: 60_000 });
    expect(await cache.first(none)).toBeUndefined();
    expect(await cache.first(none)).toBeUndefined();
    expect(calls.first).toBe(1);
    const several = S().cache({ ttl: 60_000 });
    await expect(cache.single(several)).rejects.toMatchObject({ name: 'MultipleResultsError' });
    await expect(cache.single(several)).rejects.toMatchObject({ name: 'MultipleResultsError' });
    expect(calls.single).toBe(2);
  });

  it('page results are keyed by cursor', async () => {
    const { cache, calls } = setup();
    const s = S().orderBy('id').take(2).cache({ ttl: 60_000 });
    const p1 = await cache.page(s);
    const p2 = await cache.page(s, { cursor: p1.cursor });
    expect([...p1.items, ...p2.items].map((n) => n.id)).toEqual(['a', 'b', 'c']);
    await cache.page(s);
    await cache.page(s, { cursor: p1.cursor });
    expect(calls.page).toBe(2);
  });

  it('invalidateAll drops everything of the entity', async () => {
    const { cache, calls } = setup();
    await cache.getById('a');
    await cache.list(S().cache({ ttl: 60_000 }));
    await cache.invalidateAll();
    await cache.getById('a');
    await cache.list(S().cache({ ttl: 60_000 }));
    expect(calls.getById).toBe(2);
    expect(calls.list).toBe(2);
  });
});

describe('serialization and versioned keys', () => {
  const Event = entity(
    'cache_events',
    {
      id: field.string(),
      at: field.date(),
      amount: field.bigint(),
      meta: field.object({ note: field.string() }),
    },
    { id: 'id' },
  );

  it('JSON keeps Date and bigint (and objects using the tag key)', () => {
    const json = jsonSerializer();
    const value = {
      at: new Date('2024-01-02T03:04:05.006Z'),
      big: 12345678901234567890n,
      nested: [{ d: new Date(0) }],
      $mystira: 'not a tag',
      bad: new Date(Number.NaN),
    };
    const back = json.deserialize(json.serialize(value)) as typeof value;
    expect(back.at).toEqual(value.at);
    expect(back.big).toBe(value.big);
    expect(back.nested[0]!.d).toEqual(new Date(0));
    expect(back.$mystira).toBe('not a tag');
    expect(Number.isNaN(back.bad.getTime())).toBe(true);
  });

  it('msgpack via msgpackr round-trips through the cache', async () => {
    const store = memoryStore();
    const { repo, calls } = notes([note('a')]);
    const cache = cached<NoteT>(repo, {
      store,
      serializer: msgpackSerializer(new Packr({ useRecords: false })),
    });
    const a = await cache.getById('a');
    expect(await cache.getById('a')).toEqual(a);
    expect(calls.getById).toBe(1);
    expect(() => msgpackSerializer({} as never)).toThrow(CacheOptionsError);
  });

  it('a value written by another serializer is a miss, not an error', async () => {
    const store = memoryStore();
    const { repo, calls } = notes([note('a')]);
    await cached<NoteT>(repo, { store }).getById('a');
    const other = cached<NoteT>(repo, {
      store,
      serializer: msgpackSerializer(new Packr({ useRecords: false })),
    });
    await other.getById('a');
    expect(calls.getById).toBe(2);
  });

  it('keys include the version option and a schema fingerprint', async () => {
    const store = memoryStore();
    const { repo } = notes([note('a')]);
    await cached<NoteT>(repo, { store, version: 1 }).getById('a');
    await cached<NoteT>(repo, { store, version: 2 }).getById('a');
    // Same entity name and version, changed schema (a deploy that changed the shape).
    const Changed = entity(
      'cache_notes',
      { id: field.string(), title: field.string() },
      { id: 'id' },
    );
    const changed = memoryRepository<{ id: string; title: string }>(Changed, {
      seed: [{ id: 'a', title: 'x' }],
    });
    await cached(changed, { store, version: 1 }).getById('a');
    const prefixes = new Set(
      store
        .keys()
        .filter((k) => k.includes(':e:'))
        .map((k) => k.split(':e:')[0]),
    );
    expect(prefixes.size).toBe(3);
    expect([...prefixes].every((p) => p?.startsWith('mystira:cache:{cache_notes}:'))).toBe(true);
    expect(Event.name).toBe('cache_events');
  });
});

describe('bad data in the store is a miss, never thrown', () => {
  const cases: [string, (key: string) => Uint8Array | string][] = [
    ['garbage bytes', () => new Uint8Array([0xff, 0x00, 0x7c, 0x13, 0x37])],
    ['a plain JSON value', () => JSON.stringify(note('a'))],
    ['a truncated envelope', () => 'MC1|json|v|99999999999999|'],
    ['bad JSON payload', () => 'MC1|json|v|99999999999999|x|{not json'],
  ];
  for (const [name, bytes] of cases) {
    it(name, async () => {
      const { cache, store, calls, errors } = setup();
      await cache.getById('a');
      const key = store.keys().find((k) => k.includes(':e:s:a'))!;
      store.setRaw(key, bytes(key));
      expect((await cache.getById('a'))?.id).toBe('a');
      expect(calls.getById).toBe(2);
      expect(errors.every((e) => e instanceof CacheDecodeError)).toBe(true);
    });
  }

  it('an old shape (valid envelope, item failing the schema) is a miss', async () => {
    const { cache, store, calls, errors } = setup();
    await cache.getById('a');
    const key = store.keys().find((k) => k.includes(':e:s:a'))!;
    const raw = new TextDecoder().decode((await store.get([key]))[0] as Uint8Array);
    const header = raw.slice(0, raw.indexOf('{'));
    store.setRaw(key, `${header}${JSON.stringify({ id: 'a', name: 'old shape' })}`);
    expect((await cache.getById('a'))?.title).toBe('note a');
    expect(calls.getById).toBe(2);
    expect(errors.some((e) => e instanceof CacheDecodeError && /shape/.test(e.message))).toBe(true);
    // The refill replaced the bad value.
    await cache.getById('a');
    expect(calls.getById).toBe(2);
  });
});

describe('single-flight', () => {
  it('concurrent misses in one process load once; every caller gets its own copy', async () => {
    const { cache, calls, state } = setup();
    state.delayMs = 20;
    const got = await Promise.all(Array.from({ length: 50 }, () => cache.getById('a')));
    expect(calls.getById).toBe(1);
    expect(new Set(got).size).toBe(50);
    expect(cache.metrics().coalesced).toBe(49);
  });

  it('a read that starts after a write never joins a load that started before it', async () => {
    const { cache, calls, state } = setup();
    let release!: () => void;
    state.gate = new Promise((r) => {
      release = r;
    });
    const before = cache.getById('a'); // loads the old row... once the gate opens
    await new Promise((r) => setTimeout(r, 5));
    state.gate = null;
    const written = await cache.update({ ...note('a'), title: 'after' });
    const after = await cache.getById('a');
    expect(after).toEqual(written);
    release();
    await before;
    expect(calls.getById).toBe(2);
    // The old load's fill was refused: the cache holds the new row.
    expect((await cache.getById('a'))?.title).toBe('after');
  });

  it('an aborted caller stops waiting; the shared load carries on for the others', async () => {
    const { cache, state } = setup();
    state.delayMs = 30;
    const ctl = new AbortController();
    const p1 = cache.getById('a', { signal: ctl.signal });
    const p2 = cache.getById('a');
    ctl.abort();
    await expect(p1).rejects.toBeInstanceOf(AbortedError);
    expect((await p2)?.id).toBe('a');
  });
});

describe('grace mode', () => {
  it('serves a recently expired value when the repository fails transiently, not otherwise', async () => {
    let now = 10_000_000;
    const { cache, state } = setup({ now: () => now, ttlMs: 1000, jitter: 0, graceMs: 60_000 });
    await cache.getById('a');
    now += 2000;
    state.fail = new UnavailableError('db down');
    expect((await cache.getById('a'))?.id).toBe('a');
    expect(cache.metrics().graceHits).toBe(1);
    state.fail = new Error('a bug');
    await expect(cache.getById('a')).rejects.toThrow('a bug');
  });

  it('never serves an invalidated value, even in grace', async () => {
    let now = 10_000_000;
    const { cache, state } = setup({ now: () => now, ttlMs: 1000, jitter: 0, graceMs: 60_000 });
    await cache.getById('a');
    await cache.update({ ...note('a'), title: 'x' });
    now += 2000;
    state.fail = new UnavailableError('db down');
    await expect(cache.getById('a')).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe('store down (memory store outage)', () => {
  it('reads fall through, writes are recorded as pending and flushed when the store is back', async () => {
    const { cache, store, calls, errors } = setup();
    await cache.getById('a');
    store.setDown(true);
    expect((await cache.getById('a'))?.id).toBe('a');
    await cache.update({ ...note('a'), title: 'while down' });
    expect(cache.pendingInvalidations).toBeGreaterThan(0);
    expect(cache.metrics().pendingInvalidations).toBeGreaterThan(0);
    const report = await cache.healthCheck().check({ signal: new AbortController().signal });
    expect(report).toMatchObject({ status: 'degraded' });
    store.setDown(false);
    // The stale entry is still in the store, but this instance bypasses it until it flushed.
    expect((await cache.getById('a'))?.title).toBe('while down');
    expect(await cache.flushPending()).toBe(true);
    expect(cache.pendingInvalidations).toBe(0);
    expect((await cache.getById('a'))?.title).toBe('while down');
    expect((await cache.getById('a'))?.title).toBe('while down');
    expect(await cache.healthCheck().check({ signal: new AbortController().signal })).toMatchObject(
      { status: 'healthy' },
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(calls.getById).toBeGreaterThanOrEqual(3);
  });

  it('pending invalidations are delivered by a timer, without traffic, once the store is back', async () => {
    const { cache, store } = setup({ flushRetryMs: 10 });
    await cache.getById('a');
    store.setDown(true);
    await cache.update({ ...note('a'), title: 'later' });
    expect(cache.pendingInvalidations).toBeGreaterThan(0);
    store.setDown(false);
    await until(() => cache.pendingInvalidations === 0, 5000);
    expect((await cache.getById('a'))?.title).toBe('later');
    await cache.close();
  });

  it('with the lock on and the store down, reads still load (no lock, no wait)', async () => {
    const { cache, store, calls } = setup({ lock: { waitMs: 5_000 } });
    store.setDown(true);
    expect((await cache.getById('a'))?.id).toBe('a');
    expect((await cache.list(S().cache({ ttl: 1000 }))).length).toBe(3);
    expect(calls.getById).toBe(1);
    store.setDown(false);
  });

  it('too many pending ids collapse into one epoch bump', async () => {
    const { cache, store } = setup({ maxPendingInvalidations: 2 });
    await cache.getById('a');
    await cache.getById('b');
    store.setDown(true);
    for (const id of ['a', 'b', 'c'])
      await cache.update({ ...note(id), title: `${id}2` }, { expectedVersion: null });
    store.setDown(false);
    expect(await cache.flushPending()).toBe(true);
    expect((await cache.getById('a'))?.title).toBe('a2');
    expect((await cache.getById('b'))?.title).toBe('b2');
  });
});

describe('packaging', () => {
  it('the CommonJS build loads with require()', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('@mystira/cache') as typeof import('@mystira/cache');
    expect(typeof cjs.cached).toBe('function');
    expect(new cjs.CacheOptionsError('x')).toBeInstanceOf(cjs.CacheError);
  });
});

describe('options', () => {
  it('rejects invalid options at construction', () => {
    const { repo } = notes();
    const store = memoryStore();
    expect(() => cached(repo, { store, ttlMs: -1 })).toThrow(CacheOptionsError);
    expect(() => cached(repo, { store, jitter: 2 })).toThrow(CacheOptionsError);
    expect(() => cached(repo, { store, keyPrefix: 'a b' })).toThrow(CacheOptionsError);
    expect(() => cached(repo, {} as never)).toThrow(CacheOptionsError);
    expect(() => cached({} as never, { store })).toThrow(CacheOptionsError);
  });
});
