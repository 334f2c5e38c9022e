/**
 * Builds messages of any contract type from its descriptor: fully populated (every field set,
 * lists and maps with two entries, extreme scalar values, one case of each oneof) or random
 * (fast-check). The tests use it so that a field added to the contract is covered without
 * touching them.
 */
import {
  create,
  type DescField,
  type DescMessage,
  type Message,
  ScalarType,
} from '@bufbuild/protobuf';
import * as fc from 'fast-check';

const TIMESTAMP = 'google.protobuf.Timestamp';

/** One extreme but valid value per scalar type the contract uses. */
function fullScalar(type: ScalarType, salt: number): unknown {
  switch (type) {
    case ScalarType.STRING:
      return `value ${salt} — ünïcødé 𝄞 "quoted"\n`;
    case ScalarType.BOOL:
      return true;
    case ScalarType.INT32:
      return -2147483648 + salt;
    case ScalarType.UINT32:
      return 4294967295 - salt;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return -9223372036854775808n + BigInt(salt);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return 18446744073709551615n - BigInt(salt);
    case ScalarType.BYTES:
      return new Uint8Array([0, 255, salt & 0xff]);
    default:
      return 1.5 + salt;
  }
}

function fullValue(field: DescField, salt: number, choice: number): unknown {
  switch (field.fieldKind) {
    case 'scalar':
      return fullScalar(field.scalar, salt);
    case 'enum':
      return field.enum.values.at(-1)!.number;
    case 'message':
      return fullMessage(field.message, salt + 1, choice);
    case 'list':
      return [0, 1].map((i) =>
        field.listKind === 'scalar'
          ? fullScalar(field.scalar, salt + i)
          : field.listKind === 'enum'
            ? field.enum.values[i + 1]!.number
            : fullMessage(field.message, salt + i, choice),
      );
    case 'map': {
      const entries: Record<string, unknown> = {};
      for (const i of [0, 1]) {
        const value =
          field.mapKind === 'scalar'
            ? fullScalar(field.scalar, salt + i)
            : field.mapKind === 'enum'
              ? field.enum.values.at(-1)!.number
              : fullMessage(field.message, salt + i, choice);
        entries[`key-${i}`] = value;
      }
      return entries;
    }
  }
}

/**
 * A message of `desc` with every field set; of each oneof (here and in nested messages), the
 * case at index `choice` modulo the number of cases.
 */
export function fullMessage(desc: DescMessage, salt = 0, choice = 0): Message {
  if (desc.typeName === TIMESTAMP) {
    // The JSON form only allows 0001-01-01 to 9999-12-31 and nanos below 1e9.
    return create(desc, { seconds: 253402300799n - BigInt(salt), nanos: 999_999_999 - salt });
  }
  const init: Record<string, unknown> = {};
  for (const field of desc.fields) {
    if (!field.oneof) init[field.localName] = fullValue(field, salt, choice);
  }
  for (const oneof of desc.oneofs) {
    const field = oneof.fields[choice % oneof.fields.length]!;
    init[oneof.localName] = { case: field.localName, value: fullValue(field, salt, choice) };
  }
  return create(desc, init);
}

/** The number of oneof cases of `desc` and the messages it holds, at most: one per `choice`. */
function choices(desc: DescMessage, seen = new Set<string>()): number {
  if (seen.has(desc.typeName)) return 1;
  seen.add(desc.typeName);
  let most = Math.max(1, ...desc.oneofs.map((o) => o.fields.length));
  for (const field of desc.fields) {
    const message =
      field.fieldKind === 'message'
        ? field.message
        : field.fieldKind === 'list' && field.listKind === 'message'
          ? field.message
          : field.fieldKind === 'map' && field.mapKind === 'message'
            ? field.message
            : undefined;
    if (message) most = Math.max(most, choices(message, seen));
  }
  return most;
}

/** Fully populated messages of `desc` that between them set every case of every oneof. */
export function fullMessages(desc: DescMessage): Message[] {
  return Array.from({ length: choices(desc) }, (_, choice) => fullMessage(desc, 0, choice));
}

function scalarArbitrary(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.STRING:
      return fc.string({ unit: 'grapheme', maxLength: 20 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.INT32:
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case ScalarType.UINT32:
      return fc.integer({ min: 0, max: 4294967295 });
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 8 });
    default:
      return fc.double({ noNaN: true });
  }
}

function fieldArbitrary(field: DescField, depth: number): fc.Arbitrary<unknown> {
  const enumValue = (values: readonly { number: number }[]) =>
    fc.constantFrom(...values.map((v) => v.number));
  // A list's item or a map's value: a message, an enum value or a scalar (the other two unset).
  const element = (f: Extract<DescField, { fieldKind: 'list' | 'map' }>) =>
    f.message
      ? messageArbitrary(f.message, depth + 1)
      : f.enum
        ? enumValue(f.enum.values)
        : scalarArbitrary(f.scalar);
  switch (field.fieldKind) {
    case 'scalar':
      return scalarArbitrary(field.scalar);
    case 'enum':
      return enumValue(field.enum.values);
    case 'message':
      return messageArbitrary(field.message, depth + 1);
    case 'list':
      return fc.array(element(field), { maxLength: depth > 1 ? 0 : 3 });
    case 'map':
      return fc.dictionary(fc.string({ maxLength: 8 }), element(field), {
        maxKeys: 3,
        noNullPrototype: true,
      });
  }
}

/** Random messages of `desc`: each field present or absent, any value its type allows. */
export function messageArbitrary(desc: DescMessage, depth = 0): fc.Arbitrary<Message> {
  if (desc.typeName === TIMESTAMP) {
    return fc
      .record({
        seconds: fc.bigInt({ min: -62135596800n, max: 253402300799n }),
        nanos: fc.integer({ min: 0, max: 999_999_999 }),
      })
      .map((init) => create(desc, init));
  }
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of desc.fields) {
    if (!field.oneof) fields[field.localName] = fieldArbitrary(field, depth);
  }
  // A oneof holds one of its cases, or none.
  for (const oneof of desc.oneofs) {
    fields[oneof.localName] = fc.oneof(
      fc.constant({ case: undefined }),
      ...oneof.fields.map((field) =>
        fieldArbitrary(field, depth).map((value) => ({ case: field.localName, value })),
      ),
    );
  }
  return fc
    .record(fields, { requiredKeys: [] })
    .map((init) => create(desc, init as Record<string, unknown>));
}
