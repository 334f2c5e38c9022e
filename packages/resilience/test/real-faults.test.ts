import net from 'node:net';
import {
  hadNoEffect,
  isTransient,
  isTransientPostgres,
  isTransientRedis,
  pipeline,
  ResilienceEvents,
  type RetryScheduledEvent,
  retry,
  TimeoutError,
} from '@mystira/resilience';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ThrowawayRedis } from '../../../test-support/throwaway-redis.js';

/**
 * A tiny line protocol client: connects, sends "PING\n", resolves with the first line back.
 * It honours the AbortSignal by destroying its socket, as a well-behaved driver does.
 */
function ping(port: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const onAbort = () => {
      socket.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\n'));
    socket.once('data', (line: string) => {
      signal?.removeEventListener('abort', onAbort);
      socket.end();
      resolve(line.trim());
    });
    socket.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    socket.once('close', () => reject(new Error('closed without an answer')));
  });
}

type Behaviour = 'answer' | 'reset' | 'stall';

/** A local TCP server whose n-th connection resets, stalls or answers, as a script says. */
async function faultyServer(script: Behaviour[], fallbackBehaviour: Behaviour = 'answer') {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const behaviour = script[connections++] ?? fallbackBehaviour;
    socket.once('data', () => {
      if (behaviour === 'reset') socket.resetAndDestroy();
      else if (behaviour === 'answer') socket.end('PONG\n');
      // 'stall': read the request, never answer.
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('real TCP faults', () => {
  it('a refused connection had no effect; an idempotent call is retried until the server is up', async () => {
    const port = await freePort(); // nothing listens here yet
    const refused = await ping(port).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isTransient(refused, { idempotent: true })).toBe(true);
    expect(isTransient(refused, { idempotent: false })).toBe(false);
    expect(hadNoEffect(refused)).toBe(true);

    let server: Awaited<ReturnType<typeof faultyServer>> | undefined;
    const events = new ResilienceEvents();
    const retries: RetryScheduledEvent[] = [];
    events.onRetryScheduled((e) => retries.push(e));
    const policy = retry({
      maxAttempts: 5,
      initialDelayMs: 5,
      maxDelayMs: 20,
      idempotent: true,
      events,
    });
    const answer = await policy.execute(async ({ attempt }) => {
      if (attempt === 1) {
        // Bring the server up on the refused port before the second try.
        const s = await faultyServer([]);
        server = s;
        return ping(s.port);
      }
      return ping(port);
    });
    await server?.close();
    expect(answer).toBe('PONG');
    expect(retries).toHaveLength(1);
    expect(retries[0]?.error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('retries connection resets for an idempotent call until the server answers', async () => {
    const server = await faultyServer(['reset', 'reset']);
    try {
      const reset = await ping(server.port).catch((e: unknown) => e);
      expect(reset).toMatchObject({ code: 'ECONNRESET' });
      const policy = retry({ idempotent: true, maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20 });
      await expect(policy.execute(() => ping(server.port))).resolves.toBe('PONG');
      expect(server.connections).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('does not retry a reset of a non-idempotent call (it may have been applied)', async () => {
    const server = await faultyServer(['reset']);
    try {
      const policy = retry({ idempotent: false, maxAttempts: 4, initialDelayMs: 5 });
      await expect(policy.execute(() => ping(server.port))).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
      expect(server.connections).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('cuts a stalled attempt with the attempt timeout (aborting its socket) and retries it', async () => {
    const server = await faultyServer(['stall']);
    try {
      const events = new ResilienceEvents();
      const timeouts: number[] = [];
      events.onTimeout((e) => timeouts.push(e.timeoutMs));
      const policy = pipeline({
        retry: { idempotent: true, maxAttempts: 3, initialDelayMs: 5 },
        attemptTimeout: 150,
        events,
      });
      await expect(policy.execute(({ signal }) => ping(server.port, signal))).resolves.toBe('PONG');
      expect(timeouts).toEqual([150]);
      expect(server.connections).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('gives the stalled call to the caller as TimeoutError when it is not safe to repeat', async () => {
    const server = await faultyServer([], 'stall');
    try {
      const policy = pipeline({ retry: { maxAttempts: 3 }, attemptTimeout: 100 });
      await expect(
        policy.execute(({ signal }) => ping(server.port, signal)),
      ).rejects.toBeInstanceOf(TimeoutError);
      expect(server.connections).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('a throw-away redis-server that stops and restarts', () => {
  let redisServer: ThrowawayRedis;
  let client: Redis;

  beforeAll(async () => {
    redisServer = new ThrowawayRedis(await freePort());
    await redisServer.start();
    client = new Redis({
      port: redisServer.port,
      host: '127.0.0.1',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 20,
    });
    client.on('error', () => {}); // reconnect errors are expected while the server is down
    await client.connect();
  });

  afterAll(async () => {
    client?.disconnect();
    await redisServer?.stop();
  });

  it('classifies the outage as transient and retries until the restarted server answers', async () => {
    expect(await client.ping()).toBe('PONG');
    await redisServer.stop();
    // Wait until ioredis has noticed the socket is gone.
    while (client.status === 'ready') await new Promise((r) => setTimeout(r, 5));
    const down = await client.ping().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(Error);
    // The command never reached a server: it had no effect, so even a non-idempotent INCR may be
    // retried, but only because the caller opts in with hadNoEffect.
    expect(isTransientRedis(down, { idempotent: true })).toBe(true);
    expect(isTransientRedis(down, { idempotent: false })).toBe(false);
    expect(hadNoEffect(down)).toBe(true);

    let restarted = false;
    const events = new ResilienceEvents();
    events.onRetryScheduled(() => {
      if (!restarted) {
        restarted = true;
        void redisServer.start();
      }
    });
    const policy = retry({
      maxAttempts: 200,
      initialDelayMs: 20,
      maxDelayMs: 50,
      budgetMs: 20_000,
      shouldRetry: (e, ctx) => isTransient(e, ctx) || hadNoEffect(e),
      events,
    });
    await expect(policy.execute(() => client.incr('counter'))).resolves.toBe(1);
    expect(restarted).toBe(true);
  });
});

describe('PostgreSQL connection killed with pg_terminate_backend', () => {
  const connectionString = 'postgres://postgres@127.0.0.1:5432/test';
  let pool: pg.Pool;
  let admin: pg.Client;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString, max: 2 });
    pool.on('error', () => {}); // a terminated idle client is dropped by the pool
    admin = new pg.Client({ connectionString });
    await admin.connect();
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.end();
  });

  /** Runs a long query on its own pool client and terminates that backend while it runs. */
  async function killedQuery(): Promise<unknown> {
    const client = await pool.connect();
    // The pool listens for errors only on idle clients. Once the backend is killed, this checked-
    // out client may also emit 'Connection terminated unexpectedly' after the query has already
    // failed, and with no listener that would be an uncaught exception.
    client.on('error', () => {});
    let error: unknown;
    try {
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
        ?.pid;
      const running = client.query('SELECT pg_sleep(30)');
      running.catch(() => {});
      // Wait until the backend is really executing the sleep, then kill it.
      for (let i = 0; i < 500; i++) {
        const { rows } = await admin.query('SELECT state FROM pg_stat_activity WHERE pid = $1', [
          pid,
        ]);
        if (rows[0]?.state === 'active') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await running;
    } catch (err) {
      error = err;
    } finally {
      client.release(true);
    }
    return error;
  }

  it('reports SQLSTATE 57P01, transient only for calls that are safe to repeat', async () => {
    const err = await killedQuery();
    expect(err).toMatchObject({ code: '57P01' });
    expect(isTransientPostgres(err, { idempotent: true })).toBe(true);
    expect(isTransientPostgres(err, { idempotent: false })).toBe(false);
  });

  it('an idempotent read is retried on a fresh connection; a non-idempotent one is not', async () => {
    const read = retry({ idempotent: true, initialDelayMs: 5 });
    const result = await read.execute(async ({ attempt }) => {
      if (attempt === 0) throw await killedQuery();
      return (await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one;
    });
    expect(result).toBe(1);

    let attempts = 0;
    const write = retry({ idempotent: false, initialDelayMs: 5 });
    await expect(
      write.execute(async () => {
        attempts++;
        throw await killedQuery();
      }),
    ).rejects.toMatchObject({ code: '57P01' });
    expect(attempts).toBe(1);
  });
});
