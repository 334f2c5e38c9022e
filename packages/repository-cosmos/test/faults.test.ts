/**
 * Real faults from a proxy in front of the Cosmos server: throttling (429 with
 * `x-ms-retry-after-ms`), 449 and 503 are retried through @mystira/resilience with the server's
 * wait; writes are not repeated after a 503 (they may have been applied); a stale etag is a
 * ConcurrencyError; empty query pages with a continuation token are drained, not taken as the end.
 * Waits are checked through the retry policy's events (the delay it scheduled), never by timing.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { Container } from '@azure/cosmos';
import { AbortedError, ConcurrencyError, UnavailableError } from '@mystira/repository';
import { ConformanceItem, type ConformanceItemT, fixture } from '@mystira/repository/testing';
import {
  CosmosAccessError,
  CosmosRepository,
  cosmosClient,
  ensureContainer,
} from '@mystira/repository-cosmos';
import { ResilienceEvents, type RetryScheduledEvent } from '@mystira/resilience';
import { spec } from '@mystira/specification';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { realAccount, useCosmos } from './cosmos.js';
import { type FaultProxy, isQuery, type SeenRequest, startProxy } from './proxy.js';

const S = () => spec(ConformanceItem);
const throttle = (ms: number) => ({
  status: 429,
  headers: { 'x-ms-retry-after-ms': String(ms), 'x-ms-substatus': '3200' },
});
const isDocRead = (id: string) => (r: SeenRequest) =>
  r.method === 'GET' && r.url.endsWith(`/docs/${id}`);

describe.skipIf(realAccount)('fault injection through a proxy', () => {
  const cosmos = useCosmos();
  let proxy: FaultProxy;
  let container: Container;
  let agent: https.Agent;
  let client: ReturnType<typeof cosmosClient>;
  let events: ResilienceEvents;
  let retries: RetryScheduledEvent[];
  let repo: CosmosRepository<ConformanceItemT>;

  beforeAll(async () => {
    proxy = await startProxy(cosmos.endpoint);
    const direct = await ensureContainer(cosmos.database, ConformanceItem, {
      id: `faults-${randomUUID().slice(0, 8)}`,
      specs: [S().orderBy('name')],
    });
    agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
    client = cosmosClient({ endpoint: proxy.endpoint, key: cosmos.key, agent });
    container = client.database(cosmos.database.id).container(direct.id);
    events = new ResilienceEvents();
    events.onRetryScheduled((e) => retries.push(e));
    events.onGiveUp(
      (e) =>
        process.env.DIFF_DEBUG &&
        console.log('giveup', e.reason, e.attempts, (e.error as Error).message),
    );
    repo = new CosmosRepository<ConformanceItemT>(ConformanceItem, {
      container,
      profile: cosmos.profile,
      retry: { events, maxAttempts: 4 },
    });
    await repo.addMany(fixture());
  });
  beforeEach(() => {
    proxy.clear();
    retries = [];
  });
  afterAll(async () => {
    client?.dispose();
    agent?.destroy();
    await proxy?.close();
  });

  it('429 on a point read: waits the x-ms-retry-after-ms the server sent, then succeeds', async () => {
    proxy.inject((r) => (isDocRead('a01')(r) ? throttle(120) : undefined));
    expect((await repo.getById('a01'))?.name).toBe('alpha');
    expect(proxy.seen.filter(isDocRead('a01'))).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ delayMs: 120, fromServerHint: true, attempt: 1 });
  });

  it('429 on a write is retried too: the request was not executed', async () => {
    proxy.inject((r) =>
      r.method === 'POST' && !r.headers['x-ms-documentdb-isquery'] ? throttle(80) : undefined,
    );
    const added = await repo.add({ ...fixture()[0]!, id: 'w429' });
    expect(added.version).toBe(1);
    expect(retries.map((e) => e.delayMs)).toEqual([80]);
    await repo.delete('w429');
  });

  it('449 (retry with) on a replace is retried', async () => {
    const v1 = (await repo.getById('a02'))!;
    proxy.inject((r) =>
      r.method === 'PUT' ? { status: 449, headers: { 'x-ms-retry-after-ms': '30' } } : undefined,
    );
    const v2 = await repo.update({ ...v1, name: 'Alpha2' });
    expect(v2.version).toBe(v1.version + 1);
    expect(retries.map((e) => e.delayMs)).toEqual([30]);
    await repo.update({ ...v2, name: 'Alpha' });
  });

  it('503 on a read is retried; on a write it is not (the write may have been applied)', async () => {
    proxy.inject((r) =>
      isDocRead('a03')(r) ? { status: 503, headers: { 'x-ms-retry-after-ms': '40' } } : undefined,
    );
    expect((await repo.getById('a03'))?.name).toBe('beta');
    expect(retries.map((e) => e.delayMs)).toEqual([40]);
    retries = [];
    proxy.inject((r) =>
      r.method === 'POST' && !r.headers['x-ms-documentdb-isquery'] ? { status: 503 } : undefined,
    );
    const err = await repo.add({ ...fixture()[0]!, id: 'w503' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).transient).toBe(true);
    expect(retries).toHaveLength(0);
  });

  it('throttling on a query page mid-way: the page is fetched again and nothing is lost or repeated', async () => {
    const expected = (await repo.list(S().orderBy('name'))).map((i) => i.id);
    let pages = 0;
    proxy.inject(
      (r) => {
        if (!isQuery(r)) return undefined;
        pages++;
        return pages === 3 ? throttle(25) : undefined;
      },
      { once: false },
    );
    const got: string[] = [];
    for await (const item of repo.stream(S().orderBy('name'), { batchSize: 2 })) got.push(item.id);
    expect(got).toEqual(expected);
    expect(retries.map((e) => e.delayMs)).toEqual([25]);
  });

  it('empty pages that carry a continuation token are drained, not taken as the end', async () => {
    const expected = (await repo.list(S().orderBy('name'))).map((i) => i.id);
    proxy.clear();
    let empties = 0;
    proxy.inject(
      (r) => {
        const token = r.headers['x-ms-continuation'];
        if (!isQuery(r) || typeof token !== 'string' || empties >= 3) return undefined;
        empties++;
        return {
          status: 200,
          headers: { 'x-ms-continuation': token, 'x-ms-request-charge': '1' },
          body: { _rid: 'x', Documents: [], _count: 0 },
        };
      },
      { once: false },
    );
    const got: string[] = [];
    for await (const item of repo.stream(S().orderBy('name'), { batchSize: 3 })) got.push(item.id);
    expect(empties).toBe(3);
    expect(got).toEqual(expected);
  });

  it('a read whose pages never end fails at its deadline instead of hanging', async () => {
    // Every continued query page comes back empty with the same token: without a deadline the
    // read would ask for the next page for ever.
    proxy.inject(
      (r) => {
        const token = r.headers['x-ms-continuation'];
        if (!isQuery(r) || typeof token !== 'string') return undefined;
        return {
          status: 200,
          headers: { 'x-ms-continuation': token, 'x-ms-request-charge': '1' },
          body: { _rid: 'x', Documents: [], _count: 0 },
        };
      },
      { once: false },
    );
    const bounded = new CosmosRepository<ConformanceItemT>(ConformanceItem, {
      container,
      profile: cosmos.profile,
      pageSize: 2,
      readTimeoutMs: 400,
    });
    const started = performance.now();
    const err = await bounded.list(S().orderBy('name')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/deadline \(400 ms\)/);
    expect(performance.now() - started).toBeLessThan(10_000);
    const streamErr = await (async () => {
      for await (const _ of bounded.stream(S().orderBy('name'), { batchSize: 2 })) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(streamErr).toBeInstanceOf(UnavailableError);
  });

  it('gives up after maxAttempts with a transient UnavailableError', async () => {
    proxy.inject((r) => (isDocRead('a04')(r) ? throttle(5) : undefined), { once: false });
    const err = await repo.getById('a04').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).transient).toBe(true);
    expect(proxy.seen.filter(isDocRead('a04'))).toHaveLength(4);
  });

  it('aborting while waiting out a long retry-after rejects with AbortedError at once', async () => {
    proxy.inject((r) => (isDocRead('a05')(r) ? throttle(10_000) : undefined), { once: false });
    const ctl = new AbortController();
    const pending = repo.getById('a05', { signal: ctl.signal });
    await new Promise<void>((resolve) => events.onRetryScheduled(() => resolve()));
    ctl.abort(new Error('caller gave up'));
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('bulk: a throttled bulk request is retried after the hint; throttled operations are resubmitted', async () => {
    const isBulk = (r: SeenRequest) =>
      String(r.headers['x-ms-cosmos-is-batch-request']).toLowerCase() === 'true';
    proxy.inject((r) => (isBulk(r) ? throttle(35) : undefined));
    const first = await repo.bulk(
      [0, 1].map((i) => ({ type: 'create' as const, item: { ...fixture()[0]!, id: `bk${i}` } })),
    );
    expect(first.map((r) => r.ok)).toEqual([true, true]);
    expect(retries.map((e) => e.delayMs)).toEqual([35]);
    // Per-operation 429s inside a successful bulk response: those operations go again.
    proxy.inject((r) =>
      isBulk(r)
        ? {
            status: 200,
            body: [0, 1].map(() => ({
              statusCode: 429,
              requestCharge: 0,
              retryAfterMilliseconds: 5,
            })),
          }
        : undefined,
    );
    const second = await repo.bulk([0, 1].map((i) => ({ type: 'delete' as const, id: `bk${i}` })));
    expect(second.map((r) => r.ok)).toEqual([true, true]);
    expect(proxy.seen.filter(isBulk)).toHaveLength(4);
  });

  it('401/403 are CosmosAccessError: not transient, never retried', async () => {
    proxy.inject((r) => (isDocRead('a07')(r) ? { status: 401 } : undefined));
    const err = await repo.getById('a07').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CosmosAccessError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as CosmosAccessError).transient).toBe(false);
    expect((err as CosmosAccessError).status).toBe(401);
    expect(retries).toHaveLength(0);
  });

  it('a stale etag is a ConcurrencyError and changes nothing', async () => {
    const entry = (await repo.getEntry('a06'))!;
    expect(entry.etag).toBeTruthy();
    const moved = await repo.update({ ...entry.item, name: 'moved' }, { ifMatch: entry.etag });
    const err = await repo
      .update({ ...entry.item, name: 'stale' }, { ifMatch: entry.etag })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as ConcurrencyError).actualVersion).toBe(moved.version);
    expect((await repo.getById('a06'))?.name).toBe('moved');
    const stale = await repo.delete('a06', { ifMatch: entry.etag }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConcurrencyError);
    expect(proxy.seen.some((r) => r.method === 'PUT' && r.headers['if-match'] === entry.etag)).toBe(
      true,
    );
  });
});
