/**
 * The Redis limiter when Redis goes away: a throw-away redis-server (never the shared one) that
 * is killed mid-run, paused and restarted. A take then answers by `onStoreError` (allow by
 * default), says so through `onRateLimitStoreError`, and limits again once Redis is back, with
 * the script re-sent (a restarted Redis has an empty script cache).
 */
import {
  BrokenCircuitError,
  circuitBreaker,
  type RateLimitStoreErrorEvent,
  ResilienceEvents,
  redisRateLimiter,
  TimeoutError,
} from '@mystira/resilience';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { until } from '../../../test-support/until.js';

let server: ThrowawayRedis;
let client: Redis; // fails at once while Redis is down
let queueing: Redis; // ioredis defaults: commands wait in the offline queue

beforeAll(async () => {
  server = new ThrowawayRedis(await freePort());
  await server.start();
  client = new Redis({
    port: server.port,
    host: '127.0.0.1',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 20,
  });
  queueing = new Redis({ port: server.port, host: '127.0.0.1', retryStrategy: () => 20 });
  for (const c of [client, queueing]) c.on('error', () => {}); // expected while it is down
  await until(() => client.status === 'ready' && queueing.status === 'ready');
}, 20_000);

afterAll(async () => {
  client?.disconnect();
  queueing?.disconnect();
  await server?.stop();
});

const restart = async () => {
  await server.start();
  await until(() => client.status === 'ready');
};

describe('Redis killed mid-run', () => {
  it('fails open by default, fails closed when asked, reports both, and limits again after a restart', async () => {
    const events = new ResilienceEvents();
    const heard: RateLimitStoreErrorEvent[] = [];
    events.onRateLimitStoreError((e) => heard.push(e));
    const bucket = { capacity: 2, refillPerSecond: 0.001 }; // no refill during the test
    const open = redisRateLimiter({ redis: client, ...bucket, events, name: 'open' });
    const closed = redisRateLimiter({
      redis: client,
      ...bucket,
      events,
      name: 'closed',
      onStoreError: 'deny',
    });

    expect((await open.take('alice', 2)).allowed).toBe(true);
    expect((await open.take('alice')).allowed).toBe(false);
    expect(heard).toEqual([]);

    await server.stop();
    await until(() => client.status !== 'ready');
    // Fail open: as if the bucket were full, so the service keeps serving.
    expect(await open.take('alice')).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterMs: 0,
      limit: 2,
    });
    // Fail closed: as if it were empty (1 token at 0.001/s is 1 000 s away).
    expect(await closed.take('alice')).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 1_000_000,
      limit: 2,
    });
    expect(heard.map(({ policy, key, outcome }) => ({ policy, key, outcome }))).toEqual([
      { policy: 'open', key: 'alice', outcome: 'allowed' },
      { policy: 'closed', key: 'alice', outcome: 'denied' },
    ]);
    expect(heard[0]?.error).toBeInstanceOf(Error);

    // Back (empty: no persistence, no scripts cached): EVALSHA gets NOSCRIPT, EVAL re-sends it.
    await restart();
    heard.length = 0;
    expect(await open.take('alice', 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await open.take('alice')).toMatchObject({ allowed: false });
    expect(await closed.take('bob')).toMatchObject({ allowed: true, remaining: 1 });
    expect(heard).toEqual([]);
  }, 20_000);

  it('re-sends the script after SCRIPT FLUSH', async () => {
    const limiter = redisRateLimiter({ redis: client, capacity: 1, refillPerSecond: 0.001 });
    expect((await limiter.take('flushed')).allowed).toBe(true);
    await client.script('FLUSH');
    expect((await limiter.take('flushed')).allowed).toBe(false);
  });
});

describe('Redis slower than timeoutMs', () => {
  it('answers by onStoreError after timeoutMs with a TimeoutError in the event', async () => {
    const events = new ResilienceEvents();
    const heard: RateLimitStoreErrorEvent[] = [];
    events.onRateLimitStoreError((e) => heard.push(e));
    const limiter = redisRateLimiter({
      redis: queueing,
      capacity: 5,
      refillPerSecond: 1,
      timeoutMs: 50,
      events,
    });
    expect((await limiter.take('slow')).allowed).toBe(true);
    server.pause();
    try {
      const started = performance.now();
      expect(await limiter.take('slow')).toMatchObject({ allowed: true, remaining: 4 });
      expect(performance.now() - started).toBeLessThan(2_000); // not stuck until Redis answers
      expect(heard[0]?.error).toBeInstanceOf(TimeoutError);
    } finally {
      server.resume();
    }
    // Once Redis answers again, so does the limiter (the timed-out take may still land and count).
    await until(async () => {
      const before = heard.length;
      await limiter.take('after-pause');
      return heard.length === before;
    });
  });
});

describe('with a circuit breaker', () => {
  it('stops waiting for a dead Redis once the breaker opens, and closes again after recovery', async () => {
    const events = new ResilienceEvents();
    const errors: unknown[] = [];
    events.onRateLimitStoreError((e) => errors.push(e.error));
    const limiter = redisRateLimiter({
      redis: queueing, // would wait timeoutMs per take while Redis is down
      capacity: 3,
      refillPerSecond: 0.001,
      timeoutMs: 50,
      circuitBreaker: circuitBreaker({ breaker: { consecutive: 2 }, halfOpenAfterMs: 200 }),
      events,
    });
    expect((await limiter.take('carol', 3)).allowed).toBe(true);
    await server.stop();
    for (let i = 0; i < 4; i++) expect((await limiter.take('carol')).allowed).toBe(true);
    // Two failures that reached ioredis (timeouts, as its offline queue holds them), then the
    // open breaker answers without asking Redis.
    expect(errors.map((e) => e instanceof BrokenCircuitError)).toEqual([false, false, true, true]);

    await restart();
    await until(() => queueing.status === 'ready');
    await new Promise((resolve) => setTimeout(resolve, 250)); // half-open
    errors.length = 0;
    // Another key: the takes that timed out in ioredis's offline queue were sent to the restarted
    // Redis on reconnect and took from carol's new bucket (why the README asks for no queue).
    expect((await limiter.take('dave', 3)).allowed).toBe(true);
    expect((await limiter.take('dave')).allowed).toBe(false);
    expect(errors).toEqual([]);
  }, 20_000);
});
