/**
 * The canonical JSON must be byte for byte what Python's json.dumps(sort_keys=True,
 * separators=(",", ":")) writes, since that is what the Python Chain service hashed: checked
 * against a real Python on random documents (astral and control characters, nested objects,
 * fractional and tiny/huge numbers).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { keccak256, toBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson } from '../src/metadata/canonical-json.js';
import { metadataHash } from '../src/metadata/documents.js';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

function pythonDumps(values: unknown[]): string[] {
  const script =
    'import json,sys\nfor v in json.load(sys.stdin):\n  print(json.dumps(v, sort_keys=True, separators=(",", ":")))';
  const run = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(values),
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').slice(0, values.length);
}

// Numbers Python and JavaScript agree are the same kind: exact integers (Python int) and
// non-integral doubles (Python float). An integral double beyond 2^53 is an int to Python's
// json.loads but a float in JavaScript, which no document of ours contains.
const number = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
);
const text = fc.string({ unit: 'binary', maxLength: 12 });
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(text, tie('json'), { maxKeys: 4 }),
  ),
}));

describe('canonicalJson', () => {
  it('writes what Python json.dumps(sort_keys=True, separators=(",", ":")) writes', () => {
    const samples = fc.sample(json, { numRuns: 400, seed: 42 });
    const expected = pythonDumps(samples);
    samples.forEach((value, i) => {
      expect(canonicalJson(value), JSON.stringify(value)).toBe(expected[i]);
    });
  });

  it('on the edges: astral keys sort by code point, DEL and controls are escaped, exponents', () => {
    const value = {
      '\u{1F600}': 1,
      '\uFFFF': 2,
      a: '\x7f\x00é',
      n: [1e-7, 1.5e21, 0.0001, 123.456],
    };
    expect(canonicalJson(value)).toBe(pythonDumps([value])[0]);
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(CanonicalJsonError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalJsonError);
  });

  it('metadataHash is keccak256 over the canonical text, as the Python service computed it', () => {
    const doc = { title: 'Ünïcode', creators: ['0xabc'], n: 1 };
    expect(metadataHash(doc)).toBe(keccak256(toBytes(pythonDumps([doc])[0]!)));
  });
});
