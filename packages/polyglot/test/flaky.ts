import type { MirrorStore } from '@mystira/polyglot';
import { UnavailableError } from '@mystira/repository';

/**
 * Wraps a mirror so writes fail on demand: `fail` rejects before writing (secondary down),
 * `phantom` writes and then rejects (a timed-out write that landed anyway), `delayMs` holds each
 * write (so writes of one id overtake each other).
 */
export function flaky<T extends object>(
  inner: MirrorStore<T>,
  control: { mode: () => 'ok' | 'fail' | 'phantom'; delayMs?: () => number },
): MirrorStore<T> {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const d = control.delayMs?.() ?? 0;
      if (d > 0) await new Promise((r) => setTimeout(r, d));
      const mode = control.mode();
      if (mode === 'fail') throw new UnavailableError('secondary down (injected)');
      const out = await fn(...args);
      if (mode === 'phantom')
        throw new UnavailableError('secondary timed out (injected, but the write landed)');
      return out;
    };
  return {
    entity: inner.entity,
    repository: inner.repository,
    head: (...a) => inner.head(...a),
    heads: (...a) => inner.heads(...a),
    tombstones: (...a) => inner.tombstones(...a),
    purgeTombstone: (...a) => inner.purgeTombstone(...a),
    put: wrap((...a: Parameters<MirrorStore<T>['put']>) => inner.put(...a)),
    putMany: wrap((...a: Parameters<MirrorStore<T>['putMany']>) => inner.putMany(...a)),
    remove: wrap((...a: Parameters<MirrorStore<T>['remove']>) => inner.remove(...a)),
  };
}
