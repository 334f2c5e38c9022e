/**
 * The limiter's `redis` option is a structural type, so the published declarations never import
 * ioredis: a project without ioredis installed type-checks against them (ESM and CJS), with
 * skipLibCheck off. Its node_modules holds only this package and cockatiel, nothing else.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { typecheckConsumer } from './consumer-typecheck.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoNodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));

it('the declarations import nothing from ioredis', () => {
  const dist = join(packageDir, 'dist');
  for (const file of readdirSync(dist).filter((f) => /\.d\.c?ts$/.test(f))) {
    expect(readFileSync(join(dist, file), 'utf8'), file).not.toMatch(
      /from ['"]ioredis['"]|import\(['"]ioredis['"]\)/,
    );
  }
});

it('type-checks a consumer without ioredis (ESM and CJS, skipLibCheck off)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'resilience-no-ioredis-'));
  try {
    // A copy, not a symlink: through a symlink TypeScript would resolve from the repo and find
    // the repo's ioredis.
    const installed = join(dir, 'node_modules', '@mystira', 'resilience');
    mkdirSync(installed, { recursive: true });
    cpSync(join(packageDir, 'dist'), join(installed, 'dist'), { recursive: true });
    cpSync(join(packageDir, 'package.json'), join(installed, 'package.json'));
    symlinkSync(join(repoNodeModules, 'cockatiel'), join(dir, 'node_modules', 'cockatiel'), 'dir');
    const consumer = [
      'import { memoryRateLimiter, redisRateLimiter, rateLimit, RateLimitExceededError, type RateLimitDecision, type RateLimitRedis } from "@mystira/resilience";',
      // What a user's own client could be: anything with ioredis's evalsha/eval shape.
      'declare const redis: RateLimitRedis;',
      'const shared = redisRateLimiter({ redis, capacity: 10, refillPerSecond: 5, onStoreError: "allow", timeoutMs: 100 });',
      'const local = memoryRateLimiter({ capacity: 10, refillPerSecond: 5, maxKeys: 1000 });',
      'export const decision: Promise<RateLimitDecision> = shared.take("caller", 1);',
      'export const run = rateLimit(local).executeFor("caller", ({ decision }) => decision.remaining).catch((e: unknown) => e instanceof RateLimitExceededError ? e.retryAfterMs : 0);',
    ].join('\n');
    const { output, status } = typecheckConsumer(dir, {
      'consumer.mts': consumer,
      'consumer.cts': consumer,
    });
    expect(output).toBe('');
    expect(status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
