import { type HedgeEvent, HedgeLostError, hedge, ResilienceEvents } from '@mystira/resilience';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A fake call that answers after `ms` (fake time) unless its signal aborts first. */
function call(ms: number, value: string, log: string[]) {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve(value), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        log.push(`${value} aborted: ${(signal.reason as Error).name}`);
        reject(signal.reason);
      });
    });
}

const unavailable = () =>
  Object.assign(new Error('unavailable'), { name: 'ConnectError', code: 14, rawMessage: 'u' });

describe('hedge', () => {
  it('starts a second attempt after the delay, takes the faster one and aborts the other', async () => {
    const events = new ResilienceEvents();
    const fired: HedgeEvent[] = [];
    events.onHedgeFired((e) => fired.push(e));
    const policy = hedge({ delay: 100, events, now: () => Date.now() });
    const log: string[] = [];
    const attempts = [call(1000, 'slow', log), call(50, 'fast', log)];
    const result = policy.execute(({ signal, hedge: index }) => attempts[index]!(signal));
    await vi.advanceTimersByTimeAsync(150);
    await expect(result).resolves.toBe('fast');
    expect(log).toEqual(['slow aborted: HedgeLostError']);
    expect(fired).toEqual([{ policy: 'hedge', attempt: 1, delayMs: 100 }]);
  });

  it('does not hedge a call that answers before the delay', async () => {
    const policy = hedge({ delay: 100 });
    const fn = vi.fn(({ signal }: { signal: AbortSignal }) => call(40, 'quick', [])(signal));
    const result = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(40);
    await expect(result).resolves.toBe('quick');
    await vi.advanceTimersByTimeAsync(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('keeps the first attempt when it wins after the hedge started', async () => {
    const log: string[] = [];
    const policy = hedge({ delay: 100 });
    const attempts = [call(150, 'first', log), call(500, 'second', log)];
    const result = policy.execute(({ signal, hedge: index }) => attempts[index]!(signal));
    await vi.advanceTimersByTimeAsync(150);
    await expect(result).resolves.toBe('first');
    expect(log).toEqual(['second aborted: HedgeLostError']);
  });

  it('hedges at once after a transient failure, and rejects when every attempt failed', async () => {
    const policy = hedge({ delay: 10_000, maxHedges: 2 });
    const times: number[] = [];
    const result = policy.execute(() => {
      times.push(Date.now());
      throw unavailable();
    });
    const settled = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(await settled).toMatchObject({ message: 'unavailable' });
    expect(times).toHaveLength(3);
    expect(new Set(times).size).toBe(1);
  });

  it('treats a non-transient error as the answer and aborts the other attempts', async () => {
    const log: string[] = [];
    const policy = hedge({ delay: 10 });
    const invalid = Object.assign(new Error('invalid'), {
      name: 'ConnectError',
      code: 3,
      rawMessage: 'i',
    });
    const result = policy.execute(({ signal, hedge: index }) =>
      index === 0 ? call(1000, 'first', log)(signal) : Promise.reject(invalid),
    );
    const settled = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled).toBe(invalid);
    expect(log).toEqual(['first aborted: HedgeLostError']);
  });

  it('aborts every attempt when the caller aborts', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const policy = hedge({ delay: 10 });
    const settled = policy
      .execute(
        ({ signal, hedge: index }) => call(1000, `a${index}`, log)(signal),
        controller.signal,
      )
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(20);
    controller.abort(new Error('bye'));
    expect(await settled).toMatchObject({ message: 'bye' });
    expect(log).toEqual(['a0 aborted: HedgeLostError', 'a1 aborted: HedgeLostError']);
  });

  it('derives the delay from the observed latency percentile', async () => {
    const policy = hedge({
      delay: { percentile: 0.9, initialDelayMs: 500, minSamples: 10 },
      now: () => Date.now(),
    });
    expect(policy.currentDelayMs()).toBe(500);
    // 10 successes taking 10, 20, ..., 100 ms: the 90th percentile is 90 ms.
    for (let i = 1; i <= 10; i++) {
      const p = policy.execute(({ signal }) => call(i * 10, 'x', [])(signal));
      await vi.advanceTimersByTimeAsync(i * 10);
      await p;
    }
    expect(policy.currentDelayMs()).toBe(90);
  });

  it('aborts losers with HedgeLostError', () => {
    expect(new HedgeLostError()).toBeInstanceOf(Error);
  });
});
