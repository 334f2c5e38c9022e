/**
 * Idempotency: a store of key → (request fingerprint, response).
 *
 * - The same key with the same request replays the first response; the ledger is not called again.
 * - Concurrent duplicates execute once: the first caller acquires the key, the others wait for
 *   its outcome and replay it.
 * - The same key with a different request fails with ALREADY_EXISTS (reason
 *   IDEMPOTENCY_KEY_REUSED) and nothing is executed.
 * - When the first execution fails with an error (nothing happened on chain) the key is released,
 *   so a retry executes again. Results with status FAILED did happen and are stored.
 *
 * {@link MemoryIdempotencyStore} serves one process; {@link RedisIdempotencyStore} (ioredis, with
 * TTL) lets several instances share keys.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  create,
  type DescMessage,
  type DescMethod,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { raceAbort } from '../../../shared/waiting.js';
import { toConnectError } from './connect-errors.js';
import type { CallContext } from './handlers.js';

/**
 * What {@link IdempotencyStore.begin} found: the key is now the caller's (`acquired`, with the
 * token that completes or releases it), it holds a response to replay (`replay`), or it was used
 * with a different request (`mismatch`).
 */
export type IdempotencyBegin =
  | {
      /** The key is now the caller's: run the request, then `complete` or `release`. */
      kind: 'acquired';
      /** Proves ownership to `complete` and `release`. */
      token: string;
    }
  | {
      /** The same request ran before: answer with its response, run nothing. */
      kind: 'replay';
      /** The stored response message, serialized. */
      response: Uint8Array;
    }
  | {
      /** The key was used with a different request: fail with ALREADY_EXISTS, run nothing. */
      kind: 'mismatch';
    };

/**
 * A store of idempotency records. `begin` waits while another caller holds the same key with the
 * same fingerprint, then reports its outcome (or acquires the key if that caller released it).
 */
export interface IdempotencyStore {
  /** Claims `key` for a request with this fingerprint, or reports what it already holds. */
  begin(key: string, fingerprint: string, signal?: AbortSignal): Promise<IdempotencyBegin>;
  /** Stores the response of an acquired key. */
  complete(key: string, token: string, fingerprint: string, response: Uint8Array): Promise<void>;
  /** Gives an acquired key up without a response (the execution failed before acting). */
  release(key: string, token: string): Promise<void>;
}

/** ALREADY_EXISTS: the key was used before with a different request. */
export function idempotencyMismatch(key: string): ConnectError {
  return new ConnectError(
    `idempotency key "${key}" was already used with a different request`,
    Code.AlreadyExists,
  );
}

interface MemoryRecord {
  fingerprint: string;
  token: string;
  response?: Uint8Array;
  expiresAt: number;
  done?: Promise<void>;
  settle?: () => void;
}

/** Options of {@link MemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /** How long a completed record is kept. Default 24 h. */
  ttlMs?: number;
  /** Most records kept; the oldest go first. Default 100 000. */
  maxRecords?: number;
  /** The clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** In-process store. Records expire after `ttlMs`; the oldest are evicted beyond `maxRecords`. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, MemoryRecord>();
  private readonly ttlMs: number;
  private readonly maxRecords: number;
  private readonly now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.maxRecords = options.maxRecords ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Records held now. */
  get size(): number {
    return this.records.size;
  }

  async begin(key: string, fingerprint: string, signal?: AbortSignal): Promise<IdempotencyBegin> {
    for (;;) {
      const record = this.records.get(key);
      if (record && record.response === undefined && record.done === undefined)
        this.records.delete(key);
      if (record && record.expiresAt <= this.now() && record.response !== undefined)
        this.records.delete(key);
      const current = this.records.get(key);
      if (!current) {
        const token = randomUUID();
        let settle: () => void = () => {};
        const done = new Promise<void>((resolve) => {
          settle = resolve;
        });
        this.records.set(key, {
          fingerprint,
          token,
          expiresAt: Number.POSITIVE_INFINITY,
          done,
          settle,
        });
        this.evict();
        return { kind: 'acquired', token };
      }
      if (current.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (current.response !== undefined) return { kind: 'replay', response: current.response };
      signal?.throwIfAborted();
      await raceAbort(current.done as Promise<void>, signal);
    }
  }

  async complete(
    key: string,
    token: string,
    _fingerprint: string,
    response: Uint8Array,
  ): Promise<void> {
    const record = this.records.get(key);
    if (!record || record.token !== token) return;
    record.response = response;
    record.expiresAt = this.now() + this.ttlMs;
    const settle = record.settle;
    record.done = undefined;
    record.settle = undefined;
    settle?.();
  }

  async release(key: string, token: string): Promise<void> {
    const record = this.records.get(key);
    if (!record || record.token !== token) return;
    this.records.delete(key);
    record.settle?.();
  }

  private evict(): void {
    while (this.records.size > this.maxRecords) {
      const oldest = this.records.keys().next().value as string;
      this.records.delete(oldest);
    }
  }
}

/**
 * The three commands the Redis store sends, in ioredis's shape: an ioredis `Redis` or `Cluster`
 * fits as it is. Declared here so that this package's types do not import ioredis, an optional
 * peer: a server without `RedisIdempotencyStore` type-checks without it installed.
 */
export interface IdempotencyRedis {
  /** SET key value PX ms NX: `OK` when the key was absent and is now set, null otherwise. */
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  /** GET key: the value, or null when absent. */
  get(key: string): Promise<string | null>;
  /** EVAL: runs a Lua script atomically (compare-and-set on the owner's token). */
  eval(script: string, numkeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

/** Options of {@link RedisIdempotencyStore}. */
export interface RedisIdempotencyStoreOptions {
  /** An ioredis `Redis` or `Cluster` (every record is one key); the store never closes it. */
  redis: IdempotencyRedis;
  /** Key prefix. Default "mystira:chain:idem:". */
  prefix?: string;
  /** How long a completed record is kept. Default 24 h. */
  ttlMs?: number;
  /** How long an in-flight claim holds the key if its owner dies. Default 30 s. */
  lockMs?: number;
  /** How long a duplicate waits for the first execution before failing with ABORTED. Default 30 s. */
  waitMs?: number;
}

// Compare-and-set/delete on the owner's token, so a slow owner whose lock expired can never
// overwrite or delete a record that now belongs to someone else.
const COMPLETE = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local r = cjson.decode(v)
if r.t ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;
const RELEASE = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local r = cjson.decode(v)
if r.t ~= ARGV[1] or r.s ~= 'p' then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

interface RedisRecord {
  /** state: p = pending, d = done */
  s: 'p' | 'd';
  f: string;
  t: string;
  /** base64 response when done */
  r?: string;
}

/** Shared store on Redis: records are JSON strings with a TTL; pending claims expire after `lockMs`. */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: IdempotencyRedis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly lockMs: number;
  private readonly waitMs: number;

  constructor(options: RedisIdempotencyStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'mystira:chain:idem:';
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.lockMs = options.lockMs ?? 30_000;
    this.waitMs = options.waitMs ?? 30_000;
  }

  async begin(key: string, fingerprint: string, signal?: AbortSignal): Promise<IdempotencyBegin> {
    const redisKey = this.prefix + key;
    const deadline = Date.now() + this.waitMs;
    let delay = 5;
    for (;;) {
      const token = randomUUID();
      const claim: RedisRecord = { s: 'p', f: fingerprint, t: token };
      const ok = await this.redis.set(redisKey, JSON.stringify(claim), 'PX', this.lockMs, 'NX');
      if (ok === 'OK') return { kind: 'acquired', token };
      const raw = await this.redis.get(redisKey);
      if (raw !== null) {
        const record = JSON.parse(raw) as RedisRecord;
        if (record.f !== fingerprint) return { kind: 'mismatch' };
        if (record.s === 'd')
          return { kind: 'replay', response: Buffer.from(record.r ?? '', 'base64') };
      }
      signal?.throwIfAborted();
      if (Date.now() > deadline) {
        throw new ConnectError(
          `a request with idempotency key "${key}" is still in progress`,
          Code.Aborted,
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
  }

  async complete(
    key: string,
    token: string,
    fingerprint: string,
    response: Uint8Array,
  ): Promise<void> {
    const record: RedisRecord = {
      s: 'd',
      f: fingerprint,
      t: token,
      r: Buffer.from(response).toString('base64'),
    };
    await this.redis.eval(
      COMPLETE,
      1,
      this.prefix + key,
      token,
      JSON.stringify(record),
      String(this.ttlMs),
    );
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key, token);
  }
}

/** One write: its method path, its request (with its key) and how to execute it. */
export interface IdempotentWrite<I extends DescMessage, O extends DescMessage> {
  /** The method as keys and fingerprints name it, e.g. `RegisterIpAsset` or a full path. */
  method: string;
  /** The request's schema and the request; its idempotency key is left out of the fingerprint. */
  inSchema: I;
  req: MessageShape<I> & { idempotencyKey: string };
  /** The response's schema, to store and replay the answer. */
  outSchema: O;
  /** Acts on the ledger and builds the answer; runs at most once per key. */
  execute: () => Promise<MessageShape<O>>;
}

/** The idempotency store failed before anything was done: UNAVAILABLE, so the client retries. */
function storeDown(error: unknown): never {
  if (error instanceof ConnectError) throw error;
  throw new ConnectError(
    'idempotency store unavailable',
    Code.Unavailable,
    undefined,
    undefined,
    error,
  );
}

/** Runs `write.execute` at most once per (caller, method, key). */
export async function idempotentWrite<I extends DescMessage, O extends DescMessage>(
  store: IdempotencyStore,
  call: CallContext,
  write: IdempotentWrite<I, O>,
): Promise<MessageShape<O>> {
  const { method, req } = write;
  const bytes = toBinary(write.inSchema, { ...req, idempotencyKey: '' } as MessageShape<I>);
  const fingerprint = createHash('sha256')
    .update(method)
    .update('\0')
    .update(bytes)
    .digest('base64');
  const storeKey = `${call.principal?.id ?? 'anonymous'}:${method}:${req.idempotencyKey}`;
  const begun = await store.begin(storeKey, fingerprint, call.signal).catch(storeDown);
  if (begun.kind === 'mismatch') throw idempotencyMismatch(req.idempotencyKey);
  if (begun.kind === 'replay') return fromBinary(write.outSchema, begun.response);
  let response: MessageShape<O>;
  try {
    response = await write.execute();
  } catch (error) {
    // Best effort: if the store is down too, the pending claim expires on its own.
    await store.release(storeKey, begun.token).catch(() => {});
    throw toConnectError(error);
  }
  // The ledger acted: the client gets its answer even if recording it fails.
  await store
    .complete(storeKey, begun.token, fingerprint, toBinary(write.outSchema, response))
    .catch(() => {});
  return response;
}

/** Runs one RPC's write at most once per idempotency key (see {@link rpcWriter}). */
export type RpcWriter = <I extends DescMessage, O extends DescMessage>(
  method: DescMethod & { input: I; output: O },
  req: MessageShape<I> & { idempotencyKey: string },
  call: CallContext,
  act: () => Promise<MessageInitShape<O>>,
) => Promise<MessageShape<O>>;

/**
 * The writes of one service's RPCs, each through {@link idempotentWrite}: the request and response
 * schemas come from the method's descriptor, and `act` (which calls the port and says what to
 * answer) runs once per idempotency key, later calls replaying its answer. `keyOf` names the
 * method as the service's stored keys do: ChainService by its bare name (`RegisterIpAsset`, as it
 * always has, so keys already stored keep matching), the ip services as `Service/Method`.
 */
export function rpcWriter(
  store: IdempotencyStore,
  keyOf: (method: DescMethod) => string,
): RpcWriter {
  return <I extends DescMessage, O extends DescMessage>(
    method: DescMethod & { input: I; output: O },
    req: MessageShape<I> & { idempotencyKey: string },
    call: CallContext,
    act: () => Promise<MessageInitShape<O>>,
  ): Promise<MessageShape<O>> =>
    idempotentWrite(store, call, {
      method: keyOf(method),
      inSchema: method.input,
      req,
      outSchema: method.output,
      execute: async () => create(method.output, await act()),
    });
}
