/**
 * Linearizability-style property: random interleavings of reads and writes from several clients,
 * through two cached instances sharing one Redis (the shared server, a fresh key prefix per run)
 * and one repository, never return a value older than the last write that completed before the
 * read began.
 *
 * The bound:
 * - L1 off: a write counts as completed when its promise resolved (the invalidation is in Redis
 *   before that). No delay at all.
 * - L1 on: a write counts as completed for instance X once its promise resolved AND X has
 *   received the invalidation message (pub/sub delivery; Redis delivers a channel's messages in
 *   publish order, so X has it once X's `received` count reaches the number of messages
 *   published when the write returned). Until then X may serve its L1 copy: that window, the
 *   pub/sub delivery latency, is the staleness bound with L1 (capped by `l1.ttlMs` if a message
 *   is lost with the subscription, which also clears L1).
 *
 * Versions grow by one per write, so "older" is "smaller version".
 */
import { type CachedRepository, cached, redisStore } from '@mystira/cache';
import { memoryRepository } from '@mystira/repository';
import { spec } from '@mystira/specification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counting, Note, type NoteT, note } from './helpers.js';
import { sharedRedis } from './support/shared-redis.js';

const shared = sharedRedis('linear');

const IDS = ['x', 'y'];
const all = spec(Note).orderBy('id').cache({ ttl: 60_000 });

type Op =
  | { kind: 'write'; client: number; via: number; id: string }
  | { kind: 'get'; client: number; via: number; id: string }
  | { kind: 'many'; client: number; via: number }
  | { kind: 'list'; client: number; via: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('write' as const),
    client: fc.nat(3),
    via: fc.nat(1),
    id: fc.constantFrom(...IDS),
  }),
  fc.record({
    kind: fc.constant('get' as const),
    client: fc.nat(3),
    via: fc.nat(1),
    id: fc.constantFrom(...IDS),
  }),
  fc.record({ kind: fc.constant('many' as const), client: fc.nat(3), via: fc.nat(1) }),
  fc.record({ kind: fc.constant('list' as const), client: fc.nat(3), via: fc.nat(1) }),
);

interface Done {
  id: string;
  version: number;
  /** Logical time the write returned. */
  end: number;
  /** Messages published (both instances) when it returned. */
  published: number;
}

async function check(ops: Op[], delays: number[], l1: boolean, refresh = false): Promise<void> {
  const kp = shared.keyPrefix();
  const { repo, state } = counting(
    memoryRepository<NoteT>(Note, { seed: IDS.map((id) => note(id)) }),
  );
  let d = 0;
  // Random small delays in repository calls widen the race windows (loads overlapping writes).
  const inner = new Proxy(repo, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || !['getById', 'getMany', 'list'].includes(prop as string))
        return v;
      return async (...args: unknown[]) => {
        // Delay after reading: the value is loaded, then a write may commit and invalidate
        // before the load returns and fills (the read-during-write race).
        const result = await (v as (...a: unknown[]) => unknown).apply(target, args);
        const ms = delays[d++ % delays.length]!;
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        return result;
      };
    },
  });
  void state;
  const stores = [redisStore(shared.redis), redisStore(shared.redis)];
  const caches: CachedRepository<NoteT>[] = stores.map((store) =>
    cached<NoteT>(inner, {
      store,
      keyPrefix: kp,
      storeTimeoutMs: 2000,
      secondDeleteMs: 0,
      refreshAfterWrite: refresh,
      ...(l1 ? { l1: { ttlMs: 60_000 } } : {}),
    }),
  );
  try {
    await Promise.all(caches.map((c) => c.ready()));
    let clock = 0;
    const done: Done[] = [];
    const violations: string[] = [];
    const published = () => caches.reduce((n, c) => n + c.metrics().published, 0);
    const lowerBound = (id: string, start: number, received: number) =>
      done
        .filter((w) => w.id === id && w.end < start && (!l1 || w.published <= received))
        .reduce((m, w) => Math.max(m, w.version), 1);
    const observe = (
      what: string,
      id: string,
      version: number | undefined,
      start: number,
      received: number,
    ) => {
      const min = lowerBound(id, start, received);
      if (version === undefined || version < min)
        violations.push(`${what} ${id}: saw v${version}, a completed write made v${min}`);
    };
    const clients = [0, 1, 2, 3].map((c) => ops.filter((o) => o.client === c));
    await Promise.all(
      clients.map(async (mine) => {
        for (const op of mine) {
          const cache = caches[op.via]!;
          const start = ++clock;
          const received = cache.metrics().received;
          if (op.kind === 'write') {
            const written = await cache.update(note(op.id, { n: start }), {
              expectedVersion: null,
            });
            done.push({
              id: op.id,
              version: written.version,
              end: ++clock,
              published: published(),
            });
          } else if (op.kind === 'get') {
            observe('getById', op.id, (await cache.getById(op.id))?.version, start, received);
          } else if (op.kind === 'many') {
            const got = await cache.getMany(IDS);
            for (const id of IDS)
              observe('getMany', id, got.find((n) => n.id === id)?.version, start, received);
          } else {
            const got = await cache.list(all);
            for (const id of IDS)
              observe('list', id, got.find((n) => n.id === id)?.version, start, received);
          }
        }
      }),
    );
    expect(violations).toEqual([]);
  } finally {
    for (const c of caches) await c.close();
    for (const s of stores) await s.close();
  }
}

describe('linearizability through two cached instances sharing Redis', () => {
  const ops = fc.array(opArb, { minLength: 4, maxLength: 24 });
  const delays = fc.array(fc.constantFrom(0, 2, 6, 12), { minLength: 1, maxLength: 16 });

  it('L1 off: no read returns a value older than the last write completed before it began', async () => {
    await fc.assert(
      fc.asyncProperty(ops, delays, (o, d) => check(o, d, false)),
      { numRuns: 40 },
    );
  }, 60_000);

  it("refreshAfterWrite on: a writer's background reload never fills an older value", async () => {
    await fc.assert(
      fc.asyncProperty(ops, delays, (o, d) => check(o, d, false, true)),
      { numRuns: 40 },
    );
  }, 60_000);

  it('L1 on: the same, once the invalidation was delivered to the reading instance', async () => {
    await fc.assert(
      fc.asyncProperty(ops, delays, (o, d) => check(o, d, true)),
      { numRuns: 40 },
    );
  }, 60_000);
});
