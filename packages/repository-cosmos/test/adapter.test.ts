/**
 * What the adapter adds beyond the port: RU reporting per call, the cross-partition hook and
 * partition pinning, partition keys other than the id, numeric ids, bulk operations, the
 * in-memory sort bound, short pages, client options, and Azure AD credential wiring (with a fake
 * TokenCredential: cosmosdb-server does not validate tokens, so the test checks what the SDK
 * sends, through the proxy).
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { NotFoundError, ValidationError } from '@mystira/repository';
import {
  CosmosRepository,
  type CosmosRequestEvent,
  type CrossPartitionEvent,
  cosmosClient,
  cosmosClientOptions,
  ensureContainer,
  type TokenCredential,
  UnsupportedQueryError,
} from '@mystira/repository-cosmos';
import { entity, field, type Infer, spec } from '@mystira/specification';
import { beforeAll, describe, expect, it } from 'vitest';
import { realAccount, startCosmos, useCosmos } from './cosmos.js';
import { startProxy } from './proxy.js';

const Order = entity(
  'orders',
  {
    id: field.string(),
    tenant: field.string(),
    total: field.number(),
    amount: field.bigint(),
    note: field.string().optional(),
  },
  { id: 'id', partitionKey: 'tenant' },
);
type OrderT = Infer<typeof Order>;

const Counter = entity('counters', { id: field.number(), label: field.string() });
type CounterT = Infer<typeof Counter>;

const orders: OrderT[] = Array.from({ length: 30 }, (_, i) => ({
  id: `o${String(i).padStart(2, '0')}`,
  tenant: i % 3 === 0 ? 'acme' : 'globex',
  total: (i * 7) % 11,
  amount: String((i - 15) * 1_000_000_000_000),
  ...(i % 4 === 0 ? { note: `n${i}` } : {}),
}));

describe('Cosmos adapter specifics', () => {
  const cosmos = useCosmos();
  let repo: CosmosRepository<OrderT>;
  const events: CosmosRequestEvent[] = [];
  const cross: CrossPartitionEvent[] = [];

  beforeAll(async () => {
    const container = await cosmos.container(Order, 'orders', [
      spec(Order).orderBy('total'),
      spec(Order).orderByDescending('total'),
    ]);
    repo = new CosmosRepository<OrderT>(Order, {
      container,
      profile: cosmos.profile,
      onRequest: (e) => events.push(e),
      onCrossPartitionQuery: (e) => cross.push(e),
    });
    await repo.addMany(orders);
  });

  it('reports the request charge (RU) and round trips of every call', async () => {
    events.length = 0;
    await repo.getById('o03', { partitionKey: 'acme' });
    await repo.list(spec(Order).where((w) => w.eq('tenant', 'acme')));
    expect(events.map((e) => e.operation)).toEqual(['getById', 'list']);
    for (const e of events) {
      expect(e.requestCharge).toBeGreaterThan(0);
      expect(e.requests).toBeGreaterThanOrEqual(1);
      expect(e.failed).toBe(false);
      expect(e.entity).toBe('orders');
    }
  });

  it('an eq on the partition key pins the query; anything else fans out and is reported', async () => {
    cross.length = 0;
    const pinned = await repo.list(
      spec(Order)
        .where((w) => w.and(w.eq('tenant', 'acme'), w.gte('total', 3)))
        .orderBy('total'),
    );
    expect(cross).toHaveLength(0);
    expect(pinned.every((o) => o.tenant === 'acme')).toBe(true);
    await repo.list(spec(Order).where((w) => w.gte('total', 3)));
    expect(cross).toHaveLength(1);
    expect(cross[0]!.operation).toBe('list');
    expect(cross[0]!.query.query).toContain('c["total"] >= @p0');
    expect(events.at(-1)?.crossPartition).toBe(true);
  });

  it('point reads need the partition key when it is not the id; without it the id is looked up', async () => {
    cross.length = 0;
    expect((await repo.getById('o04', { partitionKey: 'globex' }))?.total).toBe(orders[4]!.total);
    expect(await repo.getById('o04', { partitionKey: 'acme' })).toBeUndefined();
    expect(cross).toHaveLength(0);
    expect((await repo.getById('o04'))?.id).toBe('o04');
    expect(cross.map((c) => c.operation)).toEqual(['lookup']);
    const updated = await repo.update({ ...orders[4]!, total: 99 });
    expect(updated).toMatchObject({ id: 'o04', total: 99 });
    await repo.update({ ...orders[4]! });
  });

  it('bigint order keys sort in memory, bounded by maxInMemoryRows', async () => {
    const all = await repo.list(spec(Order).orderBy('amount'));
    expect(all.map((o) => o.id)).toEqual(orders.map((o) => o.id));
    const bounded = new CosmosRepository<OrderT>(Order, {
      container: repo.container,
      profile: cosmos.profile,
      maxInMemoryRows: 10,
    });
    await expect(bounded.list(spec(Order).orderBy('amount'))).rejects.toBeInstanceOf(
      UnsupportedQueryError,
    );
    await expect(bounded.list(spec(Order).orderBy('amount'))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('drains continuation pages of one row each (short pages) in order', async () => {
    const got: string[] = [];
    for await (const o of repo.stream(spec(Order).orderByDescending('total'), { batchSize: 1 }))
      got.push(o.id);
    const expected = [...orders]
      .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1))
      .map((o) => o.id);
    expect(got).toEqual(expected);
    expect(events.at(-1)).toMatchObject({ operation: 'stream' });
    expect(events.at(-1)!.requests).toBeGreaterThanOrEqual(30);
  });

  it('bulk creates and deletes, each operation reporting on its own', async () => {
    const extra: OrderT[] = [0, 1, 2].map((i) => ({
      id: `b${i}`,
      tenant: 'initech',
      total: i,
      amount: '1',
    }));
    const created = await repo.bulk([
      ...extra.map((item) => ({ type: 'create' as const, item })),
      { type: 'create', item: orders[0]! },
    ]);
    expect(created.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(created[0]).toMatchObject({ ok: true, item: { ...extra[0] } });
    const deleted = await repo.bulk([
      ...extra.map((o) => ({ type: 'delete' as const, id: o.id, partitionKey: 'initech' })),
      { type: 'delete', id: 'nope', partitionKey: 'initech' },
    ]);
    expect(deleted.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(deleted[3]).toMatchObject({ ok: false });
    expect((deleted[3] as { error: Error }).error).toBeInstanceOf(NotFoundError);
  });

  it('addMany in one partition uses a transactional batch when the profile has atomic batches', async () => {
    // cosmosdb-server runs batches (not atomically), so the success path and its results are
    // checked here with the server's profile plus `atomicBatch`.
    const batching = new CosmosRepository<OrderT>(Order, {
      container: repo.container,
      profile: { ...cosmos.profile, name: 'batching', atomicBatch: true },
      onRequest: (e) => events.push(e),
    });
    const items: OrderT[] = [0, 1, 2].map((i) => ({
      id: `tb${i}`,
      tenant: 'umbrella',
      total: i,
      amount: '0',
    }));
    const added = await batching.addMany(items);
    expect(added).toEqual(items);
    expect(events.at(-1)).toMatchObject({ operation: 'addMany', requests: 1 });
    const again = await batching
      .addMany([{ id: 'tb0', tenant: 'umbrella', total: 9, amount: '0' }])
      .catch((e: unknown) => e);
    expect((again as Error).name).toBe('AlreadyExistsError');
    await batching.bulk(
      items.map((o) => ({ type: 'delete' as const, id: o.id, partitionKey: 'umbrella' })),
    );
  });

  it('numeric ids are stored as the document id and still order numerically', async () => {
    const container = await ensureContainer(cosmos.database, Counter, {
      id: `counters-${randomUUID().slice(0, 8)}`,
    });
    const counters = new CosmosRepository<CounterT>(Counter, {
      container,
      profile: cosmos.profile,
    });
    await counters.addMany([
      { id: 10, label: 'ten' },
      { id: 9, label: 'nine' },
      { id: 100, label: 'hundred' },
    ]);
    expect((await counters.getById(9))?.label).toBe('nine');
    expect((await counters.list(spec(Counter))).map((c) => c.id)).toEqual([9, 10, 100]);
    expect(
      (await counters.list(spec(Counter).where((w) => w.gt('id', 9)))).map((c) => c.id),
    ).toEqual([10, 100]);
    // An eq on the id pins the partition (the document id, a string).
    expect(
      (await counters.list(spec(Counter).where((w) => w.eq('id', 100)))).map((c) => c.label),
    ).toEqual(['hundred']);
    await counters.delete(10);
    expect(await counters.getMany([10, 100])).toEqual([{ id: 100, label: 'hundred' }]);
  });
});

describe('client options and credentials', () => {
  it('the SDK retries are off and exactly one of key / credential is required', () => {
    const o = cosmosClientOptions({ endpoint: 'https://x.documents.azure.com', key: 'k' });
    expect(o.connectionPolicy?.retryOptions?.maxRetryAttemptCount).toBe(0);
    expect(() => cosmosClientOptions({ endpoint: 'https://x' })).toThrow(TypeError);
    const credential: TokenCredential = {
      getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }),
    };
    expect(() => cosmosClientOptions({ endpoint: 'https://x', key: 'k', credential })).toThrow(
      TypeError,
    );
    expect(cosmosClientOptions({ endpoint: 'https://x', credential }).aadCredentials).toBe(
      credential,
    );
  });

  it.skipIf(realAccount)(
    'an Azure AD TokenCredential is asked for a token and its token is what the SDK sends',
    async () => {
      const cosmos = await startCosmos();
      const proxy = await startProxy(cosmos.endpoint);
      const agent = new https.Agent({ rejectUnauthorized: false });
      const scopes: string[] = [];
      const credential: TokenCredential = {
        getToken: async (scope) => {
          scopes.push(...(Array.isArray(scope) ? scope : [scope]));
          return { token: 'fake-aad-token', expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      const client = cosmosClient({ endpoint: proxy.endpoint, credential, agent });
      try {
        const container = await ensureContainer(client.database(cosmos.database.id), Counter, {
          id: `aad-${randomUUID().slice(0, 8)}`,
        });
        const repo = new CosmosRepository<CounterT>(Counter, {
          container,
          profile: cosmos.profile,
        });
        await repo.add({ id: 1, label: 'one' });
        expect((await repo.getById(1))?.label).toBe('one');
        expect(scopes.length).toBeGreaterThan(0);
        expect(scopes.every((s) => s.endsWith('/.default'))).toBe(true);
        const auth = proxy.seen.map((r) =>
          decodeURIComponent(String(r.headers.authorization ?? '')),
        );
        expect(auth.length).toBeGreaterThan(0);
        expect(auth.every((a) => a.includes('type=aad') && a.includes('sig=fake-aad-token'))).toBe(
          true,
        );
      } finally {
        client.dispose();
        agent.destroy();
        await proxy.close();
        await cosmos.close();
      }
    },
  );
});
