/**
 * Child-process host for the App API target (bench/lib/app-api-slo.ts): the App API through
 * `createAppApi` on the shared PostgreSQL (its own schema) and Redis (its own key prefix), an
 * in-process cosmosdb-server, a devnet Chain server it only health-checks, and the demo's local
 * token issuer. It seeds the stories as a signed-in author and marks them published (readers
 * read them anonymously, as the load does), then serves; beside it, a minimal Fastify JSON
 * endpoint reading the same story JSON straight from Redis with raw ioredis (the alternative).
 *
 * IPC: sends `{ url, rawUrl, ids }` when ready; answers `'metrics'` with the story cache's counters
 * and the process's CPU time; `'exit'` (or the parent going away) cleans up and exits.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createChainServer, DevnetLedger } from '@mystira/chain-server';
import { Redis } from 'ioredis';
import pg from 'pg';
import { seededRandom } from './open-loop.ts';

const repo = new URL('../../', import.meta.url).pathname;
const stories = Number(process.argv[2] ?? 10_000);
const schema = `bench_f_slo_${process.pid}`;
const prefix = `bench-f-slo:${process.pid}`;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const { startEmbeddedCosmos } = (await import(
  `${repo}examples/demo/src/embedded-cosmos.ts`
)) as typeof import('../../examples/demo/src/embedded-cosmos.ts');
const { createAppApi } = (await import(
  `${repo}examples/app-api/src/app.ts`
)) as typeof import('../../examples/app-api/src/app.ts');
const { loadAppApiConfig } = (await import(
  `${repo}examples/app-api/src/config.ts`
)) as typeof import('../../examples/app-api/src/config.ts');
const { publicStory } = (await import(
  `${repo}examples/app-api/src/views.ts`
)) as typeof import('../../examples/app-api/src/views.ts');
const { startLocalIssuer } = (await import(
  `${repo}examples/demo/src/issuer.ts`
)) as typeof import('../../examples/demo/src/issuer.ts');
const { APP_API_AUDIENCE, DEMO_USERS, userToken } = (await import(
  `${repo}examples/demo/src/identities.ts`
)) as typeof import('../../examples/demo/src/identities.ts');

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanup(): Promise<void> {
  while (cleanups.length) await (cleanups.pop() as () => Promise<unknown>)().catch(() => {});
}

const issuer = await startLocalIssuer();
cleanups.push(() => issuer.close());
const authorization = `Bearer ${await userToken(issuer, DEMO_USERS.ada)}`;
const cosmos = await startEmbeddedCosmos({ port: 0 });
cleanups.push(() => cosmos.stop());
const ledger = new DevnetLedger({ blockIntervalMs: 1000, requiredConfirmations: 1 });
const chain = createChainServer({ ledger });
const chainPort = (await chain.listen(0, '127.0.0.1')).port;
cleanups.push(() => chain.close({ deadlineMs: 500 }));

const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
cleanups.push(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

const api = await createAppApi(
  loadAppApiConfig({
    DATABASE_URL: databaseUrl,
    PG_SCHEMA: schema,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_DATABASE: `bench-slo-${process.pid}`,
    COSMOS_PROFILE: 'cosmosdb-server',
    COSMOS_TLS_INSECURE: '1',
    REDIS_URL: redisUrl,
    CACHE_KEY_PREFIX: prefix,
    // Signed entries, as production runs them (required with REDIS_URL): a key for this run.
    CACHE_SIGNING_KEYS: randomBytes(32).toString('base64'),
    CHAIN_URL: `http://127.0.0.1:${chainPort}`,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ISSUER: issuer.url,
    AUTH_AUDIENCE: APP_API_AUDIENCE,
    // The load is anonymous readers from one address: the per-IP limit would measure itself
    // (its counter still runs, in Redis, on every request).
    RATE_LIMIT_ANONYMOUS_MAX: '1000000000',
    // Seeding writes every story as one signed-in author, far past a person's 300 a minute.
    RATE_LIMIT_MAX: '1000000000',
    LOG_LEVEL: 'silent',
  }),
);
cleanups.push(() => api.close());
const redis = new Redis(redisUrl);
cleanups.push(async () => {
  // Only this run's keys: SCAN the prefixes, never FLUSH.
  for (const pattern of [`${prefix}*`, `bench-f-raw:${process.pid}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  }
  redis.disconnect();
});

const seedStart = performance.now();
process.stderr.write(
  `  … App API host: started in ${(performance.now() / 1000).toFixed(1)} s; seeding\n`,
);
// Seed through the public API (inject: no sockets), a few at a time.
const account = await api.app.inject({
  method: 'POST',
  url: '/v1/accounts',
  headers: { authorization },
  payload: {
    email: `bench-${process.pid}@example.com`,
    displayName: 'Bench Author',
    walletAddress: `0x${'b'.repeat(40)}`,
  },
});
if (account.statusCode !== 201) throw new Error(`POST /v1/accounts: ${account.body}`);
const authorId = (account.json() as { id: string }).id;
const ids: string[] = new Array(stories);
const bodies: string[] = new Array(stories);
const random = seededRandom(11);
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < stories) {
      const i = next++;
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/stories',
        headers: { authorization },
        payload: {
          authorId,
          title: `Story ${i}`,
          summary: `A benchmark story, number ${i}, ${'lorem ipsum '.repeat(1 + Math.floor(random() * 8))}`,
          scenarios: [{ title: 'Opening', body: 'Once upon a time. '.repeat(10) }],
        },
      });
      if (res.statusCode !== 201) throw new Error(`POST /v1/stories: ${res.body}`);
      const id = (res.json() as { id: string }).id;
      // Published without the chain (not what this measures), through the repository, which
      // invalidates the cache: anyone may now read it, and the first GET misses.
      const stored = await api.stores.stories.getById(id);
      if (!stored) throw new Error(`story ${id} was not stored`);
      const published = await api.stores.stories.update({ ...stored, status: 'published' });
      ids[i] = id;
      bodies[i] = JSON.stringify(publicStory(published)); // what an anonymous GET returns
    }
  }),
);
process.stderr.write(
  `  … App API host: ${stories} stories seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
);
const url = await api.listen(0, '127.0.0.1');

// The alternative: a minimal Fastify JSON endpoint over raw ioredis GET of the same JSON.
const { default: Fastify } = await import('fastify');
const raw = Fastify({ logger: false });
const rawKey = (id: string) => `bench-f-raw:${process.pid}:${id}`;
// (Filled from the POST answers, not through GET, so the App API's cache starts cold.)
for (let i = 0; i < ids.length; i += 500) {
  const pipeline = redis.pipeline();
  for (let k = i; k < Math.min(ids.length, i + 500); k++)
    pipeline.set(rawKey(ids[k] as string), bodies[k] as string);
  await pipeline.exec();
}
raw.get('/v1/stories/:id', async (request, reply) => {
  const body = await redis.get(rawKey((request.params as { id: string }).id));
  if (body === null) return reply.code(404).send({ status: 404 });
  return reply.type('application/json').send(body);
});
await raw.listen({ port: 0, host: '127.0.0.1' });
cleanups.push(() => raw.close());
const rawUrl = `http://127.0.0.1:${(raw.server.address() as AddressInfo).port}`;

process.on('message', async (msg: string) => {
  if (msg === 'metrics') {
    // The process's CPU time beside the cache's counters: a step's CPU per request is the
    // difference over its requests (the App API and the raw endpoint are loaded one at a time).
    const cpu = process.cpuUsage();
    process.send?.({ metrics: api.stores.storyCache.metrics(), cpuUs: cpu.user + cpu.system });
  }
  if (msg === 'exit') {
    await cleanup();
    process.exit(0);
  }
});
process.on('disconnect', async () => {
  await cleanup();
  process.exit(0);
});
process.send?.({ url, rawUrl, ids });
