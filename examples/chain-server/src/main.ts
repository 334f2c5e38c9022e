/**
 * The Chain service host: `npm start` (or `node src/main.ts`). Serves mystira.chain.v1 over the
 * embedded devnet ledger, or Story Protocol with LEDGER=story (see src/ledger.ts), with gRPC,
 * gRPC-Web and Connect on one port, grpc.health.v1 and server reflection; configured by
 * environment (see src/config.ts and the README); logs JSON with pino.
 * OpenTelemetry: a SERVER span per call and one per ledger call, W3C trace context from callers,
 * trace ids on every log line written during a call, Prometheus `/metrics` on METRICS_PORT, and
 * OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set (see @mystira/example-telemetry).
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { setFlagsFromString } from 'node:v8';

import { Code } from '@connectrpc/connect';
import {
  type AuthOptions,
  type CallInfo,
  createChainServer,
  type IdempotencyStore,
  jwtVerifier,
  MemoryIdempotencyStore,
  type RateLimiter,
  RedisIdempotencyStore,
} from '@mystira/chain-server';
import { otelTelemetry } from '@mystira/chain-server/otel';
import { metricsListener, setupTelemetry, traceMixin } from '@mystira/example-telemetry';
import { memoryRateLimiter, redisRateLimiter } from '@mystira/resilience';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ConfigError, describeLedger, loadConfig } from './config.ts';
import { type HostLedger, startHostLedger } from './ledger.ts';

/**
 * HEAP_GROWING_PERCENT: mark-compacts more often, each shorter, for a lower tail at high call
 * rates. node:http2 hands every request header value that is not in HPACK's static table to
 * JavaScript as a V8 external string, allocated in old space: each call leaves ~5 there that only
 * a mark-compact frees, finalizing them one by one in its atomic pause (--trace-gc-nvp:
 * clear.external_string_table, ~1 µs per call served since the previous one). V8's own policy
 * lets the old generation grow ~4× its live size between mark-compacts: at 10,000 calls/s one
 * every ~2.5 s, pausing up to ~50–125 ms. At 20 one runs every ~0.7 s, pausing 15–35 ms (h2load
 * at 10,000/s, quiet: p99 24.6 ms against 33.2 ms), but the extra marking costs CPU: at
 * saturation ~10 % fewer calls/s, more with tracing on. Hence off by default; a value here or
 * `--heap-growing-percent` on the node command line turns it on (the command line wins).
 */
function applyHeapGrowing(percent: number): void {
  if (percent === 0 || process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return;
  // A V8 flag V8 reads at each heap-limit computation, so setting it after start takes effect
  // (checked with --trace-gc: mark-compacts ~4× as often at 20).
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

// The host's release, from its package.json: GetServiceInfo and HealthCheck report it (a server
// given no version reports 0.0.0), and so do the telemetry resource and the log.
const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };
const SERVICE_NAME = 'mystira-chain-server';

const log = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { service: SERVICE_NAME, version },
  // trace_id / span_id of the call being served, on every line written during it.
  mixin: traceMixin,
});

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  log.fatal({ err: e }, e instanceof ConfigError ? e.message : 'cannot read configuration');
  process.exit(2);
}
applyHeapGrowing(config.heapGrowingPercent);

// Before the ledger and the server, so every tracer and meter below is the real one. Without a
// /metrics listener (METRICS_PORT=off) nothing reads Prometheus text: no reader aggregates it.
const telemetry = setupTelemetry({
  serviceName: SERVICE_NAME,
  serviceVersion: version,
  prometheus: config.metricsPort !== undefined,
});

let hostLedger: HostLedger;
try {
  hostLedger = await startHostLedger(config, (level, fields, msg) => log[level](fields, msg));
} catch (e) {
  // E.g. no node answers at CHAIN_RPC_URLS, or the signer cannot pay for the collection.
  log.fatal({ err: e, ledger: describeLedger(config.ledger) }, 'cannot start the ledger');
  process.exit(1);
}
const { ledger } = hostLedger;
for (const notice of hostLedger.notices) log.warn({ ledger: 'story', embedded: true }, notice);
let redis: Redis | undefined;
let idempotency: IdempotencyStore = new MemoryIdempotencyStore();
if (config.redisUrl) {
  redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  idempotency = new RedisIdempotencyStore({ redis });
}

const auth: AuthOptions | undefined =
  config.apiKeys.length > 0 || config.jwt
    ? {
        apiKeys: config.apiKeys,
        verifyBearer: config.jwt && jwtVerifier(config.jwt),
      }
    : undefined;

// Buckets per caller (principal, else address); shared by every instance through Redis, where
// a separate connection without an offline queue keeps an outage from queueing takes.
let limiterRedis: Redis | undefined;
let limiter: RateLimiter | undefined;
if (config.rateLimit) {
  const bucket = { capacity: config.rateLimit.burst, refillPerSecond: config.rateLimit.perSecond };
  if (config.redisUrl) {
    limiterRedis = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    limiterRedis.on('error', () => {}); // reported once above; the limiter lets calls through
    limiter = redisRateLimiter({ ...bucket, redis: limiterRedis, prefix: 'mystira:chain:rate:' });
  } else {
    limiter = memoryRateLimiter(bucket);
  }
}

const server = createChainServer({
  ledger,
  idempotency,
  auth,
  rateLimit: limiter ? { limiter } : undefined,
  corsOrigins: config.corsOrigins,
  tls: config.tls,
  version,
  serviceName: SERVICE_NAME,
  // Spans go to the global tracer provider (a no-op one unless OTLP is configured: nothing would
  // receive them); rpc.server.duration always goes to /metrics, aggregated by this host's
  // telemetry rather than an SDK meter (no attribute hashing per call). OTEL_SDK_DISABLED=true
  // leaves call telemetry out altogether (the host as it serves without observability).
  telemetry: telemetry.enabled ? otelTelemetry({ histogram: telemetry.histogram }) : undefined,
  // Clients only see "internal error"; the cause goes to the log.
  onInternalError: (err, method) => log.error({ err, method }, 'internal error'),
  // One access-log line per call (set LOG_LEVEL=warn to silence them; the server then skips the
  // per-call report altogether rather than building a line nobody writes).
  onCall: log.isLevelEnabled('info') ? logCall : undefined,
});

/** The access-log line of one call. */
function logCall(c: CallInfo): void {
  log.info(
    {
      procedure: c.procedure,
      protocol: c.protocol,
      code: c.code === undefined ? 'OK' : Code[c.code],
      ms: Math.round(c.durationMs * 10) / 10,
      principal: c.principal,
    },
    'call',
  );
}

const { port } = await server.listen(config.port, config.host);
hostLedger.start();
let metricsServer: http.Server | undefined;
if (config.metricsPort !== undefined) {
  const metrics = http.createServer(metricsListener(telemetry));
  metricsServer = metrics;
  const listening = await new Promise<boolean>((resolve) => {
    metrics.once('error', (err) => {
      // Metrics are not worth refusing to serve for (e.g. a second host on one machine).
      log.warn({ err, port: config.metricsPort }, 'cannot serve /metrics; set METRICS_PORT');
      resolve(false);
    });
    metrics.listen(config.metricsPort, config.host, () => resolve(true));
  });
  if (!listening) metricsServer = undefined;
}
const metricsPort = (metricsServer?.address() as { port: number } | null)?.port;
const scheme = config.tls ? 'https' : 'http';
// The address a caller on this machine dials (a wildcard address is not one to dial).
const local = ['0.0.0.0', '::'].includes(config.host)
  ? 'localhost'
  : config.host.includes(':')
    ? `[${config.host}]`
    : config.host;
const url = `${scheme}://${local}:${port}`;
log.info(
  {
    host: config.host,
    port,
    tls: Boolean(config.tls),
    protocols: ['grpc', 'grpc-web', 'connect'],
    ...hostLedger.logFields,
    blockIntervalMs: config.blockIntervalMs,
    confirmations: config.confirmations,
    idempotency: redis ? 'redis' : 'memory',
    corsOrigins: config.corsOrigins,
    apiKeys: config.apiKeys.map((k) => ({ id: k.id, scopes: k.scopes })),
    jwt: config.jwt ? { issuer: config.jwt.issuer, audience: config.jwt.audience } : 'off',
    rateLimit: config.rateLimit
      ? { ...config.rateLimit, store: config.redisUrl ? 'redis' : 'memory' }
      : 'off',
    metrics: metricsPort === undefined ? 'off' : `http://${local}:${metricsPort}/metrics`,
    otlp: telemetry.otlpEndpoint ?? 'off',
  },
  `chain server listening on ${url}`,
);
if (!auth) {
  log.warn(
    `neither CHAIN_API_KEYS nor CHAIN_JWKS_URL is set: the ${config.ledger.kind} host is OPEN, every caller may read and write`,
  );
}
const h2c = config.tls ? '' : ' --http2-prior-knowledge';
const credential =
  config.apiKeys.length > 0
    ? " -H 'x-api-key: <key>'"
    : config.jwt
      ? " -H 'authorization: Bearer <token>'"
      : '';
log.info(
  {
    curl: `curl${credential} -H 'content-type: application/json' -d '{"contentId":"demo"}' ${url}/mystira.chain.v1.ChainService/IsRegistered`,
    services: `npx buf curl${h2c} --list-services ${url}`,
    health: `npx buf curl --protocol grpc${h2c} ${url}/grpc.health.v1.Health/Check`,
  },
  'how to call it',
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(
    { signal, deadlineMs: config.shutdownDeadlineMs },
    'shutting down: finishing calls, ending streams',
  );
  await server.close({ deadlineMs: config.shutdownDeadlineMs });
  // After the server: calls still finishing may need the ledger (and its chain).
  await hostLedger.stop();
  metricsServer?.close();
  // Flushes the spans and metrics still buffered for OTLP.
  await telemetry.shutdown();
  redis?.disconnect();
  limiterRedis?.disconnect();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
