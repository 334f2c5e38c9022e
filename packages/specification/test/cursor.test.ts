import {
  evaluate,
  InvalidCursorError,
  keysetOf,
  Probe,
  probeRows,
  SpecificationError,
  spec,
} from '@mystira/specification';
import { createCursorCodec, cursorFingerprint } from '@mystira/specification/cursor';
import { describe, expect, it } from 'vitest';

const SECRET = 'a-secret-of-at-least-16-bytes';
const codec = createCursorCodec({ secret: SECRET });
const s = spec(Probe).orderBy('score', 'desc').thenBy('name').take(3);

function walkAll(q: typeof s, rows = probeRows) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const p: { items: { id: string }[]; nextCursor: string | null } = codec.page(q, rows, cursor);
    pages.push(p.items.map((r) => r.id));
    cursor = p.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('keyset cursors', () => {
  it('page through every row once, in order, with absent values and ties', () => {
    const all = evaluate(s.take(100), probeRows).map((r) => r.id);
    const pages = walkAll(s);
    expect(pages.flat()).toEqual(all);
    expect(pages.every((p) => p.length <= 3)).toBe(true);
    expect(pages.at(-1)!.length).toBeGreaterThan(0);
    for (const q of [
      spec(Probe).orderBy('name', 'desc').take(2),
      spec(Probe).orderBy('amount').thenByDescending('at').take(4),
      spec(Probe).take(5),
    ]) {
      expect(walkAll(q).flat()).toEqual(evaluate(q.take(100), probeRows).map((r) => r.id));
    }
  });

  it('decode returns the keyset that encode stored', () => {
    const row = probeRows[3]!; // p04: name missing
    const cursor = codec.encode(s, row);
    expect(codec.decode(s, cursor)).toEqual(keysetOf(s, row));
    expect(keysetOf(s, row).values).toEqual([
      { kind: 'value', type: 'number', value: 10 },
      null,
      { kind: 'value', type: 'string', value: 'p04' },
    ]);
    expect(evaluate(s.after(codec.decode(s, cursor)), probeRows).map((r) => r.id)).toEqual([
      'p01',
      'p11',
      'p12',
    ]);
  });

  it('a cursor is bound to filter and order, not to paging or projection', () => {
    const cursor = codec.encode(s, probeRows[0]!);
    expect(() => codec.decode(s.take(10).skip(1).select('id'), cursor)).not.toThrow();
    expect(cursorFingerprint(s)).toBe(cursorFingerprint(s.take(7)));
    const other = [
      s.orderBy('name'),
      s.where((w) => w.exists('name')),
      spec(Probe).orderBy('score').thenBy('name').take(3),
    ];
    for (const q of other) expect(() => codec.decode(q, cursor)).toThrow(InvalidCursorError);
  });

  it('detects tampering', () => {
    const cursor = codec.encode(s, probeRows[0]!);
    const [payload, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ v: 1, k: [['n', 999], null, ['s', 'p01']] }),
    ).toString('base64url');
    const flip = (t: string) => (t[0] === 'A' ? 'B' : 'A') + t.slice(1);
    for (const bad of [
      `${forged}.${mac}`,
      `${payload}.${flip(mac)}`,
      `${flip(payload)}.${mac}`,
      payload,
      `.${mac}`,
      '',
      'x'.repeat(5000),
      `${payload}.${mac}x`,
      `${payload}!.${mac}`,
    ]) {
      const e = (() => {
        try {
          codec.decode(s, bad);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(InvalidCursorError);
      // One class hierarchy across entry points: the cursor entry's errors are the main entry's.
      expect(e).toBeInstanceOf(SpecificationError);
      expect((e as InvalidCursorError).code).toBe('INVALID_CURSOR');
    }
  });

  it('rejects cursors signed with another key; accepts rotated keys', () => {
    const cursor = codec.encode(s, probeRows[0]!);
    expect(() =>
      createCursorCodec({ secret: 'another-secret-of-16-bytes' }).decode(s, cursor),
    ).toThrow(InvalidCursorError);
    const rotated = createCursorCodec({ secret: ['the-new-secret-16-bytes', SECRET] });
    expect(rotated.decode(s, cursor)).toEqual(codec.decode(s, cursor));
    expect(() => codec.decode(s, rotated.encode(s, probeRows[0]!))).toThrow(InvalidCursorError);
    expect(() => createCursorCodec({ secret: 'short' })).toThrow(/16 bytes/);
    expect(() => createCursorCodec({ secret: [] })).toThrow(/secret/);
    expect(createCursorCodec({ secret: new Uint8Array(32) }).encode(s, probeRows[0]!)).toMatch(
      /^[\w-]+\.[\w-]{43}$/,
    );
  });

  it('a validly signed payload must still fit the order fields', () => {
    // Sign a payload whose value has the wrong type for its key, as a buggy or old writer might.
    const wrong = {
      kind: 'keyset' as const,
      values: [
        { kind: 'value' as const, type: 'string' as const, value: 'x' },
        null,
        { kind: 'value' as const, type: 'string' as const, value: 'p01' },
      ],
    };
    expect(() => codec.decode(s, codec.encodeKeyset(s, wrong))).toThrow(InvalidCursorError);
    const short = { kind: 'keyset' as const, values: [null] };
    expect(() => codec.decode(s, codec.encodeKeyset(s, short))).toThrow(InvalidCursorError);
  });

  it('pages projected specs (cursor built from the full row) and async sources', async () => {
    const projected = s.select('name');
    const p1 = codec.page(projected, probeRows);
    expect(p1.items).toEqual([{}, { name: 'alpha' }, { name: 'zeta' }]);
    async function* rows() {
      yield* probeRows;
    }
    const p2 = await codec.page(projected, rows(), p1.nextCursor);
    expect(p2.items).toEqual([{ name: '' }, { name: 'Alpha' }, { name: '\u00e9' }]);
    expect(() => codec.page(spec(Probe), probeRows)).toThrow(/take/);
  });

  it('rows that violate the schema cannot produce a cursor', () => {
    expect(() => keysetOf(s, { id: 'x', score: 'ten' } as never)).toThrow(/declared type/);
  });
});
