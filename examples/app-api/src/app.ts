/**
 * `createAppApi(config)`: the whole App API in one object, for `main.ts`, the demo and the tests.
 *
 * Wiring, outermost first:
 *   Fastify (JSON-schema validation, problem+json errors, OpenAPI at /docs, tracing, /metrics)
 *     bearer JWT authentication (src/auth), per-caller rate limits, each route's access
 *     routes -> services (AccountService, StoryService) and the StoryPublisher
 *       -> stores.ts (polyglot accounts on Cosmos DB/PostgreSQL, cached stories on Cosmos DB,
 *          the App's sessions and scores through @mystira/domain for the analytics routes)
 *       -> chain client (gRPC to the Chain service)
 *   @mystira/health registry behind /healthz and /readyz.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type ChainClient, chainHealthCheck, createChainClient } from '@mystira/chain-client';
import { otelInterceptor } from '@mystira/chain-client/otel';
import {
  activeTraceId,
  fastifyTracing,
  setupTelemetry,
  type Telemetry,
  traceMixin,
} from '@mystira/example-telemetry';
import {
  cosmosCheck,
  createHealthRegistry,
  type HealthRegistry,
  redisCheck,
} from '@mystira/health';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type Logger, pino } from 'pino';
import { accessLog } from './access-log.ts';
import { AllowedMethods } from './allowed-methods.ts';
import { authentication } from './auth/authenticate.ts';
import { chainAuth } from './auth/chain-credential.ts';
import type { TrustProxy } from './auth/config.ts';
import { Ownership } from './auth/ownership.ts';
import { rateLimits } from './auth/rate-limit.ts';
import { createTokenVerifier } from './auth/verifier.ts';
import type { AppApiConfig } from './config.ts';
import { clientErrorHandler, frameworkErrorHandler } from './early-errors.ts';
import { PoolSaturation } from './overload/pool-saturation.ts';
import { retryAfterSeconds } from './overload/unavailable.ts';
import { toProblem } from './problems.ts';
import { StoryPublisher } from './publishing/index.ts';
import { requestIdOf } from './request-id.ts';
import { accountRoutes } from './routes/accounts.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { licensingRoutes } from './routes/licensing.ts';
import { adminRoutes, healthRoutes } from './routes/operations.ts';
import { publishingRoutes } from './routes/publishing.ts';
import { storyRoutes } from './routes/stories.ts';
import { sharedSchemas } from './schemas.ts';
import { AccountService, readPolicy } from './services/accounts.ts';
import { StoryService } from './services/stories.ts';
import { connectStores, type Stores } from './stores.ts';

export interface AppApi {
  readonly app: FastifyInstance;
  /** Starts listening; resolves with the base URL (`http://127.0.0.1:8080`). */
  listen(port?: number, host?: string): Promise<string>;
  /** Drains: readiness turns 503, in-flight requests finish, then every connection closes. */
  close(): Promise<void>;
  readonly publisher: StoryPublisher;
  readonly stores: Stores;
  readonly chain: ChainClient;
  readonly health: HealthRegistry;
}

export interface AppApiOptions {
  /** A pino logger to use (the demo passes one); default: JSON to stdout at config.logLevel. */
  logger?: Logger;
  /**
   * Telemetry from `setupTelemetry` (main.ts sets it up first, globally). Without it the App API
   * makes its own, not registered globally, so embedding it never replaces the host's providers.
   */
  telemetry?: Telemetry;
}

export async function createAppApi(
  config: AppApiConfig,
  options: AppApiOptions = {},
): Promise<AppApi> {
  const log =
    options.logger ??
    pino({ level: config.logLevel, base: { service: 'mystira-app-api' }, mixin: traceMixin });
  const telemetry =
    options.telemetry ??
    setupTelemetry({ serviceName: 'mystira-app-api', registerGlobally: false });

  const stores = await connectStores(config, log, {
    tracer: telemetry.tracer,
    meter: telemetry.meter,
  });
  // This service's own credential (client credentials or an API key), never a caller's token:
  // the chain sees the App API as one principal acting for its authorized callers.
  const chainCredential = chainAuth(config.chain.credential);
  const chain = createChainClient({
    baseUrl: config.chain.url,
    // A CLIENT span per call and the W3C traceparent on the wire: the Chain server continues the
    // request's trace.
    interceptors: [otelInterceptor({ tracer: telemetry.tracer, meter: telemetry.meter })],
    ...(chainCredential ? { auth: chainCredential } : {}),
  });
  // The publisher writes stories through the cached repository, so its writes invalidate too.
  const publisher = new StoryPublisher({
    stories: stores.stories,
    accounts: stores.accounts,
    chain,
    log: log.child({ component: 'publisher' }),
    ...(config.licensing ? { licensing: config.licensing } : {}),
  });

  const health = createHealthRegistry({ defaultTimeoutMs: 3_000 });
  health.register({ name: 'process', tags: ['live'], check: () => undefined });
  // PostgreSQL: unready while its pool is saturated (answered at once), else a SELECT 1.
  const pgSaturation = new PoolSaturation(stores.db.primary, {
    max: config.overload.pgPoolMax,
    afterMs: config.overload.pgSaturatedAfterMs,
  });
  pgSaturation.start();
  health.register(pgSaturation.healthCheck('postgresql'));
  health.register(
    cosmosCheck(stores.cosmos, {
      name: 'cosmos',
      database: config.cosmos.database,
      container: 'stories',
    }),
  );
  // The cache never makes things worse: without Redis, reads fall through to Cosmos DB, so an
  // unusable Redis makes the API degraded (still ready), not unhealthy.
  if (stores.redis) health.register(redisCheck(stores.redis, { name: 'redis', critical: false }));
  health.register(chainHealthCheck(chain, { name: 'chain' }));

  // Set once close() begins; answers finishing after that close their connection (see buildHttp).
  let draining = false;
  const app = buildHttp(log, () => draining, config.trustProxy);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Mystira App API',
        version: '0.1.0',
        description:
          'Accounts, stories and their registration as IP assets on the Mystira chain. Errors ' +
          'are RFC 9457 problem+json.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              `An access token from ${config.auth.issuer} for the audience ` +
              `${config.auth.audience.join(' or ')}. Roles (claim "${config.auth.rolesClaim}"): ` +
              '"payer" pays royalties, "admin" runs the /v1/admin routes.',
          },
        },
      },
      tags: [
        { name: 'accounts' },
        { name: 'stories' },
        { name: 'publishing' },
        { name: 'licensing' },
        { name: 'royalties' },
        { name: 'operations' },
        { name: 'admin' },
        { name: 'analytics' },
      ],
    },
    // Shared schemas become components named after their $id (Account, Story, Problem, ...).
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  // "Authorize" in /docs takes a token and sends it on every "Try it out" call.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
  await app.register(fastifyTracing, {
    tracer: telemetry.tracer,
    meter: telemetry.meter,
    metrics: { path: '/metrics', telemetry },
  });

  // Who is calling (onRequest, after tracing), then how often they may (onRequest, keyed by the
  // verified subject or the IP); each route checks what the caller may do (preValidation).
  authentication(app, createTokenVerifier(config.auth));
  await rateLimits(
    app,
    config.rateLimit,
    stores.redis ? { redis: stores.redis, keyPrefix: config.cacheKeyPrefix } : undefined,
  );

  const accounts = new AccountService(stores.accounts, readPolicy(config.overload.storeTimeoutMs));
  const stories = new StoryService(
    stores.stories,
    accounts,
    readPolicy(config.overload.storeTimeoutMs),
  );
  const ownership = new Ownership(accounts);
  accountRoutes(app, accounts, ownership);
  storyRoutes(app, stories, accounts, ownership);
  publishingRoutes(app, { publisher, stories, ownership });
  licensingRoutes(app, { publisher, stories, ownership });
  healthRoutes(app, health, { verbose: config.healthVerbose });
  adminRoutes(app, stores.polyglot);
  analyticsRoutes(app, stores.analytics, readPolicy(config.overload.storeTimeoutMs));
  await app.ready();
  publisher.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      health.statusBoard.shutdown(); // /readyz answers 503 { draining: true } from now on
      draining = true;
      await app.close(); // stops accepting, lets in-flight requests finish
      pgSaturation.stop();
      await publisher.stop();
      chain.close();
      await stores.close();
      if (!options.telemetry) await telemetry.shutdown();
    })();
    return closing;
  };

  return {
    app,
    publisher,
    stores,
    chain,
    health,
    async listen(port = config.port, host = config.host) {
      await app.listen({ port, host });
      const address = app.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      return `http://${shown.includes(':') ? `[${shown}]` : shown}:${bound}`;
    },
    close,
  };
}

/**
 * Fastify with the API's validation and error conventions; no routes yet. `draining` tells
 * whether the API is shutting down.
 */
function buildHttp(log: Logger, draining: () => boolean, trustProxy: TrustProxy): FastifyInstance {
  const app = Fastify({
    // The caller's IP (anonymous rate limits) from X-Forwarded-For only through known proxies;
    // a hop count as proxy-addr reads one (the typings only take the function form).
    trustProxy:
      typeof trustProxy === 'number'
        ? (_address: string, hop: number) => hop < trustProxy
        : trustProxy,
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's default logger type.
    loggerInstance: log as unknown as FastifyBaseLogger,
    // The caller's X-Request-Id only when it is a short, safe id (request-id.ts); else a UUID.
    requestIdHeader: false,
    genReqId: requestIdOf,
    bodyLimit: 1024 * 1024,
    // One access-log line per request (access-log.ts), not Fastify's two: at info level the pair
    // cost a cached read about 13 % of its CPU (serialising and writing both).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Refusals before routing (a too long path parameter, a request the HTTP parser rejects)
    // are problem+json too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: clientErrorHandler(log as unknown as FastifyBaseLogger),
  });

  // Bodies are validated strictly (no type coercion, unknown properties are errors, every error
  // reported); query strings and path parameters are text, so there numbers are coerced.
  const strict = addFormats.default(
    new Ajv({
      allErrors: true,
      coerceTypes: false,
      useDefaults: true,
      removeAdditional: false,
      strict: false,
    }),
  );
  const lenient = addFormats.default(
    new Ajv({
      allErrors: true,
      coerceTypes: 'array',
      useDefaults: true,
      removeAdditional: false,
      strict: false,
    }),
  );
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : lenient).compile(schema),
  );
  for (const schema of sharedSchemas) app.addSchema(schema);
  // The API speaks JSON only: any other body is 415, not a string that fails the schema.
  app.removeContentTypeParser('text/plain');

  accessLog(app, log);

  // The request id (the caller's X-Request-Id, or ours) goes back with every answer, so a
  // caller can quote it and we can find the request's log lines.
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // A request in flight when close() began gets its answer, and its keep-alive connection is
    // closed with it: otherwise the server would wait for the client to drop the idle connection
    // (up to the keep-alive timeout) before close() could resolve.
    if (draining()) reply.header('connection', 'close');
  });

  app.setErrorHandler((err, req, reply) => {
    const { problem, internal } = toProblem(err);
    if (internal) req.log.error({ err }, 'unhandled error');
    else if (problem.status >= 500)
      req.log.warn({ err: (err as Error).message, status: problem.status }, 'dependency error');
    const traceId = activeTraceId();
    // A 503 tells the caller when to come back (the dependency's hint, else a short default).
    if (problem.status === 503) reply.header('retry-after', String(retryAfterSeconds(err)));
    return reply
      .code(problem.status)
      .type('application/problem+json')
      .send({ ...problem, instance: req.url.split('?')[0], ...(traceId ? { traceId } : {}) });
  });
  // A path that exists with another method is 405 with `Allow`; only an unknown path is 404.
  const allowed = AllowedMethods.record(app);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const methods = allowed.for(path);
    if (methods.length > 0)
      return reply
        .code(405)
        .header('allow', methods.join(', '))
        .type('application/problem+json')
        .send({
          type: 'https://mystira.app/problems/method-not-allowed',
          title: 'Method not allowed',
          status: 405,
          detail: `${path} does not accept ${req.method}; it accepts ${methods.join(', ')}`,
          instance: path,
        });
    return reply
      .code(404)
      .type('application/problem+json')
      .send({
        type: 'https://mystira.app/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: `no route for ${req.method} ${path}`,
        instance: path,
      });
  });
  return app;
}
