export {
  type MemoryRateLimiter,
  type MemoryRateLimiterOptions,
  memoryRateLimiter,
} from './memory.js';
export {
  type RateLimitContext,
  type RateLimitOptions,
  RateLimitPolicy,
  rateLimit,
} from './policy.js';
export {
  type RateLimitRedis,
  type RedisRateLimiterOptions,
  redisRateLimiter,
} from './redis.js';
export type { RateLimitDecision, RateLimiter, TokenBucketOptions } from './types.js';
