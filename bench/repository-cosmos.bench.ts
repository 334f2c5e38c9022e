/**
 * @mystira/repository-cosmos overhead against raw @azure/cosmos, in one run, on the in-process
 * `@vercel/cosmosdb-server` (HTTPS on 127.0.0.1, its self-signed certificate accepted by this
 * client's agent only):
 *   - `getById` (a point read with the partition key) vs `container.item(id, pk).read()`;
 *   - `list(spec)` (a filter pinned to one partition, ordered, take 20) vs the same query written
 *     by hand as SQL and drained with `fetchAll()`.
 * Both sides use the same client, container and documents; calls alternate so drift hits both.
 * The server is CPU-bound JavaScript, so absolute figures say little; the ratio is the point.
 *
 * `node bench/repository-cosmos.bench.ts [--smoke]`
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CosmosRepository, cosmosClient, ensureContainer } from '@mystira/repository-cosmos';
import { entity, field, type Infer, spec } from '@mystira/specification';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { type Comparison, emit, progress, smoke } from './lib/report.ts';

const Order = entity(
  'bench_orders',
  { id: field.string(), tenant: field.string(), total: field.number(), note: field.string() },
  { id: 'id', partitionKey: 'tenant' },
);
type OrderT = Infer<typeof Order>;

const server = createHttpsServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
const client = cosmosClient({
  endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
  key: Buffer.from('bench-key-not-a-secret').toString('base64'),
  agent,
});
const listSpec = spec(Order)
  .where((w) => w.eq('tenant', 't1'))
  .orderBy('total')
  .take(20);

try {
  const { database } = await client.databases.createIfNotExists({ id: 'bench' });
  const container = await ensureContainer(database, Order, { specs: [listSpec] });
  const repo = new CosmosRepository<OrderT>(Order, { container, profile: 'cosmosdb-server' });
  const rows = smoke ? 60 : 300;
  progress(`seeding ${rows} documents`);
  await repo.addMany(
    Array.from({ length: rows }, (_, i) => ({
      id: `o${i}`,
      tenant: `t${i % 3}`,
      total: (i * 37) % 101,
      note: `order ${i}`,
    })),
  );

  const raw = {
    getById: async (i: number) => {
      const id = `o${(i * 7) % rows}`;
      return (await container.item(id, `t${((i * 7) % rows) % 3}`).read()).resource;
    },
    list: async () => {
      const { resources } = await container.items
        .query(
          {
            query:
              'SELECT TOP @n * FROM c WHERE c["tenant"] = @t ORDER BY c["total"] ASC, c["id"] ASC',
            parameters: [
              { name: '@n', value: 20 },
              { name: '@t', value: 't1' },
            ],
          },
          { partitionKey: 't1' },
        )
        .fetchAll();
      return resources;
    },
  };
  const ours = {
    getById: (i: number) =>
      repo.getById(`o${(i * 7) % rows}`, { partitionKey: `t${((i * 7) % rows) % 3}` }),
    list: () => repo.list(listSpec),
  };

  // Alternating rounds; each round times `n` calls of one side.
  async function measure(
    name: string,
    a: (i: number) => Promise<unknown>,
    b: (i: number) => Promise<unknown>,
    n: number,
    rounds: number,
  ) {
    const rate = async (f: (i: number) => Promise<unknown>) => {
      const start = performance.now();
      for (let i = 0; i < n; i++) await f(i);
      return n / ((performance.now() - start) / 1000);
    };
    for (let i = 0; i < Math.min(n, 20); i++) {
      await a(i);
      await b(i);
    }
    const as: number[] = [];
    const bs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      as.push(await rate(a));
      bs.push(await rate(b));
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    progress(`${name}: ours ${median(as).toFixed(1)} ops/s, raw ${median(bs).toFixed(1)} ops/s`);
    return { ours: median(as), raw: median(bs) };
  }

  const get = await measure('getById', ours.getById, raw.getById, smoke ? 20 : 200, smoke ? 1 : 5);
  const list = await measure('list', ours.list, raw.list, smoke ? 3 : 25, smoke ? 1 : 5);
  const same =
    JSON.stringify((await ours.list()).map((o) => o.id)) ===
    JSON.stringify(((await raw.list()) as OrderT[]).map((o) => o.id));

  const comparisons: Comparison[] = [
    {
      metric: 'getById (point read with partition key) vs container.item().read() (ops/s)',
      ours: get.ours,
      baseline: get.raw,
      baselineName: 'raw @azure/cosmos point read',
      unit: 'ops/s',
      higherIsBetter: true,
    },
    {
      metric: 'list(spec: eq partition key, order, take 20) vs hand-written SQL + fetchAll (ops/s)',
      ours: list.ours,
      baseline: list.raw,
      baselineName: 'raw @azure/cosmos query',
      unit: 'ops/s',
      higherIsBetter: true,
    },
  ];
  emit({
    name: '@mystira/repository-cosmos overhead vs raw @azure/cosmos',
    comparisons,
    notes: [
      `Same client, container and ${rows} documents on the in-process cosmosdb-server; overhead ratio getById ${(get.ours / get.raw).toFixed(2)}, list ${(list.ours / list.raw).toFixed(2)} (1.00 = no overhead).`,
      `Both list variants return the same ids in the same order: ${same}.`,
    ],
  });
} finally {
  client.dispose();
  agent.destroy();
  server.closeAllConnections();
  server.close();
}
