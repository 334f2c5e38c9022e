/**
 * The content index in Redis, shared by every Chain server instance of a deployment: a hash
 * content id → entry, a hash IP id → content id, and a checkpoint key. `put` and the checkpoint
 * move are Lua scripts, so two instances recording the same content id agree on the first one
 * and the checkpoint never moves back. All keys share one hash tag, so the index also works on a
 * Redis Cluster.
 */
import type { ContentIndex, ContentIndexEntry } from './index.js';

/**
 * The Redis commands the index sends: an ioredis `Redis` or `Cluster` fits (declared here so
 * that this package's types never need ioredis).
 */
export interface ContentIndexRedis {
  /** HGET. */
  hget(key: string, field: string): Promise<string | null>;
  /** GET. */
  get(key: string): Promise<string | null>;
  /** EVAL. */
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of {@link redisContentIndex}. */
export interface RedisContentIndexOptions {
  /** The client. */
  redis: ContentIndexRedis;
  /** Prefix of the index's keys. Default `story:content-index`. */
  keyPrefix?: string;
}

// KEYS: by-content hash, by-ip hash. ARGV: content id, ip id, entry JSON.
const PUT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return ARGV[3]`;

// KEYS: checkpoint. ARGV: block (decimal; compared as a number of up to 2^53, enough for blocks).
const ADVANCE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/** The index in Redis. */
export function redisContentIndex(options: RedisContentIndexOptions): ContentIndex {
  const prefix = `{${options.keyPrefix ?? 'story:content-index'}}`;
  const byContent = `${prefix}:by-content`;
  const byIp = `${prefix}:by-ip`;
  const checkpointKey = `${prefix}:checkpoint`;
  const { redis } = options;

  const encode = (e: ContentIndexEntry) =>
    JSON.stringify({ ...e, ipId: e.ipId.toLowerCase(), blockNumber: e.blockNumber?.toString() });
  const decode = (json: string): ContentIndexEntry => {
    const { blockNumber, ...rest } = JSON.parse(json) as ContentIndexEntry & {
      blockNumber?: string;
    };
    return blockNumber === undefined ? rest : { ...rest, blockNumber: BigInt(blockNumber) };
  };

  async function get(contentId: string): Promise<ContentIndexEntry | undefined> {
    const json = await redis.hget(byContent, contentId);
    return json === null ? undefined : decode(json);
  }

  return {
    get,
    async getByIpId(ipId) {
      const contentId = await redis.hget(byIp, ipId.toLowerCase());
      return contentId === null ? undefined : get(contentId);
    },
    async put(entry) {
      const json = await redis.eval(
        PUT,
        2,
        byContent,
        byIp,
        entry.contentId,
        entry.ipId.toLowerCase(),
        encode(entry),
      );
      return decode(json as string);
    },
    async checkpoint() {
      const value = await redis.get(checkpointKey);
      return value === null ? undefined : BigInt(value);
    },
    async setCheckpoint(block) {
      await redis.eval(ADVANCE, 1, checkpointKey, block.toString());
    },
  };
}
