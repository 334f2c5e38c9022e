import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHealthRegistry, type HealthHttpBody, healthHttpHandler } from '@mystira/health';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, listen } from './helpers.js';

const registry = createHealthRegistry();
let cacheUp = true;
let dbUp = true;
registry.register({ name: 'process', tags: ['live'], check: () => {} });
registry.register({
  name: 'db',
  check: () => {
    if (!dbUp) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
  },
});
registry.register({
  name: 'cache',
  critical: false,
  check: () => {
    if (!cacheUp) throw new Error('cache down');
  },
});

const handler = healthHttpHandler(registry);
const servers: { close(): Promise<unknown> }[] = [];
const bases: Record<'node' | 'express' | 'fastify', string> = {
  node: '',
  express: '',
  fastify: '',
};

beforeAll(async () => {
  const plain = http.createServer(handler);
  bases.node = `http://127.0.0.1:${await listen(plain)}`;
  servers.push({ close: () => close(plain) });

  const app = express();
  app.use(handler);
  app.get('/other', (_req, res) => {
    res.send('other');
  });
  const expressServer = http.createServer(app);
  bases.express = `http://127.0.0.1:${await listen(expressServer)}`;
  servers.push({ close: () => close(expressServer) });

  const fastify = Fastify();
  // Fastify owns the reply; hijack() hands the raw response to the handler.
  fastify.get('/healthz', (request, reply) => {
    reply.hijack();
    handler(request.raw, reply.raw);
  });
  fastify.get('/readyz', (request, reply) => {
    reply.hijack();
    handler(request.raw, reply.raw);
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  bases.fastify = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
  servers.push({ close: () => fastify.close() });
});

afterAll(async () => {
  for (const s of servers) await s.close();
});

async function get(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body?: HealthHttpBody; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe.each(['node', 'express', 'fastify'] as const)('healthHttpHandler on %s', (kind) => {
  it('serves liveness from the live-tagged checks only', async () => {
    dbUp = false;
    const res = await get(`${bases[kind]}/healthz`);
    dbUp = true;
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body?.status).toBe('healthy');
    expect(res.body?.checks?.map((c) => c.name)).toEqual(['process']);
  });

  it('answers readiness 200 when healthy or degraded, 503 when a critical check fails', async () => {
    expect((await get(`${bases[kind]}/readyz`)).status).toBe(200);

    cacheUp = false;
    const degraded = await get(`${bases[kind]}/readyz`);
    expect(degraded.status).toBe(200);
    expect(degraded.body?.status).toBe('degraded');

    dbUp = false;
    const down = await get(`${bases[kind]}/readyz?verbose=1`);
    expect(down.status).toBe(503);
    expect(down.body?.status).toBe('unhealthy');
    expect(down.body?.checks?.find((c) => c.name === 'db')?.error).toEqual({
      name: 'Error',
      message: 'connection refused',
      code: 'ECONNREFUSED',
    });
    cacheUp = true;
    dbUp = true;
  });

  it('answers HEAD with the status code and no body', async () => {
    dbUp = false;
    const res = await get(`${bases[kind]}/readyz`, { method: 'HEAD' });
    dbUp = true;
    expect(res.status).toBe(503);
    expect(res.body).toBeUndefined();
  });
});

describe('healthHttpHandler routing', () => {
  it('gives other paths to next() in Express and 404s them on plain node:http', async () => {
    expect(await (await fetch(`${bases.express}/other`)).text()).toBe('other');
    expect((await get(`${bases.node}/other`)).status).toBe(404);
  });

  it('rejects other methods with 405', async () => {
    const res = await get(`${bases.node}/readyz`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('fails readiness (not liveness) while the server is draining', async () => {
    registry.statusBoard.shutdown();
    const ready = await get(`${bases.node}/readyz`);
    const live = await get(`${bases.node}/healthz`);
    registry.statusBoard.resume();
    expect(ready.status).toBe(503);
    expect(ready.body?.draining).toBe(true);
    expect(live.status).toBe(200);
  });

  it('hides check entries when verbose is false', async () => {
    const quiet = http.createServer(healthHttpHandler(registry, { verbose: false }));
    const base = `http://127.0.0.1:${await listen(quiet)}`;
    try {
      const res = await get(`${base}/readyz`);
      expect(res.body?.status).toBe('healthy');
      expect(res.body?.checks).toBeUndefined();
    } finally {
      await close(quiet);
    }
  });
});
