/**
 * Per-caller rate limits over a real socket, with the in-process store and with Redis: a
 * signed-in caller is counted by subject (from any address), an anonymous one by IP (127.0.0.1
 * and 127.0.0.2 are two clients here), a caller with a refused token by IP too; over the limit
 * the answer is 429 problem+json with Retry-After; probes are never limited. With Redis, two
 * instances share one counter per caller.
 */
import * as http from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppApi, createAppApi } from '../src/app.ts';
import { type Harness, randomWallet, startHarness, type TestIdentity } from './support/harness.ts';

const LIMITS = {
  RATE_LIMIT_MAX: '4',
  RATE_LIMIT_ANONYMOUS_MAX: '2',
  RATE_LIMIT_WINDOW_MS: '60000',
};

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { type?: string; status?: number; retryable?: boolean; detail?: string };
}

/** A GET from a chosen local address (node:http, so the source IP can be picked). */
function get(
  base: string,
  path: string,
  options: { from?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}${path}`,
      { localAddress: options.from ?? '127.0.0.1', headers: options.headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: res.headers['content-type']?.includes('json') && text ? JSON.parse(text) : {},
          }),
        );
      },
    );
    req.on('error', reject);
  });
}

async function statuses(n: number, request: () => Promise<Answer>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await request()).status);
  return out;
}

function expectTooMany(answer: Answer) {
  expect(answer.status).toBe(429);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({
    type: 'https://mystira.app/problems/rate-limited',
    status: 429,
    retryable: true,
  });
  const retryAfter = Number(answer.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(answer.headers['x-ratelimit-remaining']).toBe('0');
}

describe.each([
  { store: 'memory', redis: false },
  { store: 'Redis', redis: true },
])('rate limits ($store store)', ({ redis }) => {
  let h: Harness;
  let url: string;
  let ada: TestIdentity;
  let ben: TestIdentity;

  beforeAll(async () => {
    h = await startHarness(redis ? 'rate_redis' : 'rate_memory', { redis, env: LIMITS });
    url = await h.api.listen(0, '127.0.0.1');
    ada = await h.user('ada');
    ben = await h.user('ben');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts a signed-in caller by subject, from any address, and answers 429 with Retry-After', async () => {
    const asAda = (from: string) => () => get(url, '/v1/stories', { from, headers: ada.headers });
    // Four allowed, from two addresses: one counter.
    expect([
      ...(await statuses(2, asAda('127.0.0.1'))),
      ...(await statuses(2, asAda('127.0.0.2'))),
    ]).toEqual([200, 200, 200, 200]);
    expectTooMany(await asAda('127.0.0.1')());
    expectTooMany(await asAda('127.0.0.2')());
    // Another caller has a counter of their own.
    expect((await get(url, '/v1/stories', { headers: ben.headers })).status).toBe(200);
    if (redis) {
      const keys = await h.api.stores.redis!.keys(`${h.config.cacheKeyPrefix}:rate-limit:*`);
      expect(keys).toContain(`${h.config.cacheKeyPrefix}:rate-limit:sub:${ada.subject}`);
    }
  });

  it('counts anonymous callers, and callers with a refused token, by IP', async () => {
    const anonymous = (from: string) => () => get(url, '/v1/stories', { from });
    expect(await statuses(2, anonymous('127.0.0.3'))).toEqual([200, 200]);
    expectTooMany(await anonymous('127.0.0.3')());
    expect((await anonymous('127.0.0.4')()).status).toBe(200);

    // A flood of bad tokens is 401 until the address's limit, then 429: no free verification.
    const forged = () =>
      get(url, '/v1/stories', { from: '127.0.0.5', headers: { authorization: 'Bearer x.y.z' } });
    expect(await statuses(2, forged)).toEqual([401, 401]);
    expectTooMany(await forged());
  });

  it('never limits the probes and metrics', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics'])
      expect(await statuses(5, () => get(url, path, { from: '127.0.0.6' }))).toEqual(
        Array(5).fill(200),
      );
  });

  if (redis) {
    it('shares the counter between instances', async () => {
      const second: AppApi = await createAppApi(h.config, { logger: pino({ level: 'silent' }) });
      try {
        const otherUrl = await second.listen(0, '127.0.0.1');
        const carol = await h.user('carol');
        const on = (base: string) => () => get(base, '/v1/stories', { headers: carol.headers });
        expect([...(await statuses(2, on(url))), ...(await statuses(2, on(otherUrl)))]).toEqual([
          200, 200, 200, 200,
        ]);
        expectTooMany(await on(otherUrl)());
        expectTooMany(await on(url)());
      } finally {
        await second.close();
      }
    });
  }

  it('limits writes too, before anything is written', async () => {
    const dan = await h.user('dan');
    const signUp = (i: number) =>
      fetch(`${url}/v1/accounts`, {
        method: 'POST',
        headers: { ...dan.headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `dan-${i}@example.com`,
          displayName: 'Dan',
          walletAddress: randomWallet(),
        }),
      });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await signUp(i)).status);
    expect(answers).toEqual([201, 201, 201, 201, 429]);
    const rows = await h.api.stores.db.query(
      `SELECT 1 FROM "${h.config.pgSchema}".accounts WHERE "ownerId" = $1`,
      [dan.subject],
    );
    expect(rows.rows).toHaveLength(4);
  });
});
