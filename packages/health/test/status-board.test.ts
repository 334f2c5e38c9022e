import { createHealthRegistry, HealthStatusBoard, type ServingStatus } from '@mystira/health';
import { describe, expect, it } from 'vitest';

describe('HealthStatusBoard', () => {
  it('notifies listeners of real changes only', () => {
    const board = new HealthStatusBoard();
    const seen: Array<[string, ServingStatus | undefined]> = [];
    const unsubscribe = board.subscribe((service, status) => seen.push([service, status]));
    board.set('a.A', 'SERVING');
    board.set('a.A', 'SERVING');
    board.set('a.A', 'NOT_SERVING');
    board.clear('a.A');
    board.clear('a.A');
    unsubscribe();
    board.set('a.A', 'SERVING');
    expect(seen).toEqual([
      ['a.A', 'SERVING'],
      ['a.A', 'NOT_SERVING'],
      ['a.A', undefined],
    ]);
  });

  it('rejects unknown statuses', () => {
    const board = new HealthStatusBoard();
    expect(() => board.set('a', 'UP' as ServingStatus)).toThrow(TypeError);
    expect(() => board.set('a', 'SERVICE_UNKNOWN' as ServingStatus)).toThrow(TypeError);
  });

  it('keeps other listeners running when one throws', () => {
    const board = new HealthStatusBoard();
    let heard = 0;
    board.subscribe(() => {
      throw new Error('broken listener');
    });
    board.subscribe(() => heard++);
    board.set('x', 'SERVING');
    expect(heard).toBe(1);
  });

  it('after shutdown() holds everything NOT_SERVING until resume()', () => {
    const board = new HealthStatusBoard();
    board.set('a.A', 'SERVING');
    board.shutdown();
    expect(board.isShutDown).toBe(true);
    expect(board.entries()).toEqual(
      new Map([
        ['a.A', 'NOT_SERVING'],
        ['', 'NOT_SERVING'],
      ]),
    );
    board.set('b.B', 'SERVING');
    expect(board.get('b.B')).toBeUndefined();
    board.resume();
    expect(board.get('a.A')).toBe('SERVING');
    // "" had no status of its own before (it was derived from the checks): it is cleared again.
    expect(board.get('')).toBeUndefined();
  });

  it('can be shared between registries', () => {
    const board = new HealthStatusBoard();
    const a = createHealthRegistry({ statusBoard: board });
    const b = createHealthRegistry({ statusBoard: board });
    a.setServiceStatus('s', 'SERVING');
    expect(b.statusBoard.get('s')).toBe('SERVING');
  });
});
