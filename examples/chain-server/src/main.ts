/**
 * The Chain service host: `npm start` (or `node src/main.ts`). Serves mystira.chain.v1 over the
 * embedded devnet ledger with gRPC, gRPC-Web and Connect on one port, grpc.health.v1 and server
 * reflection; configured by environment (see src/config.ts and the README); logs JSON with pino.
 */

import { Code } from '@connectrpc/connect';
import {
  createChainServer,
  DevnetLedger,
  type IdempotencyStore,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
} from '@mystira/chain-server';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';

const log = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { service: 'mystira-chain-server' },
});

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  log.fatal({ err: e }, e instanceof ConfigError ? e.message : 'cannot read configuration');
  process.exit(2);
}

const ledger = new DevnetLedger({
  blockIntervalMs: config.blockIntervalMs,
  requiredConfirmations: config.confirmations,
});
let redis: Redis | undefined;
let idempotency: IdempotencyStore = new MemoryIdempotencyStore();
if (config.redisUrl) {
  redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  idempotency = new RedisIdempotencyStore({ redis });
}

const server = createChainServer({
  ledger,
  idempotency,
  auth: config.apiKeys.length > 0 ? { apiKeys: config.apiKeys } : undefined,
  corsOrigins: config.corsOrigins,
  tls: config.tls,
  version: '0.1.0',
  // Clients only see "internal error"; the cause goes to the log.
  onInternalError: (err, method) => log.error({ err, method }, 'internal error'),
  // One access-log line per call (set LOG_LEVEL=warn to silence them).
  onCall: (c) =>
    log.info(
      {
        procedure: c.procedure,
        protocol: c.protocol,
        code: c.code === undefined ? 'OK' : Code[c.code],
        ms: Math.round(c.durationMs * 10) / 10,
        principal: c.principal,
      },
      'call',
    ),
});

const { port } = await server.listen(config.port, config.host);
ledger.start();
const scheme = config.tls ? 'https' : 'http';
const url = `${scheme}://localhost:${port}`;
log.info(
  {
    port,
    tls: Boolean(config.tls),
    protocols: ['grpc', 'grpc-web', 'connect'],
    ledger: 'devnet',
    blockIntervalMs: config.blockIntervalMs,
    confirmations: config.confirmations,
    idempotency: redis ? 'redis' : 'memory',
    corsOrigins: config.corsOrigins,
    apiKeys: config.apiKeys.map((k) => ({ id: k.id, scopes: k.scopes })),
  },
  `chain server listening on ${url}`,
);
if (config.apiKeys.length === 0) {
  log.warn('CHAIN_API_KEYS is not set: the devnet host is OPEN, every caller may read and write');
}
const auth = config.apiKeys.length > 0 ? " -H 'x-api-key: <key>'" : '';
log.info(
  {
    curl: `curl${auth} -H 'content-type: application/json' -d '{"contentId":"demo"}' ${url}/mystira.chain.v1.ChainService/IsRegistered`,
    grpcurl: `grpcurl ${config.tls ? '' : '-plaintext '}localhost:${port} list`,
    health: `grpcurl ${config.tls ? '' : '-plaintext '}localhost:${port} grpc.health.v1.Health/Check`,
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
  ledger.stop();
  await server.close({ deadlineMs: config.shutdownDeadlineMs });
  redis?.disconnect();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
