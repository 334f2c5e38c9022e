/**
 * Test plumbing: a unique key prefix per test file on the shared Redis (and cleanup of only those
 * keys), and throw-away redis-server processes on free ports for the fault tests.
 */
import { randomBytes } from 'node:crypto';
import type { CachedRepository } from '@mystira/cache';
import { memoryRepository, queryOf, type Repository } from '@mystira/repository';
import { entity, field, type Infer, type SpecSource } from '@mystira/specification';
import { Redis, type RedisOptions } from 'ioredis';

export const SHARED_REDIS = { host: '127.0.0.1', port: 6379 };

/** ioredis options the README recommends for a cache: fail fast while disconnected. */
export const cacheClientOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (times) => Math.min(times * 20, 200),
  lazyConnect: false,
};

export function uniquePrefix(name: string): string {
  return `test:cache:${name}:${randomBytes(4).toString('hex')}`;
}

export async function connect(port = SHARED_REDIS.port, extra: RedisOptions = {}): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port, ...cacheClientOptions, ...extra });
  client.on('error', () => {});
  if (client.status !== 'ready')
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return client;
}

export { deletePrefix } from '../../../test-support/delete-prefix.js';
export {
  freePort,
  ThrowawayRedis as ThrowAwayRedis,
} from '../../../test-support/throwaway-redis.js';
export { until } from '../../../test-support/until.js';

export const Note = entity(
  'cache_notes',
  {
    id: field.string(),
    version: field.number(),
    title: field.string(),
    owner: field.string(),
    n: field.number(),
  },
  { id: 'id', version: 'version' },
);
export type NoteT = Infer<typeof Note>;

export const note = (id: string, patch: Partial<NoteT> = {}): NoteT => ({
  id,
  version: 1,
  title: `note ${id}`,
  owner: 'ann',
  n: 0,
  ...patch,
});

/**
 * A repository that counts calls by method and can delay or fail reads, to observe what the
 * cache sends to the repository.
 */
export function counting<T extends object>(inner: Repository<T>) {
  const calls: Record<string, number> = {};
  const state = { delayMs: 0, fail: null as Error | null, gate: null as Promise<void> | null };
  const handler: ProxyHandler<Repository<T>> = {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      if (prop === 'stream') return value.bind(target);
      return async (...args: unknown[]) => {
        calls[prop] = (calls[prop] ?? 0) + 1;
        const reading = [
          'getById',
          'getMany',
          'list',
          'first',
          'single',
          'count',
          'any',
          'page',
        ].includes(prop);
        if (reading && state.gate) await state.gate;
        if (reading && state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
        if (reading && state.fail) throw state.fail;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  };
  const repo = new Proxy(inner, handler);
  return { repo, calls, state };
}

export function notes(seed: NoteT[] = []) {
  return counting(memoryRepository<NoteT>(Note, { seed }));
}

/**
 * The cached repository with a cache hint (tagged `tags`) added to every spec, so that list,
 * first, single, count, any and page answers come from the query cache after the first call.
 * Every other call passes through as it is.
 */
export function hinted<Item extends object>(
  repo: CachedRepository<Item>,
  tags: string[],
): Repository<Item> {
  const hint = <R>(spec: SpecSource<Item, R>): SpecSource<Item, R> => {
    let q: ReturnType<typeof queryOf>;
    try {
      q = queryOf(spec as SpecSource<unknown, unknown>);
    } catch {
      return spec;
    }
    return { ...q, cache: { kind: 'cache', ttlMs: 60_000, tags } } as never;
  };
  return {
    entity: repo.entity,
    getById: (id, o) => repo.getById(id, o),
    getMany: (ids, o) => repo.getMany(ids, o),
    list: (s, o) => repo.list(hint(s), o),
    stream: (s, o) => repo.stream(s, o),
    first: (s, o) => repo.first(hint(s), o),
    single: (s, o) => repo.single(hint(s), o),
    count: (s, o) => repo.count(hint(s), o),
    any: (s, o) => repo.any(hint(s), o),
    page: (s, o) => repo.page(hint(s), o),
    add: (i, o) => repo.add(i, o),
    addMany: (i, o) => repo.addMany(i, o),
    update: (i, o) => repo.update(i, o),
    upsert: (i, o) => repo.upsert(i, o),
    delete: (id, o) => repo.delete(id, o),
  };
}
