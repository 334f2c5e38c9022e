/**
 * Graceful shutdown over a real socket: a request that is still being served when `close()` is
 * called gets its full answer, while the listening socket is already closed to new connections,
 * and `close()` resolves only after that request ended.
 *
 * The request is held in flight by a real dependency, without timers: a test transaction holds an
 * ACCESS EXCLUSIVE lock on this test's accounts table, so the App API's read of an account waits
 * in PostgreSQL until the test commits.
 */
import net from 'node:net';
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

let h: Harness;
let url: string;
let locker: pg.Client | undefined;
let owner: TestUser;

beforeAll(async () => {
  h = await startHarness('shutdown');
  url = await h.api.listen(0, '127.0.0.1');
  owner = await h.user('owner');
});

afterAll(async () => {
  await locker?.end();
  await h?.close();
});

/** Whether a new TCP connection to `port` is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNREFUSED' ? resolve(true) : reject(err),
    );
  });
}

/** Sessions of this database waiting for a lock on the test's accounts table. */
async function waitingForAccounts(client: pg.Client, schema: string): Promise<number> {
  const { rows } = await client.query<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_locks l
       JOIN pg_class c ON c.oid = l.relation
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT l.granted AND c.relname = 'accounts' AND n.nspname = $1`,
    [schema],
  );
  return rows[0]?.waiting ?? 0;
}

describe('close()', () => {
  it('lets an in-flight request finish and refuses new connections meanwhile', async () => {
    const created = await fetch(`${url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...owner.headers },
      body: JSON.stringify({
        email: 'in-flight@example.com',
        displayName: 'In flight',
        walletAddress: randomWallet(),
      }),
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as Account;
    const port = Number(new URL(url).port);

    locker = new pg.Client({ connectionString: DATABASE_URL });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${h.config.pgSchema}".accounts IN ACCESS EXCLUSIVE MODE`);

    // The read misses the cache (the create invalidated it) and waits on the lock.
    const inFlight = fetch(`${url}/v1/accounts/${account.id}`, { headers: owner.headers });
    await vi.waitFor(
      async () => expect(await waitingForAccounts(locker!, h.config.pgSchema)).toBeGreaterThan(0),
      { timeout: 10_000, interval: 20 },
    );

    let closed = false;
    const closing = h.api.close().then(() => {
      closed = true;
    });
    await vi.waitFor(() => expect(h.api.app.server.listening).toBe(false), {
      timeout: 10_000,
      interval: 10,
    });
    expect(await connectionRefused(port)).toBe(true);
    expect(closed).toBe(false); // still waiting for the request in flight

    await locker.query('COMMIT');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as Account).id).toBe(account.id);
    await closing;
    expect(closed).toBe(true);
  });
});
