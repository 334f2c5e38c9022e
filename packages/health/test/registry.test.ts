import {
  aggregateStatus,
  CheckTimeoutError,
  createHealthRegistry,
  DuplicateCheckError,
  type HealthStatus,
} from '@mystira/health';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

/** A registry whose one check, `slow`, sleeps 10 s unless aborted; `checkSignal()` is its signal. */
function registryWithSlowCheck() {
  const registry = createHealthRegistry();
  let signal: AbortSignal | undefined;
  registry.register({
    name: 'slow',
    check: (context) => {
      signal = context.signal;
      return sleep(10_000, context.signal);
    },
  });
  return { registry, checkSignal: () => signal };
}

describe('createHealthRegistry', () => {
  it('runs checks concurrently and reports per-check status, duration and error', async () => {
    const registry = createHealthRegistry({ now: () => Date.now() });
    registry.register({ name: 'a', check: () => sleep(100) });
    registry.register({ name: 'b', check: () => sleep(300) });
    registry.register({
      name: 'c',
      check: async () => {
        await sleep(200);
        throw Object.assign(new Error('boom'), { code: 'ECONNREFUSED' });
      },
    });
    const promise = registry.run();
    await vi.advanceTimersByTimeAsync(300);
    const report = await promise;
    // Concurrent: the run takes as long as the slowest check, not the sum.
    expect(report.durationMs).toBe(300);
    expect(report.status).toBe('unhealthy');
    expect(report.checks).toEqual([
      { name: 'a', status: 'healthy', critical: true, tags: ['ready'], durationMs: 100 },
      { name: 'b', status: 'healthy', critical: true, tags: ['ready'], durationMs: 300 },
      {
        name: 'c',
        status: 'unhealthy',
        critical: true,
        tags: ['ready'],
        durationMs: 200,
        error: { name: 'Error', message: 'boom', code: 'ECONNREFUSED' },
      },
    ]);
  });

  it('cuts a check that hangs at its timeout, aborts its signal, and still reports', async () => {
    const registry = createHealthRegistry({ defaultTimeoutMs: 1000, now: () => Date.now() });
    let aborted: unknown;
    registry.register({
      name: 'hangs',
      timeoutMs: 250,
      check: ({ signal }) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
          });
        }),
    });
    registry.register({ name: 'ignores-signal', check: () => new Promise(() => {}) });
    registry.register({ name: 'fine', check: () => {} });
    const promise = registry.run();
    await vi.advanceTimersByTimeAsync(1000);
    const report = await promise;
    expect(report.checks.map((c) => [c.name, c.status, c.durationMs, c.error?.name])).toEqual([
      ['hangs', 'unhealthy', 250, 'CheckTimeoutError'],
      ['ignores-signal', 'unhealthy', 1000, 'CheckTimeoutError'],
      ['fine', 'healthy', 0, undefined],
    ]);
    expect(aborted).toBeInstanceOf(CheckTimeoutError);
  });

  it('degrades (not fails) on a non-critical failure, and lets a check report degraded itself', async () => {
    const registry = createHealthRegistry();
    registry.register({
      name: 'cache',
      critical: false,
      check: () => Promise.reject(new Error('down')),
    });
    expect((await registry.run()).status).toBe('degraded');
    const other = createHealthRegistry();
    other.register({ name: 'lag', check: () => ({ status: 'degraded', detail: { lagMs: 900 } }) });
    const report = await other.run();
    expect(report.status).toBe('degraded');
    expect(report.checks[0]).toMatchObject({ status: 'degraded', detail: { lagMs: 900 } });
  });

  it('selects checks by tag', async () => {
    const registry = createHealthRegistry();
    registry.register({ name: 'loop', tags: ['live'], check: () => {} });
    registry.register({ name: 'db', check: () => {} });
    registry.register({ name: 'both', tags: ['live', 'ready'], check: () => {} });
    expect((await registry.run({ tags: ['live'] })).checks.map((c) => c.name)).toEqual([
      'loop',
      'both',
    ]);
    expect((await registry.run({ tags: ['ready'] })).checks.map((c) => c.name)).toEqual([
      'db',
      'both',
    ]);
    expect((await registry.run()).checks).toHaveLength(3);
    expect((await registry.run({ tags: ['none'] })).status).toBe('healthy');
  });

  it('rejects with the reason when the run is cancelled, aborting running checks', async () => {
    const { registry, checkSignal } = registryWithSlowCheck();
    const controller = new AbortController();
    const settled = registry.run({ signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('probe gone'));
    expect(await settled).toMatchObject({ message: 'probe gone' });
    expect(checkSignal()?.aborted).toBe(true);
  });

  it('refuses duplicate names and bad checks; unregister removes', async () => {
    const registry = createHealthRegistry();
    const remove = registry.register({ name: 'x', check: () => {} });
    expect(() => registry.register({ name: 'x', check: () => {} })).toThrow(DuplicateCheckError);
    expect(() => registry.register({ name: '', check: () => {} })).toThrow(TypeError);
    expect(() => registry.register({ name: 'y', timeoutMs: 0, check: () => {} })).toThrow(
      RangeError,
    );
    remove();
    expect(registry.names).toEqual([]);
  });

  it('handles a check that throws synchronously', async () => {
    const registry = createHealthRegistry();
    registry.register({
      name: 'sync',
      check: () => {
        throw new TypeError('bad config');
      },
    });
    expect((await registry.run()).checks[0]?.error).toEqual({
      name: 'TypeError',
      message: 'bad config',
    });
  });
});

describe('aggregateStatus', () => {
  const entry = fc.record({
    status: fc.constantFrom<HealthStatus>('healthy', 'degraded', 'unhealthy'),
    critical: fc.boolean(),
  });
  it('is unhealthy iff a critical check is unhealthy, else degraded iff anything is not healthy', () => {
    fc.assert(
      fc.property(fc.array(entry), (entries) => {
        const status = aggregateStatus(entries);
        const criticalDown = entries.some((e) => e.critical && e.status === 'unhealthy');
        const anyNotHealthy = entries.some((e) => e.status !== 'healthy');
        expect(status).toBe(criticalDown ? 'unhealthy' : anyNotHealthy ? 'degraded' : 'healthy');
      }),
    );
  });
});

describe('concurrent runs', () => {
  it('share a check in progress: a flood of probes runs each check once at a time', async () => {
    const registry = createHealthRegistry();
    let calls = 0;
    let release: () => void = () => {};
    registry.register({
      name: 'db',
      check: () => {
        calls++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    const runs = Array.from({ length: 50 }, () => registry.run());
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toBe(1);
    release();
    const reports = await Promise.all(runs);
    expect(reports.every((r) => r.status === 'healthy')).toBe(true);
    // The next probe after it finished runs the check again.
    const next = registry.run();
    await vi.advanceTimersByTimeAsync(10);
    release();
    await next;
    expect(calls).toBe(2);
  });

  it('aborts a shared check only when every run waiting on it is cancelled', async () => {
    const { registry, checkSignal } = registryWithSlowCheck();
    const first = new AbortController();
    const second = new AbortController();
    const a = registry.run({ signal: first.signal }).catch((e: unknown) => e);
    const b = registry.run({ signal: second.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    first.abort(new Error('first probe gone'));
    expect((await a) as Error).toHaveProperty('message', 'first probe gone');
    expect(checkSignal()?.aborted).toBe(false);
    second.abort(new Error('second probe gone'));
    expect((await b) as Error).toHaveProperty('message', 'second probe gone');
    expect(checkSignal()?.aborted).toBe(true);
  });
});
