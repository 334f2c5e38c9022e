/**
 * The consumer loop and the cache sink without a server: acknowledgement only after the sink
 * handled a batch, retries of a failing sink, reconnection after a broken stream, a lost slot
 * stopping the loop, options checked at start-up, and the sink's mapping of changes to ids.
 */
import {
  CdcError,
  CdcOptionsError,
  CdcSinkError,
  CdcSlotError,
  CdcSourceError,
  type ChangeBatch,
  type ChangeSource,
  cacheInvalidationSink,
  compareLsn,
  consumeChanges,
  type InvalidatableCache,
  postgresChangeSource,
} from '@mystira/cdc';
import { describe, expect, it } from 'vitest';

/** A source over a list of batches; a failure can be injected once before a given batch. */
function listSource(batches: ChangeBatch[], options: { failBefore?: number; error?: Error } = {}) {
  const acknowledged: string[] = [];
  let opened = 0;
  let failed = false;
  const source: ChangeSource = {
    name: 'list',
    async *changes(signal) {
      opened++;
      // Resume after the last acknowledged position, like a slot.
      const last = acknowledged.at(-1);
      const start = last ? batches.findIndex((b) => b.position === last) + 1 : 0;
      for (let i = start; i < batches.length; i++) {
        if (signal?.aborted) return;
        if (i === options.failBefore && !failed) {
          failed = true;
          throw options.error ?? new Error('connection reset');
        }
        yield batches[i] as ChangeBatch;
      }
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
    },
    async acknowledge(position) {
      acknowledged.push(position);
    },
    async close() {},
  };
  return { source, acknowledged, opened: () => opened };
}

const event = (id: string, position: string) => ({
  table: 'public.notes',
  operation: 'update' as const,
  key: { id },
  position,
});
const batches: ChangeBatch[] = [
  { events: [event('a', '0/10')], position: '0/20' },
  { events: [event('b', '0/30')] },
  { events: [event('c', '0/40')], position: '0/50' },
];

async function runUntil(
  source: ChangeSource,
  sink: Parameters<typeof consumeChanges>[1],
  done: () => boolean,
  onError?: (e: CdcError) => boolean | undefined,
) {
  const controller = new AbortController();
  const errors: CdcError[] = [];
  const running = consumeChanges(source, sink, {
    signal: controller.signal,
    retryDelayMs: 1,
    onError: (e) => {
      errors.push(e);
      return onError?.(e);
    },
  });
  const deadline = Date.now() + 5000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  controller.abort();
  await running;
  return errors;
}

describe('consumeChanges', () => {
  it('acknowledges a transaction only after the sink handled all of its batches', async () => {
    const { source, acknowledged } = listSource(batches);
    const handled: string[] = [];
    await runUntil(
      source,
      {
        async handle(batch) {
          // At this point nothing of this batch may be acknowledged yet.
          expect(acknowledged).not.toContain(batch.position);
          handled.push(...batch.events.map((e) => String(e.key.id)));
        },
      },
      () => acknowledged.length === 2,
    );
    expect(handled).toEqual(['a', 'b', 'c']);
    expect(acknowledged).toEqual(['0/20', '0/50']);
  });

  it('retries a failing sink with the same batch and never acknowledges it meanwhile', async () => {
    const { source, acknowledged } = listSource(batches);
    let failures = 0;
    const errors = await runUntil(
      source,
      {
        async handle(batch) {
          if (batch.events[0]?.key.id === 'c' && failures < 3) {
            failures++;
            expect(acknowledged).toEqual(['0/20']);
            throw new Error('redis down');
          }
        },
      },
      () => acknowledged.length === 2,
    );
    expect(failures).toBe(3);
    expect(errors.map((e) => e.constructor)).toEqual([CdcSinkError, CdcSinkError, CdcSinkError]);
    expect(acknowledged).toEqual(['0/20', '0/50']);
  });

  it('reconnects after a broken stream and resumes after the last acknowledged position', async () => {
    const { source, acknowledged, opened } = listSource(batches, { failBefore: 2 });
    const handled: string[] = [];
    const errors = await runUntil(
      source,
      {
        async handle(batch) {
          handled.push(...batch.events.map((e) => String(e.key.id)));
        },
      },
      () => acknowledged.length === 2,
    );
    expect(errors[0]).toBeInstanceOf(CdcSourceError);
    expect(opened()).toBe(2);
    // b was handled but not acknowledged (its transaction was not complete): it comes again.
    expect(handled).toEqual(['a', 'b', 'b', 'c']);
  });

  it('stops on a missing or lost slot (a retry cannot fix it) and rejects with the typed error', async () => {
    const lost = new CdcSlotError('s', 'lost', 'lost');
    const { source } = listSource(batches, { failBefore: 0, error: lost });
    await expect(
      consumeChanges(source, { handle: async () => {} }, { signal: new AbortController().signal }),
    ).rejects.toBe(lost);
  });

  it('needs a signal', async () => {
    const { source } = listSource([]);
    await expect(
      consumeChanges(source, { handle: async () => {} }, {} as never),
    ).rejects.toBeInstanceOf(CdcOptionsError);
  });
});

/** A cache double with the members the sink uses. */
function fakeCache(deliver = () => true) {
  const calls: string[] = [];
  let pending = 0;
  const cache: InvalidatableCache = {
    async invalidate(ids) {
      calls.push(`invalidate ${ids.join(',')}`);
      if (!deliver()) pending += ids.length;
    },
    async invalidateAll() {
      calls.push('all');
    },
    get pendingInvalidations() {
      return pending;
    },
    async flushPending() {
      if (deliver()) pending = 0;
      return pending === 0;
    },
  };
  return { cache, calls };
}

describe('cacheInvalidationSink', () => {
  const signal = new AbortController().signal;

  it('invalidates the key of every change (both keys when it changed); truncate drops all', async () => {
    const { cache, calls } = fakeCache();
    const sink = cacheInvalidationSink({ notes: cache, 'other.skipped': fakeCache().cache });
    await sink.handle(
      {
        events: [
          event('a', '0/1'),
          { ...event('b', '0/2'), previousKey: { id: 'a0' } },
          { ...event('a', '0/3'), operation: 'delete' },
          { table: 'public.elsewhere', operation: 'insert', key: { id: 'x' }, position: '0/4' },
        ],
        position: '0/5',
      },
      signal,
    );
    await sink.handle(
      { events: [{ table: 'public.notes', operation: 'truncate', key: {}, position: '0/6' }] },
      signal,
    );
    expect(calls).toEqual(['invalidate a,b,a0', 'all']);
  });

  it('fails (so the batch is retried, not acknowledged) while the cache cannot deliver', async () => {
    let up = false;
    const { cache } = fakeCache(() => up);
    const sink = cacheInvalidationSink({ notes: cache });
    await expect(sink.handle({ events: [event('a', '0/1')] }, signal)).rejects.toBeInstanceOf(
      CdcSinkError,
    );
    up = true;
    await sink.handle({ events: [event('a', '0/1')] }, signal);
    expect(cache.pendingInvalidations).toBe(0);
  });

  it('maps composite keys with an id function, and refuses them without one', async () => {
    const { cache, calls } = fakeCache();
    const composite = {
      table: 'public.notes',
      operation: 'update' as const,
      key: { tenant: 't', id: 7 },
      position: '0/1',
    };
    await expect(
      cacheInvalidationSink({ notes: cache }).handle({ events: [composite] }, signal),
    ).rejects.toBeInstanceOf(CdcSinkError);
    await cacheInvalidationSink({
      notes: { cache, id: (key) => `${String(key.tenant)}:${String(key.id)}` },
    }).handle({ events: [composite] }, signal);
    expect(calls.at(-1)).toBe('invalidate t:7');
  });

  it('checks its options', () => {
    expect(() => cacheInvalidationSink({})).toThrow(CdcOptionsError);
    expect(() => cacheInvalidationSink({ notes: {} as never })).toThrow(CdcOptionsError);
  });
});

describe('options and helpers', () => {
  it('postgresChangeSource refuses bad slot names and sizes', () => {
    const connection = 'postgres://localhost/x';
    expect(() => postgresChangeSource({ connection, slot: 'Bad-Name' })).toThrow(CdcOptionsError);
    expect(() => postgresChangeSource({ connection, slot: 'ok', maxBatchSize: 0 })).toThrow(
      CdcOptionsError,
    );
    expect(() => postgresChangeSource({ connection, slot: 'ok', tables: [] })).toThrow(
      CdcOptionsError,
    );
    expect(postgresChangeSource({ connection, slot: 'ok' }).name).toBe('postgres:ok');
  });

  it('compares LSNs as 64-bit positions, not as text', () => {
    expect(compareLsn('0/A', '0/9')).toBe(1);
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBe(1);
    expect(compareLsn('16/B374D848', '16/B374D848')).toBe(0);
    expect(() => compareLsn('nope', '0/0')).toThrow(RangeError);
  });

  it('every error is a CdcError with its code', () => {
    expect(new CdcSlotError('s', 'missing', 'm')).toMatchObject({
      code: 'SLOT',
      reason: 'missing',
    });
    expect(new CdcSinkError('x')).toBeInstanceOf(CdcError);
  });
});
