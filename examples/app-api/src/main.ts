/**
 * The App API host: `npm start` (or `node src/main.ts`). Configured by environment (src/config.ts,
 * README); logs JSON with pino; stops gracefully on SIGTERM/SIGINT.
 */
import { pino } from 'pino';
import { ConfigError, loadAppApiConfig, requireDatabaseUrl } from './config.ts';

// The configuration is checked before the heavy modules load, so a bad one fails at once.
const bootLog = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { service: 'mystira-app-api' },
});

let config: ReturnType<typeof loadAppApiConfig>;
try {
  requireDatabaseUrl();
  config = loadAppApiConfig();
} catch (e) {
  bootLog.fatal({ err: e }, e instanceof ConfigError ? e.message : 'cannot read configuration');
  process.exit(2);
}

const { setupTelemetry, traceMixin } = await import('@mystira/example-telemetry');
const { createAppApi } = await import('./app.ts');
const log = pino({
  level: config.logLevel,
  base: { service: 'mystira-app-api' },
  mixin: traceMixin,
});

// Before any client is created: the chain client, repositories and cache find the global providers.
const telemetry = setupTelemetry({ serviceName: 'mystira-app-api' });

let api: Awaited<ReturnType<typeof createAppApi>>;
try {
  api = await createAppApi(config, { logger: log, telemetry });
} catch (err) {
  // A setting only refused once used (e.g. by the cache) is still a bad setting: exit 2, named.
  const bad = err instanceof ConfigError;
  log.fatal(
    { err },
    bad ? err.message : 'cannot start: a dependency is unreachable or misconfigured',
  );
  await telemetry.shutdown();
  process.exit(bad ? 2 : 1);
}
const url = await api.listen();
log.info(
  {
    url,
    docs: `${url}/docs`,
    accountsPhase: config.accountsPhase,
    cache: config.redisUrl ? 'redis' : 'memory',
    cacheSigning: config.cacheSigningKeys ? 'on' : 'off',
    chain: config.chain.url,
    chainCredential: config.chain.credential.type,
    pgSchema: config.pgSchema,
    auth: { issuer: config.auth.issuer, audience: config.auth.audience },
    rateLimit: config.rateLimit,
  },
  `app api listening on ${url}`,
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal, deadlineMs: config.shutdownDeadlineMs }, 'shutting down: draining requests');
  // A request that never finishes must not keep the process alive past the deadline.
  const deadline = setTimeout(() => {
    log.error('shutdown deadline passed; exiting');
    process.exit(1);
  }, config.shutdownDeadlineMs);
  deadline.unref();
  await api.close();
  await telemetry.shutdown();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
