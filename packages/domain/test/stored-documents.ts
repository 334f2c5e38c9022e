/**
 * Stored documents drawn at random for the property tests on the real entities: items from small
 * value pools (so that filters and groups meet), encoded, with a few properties dropped, turned
 * into an older generation's shape (by inverting its declared renames and renumberings) and their
 * .NET dates re-spelled.
 */
import {
  dotnetDate,
  type EntityCodec,
  type FieldCodec,
  type StoredDocument,
} from '@mystira/repository';
import { walk } from '@mystira/specification';
import fc from 'fast-check';

export const TEXT = ['a', 'b', 'A', ''];
export const INSTANTS = [
  '2026-02-01T10:00:00.000Z',
  '2026-02-01T10:00:00.100Z',
  '2026-02-01T10:00:00.123Z',
];
export const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export function valueArb(c: FieldCodec): fc.Arbitrary<unknown> {
  const inner = (): fc.Arbitrary<unknown> => {
    switch (c.kind) {
      case 'string':
        return c.domainField?.type === 'array' ? fc.subarray(['a', 'b']) : fc.constantFrom(...TEXT);
      case 'number':
        return fc.integer({ min: 0, max: 2 });
      case 'boolean':
        return fc.boolean();
      case 'date':
        return fc.constantFrom(...INSTANTS);
      case 'enum':
      case 'enumName':
        return fc.constantFrom(...[...c.names!.values()].slice(0, 3));
      case 'list':
        return fc.subarray(['a', 'b', 'ab']);
      case 'json':
        return fc.constant(c.decode(undefined));
      case 'jsonValue':
        return fc.constant({});
      case 'object':
        return itemArb(c.fields!);
      case 'objects':
        return fc.constant([]);
      default:
        throw new Error(c.kind);
    }
  };
  return c.isNullable ? fc.option(inner(), { nil: null, freq: 3 }) : inner();
}

/**
 * An item drawn field by field, each value by `drawValue`; computed fields are left out (they are
 * derived on decode, never written).
 */
export function recordArb(
  fields: Readonly<Record<string, FieldCodec>>,
  drawValue: (c: FieldCodec) => fc.Arbitrary<unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, c] of Object.entries(fields))
    if (c.kind !== 'computed') shape[name] = drawValue(c);
  return fc.record(shape);
}

export function itemArb(
  fields: Readonly<Record<string, FieldCodec>>,
): fc.Arbitrary<Record<string, unknown>> {
  return recordArb(fields, valueArb);
}

/** A current document written the way an older generation would have stored it. */
export function downgrade(codec: EntityCodec<object>, doc: StoredDocument): StoredDocument {
  const g = codec.generations[0];
  if (!g) return doc;
  let out: StoredDocument = { ...doc };
  // The generation's marker (an isNull test) holds once the properties it names are gone.
  walk(g.where, (n) => {
    if (n.kind === 'field') delete out[n.path[0]!];
  });
  for (const [from, to] of Object.entries(g.renamed)) {
    if (Object.hasOwn(out, to)) {
      const { [to]: v, ...rest } = out;
      out = { ...rest, [from]: v };
    }
  }
  for (const [key, table] of Object.entries(g.renumbered)) {
    const v = out[key];
    const old = Object.entries(table).find(([, cur]) => cur === v)?.[0];
    if (old !== undefined) out[key] = Number(old);
    else if (typeof v === 'number' && table[v] !== undefined) out[key] = 99; // no old spelling: unnamed
  }
  return out;
}

/** Re-spells .NET dates (trimmed fraction, with or without `Z`, 7 digits). */
export function respell(doc: StoredDocument, how: number): StoredDocument {
  const out: StoredDocument = {};
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) {
      const d = dotnetDate(new Date(Date.parse(v)).toISOString());
      out[k] =
        how === 0
          ? d
          : how === 1
            ? d.slice(0, -1)
            : `${d.slice(0, 19)}.${new Date(Date.parse(v)).toISOString().slice(20, 23)}4567Z`;
    } else out[k] = v;
  }
  return out;
}

export function docArb(codec: EntityCodec<object>): fc.Arbitrary<StoredDocument> {
  const idName = codec.stored.id;
  const pk = codec.stored.partitionKey;
  return fc
    .tuple(itemArb(codec.fields), fc.boolean(), fc.subarray(Object.keys(codec.fields)), fc.nat(2))
    .map(([item, legacy, drop, how]) => {
      let doc = json(codec.encode(item)) as StoredDocument;
      for (const name of drop.slice(0, 3)) {
        const stored = codec.fields[name]?.stored;
        if (stored && stored !== idName && stored !== pk) delete doc[stored];
      }
      if (legacy) doc = downgrade(codec, doc);
      return respell(doc, how);
    });
}
