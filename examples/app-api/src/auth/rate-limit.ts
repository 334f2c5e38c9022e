/**
 * Per-caller rate limits (`@fastify/rate-limit`): a signed-in caller is counted by the token's
 * subject (however many IPs they use), anyone else by IP (an IPv6 /64 counts as one). Over the
 * limit: 429 problem+json with `Retry-After` (seconds until the window resets).
 *
 * Counters live in Redis when the host has one (shared by every instance, so the limit is per
 * caller, not per caller per instance), else in this process. An unusable Redis lets requests
 * through: like the cache, the limiter must not turn a Redis outage into an API outage.
 * Probes and metrics are not limited: a load balancer or a scraper must never see a 429.
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { ApiError } from '../problems.ts';
import type { RateLimitConfig } from './config.ts';

const UNLIMITED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** The counter a request counts against (also what the tests read back from Redis). */
export function rateLimitKey(req: FastifyRequest): string {
  return req.caller ? `sub:${req.caller.subject}` : `ip:${normalizeIP(req.ip)}`;
}

export async function rateLimits(
  app: FastifyInstance,
  config: RateLimitConfig,
  store: { redis: Redis; keyPrefix: string } | undefined,
): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    // After authentication (also an onRequest hook, registered first), before anything costly.
    hook: 'onRequest',
    max: (req) => (req.caller ? config.max : config.anonymousMax),
    timeWindow: config.windowMs,
    keyGenerator: rateLimitKey,
    allowList: (req) => UNLIMITED_ROUTES.has(req.routeOptions.url ?? ''),
    skipOnError: true,
    ...(store ? { redis: store.redis, nameSpace: `${store.keyPrefix}:rate-limit:` } : {}),
    // The plugin has set Retry-After and the x-ratelimit-* headers; the error handler turns this
    // into problem+json like every other error.
    errorResponseBuilder: (req, context) =>
      new ApiError(
        429,
        'rate-limited',
        'Too many requests',
        `more than ${context.max} requests in ${config.windowMs / 1000} s ${req.caller ? 'by this caller' : 'from this address'}; retry in ${context.after}`,
        { retryable: true },
      ),
  });
}
