/**
 * Which dependency an error came from, so a 503 can say "PostgreSQL" or "Cosmos DB" rather than
 * "something". The error itself often cannot tell: a read cut off by the App API's own deadline
 * ends in a `TimeoutError` or `AbortedError` that looks the same whatever store was waiting. So
 * each store is wrapped once, where it is built (stores.ts), and every error leaving it is marked
 * with its name; a resilience policy's own errors get the name of the store the call was waiting
 * on. `dependencyOf` finds the mark on the error or anything it wraps (`cause`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ChainError } from '@mystira/chain-client';
import { type Pipeline, type PipelineContext, sqlState } from '@mystira/resilience';

export type Dependency = 'postgresql' | 'cosmos' | 'redis' | 'chain';

const marks = new WeakMap<object, Dependency>();

function mark(err: unknown, dependency: Dependency): void {
  // The innermost store wins: a Cosmos error passing through a PostgreSQL-backed layer keeps
  // its first mark.
  if (typeof err === 'object' && err !== null && !marks.has(err)) marks.set(err, dependency);
}

/**
 * The stores a policy-guarded call has used, innermost last: `pending` are still waiting for an
 * answer, `used` every one entered. Carried by AsyncLocalStorage from `markPolicyErrors` down to
 * the wrapped stores, however many layers (cache, polyglot routing) lie between.
 */
interface CallTrace {
  used: Dependency[];
  pending: Dependency[];
}
const traces = new AsyncLocalStorage<CallTrace>();

/**
 * `target` with every method's rejection marked as coming from `dependency`. Other properties
 * and non-promise results pass through untouched; methods run on the real object, so classes
 * with private fields keep working.
 */
export function markErrors<T extends object>(target: T, dependency: Dependency): T {
  return new Proxy(target, {
    get(obj, key) {
      const value: unknown = Reflect.get(obj, key, obj);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const trace = traces.getStore();
        trace?.used.push(dependency);
        trace?.pending.push(dependency);
        const settled = () => {
          const i = trace?.pending.lastIndexOf(dependency) ?? -1;
          if (i >= 0) trace?.pending.splice(i, 1);
        };
        let result: unknown;
        try {
          result = value.apply(obj, args);
        } catch (err) {
          settled();
          mark(err, dependency);
          throw err;
        }
        if (!(result instanceof Promise)) {
          settled();
          return result;
        }
        return result.then(
          (v: unknown) => {
            settled();
            return v;
          },
          (err: unknown) => {
            settled();
            mark(err, dependency);
            throw err;
          },
        );
      };
    },
  });
}

/**
 * `policy` whose own rejections (its timeout, an open breaker, a full bulkhead) are marked with
 * the store the call was waiting for when it gave up (else the last one it used): a deadline
 * that cut off a PostgreSQL read then says PostgreSQL, although the policy's error wraps only the
 * abort reason, and rejects before the cancelled read itself has settled.
 */
export function markPolicyErrors(policy: Pipeline): Pipeline {
  return {
    policies: policy.policies,
    async execute<T>(
      fn: (context: PipelineContext) => PromiseLike<T> | T,
      signal?: AbortSignal,
    ): Promise<T> {
      const trace: CallTrace = { used: [], pending: [] };
      try {
        return await traces.run(trace, () => policy.execute(fn, signal));
      } catch (err) {
        const dependency = trace.pending.at(-1) ?? trace.used.at(-1);
        if (dependency) mark(err, dependency);
        throw err;
      }
    },
  };
}

// ioredis' own errors and messages; they carry no SQLSTATE or HTTP status to go by.
const REDIS_ERRORS = new Set(['MaxRetriesPerRequestError', 'ReplyError', 'ClusterAllFailedError']);
const REDIS_MESSAGES = /^(Stream isn't writeable|Connection is closed\.)/;

/** The dependency `err` (or an error it wraps) came from, when known. */
export function dependencyOf(err: unknown): Dependency | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const marked = marks.get(e);
    if (marked) return marked;
    if (e instanceof ChainError) return 'chain';
    const name = (e as { name?: unknown }).name;
    const message = (e as { message?: unknown }).message;
    if (typeof name === 'string' && REDIS_ERRORS.has(name)) return 'redis';
    if (typeof message === 'string' && REDIS_MESSAGES.test(message)) return 'redis';
    e = (e as { cause?: unknown }).cause;
  }
  return sqlState(err) === undefined ? undefined : 'postgresql';
}
