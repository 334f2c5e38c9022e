/**
 * The lean path's answer encoder (src/lean/encode.ts) against protobuf-es's `toBinary`: for every
 * message type of the chain contract, random messages (any field set or not, edge values, unknown
 * fields, nested and repeated messages, maps) encode to the same bytes, and values protobuf-es
 * refuses fail with the same error.
 */
import { create, type DescField, type DescMessage, ScalarType, toBinary } from '@bufbuild/protobuf';
import { chainFiles, chainIpFiles } from '@mystira/chain-protos';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeInto } from '../src/lean/encode.js';

const messageTypes: DescMessage[] = [...chainFiles, ...chainIpFiles].flatMap((file) => [
  ...file.messages,
]);

const text = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // astral and lone surrogates
  fc.nat(20_000).map((n) => 'x'.repeat(n)), // lengths past one and two varint bytes
);

function scalar(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.STRING:
      return text;
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof(fc.constantFrom(0, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31)), fc.integer());
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.constantFrom(0, 127, 128, 16_384, 2 ** 32 - 1), fc.nat());
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.oneof(
        fc.constantFrom(0n, -1n, 2n ** 32n, 2n ** 63n - 1n, -(2n ** 63n)),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      );
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.oneof(fc.constantFrom(0, -0, Number.NaN, 1.5), fc.double());
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 8 });
  }
}

/** A value for one field, or undefined to leave it unset. */
function fieldValue(f: DescField, depth: number): fc.Arbitrary<unknown> {
  switch (f.fieldKind) {
    case 'scalar':
      return scalar(f.scalar);
    case 'enum':
      return fc.constantFrom(...f.enum.values.map((v) => v.number));
    case 'message':
      return depth < 3 ? message(f.message, depth + 1) : fc.constant(undefined);
    case 'list': {
      const item =
        f.listKind === 'message'
          ? message(f.message, depth + 1)
          : f.listKind === 'enum'
            ? fc.constantFrom(...f.enum.values.map((v) => v.number))
            : scalar(f.scalar);
      return depth < 3 ? fc.array(item, { maxLength: 3 }) : fc.constant([]);
    }
    case 'map': {
      const value =
        f.mapKind === 'message'
          ? message(f.message, depth + 1)
          : f.mapKind === 'enum'
            ? fc.constant(0)
            : scalar(f.scalar);
      const key = f.mapKey === ScalarType.STRING ? text : fc.nat(1000).map(String);
      return depth < 3 ? fc.dictionary(key, value, { maxKeys: 3 }) : fc.constant({});
    }
  }
}

function message(type: DescMessage, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields = type.fields.filter((f) => !f.oneof);
  return fc
    .tuple(
      fc.tuple(...fields.map((f) => fc.option(fieldValue(f, depth), { nil: undefined }))),
      fc.boolean(),
    )
    .map(([values, unknown]) => {
      const m = create(type) as Record<string, unknown>;
      fields.forEach((f, i) => {
        const v = values[i];
        if (v === undefined) return;
        if (f.fieldKind === 'map') Object.assign(m[f.localName] as object, v);
        else m[f.localName] = v;
      });
      if (unknown) m.$unknown = [{ no: 99, wireType: 0, data: new Uint8Array([5]) }];
      return m;
    });
}

/** The encoded bytes (between `headroom` and the suffix), or the error's message. */
function encoded(type: DescMessage, m: unknown): string {
  try {
    const suffix = Buffer.from([9, 9]);
    const buffer = encodeInto(type, m, 5, suffix);
    expect(buffer.subarray(buffer.length - 2)).toEqual(suffix);
    return buffer.subarray(5, buffer.length - 2).toString('hex');
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

function expected(type: DescMessage, m: unknown): string {
  try {
    return Buffer.from(toBinary(type, m as never)).toString('hex');
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

describe('the lean answer encoder writes what toBinary writes', () => {
  it.each(messageTypes.map((t) => [t.typeName, t] as const))('%s', (_name, type) => {
    fc.assert(
      fc.property(message(type), (m) => {
        expect(encoded(type, m)).toBe(expected(type, m));
      }),
      { numRuns: 150 },
    );
  });

  it('fails as toBinary does on values protobuf-es refuses', () => {
    for (const type of messageTypes) {
      for (const f of type.fields) {
        if (f.fieldKind !== 'scalar' || f.oneof) continue;
        const m = create(type) as Record<string, unknown>;
        m[f.localName] = { not: 'a scalar' };
        expect(encoded(type, m)).toBe(expected(type, m));
      }
    }
  });
});
