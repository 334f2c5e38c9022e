/**
 * PooledIdGenerator never hands out an all-zero (invalid) id: here the first pool of random bytes
 * is all zeros, and every id cut from it must be skipped.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  let fills = 0;
  return {
    ...actual,
    randomFillSync: <T extends NodeJS.ArrayBufferView>(buffer: T): T => {
      if (fills++ > 0) return actual.randomFillSync(buffer);
      new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).fill(0);
      return buffer;
    },
  };
});

const { PooledIdGenerator } = await import('../src/pooled-ids.ts');

describe('PooledIdGenerator with a pool of zeros', () => {
  it('skips the invalid ids and gives valid ones', () => {
    const ids = new PooledIdGenerator();
    const spanId = ids.generateSpanId();
    const traceId = ids.generateTraceId();
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe('0'.repeat(16));
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
  });
});
