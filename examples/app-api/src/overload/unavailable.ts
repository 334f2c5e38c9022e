/**
 * Failures that mean "a dependency cannot serve this request now" rather than "this service has a
 * bug": a store that is down, slow past its deadline (our timeout, a statement timeout, a lock
 * timeout), out of pooled connections, behind an open circuit breaker or a full bulkhead. They all
 * answer 503 with `Retry-After` and a problem type naming the dependency
 * (`https://mystira.app/problems/postgresql-unavailable`), so a client backs off and an operator
 * sees where; only what is left over is a 500.
 */
import { AbortedError, UnavailableError } from '@mystira/repository';
import { isTransientRedis, retryAfterMs, sqlState } from '@mystira/resilience';
import type { Problem } from '../problems.ts';
import { type Dependency, dependencyOf } from './dependencies.ts';

/** Asked of callers when the dependency gave no hint of its own. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;
/** A hint longer than this is capped: past a minute a client is better off retrying and seeing. */
const MAX_RETRY_AFTER_SECONDS = 60;

type Kind = 'timeout' | 'saturated' | 'circuit-open' | 'bulkhead-full' | 'down';

const NAMES: Record<Dependency, string> = {
  postgresql: 'PostgreSQL',
  cosmos: 'Cosmos DB',
  redis: 'Redis',
  chain: 'the Chain service',
};

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; typeof e === 'object' && e !== null && out.length < 8; ) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * pg-pool's error when no pooled connection came free within `connectionTimeoutMillis` (opening
 * a new connection that times out says "Connection terminated due to connection timeout").
 */
export function isPoolExhausted(err: unknown): boolean {
  return causes(err).some(
    (e) => e instanceof Error && /timeout exceeded when trying to connect/i.test(e.message),
  );
}

function flag(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as Record<string, unknown>)[name] === true;
}

function kindOf(err: unknown): Kind | undefined {
  // cockatiel marks its rejections (our @mystira/resilience policies are built on it).
  if (flag(err, 'isBrokenCircuitError') || flag(err, 'isIsolatedCircuitError'))
    return 'circuit-open';
  if (flag(err, 'isBulkheadRejectedError')) return 'bulkhead-full';
  // @mystira/resilience's TimeoutError extends cockatiel's TaskCancelledError.
  if (flag(err, 'isTaskCancelledError')) return 'timeout';
  // A call aborted by a deadline above it (or by a client that left and reads no answer).
  if (err instanceof AbortedError) return 'timeout';
  if (err instanceof UnavailableError) {
    if (isPoolExhausted(err)) return 'saturated';
    const state = sqlState(err);
    // 57014 statement timeout, 55P03 lock not available: PostgreSQL gave up waiting for us.
    return state === '57014' || state === '55P03' ? 'timeout' : 'down';
  }
  // A raw Redis or socket failure that reached the HTTP layer (the stores wrap theirs): the
  // dependency could not be reached or dropped the connection.
  if (isTransientRedis(err, { idempotent: true })) return 'down';
  return undefined;
}

function detail(kind: Kind, name: string): string {
  const Name = name.charAt(0).toUpperCase() + name.slice(1);
  switch (kind) {
    case 'timeout':
      return `${Name} did not answer in time; retry later`;
    case 'saturated':
      return `${Name} is busy: no connection came free in time; retry later`;
    case 'circuit-open':
      return `${Name} is failing, so calls to it are paused; retry later`;
    case 'bulkhead-full':
      return `too many calls to ${name} are in progress; retry later`;
    case 'down':
      return `${Name} is unavailable; retry later`;
  }
}

/** The 503 problem for a dependency failure, or undefined when `err` is not one. */
export function unavailableProblem(err: unknown): Problem | undefined {
  const kind = kindOf(err);
  if (!kind) return undefined;
  const dependency = dependencyOf(err);
  return {
    type: `https://mystira.app/problems/${dependency ? `${dependency}-` : ''}unavailable`,
    title: 'Service unavailable',
    status: 503,
    detail: detail(kind, dependency ? NAMES[dependency] : 'a dependency'),
    retryable: true,
  };
}

/**
 * Seconds for `Retry-After` on a 503: the dependency's own hint when it sent one (gRPC pushback or
 * RetryInfo, Cosmos DB `retryAfterInMs`, an HTTP `Retry-After`), else the default; at least 1.
 */
export function retryAfterSeconds(err: unknown): number {
  for (const e of causes(err)) {
    const ms = retryAfterMs(e);
    if (ms !== undefined && Number.isFinite(ms))
      return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(ms / 1000)));
  }
  return DEFAULT_RETRY_AFTER_SECONDS;
}
