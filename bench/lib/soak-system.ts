/**
 * Child process of the soak (bench/soak.bench.ts): the demo system (`startDemoSystem`) with its
 * own gauges. It samples RSS, heap and event-loop delay (perf_hooks monitorEventLoopDelay) and
 * lists `process.getActiveResourcesInfo()` when asked, so the system under soak is measured from
 * inside, apart from the load generator.
 *
 * IPC in: 'sample' → { sample }, 'resources' → { resources }, 'exit'. Out: { ready: urls and
 * Ada's token } first (both APIs require the demo issuer's tokens).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const repo = new URL('../../', import.meta.url).pathname;
const { startDemoSystem } = (await import(
  `${repo}examples/demo/src/system.ts`
)) as typeof import('../../examples/demo/src/system.ts');

const dataDir = mkdtempSync(join(tmpdir(), 'bench-soak-'));
const schema = `bench_f_soak_${process.pid}`;
const system = await startDemoSystem({
  dataDir,
  env: {
    // The shared PostgreSQL in a schema of its own (no embedded server to start); Cosmos DB,
    // the cache, the Chain host and the page are the demo's embedded defaults.
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    PG_SCHEMA: schema,
    // The soak is one caller at 100/s: the per-caller rate limit would measure itself.
    RATE_LIMIT_MAX: '100000000',
  },
  logLevel: 'silent',
  blockIntervalMs: 500,
});

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function sample() {
  const m = process.memoryUsage();
  const s = {
    rssMb: m.rss / 2 ** 20,
    heapUsedMb: m.heapUsed / 2 ** 20,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayMeanMs: delay.mean / 1e6,
  };
  delay.reset();
  return s;
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

async function stop() {
  await system.stop();
  // Drop the schema this run made (the demo's App API migrated into it).
  const { default: pg } = await import('pg');
  const admin = new pg.Client({
    connectionString: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}

process.on('message', async (msg: string) => {
  if (msg === 'sample') process.send?.({ sample: sample() });
  if (msg === 'gc') {
    // A full collection before a memory reading, when the host allows it (--expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ gc: true });
  }
  if (msg === 'resources') process.send?.({ resources: resources() });
  if (msg === 'exit') {
    await stop().catch((e: unknown) => process.stderr.write(`soak system stop: ${e}\n`));
    process.exit(0);
  }
});
process.on('disconnect', () => {
  stop().finally(() => process.exit(0));
});
process.send?.({
  ready: { apiUrl: system.apiUrl, chainUrl: system.chainUrl, token: system.tokens.ada },
});
