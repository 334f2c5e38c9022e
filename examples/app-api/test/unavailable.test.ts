/**
 * Which failures answer 503 (and say which dependency, and when to retry) and which stay 500,
 * from the errors the stores, @mystira/resilience's policies and the chain client really throw.
 */
import { ChainUnavailableError as ChainClientUnavailable } from '@mystira/chain-client';
import { AbortedError, UnavailableError } from '@mystira/repository';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  pipeline,
  TimeoutError,
} from '@mystira/resilience';
import { describe, expect, it } from 'vitest';
import { dependencyOf, markErrors, markPolicyErrors } from '../src/overload/dependencies.ts';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  retryAfterSeconds,
  unavailableProblem,
} from '../src/overload/unavailable.ts';
import { toProblem } from '../src/problems.ts';
import { ChainUnavailableError } from '../src/publishing/errors.ts';

const TYPE = 'https://mystira.app/problems/';

/** A store whose one method waits until its call is aborted, then rejects as pg's would. */
const stalledStore = {
  async read(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
      signal.addEventListener('abort', () =>
        // pg's checkout gives up a moment after the abort (the cancel travels to the server).
        setTimeout(() => reject(new AbortedError('the operation was aborted')), 20),
      );
    });
  },
};

describe('503 for dependency failures', () => {
  it('names PostgreSQL for a read cut off by the policy deadline while it waited', async () => {
    const store = markErrors(stalledStore, 'postgresql');
    const policy = markPolicyErrors(pipeline({ timeout: 30 }));
    const err = await policy.execute(({ signal }) => store.read(signal)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(dependencyOf(err)).toBe('postgresql');
    expect(toProblem(err)).toEqual({
      problem: {
        type: `${TYPE}postgresql-unavailable`,
        title: 'Service unavailable',
        status: 503,
        detail: 'PostgreSQL did not answer in time; retry later',
        retryable: true,
      },
      internal: false,
    });
  });

  it('tells an exhausted pool and a statement timeout from an outage', () => {
    const exhausted = new UnavailableError(
      'PostgreSQL unavailable: timeout exceeded when trying to connect',
      { cause: new Error('timeout exceeded when trying to connect') },
    );
    expect(unavailableProblem(exhausted)?.detail).toMatch(/busy: no connection came free/);
    const statement = new UnavailableError('PostgreSQL unavailable: canceling statement', {
      cause: Object.assign(new Error('canceling statement due to statement timeout'), {
        code: '57014',
      }),
    });
    // The SQLSTATE alone says PostgreSQL, marked or not.
    expect(unavailableProblem(statement)).toMatchObject({
      type: `${TYPE}postgresql-unavailable`,
      detail: 'PostgreSQL did not answer in time; retry later',
    });
    const refused = new UnavailableError('PostgreSQL unavailable: connect ECONNREFUSED', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(unavailableProblem(refused)?.detail).toBe('A dependency is unavailable; retry later');
  });

  it('answers an open breaker, a full bulkhead and an abort with 503', () => {
    for (const err of [
      new BrokenCircuitError(),
      new BulkheadRejectedError(10, 0),
      new AbortedError('the operation was aborted'),
    ]) {
      const { problem, internal } = toProblem(err);
      expect(internal, err.name).toBe(false);
      expect(problem, err.name).toMatchObject({ status: 503, retryable: true });
    }
    expect(unavailableProblem(new BrokenCircuitError())?.detail).toMatch(/paused/);
    expect(unavailableProblem(new BulkheadRejectedError(10, 0))?.detail).toMatch(/too many/);
  });

  it('names Cosmos DB, Redis and the Chain service', () => {
    const cosmos = markErrors(
      {
        async read(): Promise<never> {
          throw new UnavailableError('Cosmos DB unavailable (503)');
        },
      },
      'cosmos',
    );
    return cosmos.read().catch((err: unknown) => {
      expect(unavailableProblem(err)?.type).toBe(`${TYPE}cosmos-unavailable`);
      const redis = new Error("Stream isn't writeable and enableOfflineQueue options is false");
      expect(unavailableProblem(redis)).toMatchObject({
        type: `${TYPE}redis-unavailable`,
        status: 503,
      });
      // gRPC UNAVAILABLE is 14 (Connect's Code enum has the same numbers).
      const chain = new ChainClientUnavailable({ code: 14, message: 'down' });
      expect(dependencyOf(new ChainUnavailableError('chain down', { cause: chain }))).toBe('chain');
    });
  });

  it('keeps 500 for errors that are bugs', () => {
    for (const err of [new TypeError('x is undefined'), new Error('boom'), 'a string']) {
      expect(unavailableProblem(err)).toBeUndefined();
      expect(toProblem(err).problem.status).toBe(500);
    }
  });
});

describe('Retry-After', () => {
  it("takes the dependency's hint, rounded up to whole seconds and capped at a minute", () => {
    const throttled = new UnavailableError('Cosmos DB unavailable (429)', {
      cause: Object.assign(new Error('throttled'), { code: 429, retryAfterInMs: 3_500 }),
    });
    expect(retryAfterSeconds(throttled)).toBe(4);
    expect(retryAfterSeconds(new ChainUnavailableError('busy', { retryAfterMs: 200 }))).toBe(1);
    expect(retryAfterSeconds(new ChainUnavailableError('busy', { retryAfterMs: 3_600_000 }))).toBe(
      60,
    );
  });

  it('is the default without a hint', () => {
    expect(retryAfterSeconds(new TimeoutError(5_000))).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(DEFAULT_RETRY_AFTER_SECONDS).toBeGreaterThanOrEqual(1);
  });
});
