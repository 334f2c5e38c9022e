/**
 * Overload over a real socket (issue 17, item 4). A test transaction holds an ACCESS EXCLUSIVE
 * lock on this test's accounts table, so every account read and write waits in PostgreSQL; 40
 * concurrent requests then fill the pool and queue behind it. With short limits configured:
 *
 * - every request answers 503 problem+json (`postgresql-unavailable`, `Retry-After`), not 500,
 *   and within the configured bound;
 * - /readyz turns 503 while the pool has had no free connection for PG_SATURATED_AFTER_MS, naming
 *   PostgreSQL, and answers at once (it does not queue behind the requests); /healthz stays 200;
 * - after the lock is released, readiness and the routes recover by themselves.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Account } from '../src/domain.ts';
import {
  DATABASE_URL,
  type Harness,
  randomWallet,
  startHarness,
  type TestUser,
} from './support/harness.ts';

const LIMITS = {
  PG_CONNECT_TIMEOUT_MS: '1000',
  PG_STATEMENT_TIMEOUT_MS: '2000',
  STORE_TIMEOUT_MS: '2000',
  PG_SATURATED_AFTER_MS: '200',
};
/** No request may take longer than the store timeout plus this much (socket, scheduling). */
const SLACK_MS = 1_500;

let h: Harness;
let url: string;
let locker: pg.Client | undefined;
/** Every call is a signed-in user's (writes and account reads need one). */
let user: TestUser;

beforeAll(async () => {
  h = await startHarness('overload', { env: { ...LIMITS, HEALTH_VERBOSE: '1' } });
  url = await h.api.listen(0, '127.0.0.1');
  user = await h.user('load');
});
afterAll(async () => {
  await locker?.end().catch(() => undefined);
  await h?.close();
});

interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: { type?: string; status?: number; retryable?: boolean };
  ms: number;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { ...user.headers, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    body: text ? (JSON.parse(text) as Answer['body']) : {},
    ms: performance.now() - started,
  };
}

const createAccount = (email: string) =>
  call('/v1/accounts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, displayName: 'Load', walletAddress: randomWallet() }),
  });

interface Readiness {
  status: number;
  ms: number;
  report: { status: string; checks: { name: string; status: string; detail?: unknown }[] };
}

async function readiness(): Promise<Readiness> {
  const started = performance.now();
  const res = await fetch(`${url}/readyz?verbose=1`);
  const report = (await res.json()) as Readiness['report'];
  return { status: res.status, ms: performance.now() - started, report };
}

describe('a locked accounts table', () => {
  it('answers 503 with Retry-After in bounded time, turns readiness unready, and recovers', async () => {
    const existing = await createAccount('before-the-lock@example.com');
    expect(existing.status).toBe(201);

    locker = new pg.Client({ connectionString: DATABASE_URL });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${h.config.pgSchema}".accounts IN ACCESS EXCLUSIVE MODE`);

    // Reads of ids nobody cached and sign-ups: each one needs PostgreSQL.
    const load = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? call(`/v1/accounts/${randomUUID()}`) : createAccount(`load-${i}@example.com`),
    );

    // Readiness notices the saturated pool, says which dependency, and answers at once.
    await vi.waitFor(
      async () => {
        const ready = await readiness();
        expect(ready.status).toBe(503);
        const postgres = ready.report.checks.find((c) => c.name === 'postgresql');
        expect(postgres?.status).toBe('unhealthy');
        expect(postgres?.detail).toMatchObject({ saturated: true });
        expect(ready.ms).toBeLessThan(500);
      },
      { timeout: 5_000, interval: 50 },
    );
    // A saturated pool is not a reason to restart the process.
    expect((await call('/healthz')).status).toBe(200);

    const answers = await Promise.all(load);
    const bound = Number(LIMITS.STORE_TIMEOUT_MS) + SLACK_MS;
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(503);
      expect(a.contentType).toMatch(/^application\/problem\+json/);
      expect(a.body).toMatchObject({
        type: 'https://mystira.app/problems/postgresql-unavailable',
        status: 503,
        retryable: true,
      });
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(a.ms).toBeLessThan(bound);
    }
    expect(h.logs.some((l) => l.msg === 'unhandled error')).toBe(false);

    await locker.query('COMMIT');

    // Both recover by themselves once PostgreSQL frees the connections.
    await vi.waitFor(async () => expect((await readiness()).status).toBe(200), {
      timeout: 10_000,
      interval: 100,
    });
    const read = await call(`/v1/accounts/${(existing.body as Account).id}`);
    expect(read.status).toBe(200);
    expect((await createAccount('after-the-lock@example.com')).status).toBe(201);
  });
});
