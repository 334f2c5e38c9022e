/**
 * The Redis store on `ioredis`, single node or Cluster. Every operation is one round trip:
 * reads are a short script (an MGET that leaves values over a size limit in Redis), fills a Lua script that checks the guards and writes in one atomic step,
 * invalidations one MULTI/EXEC. On a Cluster every key of one entity carries the same hash tag
 * (`{entity}`, see the README), so multi-key commands stay in one slot.
 *
 * Create the client with `enableOfflineQueue: false` (and a small `maxRetriesPerRequest`): then a
 * command issued while Redis is unreachable fails at once instead of waiting in ioredis's queue,
 * and the cache falls through to the repository immediately. With the offline queue on, the
 * per-call timeout still bounds the wait.
 */
import type { Cluster, Redis } from 'ioredis';
import { CacheOptionsError } from './errors.js';
import type { CacheStore, FillEntry, Guard, TokenWrite } from './store.js';

// KEYS: guard keys (n) then value keys (m). ARGV: n, m, then per guard (expected, create, create
// ttl ms) with '' for null, then per value (payload, ttl ms). All guards are checked before
// anything is written.
const FILL = `
local n = tonumber(ARGV[1])
local m = tonumber(ARGV[2])
for i = 1, n do
  local cur = redis.call('GET', KEYS[i])
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
// false becomes a nil reply without ending the array, as nil would.
const GET = `
local max = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local len = redis.pcall('STRLEN', KEYS[i])
  if type(len) ~= 'number' then
    out[i] = -1
  elseif len > max then
    out[i] = len
  else
    out[i] = redis.call('GET', KEYS[i])
  end
end
return out
`;

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type Client = Redis | Cluster;
type Scripted = Client & {
  mystiraCacheGetBuffer(...args: (string | number)[]): Promise<(Buffer | number | null)[]>;
  mystiraCacheFill(...args: (string | number | Buffer)[]): Promise<number>;
  mystiraCacheUnlock(key: string, token: string): Promise<number>;
};

export interface RedisStoreOptions {
  /**
   * Connection for pub/sub (L1 invalidation). Default: `client.duplicate()`, created on the first
   * subscribe and closed by `close()`. A connection you pass is yours to close.
   */
  subscriber?: Client;
}

const toBuffer = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

export class RedisStore implements CacheStore {
  readonly client: Client;
  readonly #scripted: Scripted;
  #subscriber: Client | undefined;
  readonly #ownSubscriber: boolean;
  readonly #closers: (() => Promise<void>)[] = [];

  constructor(client: Client, options: RedisStoreOptions = {}) {
    if (!client || typeof (client as Redis).mgetBuffer !== 'function') {
      throw new CacheOptionsError('redisStore needs an ioredis Redis or Cluster client');
    }
    this.client = client;
    this.#subscriber = options.subscriber;
    this.#ownSubscriber = options.subscriber === undefined;
    const scripted = client as Scripted;
    // Once per client (stores may share one), each on its own: a client first used by an older
    // version of this store has only the commands that version defined.
    if (typeof scripted.mystiraCacheGetBuffer !== 'function')
      client.defineCommand('mystiraCacheGet', { lua: GET });
    if (typeof scripted.mystiraCacheFill !== 'function') {
      client.defineCommand('mystiraCacheFill', { lua: FILL });
      client.defineCommand('mystiraCacheUnlock', { lua: UNLOCK, numberOfKeys: 1 });
    }
    this.#scripted = scripted;
  }

  async get(keys: readonly string[], maxBytes?: number): Promise<(Uint8Array | number | null)[]> {
    if (maxBytes === undefined) return this.client.mgetBuffer(...(keys as string[]));
    return this.#scripted.mystiraCacheGetBuffer(keys.length, ...keys, maxBytes);
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
      this.#subscriber = (this.client as Cluster).isCluster
        ? (this.client as Cluster).duplicate(undefined, options as never)
        : (this.client as Redis).duplicate(options);
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
    const reply = await (this.client as Redis).ping();
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
export function redisStore(client: Client, options?: RedisStoreOptions): RedisStore {
  return new RedisStore(client, options);
}
