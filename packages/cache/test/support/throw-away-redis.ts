/**
 * A throw-away redis-server (never the shared one) for the tests of one `describe` block: started,
 * with a connected client, before them; after them resumed (in case a test froze it), the client
 * disconnected and the server stopped. The fault tests kill, restart, freeze and thaw it.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { connect, ThrowAwayRedis, until } from '../helpers.js';

export interface ThrowAwayServer {
  /** The server process (`pause()` freezes it with SIGSTOP, `resume()` thaws it). */
  readonly server: ThrowAwayRedis;
  /** The client connected to it (inside tests). */
  readonly client: Redis;
  /** Kills the server and waits until the client noticed. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until the client reconnected. */
  restart(): Promise<void>;
  /**
   * What the server holds under `pattern` now; the function returned writes it back, as a Redis
   * that comes back with its data (persistence, a promoted replica) would hold it.
   */
  snapshot(pattern: string): Promise<() => Promise<void>>;
}

export function throwAwayRedis(): ThrowAwayServer {
  const server = new ThrowAwayRedis();
  let connected: Redis | undefined;
  const client = (): Redis => {
    if (!connected) throw new Error('the throw-away Redis is used outside its tests');
    return connected;
  };

  beforeAll(async () => {
    await server.start();
    connected = await connect(server.port);
  });

  afterAll(async () => {
    server.resume();
    connected?.disconnect();
    await server.stop();
  });

  return {
    server,
    get client() {
      return client();
    },
    async kill() {
      await server.stop();
      await until(() => client().status !== 'ready');
    },
    async restart() {
      await server.start();
      await until(() => client().status === 'ready', 10_000);
    },
    async snapshot(pattern) {
      const held = new Map<string, Buffer>();
      for (const key of await client().keys(pattern))
        held.set(key, (await client().getBuffer(key))!);
      return async () => {
        for (const [key, value] of held) await client().set(key, value);
      };
    },
  };
}
