/**
 * The Redis store on `ioredis`, single node or Cluster. Every operation is one round trip:
 * reads are a plain MGET, or with a size limit a short script (sizes first, then an MGET; values
 * over the limit stay in Redis), fills a Lua script that checks the guards and writes in one atomic step,
 * invalidations one MULTI/EXEC. On a Cluster every key of one entity carries the same hash tag
 * (`{entity}`, see the README), so multi-key commands stay in one slot.
 *
 * Create the client with `enableOfflineQueue: false` (and a small `maxRetriesPerRequest`): then a
 * command issued while Redis is unreachable fails at once instead of waiting in ioredis's queue,
 * and the cache falls through to the repository immediately. With the offline queue on, the
 * per-call timeout still bounds the wait.
 */
import { createHash } from 'node:crypto';
import { CacheOptionsError } from './errors.js';
import type { CacheStore, FillEntry, Guard, TokenWrite } from './store.js';

// KEYS: guard keys (n) then value keys (m). ARGV: n, m, then per guard (expected, create, create
// ttl ms) with '' for null, then per value (payload, ttl ms). All guards are checked before
// anything is written. A guard key holding another type refuses the fill instead of failing the
// script (a plain MGET read sees it as absent; a script error would charge the breaker).
const FILL = `
local n = tonumber(ARGV[1])
local m = tonumber(ARGV[2])
for i = 1, n do
  local cur = redis.pcall('GET', KEYS[i])
  if type(cur) == 'table' and cur.err then return 0 end
  local exp = ARGV[3 * i]
  if exp == '' then
    if cur then return 0 end
  elseif cur ~= exp then
    return 0
  end
end
for i = 1, n do
  local create = ARGV[3 * i + 1]
  if ARGV[3 * i] == '' and create ~= '' then
    local ttl = ARGV[3 * i + 2]
    if ttl == '' then redis.call('SET', KEYS[i], create) else redis.call('SET', KEYS[i], create, 'PX', ttl) end
  end
end
local base = 2 + 3 * n
for j = 1, m do
  redis.call('SET', KEYS[n + j], ARGV[base + 2 * j - 1], 'PX', ARGV[base + 2 * j])
end
return 1
`;

// KEYS: the keys to read. ARGV[1]: the largest value returned, in bytes. A larger value is
// answered by its size and never leaves Redis (a 30 MB junk entry costs a STRLEN, not a transfer);
// a key holding another type by -1 (MGET would say nil, and the cache could never clean it up).
// Every size is checked before any value is read; when all fit (every hit), the values come from
// one MGET: 4 redis.call for 3 keys instead of a STRLEN and a GET each (0.5-0.7 µs less Redis
// time per 3-key read on Redis 7.0). Past 1000 keys it reads key by key instead (unpack() is
// bounded by Lua's stack, 8000). false becomes a nil reply without ending the array, as nil would.
const GET = `
local max = tonumber(ARGV[1])
local n = #KEYS
local refused = nil
for i = 1, n do
  local len = redis.pcall('STRLEN', KEYS[i])
  if type(len) ~= 'number' then len = -1 end
  if len < 0 or len > max then
    refused = refused or {}
    refused[i] = len
  end
end
if not refused and n <= 1000 then return redis.call('MGET', unpack(KEYS)) end
refused = refused or {}
local out = {}
for i = 1, n do
  out[i] = refused[i] or redis.call('GET', KEYS[i])
end
return out
`;
const GET_SHA1 = createHash('sha1').update(GET).digest('hex');

/** Whether a script call failed because Redis does not have the script (restart, SCRIPT FLUSH). */
const isNoScript = (err: unknown): boolean =>
  err instanceof Error && err.message.startsWith('NOSCRIPT');

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * What the store uses of a pub/sub connection: an ioredis `Redis` or `Cluster` fits as it is.
 * (This and `RedisStoreClient` are declared here instead of imported from ioredis, an optional
 * peer: this package's types must compile for a user who has only `memoryStore()` and no ioredis.)
 */
export interface RedisSubscriberConnection {
  /** ioredis's connection state; `ready` when commands reach the server. */
  readonly status: string;
  /** SUBSCRIBE to the invalidation channel. */
  subscribe(channel: string): Promise<unknown>;
  /** UNSUBSCRIBE when the store closes. */
  unsubscribe(channel: string): Promise<unknown>;
  /** A message arrived on a subscribed channel. */
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  /** The connection became ready (subscribe again), closed, or failed. */
  on(event: 'ready' | 'close' | 'error', listener: () => void): unknown;
  /** Removes a `message` listener. */
  off(event: 'message', listener: (channel: string, message: string) => void): unknown;
  /** Removes a `ready`, `close` or `error` listener. */
  off(event: 'ready' | 'close' | 'error', listener: () => void): unknown;
  /** Closes the connection (only one the store created itself). */
  disconnect(): void;
}

/** What the store's `MULTI` sends. */
export interface RedisStoreMulti {
  /** SET key value: a generation token without expiry. */
  set(key: string, value: string): unknown;
  /** SET key value PX ms: a generation token with an expiry. */
  set(key: string, value: string, px: 'PX', ms: number): unknown;
  /** DEL keys: the entries a write invalidates. */
  del(...keys: string[]): unknown;
  /** EXEC: each command's error or result, or null when the transaction was discarded. */
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

/** The commands the Redis store sends, in ioredis's shape: an ioredis `Redis` or `Cluster` fits. */
export interface RedisStoreClient extends RedisSubscriberConnection {
  /** True on a `Cluster`, whose `duplicate` takes the startup nodes before the options. */
  readonly isCluster?: boolean;
  /** MGET keys, values as bytes (null where absent). */
  mgetBuffer(...keys: string[]): Promise<(Uint8Array | null)[]>;
  /** Registers the store's Lua scripts as commands (EVALSHA, falling back to EVAL). */
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  /** Starts a MULTI/EXEC transaction (invalidations). */
  multi(): RedisStoreMulti;
  /** SET key value PX ms NX: the stampede lock; `OK` when taken, null when held by another. */
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  /** PUBLISH an L1 invalidation. */
  publish(channel: string, message: string): Promise<unknown>;
  /** PING, for the health check: `PONG`. */
  ping(): Promise<string>;
  /** `Redis#duplicate(options)`, `Cluster#duplicate(undefined, options)`: the subscriber. */
  duplicate(first?: unknown, second?: unknown): RedisSubscriberConnection;
}

/**
 * The client as the store calls it. `evalshaBuffer`/`evalBuffer` (EVALSHA and EVAL with replies
 * as bytes) send the size-checked read as commands of their own rather than through a defined
 * command, whose wrapper cost about 4 µs of CPU per call (ioredis 5.11, Node 24). ioredis makes a
 * Buffer variant of every command but leaves these two out of its typings, hence their place
 * here. Not `callBuffer('evalsha', …)`: under `enableAutoPipelining` ioredis sends that one's
 * first argument as the command name.
 */
type Scripted = RedisStoreClient & {
  evalshaBuffer(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  evalBuffer(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  mystiraCacheFill(...args: (string | number | Buffer)[]): Promise<number>;
  mystiraCacheUnlock(key: string, token: string): Promise<number>;
};

/** Options of {@link RedisStore} (`redisStore`). */
export interface RedisStoreOptions {
  /**
   * Connection for pub/sub (L1 invalidation). Default: `client.duplicate()`, created on the first
   * subscribe and closed by `close()`. A connection you pass is yours to close.
   */
  subscriber?: RedisSubscriberConnection;
}

const toBuffer = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** `C` is the client's own type (ioredis `Redis` or `Cluster`), so `client` keeps it. */
export class RedisStore<C extends RedisStoreClient = RedisStoreClient> implements CacheStore {
  /** The client the store sends its commands through (yours: `close()` leaves it open). */
  readonly client: C;
  readonly #scripted: Scripted;
  #subscriber: RedisSubscriberConnection | undefined;
  readonly #ownSubscriber: boolean;
  readonly #closers: (() => Promise<void>)[] = [];

  constructor(client: C, options: RedisStoreOptions = {}) {
    if (!client || typeof client.mgetBuffer !== 'function') {
      throw new CacheOptionsError('redisStore needs an ioredis Redis or Cluster client');
    }
    this.client = client;
    this.#subscriber = options.subscriber;
    this.#ownSubscriber = options.subscriber === undefined;
    const scripted = client as RedisStoreClient as Scripted;
    // Once per client (stores may share one).
    if (typeof scripted.mystiraCacheFill !== 'function') {
      client.defineCommand('mystiraCacheFill', { lua: FILL });
      client.defineCommand('mystiraCacheUnlock', { lua: UNLOCK, numberOfKeys: 1 });
    }
    this.#scripted = scripted;
  }

  // Not async: the client's promise as it is, one hop less on every hit.
  get(keys: readonly string[], maxBytes?: number): Promise<(Uint8Array | number | null)[]> {
    if (maxBytes === undefined) return this.client.mgetBuffer(...(keys as string[]));
    const reply = this.#scripted.evalshaBuffer(GET_SHA1, keys.length, ...keys, maxBytes);
    return (reply as Promise<(Uint8Array | number | null)[]>).then(undefined, (err: unknown) => {
      if (!isNoScript(err)) throw err;
      // Redis lost the script (restart, failover, SCRIPT FLUSH): EVAL sends it and loads it again.
      return this.#scripted.evalBuffer(GET, keys.length, ...keys, maxBytes) as Promise<
        (Uint8Array | number | null)[]
      >;
    });
  }

  async fill(guards: readonly Guard[], entries: readonly FillEntry[]): Promise<boolean> {
    const args: (string | number | Buffer)[] = [guards.length + entries.length];
    for (const g of guards) args.push(g.key);
    for (const e of entries) args.push(e.key);
    args.push(guards.length, entries.length);
    for (const g of guards) {
      args.push(
        g.expected ?? '',
        g.create ?? '',
        g.createTtlMs === undefined ? '' : Math.max(1, Math.round(g.createTtlMs)),
      );
    }
    for (const e of entries) args.push(toBuffer(e.value), Math.max(1, Math.round(e.ttlMs)));
    return (await this.#scripted.mystiraCacheFill(...args)) === 1;
  }

  async write(tokens: readonly TokenWrite[], deletes: readonly string[]): Promise<void> {
    const multi = this.client.multi();
    for (const t of tokens) {
      if (t.ttlMs === undefined) multi.set(t.key, t.value);
      else multi.set(t.key, t.value, 'PX', Math.max(1, Math.round(t.ttlMs)));
    }
    if (deletes.length > 0) multi.del(...(deletes as string[]));
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (results === null) throw new Error('MULTI was discarded');
    if (failed) throw failed[0];
  }

  async tryLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.#scripted.mystiraCacheUnlock(key, token);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(channel, message);
  }

  async subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onState: (live: boolean) => void,
  ): Promise<() => Promise<void>> {
    // Our own connection without ioredis's auto-resubscribe: we resubscribe on every 'ready' and
    // report live only once Redis confirmed, so "live" really means messages are flowing.
    if (!this.#subscriber) {
      const options = { autoResubscribe: false, enableOfflineQueue: true };
      this.#subscriber = this.client.isCluster
        ? this.client.duplicate(undefined, options)
        : this.client.duplicate(options);
    }
    const sub = this.#subscriber;
    const onMsg = (ch: string, message: string) => {
      if (ch === channel) onMessage(message);
    };
    let closed = false;
    const live = () => {
      if (closed) return;
      sub.subscribe(channel).then(
        () => !closed && onState(true),
        () => !closed && onState(false),
      );
    };
    const down = () => !closed && onState(false);
    sub.on('message', onMsg);
    sub.on('ready', live);
    sub.on('close', down);
    sub.on('error', () => {}); // errors surface as 'close'; an unhandled 'error' would crash.
    if (sub.status === 'ready') live();
    const stop = async () => {
      closed = true;
      sub.off('message', onMsg);
      sub.off('ready', live);
      sub.off('close', down);
      if (sub.status === 'ready') await sub.unsubscribe(channel).catch(() => {});
    };
    this.#closers.push(stop);
    return stop;
  }

  isReady(): boolean {
    return this.client.status === 'ready';
  }

  async ping(): Promise<void> {
    const reply = await this.client.ping();
    if (reply !== 'PONG') throw new Error(`unexpected PING reply ${String(reply)}`);
  }

  async close(): Promise<void> {
    for (const c of this.#closers.splice(0)) await c();
    if (this.#ownSubscriber && this.#subscriber) {
      const sub = this.#subscriber;
      this.#subscriber = undefined;
      sub.disconnect();
    }
  }
}

/** A store on an ioredis `Redis` or `Cluster` client (see `RedisStoreOptions`). */
export function redisStore<C extends RedisStoreClient>(
  client: C,
  options?: RedisStoreOptions,
): RedisStore<C> {
  return new RedisStore(client, options);
}
