/**
 * `refreshAfterWrite`: after a single-item write's invalidation, the writer reloads the item in the
 * background through the reader's own read-through (same single flight, same guarded fill), so
 * the next reader hits. It must never fill a value older than a write that completed, never load
 * while the cache is bypassed, and not count as a read.
 */
import { type CacheError, cached, memoryStore } from '@mystira/cache';
import { describe, expect, it } from 'vitest';
import { type NoteT, note, notes, until } from './helpers.js';

function setup(refreshAfterWrite = true) {
  const store = memoryStore();
  const { repo, calls, state } = notes([note('a'), note('b')]);
  const errors: CacheError[] = [];
  const cache = cached<NoteT>(repo, {
    store,
    secondDeleteMs: 0,
    refreshAfterWrite,
    onError: (e) => errors.push(e),
  });
  return { store, calls, state, cache, errors };
}

describe('refreshAfterWrite', () => {
  it('reloads an updated item after its invalidation: the next read hits what was stored', async () => {
    const { cache, calls } = setup();
    await cache.getById('a');
    const written = await cache.update({ ...note('a'), title: 'new' });
    await until(() => cache.metrics().fills === 2);
    const before = cache.metrics();
    expect(await cache.getById('a')).toEqual(written);
    const after = cache.metrics();
    expect(after.hits - before.hits).toBe(1);
    expect(after.misses).toBe(1); // only the first read of all
    expect(after.refreshes).toBe(1);
    expect(calls.getById).toBe(2);
  });

  it('add and upsert refresh too; delete and addMany do not', async () => {
    const { cache, calls } = setup();
    await cache.add(note('c'));
    await until(() => cache.metrics().fills === 1);
    await cache.upsert({ ...note('c'), title: 'up' });
    await until(() => cache.metrics().fills === 2);
    expect(calls.getById).toBe(2);
    await cache.delete('c');
    await cache.addMany([note('d'), note('e')]);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.getById).toBe(2);
    expect((await cache.getById('c'))?.title).toBeUndefined();
  });

  it('is off by default: a write leaves the next read to load', async () => {
    const { cache, calls } = setup(false);
    await cache.update({ ...note('a'), title: 'new' });
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.getById).toBeUndefined();
    expect(cache.metrics().refreshes).toBe(0);
  });

  it('readers arriving while the refresh loads join it: one load', async () => {
    const { cache, calls, state } = setup();
    let release!: () => void;
    state.gate = new Promise((r) => {
      release = r;
    });
    const written = await cache.update({ ...note('a'), title: 'new' });
    await until(() => calls.getById === 1);
    const readers = Array.from({ length: 5 }, () => cache.getById('a'));
    release();
    for (const got of await Promise.all(readers)) expect(got).toEqual(written);
    expect(calls.getById).toBe(1);
    expect(cache.metrics().coalesced).toBe(5);
  });

  it('a refresh that loaded before a later write completed is refused; no read sees it', async () => {
    const store = memoryStore();
    const { repo } = notes([note('a')]);
    // The first load reads the row, then waits: a second write commits and invalidates meanwhile.
    let release!: () => void;
    let hold: Promise<void> | null = new Promise((r) => {
      release = r;
    });
    let loading!: () => void;
    const loaded = new Promise<void>((r) => {
      loading = r;
    });
    const inner = new Proxy(repo, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop !== 'getById') return v;
        return async (...args: unknown[]) => {
          const row = await (v as (...a: unknown[]) => Promise<NoteT>).apply(target, args);
          const wait = hold;
          hold = null;
          if (wait) {
            loading();
            await wait;
          }
          return row;
        };
      },
    });
    const cache = cached<NoteT>(inner, { store, secondDeleteMs: 0, refreshAfterWrite: true });
    await cache.update({ ...note('a'), title: 'first' }, { expectedVersion: null });
    await loaded; // the refresh holds the row titled 'first'
    const written = await cache.update(
      { ...note('a'), title: 'second' },
      { expectedVersion: null },
    );
    release();
    await until(() => cache.metrics().fillsRejected === 1 && cache.metrics().fills === 1);
    expect(await cache.getById('a')).toEqual(written);
    expect(cache.metrics().hits).toBe(1);
  });

  it('does not load when it cannot read the generation tokens (it could not fill)', async () => {
    const base = memoryStore();
    let failReads = false;
    const store = new Proxy(base, {
      get(target, prop) {
        if (prop === 'get' && failReads) return () => Promise.reject(new Error('read failed'));
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const { repo, calls } = notes([note('a')]);
    const errors: CacheError[] = [];
    const cache = cached<NoteT>(repo, {
      store,
      secondDeleteMs: 0,
      refreshAfterWrite: true,
      onError: (e) => errors.push(e),
    });
    failReads = true;
    await cache.update({ ...note('a'), title: 'new' });
    await until(() => errors.length > 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.getById).toBeUndefined();
    expect(cache.metrics().refreshes).toBe(0);
  });

  it('does not load while the store is down (the cache is bypassed with invalidations owed)', async () => {
    const { store, cache, calls, errors } = setup();
    store.setDown(true);
    await cache.update({ ...note('a'), title: 'new' });
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.getById).toBeUndefined();
    expect(cache.metrics().pendingInvalidations).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0);
  });
});
