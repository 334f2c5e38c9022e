/**
 * Operations over a real socket (the API listens on a port and is called with fetch): health and
 * readiness (also failing when the Chain service goes away), the OpenAPI document and UI,
 * /metrics, problem+json for unknown routes, and every publishing route wired to the publisher.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppApi, createAppApi } from '../src/app.ts';
import { type Harness, startHarness, type TestUser } from './support/harness.ts';

let h: Harness;
let url: string;
/** Signed in, and allowed to pay royalties: reaches every publishing route's own checks. */
let payer: TestUser;

beforeAll(async () => {
  h = await startHarness('operations');
  url = await h.api.listen(0, '127.0.0.1');
  payer = await h.user('payer', ['payer']);
});
afterAll(async () => {
  await h?.close();
});

/** Every route of the contract (Fastify's `:id` is OpenAPI's `{id}`). */
const CONTRACT_ROUTES = [
  ['post', '/v1/accounts'],
  ['get', '/v1/accounts/{id}'],
  ['post', '/v1/stories'],
  ['get', '/v1/stories'],
  ['get', '/v1/stories/{id}'],
  ['patch', '/v1/stories/{id}'],
  ['post', '/v1/stories/{id}/publish'],
  ['get', '/v1/stories/{id}/registration'],
  ['post', '/v1/stories/{id}/royalties/payments'],
  ['get', '/v1/stories/{id}/royalties'],
  ['post', '/v1/stories/{id}/royalties/claims'],
  ['get', '/healthz'],
  ['get', '/readyz'],
] as const;

describe('health', () => {
  it('is live, and ready with PostgreSQL, Cosmos DB and the Chain service checked', async () => {
    const live = await fetch(`${url}/healthz`);
    expect(live.status).toBe(200);
    expect(((await live.json()) as { status: string }).status).toBe('healthy');

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    const report = (await ready.json()) as {
      status: string;
      checks: { name: string; status: string }[];
    };
    expect(report.status).toBe('healthy');
    expect(report.checks.map((c) => c.name).sort()).toEqual(['chain', 'cosmos', 'postgresql']);
  });
});

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3 document listing every route, with shared components', async () => {
    const res = await fetch(`${url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    // Validates against the OpenAPI 3.0 schema and resolves every $ref.
    await SwaggerParser.validate(structuredClone(doc) as never);
    for (const [method, path] of CONTRACT_ROUTES) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Account', 'Story', 'StoryRegistration', 'Problem']),
    );
    const create = doc.paths['/v1/accounts']?.post as {
      responses: Record<string, { content: Record<string, unknown> }>;
    };
    expect(Object.keys(create.responses['400']!.content)).toEqual(['application/problem+json']);
  });

  it('serves the Swagger UI at /docs', async () => {
    const res = await fetch(`${url}/docs/`, { redirect: 'follow' });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/swagger/i);
  });
});

describe('metrics and errors', () => {
  it('serves Prometheus metrics for requests and store calls', async () => {
    await fetch(`${url}/v1/stories/none`);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/http_server_request_duration/);
    // Store calls are measured too (the story read went to Cosmos DB through the cache).
    expect(text).toMatch(/db_client_operation_duration/);
  });

  it('answers an unknown route with a problem', async () => {
    const res = await fetch(`${url}/v2/nothing?x=1`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      status: 404,
      title: 'Not found',
      instance: '/v2/nothing',
    });
  });

  it('answers a wrong method on an existing path with 405 and Allow', async () => {
    const res = await fetch(`${url}/v1/stories/some-id?x=1`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PATCH');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      type: 'https://mystira.app/problems/method-not-allowed',
      status: 405,
      title: 'Method not allowed',
      instance: '/v1/stories/some-id',
    });
    const collection = await fetch(`${url}/v1/accounts`, { method: 'GET' });
    expect(collection.status).toBe(405);
    expect(collection.headers.get('allow')).toBe('POST');
    const nested = await fetch(`${url}/v1/stories/some-id/publish`, { method: 'GET' });
    expect(nested.headers.get('allow')).toBe('POST');
    // An unknown path is still 404, whatever the method.
    expect((await fetch(`${url}/v1/stories/some-id/nothing`, { method: 'DELETE' })).status).toBe(
      404,
    );
  });

  it('routes publishing and royalties to the publisher (a missing story is 404 on each)', async () => {
    const calls: [string, string, unknown?][] = [
      ['POST', '/v1/stories/missing/publish', {}],
      ['GET', '/v1/stories/missing/registration'],
      ['POST', '/v1/stories/missing/royalties/payments', { amountWei: '1000' }],
      ['GET', '/v1/stories/missing/royalties'],
      ['POST', '/v1/stories/missing/royalties/claims', { walletAddress: `0x${'1'.repeat(40)}` }],
    ];
    for (const [method, path, body] of calls) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...payer.headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers a body that is not JSON with 415, and takes a publish without a body', async () => {
    const text = await fetch(`${url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    expect(text.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const bare = await fetch(`${url}/v1/stories/missing/publish`, {
      method: 'POST',
      headers: payer.headers,
    });
    expect(bare.status).toBe(404); // validated as {}, then the story is not found
  });

  it('validates royalty bodies before the publisher sees them', async () => {
    const res = await fetch(`${url}/v1/stories/any/royalties/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...payer.headers },
      body: JSON.stringify({ amountWei: 12 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe(
      '/amountWei',
    );
  });
});

describe('unexpected errors', () => {
  it('answer 500 with nothing about the internals, and log the cause', async () => {
    const stories = h.api.stores.stories;
    const original = stories.getById;
    stories.getById = async () => {
      throw new TypeError('boom at postgres://app:hunter2@db.internal:5432');
    };
    try {
      const res = await fetch(`${url}/v1/stories/any`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toMatch(/hunter2|db\.internal|TypeError|boom|stack/);
      expect(JSON.parse(text)).toMatchObject({
        type: 'https://mystira.app/problems/internal',
        title: 'Internal server error',
        status: 500,
        detail: 'an unexpected error occurred',
        instance: '/v1/stories/any',
      });
      const logged = h.logs.find((l) => l.msg === 'unhandled error') as
        | { err?: { message?: string } }
        | undefined;
      expect(logged?.err?.message).toMatch(/boom/);
    } finally {
      stories.getById = original;
    }
  });
});

describe('readiness without the Chain service', () => {
  let withAdmin: AppApi;
  let ops: TestUser;
  beforeAll(async () => {
    // A second instance on the same stores, asked by an operator (the admin role).
    withAdmin = await createAppApi(
      { ...h.config, healthVerbose: false },
      { logger: pino({ level: 'silent' }) },
    );
    ops = await h.user('ops', ['admin']);
  });
  afterAll(async () => {
    await withAdmin?.close();
  });

  it('turns 503 with the chain check failing, while liveness stays 200', async () => {
    await h.chain.close();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const report = (await ready.json()) as {
      status: string;
      checks: { name: string; status: string }[];
    };
    expect(report.status).toBe('unhealthy');
    expect(report.checks.find((c) => c.name === 'chain')?.status).toBe('unhealthy');
    expect(report.checks.find((c) => c.name === 'postgresql')?.status).toBe('healthy');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('tells the public probe names and statuses only, the operators everything', async () => {
    const chainPort = new URL(h.config.chain.url).port;
    for (const path of ['/readyz', '/readyz?verbose=1']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(503);
      const text = await res.text();
      expect(text, path).not.toContain(chainPort);
      const report = JSON.parse(text) as { checks: Record<string, unknown>[] };
      for (const check of report.checks)
        expect(Object.keys(check).sort()).toEqual(['name', 'status']);
    }

    // ?verbose=1 with the admin role: the @mystira/health report with the chain's error.
    const detailed = await withAdmin.app.inject({
      method: 'GET',
      url: '/readyz?verbose=1',
      headers: ops.headers,
    });
    expect(detailed.statusCode).toBe(503);
    const chain = detailed
      .json<{ checks: { name: string; error?: { message: string } }[] }>()
      .checks.find((c) => c.name === 'chain');
    // What the public answer hides: the address the chain client could not reach.
    expect(chain?.error?.message).toContain(chainPort);
    // A bad token, or a valid one without the role: the public answer (a probe never fails on it).
    const notAdmin = await h.user('reader');
    for (const headers of [{ authorization: 'Bearer guess' }, notAdmin.headers]) {
      const res = await withAdmin.app.inject({ method: 'GET', url: '/readyz?verbose=1', headers });
      expect(res.statusCode).toBe(503);
      expect(res.json<{ checks: object[] }>().checks.every((c) => !('error' in c))).toBe(true);
    }
  });
});
