/**
 * FrameContextManager (src/context-manager.ts) against what a context manager promises: the
 * context given to `with()` is active inside it and in every asynchronous continuation started
 * there, and the one before it is active again once `with()` returns or throws, however deep the
 * nesting; `bind()` and `attach()` on top of it.
 */
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameContextManager } from '../src/context-manager.ts';

const KEY = createContextKey('test');
const ctx = (name: string): Context => ROOT_CONTEXT.setValue(KEY, name);
const nameOf = (m: FrameContextManager) => m.active().getValue(KEY);

describe('FrameContextManager', () => {
  it('makes the context active inside with(), and the previous one after it returns or throws', () => {
    const m = new FrameContextManager();
    expect(m.active()).toBe(ROOT_CONTEXT);
    const a = ctx('a');
    expect(m.with(a, () => m.active())).toBe(a);
    expect(m.active()).toBe(ROOT_CONTEXT);
    expect(() =>
      m.with(a, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('passes thisArg and the arguments through', () => {
    const m = new FrameContextManager();
    const self = { base: 10 };
    const sum = m.with(
      ctx('a'),
      function (this: typeof self, x: number, y: number) {
        return this.base + x + y;
      },
      self,
      1,
      2,
    );
    expect(sum).toBe(13);
  });

  it('carries the context into continuations started inside: await, timers, nextTick, promises', async () => {
    const m = new FrameContextManager();
    const seen = await m.with(ctx('a'), async () => {
      const names: unknown[] = [];
      await null;
      names.push(nameOf(m));
      await sleep(1);
      names.push(nameOf(m));
      await new Promise<void>((resolve) =>
        process.nextTick(() => {
          names.push(nameOf(m));
          resolve();
        }),
      );
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          names.push(nameOf(m));
          resolve();
        }),
      );
      return names;
    });
    expect(seen).toEqual(['a', 'a', 'a', 'a']);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('keeps concurrent calls apart: each continuation sees its own context', async () => {
    const m = new FrameContextManager();
    const names = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        m.with(ctx(`c${i}`), async () => {
          await sleep(i % 3);
          return nameOf(m);
        }),
      ),
    );
    expect(names).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
  });

  it('nests: any tree of with() calls, sync and async, sees the innermost context', async () => {
    // A tree of calls: each node enters its own context, checks it, awaits (or not), checks again,
    // runs its children in order, then checks once more after each child returned.
    type Node = { async: boolean; children: Node[] };
    const node: fc.Memo<Node> = fc.memo((depth) =>
      fc.record({
        async: fc.boolean(),
        children: depth <= 1 ? fc.constant([]) : fc.array(node(depth - 1), { maxLength: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(node(4), async (tree) => {
        const m = new FrameContextManager();
        let next = 0;
        const wrong: string[] = [];
        const check = (expected: unknown, where: string) => {
          if (nameOf(m) !== expected) wrong.push(`${where}: ${String(nameOf(m))} != ${expected}`);
        };
        const run = async (n: Node, parent: unknown): Promise<void> => {
          const name = `n${next++}`;
          await m.with(ctx(name), async () => {
            check(name, `${name} entered`);
            if (n.async) await sleep(0);
            check(name, `${name} after await`);
            for (const child of n.children) {
              await run(child, name);
              check(name, `${name} after a child`);
            }
          });
          check(parent, `${name} returned`);
        };
        await run(tree, undefined);
        expect(wrong).toEqual([]);
        expect(m.active()).toBe(ROOT_CONTEXT);
      }),
      { numRuns: 60 },
    );
  });

  it('binds functions and event emitters to a context', async () => {
    const m = new FrameContextManager();
    const bound = m.bind(ctx('f'), () => nameOf(m));
    expect(bound()).toBe('f');
    const emitter = m.bind(ctx('e'), new EventEmitter());
    const heard = once(emitter, 'ping');
    let inListener: unknown;
    emitter.on('ping', () => {
      inListener = nameOf(m);
    });
    m.with(ctx('other'), () => emitter.emit('ping'));
    await heard;
    expect(inListener).toBe('e');
  });

  it('attach() makes a context active until its token is disposed (once)', () => {
    const m = new FrameContextManager();
    m.with(ctx('outer'), () => {
      const token = m.attach(ctx('attached'));
      expect(nameOf(m)).toBe('attached');
      token.dispose();
      expect(nameOf(m)).toBe('outer');
      m.attach(ctx('again'));
      token.dispose(); // disposed already: does not put 'outer' back over 'again'
      expect(nameOf(m)).toBe('again');
    });
  });
});
